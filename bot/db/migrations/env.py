"""Alembic's entry point. Migrations run on the connection bot.db.engine.upgrade hands over (`askgov db upgrade`)."""

from alembic import context

from bot.db.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations with `askgov db upgrade` (bot.db.upgrade), which supplies the connection")

# render_as_batch: SQLite alters a table by copying it, which Alembic's batch mode does
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
