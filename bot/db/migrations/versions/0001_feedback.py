"""Feedback and unanswered questions.

SQLite files written before the migrations existed already hold these two tables, with this schema: they are
kept as they are, rows included, and only stamped with this revision.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "feedback" not in existing:
        op.create_table(
            "feedback",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("created", sa.Text, nullable=False),
            sa.Column("rating", sa.Integer, sa.CheckConstraint("rating IN (-1, 1)"), nullable=False),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("answer", sa.Text, nullable=False),
            sa.Column("lang", sa.Text, nullable=False),
            sa.Column("refused", sa.Integer, nullable=False),
            sa.Column("sources", sa.Text, nullable=False),
            sa.Column("comment", sa.Text, nullable=False, server_default=""),
        )
    if "unanswered" not in existing:
        op.create_table(
            "unanswered",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("created", sa.Text, nullable=False),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("lang", sa.Text, nullable=False),
            sa.Column("reason", sa.Text, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("unanswered")
    op.drop_table("feedback")
