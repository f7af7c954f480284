"""`askgov bench scale`: how search, start-up, memory and ingest grow with the number of chunks.

For each size a scratch store is filled with synthetic chunks: real sentences of corpus/ recombined (three to
eight sentences of one document each, documents of 40 chunks). A sample of them is embedded with the real
embedder; every other chunk gets a cheap stand-in, a sampled real vector with gaussian noise (cosine about 0.96
to it), so the vector index holds realistically clustered vectors without hours of embedding. The answer
sentences of every chunk are stored likewise, as ingest does, so start-up finds the index complete.

Start-up, memory and search are measured in a fresh process per size (`python -m bot.evaluation.bench_scale
probe`): loading the embedder and building the assistant over the store, the peak resident memory, then hybrid
search (dense + BM25 + fusion) for real questions whose vectors were computed once beforehand.
"""

from __future__ import annotations

import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

CHUNKS_PER_DOCUMENT = 40
NOISE = 0.3  # norm of the gaussian noise added to a unit vector: cosine to the original about 0.96
ADD_BATCH = 2000  # Chroma's largest add is about 5,000 records
QUESTIONS = 60


class ScaleError(RuntimeError):
    """The corpus or questions cannot be read, or a probe failed."""


@dataclass(frozen=True)
class SourceDocument:
    doc_id: str
    title: str
    lang: str
    sentences: tuple[str, ...]


@dataclass
class SizeFigures:
    chunks: int
    sentences: int
    store_seconds_per_1000: float  # adding chunks and answer sentences with vectors given, per 1,000 chunks
    embed_seconds_per_1000: float  # the real embedder on the sample (chunks and their sentences), per 1,000
    startup_seconds: float  # embedder load + assistant build, in a fresh process
    first_startup_seconds: float  # the same, the first time: the answer sentences are checked against every chunk
    embedder_seconds: float
    peak_rss_mb: float
    search_p50_ms: float
    search_p95_ms: float


# --- the synthetic corpus --------------------------------------------------------------------------------------
def source_documents(corpus_dir: Path) -> list[SourceDocument]:
    """The documents of `corpus_dir` as sentences, with their titles and languages."""
    from bot.ingest.loaders import LoadError, load_file
    from bot.ingest.manifest import default_doc_id
    from bot.ingest.pipeline import discover
    from bot.lang import detect_lang, split_sentences

    found = []
    for source in discover([corpus_dir]):
        try:
            documents = load_file(source.path)
        except LoadError:
            continue
        text = "\n".join(doc.page_content for doc in documents)
        entry = source.manifest.entry_for(source.relative)
        sentences = tuple(s for s in split_sentences(text) if len(s) >= 8)
        if sentences:
            found.append(
                SourceDocument(
                    entry.doc_id() if entry else default_doc_id(source.relative),
                    (entry.title if entry else "") or source.path.stem,
                    (entry.lang if entry else "") or detect_lang(text),
                    sentences,
                )
            )
    if not found:
        raise ScaleError(f"{corpus_dir}: no documents with text to recombine")
    return found


def synthetic_chunks(documents: Sequence[SourceDocument], count: int, seed: int = 7) -> list[tuple[str, str, dict]]:
    """`count` (id, text, metadata) chunks of recombined sentences, in documents of CHUNKS_PER_DOCUMENT chunks."""
    rng = random.Random(seed)
    chunks = []
    for number in range(count):
        document_number = number // CHUNKS_PER_DOCUMENT
        source = documents[document_number % len(documents)]
        picked = rng.sample(source.sentences, min(len(source.sentences), rng.randint(3, 8)))
        text = (" " if source.lang == "en" else "").join(picked)
        doc_id = f"{source.doc_id}-synthetic-{document_number}"
        meta = {
            "doc_id": doc_id,
            "title": f"{source.title} ({document_number})",
            "lang": source.lang,
            "page": 1,
            "heading": "",
            "source": f"synthetic/{doc_id}",
            "url": "",
            "chunk_count": CHUNKS_PER_DOCUMENT,
            "chunking": "synthetic",
        }
        chunks.append((f"synthetic/{doc_id}::{number}", text, meta))
    return chunks


def stand_ins(sample: np.ndarray, count: int, seed: int = 11) -> np.ndarray:
    """`count` unit vectors, each a sampled real vector with gaussian noise of norm about NOISE."""
    rng = np.random.default_rng(seed)
    picked = sample[rng.integers(0, len(sample), count)]
    noisy = picked + rng.normal(0.0, NOISE / np.sqrt(sample.shape[1]), picked.shape).astype(np.float32)
    return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)


# --- filling a store -------------------------------------------------------------------------------------------
@dataclass
class Filled:
    sentences: int
    store_seconds: float
    embed_seconds: float
    embedded_chunks: int


def fill_store(index_dir: Path, chunks: list[tuple[str, str, dict]], embedder, sample_size: int) -> Filled:
    """Chunks and their answer sentences into a new store at `index_dir`: real vectors for the first
    `sample_size` chunks and their sentences, stand-ins for the rest."""
    from bot.answer.candidates import candidates
    from bot.answer.sentence_index import SentenceVectors, context, sentence_key
    from bot.retrieve import _passage
    from bot.store import make_client, open_store

    client = make_client(index_dir)
    collection = open_store(client, embedder)._collection
    sentence_collection = SentenceVectors.open(client, embedder)._collection
    sample = chunks[:sample_size]
    started = time.perf_counter()
    real = np.asarray(embedder.embeddings.embed_documents([text for _, text, _ in sample]), dtype=np.float32)
    sample_candidates = candidates([_passage(i, t, m, 0.0) for i, t, m in sample])
    real_sentences = embedder.embed_titled([(context(c), c.text) for c in sample_candidates])
    embed_seconds = time.perf_counter() - started

    started = time.perf_counter()
    sentences: dict[str, tuple[str, str]] = {}
    for start in range(0, len(chunks), ADD_BATCH):
        batch = chunks[start : start + ADD_BATCH]
        vectors = real[start : start + len(batch)] if start < len(real) else np.empty((0, real.shape[1]))
        if len(vectors) < len(batch):
            vectors = np.vstack([vectors, stand_ins(real, len(batch) - len(vectors), seed=start)])
        collection.add(
            ids=[i for i, _, _ in batch],
            documents=[t for _, t, _ in batch],
            metadatas=[m for _, _, m in batch],
            embeddings=vectors,
        )
        passages = [_passage(i, t, m, 0.0) for i, t, m in batch]
        for passage in passages:
            for candidate in candidates([passage], lang=passage.lang):
                sentences.setdefault(sentence_key(candidate), (candidate.text, context(candidate)))
    keys = list(sentences)
    sentence_sample = np.asarray(real_sentences or real, dtype=np.float32)
    for start in range(0, len(keys), ADD_BATCH):
        batch_keys = keys[start : start + ADD_BATCH]
        sentence_collection.add(
            ids=batch_keys,
            embeddings=stand_ins(sentence_sample, len(batch_keys), seed=start + 1),
            documents=[sentences[key][0] for key in batch_keys],
            metadatas=[{"context": sentences[key][1]} for key in batch_keys],
        )
    return Filled(len(keys), time.perf_counter() - started, embed_seconds, len(sample))


# --- probing a store in a fresh process ------------------------------------------------------------------------
def probe(index_dir: Path, queries_file: Path) -> dict:
    """Start-up, peak memory and search latency of an assistant over the store at `index_dir`."""
    from bot.answer.chain import Assistant
    from bot.components import get_embedder
    from bot.config import Settings

    settings = Settings(index_dir=index_dir, chroma_url="", calibration_file=index_dir / "no-calibration.json")
    started = time.perf_counter()
    get_embedder(settings)
    embedder_seconds = time.perf_counter() - started
    assistant = Assistant.from_settings(settings)
    first_startup_seconds = time.perf_counter() - started
    del assistant  # not both in memory at once: the peak is of one assistant
    gc.collect()
    # Every later start: the answer sentences are known to be in step with the chunks (ingest records that too).
    started = time.perf_counter()
    assistant = Assistant.from_settings(settings)
    startup_seconds = time.perf_counter() - started + embedder_seconds
    queries = json.loads(queries_file.read_text(encoding="utf-8"))
    times = []
    for query in queries * 2:
        began = time.perf_counter()
        assistant.retriever.search(query["text"], k=5, query_lang=query["lang"], query_vector=query["vector"])
        times.append(time.perf_counter() - began)
    times = sorted(times[len(queries) :])  # the first round warms caches
    return {
        "startup_seconds": round(startup_seconds, 2),
        "first_startup_seconds": round(first_startup_seconds, 2),
        "embedder_seconds": round(embedder_seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "search_p50_ms": round(1000 * statistics.median(times), 2),
        "search_p95_ms": round(1000 * times[min(len(times) - 1, round(0.95 * len(times)) - 1)], 2),
        "chunks": assistant.retriever.keywords.passages.__len__(),
    }


def run_probe(index_dir: Path, queries_file: Path) -> dict:
    command = [sys.executable, "-m", "bot.evaluation.bench_scale", str(index_dir), str(queries_file)]
    result = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    if result.returncode != 0:
        tail = " | ".join(result.stderr.strip().splitlines()[-5:])
        raise ScaleError(f"the probe over {index_dir} failed (exit {result.returncode}): {tail}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def query_file(questions_file: Path, embedder, into: Path) -> Path:
    """Real questions of the dev split with their query vectors (timing needs no script conversion), written once
    for every probe."""
    from bot.evaluation.bench_load import questions_from

    asked = questions_from(questions_file)[:QUESTIONS]
    rows = [{"text": q.text, "lang": q.lang, "vector": embedder.embeddings.embed_query(q.text)} for q in asked]
    into.write_text(json.dumps(rows), encoding="utf-8")
    return into


def measure_size(
    count: int, documents: Sequence[SourceDocument], embedder, sample_size: int, queries: Path, scratch: Path
) -> SizeFigures:
    index_dir = scratch / f"chunks-{count}"
    chunks = synthetic_chunks(documents, count)
    filled = fill_store(index_dir, chunks, embedder, min(sample_size, count))
    probed = run_probe(index_dir, queries)
    if probed["chunks"] != count:
        raise ScaleError(f"the probe found {probed['chunks']} chunks, {count} were stored")
    per_1000 = 1000 / count
    return SizeFigures(
        chunks=count,
        sentences=filled.sentences,
        store_seconds_per_1000=round(filled.store_seconds * per_1000, 2),
        embed_seconds_per_1000=round(filled.embed_seconds * 1000 / filled.embedded_chunks, 1),
        startup_seconds=probed["startup_seconds"],
        first_startup_seconds=probed.get("first_startup_seconds", float("nan")),
        embedder_seconds=probed["embedder_seconds"],
        peak_rss_mb=probed["peak_rss_mb"],
        search_p50_ms=probed["search_p50_ms"],
        search_p95_ms=probed["search_p95_ms"],
    )


# --- the command -------------------------------------------------------------------------------------------------
def scale_command(
    chunks: Annotated[
        int, typer.Option(min=10, help="a store size to measure; more may follow: --chunks 10000 100000")
    ],
    more: Annotated[Optional[list[int]], typer.Argument(metavar="[MORE_SIZES]...", help="more store sizes")] = None,
    sample: Annotated[int, typer.Option(min=1, help="chunks embedded with the real embedder, per size")] = 32,
    corpus: Annotated[Path, typer.Option(exists=True, file_okay=False, help="sentences come from here")] = Path(
        "corpus"
    ),
    questions: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="questions searched for")] = Path(
        "eval/qa/dev.jsonl"
    ),
    json_out: Annotated[
        Optional[Path], typer.Option("--json", dir_okay=False, help="also write the figures here")
    ] = None,
    scratch_dir: Annotated[
        Optional[Path],
        typer.Option("--scratch", file_okay=False, help="where the stores are built (removed after the run)"),
    ] = None,
) -> None:
    """Per store size: search p50/p95, assistant start-up, peak memory, ingest time per 1,000 chunks."""
    from bot.components import get_embedder
    from bot.config import get_settings

    if any(size < 10 for size in more or []):
        raise typer.BadParameter("every store size must be at least 10 chunks", param_hint="MORE_SIZES")
    console = Console()
    embedder = get_embedder(get_settings())
    rows: list[SizeFigures] = []
    try:
        documents = source_documents(corpus)
        with tempfile.TemporaryDirectory(prefix="askgov-scale-", dir=scratch_dir) as scratch_name:
            scratch = Path(scratch_name)
            queries = query_file(questions, embedder, scratch / "queries.json")
            for count in sorted({chunks, *(more or [])}):
                console.print(f"{count} chunks: filling and probing…", highlight=False)
                rows.append(measure_size(count, documents, embedder, sample, queries, scratch))
                console.print(json.dumps(asdict(rows[-1])), highlight=False, soft_wrap=True)  # a long run's progress
    except ScaleError as error:
        Console(stderr=True).print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(scale_table(rows, embedder.name, sample))
    if json_out:
        json_out.write_text(json.dumps([asdict(row) for row in rows], indent=2) + "\n", encoding="utf-8")


def scale_table(rows: Sequence[SizeFigures], embedder: str, sample: int) -> Table:
    table = Table(
        "chunks",
        "answer sentences",
        "search p50 ms",
        "search p95 ms",
        "start-up s",
        "first start-up s",
        "of which embedder s",
        "peak RSS MB",
        "store s / 1k chunks",
        "embed s / 1k chunks",
        title=f"bench scale ({embedder}; real vectors for {sample} chunks per size, stand-ins for the rest)",
    )
    for row in rows:
        table.add_row(
            *(
                str(value)
                for value in (
                    row.chunks,
                    row.sentences,
                    row.search_p50_ms,
                    row.search_p95_ms,
                    row.startup_seconds,
                    row.first_startup_seconds,
                    row.embedder_seconds,
                    row.peak_rss_mb,
                    row.store_seconds_per_1000,
                    row.embed_seconds_per_1000,
                )
            )
        )
    return table


if __name__ == "__main__":  # the probe, run in a fresh process by `run_probe`
    print(json.dumps(probe(Path(sys.argv[1]), Path(sys.argv[2]))))
