"""The extractive backend: no generative model; it picks the retrieved sentences that answer the question.

Sentences are scored by BM25 against the question's words (the words of a follow-up count double, so
"And by 2030?" picks the 2030 sentence, not the one that answered the previous turn), with a small
bonus for coming from a higher-ranked passage. The best one to three sentences are returned in document
order, each followed by the [n] marker of its passage. Deterministic and fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import bm25s

from bot.lang import split_sentences, to_script
from bot.retrieve import Passage, keyword_tokens

MAX_SENTENCES = 3
KEEP_RATIO = 0.6  # a further sentence must score at least this share of the best one
RANK_BONUS = 0.15
MIN_CHARS = 6
REPEAT_OVERLAP = 0.6  # share of the smaller sentence's words that makes it a repeat


@dataclass(frozen=True)
class Candidate:
    passage_number: int  # 1-based position in the passages given to the backend
    position: int
    text: str


_TERMINAL = re.compile(r"[。！？；.!?;]")
_LIST_ITEM = re.compile(r"^\s*([-*•]|\d+[.)、])\s+")


def is_statement(sentence: str) -> bool:
    """A full sentence or a list item: not a heading, a title, a question or a table's header cell."""
    if sentence.rstrip().endswith(("?", "？")):  # an FAQ's question restates, it does not answer
        return False
    return bool(_TERMINAL.search(sentence[-3:]) or (_LIST_ITEM.match(sentence) and len(sentence) >= 12)
                or sentence.count("|") >= 3)


def readable(sentence: str) -> str:
    """A list item without its bullet; a table row as "cell: cell; cell"."""
    if sentence.lstrip().startswith("|"):
        cells = [cell.strip() for cell in sentence.strip().strip("|").split("|") if cell.strip()]
        return f"{cells[0]}: {'; '.join(cells[1:])}" if len(cells) > 1 else "".join(cells)
    return _LIST_ITEM.sub("", sentence).strip()


def candidates(passages: list[Passage], boilerplate: frozenset[str] = frozenset()) -> list[Candidate]:
    found = []
    for number, passage in enumerate(passages, 1):
        for position, sentence in enumerate(split_sentences(passage.text)):
            if len(sentence) >= MIN_CHARS and sentence not in boilerplate and is_statement(sentence):
                found.append(Candidate(number, position, readable(sentence)))
    return found


def score(question_tokens: list[str], found: list[Candidate]) -> list[float]:
    if not found or not question_tokens:
        return [0.0] * len(found)
    bm25 = bm25s.BM25()
    bm25.index([keyword_tokens(c.text) or ["∅"] for c in found], show_progress=False)
    ids, scores = bm25.retrieve([question_tokens], k=len(found), show_progress=False)
    lexical = dict(zip(ids[0].tolist(), scores[0].tolist()))
    best = max(lexical.values()) or 1.0
    return [lexical.get(i, 0.0) / best + RANK_BONUS / c.passage_number for i, c in enumerate(found)]


def overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(min(len(a), len(b)), 1)


def pick(found: list[Candidate], scores: list[float]) -> list[Candidate]:
    """The best sentences, skipping any that mostly repeats one already chosen (the same fact, reworded)."""
    ranked = sorted(range(len(found)), key=lambda i: scores[i], reverse=True)
    chosen: list[tuple[Candidate, set[str]]] = []
    for i in ranked:
        if len(chosen) == MAX_SENTENCES or scores[i] < KEEP_RATIO * scores[ranked[0]]:
            break
        tokens = set(keyword_tokens(found[i].text))
        if all(overlap(tokens, other) < REPEAT_OVERLAP for _, other in chosen):
            chosen.append((found[i], tokens))
    return sorted((c for c, _ in chosen), key=lambda c: (c.passage_number, c.position))


def with_marker(sentence: str, number: int) -> str:
    """The [n] marker goes before the sentence's closing punctuation: "... 3,000 petaflops [1]." """
    body = sentence.rstrip("。！？；.!?;")
    return f"{body} [{number}]{sentence[len(body):]}"


def compose(chosen: Iterable[Candidate], lang: str) -> str:
    joiner = " " if lang == "en" else ""
    return joiner.join(with_marker(to_script(c.text, lang), c.passage_number) for c in chosen)


def extractive_answer(question: str, focus: str, lang: str, passages: list[Passage],
                      boilerplate: frozenset[str] = frozenset()) -> str:
    """An answer made of retrieved sentences with [n] markers (n = 1-based index into `passages`)."""
    found = candidates(passages, boilerplate)
    tokens = keyword_tokens(question) + keyword_tokens(focus)
    return compose(pick(found, score(tokens, found)), lang)
