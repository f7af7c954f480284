"""Language and script: detect English / Traditional / Simplified Chinese, convert scripts, fold for search."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

import opencc

Lang = Literal["en", "zh-Hant", "zh-Hans"]
LANGS: tuple[Lang, ...] = ("en", "zh-Hant", "zh-Hans")

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Written Cantonese particles: they only occur in Hong Kong-style Traditional writing.
_CANTONESE = re.compile(r"[嘅係冇唔咗喺嗰啲佢哋乜嘢點樣幾多而家]")


@lru_cache(maxsize=None)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def han_count(text: str) -> int:
    return len(_HAN.findall(text))


def is_chinese(text: str) -> bool:
    """True when Han characters outnumber Latin words (so "What is 數碼港?" counts as Chinese only narrowly)."""
    han = han_count(text)
    return han > 0 and han >= len(_LATIN_WORD.findall(text))


def detect_lang(text: str, default_chinese: Lang = "zh-Hant") -> Lang:
    """Guess en / zh-Hant / zh-Hans from the characters used.

    Characters that change under Traditional->Simplified conversion are Traditional-only, and the
    reverse; whichever side has more wins. Text with no telling characters (e.g. 人口) is Traditional
    when it has Cantonese particles, else `default_chinese` (Hong Kong's script).
    """
    if not is_chinese(text):
        return "en"
    han = "".join(_HAN.findall(text))
    traditional_only = sum(a != b for a, b in zip(han, _converter("t2s").convert(han)))
    simplified_only = sum(a != b for a, b in zip(han, _converter("s2t").convert(han)))
    if traditional_only > simplified_only:
        return "zh-Hant"
    if simplified_only > traditional_only:
        return "zh-Hans"
    if _CANTONESE.search(text):
        return "zh-Hant"
    return default_chinese


def detect_lang_in_conversation(question: str, earlier: list[str]) -> Lang:
    """The question's language; a Chinese question with no telling characters ("那2030年呢？") takes the
    script of what was said before it, so a Simplified conversation stays Simplified."""
    said_before = detect_lang(" ".join(earlier)) if earlier else "zh-Hant"
    return detect_lang(question, default_chinese="zh-Hans" if said_before == "zh-Hans" else "zh-Hant")


def to_script(text: str, lang: Lang) -> str:
    """Render Chinese text in the script of `lang` (Hong Kong variants for Traditional); English is unchanged."""
    if lang == "zh-Hant":
        return _converter("s2hk").convert(text)
    if lang == "zh-Hans":
        return _converter("hk2s").convert(text)
    return text


def fold(text: str) -> str:
    """A search key: full-width to half-width (NFKC), lower case, Traditional folded to Simplified."""
    return _converter("t2s").convert(unicodedata.normalize("NFKC", text).lower())


# A sentence ends at 。！？； (with any closing quote or bracket after it), or at .!? followed by a space or
# the end of the line, but not after common abbreviations.
_SENTENCE_END = re.compile(r"[。！？；!?][」』”’）)\"']*|\.(?=[\s\"')\]]|$)[\"')\]]*")
_ABBREVIATIONS = ("e.g", "i.e", "etc", "Mr", "Ms", "Dr", "No", "vs", "approx")


_LINE_END = re.compile(r"[。！？；：.!?:;」』）)]\s*$")
_BLOCK_START = re.compile(r"^\s*([-*•|#>]|\d+[.)、])")
WRAPPED_LINE_MIN = 30  # a line at least this long without a full stop was wrapped, not a heading


def unwrap_lines(text: str) -> list[str]:
    """Lines with hard-wrapped ones (as PDFs give them) joined back to their paragraph."""
    lines: list[str] = []
    for line in text.splitlines():
        previous = lines[-1] if lines else ""
        if (
            previous
            and line.strip()
            and len(previous) >= WRAPPED_LINE_MIN
            and not _LINE_END.search(previous)
            and not _BLOCK_START.match(line)
            and not _BLOCK_START.match(previous)
        ):
            joiner = "" if _HAN.match(previous[-1]) or _HAN.match(line.lstrip()[:1]) else " "
            lines[-1] = previous.rstrip() + joiner + line.strip()
        else:
            lines.append(line)
    return lines


def split_sentences(text: str) -> list[str]:
    """Sentences of English or Chinese text, each stripped; every line is at least its own sentence."""
    sentences: list[str] = []
    for line in unwrap_lines(text):
        start = 0
        for match in _SENTENCE_END.finditer(line):
            if match.group().startswith(".") and line[: match.start()].endswith(_ABBREVIATIONS):
                continue
            if line[start : match.end()].strip():
                sentences.append(line[start : match.end()].strip())
            start = match.end()
        if line[start:].strip():
            sentences.append(line[start:].strip())
    return sentences


def asking_sentences(message: str) -> list[str]:
    """The sentences of a message that ask something (end in a question mark)."""
    return [s for s in split_sentences(message) if s.rstrip().endswith(("?", "？"))]
