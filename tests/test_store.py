"""Opening the vector store: a Chroma server address that cannot be used is named in the error; reading every
record of a collection larger than one Chroma read allows."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest

from bot.retrieve import KeywordIndex
from bot.store import StoreError, get_all, make_client


@pytest.mark.parametrize("url", ["ftp://chroma:8000", "http://", "chroma:8000"])
def test_an_address_that_is_not_http_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(StoreError, match=f"ASKGOV_CHROMA_URL '{url}' is not an http"):
        make_client(tmp_path, url)


def test_a_server_that_does_not_answer_is_named(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on: bound here, never listened on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
        with pytest.raises(StoreError, match=f"cannot reach the Chroma server at {url} \\(ASKGOV_CHROMA_URL\\)"):
            make_client(tmp_path, url)


def test_every_record_of_a_collection_beyond_one_chroma_read_is_read(tmp_path: Path) -> None:
    """Chroma fails to return the metadata of over 32,766 records in one read; the keyword index and ingest read
    every chunk's, so they read in pages."""
    count = 33_000
    collection = make_client(tmp_path).create_collection("many-chunks", embedding_function=None)
    for start in range(0, count, 5000):
        numbers = range(start, min(start + 5000, count))
        collection.add(
            ids=[f"chunk-{n}" for n in numbers],
            embeddings=np.random.default_rng(start).random((len(numbers), 4), dtype=np.float32),
            documents=[f"passage {n} about subsidy round {n % 7}" for n in numbers],
            metadatas=[{"doc_id": f"doc-{n // 40}", "lang": "en"} for n in numbers],
        )
    read = get_all(collection, ["documents", "metadatas"], page=4096)
    assert len(read["ids"]) == len(set(read["ids"])) == len(read["metadatas"]) == len(read["documents"]) == count
    assert read["metadatas"][read["ids"].index("chunk-32999")] == {"doc_id": "doc-824", "lang": "en"}

    index = KeywordIndex.from_store(collection)
    assert len(index.passages) == count
    assert index.search("round 3", k=3)
