"""The process-wide components, built from the settings: embedder, Chroma client, vector store, retriever."""

from __future__ import annotations

from functools import lru_cache, partial

from chromadb.api import ClientAPI
from langchain_chroma import Chroma

from bot.answer.sentence_index import SentenceVectors
from bot.config import Settings, get_settings
from bot.embedder import Embedder, load_embedder
from bot.ingest.pipeline import ChunkSettings
from bot.keyword_cache import cached_tokens
from bot.retrieve import HybridRetriever, KeywordIndex
from bot.store import make_client, open_store


@lru_cache(maxsize=4)
def embedder_for(name: str, models_dir: str, backend: str = "torch") -> Embedder:
    from pathlib import Path

    return load_embedder(name, Path(models_dir), backend)


def get_embedder(settings: Settings | None = None) -> Embedder:
    settings = settings or get_settings()
    return embedder_for(settings.embedder, str(settings.models_dir), settings.embed_backend)


def get_client(settings: Settings | None = None) -> ClientAPI:
    settings = settings or get_settings()
    return make_client(settings.index_dir, settings.chroma_url)


def get_store(settings: Settings | None = None) -> Chroma:
    settings = settings or get_settings()
    return open_store(get_client(settings), get_embedder(settings))


def get_sentence_vectors(settings: Settings | None = None) -> SentenceVectors:
    settings = settings or get_settings()
    return SentenceVectors.open(get_client(settings), get_embedder(settings))


def get_retriever(settings: Settings | None = None, store: Chroma | None = None) -> HybridRetriever:
    """A hybrid retriever over the store; its keyword index is built from the store's current chunks."""
    settings = settings or get_settings()
    store = store or get_store(settings)
    # The tokens of an embedded store's chunks are kept beside it; a Chroma server's are made at each start.
    tokenize = None if settings.chroma_url else partial(cached_tokens, settings.index_dir)
    return HybridRetriever(
        store, KeywordIndex.from_store(store, tokenize), keyword_weight=settings.keyword_weight, rrf_k=settings.rrf_k
    )


def chunk_settings(settings: Settings | None = None) -> ChunkSettings:
    settings = settings or get_settings()
    return ChunkSettings(settings.chunk_tokens, settings.chunk_overlap, settings.embed_batch_size)
