"""Opening the vector store: a Chroma server address that cannot be used is named in the error."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.store import StoreError, make_client


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
