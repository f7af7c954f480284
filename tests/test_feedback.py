"""The feedback store: ratings and unanswered questions, redacted, grouped into gaps."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.feedback import FeedbackStore, normalise

PERSONAL = {"hkid": "A123456(7)", "phone": "9123 4567", "email": "chan.tai.man@example.com"}


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "data" / "feedback.sqlite3")


def test_feedback_is_stored_without_personal_data(store: FeedbackStore) -> None:
    question = f"My HKID is {PERSONAL['hkid']}, call me on {PERSONAL['phone']}: how much is the subsidy?"
    feedback_id = store.add_feedback(
        1, question, "HK$3 billion [1].", "en", sources=["[1] Subsidy scheme"], comment=f"write to {PERSONAL['email']}"
    )
    store.log_unanswered(f"email {PERSONAL['email']} about my case", "en", "weak_evidence")

    [row] = store.recent_feedback()
    assert row.id == feedback_id and row.rating == 1 and row.sources == ["[1] Subsidy scheme"]
    assert "[HKID]" in row.question and "[PHONE]" in row.question and "[EMAIL]" in row.comment
    raw = store.path.read_bytes()
    for value in PERSONAL.values():
        assert value.encode() not in raw, f"{value} reached the database file"


def test_comment_is_added_to_an_existing_rating(store: FeedbackStore) -> None:
    feedback_id = store.add_feedback(-1, "When does the rollout start?", "I'm sorry ...", "en", refused=True)
    store.set_comment(feedback_id, "The answer did not say when; phone 6123 4567")
    [row] = store.recent_feedback()
    assert row.comment == "The answer did not say when; phone [PHONE]" and row.refused
    with pytest.raises(KeyError, match="no feedback with id"):
        store.set_comment(feedback_id + 1, "x")


@pytest.mark.parametrize("rating", [0, 2, -2])
def test_rating_must_be_up_or_down(store: FeedbackStore, rating: int) -> None:
    with pytest.raises(ValueError, match="rating must be"):
        store.add_feedback(rating, "question", "answer", "en")


def test_gaps_group_variants_and_rank_by_frequency(store: FeedbackStore) -> None:
    store.log_unanswered("What is the MTR fare?", "en", "weak_evidence")
    store.log_unanswered("what is the  MTR fare", "en", "weak_evidence")
    store.add_feedback(-1, "What is the MTR fare?!", "I'm sorry ...", "en", refused=True)
    store.add_feedback(1, "What is the MTR fare?", "...", "en")  # a thumbs-up is not a gap
    store.log_unanswered("天氣點樣？", "zh-Hant", "weak_evidence")

    gaps = store.gaps()
    assert [(g.count, g.refused, g.thumbs_down) for g in gaps] == [(3, 2, 1), (1, 1, 0)]
    assert gaps[0].question == "What is the MTR fare?!"  # the latest wording
    assert gaps[1].lang == "zh-Hant"


def test_normalise_folds_width_case_and_punctuation() -> None:
    assert normalise("ＡＩ  Subsidy？") == normalise("ai subsidy") == "ai subsidy"
    assert normalise("數碼港超算中心？") == "數碼港超算中心"


def test_store_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    FeedbackStore(path).add_feedback(1, "q", "a", "en")
    assert len(FeedbackStore(path).recent_feedback()) == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM feedback").fetchone() == (1,)
