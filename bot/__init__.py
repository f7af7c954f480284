"""AskGov HK: cited, multilingual answers from Hong Kong policy documents."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["Assistant", "AnswerResult"]

if TYPE_CHECKING:
    from bot.answer.chain import Assistant
    from bot.answer.types import AnswerResult


def __getattr__(name: str):
    # Imported lazily so `import bot` (and the CLI's start-up) does not load LangChain and Chroma.
    if name == "Assistant":
        from bot.answer.chain import Assistant

        return Assistant
    if name == "AnswerResult":
        from bot.answer.types import AnswerResult

        return AnswerResult
    raise AttributeError(name)
