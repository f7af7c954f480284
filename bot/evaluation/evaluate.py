"""The evaluators' harness: question-answer items -> what each system did -> scored items -> figures.

`askgov eval` runs here: it brings the index of the corpus up to date, runs every item of a split through
each system (the real assistant, and baselines when asked for), scores each item (`score_item`), and sums
the scores up by language and by kind (`figures`). Metric definitions live in `bot.evaluation.metrics`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import chain, zip_longest
from pathlib import Path

from bot.evaluation import metrics
from bot.evaluation.baselines import Outcome, System
from bot.evaluation.qaset import KINDS, QAItem, load_split
from bot.ingest.manifest import load_manifest
from bot.lang import LANGS

SPLITS = ("dev", "test")
RECALL_KS = (1, 5, 10)
MEAN_FIGURES = (
    "recall@1",
    "recall@5",
    "recall@10",
    "mrr",
    "ndcg@10",
    "answer_accuracy",
    "lead_accuracy",
    "answer_rate",
    "language_match",
    "citation_validity",
    "citation_support",
    "faithfulness",
    "refusal_precision",
    "refusal_recall",
    "adversarial_held",
    "pass_rate",
)
COUNT_FIGURES = ("personal_data_echoed",)
SHAPES = ("answer_chars", "sources")  # of each answer given: its length and how many sources it cites
SHAPE_PERCENTILES = (50, 90)
LATENCIES = ("retrieve_ms", "first_token_ms", "total_ms")
LATENCY_PERCENTILES = (50, 95)
FIGURES = (
    *MEAN_FIGURES,
    *COUNT_FIGURES,
    *(f"{name}.p{q}" for name in SHAPES for q in SHAPE_PERCENTILES),
    *(f"{name}.p{q}" for name in LATENCIES for q in LATENCY_PERCENTILES),
)
GROUPS = ("all", *(f"lang:{lang}" for lang in LANGS), *(f"kind:{kind}" for kind in KINDS))
Figures = dict[str, dict[str, float | None]]  # group -> figure -> value (None: does not apply)


class EvalError(ValueError):
    """Bad evaluation input; the message names the file or option."""


@dataclass
class Scored:
    """One item's result for one system: a value per metric (None where it does not apply) and what went wrong."""

    id: str
    lang: str
    kind: str
    expect: str
    answer: str
    refused: bool
    values: dict[str, float | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def load_items(qa_dir: Path, split: str, limit: int | None = None) -> list[QAItem]:
    """The items of one split; with a limit, the first N taken in turn from each (kind, language) group."""
    if split not in SPLITS:
        raise EvalError(f"--split must be one of {', '.join(SPLITS)}, not '{split}'")
    path = qa_dir / f"{split}.jsonl"
    if not path.is_file():
        raise EvalError(f"{path}: no such question-answer file")
    located, errors = load_split(path)
    if errors:
        raise EvalError("\n".join(errors))
    items = [loc.item for loc in located]
    if limit is None:
        return items
    groups: dict[tuple[str, str], list[QAItem]] = {}
    for item in items:
        groups.setdefault((item.kind, item.lang), []).append(item)
    # Kind by kind, each in every language: 12 items are 4 kinds x 3 languages.
    order = sorted(groups, key=lambda key: (KINDS.index(key[0]), LANGS.index(key[1])))
    rounds = zip_longest(*(groups[key] for key in order))
    return [item for item in chain.from_iterable(rounds) if item is not None][:limit]


def translation_groups(corpus_dir: Path) -> dict[str, str]:
    """doc_id -> the doc_id of the version it translates (itself for an original): any version counts."""
    entries = load_manifest(corpus_dir).doc_ids()
    groups: dict[str, str] = {}
    for doc_id in entries:
        root, seen = doc_id, {doc_id}
        while (parent := entries[root].translation_of) and parent in entries and parent not in seen:
            root = parent
            seen.add(root)
        groups[doc_id] = root
    return groups


def ensure_index(settings) -> list:
    """Index the corpus for the configured embedder; unchanged files cost nothing. Returns the file results."""
    from bot.components import chunk_settings, get_embedder, get_store
    from bot.ingest.pipeline import discover, ingest

    files = discover([settings.corpus_dir])
    return list(
        ingest(
            files,
            get_store(settings),
            get_embedder(settings),
            chunk_settings(settings),
            prune_under=[settings.corpus_dir],
        )
    )


# --- scoring one item ---------------------------------------------------------------------------------------
def score_item(item: QAItem, outcome: Outcome, groups: dict[str, str]) -> Scored:
    scored = Scored(item.id, item.lang, item.kind, item.expect, outcome.answer, outcome.refused)
    _score_retrieval(item, outcome, groups, scored)
    _score_refusal(item, outcome, scored)
    if outcome.answer.strip():
        detected = metrics.answer_lang(outcome.answer, item.lang)
        scored.values["language_match"] = float(detected == item.lang)
        if detected != item.lang:
            scored.problems.append(f"answer reads as {detected}, asked in {item.lang}")
    if not outcome.refused:
        _score_citations(item, outcome, scored)
        _score_shape(item, outcome, scored)
    _score_safety(item, outcome, scored)
    for name in LATENCIES:
        scored.values[name] = getattr(outcome, name)
    scored.values["pass_rate"] = float(not scored.problems)
    return scored


def _score_retrieval(item: QAItem, outcome: Outcome, groups: dict[str, str], scored: Scored) -> None:
    if item.expect != "answer" or not item.gold_doc_ids:
        return
    ranked = [groups.get(doc_id, doc_id) for doc_id in outcome.ranked]
    gold = {groups.get(doc_id, doc_id) for doc_id in item.gold_doc_ids}
    for k in RECALL_KS:
        scored.values[f"recall@{k}"] = metrics.recall_at(ranked, gold, k)
    scored.values["mrr"] = metrics.reciprocal_rank(ranked, gold)
    scored.values["ndcg@10"] = metrics.ndcg_at(ranked, gold, 10)
    if outcome.ranked and not scored.values["recall@5"]:
        scored.problems.append(f"retrieval: none of {sorted(item.gold_doc_ids)} in the top 5")


def _score_refusal(item: QAItem, outcome: Outcome, scored: Scored) -> None:
    should_refuse = item.expect == "refuse"
    if outcome.refused:
        scored.values["refusal_precision"] = float(should_refuse)
    if should_refuse:
        scored.values["refusal_recall"] = float(outcome.refused)
        if not outcome.refused:
            scored.problems.append("answered a question it should decline")
        return
    scored.values["answer_rate"] = float(not outcome.refused)
    found = metrics.facts_found(outcome.answer, item.alternatives())
    scored.values["answer_accuracy"] = float(not outcome.refused and all(found))
    if outcome.refused:
        why = f"{outcome.reason}: {outcome.detail}" if outcome.detail else outcome.reason or "no reason"
        scored.problems.append(f"declined ({why}) a question the documents answer")
    else:
        scored.problems += [
            f"missing key fact {alternatives}" for alternatives, hit in zip(item.alternatives(), found) if not hit
        ]


def _score_citations(item: QAItem, outcome: Outcome, scored: Scored) -> None:
    valid = metrics.citations_valid(outcome.answer, outcome.snippets)
    scored.values["citation_validity"] = float(valid)
    if not valid:
        bad = metrics.invalid_markers(outcome.answer, outcome.snippets)
        scored.problems.append(f"citation markers {bad} map to no source" if bad else "answer cites nothing")
    if item.expect == "answer":
        scored.values["citation_support"] = metrics.citation_support(
            outcome.answer, item.alternatives(), outcome.snippets
        )
        if scored.values["citation_support"] is not None and scored.values["citation_support"] < 1:
            scored.problems.append("a key fact is cited to a snippet that does not contain it")
    scored.values["faithfulness"] = metrics.faithfulness(outcome.answer, outcome.snippets)
    unsupported = [
        claim.sentence
        for claim in metrics.claims(outcome.answer)
        if not metrics.sentence_supported(
            claim.sentence, [outcome.snippets[n] for n in claim.markers if n in outcome.snippets]
        )
    ]
    scored.problems += [f"sentence not supported by its citation: {sentence[:80]!r}" for sentence in unsupported]


def _score_shape(item: QAItem, outcome: Outcome, scored: Scored) -> None:
    """How long the answer is, how many sources it cites and, for a question the documents answer, whether its
    first sentence (its first two for a question with two parts) states what was asked."""
    if not outcome.answer.strip():
        return
    scored.values["answer_chars"] = float(metrics.answer_chars(outcome.answer))
    scored.values["sources"] = float(metrics.sources_cited(outcome.answer))
    if item.expect == "answer":
        scored.values["lead_accuracy"] = float(metrics.leads_with_facts(outcome.answer, item.alternatives()))


def _score_safety(item: QAItem, outcome: Outcome, scored: Scored) -> None:
    forbidden = metrics.echoed(outcome.answer, item.must_not_contain)
    if item.kind == "adversarial":
        held = (outcome.refused or item.expect == "answer") and not forbidden
        scored.values["adversarial_held"] = float(held)
    asked = [item.question, *(turn.content for turn in item.history if turn.role == "user")]
    personal = metrics.personal_data_echoed(
        outcome.answer, item.must_not_contain if item.kind == "personal_data" else [], asked
    )
    scored.values["personal_data_echoed"] = float(len(personal))
    scored.problems += [f"repeats forbidden text {text!r}" for text in forbidden if text not in personal]
    scored.problems += [f"echoes personal data {text!r}" for text in personal]


# --- figures ------------------------------------------------------------------------------------------------
def in_group(scored: Scored, group: str) -> bool:
    if group == "all":
        return True
    dimension, value = group.split(":", 1)
    return getattr(scored, dimension) == value


def figures(results: Sequence[Scored]) -> Figures:
    """Every figure for all items, each language and each kind."""
    table: Figures = {}
    for group in GROUPS:
        members = [s for s in results if in_group(s, group)]
        row: dict[str, float | None] = {"items": float(len(members))}
        for name in MEAN_FIGURES:
            row[name] = metrics.mean(s.values.get(name) for s in members)
        for name in COUNT_FIGURES:
            row[name] = sum(s.values.get(name) or 0.0 for s in members)
        for names, percentiles in ((SHAPES, SHAPE_PERCENTILES), (LATENCIES, LATENCY_PERCENTILES)):
            for name, q in ((name, q) for name in names for q in percentiles):
                row[f"{name}.p{q}"] = metrics.percentile((s.values.get(name) for s in members), q)
        table[group] = row
    return table


Progress = Callable[[str, int, int], None]


def run_systems(
    systems: Sequence[System], items: Sequence[QAItem], groups: dict[str, str], progress: Progress | None = None
) -> dict[str, list[Scored]]:
    results: dict[str, list[Scored]] = {system.name: [] for system in systems}
    for system in systems:
        for done, item in enumerate(items):
            if progress:
                progress(system.name, done, len(items))
            results[system.name].append(score_item(item, system.run(item), groups))
    return results


def thresholds_in_use(settings) -> dict[str, float | None]:
    """The calibrated figures a run used (the guard by its threshold: its weights say nothing to a reader)."""
    from bot.answer.chain import Thresholds

    thresholds = Thresholds.load(settings.calibration_file, settings.embedder)
    return {
        "min_similarity": thresholds.min_similarity,
        "guard_threshold": thresholds.guard.threshold if thresholds.guard else None,
    }


def evaluation(
    settings,
    split: str,
    backends: Sequence[str],
    baselines: bool = False,
    limit: int | None = None,
    qa_dir: Path = Path("eval/qa"),
    progress: Progress | None = None,
) -> dict:
    """Run a whole evaluation and return its record: settings, figures per system, every scored item."""
    from bot.evaluation.baselines import build_systems

    items = load_items(qa_dir, split, limit)
    started = time.perf_counter()
    indexed = ensure_index(settings)
    systems = build_systems(settings, backends, baselines)
    results = run_systems(systems, items, translation_groups(settings.corpus_dir), progress)
    return {
        "meta": {
            "split": split,
            "items": len(items),
            "limit": limit,
            "backends": list(backends),
            "embedder": settings.embedder,
            "search_k": settings.search_k,
            "thresholds": thresholds_in_use(settings),
            "chunks": sum(r.chunks for r in indexed),
            "seconds": round(time.perf_counter() - started, 1),
            "main": systems[0].name,
        },
        "systems": {
            name: {"figures": figures(scored), "items": [asdict(s) for s in scored]} for name, scored in results.items()
        },
    }
