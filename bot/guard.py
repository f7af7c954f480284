"""A learned check for manipulation: does a question read like an attempt to get something other than an answer
from the documents (an opinion, a prediction, a role, a planted instruction, the assistant's own prompt)?

Wording patterns decline what they were written from, and a message worded another way slips past them; they also
decline ordinary questions that share a word with them. This check reads the meaning instead. It is a logistic
regression over the vector the chain already embeds the question into for retrieval. `askgov calibrate` trains it
on the dev split: the adversarial items that expect a decline against all other items. Its score is one feature of
the answer decision (`bot.answer.decide`), which is trained on the guard's cross-validated scores.

Its own threshold (used when no decision is trained) comes from cross-validated scores on the same items: the lowest
at which at most MAX_FALSE_ALARMS of the answerable items would be declined, since wrongly declining a real question
costs a citizen an answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

GUARD_C = 10.0  # inverse regularisation: on dev and held-out questions, 10 caught most with fewest false alarms
MAX_FALSE_ALARMS = 0.002  # share of answerable items the chosen threshold may decline in cross-validation
THRESHOLD_GRID = tuple(round(0.5 + 0.025 * i, 3) for i in range(20))  # 0.5 .. 0.975
FOLDS = 5


class GuardError(ValueError):
    """The guard cannot be trained or read."""


@dataclass(frozen=True)
class Guard:
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def score(self, vector: Sequence[float]) -> float:
        """How likely the question is an attempt at manipulation, 0..1."""
        if len(vector) != len(self.weights):
            raise GuardError(
                f"the guard reads {len(self.weights)}-dimensional vectors, got {len(vector)}; "
                "rerun `askgov calibrate` with this embedder"
            )
        z = self.bias + math.fsum(w * x for w, x in zip(self.weights, vector))
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def flags(self, vector: Sequence[float]) -> bool:
        return self.score(vector) >= self.threshold

    def to_record(self) -> dict:
        return {
            "threshold": self.threshold,
            "bias": round(self.bias, 6),
            "weights": [round(w, 6) for w in self.weights],
        }

    @classmethod
    def from_record(cls, record: object, where: str) -> "Guard":
        """A guard from its calibration.json record; `where` names the file in errors."""
        if not isinstance(record, dict):
            raise GuardError(f"{where}: field 'guard' must be an object, got {type(record).__name__}")
        weights, bias, threshold = record.get("weights"), record.get("bias"), record.get("threshold")
        if not isinstance(weights, list) or not weights or not all(_is_number(w) for w in weights):
            raise GuardError(f"{where}: field 'guard.weights' must be a non-empty list of numbers")
        for name, value in (("bias", bias), ("threshold", threshold)):
            if not _is_number(value):
                raise GuardError(f"{where}: field 'guard.{name}' must be a number, got {value!r}")
        if not 0.0 < threshold < 1.0:
            raise GuardError(f"{where}: field 'guard.threshold' must be between 0 and 1, got {threshold}")
        return cls(tuple(float(w) for w in weights), float(bias), float(threshold))


@dataclass(frozen=True)
class Training:
    """How the guard did in cross-validation on the items it was trained on."""

    guard: Guard
    manipulative: int  # items that should be declined as manipulation
    answerable: int
    caught: int  # manipulative items at or above the threshold, scored by a model that did not see them
    false_alarms: int  # answerable items at or above the threshold, likewise
    held_out: tuple[float, ...] = ()  # each item's cross-validated score: what the answer decision is trained on


def train(
    vectors: Sequence[Sequence[float]],
    manipulative: Sequence[bool],
    answerable: Sequence[bool],
    max_false_alarms: float = MAX_FALSE_ALARMS,
) -> Training:
    """Fit the guard on question vectors; `answerable` marks the items whose false alarms count."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    x, y, ok = (
        np.asarray(vectors, dtype=float),
        np.asarray(manipulative, dtype=bool),
        np.asarray(answerable, dtype=bool),
    )
    if not len(x) == len(y) == len(ok):
        raise GuardError(f"{len(x)} vectors, {len(y)} labels and {len(ok)} answerable flags: they must match")
    if y.sum() < FOLDS or (~y).sum() < FOLDS:
        raise GuardError(
            f"training the guard needs at least {FOLDS} manipulative and {FOLDS} other items, "
            f"got {int(y.sum())} and {int((~y).sum())}"
        )
    model = LogisticRegression(C=GUARD_C, max_iter=5000, class_weight="balanced")
    held_out = cross_val_predict(model, x, y, cv=StratifiedKFold(FOLDS), method="predict_proba")[:, 1]
    allowed = max_false_alarms * ok.sum()
    threshold = next((t for t in THRESHOLD_GRID if ((held_out >= t) & ok).sum() <= allowed), THRESHOLD_GRID[-1])
    model.fit(x, y)
    guard = Guard(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]), threshold)
    flagged = held_out >= threshold
    return Training(
        guard,
        int(y.sum()),
        int(ok.sum()),
        int((flagged & y).sum()),
        int((flagged & ok).sum()),
        tuple(float(score) for score in held_out),
    )


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
