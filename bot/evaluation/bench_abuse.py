"""`askgov bench abuse`: what one abusive client does to everyone else, on the real server.

Starts `askgov serve` on 127.0.0.1 (the index, embedder and backend of the current settings; a throw-away staff
user and feedback database) and measures, each phase for `--seconds`:

1. idle, at the start and again at the end (pooled): the median of `/api/health` and of an ordinary question;
2. `--clients` clients sending wrong staff passwords: the median of `/api/health`;
3. one client looping questions of 2,000 characters, then one looping the longest question accepted: the median
   of other users' ordinary questions.

Each median is printed as a ratio to the idle median of the same run, so machines of different speeds compare.
Clients are told apart by X-Forwarded-For (the server trusts it from 127.0.0.1, as behind a local proxy): every
ordinary question comes from an address of its own, as from many citizens, and each abusive client keeps one.
The abusive clients run in processes of their own, so the measuring client competes with them for the machine,
as a real one would, but not for this process's interpreter lock.
"""

from __future__ import annotations

import multiprocessing
import secrets
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import count
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Annotated

import httpx
import typer

from bot.config import get_settings
from bot.evaluation.bench_load import local_server
from bot.server.auth import add_user
from bot.server.strings import EXAMPLES

app = typer.Typer()
STAFF_NAME = "bench-officer"


@contextmanager
def abuse_server(folder: Path) -> Iterator[str]:
    """`askgov serve` on a free port of 127.0.0.1 with a staff user of its own and a scratch feedback store."""
    add_user(folder / "staff-users", STAFF_NAME, secrets.token_urlsafe(16))
    env = {
        "ASKGOV_FEEDBACK_DB": str(folder / "feedback.sqlite3"),
        "ASKGOV_STAFF_USERS_FILE": str(folder / "staff-users"),
        "ASKGOV_TRUSTED_PROXIES": "127.0.0.1",
    }
    with local_server(folder / "server.log", env) as url:
        yield url


_addresses = count(1)


def new_address() -> str:
    n = next(_addresses)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def timed(call: Callable[[], httpx.Response]) -> tuple[float, int]:
    start = time.perf_counter()
    status = call().status_code
    return time.perf_counter() - start, status


def measure(sample: Callable[[], tuple[float, int]], seconds: float) -> list[float]:
    """Latencies of successful samples, taken one after another for `seconds` (at least three)."""
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline or len(latencies) < 3:
        latency, status = sample()
        if status == 200:
            latencies.append(latency)
    return latencies


def abuse_loop(url: str, action: str, length: int, address: str, stop: Event, started: Queue, results: Queue) -> None:
    """One abusive client, in a process of its own (so it does not take the measuring thread's GIL): sends wrong
    staff passwords (`action` "spray") or questions of `length` characters ("ask") until `stop`."""
    statuses: Counter[int] = Counter()
    question = ("a." * length)[:length]
    wrong = httpx.BasicAuth(STAFF_NAME, "not the password")
    with httpx.Client(timeout=300, headers={"X-Forwarded-For": address}) as client:
        started.put(address)
        while not stop.is_set():
            try:
                if action == "spray":
                    response = client.get(f"{url}/staff/", auth=wrong)
                else:
                    response = client.post(f"{url}/api/ask", json={"question": question})
                statuses[response.status_code] += 1
            except httpx.HTTPError:
                statuses[0] += 1
    results.put(dict(statuses))


def while_abusing(url: str, action: str, clients: int, run: Callable[[], list[float]], length: int = 0):
    """`run()` while `clients` processes run `abuse_loop`; returns its result and the abusers' status counts."""
    context = multiprocessing.get_context("spawn")
    stop, started, results = context.Event(), context.Queue(), context.Queue()
    processes = [
        context.Process(
            target=abuse_loop, args=(url, action, length, new_address(), stop, started, results), daemon=True
        )
        for _ in range(clients)
    ]
    for process in processes:
        process.start()
    for _ in processes:  # measure the abuse, not the start of Python processes
        started.get(timeout=300)
    time.sleep(1)
    try:
        result = run()
    finally:
        stop.set()
    statuses: Counter[int] = Counter()
    for _ in processes:
        statuses.update(results.get(timeout=330))
    for process in processes:
        process.join(timeout=30)
    return result, statuses


def median_ms(latencies: list[float]) -> float:
    return statistics.median(latencies) * 1000


def statuses_text(statuses: Counter[int]) -> str:
    return ", ".join(f"{n} × {status or 'error'}" for status, n in sorted(statuses.items()))


@app.command("abuse")
def abuse(
    seconds: Annotated[float, typer.Option(min=3, help="length of each phase")] = 20.0,
    clients: Annotated[int, typer.Option(min=1, max=64, help="clients spraying wrong passwords")] = 8,
) -> None:
    """Median of /api/health under a password spray, and other users' median under long questions, as ratios."""
    settings = get_settings()
    questions = [q for lang in ("en", "zh-Hant") for q in EXAMPLES[lang]]
    asked = count()

    with tempfile.TemporaryDirectory(prefix="askgov-bench-") as folder, abuse_server(Path(folder)) as url:
        health = lambda: timed(lambda: httpx.get(f"{url}/api/health", timeout=120))  # noqa: E731

        def ordinary_question() -> tuple[float, int]:
            question = questions[next(asked) % len(questions)]
            headers = {"X-Forwarded-For": new_address()}  # another citizen each time
            return timed(
                lambda: httpx.post(f"{url}/api/ask", json={"question": question}, headers=headers, timeout=300)
            )

        ordinary_question()  # the first answer loads lazily built parts; not part of any median
        idle_health, idle_questions = measure(health, seconds / 2), measure(ordinary_question, seconds / 2)
        sprayed, spray_statuses = while_abusing(url, "spray", clients, lambda: measure(health, seconds))
        looped = {
            length: while_abusing(url, "ask", 1, lambda: measure(ordinary_question, seconds), length=length)
            for length in (2000, settings.max_question_chars)
        }
        # Idle again at the end, pooled with the first: other work on the machine drifts over a run.
        idle_health += measure(health, seconds / 2)
        idle_questions += measure(ordinary_question, seconds / 2)

    idle_health_ms, idle_question_ms = median_ms(idle_health), median_ms(idle_questions)
    typer.echo(f"embedder {settings.embedder}, backend {settings.backend}, {seconds:g} s a phase")
    typer.echo(f"idle: /api/health median {idle_health_ms:.1f} ms; other users' questions {idle_question_ms:.0f} ms")
    typer.echo(
        f"{clients} clients spraying wrong passwords: /api/health median {median_ms(sprayed):.1f} ms, "
        f"{median_ms(sprayed) / idle_health_ms:.2f} × idle (their answers: {statuses_text(spray_statuses)})"
    )
    for length, (others, abuser) in looped.items():
        typer.echo(
            f"1 client looping {length:,}-character questions: other users' median {median_ms(others):.0f} ms, "
            f"{median_ms(others) / idle_question_ms:.2f} × idle (its answers: {statuses_text(abuser)})"
        )
