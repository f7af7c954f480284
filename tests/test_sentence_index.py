"""Sentence vectors: embedded once per candidate, kept in step with the index, and what they change in answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer.candidates import Candidate, candidates
from bot.answer.extractive import extractive_answer
from bot.answer.sentence_index import SentenceVectors, sentence_key
from bot.embedder import Embedder
from bot.retrieve import Passage
from bot.store import make_client

FEE = (
    "The scheme opened to applications in 2025. Taking part costs applicants nothing at all. "
    "The office is open on weekdays."
)
FEE_QUESTION = "Is there a fee to join the scheme?"


def passage(text: str, doc_id: str = "doc-en", lang: str = "en") -> Passage:
    return Passage(
        id=f"{doc_id}::0",
        doc_id=doc_id,
        title="Scheme",
        lang=lang,
        page=0,
        heading="",
        score=1.0,
        text=text,
        source=f"corpus/{doc_id}.md",
        url="",
        group=doc_id,
        dense_score=1.0,
    )


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.embedded = inner, 0

    def embed_titled(self, texts: list[tuple[str, str]]) -> list[list[float]]:
        self.embedded += len(texts)
        return self.inner.embed_titled(texts)


def sentence(text: str, title: str = "", heading: str = "") -> Candidate:
    return Candidate(1, 0, text, heading=heading, title=title)


@pytest.fixture
def vectors(tmp_path: Path, fast_embedder: Embedder) -> SentenceVectors:
    return SentenceVectors.open(make_client(tmp_path / "index"), fast_embedder)


def test_sync_embeds_each_candidate_once_and_drops_what_the_index_lost(tmp_path: Path, fast_embedder: Embedder) -> None:
    counting = CountingEmbedder(fast_embedder)
    client = make_client(tmp_path / "index")
    vectors = SentenceVectors.open(client, fast_embedder)
    vectors._embedder = counting
    kept, gone = passage(FEE), passage("Offices close at six. Appointments are not needed.", "other-en")
    wanted = len({sentence_key(c) for p in (kept, gone) for c in candidates([p], lang="en")})

    assert vectors.sync([kept, gone]) == wanted == counting.embedded
    assert vectors.sync([kept, gone]) == 0 and counting.embedded == wanted  # nothing new: nothing embedded
    assert vectors.sync([kept]) == 0
    assert vectors.count() == len(candidates([kept], lang="en"))
    # what was stored survives the process: a new handle on the same index finds it
    assert SentenceVectors.open(client, fast_embedder).count() == vectors.count()


def test_a_sentence_not_yet_stored_is_embedded_when_first_needed_and_kept(
    vectors: SentenceVectors, fast_embedder: Embedder
) -> None:
    query = fast_embedder.embeddings.embed_query("When are offices open?")
    first = vectors.similarities(query, [sentence("The office is open on weekdays."), sentence("Bananas are yellow.")])
    assert vectors.count() == 2
    assert vectors.similarities(query, [sentence("The office is open on weekdays.")]) == pytest.approx(
        first[:1], abs=1e-6
    )
    assert vectors.count() == 2
    assert first[0] > first[1]


def test_a_table_joined_for_either_language_is_one_sentence() -> None:
    assert sentence_key(sentence("Funding: HK$3 billion; Duration: three years.")) == sentence_key(
        sentence("Funding：HK$3 billion；Duration：three years。")
    )
    assert sentence_key(sentence("Funding: HK$3 billion.")) != sentence_key(sentence("Funding: HK$1 billion."))


def test_the_same_sentence_under_another_title_is_another_sentence() -> None:
    """Its vector is made with its titles, so it must not be looked up under another document's."""
    said = "Free courses will be offered."
    assert sentence_key(sentence(said, "Digital inclusion", "Older residents")) != sentence_key(sentence(said))
    assert sentence_key(sentence(said, "Digital inclusion", "Older residents")) != sentence_key(
        sentence(said, "Digital inclusion", "Small firms")
    )
    assert sentence_key(sentence(said, "Digital inclusion")) == sentence_key(sentence(said, "Digital  inclusion"))


def test_meaning_finds_the_sentence_that_shares_no_word_with_the_question(
    vectors: SentenceVectors, fast_embedder: Embedder
) -> None:
    found = [passage(FEE)]
    vectors.sync(found)
    query = fast_embedder.embeddings.embed_query(FEE_QUESTION)

    by_words = extractive_answer(FEE_QUESTION, FEE_QUESTION, "en", found)
    by_meaning = extractive_answer(
        FEE_QUESTION, FEE_QUESTION, "en", found, sentence_vectors=vectors, query_vector=query
    )

    assert "costs applicants nothing" not in by_words  # "fee", "join": none of its words
    assert "costs applicants nothing" in by_meaning
    assert "weekdays" not in by_meaning


def test_without_a_query_vector_answers_are_made_by_words_alone(vectors: SentenceVectors) -> None:
    found = [passage(FEE)]
    assert extractive_answer(FEE_QUESTION, FEE_QUESTION, "en", found, sentence_vectors=vectors) == extractive_answer(
        FEE_QUESTION, FEE_QUESTION, "en", found
    )
    assert vectors.count() == 0  # and nothing was embedded for it


def test_candidates_carry_their_documents_title_to_be_embedded_with() -> None:
    assert {c.title for c in candidates([passage(FEE)], lang="en")} == {"Scheme"}


def test_a_sync_over_the_passages_synced_last_reads_none_of_them(
    tmp_path: Path, fast_embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.answer.sentence_index as sentence_index

    client = make_client(tmp_path / "index")
    first, second = passage(FEE), passage("Offices close at six. Appointments are not needed.", "other-en")
    SentenceVectors.open(client, fast_embedder).sync([first, second])
    looked_at: list[str] = []

    def spying(passages: list[Passage], *args, **kwargs) -> list[Candidate]:
        looked_at.extend(p.id for p in passages)
        return candidates(passages, *args, **kwargs)

    monkeypatch.setattr(sentence_index, "candidates", spying)
    reopened = SentenceVectors.open(client, fast_embedder)  # as at the next start-up
    assert reopened.sync([second, first]) == 0 and looked_at == []
    assert reopened.sync([first]) == 0 and looked_at == [first.id]  # another set of passages is read
    assert reopened.count() == len(candidates([first], lang="en"))
