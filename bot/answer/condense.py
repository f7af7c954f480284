"""Turning a follow-up ("And by 2030?", "咁要幾多錢？") into a question retrieval can use on its own.

Without a generative model the rewrite is deterministic: a message that reads as a follow-up (short, or
opening with "and"/"what about"/"咁"/"那", or leaning on "it"/"they"/"佢"/"這個") gets the previous user
question in front of it, which carries the subject over. A generative backend may rewrite it instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer.types import Turn
from bot.lang import han_count, is_chinese

_FOLLOW_UP_OPENERS = re.compile(
    r"^\s*(and|but|also|so|ok(ay)?|what about|how about|then|what else|same for|and what|咁|噉|那|那麼|那么|"
    r"還有|还有|仲有|另外|而|至於|至于|如果係|點解)",
    re.IGNORECASE,
)
_PRONOUNS = re.compile(
    r"\b(it|its|they|them|their|this|that|these|those|there|he|she|the scheme|the centre|the institute|"
    r"the others?|the rest|remaining|each)\b|"
    r"佢|佢哋|它|它們|它们|他們|他们|這個|这个|那個|那个|呢個|嗰個|這些|这些|那些|呢啲|嗰啲|這啲|该|該|此|其他|其餘|其余|其它|"
    r"剩低|剩下",
    re.IGNORECASE,
)
SHORT_WORDS = 6
SHORT_HAN = 10


def looks_like_follow_up(question: str) -> bool:
    if _FOLLOW_UP_OPENERS.search(question) or _PRONOUNS.search(question):
        return True
    if is_chinese(question):
        return han_count(question) <= SHORT_HAN
    return len(question.split()) <= SHORT_WORDS


def standalone_question(question: str, history: Sequence[Turn]) -> str:
    """The question with the previous user turn's subject carried in when it is a follow-up."""
    previous = [turn.content for turn in history if turn.role == "user" and turn.content.strip()]
    if not previous or not looks_like_follow_up(question):
        return question
    return f"{previous[-1].strip()} {question.strip()}"
