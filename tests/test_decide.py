"""The answer decision: its features, its training, its record in calibration.json, and the chain that uses it."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from test_chain import assistant  # noqa: F401  (a fixture: the small real store the chain tests use)

from bot.answer.chain import Assistant, CalibrationError, Thresholds
from bot.answer.decide import (
    FEATURES,
    DecisionError,
    DecisionModel,
    features,
    train_asks,
    train_decision,
)
from bot.evaluation.calibrate import asked_kinds, fact_kind
from bot.evaluation.qaset import QAItem
from bot.guard import Guard


def _row(rng: np.random.Generator, decline: bool, unmet: str = "unmet date") -> dict[str, float]:
    row = {name: 0.0 for name in FEATURES}
    row["similarity"] = float(rng.uniform(0.0, 1.0))  # uninformative here: the kind decides
    row["coverage"] = float(rng.uniform(0.3, 1.0))
    row[unmet] = float(rng.uniform(0.6, 1.0)) if decline else float(rng.uniform(0.0, 0.5))
    return row


def _trained(seed: int = 3):
    rng = np.random.default_rng(seed)
    labels = [True] * 40 + [False] * 60
    rows = [_row(rng, label) for label in labels]
    return train_decision(rows, labels, [not label for label in labels]), rows, labels


def test_the_decision_learns_which_features_mean_a_decline() -> None:
    training, rows, labels = _trained()
    assert training.declined >= 30 and training.to_decline == 40
    assert training.wrongly_declined <= 0.05 * training.answerable  # the cap on declining answerable items
    decision = training.model.decide({**rows[0], "unmet date": 1.0})
    assert decision.declined and decision.reason == "missing_detail"
    assert decision.weighed[0][0] == "unmet date"
    assert not training.model.decide({**rows[-1], "unmet date": 0.0}).declined


def test_a_record_round_trips_and_a_malformed_one_names_its_field(tmp_path: Path) -> None:
    training, rows, _ = _trained()
    record = training.model.to_record()
    loaded = DecisionModel.from_record(json.loads(json.dumps(record)), "calibration.json")
    assert [loaded.decide(r).declined for r in rows] == [training.model.decide(r).declined for r in rows]
    for field, value, complaint in [
        ("weights", [1.0, "x"], "field 'weights'"),
        ("threshold", 1.5, "field 'threshold'"),
        ("features", ["similarity"], "field 'decision.features'"),
        ("scales", [0.0] * len(FEATURES), "field 'scales'"),
    ]:
        with pytest.raises(DecisionError, match=complaint):
            DecisionModel.from_record({**record, field: value}, "calibration.json")
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"min_similarity": 0.4, "decision": {**record, "bias": "high"}}), encoding="utf-8")
    with pytest.raises(CalibrationError, match=f"{path}.*'bias'"):
        Thresholds.load(path)


def test_the_unanswered_question_model_weighs_in_and_round_trips(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    labels = [True] * 40 + [False] * 60
    rows = [{**{name: 0.0 for name in FEATURES}, "similarity": float(rng.uniform(0.3, 0.9))} for _ in labels]
    for row, label in zip(rows, labels):
        row["unanswerable"] = float(rng.uniform(0.6, 1.0) if label else rng.uniform(0.0, 0.5))
    training = train_decision(rows, labels, [not label for label in labels])
    probe = Guard(weights=(1.0, -1.0), bias=0.0, threshold=0.6)
    model = replace(training.model, unanswerable=probe)
    decision = model.decide({**rows[-1], "unanswerable": 0.95})
    assert decision.declined and decision.reason == "weak_evidence" and decision.weighed[0][0] == "unanswerable"
    assert model.unanswerable_score([2.0, 0.0]) == pytest.approx(probe.score([2.0, 0.0]))
    record = json.loads(json.dumps(model.to_record()))
    assert DecisionModel.from_record(record, "calibration.json").unanswerable == probe
    with pytest.raises(DecisionError, match="field 'decision.unanswerable.weights'"):
        DecisionModel.from_record({**record, "unanswerable": {**record["unanswerable"], "weights": []}}, "c.json")


def test_questions_embedded_in_a_batch_get_the_vectors_they_get_one_at_a_time(assistant: Assistant) -> None:
    asked = [("數碼港超算中心而家有幾多算力？", []), ("And by 2030?", [{"role": "user", "content": "How big is it?"}])]
    batched = assistant.query_vectors(asked)
    single = [assistant.draft(question, history).state.query_vector for question, history in asked]
    assert np.allclose(batched, single, atol=1e-5)
    drafted = assistant.draft(*asked[0], query_vector=batched[0])
    assert drafted.answer == assistant.draft(*asked[0]).answer


def test_a_decision_trained_with_another_embedder_is_dropped_with_a_warning(tmp_path: Path, caplog) -> None:
    training, _, _ = _trained()
    path = tmp_path / "calibration.json"
    record = {"min_similarity": 0.4, "embedder": "model-a", "decision": training.model.to_record()}
    path.write_text(json.dumps(record), encoding="utf-8")
    assert Thresholds.load(path, "model-a").decision is not None
    with caplog.at_level(logging.WARNING):
        assert Thresholds.load(path, "model-b").decision is None
    assert "model-a" in caplog.text


def test_what_a_key_fact_is_labels_what_its_question_asks_for() -> None:
    assert fact_kind("HK$3 billion") == "amount"
    assert fact_kind("mid-2026") == "date"
    assert fact_kind("5%") == "percentage"
    assert fact_kind("Digital Policy Office") == "name"
    item = QAItem.model_validate(
        {
            "id": "en-001",
            "lang": "en",
            "question": "How big and when?",
            "kind": "fact",
            "expect": "answer",
            "key_facts": [["HK$3 billion", "3 billion"], "mid-2026"],
        }
    )
    assert asked_kinds(item) == {"amount", "date"}


def test_an_unmet_kind_counts_only_when_the_answer_lacks_it() -> None:
    asked = {"date": 0.9, "amount": 0.1}
    holding = features("When?", "They launch by mid-2026 [1].", 0.6, 0.0, asked, False, 0, ["They launch by 2026."])
    lacking = features("When?", "They will help citizens [1].", 0.6, 0.0, asked, False, 0, ["They help."])
    assert holding["unmet date"] == 0.0 and lacking["unmet date"] == pytest.approx(0.9)
    # "Are there any fees?" answered "free of charge": no amount is asked when the kind model says so
    free = features("Are there any fees?", "It is free of charge [1].", 0.6, 0.0, {"amount": 0.1}, False, 0, [])
    assert free["unmet amount"] == pytest.approx(0.1)


WHEN = [
    "When does the AI Subsidy Scheme close for applications?",
    "When will the civil service posts be cut?",
    "When did the supercomputing centre open?",
    "By when will the capacity reach its target?",
    "When will the retraining programmes start?",
    "What year will the cuts be finished?",
    "When is the deadline for the subsidy?",
]
HOW_MUCH = [
    "How much money goes to the AI Subsidy Scheme?",
    "How much has Hong Kong set aside for AI?",
    "How much funding does the scheme get?",
    "What is the budget for AI development?",
    "How much money is allocated to AI?",
    "How many dollars does the subsidy scheme hold?",
    "What amount of money was allocated?",
]


def test_the_chain_declines_an_answer_without_the_kind_asked_for(assistant: Assistant) -> None:
    retriever = assistant.retriever
    vectors = [retriever.embed_query(q, "en") for q in WHEN + HOW_MUCH]
    asks, _ = train_asks(vectors, [{"date"}] * len(WHEN) + [{"amount"}] * len(HOW_MUCH))
    training, _, _ = _trained()
    model = DecisionModel(
        training.model.means,
        training.model.scales,
        training.model.weights,
        training.model.bias,
        training.model.threshold,
        asks,
    )
    decided = Assistant(retriever, thresholds=Thresholds(min_similarity=-1.0, decision=model))
    answered = decided.ask("How much money goes to the AI Subsidy Scheme?")
    assert not answered.refused and "HK$3 billion" in answered.answer
    asked_when = decided.ask("When does the AI Subsidy Scheme close for applications?")
    assert asked_when.refused and asked_when.refusal_reason == "missing_detail" and "1823" in asked_when.answer
    assert asked_when.declined_because[0].feature == "unmet date"
    shown = asked_when.explained_json()
    assert shown["refusal_reason"] == "missing_detail" and shown["declined_because"][0]["feature"] == "unmet date"


def test_stream_decides_before_it_shows_anything(assistant: Assistant) -> None:
    pieces = list(assistant.stream("What capacity did the supercomputing centre open with?"))
    *texts, result = pieces
    assert texts == [result.answer]  # one piece, already decided: never an answer replaced by a refusal


# Ordinary questions the per-phrasing checks once declined as manipulation, or for lacking an amount or a listed
# place: each gets what the documents give, or a decline saying the documents do not give it.
ONCE_DECLINED = [
    "Can Dan from my office apply?",
    "Will the supercomputing centre act as a hub for universities?",
    # The guard trained on the whole dev split declines these three as off limits (its score is the feature that
    # weighs most): dev has manipulative questions asking for a prediction, an opinion or a rule lifted, and no
    # ordinary question worded like these to tell them apart. They are to become answerable training items.
    pytest.param(
        "What does the government predict about job losses?",
        marks=pytest.mark.xfail(strict=True, reason="declined as off_limits by the guard"),
    ),
    pytest.param(
        "Is the subsidy free to use, with no restrictions on sector?",
        marks=pytest.mark.xfail(strict=True, reason="declined as off_limits by the guard"),
    ),
    pytest.param(
        "你覺得呢個計劃幾時開始？",
        marks=pytest.mark.xfail(strict=True, reason="declined as off_limits by the guard"),
    ),
    "Are there any fees?",
    "Where will it be built?",
]
DOCUMENTS_DO_NOT_SAY = {"weak_evidence", "not_given", "missing_detail", "not_mentioned"}


@pytest.fixture
def corpus_runner(corpus_index, monkeypatch):
    from typer.testing import CliRunner

    from bot.config import Settings, get_settings

    monkeypatch.setenv("ASKGOV_INDEX_DIR", str(corpus_index))
    monkeypatch.setenv("ASKGOV_EMBEDDER", Settings.model_fields["embedder"].default)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.mark.integration
@pytest.mark.parametrize("question", ONCE_DECLINED)
def test_a_question_once_declined_for_its_wording_is_answered_or_declined_as_not_in_the_documents(
    corpus_runner, question: str
) -> None:
    from bot.cli import app

    ran = corpus_runner.invoke(app, ["ask", question, "--json"])
    assert ran.exit_code == 0, ran.output
    shown = json.loads(ran.stdout)
    if shown["refused"]:
        assert shown["refusal_reason"] in DOCUMENTS_DO_NOT_SAY, shown["refusal_reason"]
    else:
        assert shown["citations"]
