"""Names a question asks about that no document mentions: "Was the Hospital Authority one of them?", "Can I use
the Elderly Health Care Voucher?", "is it open on Sundays?", "入境處會唔會係第一批？". Whatever the passages say about
nearby things, they cannot answer for a scheme, body, place or day they never name, so the question is declined.

Only the sentences that ask something are read, so the sentence that introduces the asker ("I run a bakery in Sham
Shui Po.") or wraps the question is left alone.
- English questions: capitalised words. A name counts as mentioned when each of its words occurs somewhere in the
  documents, so "Cyberport AI Supercomputing Centre" is known from "the AI Supercomputing Centre at Cyberport".
- Chinese questions: the names of government bodies (…處, …署, …局, …委員會) and of households (綜援戶), looked up
  as written. The English
  words in a Chinese question are not read: people write NGO, POC or USD for what the Chinese documents say in Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.lang import asking_sentences, fold
from bot.safety import PLACEHOLDER

# A capitalised word, with the capitalised words (and "of"/"and"/"for"/"the" between them) that continue it.
_NAME = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Za-z0-9'’&-]*(?:\s+(?:(?:of|and|for|the)\s+)?[A-Z][A-Za-z0-9'’&-]*)*")
_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
_JOINING = frozenset({"of", "and", "for", "the"})
# Words that are capitalised for grammar or are part of how people ask, not names of what they ask about.
_NOT_NAMES = frozenset({"i", "i'm", "i've", "i'd", "i'll", "hkid", "ok", "okay", "hi", "hello", "thanks", "please"})
# A sentence's first word is capitalised anyway, as is the word after a colon or an opening quote.
_SENTENCE_START = re.compile(r"(^\W*|[:;.!?]\s+|[\"“‘'(\[]\s*)$")
_FIRST_WORD = re.compile(r"^\S+(\s+(of|and|for|the)\b)?\s*")
_PLACEHOLDER = re.compile(PLACEHOLDER)

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
# The end of a body's name: 勞工處, 水務署, 醫管局, 私隱專員公署; not the verb 處理 or 處於
_BODY_END = re.compile(r"(管理局|委員會|委员会|處|处|署|局|戶|户)(?![理於于置境罰罚口籍])")
# Words ending like a body's name that are none: 好處 (a benefit), 部署 (to deploy), 當局 (the authorities) ...
_NOT_BODIES = (
    "好處",
    "好处",
    "壞處",
    "坏处",
    "用處",
    "用处",
    "益處",
    "益处",
    "長處",
    "长处",
    "短處",
    "短处",
    "難處",
    "难处",
    "到處",
    "到处",
    "各處",
    "各处",
    "之處",
    "之处",
    "相處",
    "相处",
    "身處",
    "身处",
    "出處",
    "出处",
    "住處",
    "住处",
    "何處",
    "何处",
    "此處",
    "此处",
    "格局",
    "結局",
    "结局",
    "大局",
    "佈局",
    "布局",
    "當局",
    "当局",
    "部署",
    "簽署",
    "签署",
    "用戶",
    "用户",
    "客戶",
    "客户",
    "帳戶",
    "帐户",
    "账户",
    "住戶",
    "住户",
    "門戶",
    "门户",
    "窗戶",
    "窗户",
)


@dataclass(frozen=True)
class Vocabulary:
    """What the documents contain, folded (width, case, Traditional/Simplified): their words, and their text."""

    words: frozenset[str]
    text: str


def corpus_vocabulary(texts: Iterable[str]) -> Vocabulary:
    folded = fold(" ".join(texts)).lower()
    return Vocabulary(frozenset(_WORD.findall(folded)), folded)


def unknown_names(question: str, vocabulary: Vocabulary, lang: str) -> list[str]:
    """The names in the question's asking sentences that no document contains, in the order asked."""
    sentences = asking_sentences(_PLACEHOLDER.sub(" ", question))
    found = [
        name
        for sentence in sentences
        for name in (_english_names(sentence) if lang == "en" else _body_names(sentence))
        if not _mentioned(name, vocabulary, lang)
    ]
    return list(dict.fromkeys(found))


def _english_names(sentence: str) -> list[str]:
    names = []
    for match in _NAME.finditer(sentence):
        name = match.group()
        if _SENTENCE_START.search(sentence[: match.start()]):  # "Was the Hospital Authority ...": drop "Was the"
            name = _FIRST_WORD.sub("", name, count=1)
        names.append(name.strip("'’"))
    return [name for name in names if name]


def _body_names(sentence: str) -> list[str]:
    """Each body-name ending with up to six characters before it (how far the name reaches back is unknown)."""
    return [
        run[: end.end()][-7:]
        for run in _HAN_RUN.findall(sentence)
        for end in _BODY_END.finditer(run)
        if not run[: end.end()].endswith(_NOT_BODIES) and end.end() >= 3
    ]


def _mentioned(name: str, vocabulary: Vocabulary, lang: str) -> bool:
    if lang != "en":  # 入境處 is unknown when no ending of "係咪入境處" from three characters up is in the documents
        folded = fold(name).lower()
        return any(folded[-length:] in vocabulary.text for length in range(3, len(folded) + 1))
    words = [w for w in _WORD.findall(fold(name).lower()) if w not in _JOINING and w not in _NOT_NAMES]
    return all(_known(word, vocabulary.words) for word in words)


def _known(word: str, words: frozenset[str]) -> bool:
    """Whether a word of a name occurs in the documents, in either number or as a possessive ("Singapore's")."""
    bare = re.sub(r"['’]s$", "", word)
    forms = (word, bare, bare.removesuffix("s"), bare.removesuffix("es"), f"{bare}s", f"{bare}es")
    return len(bare) < 2 or any(form in words for form in forms)
