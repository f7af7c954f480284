"""Opening the database: the URL from the settings, one engine per URL and process, migrations applied once."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.config import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
# PostgreSQL advisory lock held while migrating: app processes that start together take turns, and all but the
# first find the schema up to date.
MIGRATION_LOCK = 0x41534B47  # "ASKG"


class DatabaseError(RuntimeError):
    """The database cannot be reached, or its URL is not usable; the message names the setting."""


def sqlite_url(path: Path) -> str:
    return sa.URL.create("sqlite", database=str(path)).render_as_string()


def database_url(settings: Settings) -> str:
    """ASKGOV_DATABASE_URL, or the SQLite file ASKGOV_FEEDBACK_DB."""
    return settings.database_url.get_secret_value() or sqlite_url(settings.feedback_db)


def safe_url(url: str) -> str:
    """The URL with its password masked, for messages and logs."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def open_engine(url: str) -> Engine:
    """An engine on `url` with the schema brought up to date. One per URL and process, shared by its users."""
    with _ENGINES_LOCK:
        if url not in _ENGINES:
            _ENGINES[url] = _upgraded(url)
        return _ENGINES[url]


def forget_engine(url: str) -> None:
    """Drop the shared engine on `url`, so the next open starts afresh: after a failure, a deleted SQLite file is
    made anew with its schema."""
    with _ENGINES_LOCK:
        engine = _ENGINES.pop(url, None)
    if engine is not None:
        engine.dispose()


def _upgraded(url: str) -> Engine:
    engine = _create(url)
    try:
        upgrade(engine)
    except SQLAlchemyError as error:
        engine.dispose()
        detail = str(getattr(error, "orig", None) or error).strip()  # the driver's words, without SQLAlchemy's link
        raise DatabaseError(f"cannot open the database {safe_url(url)} (ASKGOV_DATABASE_URL): {detail}") from error
    return engine


def read_engine(url: str) -> Engine:
    """An engine on `url` that leaves the schema as it is, e.g. to copy rows out of an older file."""
    return _create(url)


def _create(url: str) -> Engine:
    try:
        parsed = sa.make_url(url)
        if parsed.get_backend_name() != "sqlite":
            # pre_ping: a server restarted since the connection was pooled costs a reconnect, not a failed request
            return sa.create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, ImportError) as error:  # ImportError: no driver installed for that database
        raise DatabaseError(f"ASKGOV_DATABASE_URL '{safe_url(url)}' cannot be used: {error}") from error
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # The web server writes from several threads; SQLite serialises writers itself and waits up to `timeout`.
    return sa.create_engine(parsed, connect_args={"timeout": 10, "check_same_thread": False})


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, target: str = "head") -> None:
    """Apply the migrations up to `target`. A SQLite file from before the migrations keeps its rows."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, target)


def revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
