"""Choosing the refusal threshold (`bot.answer.chain.Thresholds`) on the dev split: `askgov calibrate`.

The chain runs once per item with the threshold off. Each result gives the number the chain compares with the
threshold (how close in meaning the retrieved text comes to the question, `AnswerResult.evidence`), so every
point of the grid is scored without running the chain again: at s an item is declined when it was declined
anyway (guard, nothing to cite) or when its evidence is below s.
The product's targets (issue 4) are answer accuracy 85% and refusal recall 90%. The point with the highest
min(accuracy / 0.85, refusal / 0.90) wins: below the targets it is the one nearest to both, above them the one
with most room on both. Taking the most correct answers among the points on target would push dev's refusal
recall down to exactly 90%, and dev overstates refusals elsewhere (the refusal checks were written from dev's
failures). Ties go to the better other figure, then to the lower threshold. Same data, same embedder -> same
choice: nothing here is random.

Before the threshold, the learned manipulation check (`bot.guard`) is trained on the same items, and the chain
runs with it on: what it declines is declined whatever the threshold.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.answer.chain import Assistant, Thresholds
from bot.evaluation import metrics
from bot.evaluation.baselines import AssistantSystem
from bot.evaluation.qaset import QAItem
from bot.guard import Guard, Training, train

SIMILARITY_GRID = tuple(round(0.025 * i, 3) for i in range(0, 33))  # 0 .. 0.8
ANSWER_TARGET = 0.85  # answerable items answered with every key fact (issue 4)
REFUSAL_TARGET = 0.90  # items to decline that are declined (issue 4)
OFF = Thresholds(min_similarity=-1.0)  # cosine similarity is never below -1


@dataclass(frozen=True)
class Evidence:
    """What decides one item's refusal, measured with the thresholds off."""

    id: str
    should_refuse: bool
    declined_anyway: bool
    similarity: float
    correct_if_answered: bool


@dataclass(frozen=True)
class Choice:
    min_similarity: float
    balanced_accuracy: float
    answer_rate: float  # answerable items answered
    refusal_rate: float  # unanswerable items declined
    correct: int  # answerable items answered with every key fact


def train_guard(assistant: Assistant, items: Sequence[QAItem]) -> Training:
    """The guard, trained on the items' question vectors: adversarial items to decline against all the others."""
    vectors = [assistant.question_vector(item.question, [turn.model_dump() for turn in item.history]) for item in items]
    manipulative = [item.kind == "adversarial" and item.expect == "refuse" for item in items]
    return train(vectors, manipulative, [item.expect == "answer" for item in items])


def collect(assistant: Assistant, items: Sequence[QAItem], guard: Guard | None = None) -> list[Evidence]:
    """Run each item through the chain with the similarity threshold off (and `guard` on) and keep what the
    threshold would see."""
    if not any(item.expect == "refuse" for item in items) or not any(item.expect == "answer" for item in items):
        raise ValueError("calibration needs answerable and unanswerable items")
    assistant.thresholds = Thresholds(min_similarity=OFF.min_similarity, guard=guard)
    system = AssistantSystem("calibration", assistant)
    found = []
    for item in items:
        outcome = system.run(item)
        result = system.last_result
        similarity = result.evidence if result else None
        found.append(
            Evidence(
                id=item.id,
                should_refuse=item.expect == "refuse",
                declined_anyway=outcome.refused or similarity is None,
                similarity=-1.0 if similarity is None else similarity,
                correct_if_answered=metrics.has_all_facts(outcome.answer, item.alternatives()),
            )
        )
    return found


def declined(evidence: Evidence, min_similarity: float) -> bool:
    return evidence.declined_anyway or evidence.similarity < min_similarity


def score(evidence: Sequence[Evidence], min_similarity: float) -> Choice:
    refused = [declined(e, min_similarity) for e in evidence]
    expected = [e.should_refuse for e in evidence]
    answerable = [not r for e, r in zip(evidence, refused) if not e.should_refuse]
    unanswerable = [r for e, r in zip(evidence, refused) if e.should_refuse]
    correct = sum(e.correct_if_answered and not r for e, r in zip(evidence, refused) if not e.should_refuse)
    return Choice(
        min_similarity,
        metrics.balanced_accuracy(expected, refused) or 0.0,
        sum(answerable) / len(answerable),
        sum(unanswerable) / len(unanswerable),
        correct,
    )


def best(
    evidence: Sequence[Evidence],
    grid: Sequence[float] = SIMILARITY_GRID,
    answer_target: float = ANSWER_TARGET,
    refusal_target: float = REFUSAL_TARGET,
) -> Choice:
    """The point whose worse figure, as a share of its target, is highest (then whose other figure is)."""
    answerable = max(sum(not e.should_refuse for e in evidence), 1)

    def shares(ch: Choice) -> tuple[float, float]:
        """Each figure as a share of its target, worse first (rounded: float noise must not break ties)."""
        worse, better = sorted((ch.correct / answerable / answer_target, ch.refusal_rate / refusal_target))
        return round(worse, 9), round(better, 9)

    scored = [score(evidence, s) for s in grid]
    return max(scored, key=lambda ch: (*shares(ch), ch.correct, -ch.min_similarity))


def _describe(grid: Sequence[float]) -> str:
    return f"{grid[0]} to {grid[-1]} by {round(grid[1] - grid[0], 3)}"


def write(path: Path, choice: Choice, embedder: str, split: str, items: int, training: Training | None = None) -> dict:
    """Write the threshold and the guard (read by `Thresholds.load`) with how they were chosen; no timestamp, so
    reruns diff clean."""
    record: dict = {
        "min_similarity": choice.min_similarity,
        "embedder": embedder,
        "split": split,
        "items": items,
        "balanced_accuracy": round(choice.balanced_accuracy, 4),
        "answer_rate": round(choice.answer_rate, 4),
        "refusal_rate": round(choice.refusal_rate, 4),
        "correct_answers": choice.correct,
        "grid": {"min_similarity": _describe(SIMILARITY_GRID)},
        "command": f"askgov calibrate --split {split}",
    }
    if training is not None:  # last: 768 weights would bury the figures above
        record["guard_cross_validation"] = {
            "manipulative": training.manipulative,
            "caught": training.caught,
            "answerable": training.answerable,
            "false_alarms": training.false_alarms,
        }
        record["guard"] = training.guard.to_record()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record
