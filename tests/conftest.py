"""Shared fixtures: the small real embedder, settings pointed at temporary folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings, get_settings
from bot.embedder import Embedder, load_embedder

FAST_EMBEDDER = "use-multilingual-v3"


@pytest.fixture(scope="session")
def fast_embedder() -> Embedder:
    """The numpy-only multilingual USE model: real embeddings, loads in milliseconds."""
    return load_embedder(FAST_EMBEDDER, Settings().models_dir)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for a throw-away index with the fast embedder, also seen by the CLI through the env."""
    monkeypatch.setenv("ASKGOV_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ASKGOV_EMBEDDER", FAST_EMBEDDER)
    monkeypatch.setenv("ASKGOV_CHROMA_URL", "")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="session")
def corpus_index(request: pytest.FixtureRequest) -> Path:
    """An index of corpus/ with the default embedder, kept in pytest's cache between runs.

    Ingest is incremental, so only the first run (or a changed corpus) pays for the embedding.
    """
    from bot.components import embedder_for
    from bot.ingest.pipeline import ChunkSettings, discover, ingest
    from bot.store import make_client, open_store

    defaults = Settings()
    index_dir = Path(request.config.cache.mkdir("askgov-corpus-index"))
    embedder = embedder_for(Settings.model_fields["embedder"].default, str(defaults.models_dir))
    store = open_store(make_client(index_dir), embedder)
    results = list(
        ingest(
            discover([CORPUS]),
            store,
            embedder,
            ChunkSettings(defaults.chunk_tokens, defaults.chunk_overlap),
            prune_under=[CORPUS],
        )
    )
    failed = [f"{r.source}: {r.reason}" for r in results if r.status == "failed"]
    assert not failed, failed
    return index_dir
