"""The database layer: migrations on SQLite, an older SQLite file adopted with its rows, staff users in a table."""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from typer.testing import CliRunner

from bot.cli import app
from bot.config import get_settings
from bot.db import DatabaseError, open_engine, revision, sqlite_url
from bot.db.tables import metadata
from bot.db.users import StaffUserTable
from bot.feedback import FeedbackStore
from bot.server.auth import StaffDirectory, add_user, hash_password

# The schema feedback files had before the migrations, as bot/feedback.py created it then.
OLDER_SCHEMA = """
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY, created TEXT NOT NULL, rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    question TEXT NOT NULL, answer TEXT NOT NULL, lang TEXT NOT NULL, refused INTEGER NOT NULL,
    sources TEXT NOT NULL, comment TEXT NOT NULL DEFAULT ''
);
CREATE TABLE unanswered (
    id INTEGER PRIMARY KEY, created TEXT NOT NULL, question TEXT NOT NULL, lang TEXT NOT NULL, reason TEXT NOT NULL
);
"""
PASSWORD, NEW_PASSWORD = "a long test password", "another long password"


def basic(name: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


def test_an_older_sqlite_file_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(OLDER_SCHEMA)
        db.execute(
            "INSERT INTO feedback VALUES (7, '2026-11-30T08:00:00.000000+00:00', -1, 'Who runs the hub?', "
            "'I am sorry', 'en', 1, '[\"[1] A\"]', 'no answer')"
        )
        db.execute(
            "INSERT INTO unanswered VALUES (3, '2026-11-30T09:00:00.000000+00:00', 'who runs the hub', 'en', 'x')"
        )
    db.close()

    store = FeedbackStore(path)
    [old] = store.recent_feedback()
    assert (old.id, old.rating, old.refused, old.sources, old.comment) == (7, -1, True, ["[1] A"], "no answer")
    assert [(g.count, g.refused, g.thumbs_down) for g in store.gaps()] == [(2, 1, 1)]
    assert store.add_feedback(1, "Another question", "answer", "en") == 8
    assert revision(store.engine) == "0002"
    assert [row.id for row in FeedbackStore(path).recent_feedback()] == [8, 7]


def test_the_migrations_build_the_declared_tables(tmp_path: Path) -> None:
    engine = open_engine(sqlite_url(tmp_path / "fresh.sqlite3"))
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []
    assert set(sa.inspect(engine).get_table_names()) == {"alembic_version", "feedback", "unanswered", "staff_users"}


def test_an_unreachable_database_is_named_without_its_password() -> None:
    url = "postgresql+psycopg://askgov:secret-word@127.0.0.1:9/askgov?connect_timeout=2"
    with pytest.raises(DatabaseError, match="ASKGOV_DATABASE_URL") as raised:
        open_engine(url)
    assert "secret-word" not in str(raised.value) and "127.0.0.1:9" in str(raised.value)
    with pytest.raises(DatabaseError, match="ASKGOV_DATABASE_URL 'nosuchdb://x' cannot be used"):
        open_engine("nosuchdb://x")


def test_staff_users_in_the_database_sign_in_and_a_new_password_replaces_the_old(tmp_path: Path) -> None:
    table = StaffUserTable(open_engine(sqlite_url(tmp_path / "db.sqlite3")), max_age=0)
    add_user(tmp_path / "users", "from-file", PASSWORD)
    directory = StaffDirectory(tmp_path / "users", database_users=table.users)
    assert directory.user_for_basic_header(basic("officer", PASSWORD)) is None

    assert table.put("officer", hash_password(PASSWORD)) is False
    assert set(directory.users()) == {"from-file", "officer"}
    assert directory.user_for_basic_header(basic("officer", PASSWORD)) == "officer"
    assert table.put("officer", hash_password(NEW_PASSWORD)) is True
    assert directory.user_for_basic_header(basic("officer", PASSWORD)) is None  # the remembered login is dropped
    assert directory.user_for_basic_header(basic("officer", NEW_PASSWORD)) == "officer"
    assert table.remove("officer") and not table.remove("officer")
    assert directory.user_for_basic_header(basic("officer", NEW_PASSWORD)) is None


@pytest.fixture
def database_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = sqlite_url(tmp_path / "shared.sqlite3")
    monkeypatch.setenv("ASKGOV_DATABASE_URL", url)
    monkeypatch.setenv("ASKGOV_STAFF_USERS_FILE", str(tmp_path / "staff-users"))
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_add_user_writes_to_the_database_when_one_is_set(database_env: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["staff", "add-user", "duty-officer"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "added duty-officer in sqlite:///" in result.output
    assert not (tmp_path / "staff-users").exists()
    assert set(StaffUserTable(open_engine(database_env)).users()) == {"duty-officer"}

    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0 and "at revision 0002" in result.output

    assert runner.invoke(app, ["staff", "remove-user", "duty-officer"]).exit_code == 0
    assert StaffUserTable(open_engine(database_env)).users() == {}
    again = runner.invoke(app, ["staff", "remove-user", "duty-officer"])
    assert again.exit_code == 1 and "no staff user duty-officer in sqlite:///" in again.output


def test_remove_user_without_a_database_says_where_users_are(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASKGOV_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["staff", "remove-user", "anyone"])
    get_settings.cache_clear()
    assert result.exit_code == 2 and "delete the user's line" in result.output


def test_add_user_with_a_users_file_still_writes_the_file(database_env: str, tmp_path: Path) -> None:
    users = tmp_path / "elsewhere"
    result = CliRunner().invoke(
        app, ["staff", "add-user", "clerk", "--users-file", str(users)], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0 and users.read_text().startswith("clerk:scrypt$")
    assert StaffUserTable(open_engine(database_env)).users() == {}


def test_db_copy_moves_every_row_into_an_empty_database(database_env: str, tmp_path: Path) -> None:
    older = tmp_path / "older.sqlite3"
    with sqlite3.connect(older) as db:
        db.executescript(OLDER_SCHEMA)
        db.execute("INSERT INTO feedback VALUES (5, '2026-11-30T08:00:00+00:00', 1, 'q', 'a', 'en', 0, '[]', '')")
        db.execute("INSERT INTO unanswered VALUES (9, '2026-11-30T09:00:00+00:00', 'gap', 'en', 'weak_evidence')")
    db.close()
    runner = CliRunner()

    result = runner.invoke(app, ["db", "copy", str(older)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(older) as db:  # the source is left as it was
        assert {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} == {
            "feedback",
            "unanswered",
        }
    assert "copied 1 feedback, 1 unanswered, 0 staff_users" in result.output
    store = FeedbackStore.from_settings(get_settings())
    assert [row.id for row in store.recent_feedback()] == [5] and store.gaps()[0].question == "gap"

    again = runner.invoke(app, ["db", "copy", str(older)])
    assert again.exit_code == 2 and "already has rows in feedback, unanswered" in again.output
    assert len(store.recent_feedback()) == 1  # nothing copied twice
    missing = runner.invoke(app, ["db", "copy", str(tmp_path / "nowhere.sqlite3")])
    assert missing.exit_code == 2 and "nowhere.sqlite3: no such SQLite file" in missing.output
