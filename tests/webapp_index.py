"""Shared by the web-app tests: a small real index (part of corpus/ embedded with the fast USE model), and
waiting for a served app to be ready."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import pytest

from bot.config import Settings

FAST_EMBEDDER = "use-multilingual-v3"
CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SLUGS = (
    "supercomputing-centre.pdf",
    "citizens-faq.md",
    "funding-factsheet.pdf",
    "privacy-data-protection.html",
    "rollout-timeline.md",
)


@pytest.fixture(scope="session")
def web_index(request: pytest.FixtureRequest) -> Path:
    """English and Traditional Chinese versions of five documents, kept in pytest's cache between runs."""
    from bot.components import embedder_for
    from bot.ingest.pipeline import ChunkSettings, discover, ingest
    from bot.store import make_client, open_store

    defaults = Settings()
    index_dir = Path(request.config.cache.mkdir("askgov-web-index"))
    embedder = embedder_for(FAST_EMBEDDER, str(defaults.models_dir))
    store = open_store(make_client(index_dir), embedder)
    files = [CORPUS / lang / slug for lang in ("en", "zh-hant") for slug in SLUGS]
    results = list(
        ingest(
            discover(files),
            store,
            embedder,
            ChunkSettings(defaults.chunk_tokens, defaults.chunk_overlap, defaults.embed_batch_size),
        )
    )
    failed = [f"{r.source}: {r.reason}" for r in results if r.status == "failed"]
    assert not failed, failed
    return index_dir


def wait_until_ready(url: str, process: subprocess.Popen, log: Path, limit: float = 180.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"askgov serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).json().get("ready"):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    pytest.fail(f"askgov serve was not ready after {limit:.0f} s:\n{log.read_text()[-3000:]}")
