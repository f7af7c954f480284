"""Training the answer decision on the dev split: `askgov calibrate`.

One pass drafts every item's answer with the decision off (`Assistant.draft`): its question vector, the composed
answer and the decision's features. From those rows, with 5-fold cross-validation throughout:
1. the manipulation guard (`bot.guard`): adversarial items to decline against all others, on question vectors;
2. what each question asks for (`bot.answer.decide.AskModel`), labelled by the kind of its key facts found by the
   general detectors (a date, an amount, a share, a count, a web address, a name, a place);
3. what the documents leave unanswered (`DecisionModel.unanswerable`, trained like the guard): the items to decline
   that are not manipulation against all others, on question vectors;
4. the decision (`bot.answer.decide.train_decision`): items to decline against answerable items whose draft holds
   every key fact, on features that use the guard's, the kind model's and the unanswered model's cross-validated
   scores, so it learns how far to trust them on questions they did not see. Its threshold is the lowest that
   declines at most MAX_WRONGLY_DECLINED of the answerable items in cross-validation.
The figures printed are the cross-validated ones, per language. Without a trained decision the chain declines
below `min_similarity`, chosen as before: the point with the highest min(accuracy / 0.85, refusal / 0.90).
Same data, same embedder -> same result: nothing here is random.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.answer import decide
from bot.answer.chain import Assistant, Thresholds
from bot.answer.evidence import KINDS, holds
from bot.evaluation import metrics
from bot.evaluation.qaset import QAItem
from bot.guard import Training, train

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


@dataclass(frozen=True)
class Row:
    """One dev item drafted with the decision off."""

    item: QAItem
    vector: list[float]
    values: dict[str, float]  # the decision's features, guard score and asked kinds still to fill in
    held: frozenset[str]  # kinds of thing the drafted answer holds
    declined_anyway: bool  # the wording checks declined it whole, or there was nothing to cite
    correct_if_answered: bool

    @property
    def should_refuse(self) -> bool:
        return self.item.expect == "refuse"


def fact_kind(fact: str) -> str:
    """The most specific kind of thing a key fact is ("HK$3 billion": amount, "mid-2026": date), or ""."""
    for kind in ("web address", "percentage", "amount", "date", "count", "place", "name"):
        if holds(kind, fact):
            return kind
    return ""


def asked_kinds(item: QAItem) -> set[str]:
    """What an answerable item asks for, read from its key facts (their first wording)."""
    if item.expect != "answer":
        return set()
    return {kind for facts in item.alternatives() if facts for kind in [fact_kind(facts[0])] if kind}


def collect(
    assistant: Assistant, items: Sequence[QAItem], progress: Callable[[int, int], None] | None = None
) -> list[Row]:
    """Draft every item with the decision off; the questions are embedded first, in batches (most of the time
    drafting one at a time went on embedding its question)."""
    if not any(item.expect == "refuse" for item in items) or not any(item.expect == "answer" for item in items):
        raise ValueError("calibration needs answerable and unanswerable items")
    assistant.thresholds = Thresholds(min_similarity=OFF.min_similarity)
    histories = [[turn.model_dump() for turn in item.history] for item in items]
    vectors = assistant.query_vectors([(item.question, history) for item, history in zip(items, histories)])
    rows = []
    for done, (item, vector) in enumerate(zip(items, vectors), 1):
        rows.append(drafted(assistant, item, vector))
        if progress:
            progress(done, len(items))
    return rows


def drafted(assistant: Assistant, item: QAItem, query_vector: Sequence[float] = ()) -> Row:
    """One item's row: its answer drafted by the chain with the decision off."""
    draft = assistant.draft(item.question, [turn.model_dump() for turn in item.history], query_vector)
    return Row(
        item,
        draft.state.query_vector,
        draft.values,
        frozenset(draft.held),
        declined_anyway=not draft.citations,
        correct_if_answered=bool(draft.citations) and metrics.has_all_facts(draft.answer, item.alternatives()),
    )


@dataclass(frozen=True)
class Calibration:
    guard: Training
    asks: decide.AskModel
    unanswerable: Training
    decision: decide.Training
    rows: list[Row]
    trained_on: list[int]  # indexes of the rows the decision was trained on


def train_all(rows: Sequence[Row]) -> Calibration:
    """The guard, the kind model and the decision, each from cross-validated inputs (see the module's doc)."""
    vectors = [row.vector for row in rows]
    guard = train(
        vectors,
        [row.item.kind == "adversarial" and row.should_refuse for row in rows],
        [row.item.expect == "answer" for row in rows],
    )
    asks, asked = decide.train_asks(vectors, [asked_kinds(row.item) for row in rows])
    unanswerable = train(
        vectors,
        [row.should_refuse and row.item.kind != "adversarial" for row in rows],
        [row.item.expect == "answer" for row in rows],
    )
    # trained on what it decides: drafts with something to cite, to decline or answered with every key fact
    used = [
        i for i, row in enumerate(rows) if not row.declined_anyway and (row.should_refuse or row.correct_if_answered)
    ]
    filled = [
        with_scores(rows[i].values, rows[i].held, guard.held_out[i], asked[i], unanswerable.held_out[i]) for i in used
    ]
    decision = decide.train_decision(
        filled, [rows[i].should_refuse for i in used], [not rows[i].should_refuse for i in used]
    )
    model = decide.DecisionModel(
        decision.model.means,
        decision.model.scales,
        decision.model.weights,
        decision.model.bias,
        decision.model.threshold,
        asks,
        unanswerable.guard,
    )
    trained = decide.Training(
        model,
        decision.answerable,
        decision.wrongly_declined,
        decision.to_decline,
        decision.declined,
        decision.held_out,
    )
    return Calibration(guard, asks, unanswerable, trained, list(rows), used)


def with_scores(
    values: dict[str, float], held: frozenset[str], guard: float, asked: dict[str, float], unanswerable: float
) -> dict:
    filled = dict(values, guard=guard, unanswerable=unanswerable)
    for kind in KINDS:
        filled[f"unmet {kind}"] = asked.get(kind, 0.0) * (0.0 if kind in held else 1.0)
    return filled


def cross_validated_figures(calibration: Calibration) -> dict[str, dict[str, float]]:
    """Per language and overall, on every dev item, each declined as the held-out decision would: answer accuracy
    (answerable items answered with every key fact), wrongly declined answerable rate, refusal recall."""
    threshold = calibration.decision.model.threshold
    held = dict(zip(calibration.trained_on, calibration.decision.held_out))
    declined = []
    for i, row in enumerate(calibration.rows):
        if row.declined_anyway:
            declined.append(True)
        elif i in held:
            declined.append(held[i] >= threshold)
        else:  # answerable but drafted without every key fact: not trained on; scored by the final model
            values = with_scores(
                row.values, row.held, calibration.guard.held_out[i], {}, calibration.unanswerable.held_out[i]
            )
            declined.append(calibration.decision.model.decide(values).declined)
    figures = {}
    for lang in ("all", "en", "zh-Hant", "zh-Hans"):
        picked = [(r, d) for r, d in zip(calibration.rows, declined) if lang in ("all", r.item.lang)]
        answerable = [(r, d) for r, d in picked if not r.should_refuse]
        refuse = [d for r, d in picked if r.should_refuse]
        figures[lang] = {
            "answer_accuracy": _share(sum(r.correct_if_answered and not d for r, d in answerable), len(answerable)),
            "wrongly_declined": _share(sum(d for _, d in answerable), len(answerable)),
            "refusal_recall": _share(sum(refuse), len(refuse)),
        }
    return figures


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def evidence_of(rows: Sequence[Row]) -> list[Evidence]:
    """What the similarity threshold reads (the fallback when no decision is trained)."""
    return [
        Evidence(
            id=row.item.id,
            should_refuse=row.should_refuse,
            declined_anyway=row.declined_anyway,
            similarity=row.values["similarity"],
            correct_if_answered=row.correct_if_answered,
        )
        for row in rows
    ]


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


def write(
    path: Path,
    choice: Choice,
    embedder: str,
    split: str,
    items: int,
    training: Training | None = None,
    decision: decide.Training | None = None,
    figures: dict | None = None,
    limit: int | None = None,
) -> dict:
    """Write the threshold, the guard and the decision (read by `Thresholds.load`) with how they were chosen; no
    timestamp, so reruns diff clean."""
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
        "command": f"askgov calibrate --split {split}" + (f" --limit {limit}" if limit else ""),
    }
    if training is not None:  # last: 768 weights would bury the figures above
        record["guard_cross_validation"] = {
            "manipulative": training.manipulative,
            "caught": training.caught,
            "answerable": training.answerable,
            "false_alarms": training.false_alarms,
        }
        record["guard"] = training.guard.to_record()
    if decision is not None:
        record["decision_cross_validation"] = {
            "answerable": decision.answerable,
            "wrongly_declined": decision.wrongly_declined,
            "to_decline": decision.to_decline,
            "declined": decision.declined,
            "figures": figures or {},
        }
        record["decision"] = decision.model.to_record()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record
