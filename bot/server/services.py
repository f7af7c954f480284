"""What the web app's pages and the HTTP API share: one assistant, one feedback store, built once per process."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bot.answer.chain import Assistant
from bot.answer.types import AnswerResult, Citation, Turn
from bot.config import Settings
from bot.feedback import FeedbackStore
from bot.retrieve import Passage, SearchFilter
from bot.server.admission import AnswerGate, default_workers, share_cores

DOCUMENTS_ROUTE = "/corpus"  # corpus files are served read-only under this path


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    title: str
    lang: str


@dataclass(frozen=True)
class ReindexSummary:
    indexed: int
    unchanged: int
    failed: int
    removed: int
    failures: list[str]
    chunks: int


class Services:
    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        workers = settings.answer_workers or default_workers()
        share_cores(workers)  # before the embedder is loaded: ONNX Runtime takes its thread count from torch's
        self.assistant = assistant or Assistant.from_settings(settings)
        self.feedback = FeedbackStore(settings.feedback_db)
        # Answers run in parallel, up to one per core: what they share is read-only once built (the retriever's
        # BM25 and Chroma's HNSW index, the embedder's weights) or safe to share (Chroma's client, the sentence
        # vector cache, a dict filled with whole values). The one llama.cpp context of the local backend is
        # serialised where it is used (bot/answer/llm.py). Beyond that: a bounded queue, then Busy.
        self.gate = AnswerGate(workers, settings.answer_queue, settings.answer_wait_seconds)
        self._reindexing = threading.Lock()  # one re-index at a time; answers go on over the old index meanwhile

    # --- answering ------------------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn | dict] = (), lang: str | None = None) -> AnswerResult:
        with self.gate.slot():
            result = self.assistant.ask(question, history=history, lang=lang)
        self._log_if_refused(question, result)
        return result

    def stream(
        self, question: str, history: Sequence[Turn | dict] = (), lang: str | None = None
    ) -> Iterator[str | AnswerResult]:
        with self.gate.slot():
            for item in self.assistant.stream(question, history=history, lang=lang):
                if isinstance(item, AnswerResult):
                    self._log_if_refused(question, item)
                yield item

    def _log_if_refused(self, question: str, result: AnswerResult) -> None:
        if result.refused:
            self.feedback.log_unanswered(question, result.lang, result.refusal_reason)

    # --- searching ------------------------------------------------------------------------------------
    def dense_search(self, query: str, k: int, lang: str | None = None, doc_ids: Sequence[str] = ()) -> list[Passage]:
        """The passages nearest to `query`, as `askgov search` ranks them."""
        with self.gate.slot():
            return self.assistant.retriever.dense(query, k, SearchFilter(lang=lang, doc_ids=tuple(doc_ids)))

    def hybrid_search(self, query: str, k: int, lang: str | None = None, doc_ids: Sequence[str] = ()) -> list[Passage]:
        """The passages as the assistant would see them (dense and keyword ranks fused)."""
        with self.gate.slot():
            return self.assistant.retriever.search(query, k=k, search_filter=SearchFilter(lang, tuple(doc_ids)))

    def documents(self) -> list[DocumentInfo]:
        seen = {p.doc_id: DocumentInfo(p.doc_id, p.title, p.lang) for p in self.assistant.retriever.keywords.passages}
        return sorted(seen.values(), key=lambda d: d.doc_id)

    def chunk_count(self) -> int:
        return len(self.assistant.retriever.keywords.passages)

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
        from bot.components import chunk_settings, get_embedder, get_retriever, get_store
        from bot.ingest.pipeline import discover, ingest

        corpus = self.settings.corpus_dir
        if not corpus.is_dir():
            raise FileNotFoundError(f"corpus folder {corpus} does not exist (ASKGOV_CORPUS_DIR)")
        with self._reindexing:
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
            self.assistant = self.assistant.with_retriever(get_retriever(self.settings, store))
        count = lambda status: sum(r.status == status for r in results)  # noqa: E731
        return ReindexSummary(
            count("indexed"),
            count("unchanged"),
            count("failed"),
            count("removed"),
            [f"{r.source}: {r.reason}" for r in results if r.status == "failed"],
            self.chunk_count(),
        )


def corpus_relative(source: Path, corpus_dir: Path) -> str | None:
    """`source` as a path inside the corpus folder, or None when it lies elsewhere."""
    try:
        return source.resolve().relative_to(corpus_dir.resolve()).as_posix()
    except (ValueError, OSError):
        return None
