"""Finding the passages that answer a question: dense search in Chroma, keyword search (BM25), fused.

Keyword search folds full/half width, case and Traditional/Simplified and segments Chinese with jieba, so
数码港 finds 數碼港. It only helps when question and passage share a language, and plain rank fusion then
drags cross-language hits down, so keyword ranks count only for passages in the question's language family.
Parallel language versions of one document do not crowd each other out: per translation group only one
language version is kept, the asker's when it was found, else the best-ranked one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import bm25s
import numpy as np
from langchain_chroma import Chroma
from langchain_huggingface import HuggingFaceEmbeddings

from bot.lang import LANGS, detect_lang, to_script
from bot.markup import safe_url
from bot.store import get_all
from bot.text import keyword_tokens, learn_terms

RRF_K = 60


@dataclass
class Passage:
    id: str
    doc_id: str
    title: str
    lang: str
    page: int
    heading: str
    score: float
    text: str
    source: str
    url: str
    group: str = ""  # the translation group: documents that are language versions of each other
    dense_score: float = 0.0

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SearchFilter:
    lang: str | None = None
    doc_ids: tuple[str, ...] = ()

    def where(self) -> dict | None:
        clauses = []
        if self.lang:
            if self.lang not in LANGS:
                raise ValueError(f"lang must be one of {', '.join(LANGS)}, not '{self.lang}'")
            clauses.append({"lang": self.lang})
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if len(clauses) > 1:
            return {"$and": clauses}
        return clauses[0] if clauses else None

    def admits(self, passage: Passage) -> bool:
        return (not self.lang or passage.lang == self.lang) and (not self.doc_ids or passage.doc_id in self.doc_ids)


def lang_family(lang: str) -> str:
    return "zh" if lang.startswith("zh") else lang


class KeywordIndex:
    """BM25 over every chunk in the store, built in memory. A search asks bm25s for its k best only, with a
    filter applied as a mask over the passages: ranking every passage would cost tens of milliseconds a query
    at 100,000 chunks (`askgov bench scale`)."""

    def __init__(self, passages: Sequence[Passage], tokens: Sequence[list[str]] | None = None) -> None:
        """`tokens`: each passage's `keyword_tokens`, when they were kept from an earlier start."""
        self.passages = list(passages)
        self.langs = frozenset(p.lang for p in self.passages)
        self._lang_of = np.array([p.lang for p in self.passages])
        self._doc_of = np.array([p.doc_id for p in self.passages])
        self._bm25 = bm25s.BM25()
        if tokens is None:
            learn_document_terms(self.passages)  # before anything is segmented
            tokens = [keyword_tokens(p.text) for p in self.passages]
        if self.passages:
            self._bm25.index([words or ["∅"] for words in tokens], show_progress=False)

    @classmethod
    def from_store(cls, store: Chroma, tokenize=None) -> "KeywordIndex":
        """`tokenize`, given the passages, returns their keyword tokens (e.g. from a cache)."""
        records = get_all(store, ["documents", "metadatas"])
        passages = [
            passage_from_record(i, text, meta, 0.0)
            for i, text, meta in zip(records["ids"], records["documents"], records["metadatas"])
        ]
        learn_document_terms(passages)  # before the passages are segmented, from a cache or not
        return cls(passages, tokenize(passages) if tokenize else None)

    def search(self, query: str, k: int, search_filter: SearchFilter = SearchFilter()) -> list[Passage]:
        tokens = keyword_tokens(query)
        mask = self._mask(search_filter)
        admitted = len(self.passages) if mask is None else int(mask.sum())
        if not tokens or not admitted or k < 1:
            return []
        ids, scores = self._bm25.retrieve(
            [tokens], k=min(k, admitted), weight_mask=mask, show_progress=False, n_threads=1
        )
        return [_rescored(self.passages[i], round(float(s), 4)) for i, s in zip(ids[0], scores[0]) if s > 0]

    def _mask(self, search_filter: SearchFilter) -> np.ndarray | None:
        """1 for each passage the filter admits, or None when it admits all."""
        if not search_filter.lang and not search_filter.doc_ids:
            return None
        admits = np.ones(len(self.passages), dtype=bool)
        if search_filter.lang:
            admits &= self._lang_of == search_filter.lang
        if search_filter.doc_ids:
            admits &= np.isin(self._doc_of, list(search_filter.doc_ids))
        return admits.astype(np.float32)


TERM_SAMPLE = 2000  # passages read for the documents' own terms: a term used often shows in an even sample


def learn_document_terms(passages: Sequence[Passage]) -> None:
    """Teach jieba the documents' own terms from at most TERM_SAMPLE passages, evenly spaced: reading every
    passage of a large index for them would add a minute to each start at 100,000 chunks."""
    step = max(1, len(passages) // TERM_SAMPLE)
    learn_terms(p.text for p in passages[::step])


def dense_search(
    store: Chroma,
    query: str,
    k: int = 5,
    lang: str | None = None,
    search_filter: SearchFilter | None = None,
    query_vector: Sequence[float] | None = None,
) -> list[Passage]:
    """The k chunks nearest to `query` (or to its vector, when the caller has embedded it already) by cosine
    similarity."""
    search_filter = search_filter or SearchFilter(lang=lang)
    if not query.strip():
        raise ValueError("the query is empty")
    if query_vector is not None:
        hits = store.similarity_search_by_vector_with_relevance_scores(
            list(query_vector), k=k, filter=search_filter.where()
        )
    else:
        hits = store.similarity_search_with_score(query, k=k, filter=search_filter.where())
    # The collection uses cosine distance; report cosine similarity (1 - distance), higher is better.
    return [passage_from_record(doc.id or "", doc.page_content, doc.metadata, 1.0 - distance) for doc, distance in hits]


@dataclass
class HybridRetriever:
    store: Chroma
    keywords: KeywordIndex
    candidates: int = 30
    keyword_weight: float = 1.0
    rrf_k: int = RRF_K

    def search(
        self,
        query: str,
        k: int = 5,
        search_filter: SearchFilter = SearchFilter(),
        query_lang: str | None = None,
        query_vector: Sequence[float] | None = None,
    ) -> list[Passage]:
        """The k best passages; `query_vector` is `embed_query(query, query_lang)` when the caller needs it too."""
        query_lang = query_lang or detect_lang(query)
        dense = self.dense(query, self.candidates, search_filter, query_lang, query_vector)
        keyword = self.keywords.search(query, self.candidates, search_filter)
        fused = fuse(dense, keyword, query_lang, self.keyword_weight, self.rrf_k)
        return one_version_per_group(fused, query_lang)[:k]

    def dense(
        self,
        query: str,
        k: int = 5,
        search_filter: SearchFilter = SearchFilter(),
        query_lang: str | None = None,
        query_vector: Sequence[float] | None = None,
    ) -> list[Passage]:
        """Dense search alone, with the query embedded as `search` embeds it (see `dense_query`)."""
        query_lang = query_lang or detect_lang(query)
        return dense_search(
            self.store, self.dense_query(query, query_lang), k=k, search_filter=search_filter, query_vector=query_vector
        )

    def embed_query(self, query: str, query_lang: str | None = None) -> list[float]:
        """The query's vector as dense search makes it."""
        return self.store.embeddings.embed_query(self.dense_query(query, query_lang or detect_lang(query)))

    def embed_queries(self, queries: Sequence[tuple[str, str]]) -> list[list[float]]:
        """The vectors of many (query, language) pairs as `embed_query` makes each, in batches: on a CPU, one batch
        of a thousand questions costs a fraction of embedding them one at a time."""
        texts = [self.dense_query(query, lang or detect_lang(query)) for query, lang in queries]
        embeddings = self.store.embeddings
        if isinstance(embeddings, HuggingFaceEmbeddings):  # the query prompt, as its embed_query gives it
            return embeddings._embed(texts, embeddings.query_encode_kwargs or embeddings.encode_kwargs)
        return [embeddings.embed_query(text) for text in texts]

    def dense_query(self, query: str, query_lang: str) -> str:
        """The query in the script the Chinese documents are written in, when the index has none in the asker's.

        The embedder scores a Simplified question lower against Traditional text than the same question in
        Traditional (on the dev split by about 0.03), which would make a Simplified asker's evidence look weak.
        Keyword search needs no such help: it folds scripts.
        """
        if query_lang not in ("zh-Hant", "zh-Hans") or query_lang in self.langs:
            return query
        other = "zh-Hant" if query_lang == "zh-Hans" else "zh-Hans"
        return to_script(query, other) if other in self.langs else query

    @property
    def langs(self) -> frozenset[str]:
        return self.keywords.langs


def fuse(
    dense: list[Passage], keyword: list[Passage], query_lang: str, keyword_weight: float = 1.0, rrf_k: int = RRF_K
) -> list[Passage]:
    """Reciprocal rank fusion; keyword ranks count only for passages in the query's language family."""
    scores: dict[str, float] = {}
    by_id: dict[str, Passage] = {}
    for rank, passage in enumerate(dense):
        scores[passage.id] = 1.0 / (rrf_k + rank + 1)
        by_id[passage.id] = passage
    family = lang_family(query_lang)
    same_family = [p for p in keyword if lang_family(p.lang) == family]
    for rank, passage in enumerate(same_family):
        scores[passage.id] = scores.get(passage.id, 0.0) + keyword_weight / (rrf_k + rank + 1)
        by_id.setdefault(passage.id, passage)
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    return [_rescored(by_id[i], round(scores[i], 6)) for i in ranked]


def one_version_per_group(passages: list[Passage], query_lang: str) -> list[Passage]:
    """Keep one language version per translation group: the asker's if present, else the best-ranked."""
    langs_in_rank_order: dict[str, list[str]] = {}
    for passage in passages:
        langs_in_rank_order.setdefault(passage.group, []).append(passage.lang)
    keep = {group: query_lang if query_lang in langs else langs[0] for group, langs in langs_in_rank_order.items()}
    return [p for p in passages if keep[p.group] == p.lang]


def passage_from_record(chunk_id: str, text: str, meta: dict, score: float) -> Passage:
    doc_id = str(meta.get("doc_id", ""))
    return Passage(
        id=str(chunk_id),
        doc_id=doc_id,
        title=str(meta.get("title", "")),
        lang=str(meta.get("lang", "")),
        page=int(meta.get("page", 0) or 0),
        heading=str(meta.get("heading", "")),
        score=round(float(score), 4),
        text=text,
        source=str(meta.get("source", "")),
        url=safe_url(str(meta.get("url", ""))),  # an index built before ingest checked addresses may hold any
        group=str(meta.get("translation_of") or doc_id),
        dense_score=round(float(score), 4),
    )


def _rescored(passage: Passage, score: float) -> Passage:
    return Passage(**{**asdict(passage), "score": score})
