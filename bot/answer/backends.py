"""Answer backends: each is a LangChain runnable from a GenerationRequest to answer text with [n] markers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from langchain_core.runnables import Runnable, RunnableLambda

from bot.answer.extractive import extractive_answer
from bot.answer.types import Turn
from bot.retrieve import Passage

if TYPE_CHECKING:
    from bot.answer.sentence_index import SentenceVectors

BACKENDS = ("extractive", "local", "openai")
NO_ANSWER = "NO_ANSWER"  # what a generative backend says when the passages do not answer the question


@dataclass
class GenerationRequest:
    question: str  # standalone: follow-ups already rewritten
    focus: str  # the latest user message as typed (redacted)
    lang: str  # the language and script to answer in
    passages: list[Passage]  # numbered [1]..[n] in this order
    history: Sequence[Turn] = field(default_factory=list)
    query_vector: Sequence[float] = ()  # the question's, as retrieval embedded it (empty when it did not)


class BackendError(RuntimeError):
    """A backend cannot be built or reached."""


def extractive_backend(
    boilerplate: frozenset[str] = frozenset(), sentence_vectors: SentenceVectors | None = None
) -> Runnable:
    def answer(request: GenerationRequest) -> str:
        return extractive_answer(
            request.question,
            request.focus,
            request.lang,
            request.passages,
            boilerplate,
            sentence_vectors,
            request.query_vector,
        )

    return RunnableLambda(answer, name="extractive")


def make_backend(name: str, settings, boilerplate: frozenset[str] = frozenset()) -> Runnable:
    if name == "extractive":
        return extractive_backend(boilerplate)
    if name in ("local", "openai"):
        from bot.answer import llm

        return llm.make_llm_backend(name, settings)
    raise BackendError(f"unknown backend '{name}'; choose one of {', '.join(BACKENDS)}")
