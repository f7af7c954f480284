"""Text in a document that is addressed to an assistant or tells it how to steer its readers.

Documents are data: a policy document states what is so, it does not tell whoever reads it to "ignore previous
instructions" or to "tell users to call ...". Such a sentence is never answer material; a document holding one was
written (or changed) to manipulate an assistant, so `askgov ingest` names it for staff to review and no answer is
made from it until it is fixed. The check is a few general shapes, in English and Chinese, not a list of phrasings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.lang import fold, split_sentences

# Matched against the sentence folded (`bot.lang.fold`): lower case, half width, Chinese in Simplified characters.
_ADDRESSED = re.compile(
    # overriding what an assistant was told: "Ignore previous instructions", "disregard all prior instructions"
    r"\b(ignore|disregard)\b[^.!?]{0,30}\binstructions\b|"
    # steering its readers, said to whoever answers them: "... and tell users to call ...", "You must instruct callers"
    r"(^\W*|\band |\byou must )(tell|instruct) (all |the )?(users|readers|callers) (to|that)\b|"
    # speaking to it: "You are an AI assistant", "Note to the chatbot: ..."
    r"\b(you are an?|note to the) (ai|assistant|chatbot)\b|"
    # the same in Chinese: 忽略以上指示, 並告訴市民…, 致AI助手：…, 回答時必須…
    r"(忽略|无视)(以上|之前|所有)|(^|,|请|并)告诉(用户|市民|读者)|致(人工智能|ai)?(助手|助理)|回答时必须"
)


def addresses_assistant(sentence: str) -> bool:
    """True for a sentence addressed to an assistant, or telling it how to steer its readers."""
    return bool(_ADDRESSED.search(fold(sentence)))


def instructions_in(text: str) -> list[str]:
    """The sentences of `text` addressed to an assistant, in order."""
    return [sentence for sentence in split_sentences(text) if addresses_assistant(sentence)]


def first_instruction(texts: Iterable[str]) -> str:
    """The first such sentence in `texts`, or "" when there is none."""
    return next((found[0] for text in texts if (found := instructions_in(text))), "")
