"""Citizens' ratings of answers and the questions the assistant could not answer, in SQLite.

Everything is redacted (HKID, phone, email) before it is written: the database never holds personal data
that `bot.safety.redact` recognises. Unanswered questions are grouped by a normalised form so the staff
console can show the most frequent gaps in the documents.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bot.safety import redact

MAX_TEXT = 4000  # longer questions, answers and comments are cut: the store is for reading, not archiving

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    created TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    lang TEXT NOT NULL,
    refused INTEGER NOT NULL,
    sources TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS unanswered (
    id INTEGER PRIMARY KEY,
    created TEXT NOT NULL,
    question TEXT NOT NULL,
    lang TEXT NOT NULL,
    reason TEXT NOT NULL
);
"""


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
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per call: the web server calls from several threads.
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()

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
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created, rating, question, answer, lang, refused, sources, comment) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _now(),
                    rating,
                    _clean(question),
                    _clean(answer),
                    lang,
                    int(refused),
                    json.dumps([_clean(s) for s in sources or []], ensure_ascii=False),
                    _clean(comment),
                ),
            )
            return int(cursor.lastrowid)

    def set_comment(self, feedback_id: int, comment: str) -> None:
        with self._connect() as db:
            changed = db.execute(
                "UPDATE feedback SET comment = ? WHERE id = ?", (_clean(comment), feedback_id)
            ).rowcount
        if not changed:
            raise KeyError(f"no feedback with id {feedback_id}")

    def log_unanswered(self, question: str, lang: str, reason: str) -> None:
        cleaned = _clean(question)
        if not cleaned:
            return
        with self._connect() as db:
            db.execute(
                "INSERT INTO unanswered (created, question, lang, reason) VALUES (?, ?, ?, ?)",
                (_now(), cleaned, lang, reason),
            )

    def recent_feedback(self, limit: int = 200) -> list[FeedbackRow]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, created, rating, question, answer, lang, refused, sources, comment "
                "FROM feedback ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [FeedbackRow(*row[:6], bool(row[6]), json.loads(row[7]), row[8]) for row in rows]

    def gaps(self, limit: int = 50) -> list[Gap]:
        """The most frequent refused or thumbs-down questions: most frequent first, then most recent."""
        with self._connect() as db:
            refused = db.execute("SELECT created, question, lang, 1, 0 FROM unanswered").fetchall()
            rated_down = db.execute("SELECT created, question, lang, 0, 1 FROM feedback WHERE rating = -1").fetchall()
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
