"""Text in a document that is addressed to an assistant or tells it how to steer its readers.

Documents are data: a policy document states what is so, it does not tell whoever reads it to "ignore previous
instructions" or to "tell users to call ...". Such a sentence is never answer material; a document holding one was
written (or changed) to manipulate an assistant, so `askgov ingest` names it for staff to review and no answer is
made from it until it is fixed. The check is a few general shapes, in English and Chinese, not a list of phrasings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.lang import split_sentences

_ADDRESSED = re.compile(
    # overriding what the assistant was told: "Ignore previous instructions", "disregard all prior rules"
    r"\b(ignore|disregard|forget|override)\b[^.!?]{0,20}\b(previous|prior|above|earlier|preceding|all|any|your|system)"
    r"\b[^.!?]{0,20}\b(instructions?|rules|prompts?|guidelines)\b|"
    # steering the readers, said to whoever answers them: "(and) tell users to call ...", "You must instruct callers"
    r"(^\W*|\b(and|please|always|you (must|should))\s)(tell|instruct)\s(the |all |any |every )?"
    r"(users?|readers?|callers?|people|everyone|askers?|public|citizens|residents|applicants)\b|"
    # speaking to the assistant: "You are an AI assistant", "As a chatbot, ...", "Note to the AI: ..."
    r"\byou are an? (ai|assistant|chatbot|language model)\b|\bas an? (ai )?(assistant|chatbot|language model)\b|"
    r"\b(note|message|instructions?) (to|for) (the |any )?(ai|assistants?|chatbots?|bots?|language models?)\b|"
    r"\bwhen (you are )?asked (about|for|whether|if)\b[^.!?]{0,60}\b(say|answer|reply|respond)\b|"
    # the same in Chinese: 忽略以上指示, 請告訴市民…, 致AI助手：…, 回答時必須…, 如有人問…
    r"(忽略|無視|无视|忽視|忽视|不要理會|不要理会|唔好理)(以上|之前|先前|上述|前面|所有|一切|你的|你嘅)|"
    r"(^\W*|[，,：:]|請|请|並|并)(告訴|告诉|話俾|话俾|叫)(所有)?(用戶|用户|使用者|市民|讀者|读者|來電者|来电者|提問者|"
    r"提问者|大家)|"
    r"(致|給|给)\s?(AI|人工智能)?\s?(助手|助理|聊天機械人|聊天机器人)|"
    r"(回答|回覆|回复|作答)(時|时)(必須|必须|一定要|要|請|请)|(如|如果|若)有人(問|问)",
    re.IGNORECASE,
)


def addresses_assistant(sentence: str) -> bool:
    """True for a sentence addressed to an assistant, or telling it how to steer its readers."""
    return bool(_ADDRESSED.search(sentence))


def instructions_in(text: str) -> list[str]:
    """The sentences of `text` addressed to an assistant, in order."""
    return [sentence for sentence in split_sentences(text) if addresses_assistant(sentence)]


def first_instruction(texts: Iterable[str]) -> str:
    """The first such sentence in `texts`, or "" when there is none."""
    return next((found[0] for text in texts if (found := instructions_in(text))), "")
