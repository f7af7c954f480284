"""An external retrieval benchmark: `askgov eval-retrieval --passages P.jsonl --questions Q.jsonl`.

The passages go through the project's own ingest (JSONL loader, chunker, embedder) into a temporary Chroma
index; each question is searched in each retrieval mode, and recall@1/5/10, MRR and nDCG@10 of its gold
passage are reported by language. Questions can also be asked converted to Simplified Chinese, to measure
cross-script retrieval on Traditional passages. The input is only read, never copied.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings

from bot.embedder import Embedder
from bot.evaluation import metrics
from bot.lang import to_script
from bot.retrieve import RRF_K, HybridRetriever, KeywordIndex, Passage, SearchFilter

MODES = ("hybrid", "dense", "keyword")
DEPTH = 10  # distinct passages ranked per question (recall@10, nDCG@10)
CHUNK_DEPTH = 30  # chunks fetched to find them (a long passage is split into several); = hybrid's candidates


class BenchmarkError(ValueError):
    """Unusable benchmark input; the message names the file, line and field."""


@dataclass(frozen=True)
class Question:
    id: str
    lang: str
    text: str
    gold: str  # the id of the passage that answers it


class CachedQueryEmbeddings(Embeddings):
    """Embeds each query once, so every mode and fusion setting shares the (slow) query embedding.

    Search times are therefore not comparable between modes; the embedding time itself is kept.
    """

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.cache: dict[str, list[float]] = {}
        self.query_seconds = 0.0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        if text not in self.cache:
            started = time.perf_counter()
            self.cache[text] = self.inner.embed_query(text)
            self.query_seconds += time.perf_counter() - started
        return self.cache[text]


@dataclass(frozen=True)
class Fusion:
    """One setting of reciprocal rank fusion: score = 1/(k + dense rank) + weight/(k + keyword rank)."""

    keyword_weight: float = 1.0
    rrf_k: int = RRF_K

    def label(self) -> str:
        return f"hybrid w={self.keyword_weight:g} k={self.rrf_k}"


class CachedKeywordSearch:
    """A keyword index whose searches are remembered: every mode and fusion setting ranks the same BM25 hits."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.passages = inner.passages
        self.langs = inner.langs
        self.cache: dict[tuple, list] = {}

    def search(self, query: str, k: int, search_filter: SearchFilter = SearchFilter()) -> list[Passage]:
        key = (query, k, search_filter)
        if key not in self.cache:
            self.cache[key] = self.inner.search(query, k, search_filter)
        return self.cache[key]


def read_questions(path: Path, limit: int | None = None, simplified: bool = False) -> list[Question]:
    """Questions {"id", "lang", "question", "passage_id"}; with `simplified`, each also converted to zh-Hans."""
    questions = []
    for number, record in _records(path, ("id", "lang", "question", "passage_id")):
        questions.append(
            Question(str(record["id"]), str(record["lang"]), str(record["question"]), str(record["passage_id"]))
        )
        if limit is not None and len(questions) >= limit:
            break
    if simplified:
        questions += [
            Question(f"{q.id}:zh-Hans", "zh-Hans", to_script(q.text, "zh-Hans"), q.gold)
            for q in questions
            if q.lang.startswith("zh")
        ]
    return questions


def passage_ids(path: Path) -> set[str]:
    return {str(record["id"]) for _, record in _records(path, ("id", "title", "text"))}


def _records(path: Path, required: Sequence[str]):
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise BenchmarkError(f"{path}: cannot read ({error})") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise BenchmarkError(f"{path}:{number}: bad JSON ({error.msg})") from error
        missing = [name for name in required if not isinstance(record, dict) or name not in record]
        if missing:
            raise BenchmarkError(f"{path}:{number}: field '{missing[0]}' is missing")
        yield number, record


class CachedDenseSearch:
    """A vector store whose searches are remembered: each question is embedded once, not once per mode and
    fusion setting (embedding the question is most of a search's cost)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.cache: dict[tuple, list] = {}

    def similarity_search_with_score(self, query: str, k: int, filter: dict | None = None) -> list:
        key = (query, k, json.dumps(filter, sort_keys=True))
        if key not in self.cache:
            self.cache[key] = self.inner.similarity_search_with_score(query, k=k, filter=filter)
        return self.cache[key]

    def get(self, **kwargs):
        return self.inner.get(**kwargs)


def build_index(passages: Path, embedder: Embedder, folder: Path, chunk_settings):
    """Ingest the passages file into a Chroma store in `folder`; returns (store, seconds)."""
    from bot.ingest.pipeline import discover, ingest
    from bot.store import make_client, open_store

    started = time.perf_counter()
    store = open_store(make_client(folder), embedder)
    for result in ingest(discover([passages]), store, embedder, chunk_settings):
        if result.status == "failed":
            raise BenchmarkError(f"{passages}: {result.reason}")
    return store, time.perf_counter() - started


def searchers(
    store, modes: Sequence[str], fusions: Sequence[Fusion] = (Fusion(),)
) -> dict[str, Callable[[Question], list[str]]]:
    """For each mode, a function from a question to the ids of its ranked passages (distinct, best first).

    Hybrid search runs once per fusion setting: named "hybrid" for a single setting, else by its setting.
    """

    unknown = [mode for mode in modes if mode not in MODES]
    if unknown:
        raise BenchmarkError(f"--mode must be one of {', '.join(MODES)}, not '{unknown[0]}'")
    store = CachedDenseSearch(store)
    keywords = CachedKeywordSearch(KeywordIndex.from_store(store))
    script = HybridRetriever(store, keywords)  # its dense search embeds the query as the assistant does
    found: dict[str, Callable[[Question], list[str]]] = {}
    for mode in modes:
        if mode == "hybrid":
            for fusion in fusions:
                name = "hybrid" if len(fusions) == 1 else fusion.label()
                found[name] = _hybrid(
                    HybridRetriever(store, keywords, keyword_weight=fusion.keyword_weight, rrf_k=fusion.rrf_k)
                )
        elif mode == "dense":
            found[mode] = lambda q: distinct([p.doc_id for p in script.dense(q.text, CHUNK_DEPTH, query_lang=q.lang)])
        else:
            found[mode] = lambda q: distinct([p.doc_id for p in keywords.search(q.text, CHUNK_DEPTH)])
    return found


def _hybrid(retriever: HybridRetriever) -> Callable[[Question], list[str]]:
    def search(question: Question) -> list[str]:
        return distinct([p.doc_id for p in retriever.search(question.text, k=CHUNK_DEPTH, query_lang=question.lang)])

    return search


def distinct(doc_ids: Sequence[str], depth: int = DEPTH) -> list[str]:
    """The first `depth` distinct ids: a passage ranks where its best chunk does."""
    return list(dict.fromkeys(doc_ids))[:depth]


def score(ranked: list[str], gold: str) -> dict[str, float]:
    found = {f"recall@{k}": metrics.recall_at(ranked, {gold}, k) for k in (1, 5, 10)}
    return found | {"mrr": metrics.reciprocal_rank(ranked, {gold}), "ndcg@10": metrics.ndcg_at(ranked, {gold}, 10)}


def summarise(rows: list[tuple[str, dict[str, float]]]) -> dict[str, dict[str, float | None]]:
    """Mean of each figure by language, and for all questions."""
    table: dict[str, dict[str, float | None]] = {}
    for lang in ["all", *sorted({lang for lang, _ in rows})]:
        members = [values for row_lang, values in rows if lang in ("all", row_lang)]
        table[lang] = {name: metrics.mean(v[name] for v in members) for name in members[0]}
        table[lang]["questions"] = float(len(members))
    return table


def run_benchmark(
    passages: Path,
    questions: Sequence[Question],
    embedder: Embedder,
    chunk_settings,
    modes: Sequence[str] = MODES,
    fusions: Sequence[Fusion] = (Fusion(),),
    progress: Callable[[str, int, int], None] | None = None,
) -> dict:
    """Index the passages once, then score every mode (and fusion setting) on the same index."""
    known = passage_ids(passages)
    orphans = [q.id for q in questions if q.gold not in known]
    if orphans:
        raise BenchmarkError(f"question '{orphans[0]}' names a passage_id that is not in {passages}")
    cached = CachedQueryEmbeddings(embedder.embeddings)
    with tempfile.TemporaryDirectory(prefix="askgov-bench-") as folder:
        store, ingest_seconds = build_index(
            passages, Embedder(embedder.name, cached, embedder.count_tokens), Path(folder), chunk_settings
        )
        chunks = store._collection.count()
        results: dict[str, dict] = {}
        for mode, search in searchers(store, modes, fusions).items():
            rows = []
            for done, question in enumerate(questions):
                if progress:
                    progress(mode, done, len(questions))
                rows.append((question.lang, score(search(question), question.gold)))
            results[mode] = summarise(rows)
    embedded = len(cached.cache)
    return {
        "embedder": embedder.name,
        "passages": len(known),
        "chunks": chunks,
        "questions": len(questions),
        "ingest_seconds": round(ingest_seconds, 1),
        "passages_per_second": round(len(known) / ingest_seconds, 2) if ingest_seconds else None,
        "chunks_per_second": round(chunks / ingest_seconds, 2) if ingest_seconds else None,
        "query_ms": round(1000 * cached.query_seconds / embedded, 1) if embedded else None,
        "modes": results,
    }
