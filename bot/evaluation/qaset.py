"""The evaluators' question-answer set (`eval/qa/<split>.jsonl`): schema, loading, checks against the corpus.

`python -m bot.evaluation.qaset [--corpus corpus] [--qa eval/qa]` prints the item counts by split, language and kind
as a Markdown table, then every problem found, and exits 1 when there is any. The schema is described in
eval/README.md.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.ingest.loaders import LoadError, load_file
from bot.ingest.manifest import ManifestEntry, ManifestError, load_manifest
from bot.lang import LANGS, Lang, detect_lang, fold, han_count

Kind = Literal["fact", "multi_turn", "unanswerable", "adversarial", "personal_data"]
KINDS: tuple[str, ...] = get_args(Kind)
Style = Literal["colloquial", "sloppy", "code_mixed"]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: Text


class QAItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z-]*-\d{3,}$")]
    lang: Lang
    question: Text
    kind: Kind
    style: list[Style] = []
    history: list[Turn] = []
    expect: Literal["answer", "refuse"]
    gold_doc_ids: list[Text] = []
    # A correct answer contains every element; a list element is a set of acceptable alternatives.
    key_facts: list[Text | Annotated[list[Text], Field(min_length=1)]] = []
    must_not_contain: list[Text] = []

    def alternatives(self) -> list[list[str]]:
        return [[fact] if isinstance(fact, str) else fact for fact in self.key_facts]


@dataclass(frozen=True)
class Located:
    item: QAItem
    where: str  # "path:line"
    split: str  # the file's stem: dev, test


@dataclass(frozen=True)
class Corpus:
    texts: dict[str, str]  # doc_id -> searchable text
    versions: dict[str, list[str]]  # doc_id -> the ids of all its language versions, itself included


def searchable(text: str) -> str:
    """Text folded for width, case and script, with all whitespace removed."""
    return re.sub(r"\s+", "", fold(text))


def _describe(error: dict) -> str:
    # Keep the field path (key_facts.2, history.0.role), drop pydantic's union-branch tags such as "str".
    loc = error["loc"]
    keep = [str(p) for i, p in enumerate(loc) if i == 0 or isinstance(p, int) or p in Turn.model_fields]
    return f"field '{'.'.join(keep)}': {error['msg']}" if keep else error["msg"]


def load_split(path: Path) -> tuple[list[Located], list[str]]:
    items: list[Located] = []
    errors: list[str] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        return [], [f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"]
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                items.append(Located(QAItem.model_validate_json(line), f"{path}:{number}", path.stem))
            except ValidationError as error:
                errors += [f"{path}:{number}: {m}" for m in dict.fromkeys(map(_describe, error.errors()))]
    return items, errors


def _root(doc_id: str, entries: dict[str, ManifestEntry]) -> str:
    seen = {doc_id}
    while (parent := entries[doc_id].translation_of) and parent not in seen:
        doc_id = parent
        seen.add(parent)
    return doc_id


def load_corpus(folder: Path) -> tuple[Corpus, list[str]]:
    """The text of every manifest document (read by the ingest loaders) and its language versions."""
    entries = load_manifest(folder).doc_ids()
    texts: dict[str, str] = {}
    errors: list[str] = []
    for doc_id, entry in entries.items():
        try:
            texts[doc_id] = searchable("\n".join(doc.page_content for doc in load_file(folder / entry.path)))
        except LoadError as error:
            errors.append(f"corpus document '{doc_id}': {error}")
    families: dict[str, list[str]] = {}
    for doc_id in entries:
        families.setdefault(_root(doc_id, entries), []).append(doc_id)
    return Corpus(texts, {doc_id: families[_root(doc_id, entries)] for doc_id in entries}), errors


def _reads_as(text: str, lang: Lang) -> Lang:
    # Text with no telling characters (人口, 3,000) is taken to be in the item's own script.
    return detect_lang(text, default_chinese=lang if lang != "en" else "zh-Hant")


def _script_errors(item: QAItem) -> list[str]:
    problems = []
    if (detected := _reads_as(item.question, item.lang)) != item.lang:
        problems.append(f"field 'question': reads as {detected}, not {item.lang}")
    for fact in (alternative for alternatives in item.alternatives() for alternative in alternatives):
        if han_count(fact) and _reads_as(fact, item.lang) != item.lang:
            problems.append(f"field 'key_facts': {fact!r} is not in the answer's language ({item.lang})")
    return problems


def item_errors(item: QAItem) -> list[str]:
    """Rules one item must follow on its own."""
    problems = _script_errors(item)
    for name in ("gold_doc_ids", "key_facts"):
        if item.expect == "answer" and not getattr(item, name):
            problems.append(f"field '{name}': an answerable item needs at least one")
        if item.expect == "refuse" and getattr(item, name):
            problems.append(f"field '{name}': must be empty when expect is 'refuse'")
    if item.kind == "fact" and item.expect != "answer":
        problems.append("field 'expect': a fact item must be 'answer'")
    if item.kind == "unanswerable" and item.expect != "refuse":
        problems.append("field 'expect': an unanswerable item must be 'refuse'")
    if item.kind == "multi_turn" and not item.history:
        problems.append("field 'history': a multi_turn item needs the earlier turns")
    if item.history and item.history[-1].role != "assistant":
        problems.append("field 'history': must end with an assistant turn")
    if item.kind == "personal_data" and not item.must_not_contain:
        problems.append("field 'must_not_contain': a personal_data item must list the personal data")
    if item.kind == "personal_data":
        said = searchable(" ".join([item.question, *(turn.content for turn in item.history)]))
        problems += [
            f"field 'must_not_contain': {text!r} does not occur in the question or history"
            for text in item.must_not_contain
            if searchable(text) not in said
        ]
    return problems


def corpus_errors(item: QAItem, corpus: Corpus) -> list[str]:
    """Gold documents exist, and every key fact occurs in one of them or in their other-language versions."""
    problems = [
        f"field 'gold_doc_ids': unknown document '{doc_id}'"
        for doc_id in item.gold_doc_ids
        if doc_id not in corpus.versions
    ]
    family = [version for doc_id in item.gold_doc_ids for version in corpus.versions.get(doc_id, [])]
    texts = [corpus.texts[doc_id] for doc_id in family if doc_id in corpus.texts]
    for index, alternatives in enumerate(item.alternatives()):
        if texts and not any(searchable(alt) in text for alt in alternatives for text in texts):
            problems.append(f"field 'key_facts.{index}': none of {alternatives} occurs in {sorted(family)}")
    return problems


def check_items(items: list[Located], corpus: Corpus) -> list[str]:
    errors: list[str] = []
    first_seen: dict[str, str] = {}
    for located in items:
        if (earlier := first_seen.setdefault(located.item.id, located.where)) != located.where:
            errors.append(f"{located.where}: field 'id': '{located.item.id}' already used at {earlier}")
        problems = item_errors(located.item) + corpus_errors(located.item, corpus)
        errors += [f"{located.where}: {problem}" for problem in problems]
    return errors


def coverage_errors(items: list[Located]) -> list[str]:
    """Every split holds every language and every kind."""
    errors = []
    for split in sorted({located.split for located in items}):
        present = {value for loc in items if loc.split == split for value in (loc.item.lang, loc.item.kind)}
        missing = [value for value in (*LANGS, *KINDS) if value not in present]
        errors += [f"split '{split}': has no {value} items" for value in missing]
    return errors


# Two questions whose character 4-grams overlap this much (Jaccard) are one question asked twice: a test item
# like that measures what tuning on its dev twin taught, not how the assistant does on unseen questions.
NEAR_COPY = 0.7
TUNING_SPLIT = "dev"


def char_grams(text: str, size: int = 4) -> frozenset[str]:
    """The character n-grams of a question folded for width, case and script, whitespace removed."""
    folded = searchable(text)
    return frozenset(folded[i : i + size] for i in range(max(1, len(folded) - size + 1)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def overlap_errors(items: list[Located], threshold: float = NEAR_COPY) -> list[str]:
    """Every question outside the dev split that repeats or nearly repeats a dev question."""
    tuning = [(located, char_grams(located.item.question)) for located in items if located.split == TUNING_SPLIT]
    by_gram: dict[str, list[int]] = {}
    for index, (_, grams) in enumerate(tuning):
        for gram in grams:
            by_gram.setdefault(gram, []).append(index)
    errors = []
    for located in items:
        if located.split == TUNING_SPLIT:
            continue
        grams = char_grams(located.item.question)
        candidates = {index for gram in grams for index in by_gram.get(gram, ())}
        scored = [(jaccard(grams, tuning[index][1]), index) for index in candidates]
        best, index = max(scored, default=(0.0, -1))
        if best >= threshold:
            twin = tuning[index][0]
            errors.append(
                f"{located.where}: field 'question': {'repeats' if best == 1 else 'nearly repeats'} "
                f"{TUNING_SPLIT} item '{twin.item.id}' at {twin.where} (4-gram Jaccard {best:.2f} >= {threshold})"
            )
    return errors


def validate(corpus_dir: Path, qa_dir: Path) -> tuple[list[Located], list[str]]:
    paths = sorted(qa_dir.glob("*.jsonl"))
    if not paths:
        return [], [f"{qa_dir}: no .jsonl files"]
    try:
        corpus, errors = load_corpus(corpus_dir)
    except ManifestError as error:
        return [], [str(error)]
    items: list[Located] = []
    for path in paths:
        loaded, load_errors = load_split(path)
        items, errors = items + loaded, errors + load_errors
    return items, errors + check_items(items, corpus) + coverage_errors(items) + overlap_errors(items)


def counts_table(items: list[Located]) -> str:
    """A Markdown table with a row per split and language, and totals."""
    columns = [*KINDS, "refuse", "total"]
    counts: Counter[tuple[str, str, str]] = Counter()
    for loc in items:
        for split, lang in ((s, lang) for s in (loc.split, "all") for lang in (loc.item.lang, "all")):
            counts.update([(split, lang, loc.item.kind), (split, lang, "total")])
            counts[(split, lang, "refuse")] += loc.item.expect == "refuse"
    lines = ["| split | lang | " + " | ".join(columns) + " |", "|---|---|" + "---:|" * len(columns)]
    for split in (*sorted({loc.split for loc in items}), "all"):
        for lang in (*LANGS, "all"):
            cells = " | ".join(str(counts[(split, lang, column)]) for column in columns)
            lines.append(f"| {split} | {lang} | {cells} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation.qaset", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="folder with manifest.yaml")
    parser.add_argument("--qa", type=Path, default=Path("eval/qa"), help="folder of <split>.jsonl files")
    args = parser.parse_args(argv)
    items, errors = validate(args.corpus, args.qa)
    print(counts_table(items) + "\n")
    summary = f"{len(errors)} problem(s) found" if errors else f"{len(items)} items, no problems found"
    print("\n".join([*errors, summary]))
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
