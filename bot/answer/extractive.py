"""The extractive backend: no generative model; it picks the retrieved sentences that answer the question.

Candidates (`bot.answer.candidates`: sentences, table rows, whole small tables and lists) are scored by BM25
against the question's content words, the asking sentences of the message counting twice (so "And by 2030?"
picks the 2030 sentence, not the one that answered the previous turn), plus half the BM25 of the section title
they sit under, a bonus for a reason when the question asks why (for an offer of help when it asks what one can do,
for a multiple when it asks how many times, for a use when it asks what is done with something), and a small one
for a higher-ranked passage; when the index holds sentence vectors (`bot.answer.sentence_index`), also by how close each
is in meaning to the question, which finds the answer to a question worded unlike the documents.
The best one to four that each add something new are returned best first (one giving what the question asks for,
a reason or a multiple, before the rest), each followed by the [n] marker of its passage. Deterministic and fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import bm25s

from bot.answer.candidates import Candidate, candidates, members, split_label
from bot.answer.evidence import asks_one_thing, figures_asked, holds_figure
from bot.lang import asking_sentences, fold, to_script
from bot.retrieve import Passage
from bot.text import content_tokens, keyword_tokens

if TYPE_CHECKING:
    from bot.answer.sentence_index import SentenceVectors

MAX_SENTENCES = 4
KEEP_RATIO = 0.6  # a further sentence must score at least this share of the best one
RANK_BONUS = 0.15
HEADING_WEIGHT = 0.5  # the section title counts, but less than what the sentence itself says
REPEAT_OVERLAP = 0.6  # share of the smaller sentence's words that makes it a repeat
MAX_LABEL_CHARS = 30
LAST_RESORT_WEIGHT = 0.5  # an answer from a last-resort sentence only when nothing else matches as well
# Meaning counts as much as the words: on dev, weight 1.0 took answer accuracy from 0.828 to 0.894 (1.5 and 2.0:
# 0.906) and, on 90 new items written blind, from 0.719 to 0.789 in a first trial (1.5: 0.772), 0.807 as built.
SIMILARITY_WEIGHT = 1.0
# The patterns below are matched against folded text (`bot.lang.fold`: Simplified, half-width, lower case), so one
# spelling of each Chinese word serves both scripts.
# "Which principles ...?", "What are the main aims ...?", "有邊幾個原則？": asks for a whole table or list.
_ASKS_FOR_LIST = re.compile(
    r"\b(which|what)\s+(\w+\s+)?\w{3,}[^\Ws]s\b|\bwhat are the\b|\blist\b|哪些|哪几|边啲|边几|几方面|有哪|有边"
)
_ASKS_WHY = re.compile(
    r"\bwhy\b|\bwhat for\b|\bfor what reason\b|点解|为何|为什么|为甚么|何解|咩原因|(什么|甚么)原因|目的是|"
    r"为咗(咩|乜|什么|甚么)|为了(什么|甚么)|(有|系|是)(咩|乜|什么|甚么)目的"
)
_GIVES_REASON = re.compile(
    r"\b(because|so that|in order to|as a result|since|the reason|the aim|the goal|the purpose|"
    r"is meant to|are meant to|so as to)\b|因为|由于|为了|以便|以免|目的|原因|从而|有助|以维持|以确保|所以|因此|旨在"
)
BONUS = 0.3  # for a sentence giving what a kind of question asks for (`_WANTED`)
# asked what a term means, its definition is the answer, however few of the question's other words it shares
DEFINITION_BONUS = 1.0
# "What can I do?", "Is anything being done to help ...?", "政府會點安置我哋？": a sentence offering help answers it
_ASKS_HELP = re.compile(
    r"\bwhat (can|should) (i|we)\b|\bhelp (people|me|us|him|her|them)\b|\bbeing done\b|"
    r"\bcope\b|(我|我哋|我们)(可以|应该)做(啲|些)?(咩|乜|什么)|(点|怎样|如何)(安置|帮|支援|协助)|"
    r"有(咩|什么|甚么)(帮助|支援|协助)"
)
_OFFERS_HELP = re.compile(
    r"\b(retrain\w*|training|reskill\w*|support\w*|help\w*|assist\w*|literacy|subsidi[sz]ed|"
    r"free)\b|培训|进修|支援|协助|资助|免费|知识"
)
# "How many times bigger?", "幾倍?": the multiple, which a fact sheet's row may give ("five times the launch capacity")
# while the sentences give the two figures it is worked out from
_ASKS_MULTIPLE = re.compile(
    r"\bhow many times\b|\bhow much (bigger|larger|more|greater|stronger)\b|"
    r"\bhow much (is it|will it|does it) (\w+ )?(to )?(grow|expand|increase)\b|"
    r"几倍|多少倍|大(几多|多少)"
)
_GIVES_MULTIPLE = re.compile(r"\b(times|fold)\b|\wfold\b|倍")
# "Does anyone do anything with what we tell them?", "這些意見會被拿去幹什麼？": what a thing is used for
_ASKS_USE = re.compile(
    r"\bused for\b|\b(do|does|did|will) (anything|something) with\b|\bget(s)? done with\b|"
    r"\bwhat (do|does|will|did) (they|the government|authorities|anyone|officials) do with\b|"
    r"(用来|用嚟|拿去|拎去|攞去)(做|干|搞)|有(咩|什么|甚么)用|(点样|如何|怎样)(运用|使用)"
)
_GIVES_USE = re.compile(
    r"\buse[sd]? (the|this|these|that|such|their|public|residents') (\w+ ){0,2}(to|for|in)\b|"
    r"\bused to (improve|refine|shape|inform|address|tailor|make)\b|运用|用于|用作"
)
# "What does 'accelerated depreciation' mean?", "petaflop係咩嚟？": the row or sentence defining the term answers it
_ASKS_MEANING = re.compile(
    r"\bwhat (does|do) (.{1,60}) (mean|stand for)\b|\bwhat is meant by\b|\bmeaning of\b|"
    r"(系|是)(咩|乜|什么|甚么)(嚟|来)|(咩|乜|什么|甚么)意思|(代表|指)(咩|乜|什么|甚么)"
)
_OPENS_DEFINITION = re.compile(
    r"^(.{2,40}?)\s*(\bis\b|\bare\b|\bmeans\b|\brefers to\b|是指|指的是|即是|是一种|是|即|代表)"
)
# what a kind of question asks for, and what a sentence giving it looks like
_WANTED = (
    (_ASKS_WHY, _GIVES_REASON),
    (_ASKS_HELP, _OFFERS_HELP),
    (_ASKS_MULTIPLE, _GIVES_MULTIPLE),
    (_ASKS_USE, _GIVES_USE),
)


def wanted(question: str) -> list[re.Pattern[str]]:
    """What a sentence answering the question gives (a reason for "why", a multiple for "how many times").
    Not a multiple when something else is asked too: "幾多倍？另外petaflop代表甚麼？" needs the definition as well."""
    return [
        gives
        for asks, gives in _WANTED
        if asks.search(fold(question)) and (asks is not _ASKS_MULTIPLE or asks_one_thing(question))
    ]


@lru_cache(maxsize=8192)
def folded(text: str) -> str:
    """`fold` of a candidate sentence, which is read against several patterns for each question."""
    return fold(text)


def gives_any(gives: Sequence[re.Pattern[str]], text: str) -> bool:
    """Whether a sentence gives what one of the `wanted` patterns looks for."""
    return any(pattern.search(folded(text)) for pattern in gives)


def defines(text: str, asked: set[str]) -> bool:
    """Whether a candidate defines a term of the question: a row labelled with it ("Accelerated depreciation: ...")
    or a sentence opening with it ("A petaflop is ...", "petaflop是...")."""
    label, _ = split_label(text)
    if not (label and len(label) <= MAX_LABEL_CHARS):
        opening = _OPENS_DEFINITION.match(folded(text))
        label = opening.group(1) if opening else ""
    term = set(content_tokens(label))
    return bool(term) and term <= asked


def score(
    question_tokens: list[str],
    found: list[Candidate],
    lists_asked: bool = False,
    gives: Sequence[re.Pattern[str]] = (),
    similarity: Sequence[float] = (),
    meaning_asked: bool = False,
) -> list[float]:
    """BM25 of each candidate (with its section title) against the question, scaled to the best, plus a bonus for
    a higher-ranked passage. When the question asks for a list, a whole table or list scores as its best part;
    a sentence that `gives` what the question asks for (a reason, an offer of help, a multiple: see `wanted`) gets
    a bonus. Given each candidate's similarity to the question, the least similar adds nothing and the most
    SIMILARITY_WEIGHT."""
    if not found or not question_tokens:
        return [0.0] * len(found)
    text = relative_bm25(question_tokens, [c.text for c in found])
    heading = relative_bm25(question_tokens, [c.heading for c in found])
    asked = set(question_tokens)
    bonus = [
        (BONUS if gives_any(gives, c.text) else 0.0)
        + (DEFINITION_BONUS if meaning_asked and defines(c.text, asked) else 0.0)
        for c in found
    ]
    scores = [
        (text[i] + HEADING_WEIGHT * heading[i] + bonus[i] + RANK_BONUS / c.passage_number)
        * (LAST_RESORT_WEIGHT if c.last_resort else 1)
        for i, c in enumerate(found)
    ]
    if lists_asked:
        scores = [
            max([scores[i], *(scores[m] for m in members(c, found))]) if c.is_group else scores[i]
            for i, c in enumerate(found)
        ]
    if len(similarity) == len(found):
        low, high = min(similarity, default=0.0), max(similarity, default=0.0)
        scores = [
            s + SIMILARITY_WEIGHT * (near - low) / ((high - low) or 1.0) * (LAST_RESORT_WEIGHT if c.last_resort else 1)
            for s, near, c in zip(scores, similarity, found)
        ]
    return scores


def relative_bm25(question_tokens: list[str], texts: list[str]) -> list[float]:
    """BM25 of each text against the question, as a share of the best (0 for all when nothing matches)."""
    bm25 = bm25s.BM25()
    bm25.index([keyword_tokens(text) or ["∅"] for text in texts], show_progress=False)
    ids, scores = bm25.retrieve([question_tokens], k=len(texts), show_progress=False)
    found = dict(zip(ids[0].tolist(), scores[0].tolist()))
    best = max(found.values()) or 1.0
    return [found.get(i, 0.0) / best for i in range(len(texts))]


def repeats(new: set[str], said: set[str]) -> bool:
    """Whether most of what a sentence would add has been said already (the same fact, reworded)."""
    return not new or len(new & said) / len(new) >= REPEAT_OVERLAP


def stated(text: str) -> str:
    """What a sentence states beyond its label: "Funding: HK$3 billion" states "HK$3 billion"."""
    label, rest = split_label(text)
    return rest if label and len(label) <= MAX_LABEL_CHARS else text


def pick(
    found: list[Candidate],
    scores: list[float],
    asked: set[str] = frozenset(),
    lists_asked: bool = False,
    gives: Sequence[re.Pattern[str]] = (),
) -> list[Candidate]:
    """The best sentences that each add something beyond the question's own words and what is already chosen.

    "Name: AI Subsidy Scheme" only restates the question and is never picked on its own. Unless a list was asked
    for, a whole table or list is not added to one of its own rows or items: the rest of it was not asked about.
    A sentence that `gives` what was asked for when nothing chosen does is no repeat, however many words it
    shares: "3,000 ... 15,000 petaflops; five times the launch capacity" after "from 3,000 to 15,000 petaflops".
    """
    ranked = sorted(range(len(found)), key=lambda i: scores[i], reverse=True)
    chosen: dict[Candidate, set[str]] = {}  # what each chosen sentence adds to the question
    words: dict[Candidate, set[str]] = {}  # all it says, the question's words and its label included
    bar = 0.0  # set by the first sentence chosen, not by one that only restated the question
    for i in ranked:
        if len(chosen) == MAX_SENTENCES or scores[i] < bar:
            break
        candidate = found[i]
        says = set(content_tokens(candidate.text))
        label_free = stated(candidate.text)
        new = (says if label_free == candidate.text else set(content_tokens(label_free))) - asked
        contained = [c for c, added in chosen.items() if added and added <= new]  # it says all they did, and more
        others = set().union(*(words[c] for c in chosen if c not in contained))
        supplies = gives_any(gives, candidate.text) and not any(gives_any(gives, c.text) for c in chosen)
        if not new or (repeats(says, others) and not supplies):
            continue
        if candidate.is_group and not lists_asked and any(found[m] in chosen for m in members(candidate, found)):
            continue
        chosen = in_place_of(contained, candidate, new, chosen)
        words[candidate] = says
        bar = bar or KEEP_RATIO * scores[i]
    return list(chosen)


def in_place_of(
    contained: list[Candidate], candidate: Candidate, new: set[str], chosen: dict[Candidate, set[str]]
) -> dict[Candidate, set[str]]:
    """`chosen` with `candidate` added, in the place of the first sentence it says all of (the best first)."""
    if not contained:
        return {**chosen, candidate: new}
    replaced: dict[Candidate, set[str]] = {}
    for earlier, added in chosen.items():
        if earlier is contained[0]:
            replaced[candidate] = new
        elif earlier not in contained:
            replaced[earlier] = added
    return replaced


def with_marker(sentence: str, number: int, lang: str = "en") -> str:
    """The [n] marker goes before the sentence's closing punctuation: "... 3,000 petaflops [1]." A table row or
    list item has none of its own and gets a full stop, so the next sentence does not run on from it."""
    body = sentence.rstrip("。！？；.!?;")
    ending = sentence[len(body) :] or ("." if lang == "en" else "。")
    return f"{body} [{number}]{ending}"


def compose(chosen: Iterable[Candidate], lang: str) -> str:
    joiner = " " if lang == "en" else ""
    return joiner.join(with_marker(to_script(c.text, lang), c.passage_number, lang) for c in chosen)


def extractive_answer(
    question: str,
    focus: str,
    lang: str,
    passages: list[Passage],
    boilerplate: frozenset[str] = frozenset(),
    sentence_vectors: SentenceVectors | None = None,
    query_vector: Sequence[float] = (),
) -> str:
    """An answer made of retrieved sentences with [n] markers (n = 1-based index into `passages`).
    `query_vector` is the question's as the retriever embedded it; with `sentence_vectors` it scores meaning."""
    found = candidates(passages, boilerplate, lang)
    # the words that say what is asked ("what", "is", "嘅" match sentences by chance); the asking sentences twice
    tokens = content_tokens(question) + content_tokens(asking_part(focus))
    lists_asked = bool(_ASKS_FOR_LIST.search(fold(question)) or _ASKS_FOR_LIST.search(fold(focus)))
    similarity = (
        sentence_vectors.similarities(query_vector, found) if sentence_vectors is not None and len(query_vector) else []
    )
    gives = wanted(focus or question)
    scores = score(
        tokens, found, lists_asked, gives, similarity, meaning_asked=bool(_ASKS_MEANING.search(fold(focus or question)))
    )
    chosen = to_the_point(pick(found, scores, set(tokens), lists_asked, gives), focus or question)
    return compose(giving_first(chosen, gives), lang)


def giving_first(chosen: list[Candidate], gives: Sequence[re.Pattern[str]]) -> list[Candidate]:
    """The chosen sentences, best first, those giving what the question asks for (see `wanted`) before the rest:
    asked why, the reason is the answer, and what it is a reason for only sets the scene."""
    return sorted(chosen, key=lambda c: not gives_any(gives, c.text)) if gives else chosen


def to_the_point(chosen: list[Candidate], question: str) -> list[Candidate]:
    """Asked for one figure ("幾多算力?", "When ...?"), the chosen sentences that hold one, when some do: the others
    only set the scene ("Cyberport's existing capacity is the starting point")."""
    figures = figures_asked(question)
    holding = [c for c in chosen if figures and holds_figure(c.text, figures)]
    return holding or chosen


def asking_part(message: str) -> str:
    """The sentences of a message that ask something ("... . How many posts will go?"), or all of it."""
    return " ".join(asking_sentences(message)) or message
