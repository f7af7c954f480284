"""Text helpers shared by retrieval, the answer step and the evaluation: search terms and content words.

Terms are folded (width, case, Traditional -> Simplified), Chinese is segmented by jieba and English words
are stemmed, so 数码港 finds 數碼港 and "struggles" finds "struggle".
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

import jieba
import Stemmer

from bot.lang import fold

jieba.setLogLevel(logging.WARNING)
jieba.add_word("嗰阵")  # "at that time" in Cantonese (嗰陣), a stop word
_WORDISH = re.compile(r"\w", re.UNICODE)
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Characters that join words rather than make them: a run holding one is a phrase, not a term
_FUNCTION_CHARS = frozenset("的了和与及或在是为对于把被将从以而并也都就这那其之所有个")
TERM_MIN_COUNT = 5  # occurrences in the documents
TERM_MIN_NEIGHBOURS = 3  # different characters seen on each side: a unit used in many contexts
_learned: set[str] = set()


def corpus_terms(texts: Iterable[str]) -> list[str]:
    """Terms of the documents that jieba's dictionary lacks, found by how they are used rather than listed: two or
    three Chinese characters that occur often, each time next to many different characters (a unit of meaning used
    in many contexts, such as a short name or a technical word), and hold no function character."""
    counts: Counter[str] = Counter()
    left: dict[str, set[str]] = defaultdict(set)
    right: dict[str, set[str]] = defaultdict(set)
    for text in texts:
        for run in _HAN_RUN.findall(fold(text)):
            for n in (2, 3):
                for i in range(len(run) - n + 1):
                    gram = run[i : i + n]
                    counts[gram] += 1
                    left[gram].add(run[i - 1] if i else "^")
                    right[gram].add(run[i + n] if i + n < len(run) else "$")
    return sorted(
        gram
        for gram, count in counts.items()
        if count >= TERM_MIN_COUNT
        and min(len(left[gram]), len(right[gram])) >= TERM_MIN_NEIGHBOURS
        and gram not in jieba.dt.FREQ
        and not _FUNCTION_CHARS.intersection(gram)
    )


def learn_terms(texts: Iterable[str]) -> list[str]:
    """Teach jieba the indexed documents' own terms (`corpus_terms`), so that 研發院 or 算力 stay whole in both the
    documents and the questions. Returns the terms that were new."""
    new = [term for term in corpus_terms(texts) if term not in _learned]
    for term in new:
        jieba.add_word(term)
        _learned.add(term)
    return new


def learned_terms() -> frozenset[str]:
    """The documents' terms jieba has been taught so far: segmentation depends on them as on the code."""
    return frozenset(_learned)


def keyword_tokens(text: str) -> list[str]:
    """Search terms: folded (width, case, script), Chinese segmented by jieba, English words stemmed."""
    return [_stem(token) for token in _words(text)]


def _words(text: str) -> list[str]:
    return [token for token in jieba.lcut_for_search(fold(text)) if _WORDISH.search(token)]


_ENGLISH = re.compile(r"[a-z]+")
_STEMMER = Stemmer.Stemmer("english")


def _stem(token: str) -> str:
    return _STEMMER.stemWord(token) if _ENGLISH.fullmatch(token) else token


# Words that say nothing about what is asked: question words, particles, the city's own name, and the
# function words of written Cantonese and of sloppy English. Tokens are folded (Simplified, lower case).
STOP_WORDS = frozenset(
    "a an the of to in on for by and or is are was were be been will would can could do does did what which who "
    "whom when where why how many much any there this that these those it its i me my you your we our they their "
    "about with from as at please tell know get has have had if so than then also more most some hong kong go going "
    "happen need want make whats wat u ur pls plz actually actualy really exactly just like supposed give "
    "什么 甚么 多少 几多 几时 点样 怎样 怎么 如何 是否 吗 呢 啊 呀 的 了 有 冇 没有 是 "
    "系 唔 会 将 在 于 我 你 佢 他 她 它 咩 乜 嘢 边个 哪 谁 请问 可以 要 想 知 "
    "知道 问 吗 嘅 咗 啲 同 和 及 与 香港 政府 边 边度 边啲 边几 几 几个 哪个 哪些 "
    "每个 有个 呢个 嗰个 𠮶个 嗰 𠮶 个 点 点解 样 喺 俾 畀 嚟 啱 晒 咁 噉 咪 囉 㗎 "
    "喎 啦 吖 嘛 就 都 仲 先 再 好 做 试 下 帮 到 起 出 有冇 系咪 系唔系 会唔会 "
    "使唔使 得唔得 可唔可以 而家 依家 嗰阵 果阵 时 阵 时候 现在 目前 一下 一些 所有 上面 "
    "加上 no not nor each 它们 他们 她们 佢哋 我哋 我们 你哋 你们".split()
)


def content_tokens(text: str) -> list[str]:
    """Search terms that say what is asked (stop words are left out before stemming)."""
    return [_stem(token) for token in _words(text) if token not in STOP_WORDS]
