"""Choosing the refusal thresholds (`bot.answer.chain.Thresholds`) on the dev split: `askgov calibrate`.

The chain runs once per item with both thresholds off. Each result gives the two numbers the chain compares
with the thresholds (the best dense score of the passages, and the question's coverage by the first three),
so every point of the grid is scored without running the chain again: at (d, c) an item is declined when it
was declined anyway (guard, nothing to cite) or when its best dense score is below d or its coverage below c.
The product's targets (issue 4) are answer accuracy 85% and refusal recall 90%. The point with the highest
min(accuracy / 0.85, refusal / 0.90) wins: below the targets it is the one nearest to both, above them the one
with most room on both. Taking the most correct answers among the points on target would push dev's refusal
recall down to exactly 90%, and dev overstates refusals elsewhere (the refusal checks were written from dev's
failures). Ties go to the better other figure, then to the lower thresholds. Same data, same embedder -> same
choice: nothing here is random.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot import metrics
from bot.answer.chain import Assistant, Thresholds, inverse_document_frequencies, question_coverage
from bot.baselines import AssistantSystem
from bot.qaset import QAItem

DENSE_GRID = tuple(round(0.025 * i, 3) for i in range(0, 33))  # 0 .. 0.8
COVERAGE_GRID = tuple(round(0.05 * i, 2) for i in range(0, 21))  # 0 .. 1.0
ANSWER_TARGET = 0.85  # answerable items answered with every key fact (issue 4)
REFUSAL_TARGET = 0.90  # items to decline that are declined (issue 4)
OFF = Thresholds(min_dense_score=-1.0, min_coverage=0.0)  # cosine similarity is never below -1


@dataclass(frozen=True)
class Evidence:
    """What decides one item's refusal, measured with the thresholds off."""

    id: str
    should_refuse: bool
    declined_anyway: bool
    best_dense: float
    coverage: float
    correct_if_answered: bool


@dataclass(frozen=True)
class Choice:
    min_dense_score: float
    min_coverage: float
    balanced_accuracy: float
    answer_rate: float  # answerable items answered
    refusal_rate: float  # unanswerable items declined
    correct: int  # answerable items answered with every key fact


def collect(assistant: Assistant, items: Sequence[QAItem]) -> list[Evidence]:
    """Run each item through the chain with the thresholds off and keep what the thresholds would see."""
    if not any(item.expect == "refuse" for item in items) or not any(item.expect == "answer" for item in items):
        raise ValueError("calibration needs answerable and unanswerable items")
    assistant.thresholds = OFF
    system = AssistantSystem("calibration", assistant)
    idf = inverse_document_frequencies(assistant.retriever.keywords.passages)
    found = []
    for item in items:
        outcome = system.run(item)
        result = system.last_result
        passages = result.passages if result else []
        found.append(Evidence(
            id=item.id, should_refuse=item.expect == "refuse", declined_anyway=outcome.refused or not passages,
            best_dense=max((p.dense_score for p in passages), default=-1.0),
            coverage=question_coverage(result.standalone_question, passages[:3], idf) if passages else 0.0,
            correct_if_answered=metrics.has_all_facts(outcome.answer, item.alternatives()),
        ))
    return found


def declined(evidence: Evidence, min_dense_score: float, min_coverage: float) -> bool:
    return evidence.declined_anyway or evidence.best_dense < min_dense_score or evidence.coverage < min_coverage


def score(evidence: Sequence[Evidence], min_dense_score: float, min_coverage: float) -> Choice:
    refused = [declined(e, min_dense_score, min_coverage) for e in evidence]
    expected = [e.should_refuse for e in evidence]
    answerable = [not r for e, r in zip(evidence, refused) if not e.should_refuse]
    unanswerable = [r for e, r in zip(evidence, refused) if e.should_refuse]
    correct = sum(e.correct_if_answered and not r for e, r in zip(evidence, refused) if not e.should_refuse)
    return Choice(min_dense_score, min_coverage, metrics.balanced_accuracy(expected, refused) or 0.0,
                  sum(answerable) / len(answerable), sum(unanswerable) / len(unanswerable), correct)


def best(evidence: Sequence[Evidence], dense_grid: Sequence[float] = DENSE_GRID,
         coverage_grid: Sequence[float] = COVERAGE_GRID, answer_target: float = ANSWER_TARGET,
         refusal_target: float = REFUSAL_TARGET) -> Choice:
    """The point whose worse figure, as a share of its target, is highest (then whose other figure is)."""
    answerable = max(sum(not e.should_refuse for e in evidence), 1)

    def shares(ch: Choice) -> tuple[float, float]:
        """Each figure as a share of its target, worse first (rounded: float noise must not break ties)."""
        worse, better = sorted((ch.correct / answerable / answer_target, ch.refusal_rate / refusal_target))
        return round(worse, 9), round(better, 9)

    scored = [score(evidence, d, c) for d in dense_grid for c in coverage_grid]
    return max(scored, key=lambda ch: (*shares(ch), ch.correct, -ch.min_dense_score, -ch.min_coverage))


def _describe(grid: Sequence[float]) -> str:
    return f"{grid[0]} to {grid[-1]} by {round(grid[1] - grid[0], 3)}"


def write(path: Path, choice: Choice, embedder: str, split: str, items: int) -> dict:
    """Write the thresholds (read by `Thresholds.load`) with how they were chosen; no timestamp, so reruns diff clean."""
    record = {
        "min_dense_score": choice.min_dense_score,
        "min_coverage": choice.min_coverage,
        "embedder": embedder,
        "split": split,
        "items": items,
        "balanced_accuracy": round(choice.balanced_accuracy, 4),
        "answer_rate": round(choice.answer_rate, 4),
        "refusal_rate": round(choice.refusal_rate, 4),
        "correct_answers": choice.correct,
        "grid": {"min_dense_score": _describe(DENSE_GRID), "min_coverage": _describe(COVERAGE_GRID)},
        "command": f"askgov calibrate --split {split}",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record
