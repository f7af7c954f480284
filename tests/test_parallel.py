"""Answers in parallel, a bounded queue, "busy" beyond it, and `askgov bench load`, over a small real index."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner
from webapp_index import FAST_EMBEDDER, web_index  # noqa: F401  (a fixture)

from bot.cli import app as cli
from bot.config import Settings
from bot.evaluation.bench_load import Question, ask_api, ask_chat, chat_route
from bot.server.admission import AnswerGate, Busy
from bot.server.app import build_app
from bot.server.services import Services
from bot.server.strings import STRINGS

ZH_QUESTION = Question("數碼港人工智能超算中心有幾多算力？", "zh-Hant")


# --- the gate alone ----------------------------------------------------------------------------------------------
def test_the_gate_admits_workers_at_once_queues_the_next_and_turns_away_the_rest() -> None:
    gate = AnswerGate(workers=2, queue=1, wait_seconds=5)
    inside, release = threading.Barrier(3), threading.Event()

    def hold() -> None:
        with gate.slot():
            inside.wait(timeout=5)  # both workers are inside at the same time
            release.wait(timeout=5)

    holders = [threading.Thread(target=hold) for _ in range(2)]
    for thread in holders:
        thread.start()
    inside.wait(timeout=5)
    waited: list[float] = []

    def queued() -> None:
        started = time.perf_counter()
        with gate.slot():
            waited.append(time.perf_counter() - started)

    waiter = threading.Thread(target=queued)
    waiter.start()
    time.sleep(0.2)  # the waiter is in the queue now
    with pytest.raises(Busy) as busy:
        with gate.slot():
            pass
    assert busy.value.retry_after >= 1
    release.set()
    for thread in [*holders, waiter]:
        thread.join(timeout=5)
    assert len(waited) == 1  # the queued question was answered once a worker was free
    with gate.slot():  # and the gate is empty again
        pass


def test_a_question_waits_no_longer_than_the_limit() -> None:
    gate = AnswerGate(workers=1, queue=4, wait_seconds=0.3)
    with gate.slot():
        outcome: list[BaseException] = []
        thread = threading.Thread(target=lambda: _enter(gate, outcome))
        thread.start()
        thread.join(timeout=5)
    assert len(outcome) == 1 and isinstance(outcome[0], Busy)


def _enter(gate: AnswerGate, outcome: list[BaseException]) -> None:
    try:
        with gate.slot():
            pass
    except Busy as busy:
        outcome.append(busy)


def test_bad_gate_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="workers"):
        AnswerGate(workers=0, queue=1, wait_seconds=1)


# --- a real server in this process, so a test can take the workers ---------------------------------------------
@pytest.fixture(scope="module")
def services(web_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Services:  # noqa: F811
    folder = tmp_path_factory.mktemp("parallel")
    settings = Settings(
        index_dir=web_index,
        embedder=FAST_EMBEDDER,
        chroma_url="",
        feedback_db=folder / "fb.sqlite3",
        staff_users_file=folder / "staff-users",
        answer_workers=2,
        answer_queue=0,
        answer_wait_seconds=1.0,
        rate_limit_questions="1000/minute",  # every request here comes from 127.0.0.1: only the gate may refuse
        rate_limit_searches="1000/minute",
    )
    return Services(settings)


@pytest.fixture(scope="module")
def server(services: Services) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    runner = uvicorn.Server(
        uvicorn.Config(build_app(services.settings, services), "127.0.0.1", port, log_level="error")
    )
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    yield url
    runner.should_exit = True
    thread.join(timeout=10)


def _ask_both_routes(url: str) -> tuple:
    async def run():
        async with httpx.AsyncClient(base_url=url) as client:
            route = await chat_route(client)
            return await ask_api(client, ZH_QUESTION), await ask_chat(client, route, ZH_QUESTION)

    return asyncio.run(run())


def test_an_answer_is_given_while_another_worker_is_busy(server: str, services: Services) -> None:
    with services.gate.slot():  # one of the two workers is taken: a global lock would make this wait
        api, chat = _ask_both_routes(server)
    assert api.ok and chat.ok, (api, chat)


def test_beyond_the_workers_and_queue_the_asker_is_told_to_try_again_in_their_language(
    server: str, services: Services
) -> None:
    with services.gate.slot(), services.gate.slot():  # every worker taken, no queue
        response = httpx.post(f"{server}/api/ask", json={"question": ZH_QUESTION.text}, timeout=30)
        api, chat = _ask_both_routes(server)
    assert response.status_code == 503 and int(response.headers["retry-after"]) >= 1
    assert response.json()["error"].startswith(STRINGS["zh-Hant"]["busy"].split("{")[0])
    assert api.busy and chat.busy and not api.error and not chat.error
    after = httpx.post(f"{server}/api/ask", json={"question": ZH_QUESTION.text}, timeout=30)
    assert after.status_code == 200 and after.json()["citations"]


def test_bench_load_reports_one_user_and_many_as_ratios(server: str) -> None:
    result = CliRunner().invoke(cli, ["bench", "load", "--users", "3", "--duration", "2", "--url", server])
    assert result.exit_code == 0, result.output
    assert "answers/s at 3 users =" in result.output and "x one user's" in result.output
    assert "errors: 0;" in result.output
