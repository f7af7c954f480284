"""The app's relational database: feedback, unanswered questions and staff users, through SQLAlchemy.

SQLite (the file ASKGOV_FEEDBACK_DB) by default; PostgreSQL, or any database SQLAlchemy reaches, when
ASKGOV_DATABASE_URL is set. The schema is the Alembic migrations in bot/db/migrations, applied when a process
first opens the database (app start-up, `askgov db upgrade`, `askgov staff add-user`).

To change the schema, add the next numbered revision to bot/db/migrations/versions and change bot/db/tables.py
to match: tests/test_db.py checks that the migrations build exactly the declared tables.
"""

from bot.db.engine import (
    DatabaseError,
    database_url,
    forget_engine,
    open_engine,
    revision,
    safe_url,
    sqlite_url,
    upgrade,
)

__all__ = [
    "DatabaseError",
    "database_url",
    "forget_engine",
    "open_engine",
    "revision",
    "safe_url",
    "sqlite_url",
    "upgrade",
]
