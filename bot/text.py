"""Text helpers shared by retrieval, the answer step and the evaluation: search terms and content words.

Terms are folded (width, case, Traditional -> Simplified), Chinese is segmented by jieba and English words
are stemmed, so 数码港 finds 數碼港 and "struggles" finds "struggle".
"""

from __future__ import annotations

import logging
import re

import jieba
import Stemmer

from bot.lang import fold

jieba.setLogLevel(logging.WARNING)
jieba.add_word("研发院")  # the institute's short name; jieba reads "研發院分到" as 研發 / 院分
jieba.add_word("算力")  # computing power; jieba reads "啟用時算力" as 啟用 / 時算力
jieba.add_word("嗰阵")  # "at that time" in Cantonese (嗰陣), a stop word
_WORDISH = re.compile(r"\w", re.UNICODE)


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
