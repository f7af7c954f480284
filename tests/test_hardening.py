"""What the public may cost the server and what bad input, broken stores and SIGTERM do, against the real app.

In process (TestClient, each test from its own client address, as the rate limits count per address) for the API
and the staff login; `askgov serve` in a subprocess for the chat's Gradio routes, the server log and shutdown.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from webapp_index import FAST_EMBEDDER, wait_until_ready, web_index  # noqa: F401  (a fixture)

from bot.config import Settings
from bot.lang import detect_lang
from bot.server import auth
from bot.server.app import build_app
from bot.server.auth import add_user
from bot.server.strings import text

STAFF_NAME, STAFF_PASSWORD = "duty-officer", "a long test password"
OTHER_NAME, OTHER_PASSWORD = "night-officer", "another long password"
OFF_TOPIC = "What will the weather be like in Sha Tin tomorrow afternoon?"
QUESTION_ZH = "數碼港人工智能超算中心有幾多算力？"
PERSONAL = "A123456(7) 9123 4567"  # must never reach a log


def basic(name: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


@pytest.fixture(scope="module")
def settings(web_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:  # noqa: F811
    folder = tmp_path_factory.mktemp("hardening")
    users = folder / "staff-users"
    add_user(users, STAFF_NAME, STAFF_PASSWORD)
    add_user(users, OTHER_NAME, OTHER_PASSWORD)
    return Settings(
        index_dir=web_index,
        embedder=FAST_EMBEDDER,
        chroma_url="",
        feedback_db=folder / "fb.sqlite3",
        staff_users_file=users,
        rate_limit_questions="4/minute",
        login_failures_per_client="3/minute",
        login_failures_per_user="5/minute",
        max_history_chars=3000,
        refusal_delay=0.1,
    )


@pytest.fixture(scope="module")
def app(settings: Settings):
    web_app = build_app(settings)
    with TestClient(web_app):  # runs the start-up of the mounted Gradio apps once
        yield web_app


_addresses = iter(range(1, 250))


def client_from_new_address(app) -> TestClient:
    """A client the rate limits have not seen: each test starts with full allowances."""
    return TestClient(app, client=(f"10.0.0.{next(_addresses)}", 40000))


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Every scrypt the login runs (still run for real), with whether it ran on a thread with an event loop."""
    auth.dummy_hash()  # made once per process; not one of the calls under test
    calls: list[dict] = []
    real = hashlib.scrypt

    def recording(password: bytes, **params):
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        calls.append({"on_event_loop": on_loop, **{k: params[k] for k in ("n", "r", "p")}})
        return real(password, **params)

    monkeypatch.setattr(auth.hashlib, "scrypt", recording)
    return calls


# --- 2. staff logins ---------------------------------------------------------------------------------------------
def test_wrong_logins_are_throttled_per_client(app, scrypt_calls: list[dict]) -> None:
    attacker, colleague = client_from_new_address(app), client_from_new_address(app)
    for _ in range(3):
        assert attacker.get("/staff/config", headers=basic(STAFF_NAME, "wrong password")).status_code == 401
    assert len(scrypt_calls) == 3
    refused = attacker.get("/staff/config", headers=basic(STAFF_NAME, STAFF_PASSWORD))
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "try again in" in refused.json()["error"]
    assert len(scrypt_calls) == 3  # a throttled client costs no scrypt
    assert colleague.get("/staff/config", headers=basic(STAFF_NAME, STAFF_PASSWORD)).status_code == 200


def test_wrong_logins_are_throttled_per_user_name(app) -> None:
    for _ in range(5):  # a spray from many addresses at one name
        response = client_from_new_address(app).get(
            "/staff/", headers=basic(OTHER_NAME, "guess " + os.urandom(4).hex())
        )
        assert response.status_code == 401
    late = client_from_new_address(app).get("/staff/", headers=basic(OTHER_NAME, OTHER_PASSWORD))
    assert late.status_code == 429 and int(late.headers["retry-after"]) > 0
    assert client_from_new_address(app).get("/staff/", headers=basic(STAFF_NAME, STAFF_PASSWORD)).status_code == 200


def test_password_hash_runs_off_the_event_loop_and_unknown_names_cost_the_same(app, scrypt_calls: list[dict]) -> None:
    client = client_from_new_address(app)
    assert client.get("/staff/config", headers=basic("nobody-here", "some password")).status_code == 401
    assert client.get("/staff/config", headers=basic(STAFF_NAME, "not the password")).status_code == 401
    assert len(scrypt_calls) == 2 and scrypt_calls[0] == scrypt_calls[1]
    assert not any(call["on_event_loop"] for call in scrypt_calls)


def test_log_out_forgets_the_login(app, scrypt_calls: list[dict]) -> None:
    client = client_from_new_address(app)
    headers = basic(STAFF_NAME, STAFF_PASSWORD)
    console = client.get("/staff/config", headers=headers)
    assert console.status_code == 200 and "/staff/logout" in console.text and "Log out" in console.text
    client.get("/staff/config", headers=headers)
    verified = len(scrypt_calls)  # the second request used the remembered login
    signed_out = client.get("/staff/logout", headers=headers)
    assert signed_out.status_code == 401 and signed_out.headers["www-authenticate"].startswith("Basic")
    assert "signed out" in signed_out.text
    assert client.get("/staff/config", headers=headers).status_code == 200
    assert len(scrypt_calls) == verified + 1  # verified again: the log-out dropped what the server remembered


# --- 2. what one question may cost, and how often -----------------------------------------------------------
def test_long_questions_get_422_naming_the_limit(app, settings: Settings) -> None:
    response = client_from_new_address(app).post("/api/ask", json={"question": "a." * 1000})
    assert response.status_code == 422
    assert response.json()["error"] == f"question: String should have at most {settings.max_question_chars} characters"


def test_history_is_limited_in_turns_and_characters(app) -> None:
    client = client_from_new_address(app)
    long_turns = [{"role": "user", "content": "x" * 1600}, {"role": "assistant", "content": "y" * 1600}]
    response = client.post("/api/ask", json={"question": "And then?", "history": long_turns})
    assert response.status_code == 422 and response.json()["error"].startswith("history: ")
    assert "at most 3000" in response.json()["error"]


def test_questions_over_the_rate_get_429_in_the_askers_language(app) -> None:
    client = client_from_new_address(app)
    for _ in range(4):
        assert client.post("/api/ask", json={"question": QUESTION_ZH}).status_code == 200
    refused = client.post("/api/ask", json={"question": QUESTION_ZH})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    message = refused.json()["error"]
    assert detect_lang(message) == "zh-Hant" and "1823" in message
    english = client.post("/api/ask", json={"question": OFF_TOPIC}).json()["error"]
    assert detect_lang(english) == "en" and "wait" in english and "1823" in english
    assert client_from_new_address(app).post("/api/ask", json={"question": QUESTION_ZH}).status_code == 200


def test_long_questions_count_more_against_the_rate(app, settings: Settings) -> None:
    client = client_from_new_address(app)
    long_question = ("How is the supercomputing centre at Cyberport funded and used? " * 8)[:450]
    assert 1 + len(long_question) // settings.question_cost_chars == 3
    assert client.post("/api/ask", json={"question": long_question}).status_code == 200
    assert client.post("/api/ask", json={"question": QUESTION_ZH}).status_code == 200  # 4 of 4
    assert client.post("/api/ask", json={"question": QUESTION_ZH}).status_code == 429


def test_bodies_over_the_limit_are_refused_on_gradio_routes_too(app) -> None:
    client = client_from_new_address(app)
    body = json.dumps({"data": [[{"role": "user", "content": "x"}] * 20000], "fn_index": 0, "session_hash": "s"})
    assert client.post("/gradio_api/queue/join", content=body).status_code == 413

    def chunks():  # no Content-Length
        yield body[:40_000].encode()
        yield body[40_000:].encode()

    assert client.post("/gradio_api/queue/join", content=chunks()).status_code == 413


def test_uploads_are_off(app) -> None:
    client = client_from_new_address(app)
    files = {"files": ("big.bin", b"0" * 1024, "application/octet-stream")}
    assert client.post("/gradio_api/upload", files=files).status_code == 404
    staff = client.post("/staff/gradio_api/upload", files=files, headers=basic(STAFF_NAME, STAFF_PASSWORD))
    assert staff.status_code == 404


# --- 3. bad input is a 4xx naming the field -----------------------------------------------------------------
@pytest.mark.parametrize(
    "route, body, field",
    [
        ("/api/ask", '{"question": "abc \\ud800 def"}', "question"),
        ("/api/ask", '{"question": "hi", "history": [{"role": "user", "content": "\\udfff"}]}', "history.0.content"),
        ("/api/ask", '{"question": "hi", "lang": "\\ud800"}', "lang"),
        ("/api/ask", '{"question": "hi", "\\ud800": 1}', "body"),  # a key that is no field
        ("/api/search", '{"query": "abc \\ud800"}', "query"),
        ("/api/search", '{"query": "hi", "doc_id": "\\ud800"}', "doc_id"),
        ("/api/search", '{"query": "hi", "k": NaN}', "k"),
        ("/api/search", '{"query": "hi", "k": Infinity}', "k"),
        ("/api/search", '{"query": "hi", "k": -Infinity}', "k"),
        ("/api/search", '{"query": "hi", "k": 1e400}', "k"),
    ],
)
def test_unencodable_text_and_non_numbers_get_422_naming_the_field(app, route: str, body: str, field: str) -> None:
    response = client_from_new_address(app).post(route, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["error"].startswith(f"{field}: ")
    assert "abc" not in response.text and "NaN" not in response.text  # the input is not echoed


def test_nul_in_a_document_path_is_400(app) -> None:
    response = client_from_new_address(app).get("/corpus/en/a%00.pdf")
    assert response.status_code == 400 and response.json()["detail"].startswith("path: ")


# --- 4. no question or personal data in the log --------------------------------------------------------------
def test_refused_requests_leave_no_input_in_the_log(
    app, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_from_new_address(app)
    marker = f"my HKID is {PERSONAL}"
    bad = [
        {"question": marker + " x" * 600},
        {"question": marker, "lang": "fr"},
        {"question": marker, "history": [{"role": "system", "content": marker}]},
        {"question": marker, "surplus": marker},
    ]
    for body in bad:
        response = client.post("/api/ask", json=body)
        assert response.status_code == 422 and PERSONAL not in response.text
    client.post(
        "/api/search", content=f'{{"query": "{marker}", "k": NaN}}', headers={"content-type": "application/json"}
    )
    logged = caplog.text + "".join(capfd.readouterr())
    assert PERSONAL not in logged


# --- 5. a failing feedback store, a missing index -------------------------------------------------------------
def refused_question(client: TestClient, tag: str) -> None:
    response = client.post("/api/ask", json={"question": f"{OFF_TOPIC} ({tag})"})
    assert response.status_code == 200 and response.json()["refused"]


def feedback_health(client: TestClient) -> dict:
    health = client.get("/api/health")
    assert health.status_code == 200 and health.json()["ready"]
    return health.json()["components"]["feedback"]


def test_a_failing_feedback_store_never_stops_answers(
    app, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    client = client_from_new_address(app)
    db = settings.feedback_db
    journal = db.with_name(db.name + "-journal")
    journal.mkdir()  # SQLite cannot write its journal: every write fails, reads still work
    try:
        with caplog.at_level(logging.WARNING):
            refused_question(client, "unwritable")
        assert f"feedback store {db} failed" in caplog.text and "Sha Tin" not in caplog.text
        assert feedback_health(client)["ok"] is False
    finally:
        journal.rmdir()

    db.write_bytes(b"this is not a database " * 100)  # corrupt
    refused_question(client, "corrupt")
    assert feedback_health(client)["ok"] is False

    db.unlink()  # deleted: made anew on the next write, no restart
    refused_question(client, "deleted")
    assert feedback_health(client)["ok"] is True
    gaps = [gap.question for gap in app.state.services.feedback.gaps()]
    assert any("(deleted)" in question for question in gaps)


def test_health_is_503_without_an_index_and_reindex_rebuilds_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "capacity.md").write_text("# Capacity\n\nThe centre opened with 3,000 petaflops.\n", encoding="utf-8")
    (corpus / "funding.md").write_text("# Funding\n\nHK$3 billion goes to a subsidy scheme.\n", encoding="utf-8")
    settings = Settings(
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        embedder=FAST_EMBEDDER,
        chroma_url="",
        feedback_db=tmp_path / "fb.sqlite3",
        staff_users_file=tmp_path / "users",
    )
    web_app = build_app(settings)
    client = TestClient(web_app)
    empty = client.get("/api/health")
    assert empty.status_code == 503 and empty.json()["ready"] is False
    assert empty.json()["components"]["index"]["ok"] is False

    services = web_app.state.services
    assert services.reindex().indexed == 2
    assert client.get("/api/health").status_code == 200

    shutil.rmtree(settings.index_dir)  # deleted while serving
    gone = client.get("/api/health")
    assert gone.status_code == 503 and "no index" in gone.json()["components"]["index"]["detail"]
    rebuilt = services.reindex()
    assert (rebuilt.indexed, rebuilt.unchanged, rebuilt.failed) == (2, 0, 0)
    health = client.get("/api/health")
    assert health.status_code == 200 and health.json()["components"]["index"]["detail"].endswith("chunks")
    assert services.hybrid_search("subsidy scheme", k=1)[0].doc_id.endswith("funding")


# --- the chat's Gradio routes, the server log and SIGTERM, on `askgov serve` ------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(web_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:  # noqa: F811
    folder = tmp_path_factory.mktemp("served")
    port = free_port()
    env = {
        **os.environ,
        "ASKGOV_INDEX_DIR": str(web_index),
        "ASKGOV_EMBEDDER": FAST_EMBEDDER,
        "ASKGOV_CHROMA_URL": "",
        "ASKGOV_FEEDBACK_DB": str(folder / "feedback.sqlite3"),
        "ASKGOV_STAFF_USERS_FILE": str(folder / "staff-users"),
        "ASKGOV_RATE_LIMIT_QUESTIONS": "2/minute",
        "ASKGOV_SHUTDOWN_SECONDS": "1",
    }
    log_path = folder / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=log,
            cwd=Path(__file__).resolve().parent.parent,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(url, process, log_path)
            yield {"url": url, "process": process, "log": log_path, "db": folder / "feedback.sqlite3"}
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


def test_chat_limits_rates_and_feedback_failures_speak_the_users_language(served: dict) -> None:
    from gradio_client import Client

    chat = Client(served["url"] + "/", verbose=False)
    chat.predict("zh-Hant", api_name="/choose_language")
    too_long = chat.predict("a." * 1000, api_name="/respond_and_keep")
    assert too_long[-1] == text("zh-Hant", "too_long", limit=500)
    for _ in range(2):
        answered = chat.predict(QUESTION_ZH, api_name="/respond_and_keep")
        assert "[1]" in json.dumps(answered[1], ensure_ascii=False) and answered[-1] == ""
    limited = chat.predict(QUESTION_ZH, api_name="/respond_and_keep")[-1]
    assert limited.startswith(text("zh-Hant", "rate_limited", seconds=1).split("1")[0]) and "1823" in limited

    served["db"].write_bytes(b"this is not a database " * 100)
    try:
        assert chat.predict(api_name="/handler") == text("zh-Hant", "feedback_not_saved")
    finally:
        served["db"].unlink()
    assert chat.predict(api_name="/handler") == text("zh-Hant", "thanks")


def ask_through_the_queue(url: str, inputs: list) -> str:
    """Join the chat's question event (as a new client) with `inputs` as sent; its `process_completed` message."""
    session = os.urandom(6).hex()
    join = {"data": inputs, "fn_index": 0, "session_hash": session, "event_data": None, "trigger_id": 1}
    headers = {"content-type": "application/json", "x-forwarded-for": f"10.9.9.{len(inputs)}"}
    body = json.dumps(join)  # ASCII: an unpaired surrogate goes as its JSON escape
    assert httpx.post(url + "/gradio_api/queue/join", content=body, headers=headers, timeout=10).status_code == 200
    with httpx.stream("GET", url + f"/gradio_api/queue/data?session_hash={session}", timeout=60) as events:
        for line in events.iter_lines():
            if "process_completed" in line or "unexpected_error" in line:
                return line
    return ""


def test_gradio_failures_leave_no_input_in_the_log(served: dict) -> None:
    marker = f"my HKID is {PERSONAL}"
    wrong_count = ask_through_the_queue(served["url"], [marker])
    assert '"success":false' in wrong_count and PERSONAL not in wrong_count
    unpaired = ask_through_the_queue(served["url"], [f"{OFF_TOPIC} \ud800", None, None, None, None])
    assert '"success":true' in unpaired  # answered: the surrogate became "?" (it used to break the stream)
    from gradio_client import Client

    with pytest.raises(Exception):
        Client(served["url"] + "/", verbose=False).predict(marker, api_name="/choose_language")
    log = served["log"].read_text()
    assert "a Gradio event failed: ValueError (message withheld" in log
    assert PERSONAL not in log


# --- 8. shutdown (the last test on `askgov serve`: it stops the server) ------------------------------------
def test_sigterm_stops_the_server_with_a_stream_open(served: dict) -> None:
    opened = threading.Event()

    def heartbeat() -> None:
        try:
            with httpx.stream("GET", served["url"] + "/gradio_api/heartbeat/" + os.urandom(6).hex(), timeout=60) as r:
                opened.set()
                for _ in r.iter_bytes():
                    pass
        except httpx.HTTPError:
            pass

    threading.Thread(target=heartbeat, daemon=True).start()
    assert opened.wait(30)
    served["process"].send_signal(signal.SIGTERM)
    try:
        code = served["process"].wait(timeout=30)  # a bound that proves it ends, not a measure of speed
    except subprocess.TimeoutExpired:
        pytest.fail("askgov serve was still running 30 s after SIGTERM with a stream open")
    assert code in (0, -signal.SIGTERM)  # uvicorn ends by re-raising the signal it caught
    assert "Application shutdown complete" in served["log"].read_text()


def test_the_chat_keeps_only_the_latest_messages_that_fit() -> None:
    from bot.server.citizen import recent_messages

    chat = [{"role": "user", "content": f"{n:03d} " + "字" * 100} for n in range(50)]  # each of one size
    one = len(json.dumps(chat[0], ensure_ascii=False).encode())
    kept = recent_messages(chat, 10 * one)
    assert kept == chat[-10:]
    assert recent_messages(chat, one - 1) == [] and recent_messages(chat, 10**6) == chat
