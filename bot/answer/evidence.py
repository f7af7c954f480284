"""General detectors: what kind of thing a text holds, and whether it says the documents do not give something.

The answer decision (`bot.answer.decide`) asks of an answer whether it holds the kind of thing the question asks
for. The kinds are those any question about public services asks: a date, an amount of money, a share, a count, a
web address, a name (of a person or body), a place. Each is found by its form, never by a list of the documents'
words: digits with a currency or a unit, a month with a day or year, a capitalised noun phrase in English, and in
Chinese jieba's part-of-speech tags (nr person, ns place, nt organisation, nz other proper noun).

Sentences that say a detail is not given ("Public reporting does not give eligibility rules", "公開報道未有提及")
hold nothing, and a question whose words the retrieved passages use only in such sentences is one the documents
say they cannot answer.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jieba.posseg as posseg

from bot.lang import asking_sentences, fold, split_sentences
from bot.text import content_tokens

KINDS = ("date", "amount", "percentage", "count", "web address", "name", "place")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_FORMS: dict[str, re.Pattern[str]] = {
    "date": re.compile(
        rf"(?<!\d)(19|20)\d{{2}}(?!\d)|\b{_MONTH}\s+\d|\b\d{{1,2}}\s+{_MONTH}|\bmid-\d|[\d一二三四五六七八九十]+\s?月",
        re.IGNORECASE,
    ),
    "amount": re.compile(r"\$\s?\d|\d\s?(billion|million)\b|港元|港幣|港币|美元|\d\s?[億亿萬万]", re.IGNORECASE),
    "percentage": re.compile(r"\d\s?%|\bper ?cent|百分之", re.IGNORECASE),
    "count": re.compile(r"\d|[一二兩两三四五六七八九十百千]+\s?[個个名人間间項项位家所倍次份種种類类年]"),
    "web address": re.compile(r"https?://|\bwww\.|\.(gov|org|com|net|hk)\b", re.IGNORECASE),
}
_PLACE_EN = re.compile(r"\b(in|at|near)\s+(the\s+)?[A-Z][a-z]")
_MARKER = re.compile(r"\[(\d+)\]")
_TAGS = {"name": ("nr", "nt", "nz"), "place": ("ns",)}


def holds(kind: str, text: str) -> bool:
    """Whether `text` holds a thing of `kind` (one of KINDS); sentences declaring a gap hold nothing."""
    text = " ".join(s for s in split_sentences(_MARKER.sub("", text)) if not declares_gap(s))
    if kind in _FORMS:
        return bool(_FORMS[kind].search(text))
    if kind == "place" and _PLACE_EN.search(text):
        return True
    if kind == "name" and _capitalised_phrases(text):
        return True
    return any(flag.startswith(_TAGS[kind]) for flag in _chinese_tags(text))


def kinds_held(text: str) -> set[str]:
    return {kind for kind in KINDS if holds(kind, text)}


def _capitalised_phrases(text: str) -> list[str]:
    """Capitalised words past the first of their sentence, and acronyms: the English form of a name."""
    found = []
    for sentence in split_sentences(text):
        words = sentence.split()[1:]
        found += [w for w in words if w[:1].isupper() and w.strip(".,;:?!()'\"") not in ("I", "A")]
    return found


@lru_cache(maxsize=4096)
def _chinese_tags(text: str) -> tuple[str, ...]:
    han = "".join(ch if "\u4e00" <= ch <= "\u9fff" else " " for ch in fold(text))
    return tuple(flag for word, flag in posseg.lcut(han) if word.strip() and len(word) > 1) if han.strip() else ()


# What a figure answering a question looks like, when the question asks for one by its question word: "when" a date,
# "how much" an amount, "how many" a number. Used to keep an extractive answer to the sentences holding it.
_FIGURE_ASKED = {
    "date": re.compile(r"\bwhen\b|\bwhat year\b|幾時|几时|何時|何时|(什麼|什么|甚麼)時候|哪一?年", re.IGNORECASE),
    "amount": re.compile(r"\bhow much\b|(幾多|几多|多少)(錢|钱)", re.IGNORECASE),
    "count": re.compile(r"\bhow (many|much)\b|幾多|几多|多少", re.IGNORECASE),  # "how much power": a number
    "percentage": re.compile(r"\bpercent|比例|百分", re.IGNORECASE),
}
_ASKS_MORE = re.compile(
    r"\b(and|or|also)\s+(who|what|which|why|where|how|when)\b|同埋|以及|另外|還有|还有", re.IGNORECASE
)


def figures_asked(question: str) -> list[re.Pattern[str]]:
    """What a figure answering the question looks like, when one figure is all it asks for; else []."""
    if not asks_one_thing(question):
        return []
    return [_FORMS[kind] for kind, asks in _FIGURE_ASKED.items() if asks.search(question)]


def asks_one_thing(question: str) -> bool:
    """Whether a message asks one question ("When do they launch, and who oversees them?" asks two)."""
    return len(asking_sentences(question)) <= 1 and not _ASKS_MORE.search(question)


def holds_figure(sentence: str, figures: list[re.Pattern[str]]) -> bool:
    """Whether a sentence holds one of `figures`, or says such a figure is not given."""
    return declares_gap(sentence) or any(form.search(_MARKER.sub("", sentence)) for form in figures)


# Matched against folded text (Simplified, NFKC, lower case), so 說明, 説明 and 说明 all match.
_GAP = re.compile(
    r"\b(does|do|did) not (give|say|state|specify|set out|list|mention|name|provide)\b|"
    r"\bnot (stated|specified|given|published|disclosed|set out)\b|\bgives? no\b|"
    r"\bno \w+ (have|has|are|is|were|was) (been )?(reported|published|announced|given)\b|"
    r"(未有|没有|并未)(提及|列明|列出|说明|公布|披露|交代|提供)"
)


def declares_gap(sentence: str) -> bool:
    """Whether a sentence says the documents do not give something."""
    return bool(_GAP.search(fold(sentence)))


def only_gaps(answer: str) -> bool:
    """Whether every sentence of an answer says the documents do not give something: that is no answer."""
    sentences = split_sentences(_MARKER.sub("", answer))
    return bool(sentences) and all(declares_gap(s) for s in sentences)


def words_only_in_gaps(question: str, sentences: list[str]) -> set[str]:
    """The question's words that these sentences use only where they say a detail is not given."""
    gaps = [s for s in sentences if declares_gap(s)]
    if not gaps:
        return set()
    stated = {word for s in sentences if s not in gaps for word in content_tokens(s)}
    in_gaps = {word for s in gaps for word in content_tokens(s)}
    return (set(content_tokens(question)) & in_gaps) - stated


def passages_not_giving(question: str, passages: list[str]) -> list[int]:
    """The 1-based numbers of the passages that say they do not give what the question asks about, when the
    retrieved passages mention some word of the question only there; else none."""
    return list(dict.fromkeys(n for n, _ in gaps_about(question, passages)))


def gaps_about(question: str, passages: list[str]) -> list[tuple[int, str]]:
    """The sentences (with their passage's 1-based number) behind `passages_not_giving`."""
    by_passage = [split_sentences(text) for text in passages]
    missing = words_only_in_gaps(question, [s for sentences in by_passage for s in sentences])
    return [
        (n, s)
        for n, sentences in enumerate(by_passage, 1)
        for s in sentences
        if declares_gap(s) and missing & set(content_tokens(s))
    ]


def parts_not_given(question: str, passages: list[str]) -> list[tuple[int, str]]:
    """For a message asking two or more things of which the documents answer some, the sentences saying they do
    not give the rest; [] when every part, or the whole, is unanswered."""
    parts = asking_sentences(question)
    if len(parts) < 2 or all(passages_not_giving(part, passages) for part in parts):
        return []
    return gaps_about(question, passages)


def _sentences_with_markers(answer: str) -> list[tuple[str, int]]:
    """Each sentence of an answer with the [n] marker that closes it or, for a part of a list, the list."""
    pairs, waiting = [], []
    for sentence in split_sentences(answer):
        waiting.append(sentence)
        markers = _MARKER.findall(sentence)
        if markers:
            pairs += [(part, int(markers[-1])) for part in waiting]
            waiting = []
    return pairs


def gap_markers(answer: str) -> list[int]:
    """The [n] markers of the sentences that say a detail is not given, in order of first use."""
    found = [
        int(n) for sentence in split_sentences(answer) if declares_gap(sentence) for n in _MARKER.findall(sentence)
    ]
    return list(dict.fromkeys(found))
