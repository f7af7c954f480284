"""Integration: the real default embedder (EmbeddingGemma-300M), as `make test` fetched it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.components import embedder_for
from bot.config import Settings
from bot.ingest.pipeline import ChunkSettings, discover, ingest
from bot.models import get_spec, verify_installed
from bot.retrieve import dense_search
from bot.store import make_client, open_store

pytestmark = pytest.mark.integration
DEFAULT = Settings.model_fields["embedder"].default

PASSAGES = {
    "capacity.md": "# Supercomputing\n\nThe AI Supercomputing Centre at Cyberport has 3,000 petaflops of capacity.",
    "jobs.md": "# 公務員\n\n政府計劃在2027年4月前削減約10,000個公務員職位，約佔編制5%。",
    "privacy.md": "# 私隱\n\n超過60間機構已完成合規審查，並採用加密及匿名化措施保護個人資料。",
    "talent.md": "# Talent\n\nThe Technology Talent Admission Scheme is being expanded to attract AI experts.",
}


@pytest.fixture(scope="module")
def default_embedder():
    return embedder_for(DEFAULT, str(Settings().models_dir))  # the same instance the CLI gets


def test_default_weights_match_their_published_hash() -> None:
    assert verify_installed(get_spec(DEFAULT), Settings().models_dir)


def test_questions_find_passages_across_languages_and_scripts(tmp_path: Path, settings, default_embedder) -> None:
    for name, text in PASSAGES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    store = open_store(make_client(settings.index_dir), default_embedder)
    results = list(ingest(discover([tmp_path]), store, default_embedder, ChunkSettings(256, 32)))
    assert {r.status for r in results} == {"indexed"}

    questions = {
        "数码港超算中心现在有多少算力？": "capacity",  # Simplified question, English passage
        "How many civil service jobs will be cut?": "jobs",  # English question, Traditional passage
        "有幾多間機構做咗合規審查？": "privacy",  # Cantonese question
        "How will Hong Kong attract AI talent?": "talent",
    }
    for question, doc_id in questions.items():
        assert dense_search(store, question, k=1)[0].doc_id == doc_id, question


def test_cli_search_uses_the_default_embedder(tmp_path: Path, settings, monkeypatch) -> None:
    monkeypatch.setenv("ASKGOV_EMBEDDER", DEFAULT)
    from bot.config import get_settings

    get_settings.cache_clear()
    (tmp_path / "docs").mkdir()
    for name, text in PASSAGES.items():
        (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(tmp_path / "docs")]).exit_code == 0
    found = runner.invoke(app, ["search", "supercomputing capacity", "-k", "2", "--json"])
    assert found.exit_code == 0, found.output
    passages = json.loads(found.stdout)
    assert passages[0]["doc_id"] == "capacity" and "3,000 petaflops" in passages[0]["text"]
    assert set(passages[0]) == {"id", "doc_id", "title", "lang", "page", "score", "text", "source"}
    collections = [c.name for c in make_client(settings.index_dir).list_collections()]
    # the chunks, and the sentences extractive answers are made of, both embedded by the default model only
    assert sorted(collections) == [f"askgov-{DEFAULT}", f"askgov-{DEFAULT}-sentences"]


def test_a_sentence_is_embedded_with_the_titles_that_say_what_it_is_about(default_embedder) -> None:
    """A lone sentence never says whom its courses are for; its document and section titles do."""
    said = "Free or subsidised courses will be offered."
    inclusion = ("Digital inclusion - Help for older residents", said)
    power = ("Data centre cluster - Electricity supply", said)
    question = default_embedder.embeddings.embed_query("Is there any help for elderly people who find AI hard?")
    vectors = default_embedder.embed_titled([inclusion, power, ("", said)])

    def similarity(vector: list[float]) -> float:
        return sum(a * b for a, b in zip(question, vector))

    assert similarity(vectors[0]) > similarity(vectors[2]) > similarity(vectors[1])
    # without a title it is what the model's own document prompt gives: the same vector as embed_documents
    assert vectors[2] == pytest.approx(default_embedder.embeddings.embed_documents([said])[0], abs=1e-5)
