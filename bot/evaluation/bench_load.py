"""`askgov bench load`: many simulated citizens asking at once, through the HTTP API and the chat page.

Each simulated user asks one question after another for the whole duration, alternating between `/api/ask` and
the chat (Gradio's queue: join, then read the event stream until the answer is complete), with questions in
English, Traditional and Simplified Chinese taken in turn from the dev split. One user is measured first, in the
same run, so the figures for many users are read as ratios of it.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path
from typing import Annotated, Optional

import httpx
import typer
from rich.console import Console
from rich.table import Table

CHAT_FUNCTION = "respond_and_keep"  # the chat page's answer event (bot/server/citizen.py)
READY_SECONDS = 900.0  # loading the models on a busy 2-core machine took over 5 minutes
REQUEST_SECONDS = 180.0


class LoadError(RuntimeError):
    """The server could not be started or does not look like AskGov."""


@dataclass(frozen=True)
class Question:
    text: str
    lang: str


@dataclass
class Outcome:
    route: str  # "api" or "chat"
    seconds: float
    ok: bool
    busy: bool = False
    error: str = ""


@dataclass
class LoadFigures:
    users: int
    seconds: float
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def answered(self) -> list[float]:
        return [o.seconds for o in self.outcomes if o.ok]

    @property
    def answers_per_second(self) -> float:
        return len(self.answered) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, share: float) -> float:
        times = sorted(self.answered)
        if not times:
            return float("nan")
        return 1000 * times[min(len(times) - 1, max(0, round(share * len(times)) - 1))]

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.answered) if self.answered else float("nan")

    @property
    def errors(self) -> int:
        return sum(not o.ok and not o.busy for o in self.outcomes)

    @property
    def busy(self) -> int:
        return sum(o.busy for o in self.outcomes)

    def first_errors(self, n: int = 3) -> list[str]:
        return list(dict.fromkeys(o.error for o in self.outcomes if o.error))[:n]


def questions_from(path: Path) -> list[Question]:
    """Answerable single-turn questions of a QA split, interleaved by language (en, zh-Hant, zh-Hans, en, ...)."""
    by_lang: dict[str, list[Question]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise LoadError(f"{path}:{number}: not JSON ({error})") from None
        if item.get("expect") == "answer" and not item.get("history") and item.get("question"):
            by_lang.setdefault(str(item.get("lang", "")), []).append(Question(item["question"], item.get("lang", "")))
    if not by_lang:
        raise LoadError(f"{path}: no answerable single-turn questions")
    mixed: list[Question] = []
    for round_ in range(max(len(q) for q in by_lang.values())):
        mixed += [questions[round_] for questions in by_lang.values() if round_ < len(questions)]
    return mixed


# --- the two routes ------------------------------------------------------------------------------------------
async def ask_api(client: httpx.AsyncClient, question: Question) -> Outcome:
    started = time.perf_counter()
    try:
        response = await client.post("/api/ask", json={"question": question.text}, timeout=REQUEST_SECONDS)
    except httpx.HTTPError as error:
        return Outcome("api", time.perf_counter() - started, False, error=f"api: {type(error).__name__}")
    seconds = time.perf_counter() - started
    if response.status_code == 503:
        return Outcome("api", seconds, False, busy=True)
    if response.status_code != 200 or "answer" not in response.json():
        return Outcome("api", seconds, False, error=f"api: HTTP {response.status_code}")
    return Outcome("api", seconds, True)


@dataclass(frozen=True)
class ChatRoute:
    fn_index: int
    inputs: int  # how many input values the event takes
    busy_texts: tuple[str, ...]  # the chat's busy message, in each language, up to the number of seconds
    error_texts: tuple[str, ...]  # the chat's "something went wrong", in each language


async def chat_route(client: httpx.AsyncClient) -> ChatRoute:
    from bot.server.strings import STRINGS

    config = (await client.get("/config", timeout=30)).json()
    for dependency in config.get("dependencies", []):
        if dependency.get("api_name") == CHAT_FUNCTION:
            busy = tuple(strings["busy"].split("{")[0] for strings in STRINGS.values())
            failed = tuple(strings["error"] for strings in STRINGS.values())
            return ChatRoute(int(dependency["id"]), len(dependency.get("inputs", [])), busy, failed)
    raise LoadError(f"the chat page has no '{CHAT_FUNCTION}' event: is this an AskGov server?")


async def ask_chat(client: httpx.AsyncClient, route: ChatRoute, question: Question) -> Outcome:
    """One question through Gradio's queue, as the chat page asks it: join, then read the events."""
    session = uuid.uuid4().hex[:11]
    data = [question.text, [], [], "en", None][: route.inputs]
    started = time.perf_counter()
    try:
        joined = await client.post(
            "/gradio_api/queue/join",
            json={"data": data, "fn_index": route.fn_index, "session_hash": session, "event_data": None},
            timeout=REQUEST_SECONDS,
        )
        if joined.status_code != 200:
            return Outcome("chat", time.perf_counter() - started, False, error=f"chat join: HTTP {joined.status_code}")
        reply = await _completed(client, session)
    except (httpx.HTTPError, LoadError) as error:
        return Outcome("chat", time.perf_counter() - started, False, error=f"chat: {error or type(error).__name__}")
    seconds = time.perf_counter() - started
    if reply is None:
        return Outcome("chat", seconds, False, error="chat: the event failed")
    if any(reply.startswith(text) for text in route.busy_texts):
        return Outcome("chat", seconds, False, busy=True)
    if not reply or reply in route.error_texts:
        return Outcome("chat", seconds, False, error="chat: the answer failed")
    return Outcome("chat", seconds, True)


async def _completed(client: httpx.AsyncClient, session: str) -> str | None:
    """The assistant's last chat message once the event completes; None when it failed."""
    params = {"session_hash": session}
    async with client.stream("GET", "/gradio_api/queue/data", params=params, timeout=REQUEST_SECONDS) as stream:
        async for line in stream.aiter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("msg") == "process_completed":
                if not message.get("success"):
                    return None
                chat = (message.get("output") or {}).get("data", [None, None])[1]
                return _last_message(chat)
            if message.get("msg") == "close_stream":
                break
    raise LoadError("the event stream ended before the answer")


def _last_message(chat: object) -> str:
    if isinstance(chat, list) and chat and isinstance(chat[-1], dict):
        content = chat[-1].get("content", "")
        if isinstance(content, list):  # Gradio 6 messages: a list of {"type": "text", "text": ...}
            return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        return str(content)
    return ""


# --- the run -------------------------------------------------------------------------------------------------
async def run_load(url: str, users: int, duration: float, questions: Sequence[Question]) -> LoadFigures:
    """`users` simulated users asking without pause for `duration` seconds; answers still open then are awaited."""
    limits = httpx.Limits(max_connections=users * 2 + 4, max_keepalive_connections=users * 2 + 4)
    async with httpx.AsyncClient(base_url=url, limits=limits) as client:
        route = await chat_route(client)
        figures = LoadFigures(users, 0.0)
        deadline = time.perf_counter() + duration
        started = time.perf_counter()

        async def user(number: int) -> None:
            turns = cycle(range(len(questions)))
            for _ in range(number * 7 % len(questions)):  # users start at different questions
                next(turns)
            asked = 0
            while time.perf_counter() < deadline:
                question = questions[next(turns)]
                if (number + asked) % 2 == 0:
                    outcome = await ask_api(client, question)
                else:
                    outcome = await ask_chat(client, route, question)
                figures.outcomes.append(outcome)
                asked += 1

        await asyncio.gather(*(user(n) for n in range(users)))
        figures.seconds = time.perf_counter() - started
        return figures


# --- a server of our own -------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def local_server(log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`askgov serve` on 127.0.0.1 at a free port, with the current settings; stopped on leaving."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        try:
            _wait_until_ready(url, process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-5:]
            raise LoadError(f"the server stopped (exit {process.returncode}); {log}: {' | '.join(tail)}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).json().get("ready"):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise LoadError(f"the server was not ready within {READY_SECONDS:.0f} s; see {log}")


# --- the command ---------------------------------------------------------------------------------------------
def load_command(
    users: Annotated[int, typer.Option(min=1, max=500, help="simulated users asking at once")] = 20,
    duration: Annotated[float, typer.Option(min=1.0, help="seconds each measurement lasts")] = 60.0,
    url: Annotated[
        Optional[str],
        typer.Option(
            help="an AskGov server to load (default: start one on 127.0.0.1 without per-client rate limits; "
            "a server of your own applies its limits to this one client)"
        ),
    ] = None,
    questions: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="QA split the questions come from")
    ] = Path("eval/qa/dev.jsonl"),
) -> None:
    """Answers/s and latency for one user, then for USERS at once (API and chat, three languages), as ratios."""
    console = Console()
    try:
        asked = questions_from(questions)
        with _server(url) as address:
            console.print(
                f"server: {address}; {len(asked)} questions; {duration:.0f} s per measurement; load average of the "
                f"machine before: {os.getloadavg()[0]:.1f} (other work on it slows both measurements)",
                highlight=False,
            )
            one = asyncio.run(run_load(address, 1, duration, asked))
            many = asyncio.run(run_load(address, users, duration, asked))
    except LoadError as error:
        Console(stderr=True).print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(load_table(one, many))
    console.print(f"load average of the machine after the run: {os.getloadavg()[0]:.1f}", highlight=False)
    for line in load_verdict(one, many):
        console.print(line, highlight=False)
    if many.first_errors():
        console.print("errors: " + "; ".join(many.first_errors()), highlight=False, soft_wrap=True)


@contextmanager
def _server(url: str | None) -> Iterator[str]:
    if url:
        yield url.rstrip("/")
        return
    # Every simulated user comes from 127.0.0.1, so the per-client rate limits (SECURITY.md) are lifted on the
    # bench's own server: it measures what the machine can answer, not what one client is allowed.
    unlimited = {"ASKGOV_RATE_LIMIT_QUESTIONS": "1000000/minute", "ASKGOV_RATE_LIMIT_SEARCHES": "1000000/minute"}
    with tempfile.TemporaryDirectory(prefix="askgov-load-") as scratch:
        env = {**unlimited, "ASKGOV_FEEDBACK_DB": str(Path(scratch) / "feedback.sqlite3")}
        with local_server(Path(scratch) / "server.log", env) as address:
            yield address


def load_table(one: LoadFigures, many: LoadFigures) -> Table:
    table = Table("users", "answered", "answers/s", "p50 ms", "p95 ms", "max ms", "busy", "errors", title="bench load")
    for figures in (one, many):
        table.add_row(
            str(figures.users),
            str(len(figures.answered)),
            f"{figures.answers_per_second:.2f}",
            f"{figures.median_ms:.0f}",
            f"{figures.percentile_ms(0.95):.0f}",
            f"{figures.percentile_ms(1.0):.0f}",
            str(figures.busy),
            str(figures.errors),
        )
    return table


def load_verdict(one: LoadFigures, many: LoadFigures) -> list[str]:
    """The ratios the acceptance is read from: throughput gain, and p95 against the fair share of the server."""
    gain = many.answers_per_second / one.answers_per_second if one.answers_per_second else float("nan")
    fair_ms = 1000 * many.users / many.answers_per_second if many.answers_per_second else float("nan")
    return [
        f"answers/s at {many.users} users = {gain:.2f} x one user's",
        f"p50 at {many.users} users = {many.median_ms / one.median_ms:.2f} x one user's p50",
        f"p95 at {many.users} users = {many.percentile_ms(0.95) / fair_ms:.2f} x (users / answers per second = "
        f"{fair_ms:.0f} ms)",
        f"errors: {many.errors + one.errors}; busy replies: {many.busy + one.busy}",
    ]
