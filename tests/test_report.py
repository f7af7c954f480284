"""The evaluation report: three files, a self-contained HTML page, and deltas against a previous run."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

import pytest

from bot.evaluation.baselines import Outcome
from bot.evaluation.evaluate import figures, score_item
from bot.evaluation.qaset import QAItem
from bot.evaluation.report import compare, compare_table, different_items, load_previous, summary_table, write_reports

GROUPS = {"funding-en": "funding-en"}


def _record(answers: dict[str, str]) -> dict:
    """A run of one system per answer text over the same two items (one answerable, one to decline)."""
    answerable = QAItem(
        id="en-001",
        lang="en",
        question="How much is the AI fund?",
        kind="fact",
        expect="answer",
        gold_doc_ids=["funding-en"],
        key_facts=[["HK$14 billion"]],
    )
    unanswerable = QAItem(
        id="en-002", lang="en", question="What is the MPF rate?", kind="unanswerable", expect="refuse"
    )
    systems = {}
    for name, answer in answers.items():
        outcome = Outcome(
            answer=answer,
            refused=False,
            total_ms=20.0,
            ranked=["funding-en"],
            snippets={1: answer.replace(" [1]", "")},
            retrieve_ms=5.0,
            first_token_ms=20.0,
        )
        refusal = Outcome(answer="The documents do not cover that.", refused=True, total_ms=3.0)
        scored = [score_item(answerable, outcome, GROUPS), score_item(unanswerable, refusal, GROUPS)]
        systems[name] = {"figures": figures(scored), "items": [asdict(s) for s in scored]}
    meta = {
        "split": "dev",
        "items": 2,
        "limit": None,
        "backends": ["extractive"],
        "embedder": "test",
        "search_k": 5,
        "thresholds": {},
        "chunks": 1,
        "seconds": 0.1,
        "main": next(iter(answers)),
    }
    return {"meta": meta, "systems": systems}


def test_reports_are_written_and_the_html_needs_no_other_file(tmp_path: Path) -> None:
    record = _record({"assistant": "The fund is HK$14 billion. [1]", "naive-langchain": "It is HK$3 billion. [1]"})
    paths = write_reports(record, tmp_path / "out")
    assert sorted(p.name for p in paths.values()) == ["report.html", "report.json", "report.md"]
    page = paths["html"].read_text(encoding="utf-8")
    assert len(re.findall(r"<img [^>]*src='data:image/png;base64,", page)) >= 3  # accuracy, latency, baselines
    assert not re.search(r"(src|href)=['\"](?!data:)", page)
    markdown = paths["md"].read_text(encoding="utf-8")
    assert "## Summary" in markdown and "failing items (0 of 2)" in markdown
    assert (
        json.loads(paths["json"].read_text(encoding="utf-8"))["systems"]["assistant"]["figures"]["all"][
            "answer_accuracy"
        ]
        == 1.0
    )


def test_summary_shows_the_gain_over_a_baseline_as_a_ratio() -> None:
    record = _record({"assistant": "The fund is HK$14 billion. [1]", "naive-langchain": "It is HK$3 billion. [1]"})
    headers, rows = summary_table(record)
    assert headers == ["figure", "assistant", "naive-langchain", "assistant / naive-langchain"]
    pass_rate = next(row for row in rows if row[0] == "pass_rate")
    assert pass_rate == ["pass_rate", "1.000", "0.500", "2.00×"]


def test_compare_reports_each_change_against_the_previous_run(tmp_path: Path) -> None:
    before = _record({"assistant": "It is HK$3 billion. [1]"})
    now = _record({"assistant": "The fund is HK$14 billion. [1]"})
    deltas = compare(now, before)
    assert deltas["assistant"]["all"]["answer_accuracy"] == {"before": 0.0, "now": 1.0, "delta": 1.0}
    assert "recall@5" not in {name for name, d in deltas["assistant"]["all"].items() if d["delta"]}
    paths = write_reports(now, tmp_path, previous=before)
    assert "Change against the previous run" in paths["md"].read_text(encoding="utf-8")
    assert "compare" in json.loads(paths["json"].read_text(encoding="utf-8"))


def test_a_file_that_is_not_a_report_is_refused_with_its_name(tmp_path: Path) -> None:
    wrong = tmp_path / "other.json"
    wrong.write_text('{"figures": {}}', encoding="utf-8")
    with pytest.raises(ValueError, match="other.json"):
        load_previous(wrong)


def test_compare_warns_when_the_runs_scored_different_items() -> None:
    before = _record({"assistant": "It is HK$3 billion. [1]"})
    now = _record({"assistant": "The fund is HK$14 billion. [1]"})
    assert different_items(now, before) == ""
    now["systems"]["assistant"]["items"][0]["id"] = "en-999"
    assert "1 only now, 1 only before" in different_items(now, before)
    headers, rows = compare_table(compare(now, before), "assistant")
    assert ["all", "answer_accuracy", "0.000", "1.000", "+1.000"] in rows


def test_the_shape_of_answers_is_shown_with_lengths_in_whole_characters() -> None:
    record = _record(
        {"assistant": "The fund is HK$14 billion. [1]", "naive-langchain": "It opened. It is HK$14 billion. [1]"}
    )
    rows = {row[0]: row[1:] for row in summary_table(record)[1]}
    assert rows["lead_accuracy"][:2] == ["1.000", "0.000"]
    assert rows["answer_chars.p50"][:2] == [
        str(len("The fund is HK$14 billion.")),
        str(len("It opened. It is HK$14 billion.")),
    ]
    assert rows["sources.p90"][:2] == ["1.0", "1.0"]
    _, changes = compare_table(
        compare(record, _record({"assistant": "It opened. It is HK$14 billion. [1]"})), "assistant"
    )
    assert ["all", "answer_chars.p50", "31", "26", "-5"] in changes  # shorter is no change for the worse
