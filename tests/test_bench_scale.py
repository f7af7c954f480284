"""`askgov bench scale` at a tiny size: a synthetic store of recombined corpus sentences, probed in a fresh process."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.evaluation.bench_scale import CHUNKS_PER_DOCUMENT, source_documents, stand_ins, synthetic_chunks

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def test_synthetic_chunks_recombine_real_sentences_of_one_document_each() -> None:
    documents = source_documents(CORPUS)
    chunks = synthetic_chunks(documents, 3 * CHUNKS_PER_DOCUMENT)
    assert len({chunk_id for chunk_id, _, _ in chunks}) == len(chunks)
    assert len({meta["doc_id"] for _, _, meta in chunks}) == 3
    by_title = {d.title: d for d in documents}
    for _, text, meta in chunks[:10]:
        source = by_title[meta["title"].rsplit(" (", 1)[0]]
        assert meta["lang"] == source.lang
        assert sum(sentence in text for sentence in source.sentences) >= min(3, len(source.sentences))


def test_stand_in_vectors_are_unit_length_and_near_a_real_one() -> None:
    rng = np.random.default_rng(0)
    sample = rng.normal(size=(8, 64)).astype(np.float32)
    sample /= np.linalg.norm(sample, axis=1, keepdims=True)
    vectors = stand_ins(sample, 100)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    nearest = (vectors @ sample.T).max(axis=1)
    assert nearest.min() > 0.9


def test_bench_scale_reports_every_figure_per_size(settings, tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    result = CliRunner().invoke(
        cli,
        ["bench", "scale", "--chunks", "120", "200", "--sample", "8", "--json", str(out), "--scratch", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text())
    assert [row["chunks"] for row in rows] == [120, 200]
    for row in rows:
        assert row["sentences"] > row["chunks"]  # every chunk has several answer sentences
        assert 0 < row["search_p50_ms"] <= row["search_p95_ms"]
        assert row["startup_seconds"] > 0 and row["peak_rss_mb"] > 0 and row["store_seconds_per_1000"] > 0
