"""Generative answer backends: a local GGUF model through llama.cpp, or any OpenAI-compatible chat server.

Both are one LangChain pipeline: request -> the language's ChatPromptTemplate -> chat model -> text -> tidy
(a reply that opens with NO_ANSWER becomes exactly NO_ANSWER; a server that cannot be reached becomes a
BackendError naming its URL). The chain checks the markers and the language afterwards, and falls back to
the extractive backend when they fail.
"""

from __future__ import annotations

import atexit
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.prompt_values import PromptValue
from langchain_core.runnables import Runnable, RunnableConfig, RunnableGenerator, RunnableLambda

from bot.answer.backends import NO_ANSWER, BackendError, GenerationRequest
from bot.answer.condense import looks_like_follow_up, standalone_question
from bot.answer.prompts import SPEAKERS, answer_prompt, condense_prompt
from bot.instructions import addresses_assistant
from bot.lang import detect_lang, han_count, split_sentences
from bot.models import ModelError, get_spec, model_dir
from bot.retrieve import Passage
from bot.text import content_tokens

__all__ = ["NO_ANSWER", "make_llm_backend", "make_condenser", "numbered_passages", "gguf_path"]

PASSAGE_TOKENS = 150  # per passage: prompt processing runs at ~40 tok/s on 2 cores
TITLE_CHARS = 60
CONNECT_SECONDS, READ_SECONDS = 5.0, 120.0
CONDENSE_TOKENS = 64
CONDENSE_TURNS, CONDENSE_TURN_CHARS = 4, 240
ROLES = {"system": "system", "human": "user", "ai": "assistant"}


# --- what the model reads ---------------------------------------------------------------------------------
def approx_tokens(text: str) -> float:
    """Qwen-style token count, roughly: a Han character is about one token, other text about four characters."""
    han = han_count(text)
    return han + (len(text) - han) / 4


def excerpt(question: str, text: str, budget: float = PASSAGE_TOKENS) -> str:
    """The passage's sentences that share most words with the question, kept in their order, within budget.
    Sentences addressed to an assistant are left out: the model reads passages as material, never as orders."""
    sentences = [sentence for sentence in split_sentences(text) if not addresses_assistant(sentence)]
    if approx_tokens(" ".join(sentences)) <= budget or not sentences:
        return " ".join(sentences)
    wanted = set(content_tokens(question))
    overlap = [sum(len(t) for t in set(content_tokens(s)) & wanted) for s in sentences]
    chosen: list[int] = []
    used = 0.0
    for index in sorted(range(len(sentences)), key=lambda i: (-overlap[i], i)):
        cost = approx_tokens(sentences[index])
        if used + cost <= budget:
            chosen.append(index)
            used += cost
    if not chosen:  # one sentence longer than the budget: keep its start
        best = max(range(len(sentences)), key=lambda i: (overlap[i], -i))
        return sentences[best][: int(budget * (1 if han_count(sentences[best]) else 4))]
    return " ".join(sentences[i] for i in sorted(chosen))


def numbered_passages(question: str, passages: Sequence[Passage], budget: float = PASSAGE_TOKENS) -> str:
    def label(passage: Passage) -> str:
        return f"{passage.title[:TITLE_CHARS]}: " if passage.title else ""

    return "\n".join(f"[{n}] {label(p)}{excerpt(question, p.text, budget)}" for n, p in enumerate(passages, 1))


def answer_messages(request: GenerationRequest) -> PromptValue:
    if not request.passages:
        raise ValueError("a generation request needs at least one passage")
    return answer_prompt(request.lang).invoke(
        {"passages": numbered_passages(request.question, request.passages), "question": request.question}
    )


# --- what comes back ----------------------------------------------------------------------------------------
def tidy_answer(pieces: Iterator[str]) -> Iterator[str]:
    """The answer without leading space; a reply that opens with NO_ANSWER becomes exactly NO_ANSWER.

    Pieces are held back only while the opening could still be NO_ANSWER, so streaming is not delayed.
    """
    head = ""
    for piece in pieces:
        head += piece
        opening = head.lstrip()
        if opening and not (len(opening) < len(NO_ANSWER) and NO_ANSWER.startswith(opening)):
            break
    opening = head.lstrip()
    if opening.startswith(NO_ANSWER):
        for _ in pieces:  # let the model finish, so its lock and context are released in order
            pass
        yield NO_ANSWER
        return
    if opening:
        yield opening
    yield from pieces


_TIDY = RunnableGenerator(tidy_answer, name="tidy")


def _explained(chain: Runnable, explain: Callable[[Exception], str | None], name: str) -> Runnable:
    """`chain` with its failures turned into BackendErrors that `explain` words, on invoke and stream alike.

    The translation wraps the whole chain, streamed even when invoked: inside the chain, a step such as a
    RunnableGenerator pulls its first input before its own code runs, so a server that cannot be reached fails
    outside any try there; and a sequence's invoke calls the model's invoke, bypassing later steps entirely.
    """

    def run(value: Any, config: RunnableConfig) -> Iterator[str]:
        try:
            yield from chain.stream(value, config)
        except BackendError:
            raise
        except Exception as error:
            message = explain(error)
            if message is None:
                raise
            raise BackendError(message) from error

    return RunnableLambda(run, name=name)


# --- local: llama.cpp ----------------------------------------------------------------------------------------
def gguf_path(settings) -> Path:
    """The GGUF file for `settings.llm_model`: a registry name (see `askgov models list`) or a .gguf path."""
    name = settings.llm_model
    if name.endswith(".gguf"):
        return Path(name).expanduser()
    try:
        spec = get_spec(name)
    except ModelError as error:
        raise BackendError(f"ASKGOV_LLM_MODEL: {error}") from None
    if spec.kind != "llm":
        raise BackendError(f"ASKGOV_LLM_MODEL: '{name}' is an {spec.kind}, not a GGUF model for the local backend")
    return model_dir(Path(settings.models_dir), name) / spec.weights_file


_LOAD_LOCK = threading.Lock()
_GENERATE_LOCK = threading.Lock()  # one llama.cpp context serves one generation at a time


@lru_cache(maxsize=None)
def _cached_llama(path: str, n_threads: int, n_ctx: int) -> Any:
    from llama_cpp import Llama

    try:
        llama = Llama(model_path=path, n_threads=n_threads, n_ctx=n_ctx, verbose=False)
    except (ValueError, RuntimeError) as error:
        raise BackendError(f"{path}: llama.cpp could not load this model ({error})") from error
    # Freed at exit while llama.cpp's C functions still exist; left to garbage collection at interpreter
    # shutdown, its destructor finds them gone and prints a TypeError.
    atexit.register(llama.close)
    return llama


def load_llama(path: Path, n_threads: int, n_ctx: int) -> Any:
    """The llama.cpp model, loaded once per process for each (path, threads, context)."""
    with _LOAD_LOCK:
        return _cached_llama(str(path), n_threads, n_ctx)


class LlamaCppChat(BaseChatModel):
    """A thin LangChain chat model over llama-cpp-python: the GGUF's own chat template, greedy decoding."""

    model_path: str
    n_threads: int = 2
    n_ctx: int = 4096
    max_tokens: int = 256

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None, **kwargs: Any
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        llama = load_llama(Path(self.model_path), self.n_threads, self.n_ctx)
        chat = [{"role": ROLES[m.type], "content": m.text} for m in messages]
        with _GENERATE_LOCK:
            for event in llama.create_chat_completion(
                messages=chat, temperature=0.0, max_tokens=self.max_tokens, stop=stop, stream=True
            ):
                piece = event["choices"][0]["delta"].get("content")
                if piece:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                    if run_manager:
                        run_manager.on_llm_new_token(piece, chunk=chunk)
                    yield chunk


def _local_chat(settings, max_tokens: int) -> BaseChatModel:
    path = gguf_path(settings)
    if not path.is_file():
        name = settings.llm_model if not settings.llm_model.endswith(".gguf") else "qwen2.5-coder-1.5b-instruct-q4"
        raise BackendError(
            f"the local backend needs the GGUF model {path}, which is missing: run `askgov models fetch {name}`"
        )
    load_llama(path, settings.llm_threads, settings.llm_context)  # fail now, not at the first question
    return LlamaCppChat(
        model_path=str(path), n_threads=settings.llm_threads, n_ctx=settings.llm_context, max_tokens=max_tokens
    )


# --- openai: any OpenAI-compatible server ------------------------------------------------------------------------
def _openai_chat(settings, max_tokens: int) -> BaseChatModel:
    missing = [f"ASKGOV_{key.upper()}" for key in ("openai_base_url", "openai_model") if not getattr(settings, key)]
    if missing:
        raise BackendError(
            f"the openai backend needs {' and '.join(missing)} (an OpenAI-compatible endpoint "
            "such as http://127.0.0.1:8000/v1 and a model name it serves)"
        )
    import openai
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        api_key=settings.openai_api_key.get_secret_value() or "unused",  # local servers need none
        temperature=0,
        max_tokens=max_tokens,
        max_retries=1,
        # openai's own Timeout class: openai's client is built on httpx2, which from 2.17.0
        # rejects an httpx.Timeout (found by CI, 2026-12-04)
        timeout=openai.Timeout(READ_SECONDS, connect=CONNECT_SECONDS),
    )


def _openai_failure(base_url: str) -> Callable[[Exception], str | None]:
    import openai

    def explain(error: Exception) -> str | None:
        if isinstance(error, openai.APITimeoutError):
            return f"the OpenAI-compatible server at {base_url} did not answer within {READ_SECONDS:.0f} s"
        if isinstance(error, openai.APIConnectionError):
            return f"cannot reach the OpenAI-compatible server at {base_url} ({error.__cause__ or error})"
        if isinstance(error, openai.APIStatusError):
            return f"the OpenAI-compatible server at {base_url} answered HTTP {error.status_code}: {error.message}"
        return None

    return explain


def _chat_model(name: str, settings, max_tokens: int) -> tuple[BaseChatModel, Callable[[Exception], str | None]]:
    if name == "local":
        return _local_chat(settings, max_tokens), lambda error: None
    if name == "openai":
        return _openai_chat(settings, max_tokens), _openai_failure(settings.openai_base_url)
    raise BackendError(f"'{name}' is not a generative backend; choose local or openai")


def make_llm_backend(name: str, settings) -> Runnable:
    """A runnable from a GenerationRequest to answer text with [n] markers; `.stream` yields text pieces."""
    model, explain = _chat_model(name, settings, settings.llm_max_tokens)
    chain = RunnableLambda(answer_messages, name="prompt") | model | StrOutputParser() | _TIDY
    return _explained(chain, explain, name)


# --- follow-ups ------------------------------------------------------------------------------------------------
def conversation(history: Sequence, lang: str) -> str:
    speakers = SPEAKERS[lang]
    recent = [turn for turn in history if turn.content.strip()][-CONDENSE_TURNS:]
    return "\n".join(f"{speakers[t.role]}: {' '.join(t.content.split())[:CONDENSE_TURN_CHARS]}" for t in recent)


def make_condenser(name: str, settings) -> Callable[..., str]:
    """(question, history, lang=None) -> a standalone question, rewritten by the same model when it is a follow-up.

    Falls back to the deterministic rewrite when the model fails, rambles or switches language.
    """
    model, explain = _chat_model(name, settings, CONDENSE_TOKENS)
    chain = _explained(model | StrOutputParser() | _TIDY, explain, "condense")

    def condense(question: str, history: Sequence, lang: str | None = None) -> str:
        plain = standalone_question(question, history)
        if not any(turn.role == "user" for turn in history) or not looks_like_follow_up(question):
            return question
        lang = lang or detect_lang(question)
        prompt = condense_prompt(lang).invoke({"history": conversation(history, lang), "question": question})
        try:
            lines = chain.invoke(prompt).strip().splitlines()
        except BackendError:
            return plain
        rewritten = lines[0].strip().strip("\"'“”「」") if lines else ""
        if not rewritten or rewritten == NO_ANSWER or len(rewritten) > 2 * len(plain) + 40:
            return plain
        if _bare(rewritten) == _bare(question):  # the model echoed the follow-up: its subject is still missing
            return plain
        if (detect_lang(rewritten) == "en") != (lang == "en"):
            return plain
        return rewritten

    return condense


def _bare(text: str) -> str:
    """Text without spaces and punctuation, case-folded, for telling an echo from a rewrite."""
    return re.sub(r"[\W_]+", "", text).casefold()
