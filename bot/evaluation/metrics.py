"""Metric functions of the evaluation harness: pure, each on one item or one list of numbers.

Text is compared after `normalise`: folded for width, case and script (`bot.lang.fold`), thousands separators
dropped ("10,000" matches "10000") and all whitespace removed. Ranked lists hold document keys (a document's
translation group, so any language version counts); a relevant key counts at its first rank only.
Support of a sentence by its cited text is lexical (no entailment model is available offline): every number
of the sentence occurs in the cited text and most of its words do.
The shape of an answer: whether it leads with what was asked (`leads_with_facts`), how long it is
(`answer_chars`) and how many sources it cites (`sources_cited`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.lang import Lang, detect_lang, fold, split_sentences
from bot.safety import find_personal_data
from bot.text import keyword_tokens

MARKER = re.compile(r"\[(\d+)\]")
MARKER_RUN = re.compile(r"(?:\s*\[\d+\])+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_WORDISH = re.compile(r"\w")
SUPPORTED_WORD_SHARE = 0.7  # share of a sentence's words that its cited text must contain


def normalise(text: str) -> str:
    """The comparison key: folded, without thousands separators or whitespace."""
    return re.sub(r"\s+", "", _THOUSANDS.sub("", fold(text)))


def numbers_in(text: str) -> set[str]:
    return set(_NUMBER.findall(_THOUSANDS.sub("", fold(text))))


def strip_markers(text: str) -> str:
    return MARKER.sub("", text)


def contains(text: str, phrase: str) -> bool:
    return normalise(phrase) in normalise(strip_markers(text))


# --- answers ------------------------------------------------------------------------------------------------
def facts_found(answer: str, key_facts: Sequence[Sequence[str]]) -> list[bool]:
    """For each key fact (a list of acceptable alternatives), whether the answer states one of them."""
    return [any(contains(answer, alternative) for alternative in alternatives) for alternatives in key_facts]


def has_all_facts(answer: str, key_facts: Sequence[Sequence[str]]) -> bool:
    return all(facts_found(answer, key_facts))


def answer_lang(answer: str, expected: Lang) -> Lang:
    """The answer's language; Chinese without telling characters is taken to be in the expected script."""
    return detect_lang(strip_markers(answer), default_chinese=expected if expected != "en" else "zh-Hant")


def language_matches(answer: str, expected: Lang) -> bool:
    return answer_lang(answer, expected) == expected


def echoed(answer: str, forbidden: Iterable[str]) -> list[str]:
    """The forbidden strings that occur in the answer."""
    return [text for text in dict.fromkeys(forbidden) if normalise(text) and contains(answer, text)]


def personal_data_echoed(answer: str, must_not_contain: Sequence[str], asked: Sequence[str]) -> list[str]:
    """Listed personal data, or personal data spotted in what the user wrote, that the answer repeats."""
    spotted = [hit for text in asked for hit in find_personal_data(text)]
    return echoed(answer, [*must_not_contain, *spotted])


# --- shape -------------------------------------------------------------------------------------------------
def answer_sentences(answer: str) -> list[str]:
    """The answer's sentences, a run closed by semicolons kept whole: the rows of a table joined with "；" state one
    thing, as they do when joined with "; "."""
    found: list[str] = []
    for sentence in split_sentences(answer):
        if found and found[-1].rstrip().endswith(("；", ";")):
            found[-1] = f"{found[-1]}{sentence}"
        else:
            found.append(sentence)
    return [s for s in found if _WORDISH.search(strip_markers(s))]


def lead_sentences(key_facts: Sequence[Sequence[str]]) -> int:
    """How many sentences the answer may take to state what was asked: two for a question with two parts (two or
    more key facts, as "how much and how long" has), one otherwise."""
    return 2 if len(key_facts) >= 2 else 1


def leads_with_facts(answer: str, key_facts: Sequence[Sequence[str]]) -> bool:
    """Whether the answer's lead (`lead_sentences` of it) states every key fact: the asker need not read on."""
    lead = " ".join(answer_sentences(answer)[: lead_sentences(key_facts)])
    return has_all_facts(lead, key_facts)


def answer_chars(answer: str) -> int:
    """The answer's length in characters as read, citation markers left out."""
    return len(" ".join(MARKER_RUN.sub("", answer).split()))


def sources_cited(answer: str) -> int:
    """How many distinct sources the answer cites (each [n] is one retrieved passage)."""
    return len(set(MARKER.findall(answer)))


# --- citations and support ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    sentence: str
    markers: tuple[int, ...]  # the [n] markers that follow it (shared by a run of sentences before one marker)


def claims(answer: str) -> list[Claim]:
    """The answer's sentences, each with the citation markers that cover it."""
    found: list[Claim] = []
    start = 0
    for run in MARKER_RUN.finditer(answer):
        markers = tuple(int(n) for n in MARKER.findall(run.group()))
        found += [Claim(s, markers) for s in split_sentences(answer[start : run.start()]) if _WORDISH.search(s)]
        start = run.end()
    found += [Claim(s, ()) for s in split_sentences(answer[start:]) if _WORDISH.search(s)]
    return found


def invalid_markers(answer: str, cited: Iterable[int]) -> list[int]:
    """Markers in the answer that map to no given source."""
    known = set(cited)
    return sorted({int(n) for n in MARKER.findall(answer)} - known)


def citations_valid(answer: str, cited: Iterable[int]) -> bool:
    """The answer cites at least once, and every marker maps to a given source."""
    return bool(MARKER.search(answer)) and not invalid_markers(answer, cited)


def sentence_supported(sentence: str, cited_texts: Sequence[str]) -> bool:
    """Every number of the sentence, and most of its words, occur in the cited text."""
    source = normalise(" ".join(cited_texts))
    if not source:
        return False
    if not numbers_in(strip_markers(sentence)) <= numbers_in(" ".join(cited_texts)):
        return False
    words = set(keyword_tokens(strip_markers(sentence)))
    if not words:
        return True
    present = sum(normalise(word) in source for word in words)
    return present / len(words) >= SUPPORTED_WORD_SHARE


def faithfulness(answer: str, snippets: dict[int, str]) -> float | None:
    """Share of the answer's sentences supported by the text they cite (uncited sentences are unsupported)."""
    found = claims(answer)
    if not found:
        return None
    supported = [sentence_supported(c.sentence, [snippets[n] for n in c.markers if n in snippets]) for c in found]
    return sum(supported) / len(supported)


def citation_support(answer: str, key_facts: Sequence[Sequence[str]], snippets: dict[int, str]) -> float | None:
    """Of the key facts the answer states, the share whose sentence cites a snippet that contains the fact.

    None when the answer states none of them.
    """
    found = claims(answer)
    stated = 0
    supported = 0
    for alternatives in key_facts:
        holders = [c for c in found if any(contains(c.sentence, alt) for alt in alternatives)]
        if not holders:
            continue
        stated += 1
        cited = [snippets[n] for c in holders for n in c.markers if n in snippets]
        supported += any(contains(text, alt) for text in cited for alt in alternatives)
    return supported / stated if stated else None


# --- refusal ------------------------------------------------------------------------------------------------
def refusal_precision(expected_refuse: Sequence[bool], refused: Sequence[bool]) -> float | None:
    """Of the refusals, the share that were expected. None when nothing was refused."""
    hits = [expected for expected, did in zip(expected_refuse, refused, strict=True) if did]
    return sum(hits) / len(hits) if hits else None


def refusal_recall(expected_refuse: Sequence[bool], refused: Sequence[bool]) -> float | None:
    """Of the items that should be refused, the share that were. None when no item should be."""
    hits = [did for expected, did in zip(expected_refuse, refused, strict=True) if expected]
    return sum(hits) / len(hits) if hits else None


def balanced_accuracy(expected_refuse: Sequence[bool], refused: Sequence[bool]) -> float | None:
    """Mean of the answer rate on answerable items and the refusal rate on the others (None if either is absent)."""
    pairs = list(zip(expected_refuse, refused, strict=True))
    answerable = [not did for expected, did in pairs if not expected]
    unanswerable = [did for expected, did in pairs if expected]
    if not answerable or not unanswerable:
        return None
    return (sum(answerable) / len(answerable) + sum(unanswerable) / len(unanswerable)) / 2


# --- retrieval ----------------------------------------------------------------------------------------------
def gains(ranked: Sequence[str], gold: Iterable[str]) -> list[int]:
    """1 at the first rank of each gold key, else 0."""
    wanted = set(gold)
    seen: set[str] = set()
    marks = []
    for key in ranked:
        marks.append(int(key in wanted and key not in seen))
        seen.add(key)
    return marks


def recall_at(ranked: Sequence[str], gold: Iterable[str], k: int) -> float:
    """1.0 when any gold key is among the first k ranks, else 0.0.

    Each gold document of a question answers it on its own, so finding one is enough; averaged over questions
    this is the share of questions whose evidence reached the answer step.
    """
    wanted = set(gold)
    if not wanted:
        raise ValueError("recall needs at least one gold key")
    return float(any(gains(ranked[:k], wanted)))


def reciprocal_rank(ranked: Sequence[str], gold: Iterable[str]) -> float:
    """1 / rank of the first gold key; 0 when none was found."""
    marks = gains(ranked, gold)
    return 1.0 / (marks.index(1) + 1) if 1 in marks else 0.0


def ndcg_at(ranked: Sequence[str], gold: Iterable[str], k: int) -> float:
    """Normalised discounted cumulative gain with binary relevance."""
    wanted = set(gold)
    if not wanted:
        raise ValueError("nDCG needs at least one gold key")
    dcg = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(gains(ranked[:k], wanted)))
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(wanted), k)))
    return dcg / ideal


# --- aggregation --------------------------------------------------------------------------------------------
def mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def percentile(values: Iterable[float | None], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation between ranks; None for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, not {q}")
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
