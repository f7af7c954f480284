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
from bot.retrieve import Passage, content_tokens, keyword_tokens

MAX_SENTENCES = 3
KEEP_RATIO = 0.6  # a further sentence must score at least this share of the best one
RANK_BONUS = 0.15
MIN_CHARS = 6
REPEAT_OVERLAP = 0.6  # share of the smaller sentence's words that makes it a repeat


@dataclass(frozen=True)
class Candidate:
    passage_number: int  # 1-based position in the passages given to the backend
    position: int  # of the sentence in its passage; -1 for a whole table
    text: str
    last_resort: bool = False  # a notice repeated across documents, or the document describing itself


_TERMINAL = re.compile(r"[。！？；.!?;]")
_LIST_ITEM = re.compile(r"^\s*([-*•]|\d+[.)、])\s+")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_TABLE_RULE = re.compile(r"^\|[\s:|-]+\|?$")
MAX_TABLE_ROWS = 8
MAX_LABEL_CHARS = 30
LAST_RESORT_WEIGHT = 0.5  # an answer from a last-resort sentence only when nothing else matches as well
# A document describing itself ("This note explains ...", "本頁解答 ...") says what it covers, not what is so.
_SELF_DESCRIPTION = re.compile(
    r"^(this|the present) (overview|page|note|guide|timeline|document|fact ?sheet|summary|faq)\b.{0,40}?\b"
    r"(describes|explains|summari[sz]es|sets out|answers|gathers|brings together|covers|outlines|introduces|is)\b|"
    r"^it sets out\b|^本(文|頁|页|指南|便覽|便览|概覽|概览|時間表|时间表|文件)(概述|解答|說明|说明|整理|介紹|介绍|屬|属|列出|闡述|阐述)",
    re.IGNORECASE)


def is_statement(sentence: str) -> bool:
    """A full sentence or a list item: not a heading, a title, a question or a table's header cell."""
    if sentence.rstrip().endswith(("?", "？")):  # an FAQ's question restates, it does not answer
        return False
    return bool(_TERMINAL.search(sentence[-3:]) or (_LIST_ITEM.match(sentence) and len(sentence) >= 12)
                or sentence.count("|") >= 3)


def readable(sentence: str) -> str:
    """A list item without its bullet or bold label marks; a table row as "cell: cell; cell"."""
    if sentence.lstrip().startswith("|"):
        cells = [cell.strip() for cell in sentence.strip().strip("|").split("|") if cell.strip()]
        return f"{cells[0]}: {'; '.join(cells[1:])}" if len(cells) > 1 else "".join(cells)
    return _BOLD.sub(r"\1", _LIST_ITEM.sub("", sentence)).strip()


def table_rows(text: str) -> list[str]:
    """The rows of the first small table in a passage (its separator row left out), or none."""
    rows = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    rows = [row for row in rows if not _TABLE_RULE.match(row)]
    return rows if 2 <= len(rows) <= MAX_TABLE_ROWS else []


def table_candidate(number: int, text: str, lang: str) -> Candidate | None:
    """A small table as one candidate: in a fact sheet the subject sits in one row and the answer in another."""
    rows = table_rows(text)
    if not rows:
        return None
    joiner = "; " if lang == "en" else "；"
    return Candidate(number, -1, joiner.join(readable(row) for row in rows) + ("." if lang == "en" else "。"))


_LEAD_IN = re.compile(r"[:：]\s*$")
MAX_LIST_ITEMS = 8


def lead_in_lists(text: str) -> list[tuple[str, list[str]]]:
    """Each line ending in a colon with the list of two or more items that follows it."""
    lists: list[tuple[str, list[str]]] = []
    lead, items = "", []
    for line in [*text.splitlines(), ""]:
        if lead and _LIST_ITEM.match(line):
            items.append(line)
            continue
        if lead and (items or line.strip()):  # a blank line may sit between the lead-in and its list
            if 2 <= len(items) <= MAX_LIST_ITEMS:
                lists.append((lead, items))
            lead, items = "", []
        if _LEAD_IN.search(line) and not _LIST_ITEM.match(line):
            lead = line.strip()
    return lists


def list_candidates(number: int, text: str, lang: str) -> list[Candidate]:
    """A lead-in and its list as one candidate: "Authorities use the feedback to:" alone answers nothing,
    and the items alone do not say what they are a list of."""
    separator, end = ("; ", ".") if lang == "en" else ("；", "。")
    found = []
    for lead, items in lead_in_lists(text):
        body = separator.join(readable(item).rstrip(";；,，.。") for item in items)
        found.append(Candidate(number, -1, f"{readable(lead)}{' ' if lang == 'en' else ''}{body}{end}"))
    return found


def candidates(passages: list[Passage], boilerplate: frozenset[str] = frozenset(),
               lang: str = "en") -> list[Candidate]:
    found = []
    for number, passage in enumerate(passages, 1):
        table = table_candidate(number, passage.text, lang)
        if table:
            found.append(table)
        found.extend(list_candidates(number, passage.text, lang))
        for position, sentence in enumerate(split_sentences(passage.text)):
            if len(sentence) >= MIN_CHARS and is_statement(sentence):
                last_resort = sentence in boilerplate or bool(_SELF_DESCRIPTION.match(sentence))
                found.append(Candidate(number, position, readable(sentence), last_resort))
    return found


def score(question_tokens: list[str], found: list[Candidate]) -> list[float]:
    if not found or not question_tokens:
        return [0.0] * len(found)
    bm25 = bm25s.BM25()
    bm25.index([keyword_tokens(c.text) or ["∅"] for c in found], show_progress=False)
    ids, scores = bm25.retrieve([question_tokens], k=len(found), show_progress=False)
    lexical = dict(zip(ids[0].tolist(), scores[0].tolist()))
    best = max(lexical.values()) or 1.0
    return [(lexical.get(i, 0.0) / best + RANK_BONUS / c.passage_number) * (LAST_RESORT_WEIGHT if c.last_resort else 1)
            for i, c in enumerate(found)]


def repeats(new: set[str], said: set[str]) -> bool:
    """Whether most of what a sentence would add has been said already (the same fact, reworded)."""
    return not new or len(new & said) / len(new) >= REPEAT_OVERLAP


def stated(text: str) -> str:
    """What a sentence states beyond its label: "Funding: HK$3 billion" states "HK$3 billion"."""
    label, colon, rest = text.partition(": ")
    return rest if colon and len(label) <= MAX_LABEL_CHARS else text


def pick(found: list[Candidate], scores: list[float], asked: set[str] = frozenset()) -> list[Candidate]:
    """The best sentences that each add something beyond the question's own words and what is already chosen.

    "Name: AI Subsidy Scheme" only restates the question and is never picked on its own.
    """
    ranked = sorted(range(len(found)), key=lambda i: scores[i], reverse=True)
    chosen: dict[Candidate, set[str]] = {}
    bar = 0.0  # set by the first sentence chosen, not by one that only restated the question
    for i in ranked:
        if len(chosen) == MAX_SENTENCES or scores[i] < bar:
            break
        new = set(content_tokens(stated(found[i].text))) - asked
        if repeats(new, set().union(*chosen.values())):
            continue
        for earlier in [c for c, words in chosen.items() if words and words <= new]:
            del chosen[earlier]  # the new sentence says all the earlier one did, and more
        chosen[found[i]] = new
        bar = bar or KEEP_RATIO * scores[i]
    return sorted(chosen, key=lambda c: (c.passage_number, c.position))


def with_marker(sentence: str, number: int, lang: str = "en") -> str:
    """The [n] marker goes before the sentence's closing punctuation: "... 3,000 petaflops [1]." A table row or
    list item has none of its own and gets a full stop, so the next sentence does not run on from it."""
    body = sentence.rstrip("。！？；.!?;")
    ending = sentence[len(body):] or ("." if lang == "en" else "。")
    return f"{body} [{number}]{ending}"


def compose(chosen: Iterable[Candidate], lang: str) -> str:
    joiner = " " if lang == "en" else ""
    return joiner.join(with_marker(to_script(c.text, lang), c.passage_number, lang) for c in chosen)


def extractive_answer(question: str, focus: str, lang: str, passages: list[Passage],
                      boilerplate: frozenset[str] = frozenset()) -> str:
    """An answer made of retrieved sentences with [n] markers (n = 1-based index into `passages`)."""
    found = candidates(passages, boilerplate, lang)
    tokens = keyword_tokens(question) + keyword_tokens(focus)
    return compose(pick(found, score(tokens, found), set(tokens)), lang)
