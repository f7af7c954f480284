"""The deployed topology on one machine: a real Chroma server, a real PostgreSQL and two `askgov serve` processes.

What deploy/compose.yaml runs, without containers: `chroma run` on a free port, a scratch PostgreSQL cluster
(initdb in a temporary folder, run as the `postgres` user when the test runs as root), two app processes that
share both through ASKGOV_CHROMA_URL and ASKGOV_DATABASE_URL, and Debian's nginx with deploy/nginx.conf in front
of them. Select it with `pytest -m topology`; it needs Debian's postgresql and nginx (`make topology-tools`).
"""

from __future__ import annotations

import base64
import glob
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from proxy_config import DEPLOY_CONFIG, NGINX, local_config, nginx_command, upstream_hosts

from bot.config import Settings
from bot.db import open_engine
from bot.db.copy import copy_rows
from bot.feedback import FeedbackStore

pytestmark = pytest.mark.topology

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FAST_EMBEDDER = "use-multilingual-v3"
FIRST_DOCUMENTS = ("ai-subsidy-scheme.md", "data-centre-cluster.md")
ADDED_DOCUMENT = "rollout-timeline.md"
OFFICER, CLERK = ("duty-officer", "a long test password"), ("clerk", "another long password")
START_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def missing(what: str) -> None:
    """Fail in CI, where `make test` installs the Debian packages first; skip elsewhere."""
    message = f"Debian's {what} is not installed: run `make topology-tools`"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        missing("postgresql")
    return Path(found[-1]).parent


def wait_for(what: str, ready, process: subprocess.Popen, log: Path, limit: float = START_SECONDS) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if ready():
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    pytest.fail(f"{what} was not ready after {limit:.0f} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """The URL of a database in a scratch PostgreSQL cluster on a free port, removed afterwards."""
    pg_bin = postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="askgov-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()
    run = lambda *args: subprocess.run([*as_postgres, *map(str, args)], check=True, capture_output=True)  # noqa: E731
    run(pg_bin / "initdb", "-D", data, "-U", "askgov", "--auth=trust", "-E", "UTF8", "--no-locale")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(pg_bin / "pg_ctl", "-D", data, "-o", options, "-l", folder / "server.log", "-w", "start")
    try:
        admin = sa.create_engine(f"postgresql+psycopg://askgov@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text("CREATE DATABASE askgov"))
        admin.dispose()
        yield f"postgresql+psycopg://askgov@127.0.0.1:{port}/askgov"
    finally:
        run(pg_bin / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of `chroma run` (the server that ships with chromadb) on a free port."""
    folder, port = tmp_path_factory.mktemp("chroma"), free_port()
    log = folder / "chroma.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [BIN / "chroma", "run", "--path", folder / "data", "--host", "127.0.0.1", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for("chroma run", lambda: httpx.get(f"{url}/api/v2/heartbeat", timeout=2).is_success, process, log)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def site(postgres: str, chroma: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A working folder with a corpus/ of two documents, ingested into the Chroma server, and two app processes."""
    work = tmp_path_factory.mktemp("site")
    (work / "corpus" / "en").mkdir(parents=True)
    for name in FIRST_DOCUMENTS:
        shutil.copy(ROOT / "corpus" / "en" / name, work / "corpus" / "en" / name)
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("ASKGOV_")},
        "ASKGOV_CHROMA_URL": chroma,
        "ASKGOV_DATABASE_URL": postgres,
        "ASKGOV_EMBEDDER": FAST_EMBEDDER,
        "ASKGOV_CORPUS_DIR": "corpus",
        "ASKGOV_INDEX_DIR": str(work / "index"),
        "ASKGOV_STAFF_USERS_FILE": str(work / "no-users-file"),
        "ASKGOV_CALIBRATION_FILE": str(ROOT / "eval" / "calibration.json"),
        "ASKGOV_INDEX_REFRESH_SECONDS": "0",
        "PYTHONPATH": str(ROOT),  # this checkout's code, whichever one the venv was installed from
    }
    cli = lambda *args, stdin="": subprocess.run(  # noqa: E731
        [BIN / "askgov", *args], cwd=work, env=env, input=stdin, capture_output=True, text=True, timeout=300
    )
    ingested = cli("ingest", "corpus/")
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    added = cli("staff", "add-user", OFFICER[0], stdin=f"{OFFICER[1]}\n{OFFICER[1]}\n")
    assert added.returncode == 0 and "in postgresql+psycopg://askgov@" in added.stdout, added.stdout + added.stderr

    apps, logs = [], []
    try:
        for name in ("a", "b"):
            port, log = free_port(), work / f"app-{name}.log"
            with log.open("w") as sink:
                process = subprocess.Popen(
                    [BIN / "askgov", "serve", "--port", str(port)], cwd=work, env=env, stdout=sink, stderr=sink
                )
            apps.append((f"http://127.0.0.1:{port}", process))
            logs.append(log)
        for (url, process), log in zip(apps, logs):
            health = lambda url=url: httpx.get(f"{url}/api/health", timeout=5).json()["ready"]  # noqa: E731
            wait_for(f"askgov serve ({url})", health, process, log)
        yield {"work": work, "urls": [url for url, _ in apps], "cli": cli, "database": postgres}
    finally:
        for _, process in apps:
            stop(process)


@pytest.fixture(scope="module")
def proxy(site: dict, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """nginx with deploy/nginx.conf on a free port, its upstream servers the two app processes."""
    if not NGINX.exists():
        missing("nginx")
    folder, port = tmp_path_factory.mktemp("proxy"), free_port()
    apps = [url.removeprefix("http://") for url in site["urls"]]
    hosts = upstream_hosts(DEPLOY_CONFIG.read_text(encoding="utf-8"))
    main = local_config(folder, {host: apps[n % len(apps)] for n, host in enumerate(hosts)}, f"127.0.0.1:{port}")
    process = subprocess.Popen(nginx_command(main, "-g", "daemon off;"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for("nginx", lambda: httpx.get(f"{url}/proxy-health", timeout=2).is_success, process, folder / "error.log")
        yield {"url": url, "access_log": folder / "access.log"}
    finally:
        stop(process)


def basic(user: tuple[str, str]) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()}


def staff_call(url: str, api_name: str, user: tuple[str, str] = OFFICER) -> list:
    """Run one of the staff console's events through Gradio's HTTP API, signed in as `user`."""
    with httpx.Client(base_url=f"{url}/staff/gradio_api", headers=basic(user), timeout=180) as http:
        event = http.post(f"/call/{api_name}", json={"data": []}).raise_for_status().json()["event_id"]
        stream = http.get(f"/call/{api_name}/{event}").raise_for_status().text
    kind, data = re.findall(r"^event: (\w+)\ndata: (.*)$", stream, re.M)[-1]
    assert kind == "complete", stream
    return json.loads(data)


def search(url: str, query: str, doc_id: str) -> list[dict]:
    response = httpx.post(f"{url}/api/search", json={"query": query, "k": 3, "doc_id": doc_id}, timeout=60)
    return response.raise_for_status().json()


def test_a_re_index_through_one_app_is_searchable_through_the_other(site: dict) -> None:
    first, second = site["urls"]
    doc_id = "en/" + ADDED_DOCUMENT.removesuffix(".md")
    before = httpx.get(f"{second}/api/health", timeout=30).json()
    assert before["documents"] == len(FIRST_DOCUMENTS) and not search(second, "rollout timeline", doc_id)

    shutil.copy(ROOT / "corpus" / "en" / ADDED_DOCUMENT, site["work"] / "corpus" / "en" / ADDED_DOCUMENT)
    _, report, _ = staff_call(first, "run_reindex")
    assert "1 indexed" in report and f"{len(FIRST_DOCUMENTS)} unchanged" in report and "0 failed" in report

    hits = search(second, "rollout timeline", doc_id)
    assert hits and {hit["doc_id"] for hit in hits} == {doc_id}
    after = [httpx.get(f"{url}/api/health", timeout=30).json() for url in (first, second)]
    assert [health["documents"] for health in after] == [len(FIRST_DOCUMENTS) + 1] * 2
    assert after[0]["chunks"] == after[1]["chunks"] > before["chunks"]


def test_feedback_written_through_both_apps_is_in_the_database_and_both_consoles(site: dict) -> None:
    questions = {
        url: f"What will the weather be like in {place} tomorrow afternoon?"
        for url, place in zip(site["urls"], ("Sha Tin", "Tuen Mun"))
    }
    for url, question in questions.items():
        answer = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=120).json()
        assert answer["refused"], answer  # a refused question is logged as a gap in the documents

    logged = {gap.question for gap in FeedbackStore.from_settings(Settings(database_url=site["database"])).gaps()}
    assert set(questions.values()) <= logged
    for url in site["urls"]:
        [table] = staff_call(url, "gap_rows")  # the console's table of gaps
        shown = {row[0] for row in table["data"]}
        assert set(questions.values()) <= shown, url


def test_a_staff_user_added_while_the_apps_run_can_sign_in_to_either(site: dict) -> None:
    for url in site["urls"]:
        assert httpx.get(f"{url}/staff/", headers=basic(OFFICER), timeout=30).status_code == 200
        assert httpx.get(f"{url}/staff/", headers=basic(CLERK), timeout=30).status_code == 401

    added = site["cli"]("staff", "add-user", CLERK[0], stdin=f"{CLERK[1]}\n{CLERK[1]}\n")
    assert added.returncode == 0, added.stderr
    for url in site["urls"]:  # each app reads the staff_users table at most every 2 s
        deadline = time.monotonic() + 15
        while httpx.get(f"{url}/staff/", headers=basic(CLERK), timeout=30).status_code != 200:
            assert time.monotonic() < deadline, f"{url} did not let the new user in"
            time.sleep(0.5)


def test_the_feedback_store_on_postgresql(site: dict) -> None:
    store = FeedbackStore.from_settings(Settings(database_url=site["database"]))
    feedback_id = store.add_feedback(-1, "Call me on 9123 4567 about the subsidy", "I'm sorry", "en", refused=True)
    store.set_comment(feedback_id, "Écrivez à chan@example.com")
    row = next(row for row in store.recent_feedback() if row.id == feedback_id)
    assert (row.question, row.comment, row.refused) == (
        "Call me on [PHONE] about the subsidy",
        "Écrivez à [EMAIL]",
        True,
    )
    with pytest.raises(KeyError, match="no feedback with id"):
        store.set_comment(feedback_id + 1000, "x")


def test_rows_copied_from_an_sqlite_file_keep_their_ids_and_new_rows_follow_them(postgres: str, tmp_path: Path) -> None:
    older = FeedbackStore(tmp_path / "feedback.sqlite3")
    for n in range(3):
        older.add_feedback(1, f"question {n}", "answer", "en")
    older.log_unanswered("a gap", "en", "weak_evidence")
    admin = sa.create_engine(sa.make_url(postgres).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text("CREATE DATABASE askgov_copy"))
    admin.dispose()
    target_url = sa.make_url(postgres).set(database="askgov_copy").render_as_string(hide_password=False)

    counts = copy_rows(older.engine, open_engine(target_url))
    assert counts == {"feedback": 3, "unanswered": 1, "staff_users": 0}
    target = FeedbackStore.from_settings(Settings(database_url=target_url))
    assert target.add_feedback(-1, "after the copy", "answer", "en") == 4  # the id sequence moved past the rows
    assert [row.question for row in target.recent_feedback()] == ["after the copy"] + [
        f"question {n}" for n in (2, 1, 0)
    ]


def test_the_proxy_keeps_a_client_on_one_app(proxy: dict, site: dict) -> None:
    health = httpx.get(f"{proxy['url']}/api/health", timeout=30).json()
    assert health["ready"] and health["documents"] >= len(FIRST_DOCUMENTS)
    # A Gradio event is a POST and then a stream read from the process that queued it: only a sticky proxy
    # lets the two meet. The staff console's gaps table is such an event.
    [table] = staff_call(proxy["url"], "gap_rows")
    assert table["data"], "the gaps logged through the apps"
    lines = [line.split() for line in proxy["access_log"].read_text().splitlines()]
    answered_by = {upstream for uri, upstream in lines if not uri.startswith("/proxy-health")}
    assert len(answered_by) == 1 and answered_by <= {url.removeprefix("http://") for url in site["urls"]}
