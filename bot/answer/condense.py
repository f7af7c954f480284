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

# How a follow-up opens or points back, in any conversation: "And by 2030?", "What about them?", "咁要幾多錢？"
_FOLLOW_UP_OPENERS = re.compile(
    r"^\s*(and|but|also|so|then|what about|how about|咁|噉|那|還有|还有|仲有|另外|至於|至于)", re.I
)
_PRONOUNS = re.compile(
    r"\b(it|its|they|them|their|this|that|these|those|there|the others?|the rest|each)\b|"
    r"佢|它|他們|他们|這|这|那|呢個|呢啲|嗰|其餘|其余"
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
