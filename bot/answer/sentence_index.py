"""Vectors of the sentences an extractive answer can be made of, kept in a Chroma collection beside the chunks.

The extractive backend scores each candidate sentence also by how close it is in meaning to the question: a
question worded differently from the documents shares few words with the sentence that answers it. Embedding
the candidates while answering would take seconds on two cores, so every candidate of every chunk is embedded
once, when the corpus is indexed (`sync`), and looked up while answering. A candidate that is not there yet
(an index built before this existed) is embedded when first needed and kept.

A candidate is embedded with its document's title and section title where the model reads titles
(`Embedder.embed_titled`): "Free or subsidised courses will be offered" is then about digital inclusion for
older people, which the sentence never says (CHANGELOG.md, 2026-12-05).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

from bot.answer import candidates as candidates_module
from bot.answer.candidates import Candidate, candidates
from bot.embedder import Embedder
from bot.retrieve import Passage
from bot.store import collection_name

SUFFIX = "-sentences"
SYNCED = "synced"  # collection metadata: the digest of the passages last synced
BATCH = 64


def synced_digest(passages: Sequence[Passage]) -> str:
    """What a sync depends on: the chunks (their ids name their file's content) and how candidates are found."""
    digest = hashlib.sha1(Path(candidates_module.__file__).read_bytes())
    for chunk_id in sorted(p.id for p in passages):
        digest.update(chunk_id.encode() + b"\0")
    return digest.hexdigest()


def sentence_collection_name(embedder_name: str) -> str:
    return collection_name(embedder_name)[: 63 - len(SUFFIX)] + SUFFIX


def context(candidate: Candidate) -> str:
    """What a candidate is about beyond its own words: its document's title and its section's."""
    return " - ".join(part for part in (candidate.title, candidate.heading) if part)


def sentence_key(candidate: Candidate) -> str:
    """One id for a sentence in its context, however its parts were joined: a table's rows are joined with "; "
    in English answers and "；" in Chinese ones, and that must not make it a different sentence."""
    folded = (re.sub(r"[\W_]+", "", part.casefold()) for part in (context(candidate), candidate.text))
    return hashlib.sha1("\n".join(folded).encode()).hexdigest()


class SentenceVectors:
    def __init__(self, collection: Collection, embedder: Embedder) -> None:
        self._collection = collection
        self._embedder = embedder
        self._read: dict[str, Sequence[float]] = {}  # vectors by sentence_key

    @classmethod
    def open(cls, client: ClientAPI, embedder: Embedder) -> "SentenceVectors":
        # No embedding function: vectors are always given, so Chroma must never fetch its default model.
        collection = client.get_or_create_collection(
            sentence_collection_name(embedder.name), embedding_function=None, metadata={"embedder": embedder.name}
        )
        return cls(collection, embedder)

    def sync(self, passages: Sequence[Passage]) -> int:
        """Embed the candidates of `passages` not yet stored and drop stored ones no passage has any more.
        Returns how many were embedded. Nothing is read when these very passages were synced last (chunk ids
        change with their file's content): finding every passage's candidates is most of a large index's start-up."""
        digest = synced_digest(passages)
        if (self._collection.metadata or {}).get(SYNCED) == digest:
            return 0
        wanted = {sentence_key(c): c for p in passages for c in candidates([p], lang=p.lang)}
        stored = set(self._collection.get(include=[])["ids"])
        missing = [key for key in wanted if key not in stored]
        for start in range(0, len(missing), BATCH):
            self._add({key: wanted[key] for key in missing[start : start + BATCH]})
        stale = sorted(stored - wanted.keys())
        for start in range(0, len(stale), BATCH * 8):
            self._collection.delete(ids=stale[start : start + BATCH * 8])
        self._collection.modify(metadata={**(self._collection.metadata or {}), SYNCED: digest})
        return len(missing)

    def similarities(self, query_vector: Sequence[float], found: Sequence[Candidate]) -> list[float]:
        """The cosine similarity of each candidate to the query."""
        if not found:
            return []
        vectors = self._vectors(found)
        query = np.asarray(query_vector, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(query) or 1.0)
        return (vectors @ query / np.where(norms == 0, 1.0, norms)).tolist()

    def count(self) -> int:
        return self._collection.count()

    def _vectors(self, found: Sequence[Candidate]) -> np.ndarray:
        # Kept once read: a key hashes the text with its context, so a kept vector never goes stale, and the
        # evidence check and the extractive backend ask for the same candidates for every question.
        keys = [sentence_key(candidate) for candidate in found]
        unread = [key for key in dict.fromkeys(keys) if key not in self._read]
        if unread:
            stored = self._collection.get(ids=unread, include=["embeddings"])
            self._read.update(zip(stored["ids"], stored["embeddings"]))
            missing = {key: candidate for key, candidate in zip(keys, found) if key not in self._read}
            if missing:
                self._read.update(self._add(missing))
        return np.asarray([self._read[key] for key in keys], dtype=np.float32)

    def _add(self, by_key: dict[str, Candidate]) -> dict[str, list[float]]:
        vectors = self._embedder.embed_titled([(context(c), c.text) for c in by_key.values()])
        self._collection.upsert(
            ids=list(by_key),
            embeddings=vectors,
            documents=[c.text for c in by_key.values()],
            metadatas=[{"context": context(c)} for c in by_key.values()],
        )
        return dict(zip(by_key, vectors))
