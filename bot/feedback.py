"""Citizens' ratings of answers and the questions the assistant could not answer, in the app's database.

The database is SQLite (ASKGOV_FEEDBACK_DB) or PostgreSQL (ASKGOV_DATABASE_URL), shared by every app process:
see bot/db. Everything is redacted (HKID, phone, email) before it is written: the database never holds personal
data that `bot.safety.redact` recognises. Unanswered questions are grouped by a normalised form so the staff
console can show the most frequent gaps in the documents.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from bot.config import Settings
from bot.db import forget_engine, open_engine, sqlite_url
from bot.db.tables import feedback, unanswered
from bot.safety import redact

MAX_TEXT = 4000  # longer questions, answers and comments are cut: the store is for reading, not archiving


@dataclass(frozen=True)
class FeedbackRow:
    id: int
    created: str
    rating: int
    question: str
    answer: str
    lang: str
    refused: bool
    sources: list[str]
    comment: str


@dataclass(frozen=True)
class Gap:
    """A question (in its most recent wording) that was refused or rated down, and how often."""

    question: str
    count: int
    refused: int
    thumbs_down: int
    last_seen: str
    lang: str


def normalise(question: str) -> str:
    """Fold width, case, punctuation and spacing so small variations of a question group together."""
    folded = unicodedata.normalize("NFKC", question).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())


def _clean(text: str) -> str:
    return redact(text.strip())[:MAX_TEXT]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


class FeedbackStore:
    """Feedback and unanswered questions in the SQLite file `path`, or in the database at `database_url`."""

    def __init__(self, path: Path, database_url: str = "") -> None:
        self.path = path
        self.url = database_url or sqlite_url(path)
        self.engine = open_engine(self.url)

    def close(self) -> None:
        """Let go of the database: the next store on the same URL opens it afresh."""
        forget_engine(self.url)

    @classmethod
    def from_settings(cls, settings: Settings) -> "FeedbackStore":
        return cls(settings.feedback_db, settings.database_url.get_secret_value())

    def add_feedback(
        self,
        rating: int,
        question: str,
        answer: str,
        lang: str,
        refused: bool = False,
        sources: list[str] | None = None,
        comment: str = "",
    ) -> int:
        if rating not in (-1, 1):
            raise ValueError(f"rating must be 1 (helpful) or -1 (not helpful), not {rating!r}")
        if not question.strip():
            raise ValueError("question is empty")
        row = {
            "created": _now(),
            "rating": rating,
            "question": _clean(question),
            "answer": _clean(answer),
            "lang": lang,
            "refused": int(refused),
            "sources": json.dumps([_clean(s) for s in sources or []], ensure_ascii=False),
            "comment": _clean(comment),
        }
        with self.engine.begin() as db:
            return int(db.execute(sa.insert(feedback).values(row)).inserted_primary_key[0])

    def set_comment(self, feedback_id: int, comment: str) -> None:
        with self.engine.begin() as db:
            changed = db.execute(
                sa.update(feedback).where(feedback.c.id == feedback_id).values(comment=_clean(comment))
            ).rowcount
        if not changed:
            raise KeyError(f"no feedback with id {feedback_id}")

    def log_unanswered(self, question: str, lang: str, reason: str) -> None:
        cleaned = _clean(question)
        if not cleaned:
            return
        with self.engine.begin() as db:
            db.execute(sa.insert(unanswered).values(created=_now(), question=cleaned, lang=lang, reason=reason))

    def recent_feedback(self, limit: int = 200) -> list[FeedbackRow]:
        columns = [feedback.c[name] for name in FeedbackRow.__dataclass_fields__]
        with self.engine.connect() as db:
            rows = db.execute(sa.select(*columns).order_by(feedback.c.id.desc()).limit(limit)).all()
        return [FeedbackRow(*row[:6], bool(row[6]), json.loads(row[7]), row[8]) for row in rows]

    def gaps(self, limit: int = 50) -> list[Gap]:
        """The most frequent refused or thumbs-down questions: most frequent first, then most recent."""
        u, f = unanswered.c, feedback.c
        with self.engine.connect() as db:
            refused = db.execute(sa.select(u.created, u.question, u.lang, sa.literal(1), sa.literal(0))).all()
            rated_down = db.execute(
                sa.select(f.created, f.question, f.lang, sa.literal(0), sa.literal(1)).where(f.rating == -1)
            ).all()
        grouped: dict[str, dict] = {}
        for created, question, lang, was_refused, was_down in sorted(refused + rated_down, key=lambda e: e[0]):
            entry = grouped.setdefault(normalise(question), {"count": 0, "refused": 0, "down": 0})
            entry.update(question=question, last_seen=created, lang=lang)  # the latest wording wins
            entry["count"] += 1
            entry["refused"] += was_refused
            entry["down"] += was_down
        ranked = sorted(grouped.values(), key=lambda e: (e["count"], e["last_seen"]), reverse=True)
        return [
            Gap(e["question"], e["count"], e["refused"], e["down"], e["last_seen"], e["lang"]) for e in ranked[:limit]
        ]
