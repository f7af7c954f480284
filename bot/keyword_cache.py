"""The keyword tokens of every chunk, kept beside the index so a start does not segment every chunk again.

Segmenting Chinese with jieba is most of what building the keyword index costs: at 10,000 chunks it took over
two minutes of a start-up on a busy 2-core machine (`askgov bench scale`). A chunk's id names its file's content
and its place in it, so its tokens are kept by id; the whole file is dropped when the tokenizer's code changes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import bot.lang
import bot.text
from bot.retrieve import Passage
from bot.text import keyword_tokens

CACHE_NAME = "keyword-tokens.json"


def tokenizer_version() -> str:
    """Changes whenever the code that makes keyword tokens does, or the documents' terms jieba was taught."""
    digest = hashlib.sha1()
    for module in (bot.text, bot.lang):
        digest.update(Path(module.__file__).read_bytes())
    digest.update("\n".join(sorted(bot.text.learned_terms())).encode("utf-8"))
    return digest.hexdigest()


def cached_tokens(index_dir: Path, passages: Sequence[Passage]) -> list[list[str]]:
    """Each passage's keyword tokens: read from the cache, the rest computed; the cache then holds these passages'."""
    path = index_dir / CACHE_NAME
    version = tokenizer_version()
    kept = _read(path, version)
    tokens = [kept[p.id] if p.id in kept else keyword_tokens(p.text) for p in passages]
    if len(kept) != len(passages) or any(p.id not in kept for p in passages):
        _write(path, version, {p.id: words for p, words in zip(passages, tokens)})
    return tokens


def _read(path: Path, version: str) -> dict[str, list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: made again
    if not isinstance(data, dict) or data.get("version") != version or not isinstance(data.get("tokens"), dict):
        return {}
    return data["tokens"]


def _write(path: Path, version: str, tokens: dict[str, list[str]]) -> None:
    """Written whole and then renamed, so a reader never sees half a file."""
    staged = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        staged.write_text(json.dumps({"version": version, "tokens": tokens}, ensure_ascii=False), encoding="utf-8")
        staged.replace(path)
    except OSError:
        staged.unlink(missing_ok=True)  # a read-only index still works, only without the cache
