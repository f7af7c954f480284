"""What the web app's pages and the HTTP API share: one assistant, one feedback store, built once per process."""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from bot.answer.chain import Assistant
from bot.answer.types import AnswerResult, Citation, Turn
from bot.config import Settings
from bot.db.engine import safe_url
from bot.feedback import FeedbackStore
from bot.retrieve import Passage, SearchFilter
from bot.server.admission import AnswerGate, default_workers, share_cores
from bot.server.limits import RateLimits
from bot.store import revision

log = logging.getLogger(__name__)

DOCUMENTS_ROUTE = "/corpus"  # corpus files are served read-only under this path


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    title: str
    lang: str


@dataclass(frozen=True)
class Component:
    """One part of the service as `/api/health` reports it."""

    ok: bool
    detail: str


@dataclass(frozen=True)
class ReindexSummary:
    indexed: int
    unchanged: int
    failed: int
    removed: int
    failures: list[str]
    chunks: int
    warnings: list[str] = field(default_factory=list)  # files indexed that staff should review (bot.ingest.pipeline)


class Services:
    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self.rate_limits = RateLimits(settings)  # before the models load: a malformed rate fails at once
        workers = settings.answer_workers or default_workers()
        share_cores(workers)  # before the embedder is loaded: ONNX Runtime takes its thread count from torch's
        self.assistant = assistant or Assistant.from_settings(settings)
        self._feedback: FeedbackStore | None = None
        self._feedback_failure = ""  # why the last use of the feedback store failed; "" once one succeeds
        self.use_feedback(lambda store: None)  # opened now, so a broken file is in the log at start-up
        # Answers run in parallel, up to one per core: what they share is read-only once built (the retriever's
        # BM25 and Chroma's HNSW index, the embedder's weights) or safe to share (Chroma's client, the sentence
        # vector cache, a dict filled with whole values). The one llama.cpp context of the local backend is
        # serialised where it is used (bot/answer/llm.py). Beyond that: a bounded queue, then Busy.
        self.gate = AnswerGate(workers, settings.answer_queue, settings.answer_wait_seconds)
        # One re-index or reload of the search indexes at a time; answers go on over the old ones meanwhile.
        self._reindexing = threading.Lock()
        self._store_revision = revision(self.assistant.retriever.store)
        self._store_checked = time.monotonic()

    # --- answering ------------------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn | dict] = (), lang: str | None = None) -> AnswerResult:
        self.follow_store()
        with self.gate.slot():
            result = self.assistant.ask(question, history=history, lang=lang)
        self._log_if_refused(question, result)
        return result

    def stream(
        self, question: str, history: Sequence[Turn | dict] = (), lang: str | None = None
    ) -> Iterator[str | AnswerResult]:
        self.follow_store()
        with self.gate.slot():
            for item in self.assistant.stream(question, history=history, lang=lang):
                if isinstance(item, AnswerResult):
                    self._log_if_refused(question, item)
                yield item

    def recent_turns(self, history: Sequence[Turn | dict]) -> list[Turn | dict]:
        """The last few turns: a follow-up refers to what was just said, and older turns only cost work."""
        used = self.settings.history_turns_used
        return list(history[-used:]) if used else []

    def _log_if_refused(self, question: str, result: AnswerResult) -> None:
        if result.refused:
            self.use_feedback(lambda store: store.log_unanswered(question, result.lang, result.refusal_reason))

    # --- the feedback store: answers never depend on it ------------------------------------------------
    @property
    def feedback_location(self) -> str:
        """The database as logs and health may show it: the SQLite file, or the server URL without its password."""
        url = self.settings.database_url.get_secret_value()
        return safe_url(url) if url else str(self.settings.feedback_db)

    @property
    def feedback(self) -> FeedbackStore:
        """The store, opened on first use and again after a failure (a deleted file is made anew)."""
        if self._feedback is None:
            self._feedback = FeedbackStore.from_settings(self.settings)
        return self._feedback

    def _close_feedback(self) -> None:
        if self._feedback is not None:
            self._feedback.close()
        self._feedback = None

    def use_feedback(self, call: Callable[[FeedbackStore], object]) -> tuple[bool, object]:
        """(True, what `call` returned), or (False, None) when the store failed twice (reopened in between):
        the entry is dropped with a warning in the log that names the file and the error, never the entry."""
        for attempt in (1, 2):
            try:
                result = call(self.feedback)
            except Exception as error:  # sqlite3, SQLAlchemy, OSError...: whatever the store raises
                self._close_feedback()
                cause = getattr(error, "orig", None) or error  # SQLAlchemy's own message quotes the parameters
                self._feedback_failure = f"{type(cause).__name__}: {cause}"
                if attempt == 2:
                    log.warning(
                        "feedback store %s failed (%s); the entry was not saved",
                        self.feedback_location,
                        self._feedback_failure,
                    )
            else:
                self._feedback_failure = ""
                return True, result
        return False, None

    def feedback_status(self) -> Component:
        """Readable now, and the last write (if any failed since one succeeded) went through."""
        failure = self._feedback_failure
        try:
            self.feedback.recent_feedback(limit=1)
        except Exception as error:
            self._close_feedback()
            cause = getattr(error, "orig", None) or error
            failure = f"{type(cause).__name__}: {cause}"
        if failure:
            return Component(False, f"{self.feedback_location}: {failure}")
        return Component(True, self.feedback_location)

    # --- searching ------------------------------------------------------------------------------------
    def dense_search(self, query: str, k: int, lang: str | None = None, doc_ids: Sequence[str] = ()) -> list[Passage]:
        """The passages nearest to `query`, as `askgov search` ranks them."""
        self.follow_store()
        with self.gate.slot():
            return self.assistant.retriever.dense(query, k, SearchFilter(lang=lang, doc_ids=tuple(doc_ids)))

    def hybrid_search(self, query: str, k: int, lang: str | None = None, doc_ids: Sequence[str] = ()) -> list[Passage]:
        """The passages as the assistant would see them (dense and keyword ranks fused)."""
        self.follow_store()
        with self.gate.slot():
            return self.assistant.retriever.search(query, k=k, search_filter=SearchFilter(lang, tuple(doc_ids)))

    def documents(self) -> list[DocumentInfo]:
        self.follow_store()
        seen = {p.doc_id: DocumentInfo(p.doc_id, p.title, p.lang) for p in self.assistant.retriever.keywords.passages}
        return sorted(seen.values(), key=lambda d: d.doc_id)

    def chunk_count(self) -> int:
        self.follow_store()
        return len(self.assistant.retriever.keywords.passages)

    def index_status(self) -> Component:
        """Whether the vector store holds chunks now: the folder may have been deleted since they were loaded."""
        if self._local_index_missing():
            return Component(False, f"no index in {self.settings.index_dir}: re-index from the staff console")
        try:
            stored = self.assistant.retriever.store._collection.count()  # langchain-chroma's Chroma collection
        except Exception as error:  # an unreachable Chroma server, a broken file
            return Component(False, f"the index cannot be read: {type(error).__name__}")
        if not stored:
            return Component(False, f"the index in {self.settings.index_dir} is empty: re-index from the staff console")
        return Component(True, f"{stored} chunks")

    def _local_index_missing(self) -> bool:
        return not self.settings.chroma_url and not (self.settings.index_dir / "chroma.sqlite3").is_file()

    # --- links to documents ---------------------------------------------------------------------------
    def document_link(self, item: Citation | Passage, site: str = "") -> str:
        """Where a reader can open the cited document (its page for a PDF), or "" when it is not public."""
        if item.url:
            return item.url
        path = corpus_relative(Path(item.source), self.settings.corpus_dir)
        if path is None:
            return ""
        anchor = f"#page={item.page}" if item.page and path.lower().endswith(".pdf") else ""
        base = (self.settings.public_url or site).rstrip("/")
        return f"{base}{DOCUMENTS_ROUTE}/{quote(path)}{anchor}"

    # --- administration -------------------------------------------------------------------------------
    def reindex(self) -> ReindexSummary:
        """Ingest corpus/ (unchanged files are skipped, gone files pruned) and reload the search indexes."""
        from bot.components import chunk_settings, get_embedder, get_retriever, get_sentence_vectors, get_store
        from bot.ingest.pipeline import discover, ingest

        corpus = self.settings.corpus_dir
        if not corpus.is_dir():
            raise FileNotFoundError(f"corpus folder {corpus} does not exist (ASKGOV_CORPUS_DIR)")
        with self._reindexing:
            rebuild = self._local_index_missing()
            if rebuild:  # Chroma keeps a process-wide client per folder, still open on the deleted file
                from chromadb.api.shared_system_client import SharedSystemClient

                SharedSystemClient._identifier_to_system.pop(str(self.settings.index_dir), None)
            store = get_store(self.settings)
            results = list(
                ingest(
                    discover([corpus]),
                    store,
                    get_embedder(self.settings),
                    chunk_settings(self.settings),
                    prune_under=[corpus],
                )
            )
            current = revision(store)
            assistant = self.assistant
            if rebuild:  # the sentence vectors lived in the deleted folder too
                assistant = copy.copy(assistant)
                assistant.sentence_vectors = get_sentence_vectors(self.settings)
            self.assistant = assistant.with_retriever(get_retriever(self.settings, store))
            self._store_revision = current
        count = lambda status: sum(r.status == status for r in results)  # noqa: E731
        return ReindexSummary(
            count("indexed"),
            count("unchanged"),
            count("failed"),
            count("removed"),
            [f"{r.source}: {r.reason}" for r in results if r.status == "failed"],
            self.chunk_count(),
            [warning for r in results for warning in r.warnings],
        )

    def follow_store(self) -> None:
        """Reload the search indexes when another process changed the shared vector store (a Chroma server)
        since the last look; looks at most every ASKGOV_INDEX_REFRESH_SECONDS."""
        from bot.components import get_retriever

        if time.monotonic() - self._store_checked < self.settings.index_refresh_seconds:
            return
        self._store_checked = time.monotonic()
        store = self.assistant.retriever.store
        try:
            current = revision(store)  # taken before the reload: a change during it is caught by the next look
        except Exception as error:  # an unreachable store: serve from what is loaded; the request meets it itself
            log.warning("cannot check the vector store for changes: %s", error)
            return
        if current == self._store_revision:
            return
        with self._reindexing:
            self.assistant = self.assistant.with_retriever(get_retriever(self.settings, store))
            self._store_revision = current


def corpus_relative(source: Path, corpus_dir: Path) -> str | None:
    """`source` as a path inside the corpus folder, or None when it lies elsewhere."""
    try:
        return source.resolve().relative_to(corpus_dir.resolve()).as_posix()
    except (ValueError, OSError):
        return None
