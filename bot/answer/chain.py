"""The answer chain: guard -> condense -> retrieve -> respond -> decide, each a small named step.

`Assistant.ask` returns a typed AnswerResult; `Assistant.stream` yields the answer's text and then the result.
Retrieved text and the user's text are data: a generative backend's answer is checked (every [n] refers to
a given passage, the language is the asker's) and replaced by the extractive answer when it fails. A document
holding text addressed to an assistant (`bot.instructions`) is withheld from answers until staff fix it. Personal
data is taken out of what the user typed before any step reads it; answers, made from the documents, are shown as
the documents say them (a hotline's number stays a number). Whether to answer or decline is decided once, in the
last step (`bot.answer.decide`), after the answer is composed and before any of it is shown: the chat never shows an
answer that is then withdrawn.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from langchain_core.runnables import Runnable, RunnableLambda

from bot.answer.backends import NO_ANSWER, GenerationRequest, extractive_backend, make_backend
from bot.answer.candidates import candidates
from bot.answer.condense import standalone_question
from bot.answer.decide import Decision, DecisionError, DecisionModel, fallback_decision, features
from bot.answer.evidence import gap_markers, kinds_held, parts_not_given, passages_not_giving
from bot.answer.extractive import with_marker
from bot.answer.messages import reply
from bot.answer.names import corpus_vocabulary, unknown_names
from bot.answer.sentence_index import SentenceVectors
from bot.answer.types import AnswerResult, Citation, Timings, Turn, Weighed
from bot.config import Settings, get_settings
from bot.guard import Guard, GuardError
from bot.instructions import instructions_in
from bot.lang import detect_lang, detect_lang_in_conversation, split_sentences, to_script
from bot.retrieve import HybridRetriever, Passage
from bot.safety import PLACEHOLDER, decline_reason, real_question, redact

log = logging.getLogger(__name__)
MARKER = re.compile(r"\[(\d+)\]")
BOILERPLATE_MIN_DOCS = 3


@dataclass
class Thresholds:
    """What the decision step reads from calibration (`askgov calibrate`, eval/calibration.json).

    The evidence is how close in meaning the retrieved text comes to the question: its best sentence, table or
    list, each embedded with its titles (`bot.answer.sentence_index`), or without sentence vectors its best passage.
    A sentence says one thing, so it is near a question it answers however the question is worded, while a
    256-token passage is near anything on its topic. Against the best passage's score and the share of the
    question's words found in the passages (the rule until 2026-12-05), it answered more held-out questions and
    declined as many (CHANGELOG.md, 2026-12-05): colloquial and code-mixed questions share few words with
    the documents, and a passage's score drops for a question worded unlike it. With a trained `decision` model
    that similarity is one of its features; without one, answers below `min_similarity` are declined.
    """

    min_similarity: float = 0.35
    guard: Guard | None = None  # the learned manipulation check (`bot.guard`), when calibration trained one
    decision: DecisionModel | None = None  # the learned answer decision (`bot.answer.decide`)

    @classmethod
    def load(cls, path: Path, embedder: str | None = None) -> "Thresholds":
        """The default when no calibration was written; a file that cannot be read is an error, not a default.
        Models trained on another `embedder`'s vectors cannot read this one's and are left out, with a warning."""
        if not path.is_file():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CalibrationError(f"{path}: not valid JSON ({error}); rerun `askgov calibrate`") from None
        value = data.get("min_similarity") if isinstance(data, dict) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            why = "missing" if value is None else f"not a number: {value!r}"
            older = (
                " (a calibration of the old passage thresholds)"
                if isinstance(data, dict) and "min_dense_score" in data
                else ""
            )
            raise CalibrationError(f"{path}: field 'min_similarity' is {why}{older}; rerun `askgov calibrate`")
        guard = decision = None
        try:
            if data.get("guard") is not None:
                guard = Guard.from_record(data["guard"], str(path))
            if data.get("decision") is not None:
                decision = DecisionModel.from_record(data["decision"], str(path))
        except (GuardError, DecisionError) as error:
            raise CalibrationError(f"{error}; rerun `askgov calibrate`") from None
        trained_with = data.get("embedder")
        if embedder and trained_with and trained_with != embedder and (guard or decision):
            log.warning(
                "%s: the guard and the decision were trained with %s, not %s; they are off until `askgov calibrate` "
                "runs",
                path,
                trained_with,
                embedder,
            )
            guard = decision = None
        return cls(min_similarity=float(value), guard=guard, decision=decision)


class CalibrationError(ValueError):
    """The calibration file exists but does not hold a usable threshold."""


@dataclass
class Turnaround:
    """What flows through the chain's steps for one question."""

    question: str
    history: Sequence[Turn]
    lang: str
    asked: str = ""  # the message as asked (personal data redacted), before the wording checks took anything out
    started: float = field(default_factory=time.perf_counter)
    standalone: str = ""
    pattern_reason: str = ""  # what the wording checks found (`bot.safety.decline_reason`), if anything
    passages: list[Passage] = field(default_factory=list)
    query_vector: list[float] = field(default_factory=list)
    evidence: float | None = None  # how close the retrieved text comes to the question
    retrieve_ms: float = 0.0
    generate_started: float = 0.0
    text: str = ""  # the composed answer, not yet shown
    fallback: str = ""
    partly: bool = False  # a message of several questions, some of which the documents say they do not answer
    result: AnswerResult | None = None


@dataclass(frozen=True)
class Draft:
    """A composed answer before the decision, with what the decision reads: for calibration."""

    state: Turnaround
    answer: str  # as it would be shown, citations renumbered
    citations: list[Citation]
    values: dict[str, float]  # the decision's features, with the guard score and the asked kinds still 0
    held: set[str]  # the kinds of thing the answer holds


class Assistant:
    def __init__(
        self,
        retriever: HybridRetriever,
        backend_name: str = "extractive",
        backend: Runnable | None = None,
        thresholds: Thresholds | None = None,
        k: int = 5,
        condenser: Callable[[str, Sequence[Turn], str], str] | None = None,
        sentence_vectors: SentenceVectors | None = None,
    ) -> None:
        """Without `sentence_vectors` extractive answers match sentences by their words alone."""
        self.retriever = retriever
        self.condenser = condenser or (lambda question, history, lang: standalone_question(question, history))
        self.boilerplate = boilerplate_sentences(retriever.keywords.passages)
        self.withheld = withheld_documents(retriever.keywords.passages)
        self.vocabulary = corpus_vocabulary(f"{p.title or ''} {p.text}" for p in retriever.keywords.passages)
        self.sentence_vectors = sentence_vectors
        if sentence_vectors is not None:
            sentence_vectors.sync(retriever.keywords.passages)  # nothing to embed unless the index changed
        self.backend_name = backend_name
        self.backend = backend or extractive_backend(self.boilerplate, sentence_vectors)
        self.fallback = extractive_backend(self.boilerplate, sentence_vectors)
        self.thresholds = thresholds or Thresholds()
        self.k = k
        self.chain = (
            RunnableLambda(self._guard, name="guard")
            | RunnableLambda(self._condense, name="condense")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._respond, name="respond")
            | RunnableLambda(self._decide, name="decide")
        )

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, backend: str | None = None, thresholds: Thresholds | None = None
    ) -> "Assistant":
        """`thresholds` replaces the calibrated ones (calibration must run even when its file is unreadable)."""
        from bot.components import get_retriever, get_sentence_vectors

        settings = settings or get_settings()
        retriever = get_retriever(settings)
        name = backend or settings.backend
        generator = condenser = None  # extractive: built in __init__ from the boilerplate it finds there
        if name != "extractive":  # the generative model rewrites follow-ups too
            from bot.answer.llm import make_condenser

            generator, condenser = make_backend(name, settings), make_condenser(name, settings)
        thresholds = thresholds or Thresholds.load(settings.calibration_file, settings.embedder)
        return cls(
            retriever,
            name,
            generator,
            thresholds,
            k=settings.search_k,
            condenser=condenser,
            sentence_vectors=get_sentence_vectors(settings),
        )

    def with_retriever(self, retriever: HybridRetriever) -> "Assistant":
        """The same assistant (backend, condenser, thresholds) over another index, e.g. after a re-index."""
        backend = None if self.backend_name == "extractive" else self.backend  # the extractive one reads the index
        return Assistant(
            retriever,
            self.backend_name,
            backend,
            self.thresholds,
            k=self.k,
            condenser=self.condenser,
            sentence_vectors=self.sentence_vectors,
        )

    # --- public interface -------------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn | dict] = (), lang: str | None = None) -> AnswerResult:
        return self.chain.invoke(self._start(question, history, lang)).result

    def stream(
        self, question: str, history: Sequence[Turn | dict] = (), lang: str | None = None
    ) -> Iterator[str | AnswerResult]:
        """The answer's text, then the AnswerResult. The decision is made before any text is yielded (a generative
        backend's text is checked first), so nothing shown is ever withdrawn."""
        result = self.ask(question, history, lang)
        yield result.answer
        yield result

    def question_vector(self, question: str, history: Sequence[Turn | dict] = ()) -> list[float]:
        """The vector the guard reads for this question: the standalone question as retrieval embeds it, after the
        wording checks took out any instruction; a message they decline whole is embedded as it was asked."""
        state = self._condense(self._guard(self._start(question, history, None)))
        return self.retriever.embed_query(state.standalone if state.question else state.asked, state.lang)

    def query_vectors(self, asked: Sequence[tuple[str, Sequence[Turn | dict]]]) -> list[list[float]]:
        """The vector `draft` would embed for each (question, history), embedded in batches."""
        states = [self._condense(self._guard(self._start(question, history, None))) for question, history in asked]
        return self.retriever.embed_queries([(s.standalone if s.question else s.asked, s.lang) for s in states])

    def draft(self, question: str, history: Sequence[Turn | dict] = (), query_vector: Sequence[float] = ()) -> Draft:
        """The composed answer and the decision's features, undecided (`askgov calibrate` trains on these).
        `query_vector`, from `query_vectors`, saves embedding the question again."""
        state = self._condense(self._guard(self._start(question, history, None)))
        state.query_vector = list(query_vector)
        state = self._respond(self._retrieve(state))
        if not state.query_vector:
            state.query_vector = self.retriever.embed_query(state.standalone or state.asked, state.lang)
        answer, citations = resolve_citations(state.text, state.passages) if state.text else ("", [])
        values = self._features(state, answer, asked={}, guard_score=0.0)
        return Draft(state, answer, citations, values, kinds_held(answer) if answer else set())

    # --- steps ------------------------------------------------------------------------------------------
    def _start(self, question: str, history: Sequence[Turn | dict], lang: str | None) -> Turnaround:
        if not question or not question.strip():
            raise ValueError("the question is empty")
        turns = [turn if isinstance(turn, Turn) else Turn.model_validate(turn) for turn in history]
        asked_before = [turn.content for turn in turns if turn.role == "user"] or [turn.content for turn in turns]
        lang = lang or detect_lang_in_conversation(question, asked_before)
        redacted = redact(question.strip())
        return Turnaround(redacted, turns, lang, asked=redacted)

    def _guard(self, state: Turnaround) -> Turnaround:
        """The wording checks: a manipulation is taken out of the message; what else it asks is still answered."""
        reason = decline_reason(state.question)
        if reason:  # the manipulation itself never reaches a backend
            state.pattern_reason = reason
            state.question = real_question(state.question)
        return state

    def _condense(self, state: Turnaround) -> Turnaround:
        if not state.question:
            return state
        redacted = [Turn(role=t.role, content=without_placeholders(redact(t.content))) for t in state.history]
        state.standalone = self.condenser(without_placeholders(state.question), redacted, state.lang)
        return state

    def _retrieve(self, state: Turnaround) -> Turnaround:
        if not state.question:
            return state
        started = time.perf_counter()
        model = self.thresholds.decision
        wanted = self.sentence_vectors is not None or self.thresholds.guard is not None or model is not None
        if wanted and not state.query_vector:
            state.query_vector = self.retriever.embed_query(state.standalone, state.lang)  # once, read by all
        state.passages = self._search(state)
        state.evidence = self._evidence(state)
        state.retrieve_ms = (time.perf_counter() - started) * 1000
        return state

    def _search(self, state: Turnaround) -> list[Passage]:
        """The k best passages that may be answered from: those of withheld documents are passed over."""
        k = max(self.k, self.retriever.candidates) if self.withheld else self.k
        found = self.retriever.search(
            state.standalone, k=k, query_lang=state.lang, query_vector=state.query_vector or None
        )
        return [p for p in found if (p.source, p.doc_id) not in self.withheld][: self.k]

    def _respond(self, state: Turnaround) -> Turnaround:
        """Compose the answer (not shown yet): the backend's text, checked, with what the documents say they do
        not give for the parts of a message they leave unanswered."""
        state.generate_started = time.perf_counter()
        if not state.question or not state.passages:
            return state
        text = self.backend.invoke(self._request(state))
        if text.strip() == NO_ANSWER:  # a generative backend found no answer in the passages
            return state
        if self.backend_name != "extractive":
            state.fallback = invalid_reason(text, state.lang, len(state.passages))
            if state.fallback:
                text = self.fallback.invoke(self._request(state))
        partly = parts_not_given(state.question, [p.text for p in state.passages])
        state.partly = bool(partly)
        if partly and MARKER.search(text):  # answer what the documents give and say, citing it, what they do not
            joiner = " " if state.lang == "en" else ""
            said = [
                with_marker(sentence, n, state.lang) for n, sentence in dict.fromkeys(partly) if sentence not in text
            ]
            text = joiner.join([text.strip(), *said])
        state.text = text
        return state

    def _decide(self, state: Turnaround) -> Turnaround:
        """Answer or decline, once, from the features of the question, the passages and the composed answer."""
        if not state.question:  # the whole message was a manipulation the wording checks know
            state.result = self._refusal(state, state.pattern_reason)
            return state
        answer, citations = resolve_citations(state.text, state.passages) if state.text else ("", [])
        if not citations:  # nothing retrieved, or nothing to cite
            state.result = self._refusal(state, "weak_evidence")
            return state
        guard, model = self.thresholds.guard, self.thresholds.decision
        guard_score = guard.score(state.query_vector) if guard is not None and state.query_vector else 0.0
        asked = model.asks.probabilities(state.query_vector) if model is not None and model.asks else {}
        unanswerable = model.unanswerable_score(state.query_vector) if model is not None else 0.0
        values = self._features(state, answer, asked, guard_score, unanswerable)
        if model is not None:
            decision = model.decide(values)
        else:
            decision = fallback_decision(values, self.thresholds.min_similarity, guard.threshold if guard else None)
        if decision.declined:
            if guard is not None and guard_score >= guard.threshold:  # the guard on its own would call it manipulation
                decision = replace(decision, reason="off_limits")
            state.result = self._decline(state, decision, answer, citations)
            return state
        result = AnswerResult(
            answer=to_script(answer, state.lang),
            lang=state.lang,
            backend=self.backend_name,
            fallback=state.fallback,
            citations=citations,
            standalone_question=state.standalone,
            passages=state.passages,
            evidence=state.evidence,
            decision_score=decision.score,
        )
        result.timings = self._timings(state, state.generate_started)
        state.result = result
        return state

    # --- helpers ----------------------------------------------------------------------------------------
    def _request(self, state: Turnaround) -> GenerationRequest:
        return GenerationRequest(
            state.standalone, state.question, state.lang, state.passages, state.history, state.query_vector
        )

    def _features(
        self, state: Turnaround, answer: str, asked: dict[str, float], guard_score: float, unanswerable: float = 0.0
    ) -> dict:
        texts = [p.text for p in state.passages]
        return features(
            state.question,
            answer,
            state.evidence,
            guard_score,
            asked,
            not state.partly and bool(passages_not_giving(f"{state.question} {state.standalone}", texts)),
            len(unknown_names(state.question, self.vocabulary, state.lang)) if state.question else 0,
            [texts[c.n - 1] for c in resolve_citations(state.text, state.passages)[1]] if state.text else texts,
            unanswerable,
        )

    def _decline(
        self, state: Turnaround, decision: Decision, answer: str, citations: Sequence[Citation]
    ) -> AnswerResult:
        """The refusal for a declined answer: where the documents say they do not give what was asked, it cites
        them (and only them)."""
        texts = [p.text for p in state.passages]
        saying_so: list[Citation] = []
        not_giving = [] if state.partly else passages_not_giving(f"{state.question} {state.standalone}", texts)
        if not_giving:
            saying_so = [_citation(i, state.passages[n - 1]) for i, n in enumerate(not_giving, 1)]
        elif gap_markers(answer):
            by_number = {c.n: c for c in citations}
            saying_so = [by_number[n].model_copy(update={"n": i}) for i, n in enumerate(gap_markers(answer), 1)]
        reason = "not_given" if saying_so and decision.reason in ("missing_detail", "not_given") else decision.reason
        if reason == "not_given" and not saying_so:
            reason = "missing_detail"
        result = self._refusal(state, reason, saying_so if reason == "not_given" else ())
        result.decision_score = decision.score
        result.declined_because = [Weighed(feature=name, pull=pull) for name, pull in decision.weighed]
        return result

    def _refusal(self, state: Turnaround, reason: str, citations: Sequence[Citation] = ()) -> AnswerResult:
        return AnswerResult(
            answer=reply(reason, state.lang, len(citations)),
            lang=state.lang,
            refused=True,
            refusal_reason=reason,
            citations=list(citations),
            backend=self.backend_name,
            standalone_question=state.standalone,
            passages=state.passages,
            evidence=state.evidence,
            timings=self._timings(state, time.perf_counter()),
        )

    def _timings(self, state: Turnaround, generate_started: float) -> Timings:
        now = time.perf_counter()
        return Timings(
            retrieve_ms=round(state.retrieve_ms, 1),
            generate_ms=round((now - generate_started) * 1000, 1),
            total_ms=round((now - state.started) * 1000, 1),
        )

    def _evidence(self, state: Turnaround) -> float | None:
        """How close in meaning the retrieved text comes to the question (see Thresholds); None for no passages."""
        if not state.passages:
            return None
        found = candidates(state.passages, self.boilerplate, state.lang) if self.sentence_vectors is not None else []
        if not found or not state.query_vector:
            return max(p.dense_score for p in state.passages)
        return max(self.sentence_vectors.similarities(state.query_vector, found))


_PLACEHOLDER = re.compile(PLACEHOLDER)
# "my email is [EMAIL]", "電話[PHONE]": the words that introduce personal data, with the placeholder.
_INTRODUCED = re.compile(
    r"(my|our)?\s*(email|e-mail|phone( number)?|mobile|number|hkid( number)?|id card( number)?)\s*(is|:)?\s*"
    rf"(?={PLACEHOLDER})|(我的?|我嘅)?(電話|电话|手機|手机|電郵|电邮|郵箱|邮箱|身份證號碼|身份证号码|身份證|身份证)"
    rf"(號碼|号码)?(係|是|:|：)?\s*(?={PLACEHOLDER})",
    re.IGNORECASE,
)
# A clause that only says who the asker is: "I'm Chan Tai Man", "我叫陳大文", "我是李小明".
_SELF_INTRODUCTION = re.compile(
    r"^\s*(i'?m|i am|my name is|this is|我叫|我係|我是|本人)\s*[^\s,，]{1,20}( [^\s,，]{1,20}){0,3}\s*$", re.IGNORECASE
)
_CLAUSE = re.compile(r"(?<=[,，;；.。!！])")


def without_placeholders(text: str) -> str:
    """The question as a search should see it: personal data, and the clauses that only introduce the asker
    or their contact details, left out. They would only pull retrieval towards passages about privacy."""
    stripped = _INTRODUCED.sub("", text)
    clauses = [clause for clause in _CLAUSE.split(stripped) if clause.strip()]
    bare = [_PLACEHOLDER.sub("", clause).strip(" ,，;；.。") for clause in clauses]
    kept = [c for c, b in zip(clauses, bare) if b and not _SELF_INTRODUCTION.match(b)]
    cleaned = re.sub(r"\s*" + _PLACEHOLDER.pattern, "", "".join(kept) if kept else stripped)
    cleaned = re.sub(r"^[\s,，;；.。]+", "", cleaned).strip()
    return cleaned or text


def withheld_documents(passages: Sequence[Passage]) -> frozenset[tuple[str, str]]:
    """(source, doc_id) of each document with text addressed to an assistant: it was written to steer answers, so
    nothing in it is answer material (`askgov ingest` names it for staff to review)."""
    return frozenset((p.source, p.doc_id) for p in passages if instructions_in(p.text))


def boilerplate_sentences(passages: Sequence[Passage]) -> frozenset[str]:
    """Sentences repeated across many documents (notices, footers): never an answer."""
    docs_with: Counter[str] = Counter()
    for doc_id, texts in _texts_by_doc(passages).items():
        docs_with.update({sentence for text in texts for sentence in split_sentences(text)})
    return frozenset(s for s, n in docs_with.items() if n >= BOILERPLATE_MIN_DOCS)


def _texts_by_doc(passages: Sequence[Passage]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for passage in passages:
        grouped.setdefault(passage.doc_id, []).append(passage.text)
    return grouped


def invalid_reason(text: str, lang: str, passage_count: int) -> str:
    """Why a generated answer cannot be shown, or "" when it can."""
    if not text.strip():
        return "empty answer"
    markers = [int(n) for n in MARKER.findall(text)]
    if not markers:
        return "no citation markers"
    if any(n < 1 or n > passage_count for n in markers):
        return "a citation marker refers to no given passage"
    written_in = detect_lang(text)
    if (written_in == "en") != (lang == "en"):
        return f"answered in {written_in}, asked in {lang}"
    return ""


def resolve_citations(text: str, passages: Sequence[Passage]) -> tuple[str, list[Citation]]:
    """Renumber markers 1..m in order of first use and list exactly the passages cited."""
    order: dict[int, int] = {}
    for n in (int(n) for n in MARKER.findall(text)):
        if 1 <= n <= len(passages) and n not in order:
            order[n] = len(order) + 1
    renumbered = MARKER.sub(lambda m: f"[{order[int(m.group(1))]}]" if int(m.group(1)) in order else "", text)
    citations = [_citation(new, passages[old - 1]) for old, new in order.items()]
    return re.sub(r"\s+([。，！？；])", r"\1", renumbered).strip(), citations


def _citation(n: int, passage: Passage) -> Citation:
    return Citation(
        n=n,
        doc_id=passage.doc_id,
        title=passage.title,
        page=passage.page,
        heading=passage.heading,
        url=passage.url,
        source=passage.source,
        lang=passage.lang,
        snippet=passage.text,
    )
