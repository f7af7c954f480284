"""Copying the app's rows from one database to another: an SQLite file's feedback and staff users into
PostgreSQL when one process becomes several (`askgov db copy`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.db.engine import DatabaseError
from bot.db.tables import feedback, staff_users, unanswered

TABLES = (feedback, unanswered, staff_users)


def copy_rows(source: Engine, target: Engine) -> dict[str, int]:
    """Copy every row of the app's tables, ids included, in one transaction; the target's tables must be empty
    so that nothing is copied twice. The source is only read: a table it lacks (an older file) counts as empty.
    Returns the number of rows per table."""
    try:
        present = set(sa.inspect(source).get_table_names())
    except SQLAlchemyError as error:
        raise DatabaseError(f"cannot read {source.url}: {getattr(error, 'orig', None) or error}") from error
    with target.begin() as out:
        filled = [table.name for table in TABLES if out.execute(sa.select(sa.func.count()).select_from(table)).scalar()]
        if filled:
            raise DatabaseError(f"{target.url} already has rows in {', '.join(filled)}: copy only into empty tables")
        counts = {}
        with source.connect() as read:
            for table in TABLES:
                rows = [dict(row._mapping) for row in read.execute(sa.select(table))] if table.name in present else []
                if rows:
                    out.execute(sa.insert(table), rows)
                counts[table.name] = len(rows)
        if out.dialect.name == "postgresql":  # explicit ids leave the id sequences behind: move them past the rows
            for table in (feedback, unanswered):
                out.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"
                    )
                )
    return counts
