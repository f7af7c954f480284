"""Services.reindex over a throw-away corpus: new files are found, the assistant keeps its set-up."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.server.services import Services

FAST_EMBEDDER = "use-multilingual-v3"


def test_reindex_picks_up_new_files_and_keeps_the_condenser_and_fusion_settings(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "capacity.md").write_text(
        "# Capacity\n\nThe AI Supercomputing Centre at Cyberport opened with 3,000 petaflops.\n", encoding="utf-8"
    )
    settings = Settings(
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        embedder=FAST_EMBEDDER,
        chroma_url="",
        feedback_db=tmp_path / "fb.sqlite3",
        rrf_k=20,
        keyword_weight=2.0,
    )
    services = Services(settings)
    first = services.reindex()
    assert (first.indexed, first.failed, first.chunks) == (1, 0, services.chunk_count())

    condenser = lambda question, history, lang: question  # noqa: E731
    services.assistant.condenser = condenser
    (corpus / "funding.md").write_text(
        "# Funding\n\nHK$3 billion goes to a three-year AI Subsidy Scheme.\n", encoding="utf-8"
    )
    (corpus / "broken.pdf").write_bytes(b"not a pdf at all")
    second = services.reindex()

    assert (second.indexed, second.unchanged, second.failed) == (1, 1, 1)
    assert "broken.pdf" in second.failures[0]
    assert second.chunks > first.chunks
    assert services.assistant.condenser is condenser
    assert (services.assistant.retriever.rrf_k, services.assistant.retriever.keyword_weight) == (20, 2.0)
    found = services.hybrid_search("AI Subsidy Scheme", k=1)
    assert found and found[0].doc_id.endswith("funding")
