"""The tables, one schema for SQLite and PostgreSQL. Change them only together with a new migration."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# `created` is an ISO 8601 UTC timestamp as text: the type the first SQLite files used, which sorts by time.
feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created", sa.Text, nullable=False),
    sa.Column("rating", sa.Integer, sa.CheckConstraint("rating IN (-1, 1)"), nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("lang", sa.Text, nullable=False),
    sa.Column("refused", sa.Integer, nullable=False),
    sa.Column("sources", sa.Text, nullable=False),  # a JSON list of strings
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
)

unanswered = sa.Table(
    "unanswered",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created", sa.Text, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("lang", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

staff_users = sa.Table(
    "staff_users",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),  # scrypt$n$r$p$salt$key, as in a users file
    sa.Column("updated", sa.Text, nullable=False),
)
