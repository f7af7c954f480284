"""The external retrieval benchmark (`askgov eval-retrieval`) on a hand-made passage set, small real embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluation.benchmark import BenchmarkError, Fusion, distinct, read_questions, run_benchmark
from bot.ingest.pipeline import ChunkSettings
from bot.lang import detect_lang

PASSAGES = [
    {"id": "p-fund", "lang": "zh-Hant", "title": "撥款", "text": "政府預留一百四十億元支持人工智能研發。"},
    {"id": "p-super", "lang": "zh-Hant", "title": "超算中心", "text": "數碼港人工智能超算中心於去年啟用。"},
    {"id": "p-jobs", "lang": "en", "title": "Civil service", "text": "About ten thousand civil service posts will go."},
]
QUESTIONS = [
    {"id": "q1", "lang": "zh-Hant", "question": "政府預留多少錢支持人工智能研發？", "passage_id": "p-fund"},
    {"id": "q2", "lang": "zh-Hant", "question": "數碼港超算中心何時啟用？", "passage_id": "p-super"},
    {"id": "q3", "lang": "en", "question": "How many civil service posts will go?", "passage_id": "p-jobs"},
]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def test_each_mode_finds_the_gold_passage_and_figures_are_kept_by_language(tmp_path: Path, fast_embedder) -> None:
    passages = _write(tmp_path / "passages.jsonl", PASSAGES)
    questions = read_questions(_write(tmp_path / "questions.jsonl", QUESTIONS), simplified=True)
    assert [q.lang for q in questions] == ["zh-Hant", "zh-Hant", "en", "zh-Hans", "zh-Hans"]
    assert questions[3].text == "政府预留多少钱支持人工智能研发？" and questions[3].gold == "p-fund"
    record = run_benchmark(
        passages, questions, fast_embedder, ChunkSettings(256, 32), fusions=[Fusion(1.0, 60), Fusion(0.5, 20)]
    )
    assert set(record["modes"]) == {"hybrid w=1 k=60", "hybrid w=0.5 k=20", "dense", "keyword"}
    assert record["passages"] == 3 and record["questions"] == 5 and record["passages_per_second"] > 0
    for mode, by_lang in record["modes"].items():
        assert set(by_lang) == {"all", "en", "zh-Hans", "zh-Hant"}
        assert by_lang["all"]["questions"] == 5 and by_lang["zh-Hant"]["questions"] == 2
        assert by_lang["all"]["recall@5"] == 1.0, mode  # three passages: the gold one is always in the top 5
    assert record["modes"]["keyword"]["all"]["recall@1"] == 1.0  # each question shares its key words with its passage


def test_a_question_naming_an_unknown_passage_is_refused_with_the_file(tmp_path: Path, fast_embedder) -> None:
    passages = _write(tmp_path / "passages.jsonl", PASSAGES)
    bad = _write(tmp_path / "questions.jsonl", [QUESTIONS[0] | {"passage_id": "p-missing"}])
    with pytest.raises(BenchmarkError, match="passages.jsonl"):
        run_benchmark(passages, read_questions(bad), fast_embedder, ChunkSettings(256, 32))


def test_bad_question_lines_name_file_line_and_field(tmp_path: Path) -> None:
    missing = _write(tmp_path / "q.jsonl", [QUESTIONS[0], {"id": "q9", "lang": "en", "question": "Hi?"}])
    with pytest.raises(BenchmarkError, match=r"q.jsonl:2: field 'passage_id' is missing"):
        read_questions(missing)
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(BenchmarkError, match=r"broken.jsonl:1: bad JSON"):
        read_questions(broken)


def test_a_passage_ranks_where_its_best_chunk_does() -> None:
    assert distinct(["a", "a", "b", "a", "c"]) == ["a", "b", "c"]
    assert distinct([str(i) for i in range(20)]) == [str(i) for i in range(10)]


class CountingEmbeddings:
    """The real embedder, counting the questions it embeds."""

    def __init__(self, inner) -> None:
        self.inner, self.queries = inner, []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return self.inner.embed_query(text)


def test_each_question_is_embedded_once_for_all_modes_and_in_the_documents_script(
    tmp_path: Path, fast_embedder
) -> None:
    from dataclasses import replace

    counting = CountingEmbeddings(fast_embedder.embeddings)
    passages = _write(tmp_path / "passages.jsonl", PASSAGES)
    questions = read_questions(_write(tmp_path / "questions.jsonl", QUESTIONS), simplified=True)
    run_benchmark(
        passages,
        questions,
        replace(fast_embedder, embeddings=counting),
        ChunkSettings(256, 32),
        fusions=[Fusion(1.0, 60), Fusion(2.0, 20)],
    )
    asked = counting.queries
    assert len(asked) == len(set(asked)) <= len(questions)  # three searching modes, yet one embedding each
    assert all(detect_lang(text) != "zh-Hans" for text in asked)  # Simplified is embedded in Traditional
