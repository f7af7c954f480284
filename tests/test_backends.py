"""The generative answer backends over a small real index (USE embedder, five corpus documents in en + zh-Hant).

Stub backends test the chain's checks (citations, language, NO_ANSWER); the `integration` tests run the real
Qwen GGUF in process (`local`) and behind llama-cpp-python's own OpenAI-compatible server (`openai`). A small
model may write an invalid answer: then the chain must have fallen back to the extractive answer and said why,
so those tests assert what holds either way and record which happened.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.runnables import Runnable, RunnableGenerator, RunnableLambda
from webapp_index import FAST_EMBEDDER, web_index  # noqa: F401  (a fixture)

from bot.answer.backends import NO_ANSWER, BackendError
from bot.answer.chain import MARKER, Assistant, Thresholds, invalid_reason
from bot.answer.condense import standalone_question
from bot.answer.llm import gguf_path, make_condenser, make_llm_backend, tidy_answer
from bot.answer.types import AnswerResult, Turn
from bot.components import get_sentence_vectors, get_store
from bot.config import Settings
from bot.lang import detect_lang
from bot.retrieve import HybridRetriever, KeywordIndex

CAPACITY_ZH = "數碼港超算中心而家有幾多算力？"
CAPACITY_EN = "How much computing power does the AI Supercomputing Centre at Cyberport have?"
FUNDING_EN = "How much money has been set aside for AI development?"
QUESTIONS = {"en": CAPACITY_EN, "zh-Hant": CAPACITY_ZH, "zh-Hans": "数码港超算中心现在有多少算力？"}
CENTRE_WORDS = ("超算", "數碼港", "数码港", "超級運算", "超级运算", "超級計算", "超级计算")
SERVER_START_SECONDS = 240


# --- shared pieces ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def index_settings(web_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:  # noqa: F811
    """Settings over the small index, with refusal thresholds of its own (not the dev-split calibration)."""
    calibration = tmp_path_factory.mktemp("calibration") / "calibration.json"
    calibration.write_text(json.dumps({"min_similarity": 0.3}), encoding="utf-8")
    return Settings(
        index_dir=web_index,
        embedder=FAST_EMBEDDER,
        chroma_url="",
        calibration_file=calibration,
        openai_base_url="",
        openai_model="",
        _env_file=None,
    )


@pytest.fixture(scope="module")
def retriever(index_settings: Settings) -> HybridRetriever:
    store = get_store(index_settings)
    return HybridRetriever(store, KeywordIndex.from_store(store))


@pytest.fixture(scope="module")
def extractive(retriever: HybridRetriever, index_settings: Settings) -> Assistant:
    return Assistant(
        retriever,
        thresholds=Thresholds.load(index_settings.calibration_file),
        sentence_vectors=get_sentence_vectors(index_settings),
    )


def stub_assistant(retriever: HybridRetriever, settings: Settings, backend: Runnable) -> Assistant:
    """The real chain (retrieval, checks, fallback) with `backend` standing in for the generative model."""
    return Assistant(
        retriever,
        "local",
        backend,
        Thresholds.load(settings.calibration_file),
        sentence_vectors=get_sentence_vectors(settings),
    )


def replying(text: str) -> Runnable:
    return RunnableLambda(lambda request: text, name="stub")


def markers(text: str) -> list[int]:
    return [int(n) for n in MARKER.findall(text)]


def assert_cited_answer(result: AnswerResult, lang: str) -> None:
    """What every shown answer must satisfy: the asker's language and every marker backed by a listed source."""
    assert not result.refused, result.answer
    assert result.lang == lang and detect_lang(result.answer) == lang, result.answer
    used = markers(result.answer)
    assert used, f"no citation markers in {result.answer!r}"
    assert set(used) == {c.n for c in result.citations}, (result.answer, [c.n for c in result.citations])
    assert [c.n for c in result.citations] == list(range(1, len(result.citations) + 1))
    retrieved = {p.text for p in result.passages}
    assert all(c.snippet in retrieved for c in result.citations), "a citation is not a passage the backend was given"


def assert_valid_or_fallback(result: AnswerResult, extractive_answer: AnswerResult, lang: str) -> str:
    """Either the model's answer passed the checks, or the extractive answer is shown and the reason recorded."""
    assert_cited_answer(result, lang)
    if result.fallback:
        assert result.answer == extractive_answer.answer
        assert [c.snippet for c in result.citations] == [c.snippet for c in extractive_answer.citations]
        return f"fallback ({result.fallback})"
    cited = " ".join(numbers(c.snippet) for c in result.citations)
    invented = [n for n in numbers(MARKER.sub("", result.answer)).split() if n not in cited.split()]
    assert not invented, f"figures in {result.answer!r} that no cited passage gives: {invented}"
    return "model answer"


def numbers(text: str) -> str:
    """The figures in `text`, thousands separators dropped: 3,000 and 3000 are one figure."""
    return " ".join(n.replace(",", "") for n in re.findall(r"\d+(?:[,.]\d+)*", text))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the chain's checks, with stub backends ------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, lang, reason_word",
    [
        ("數碼港人工智能超算中心的算力為3,000 petaflops[9]。", "zh-Hant", "marker"),
        ("The AI Supercomputing Centre has a capacity of 3,000 petaflops [1].", "zh-Hant", "en"),
        ("數碼港人工智能超算中心的算力為3,000 petaflops。", "zh-Hant", "marker"),
        ("   ", "zh-Hant", "empty"),
        ("數碼港人工智能超算中心的算力為3,000 petaflops [1]。", "en", "zh"),
    ],
)
def test_invalid_generated_answer_falls_back_to_the_extractive_answer(
    retriever: HybridRetriever, index_settings: Settings, extractive: Assistant, text: str, lang: str, reason_word: str
) -> None:
    question = QUESTIONS[lang]
    result = stub_assistant(retriever, index_settings, replying(text)).ask(question)
    assert result.fallback and reason_word in result.fallback
    assert result.fallback == invalid_reason(text, lang, len(result.passages))
    assert result.backend == "local"
    assert "[9]" not in result.answer
    assert_valid_or_fallback(result, extractive.ask(question), lang)


def test_valid_generated_answer_is_kept_and_its_markers_renumbered(
    retriever: HybridRetriever, index_settings: Settings
) -> None:
    assistant = stub_assistant(
        retriever, index_settings, replying("數碼港人工智能超算中心已經啟用[2]。算力為3,000 petaflops[2][1]。")
    )
    result = assistant.ask(CAPACITY_ZH)
    assert result.fallback == "" and result.backend == "local"
    assert result.answer == "數碼港人工智能超算中心已經啟用[1]。算力為3,000 petaflops[1][2]。"
    assert [c.snippet for c in result.citations] == [result.passages[1].text, result.passages[0].text]
    assert_cited_answer(result, "zh-Hant")


def test_a_streamed_invalid_answer_is_never_shown_only_the_checked_one(
    retriever: HybridRetriever, index_settings: Settings, extractive: Assistant
) -> None:
    pieces = ["The centre ", "has 3,000 petaflops ", "[7]."]

    def generate(requests: Iterator) -> Iterator[str]:
        for _ in requests:
            yield from pieces

    backend = RunnableGenerator(generate, name="stub")
    *streamed, final = list(stub_assistant(retriever, index_settings, backend).stream(CAPACITY_EN))
    assert streamed == [final.answer]  # decided before any text reaches the page: nothing shown is withdrawn
    assert not any("[7]" in piece for piece in streamed)
    assert isinstance(final, AnswerResult) and "marker" in final.fallback
    assert_valid_or_fallback(final, extractive.ask(CAPACITY_EN), "en")


@pytest.mark.parametrize("lang", ["en", "zh-Hant", "zh-Hans"])
def test_no_answer_from_the_backend_is_a_refusal_with_1823(
    retriever: HybridRetriever, index_settings: Settings, lang: str
) -> None:
    assistant = stub_assistant(retriever, index_settings, replying(f"  {NO_ANSWER}\n"))
    for result in (assistant.ask(QUESTIONS[lang]), list(assistant.stream(QUESTIONS[lang]))[-1]):
        assert result.refused and result.refusal_reason == "weak_evidence"
        assert "1823" in result.answer and NO_ANSWER not in result.answer
        assert result.lang == lang and detect_lang(result.answer) == lang
        assert not result.citations and not result.fallback


def test_a_reply_opening_with_no_answer_becomes_exactly_no_answer() -> None:
    assert list(tidy_answer(iter(["NO_", "ANSWER: the passages ", "do not say."]))) == [NO_ANSWER]
    assert (
        "".join(tidy_answer(iter(["  The centre ", "has 3,000 petaflops [1]."])))
        == "The centre has 3,000 petaflops [1]."
    )
    assert "".join(tidy_answer(iter(["NO", " more than 3,000 petaflops [1]."]))) == "NO more than 3,000 petaflops [1]."


# --- openai: configuration and connection errors ----------------------------------------------------------
def test_openai_backend_without_a_url_names_the_variable(index_settings: Settings) -> None:
    settings = index_settings.model_copy(update={"openai_model": "qwen"})
    with pytest.raises(BackendError, match="ASKGOV_OPENAI_BASE_URL"):
        make_llm_backend("openai", settings)
    with pytest.raises(BackendError, match="ASKGOV_OPENAI_BASE_URL"):
        Assistant.from_settings(settings, backend="openai")


def test_openai_backend_that_cannot_be_reached_names_the_url(index_settings: Settings) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    settings = index_settings.model_copy(update={"openai_base_url": url, "openai_model": "qwen"})
    assistant = Assistant.from_settings(settings, backend="openai")
    with pytest.raises(BackendError, match=re.escape(url)):
        assistant.ask(CAPACITY_EN)
    with pytest.raises(BackendError, match=re.escape(url)):
        list(assistant.stream(CAPACITY_EN))


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    askgov = Path(sys.executable).parent / "askgov"
    return subprocess.run(
        [str(askgov), *args], capture_output=True, text=True, timeout=300, env={**os.environ, **env, "COLUMNS": "80"}
    )


def test_cli_reports_openai_misconfiguration_in_one_line(index_settings: Settings, tmp_path: Path) -> None:
    env = {
        "ASKGOV_INDEX_DIR": str(index_settings.index_dir),
        "ASKGOV_EMBEDDER": FAST_EMBEDDER,
        "ASKGOV_CHROMA_URL": "",
        "ASKGOV_CALIBRATION_FILE": str(index_settings.calibration_file),
        "ASKGOV_OPENAI_BASE_URL": "",
        "ASKGOV_OPENAI_MODEL": "qwen",
    }
    missing = run_cli("ask", "--backend", "openai", CAPACITY_EN, env=env)
    assert missing.returncode != 0 and not missing.stdout
    assert len(missing.stderr.strip().splitlines()) == 1 and "ASKGOV_OPENAI_BASE_URL" in missing.stderr
    assert "Traceback" not in missing.stderr

    url = f"http://127.0.0.1:{free_port()}/v1"
    unreachable = run_cli("ask", "--backend", "openai", CAPACITY_EN, env={**env, "ASKGOV_OPENAI_BASE_URL": url})
    assert unreachable.returncode != 0 and not unreachable.stdout
    assert url in unreachable.stderr and "Traceback" not in unreachable.stderr
    assert len(unreachable.stderr.strip().splitlines()) == 1, unreachable.stderr


def test_cli_reports_a_calibration_file_without_a_threshold_in_one_line(
    index_settings: Settings, tmp_path: Path
) -> None:
    old = tmp_path / "calibration.json"
    old.write_text('{"min_dense_score": 0.425, "min_coverage": 0.1}', encoding="utf-8")
    env = {
        "ASKGOV_INDEX_DIR": str(index_settings.index_dir),
        "ASKGOV_EMBEDDER": FAST_EMBEDDER,
        "ASKGOV_CHROMA_URL": "",
        "ASKGOV_CALIBRATION_FILE": str(old),
    }
    refused = run_cli("ask", CAPACITY_EN, env=env)
    assert refused.returncode == 2 and not refused.stdout
    assert str(old) in refused.stderr and "'min_similarity'" in refused.stderr and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr


# --- local: the real Qwen GGUF in process ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def local_assistant(index_settings: Settings) -> Assistant:
    """Loads the GGUF once for the module (llm.py caches the llama.cpp model per process)."""
    return Assistant.from_settings(index_settings, backend="local")


@pytest.mark.integration
def test_local_backend_answers_in_traditional_chinese_with_citations(
    local_assistant: Assistant, extractive: Assistant, record_property
) -> None:
    result = local_assistant.ask(CAPACITY_ZH)
    assert result.backend == "local"
    outcome = assert_valid_or_fallback(result, extractive.ask(CAPACITY_ZH), "zh-Hant")
    record_property("local_outcome", outcome)
    print(f"\nlocal backend: {outcome}: {result.answer} ({result.timings.generate_ms:.0f} ms to generate)")


@pytest.mark.integration
def test_local_backend_streams_text_then_the_checked_result(
    local_assistant: Assistant, extractive: Assistant, record_property
) -> None:
    *pieces, final = list(local_assistant.stream(FUNDING_EN))
    assert pieces and all(isinstance(piece, str) for piece in pieces)
    assert isinstance(final, AnswerResult) and final.backend == "local"
    outcome = assert_valid_or_fallback(final, extractive.ask(FUNDING_EN), "en")
    if not final.fallback:  # the result shows what was streamed, markers renumbered

        def plain(text: str) -> str:
            return re.sub(r"\s+", "", MARKER.sub("", text))

        assert plain(final.answer) == plain("".join(pieces))
    record_property("local_stream_outcome", outcome)
    print(f"\nlocal stream: {len(pieces)} pieces, {outcome}: {final.answer}")


@pytest.mark.integration
def test_local_condenser_rewrites_a_follow_up_into_a_standalone_question(
    index_settings: Settings, record_property
) -> None:
    condense = make_condenser("local", index_settings)
    history = [
        Turn(role="user", content=CAPACITY_ZH),
        Turn(role="assistant", content="數碼港人工智能超算中心已經啟用，算力為3,000 petaflops[1]。"),
    ]
    assert condense(CAPACITY_ZH, []) == CAPACITY_ZH  # nothing to carry over: no model call
    long_question = "數碼港人工智能超算中心的算力計劃在2030年或之前達到多少？"
    assert condense(long_question, history) == long_question  # not a follow-up: left alone

    follow_up = "咁2030年呢？"
    rewritten = condense(follow_up, history, "zh-Hant")
    deterministic = standalone_question(follow_up, history)
    assert "2030" in rewritten and rewritten != follow_up
    assert detect_lang(rewritten) != "en"
    if rewritten == deterministic:
        outcome = "deterministic fallback"
    else:
        assert any(word in rewritten for word in CENTRE_WORDS), rewritten
        assert not MARKER.search(rewritten) and NO_ANSWER not in rewritten
        outcome = "model rewrite"
    record_property("condense_outcome", outcome)
    print(f"\nlocal condenser: {outcome}: {rewritten}")


# --- openai: llama-cpp-python's own OpenAI-compatible server ----------------------------------------------------
def wait_for_models(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"llama_cpp.server exited with code {server.returncode}; its log ({log}):\n"
                f"{log.read_text(errors='replace')[-2000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    pytest.fail(
        f"llama_cpp.server did not answer {url}/models within {SERVER_START_SECONDS} s; its log ({log}):\n"
        f"{log.read_text(errors='replace')[-2000:]}"
    )


@pytest.fixture(scope="module")
def openai_server(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base url, model name) of a real OpenAI-compatible server running the bundled GGUF."""
    model = gguf_path(index_settings)
    if not model.is_file():
        pytest.fail(f"{model} is missing: run `askgov models fetch {index_settings.llm_model}`")
    port, alias = free_port(), "askgov-qwen"
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        alias,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "4096",
        "--n_threads",
        str(index_settings.llm_threads),
        "--verbose",
        "False",
    ]
    with log.open("w") as sink:
        server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/v1"
        wait_for_models(url, server, log)
        yield url, alias
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.integration
def test_openai_backend_answers_through_a_real_server(
    openai_server: tuple[str, str], index_settings: Settings, extractive: Assistant, record_property
) -> None:
    url, model = openai_server
    settings = index_settings.model_copy(update={"openai_base_url": url, "openai_model": model})
    result = Assistant.from_settings(settings, backend="openai").ask(CAPACITY_EN)
    assert result.backend == "openai"
    outcome = assert_valid_or_fallback(result, extractive.ask(CAPACITY_EN), "en")
    record_property("openai_outcome", outcome)
    print(f"\nopenai backend: {outcome}: {result.answer} ({result.timings.generate_ms:.0f} ms to generate)")
