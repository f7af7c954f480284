"""The ingest pipeline against a real Chroma store and the real (small) USE embedder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from bot.config import Settings
from bot.embedder import Embedder
from bot.ingest.pipeline import ChunkSettings, discover, ingest, stored_files
from bot.store import collection_name, make_client, open_store

CHUNKING = ChunkSettings(max_tokens=64, overlap_tokens=8, batch_size=4)

ENGLISH = """# Supercomputing at Cyberport

## Capacity today

The AI Supercomputing Centre at Cyberport opened with a capacity of 3,000 petaflops.

## Plans

The capacity is planned to grow to 15,000 petaflops by 2030. Expansion needs reliable power, cooling
and high-bandwidth connections in dedicated zones.
"""

CHINESE = """# 數碼港超級運算

## 現有算力

數碼港人工智能超算中心啟用時的算力為3,000 petaflops。

## 擴展計劃

計劃在2030年前把算力提升至15,000 petaflops。擴展需要在專用區域提供穩定電力、冷卻和高頻寬連接。
"""

MANIFEST = """documents:
  - path: en/supercomputing.md
    id: supercomputing-en
    title: Supercomputing fact sheet
    lang: en
  - path: zh/supercomputing.md
    id: supercomputing-zh
    title: 超級運算概覽
    translation_of: supercomputing-en
"""


def write_corpus(folder: Path) -> Path:
    (folder / "en").mkdir(parents=True)
    (folder / "zh").mkdir()
    (folder / "en" / "supercomputing.md").write_text(ENGLISH, encoding="utf-8")
    (folder / "zh" / "supercomputing.md").write_text(CHINESE, encoding="utf-8")
    (folder / "talent.txt").write_text(
        "The Technology Talent Admission Scheme is being expanded to attract international AI experts.\n",
        encoding="utf-8",
    )
    (folder / "records.jsonl").write_text(
        '{"id": "rec-1", "title": "Civil service", '
        '"text": "About 10,000 civil service posts are to go by April 2027."}\n'
        '{"id": "rec-2", "title": "私隱", "text": "超過60間機構已接受合規審查。", "lang": "zh-Hant"}\n',
        encoding="utf-8",
    )
    (folder / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    (folder / "README.md").write_text("Not a policy document.\n", encoding="utf-8")
    return folder


class CountingEmbeddings(Embeddings):
    """The real embeddings, counting what they embed; optionally failing after a number of texts."""

    def __init__(self, inner: Embeddings, fail_after: int | None = None) -> None:
        self.inner, self.fail_after, self.embedded = inner, fail_after, 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.fail_after is not None and self.embedded + len(texts) > self.fail_after:
            raise RuntimeError("simulated crash while embedding")
        self.embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def run(folder: Path, settings: Settings, embedder: Embedder, prune: bool = False) -> dict[str, str]:
    store = open_store(make_client(settings.index_dir), embedder)
    results = ingest(discover([folder]), store, embedder, CHUNKING, prune_under=[folder] if prune else [])
    return {Path(r.source).name: r.status for r in results}


def counting(embedder: Embedder, fail_after: int | None = None) -> Embedder:
    return Embedder(embedder.name, CountingEmbeddings(embedder.embeddings, fail_after), embedder.count_tokens)


def chunk_metadata(settings: Settings, embedder: Embedder) -> list[dict]:
    store = open_store(make_client(settings.index_dir), embedder)
    return store.get(include=["metadatas"])["metadatas"]


def test_first_run_indexes_every_document_with_its_metadata(tmp_path, settings, fast_embedder) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    assert run(corpus, settings, fast_embedder) == {
        "supercomputing.md": "indexed",
        "talent.txt": "indexed",
        "records.jsonl": "indexed",
    }
    metadata = chunk_metadata(settings, fast_embedder)
    by_doc = {m["doc_id"]: m for m in metadata}
    assert set(by_doc) == {"supercomputing-en", "supercomputing-zh", "talent", "rec-1", "rec-2"}
    assert by_doc["supercomputing-zh"]["lang"] == "zh-Hant"  # detected: the manifest gives no lang
    assert by_doc["supercomputing-zh"]["translation_of"] == "supercomputing-en"
    assert by_doc["supercomputing-en"]["title"] == "Supercomputing fact sheet"
    assert by_doc["rec-1"]["lang"] == "en" and by_doc["rec-2"]["title"] == "私隱"
    assert all(len(m["sha256"]) == 64 and m["chunk_count"] >= 1 for m in metadata)
    headings = {m["heading"] for m in metadata if m["doc_id"] == "supercomputing-en"}
    assert any("Plans" in heading for heading in headings)


def test_rerun_over_an_unchanged_folder_embeds_nothing(tmp_path, settings, fast_embedder) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    run(corpus, settings, fast_embedder)
    watched = counting(fast_embedder)
    statuses = run(corpus, settings, watched)
    assert set(statuses.values()) == {"unchanged"}
    assert watched.embeddings.embedded == 0


def test_changed_file_replaces_exactly_its_chunks(tmp_path, settings, fast_embedder) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    run(corpus, settings, fast_embedder)
    store = open_store(make_client(settings.index_dir), fast_embedder)
    before = {source: set(entry.ids) for source, entry in stored_files(store).items()}
    (corpus / "talent.txt").write_text("TechTAS will now also welcome AI researchers.\n", encoding="utf-8")

    assert run(corpus, settings, fast_embedder)["talent.txt"] == "indexed"

    after = {source: set(entry.ids) for source, entry in stored_files(store).items()}
    changed = [source for source in after if after[source] != before[source]]
    assert [Path(source).name for source in changed] == ["talent.txt"]
    texts = store.get(where={"source": changed[0]})["documents"]
    assert texts == ["TechTAS will now also welcome AI researchers."]


def test_prune_removes_only_files_that_are_gone(tmp_path, settings, fast_embedder) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    run(corpus, settings, fast_embedder)
    (corpus / "talent.txt").unlink()
    run(corpus, settings, fast_embedder)  # without --prune the chunks stay
    assert "talent" in {m["doc_id"] for m in chunk_metadata(settings, fast_embedder)}

    statuses = run(corpus, settings, fast_embedder, prune=True)
    assert statuses["talent.txt"] == "removed"
    remaining = {m["doc_id"] for m in chunk_metadata(settings, fast_embedder)}
    assert "talent" not in remaining and "supercomputing-en" in remaining


def test_crash_half_way_leaves_a_searchable_index_and_the_next_run_completes(tmp_path, settings, fast_embedder) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    with pytest.raises(RuntimeError, match="simulated crash"):
        run(corpus, settings, counting(fast_embedder, fail_after=5))
    store = open_store(make_client(settings.index_dir), fast_embedder)
    assert store.similarity_search("petaflops", k=2)  # still searchable

    statuses = run(corpus, settings, fast_embedder)
    assert "indexed" in statuses.values()
    for source, entry in stored_files(store).items():
        ((sha, _, count),) = entry.versions  # one version per file, complete
        assert len(entry.ids) == count, source


def test_chunks_live_in_a_collection_named_after_the_embedder(tmp_path, settings, fast_embedder) -> None:
    run(write_corpus(tmp_path / "corpus"), settings, fast_embedder)
    names = [c.name for c in make_client(settings.index_dir).list_collections()]
    assert names == [collection_name(fast_embedder.name)] == ["askgov-use-multilingual-v3"]


def test_killed_ingest_process_leaves_index_usable(tmp_path, settings) -> None:
    corpus = tmp_path / "many"
    corpus.mkdir()
    for n in range(40):
        (corpus / f"note-{n:02d}.txt").write_text(
            f"Note {n}. " + "The AI rollout reaches more public services in phases. " * 30, encoding="utf-8"
        )
    command = [sys.executable, "-m", "bot.cli", "ingest", str(corpus), "--verbose"]
    process = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "ASKGOV_CHUNK_TOKENS": "48"},
    )
    deadline = time.monotonic() + 120
    for line in process.stderr:
        if line.startswith("indexed:") or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGKILL)
    process.wait()

    search = subprocess.run(
        [sys.executable, "-m", "bot.cli", "search", "public services", "--json"], capture_output=True, text=True
    )
    assert search.returncode == 0, search.stderr
    finish = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "ASKGOV_CHUNK_TOKENS": "48"})
    assert finish.returncode == 0, finish.stderr
    statuses = Counter(line.split(":")[0] for line in finish.stderr.splitlines() if ":" in line)
    assert statuses["indexed"] >= 1 and statuses["indexed"] + statuses["unchanged"] == 40


def test_cli_indexes_the_good_files_names_each_bad_one_and_exits_1(tmp_path, settings) -> None:
    from fixtures_docs import write_binary_as_pdf, write_encrypted_pdf, write_text, write_truncated_pdf

    folder = write_corpus(tmp_path / "docs")
    bad = {
        "truncated.pdf": write_truncated_pdf,
        "renamed.pdf": write_binary_as_pdf,
        "locked.pdf": lambda path: write_encrypted_pdf(path, "secret"),
    }
    for name, write in bad.items():
        write(folder / name)
    write_text(folder / "empty.txt", "")
    command = [sys.executable, "-m", "bot.cli", "ingest", str(folder)]
    first = subprocess.run(command, capture_output=True, text=True)
    assert first.returncode == 1, first.stderr
    failed_lines = [line for line in first.stdout.splitlines() if line.startswith("failed: ")]
    assert sorted(name for name in [*bad, "empty.txt"] if any(name in line for line in failed_lines)) == sorted(
        [*bad, "empty.txt"]
    )
    assert all(line.split(": ", 2)[2].strip() for line in failed_lines), "every failure has a reason"
    assert "4 failed" in first.stdout and "chunks embedded in" in first.stdout
    again = subprocess.run(command, capture_output=True, text=True)
    assert again.returncode == 1
    assert "0 chunks embedded" in again.stdout and "0 indexed" in again.stdout
