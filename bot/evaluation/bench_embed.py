"""`askgov bench embed`: embedding throughput of each embedder backend on the same passages, in one run.

The passages (JSONL {"id", "title", "text"}, e.g. DRCD-dev, read where they lie) are cut into chunks as ingest cuts
them, and every backend embeds the same chunks as documents. Printed per backend: chunks/s, the ratio to the first
backend's, and how close its vectors come to the first backend's (mean and lowest cosine). Retrieval quality is
`askgov eval-retrieval` with ASKGOV_EMBED_BACKEND set.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer
from langchain_core.documents import Document
from rich.console import Console
from rich.table import Table


@dataclass
class BackendFigures:
    backend: str
    chunks: int
    seconds: float
    load_seconds: float
    vectors: np.ndarray

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds else 0.0


def read_passages(path: Path, limit: int) -> list[Document]:
    documents = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            documents.append(Document(page_content=str(record["text"]), metadata={"title": str(record["title"])}))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise typer.BadParameter(f"{path}:{number}: not a passage record ({error})", param_hint="--passages")
        if len(documents) >= limit:
            break
    return documents


def measure(backend: str, chunk_texts: list[str], settings) -> BackendFigures:
    from bot.components import embedder_for

    started = time.perf_counter()
    embedder = embedder_for(settings.embedder, str(settings.models_dir), backend)
    loaded = time.perf_counter() - started
    embedder.embeddings.embed_documents(chunk_texts[:2])  # first-call set-up is not throughput
    started = time.perf_counter()
    vectors = np.asarray(embedder.embeddings.embed_documents(chunk_texts), dtype=np.float32)
    return BackendFigures(backend, len(chunk_texts), time.perf_counter() - started, loaded, vectors)


def embed_command(
    passages: Annotated[Path, typer.Option(exists=True, dir_okay=False, help='JSONL {"id","title","text"}')],
    backend: Annotated[
        Optional[list[str]], typer.Option(help="torch, onnx or onnx-int8; repeatable; the first is the baseline")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="only the first N passages")] = 100,
) -> None:
    """Chunks/s of each embedder backend on the same chunks, as ratios to the first, with vector agreement."""
    from bot.components import get_embedder
    from bot.config import get_settings
    from bot.ingest.chunking import split_documents

    settings = get_settings()
    backends = list(dict.fromkeys(backend or ["torch", "onnx", "onnx-int8"]))
    counter = get_embedder(settings.model_copy(update={"embed_backend": backends[0]})).count_tokens
    chunks = split_documents(read_passages(passages, limit), counter, settings.chunk_tokens, settings.chunk_overlap)
    texts = [chunk.page_content for chunk in chunks]
    console = Console()
    console.print(f"{settings.embedder}: {limit} passages of {passages.name} = {len(texts)} chunks", highlight=False)
    figures = [measure(name, texts, settings) for name in backends]
    console.print(embed_table(figures))


def embed_table(figures: list[BackendFigures]) -> Table:
    base = figures[0]
    table = Table("backend", "chunks", "seconds", "chunks/s", f"x {base.backend}", "mean cos", "min cos", "load s")
    for row in figures:
        cosines = np.sum(row.vectors * base.vectors, axis=1)
        table.add_row(
            row.backend,
            str(row.chunks),
            f"{row.seconds:.1f}",
            f"{row.chunks_per_second:.2f}",
            f"{row.chunks_per_second / base.chunks_per_second:.2f}",
            f"{cosines.mean():.4f}",
            f"{cosines.min():.4f}",
            f"{row.load_seconds:.1f}",
        )
    return table
