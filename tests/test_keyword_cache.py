"""Keyword tokens kept beside the index: reused by chunk id, computed only for new chunks, dropped when stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bot.keyword_cache as keyword_cache
from bot.keyword_cache import CACHE_NAME, cached_tokens
from bot.retrieve import KeywordIndex, Passage
from bot.text import keyword_tokens


def passage(chunk_id: str, text: str) -> Passage:
    return Passage(chunk_id, "doc", "Title", "zh-Hant", 1, "", 0.0, text, "corpus/doc.md", "")


PASSAGES = [
    passage("a::0", "數碼港人工智能超算中心已經啟用。"),
    passage("b::0", "The scheme opens to applications in 2025."),
]


@pytest.fixture
def tokenized(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts segmented from here on (the real tokenizer, watched)."""
    seen: list[str] = []

    def watched(text: str) -> list[str]:
        seen.append(text)
        return keyword_tokens(text)

    monkeypatch.setattr(keyword_cache, "keyword_tokens", watched)
    return seen


def test_tokens_are_kept_and_reused_by_chunk_id(tmp_path: Path, tokenized: list[str]) -> None:
    first = cached_tokens(tmp_path, PASSAGES)
    assert first == [keyword_tokens(p.text) for p in PASSAGES] and len(tokenized) == 2
    assert cached_tokens(tmp_path, list(reversed(PASSAGES))) == list(reversed(first))
    assert len(tokenized) == 2  # nothing segmented again


def test_only_new_chunks_are_segmented_and_gone_ones_are_dropped(tmp_path: Path, tokenized: list[str]) -> None:
    cached_tokens(tmp_path, PASSAGES)
    new = passage("c::0", "申請人無須繳付任何費用。")
    cached_tokens(tmp_path, [PASSAGES[0], new])
    assert tokenized[2:] == [new.text]
    kept = json.loads((tmp_path / CACHE_NAME).read_text(encoding="utf-8"))["tokens"]
    assert set(kept) == {"a::0", "c::0"}


def test_tokens_of_another_tokenizer_version_or_a_broken_file_are_made_again(
    tmp_path: Path, tokenized: list[str]
) -> None:
    cached_tokens(tmp_path, PASSAGES)
    cache = tmp_path / CACHE_NAME
    cache.write_text(json.dumps({"version": "older", "tokens": {"a::0": ["stale"]}}), encoding="utf-8")
    assert cached_tokens(tmp_path, PASSAGES)[0] == keyword_tokens(PASSAGES[0].text)
    cache.write_text("{not json", encoding="utf-8")
    assert cached_tokens(tmp_path, PASSAGES)[1] == keyword_tokens(PASSAGES[1].text)
    assert len(tokenized) == 6


def test_an_index_built_from_kept_tokens_finds_what_a_fresh_one_finds(tmp_path: Path) -> None:
    cached_tokens(tmp_path, PASSAGES)
    kept = KeywordIndex(PASSAGES, cached_tokens(tmp_path, PASSAGES))
    fresh = KeywordIndex(PASSAGES)
    for query in ("数码港超算中心", "applications 2025"):
        assert [p.id for p in kept.search(query, 2)] == [p.id for p in fresh.search(query, 2)] != []
