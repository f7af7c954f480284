"""The answer decision: after retrieval and composition, answer or decline, and why.

One learned step reads features of the question, the retrieved text and the composed answer, never its wording:
- `similarity`: how close in meaning the best retrieved sentence comes to the question;
- `guard`: the manipulation guard's score for the question vector (`bot.guard`);
- `unmet <kind>`: how likely the question asks for a date, an amount, a share, a count, a web address, a name or a
  place (predicted from the question vector, `AskModel`) times whether the answer holds none (`bot.answer.evidence`);
- `gap answer`: every sentence of the answer says the documents do not give something;
- `gap passages`: the retrieved passages use a word of the question only where they say they do not give it;
- `unknown names`: names in the question that no indexed document mentions (`bot.answer.names`);
- `coverage`: the share of the question's content words that the answer's passages contain;
- `unanswerable`: how much the question vector resembles those of questions the documents leave unanswered (a
  logistic regression over the vector, trained like the guard on the dev items to decline that are not
  manipulation): what the documents do not say is learned from examples, not written down as phrasings.

`askgov calibrate` trains both models on the dev split (`train_asks`, `train_decision`) with cross-validation and
chooses the decline threshold under a cap on wrongly declined answerable questions. Without a trained model the
decision falls back to the similarity threshold and the guard (`fallback_decision`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answer.evidence import KINDS, holds, only_gaps
from bot.guard import Guard, GuardError
from bot.text import content_tokens

FEATURES = (
    "similarity",
    "guard",
    *(f"unmet {kind}" for kind in KINDS),
    "gap answer",
    "gap passages",
    "unknown names",
    "coverage",
    "unanswerable",
)
# The reason a decline gives, by the feature that weighed most towards it
_REASONS = {
    "similarity": "weak_evidence",
    "coverage": "weak_evidence",
    "unanswerable": "weak_evidence",
    "guard": "off_limits",
    "gap answer": "not_given",
    "gap passages": "not_given",
    "unknown names": "not_mentioned",
    **{f"unmet {kind}": "missing_detail" for kind in KINDS},
}
FOLDS = 5
DECISION_C = 1.0
ASKS_C = 1.0
# share of answerable dev items the chosen threshold may decline in cross-validation
MAX_WRONGLY_DECLINED = 0.05
THRESHOLD_GRID = tuple(round(0.02 * i, 2) for i in range(5, 50))  # 0.1 .. 0.98
SHOWN = 3  # the features shown with a decline


class DecisionError(ValueError):
    """A decision model cannot be trained or read."""


@dataclass(frozen=True)
class Decision:
    declined: bool
    reason: str = ""  # the refusal reason when declined
    score: float = 0.0  # how likely a decline is right, 0..1
    weighed: tuple[tuple[str, float], ...] = ()  # the features that weighed most, with their pull towards decline


def features(
    question: str,
    answer: str,
    similarity: float | None,
    guard_score: float,
    asked: dict[str, float],
    passages_not_giving: bool,
    unknown_names: int,
    passage_texts: Sequence[str],
    unanswerable: float = 0.0,
) -> dict[str, float]:
    """The decision's inputs for one composed answer (`asked`: each kind's probability of being asked for;
    `unanswerable`: the unanswered-question model's score)."""
    values = {
        "similarity": -1.0 if similarity is None else similarity,
        "guard": guard_score,
        "gap answer": float(bool(answer) and only_gaps(answer)),
        "gap passages": float(passages_not_giving),
        "unknown names": float(unknown_names),
        "coverage": _coverage(question, passage_texts),
        "unanswerable": unanswerable,
    }
    for kind in KINDS:
        values[f"unmet {kind}"] = asked.get(kind, 0.0) * (0.0 if answer and holds(kind, answer) else 1.0)
    return values


def _coverage(question: str, texts: Sequence[str]) -> float:
    asked = set(content_tokens(question))
    if not asked:
        return 1.0
    found = {token for text in texts for token in content_tokens(text)}
    return len(asked & found) / len(asked)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _numbers(record: dict, name: str, where: str, length: int | None = None) -> tuple[float, ...]:
    value = record.get(name)
    if not isinstance(value, list) or not value or not all(_is_number(v) for v in value):
        raise DecisionError(f"{where}: field '{name}' must be a non-empty list of numbers")
    if length is not None and len(value) != length:
        raise DecisionError(f"{where}: field '{name}' has {len(value)} numbers, expected {length}")
    return tuple(float(v) for v in value)


def _number(record: dict, name: str, where: str) -> float:
    value = record.get(name)
    if not _is_number(value):
        raise DecisionError(f"{where}: field '{name}' must be a number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class AskModel:
    """What a question asks for, from its vector: one logistic regression per kind of `KINDS`."""

    kinds: tuple[str, ...]
    weights: tuple[tuple[float, ...], ...]
    biases: tuple[float, ...]

    def probabilities(self, vector: Sequence[float]) -> dict[str, float]:
        if not vector:
            return {}
        if any(len(w) != len(vector) for w in self.weights):
            raise DecisionError(
                f"the question-kind model reads {len(self.weights[0])}-dimensional vectors, got {len(vector)}; "
                "rerun `askgov calibrate` with this embedder"
            )
        return {
            kind: _sigmoid(bias + math.fsum(w * x for w, x in zip(weights, vector)))
            for kind, weights, bias in zip(self.kinds, self.weights, self.biases)
        }

    def to_record(self) -> dict:
        return {
            "kinds": list(self.kinds),
            "biases": [round(b, 6) for b in self.biases],
            "weights": [[round(w, 5) for w in row] for row in self.weights],
        }

    @classmethod
    def from_record(cls, record: object, where: str) -> "AskModel":
        if not isinstance(record, dict):
            raise DecisionError(f"{where}: must be an object, got {type(record).__name__}")
        kinds = record.get("kinds")
        if not isinstance(kinds, list) or not kinds or any(kind not in KINDS for kind in kinds):
            raise DecisionError(f"{where}: field 'kinds' must list kinds of {', '.join(KINDS)}, got {kinds!r}")
        biases = _numbers(record, "biases", where, len(kinds))
        rows = record.get("weights")
        if not isinstance(rows, list) or len(rows) != len(kinds) or not all(isinstance(r, list) for r in rows):
            raise DecisionError(f"{where}: field 'weights' must hold one list of numbers per kind")
        weights = tuple(_numbers({"weights": row}, "weights", where) for row in rows)
        if len({len(row) for row in weights}) != 1:
            raise DecisionError(f"{where}: field 'weights' rows differ in length")
        return cls(tuple(kinds), weights, biases)


@dataclass(frozen=True)
class DecisionModel:
    """A logistic regression over standardised FEATURES: the probability that declining is right."""

    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    asks: AskModel | None = None
    unanswerable: Guard | None = None  # scores questions like those the documents leave unanswered

    def unanswerable_score(self, vector: Sequence[float]) -> float:
        return self.unanswerable.score(vector) if self.unanswerable is not None and vector else 0.0

    def pulls(self, values: dict[str, float]) -> list[tuple[str, float]]:
        """Each feature's contribution to the decline score (positive: towards declining)."""
        return [
            (name, w * (values.get(name, 0.0) - m) / s)
            for name, m, s, w in zip(FEATURES, self.means, self.scales, self.weights)
        ]

    def decide(self, values: dict[str, float]) -> Decision:
        pulls = self.pulls(values)
        score = _sigmoid(self.bias + math.fsum(p for _, p in pulls))
        weighed = tuple((name, round(p, 3)) for name, p in sorted(pulls, key=lambda item: -item[1])[:SHOWN])
        if score < self.threshold:
            return Decision(False, "", round(score, 4), weighed)
        return Decision(True, _REASONS[weighed[0][0]], round(score, 4), weighed)

    def to_record(self) -> dict:
        return {
            "features": list(FEATURES),
            "threshold": self.threshold,
            "bias": round(self.bias, 6),
            "weights": [round(w, 6) for w in self.weights],
            "means": [round(m, 6) for m in self.means],
            "scales": [round(s, 6) for s in self.scales],
            "asks": self.asks.to_record() if self.asks else None,
            "unanswerable": self.unanswerable.to_record() if self.unanswerable else None,
        }

    @classmethod
    def from_record(cls, record: object, where: str) -> "DecisionModel":
        """A model from its calibration.json record; `where` names the file and field in errors."""
        if not isinstance(record, dict):
            raise DecisionError(f"{where}: field 'decision' must be an object, got {type(record).__name__}")
        if record.get("features") != list(FEATURES):
            raise DecisionError(
                f"{where}: field 'decision.features' is {record.get('features')!r}, not the features this version "
                f"reads ({', '.join(FEATURES)})"
            )
        n = len(FEATURES)
        field = f"{where}: decision"
        weights = _numbers(record, "weights", field, n)
        means = _numbers(record, "means", field, n)
        scales = _numbers(record, "scales", field, n)
        if any(s <= 0 for s in scales):
            raise DecisionError(f"{field}: field 'scales' must be positive")
        threshold = _number(record, "threshold", field)
        if not 0.0 < threshold < 1.0:
            raise DecisionError(f"{field}: field 'threshold' must be between 0 and 1, got {threshold}")
        asks, unanswerable = record.get("asks"), record.get("unanswerable")
        try:
            probe = Guard.from_record(unanswerable, f"{where}: decision.unanswerable") if unanswerable else None
        except GuardError as error:
            raise DecisionError(str(error).replace("field 'guard", "field 'decision.unanswerable")) from None
        return cls(
            means,
            scales,
            weights,
            _number(record, "bias", field),
            threshold,
            AskModel.from_record(asks, f"{where}: decision.asks") if asks is not None else None,
            probe,
        )


def fallback_decision(values: dict[str, float], min_similarity: float, guard_threshold: float | None) -> Decision:
    """Without a trained model: decline on weak evidence, the guard, an answer made of gaps, or unknown names."""
    checks = (
        ("guard", guard_threshold is not None and values["guard"] >= guard_threshold),
        ("similarity", values["similarity"] < min_similarity),
        ("gap answer", values["gap answer"] > 0),
        ("gap passages", values["gap passages"] > 0),
        ("unknown names", values["unknown names"] > 0),
    )
    for name, failed in checks:
        if failed:
            return Decision(True, _REASONS[name], 1.0, ((name, values[name]),))
    return Decision(False)


# --- training (`askgov calibrate`) --------------------------------------------------------------------------
@dataclass(frozen=True)
class Training:
    """The trained model with its cross-validated figures on the items it was trained on."""

    model: DecisionModel
    answerable: int
    wrongly_declined: int  # answerable items declined by a model that did not see them
    to_decline: int
    declined: int  # items to decline that were declined, likewise
    held_out: tuple[float, ...]  # each item's cross-validated decline score


def train_asks(vectors: Sequence[Sequence[float]], kinds: Sequence[set[str]]) -> tuple[AskModel, list[dict]]:
    """One classifier per kind seen at least FOLDS times; returns the model and each item's cross-validated
    probabilities (what the decision is trained on, so it never sees a kind model's in-sample guesses)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    x = np.asarray(vectors, dtype=float)
    used, weights, biases = [], [], []
    held_out: list[dict] = [{} for _ in vectors]
    for kind in KINDS:
        y = np.asarray([kind in item for item in kinds], dtype=bool)
        if y.sum() < FOLDS or (~y).sum() < FOLDS:
            continue
        model = LogisticRegression(C=ASKS_C, max_iter=3000, class_weight="balanced")
        scores = cross_val_predict(model, x, y, cv=StratifiedKFold(FOLDS), method="predict_proba")[:, 1]
        for row, score in zip(held_out, scores):
            row[kind] = float(score)
        model.fit(x, y)
        used.append(kind)
        weights.append(tuple(float(w) for w in model.coef_[0]))
        biases.append(float(model.intercept_[0]))
    if not used:
        raise DecisionError(f"no kind of question is asked by at least {FOLDS} training items")
    return AskModel(tuple(used), tuple(weights), tuple(biases)), held_out


def train_decision(
    rows: Sequence[dict[str, float]],
    decline: Sequence[bool],
    answerable: Sequence[bool],
    max_wrongly_declined: float = MAX_WRONGLY_DECLINED,
) -> Training:
    """Fit the decision on feature rows: `decline` marks items to decline, `answerable` those whose wrong declines
    count against the cap. The threshold is the lowest at which, in cross-validation, at most that share of the
    answerable items is declined."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = np.asarray([[row[name] for name in FEATURES] for row in rows], dtype=float)
    y, ok = np.asarray(decline, dtype=bool), np.asarray(answerable, dtype=bool)
    if not len(x) == len(y) == len(ok):
        raise DecisionError(f"{len(x)} rows, {len(y)} labels and {len(ok)} answerable flags: they must match")
    if y.sum() < FOLDS or (~y).sum() < FOLDS:
        raise DecisionError(f"training needs at least {FOLDS} items to decline and {FOLDS} to answer")
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=DECISION_C, max_iter=3000))
    held_out = cross_val_predict(pipeline, x, y, cv=StratifiedKFold(FOLDS), method="predict_proba")[:, 1]
    allowed = max_wrongly_declined * ok.sum()
    threshold = next((t for t in THRESHOLD_GRID if ((held_out >= t) & ok).sum() <= allowed), THRESHOLD_GRID[-1])
    pipeline.fit(x, y)
    scaler, regression = pipeline[0], pipeline[1]
    scales = tuple(float(s) if s > 0 else 1.0 for s in scaler.scale_)
    model = DecisionModel(
        tuple(float(m) for m in scaler.mean_),
        scales,
        tuple(float(w) for w in regression.coef_[0]),
        float(regression.intercept_[0]),
        threshold,
    )
    flagged = held_out >= threshold
    return Training(
        model,
        int(ok.sum()),
        int((flagged & ok).sum()),
        int(y.sum()),
        int((flagged & y).sum()),
        tuple(float(s) for s in held_out),
    )
