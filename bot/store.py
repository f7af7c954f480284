"""The Chroma vector store: embedded at `index/` by default, or a Chroma server when ASKGOV_CHROMA_URL is set.

Each embedder gets its own collection (its name is in the collection's name), so vectors of different
models never mix and switching embedders just selects another collection.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma

from bot.embedder import Embedder

COLLECTION_PREFIX = "askgov-"


class StoreError(RuntimeError):
    """The vector store cannot be opened or used."""


def collection_name(embedder_name: str) -> str:
    return f"{COLLECTION_PREFIX}{embedder_name}"[:63]


def make_client(index_dir: Path, chroma_url: str = "") -> ClientAPI:
    settings = ChromaSettings(anonymized_telemetry=False)
    if not chroma_url:
        index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(index_dir), settings=settings)
    url = urlparse(chroma_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise StoreError(f"ASKGOV_CHROMA_URL '{chroma_url}' is not an http(s)://host:port address")
    try:
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=settings,
        )
    except Exception as error:  # chromadb raises several types for an unreachable server
        raise StoreError(f"cannot reach the Chroma server at {chroma_url} (ASKGOV_CHROMA_URL): {error}") from error


def open_store(client: ClientAPI, embedder: Embedder) -> Chroma:
    return Chroma(
        client=client,
        collection_name=collection_name(embedder.name),
        embedding_function=embedder.embeddings,
        collection_configuration={"hnsw": {"space": "cosine"}},
        collection_metadata={"embedder": embedder.name},
    )


def collections(client: ClientAPI) -> list[tuple[str, int]]:
    """(name, number of chunks) of every AskGov collection in the store."""
    found = [c for c in client.list_collections() if c.name.startswith(COLLECTION_PREFIX)]
    return [(c.name, c.count()) for c in found]


def revision(store: Chroma) -> str:
    """A fingerprint of the chunks in the store, to notice another process's ingest. Reads the ids alone: a
    chunk's id holds its file's hash, so adding, changing or removing a file changes the fingerprint."""
    ids = store.get(include=[])["ids"]
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()
