"""The HTTP API, the staff login and the headers of the web app, over a small real index (USE embedder)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webapp_index import FAST_EMBEDDER, web_index  # noqa: F401  (a fixture)

from bot.config import Settings
from bot.lang import detect_lang
from bot.server.app import build_app
from bot.server.auth import StaffDirectory, UsersFileError, add_user, verify_password

STAFF_NAME, STAFF_PASSWORD = "duty-officer", "a long test password"
EMBEDDER_ORIGIN = "https://host.example.org"
SEARCH_KEYS = {"id", "doc_id", "title", "lang", "page", "score", "text", "source"}
OFF_TOPIC = "What will the weather be like in Sha Tin tomorrow afternoon?"


@pytest.fixture(scope="module")
def app_settings(web_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:  # noqa: F811
    folder = tmp_path_factory.mktemp("webapp")
    users = folder / "staff-users"
    add_user(users, STAFF_NAME, STAFF_PASSWORD)
    return Settings(
        index_dir=web_index,
        embedder=FAST_EMBEDDER,
        chroma_url="",
        feedback_db=folder / "fb.sqlite3",
        staff_users_file=users,
        embed_origins=EMBEDDER_ORIGIN,
        rate_limit_questions="1000/minute",  # this module asks from one client; the limits are tested apart
        refusal_delay=0,
    )


@pytest.fixture(scope="module")
def client(app_settings: Settings):
    with TestClient(build_app(app_settings)) as test_client:
        yield test_client


def basic(name: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


# --- /api/health, /api/ask, /api/search ---------------------------------------------------------------------
def test_health_reports_the_index(client: TestClient) -> None:
    health = client.get("/api/health").json()
    assert health["ready"] is True and health["chunks"] > 0
    assert health["documents"] == 10  # five documents in two languages
    assert health["embedder"] == FAST_EMBEDDER and health["backend"] == "extractive"


def test_ask_answers_in_traditional_chinese_with_citations(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "數碼港人工智能超算中心有幾多算力？"})
    assert response.status_code == 200
    body = response.json()
    assert not body["refused"] and body["lang"] == "zh-Hant" and detect_lang(body["answer"]) == "zh-Hant"
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])}
    assert markers and markers == {c["n"] for c in body["citations"]}
    assert all(c["doc_id"].endswith("-zh") and c["snippet"] for c in body["citations"])
    assert set(body) == {"answer", "lang", "refused", "backend", "fallback", "citations", "timings"}


def test_ask_honours_the_requested_language(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "數碼港人工智能超算中心有幾多算力？", "lang": "zh-Hans"}).json()
    assert body["lang"] == "zh-Hans" and detect_lang(body["answer"]) == "zh-Hans"


def test_ask_takes_history_for_follow_ups(client: TestClient) -> None:
    history = [
        {"role": "user", "content": "數碼港人工智能超算中心有幾多算力？"},
        {"role": "assistant", "content": "數碼港人工智能超算中心已經啟用 [1]。"},
    ]
    response = client.post("/api/ask", json={"question": "2030年會去到幾多？", "history": history})
    assert response.status_code == 200 and response.json()["lang"] == "zh-Hant"


def test_refused_questions_point_to_1823_and_are_logged_redacted(client: TestClient) -> None:
    question = f"My HKID is A123456(7). {OFF_TOPIC}"
    body = client.post("/api/ask", json={"question": question}).json()
    assert body["refused"] and "1823" in body["answer"] and body["citations"] == []
    gaps = client.app.state.services.feedback.gaps()
    logged = [g.question for g in gaps if "Sha Tin" in g.question]
    assert logged == ["My HKID is [HKID]. " + OFF_TOPIC]


def test_search_filters_by_language_and_document(client: TestClient) -> None:
    hits = client.post(
        "/api/search", json={"query": "supercomputing centre petaflops", "k": 3, "lang": "zh-Hant"}
    ).json()
    assert 0 < len(hits) <= 3 and all(set(hit) == SEARCH_KEYS and hit["lang"] == "zh-Hant" for hit in hits)
    assert [hit["score"] for hit in hits] == sorted((hit["score"] for hit in hits), reverse=True)
    only = client.post(
        "/api/search", json={"query": "personal data", "k": 5, "doc_id": "privacy-data-protection-en"}
    ).json()
    assert only and {hit["doc_id"] for hit in only} == {"privacy-data-protection-en"}


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "question"),
        ({"question": ""}, "question"),
        ({"question": "   "}, "question"),
        ({"question": "x" * 2001}, "question"),
        ({"question": "hi", "lang": "fr"}, "lang"),
        ({"question": "hi", "history": [{"role": "system", "content": "x"}]}, "history.0.role"),
        ({"question": "hi", "history": [{"role": "user", "content": "x"}] * 21}, "history"),
        ({"question": "hi", "top_secret": 1}, "top_secret"),
    ],
)
def test_bad_ask_requests_get_422_naming_the_field(client: TestClient, payload: dict, field: str) -> None:
    response = client.post("/api/ask", json=payload)
    assert response.status_code == 422
    assert response.json()["error"].startswith(f"{field}: ")


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"query": "x", "k": 0}, "k"),
        ({"query": "x", "k": 51}, "k"),
        ({"query": ""}, "query"),
        ({"query": "x", "lang": "de"}, "lang"),
    ],
)
def test_bad_search_requests_get_422_naming_the_field(client: TestClient, payload: dict, field: str) -> None:
    response = client.post("/api/search", json=payload)
    assert response.status_code == 422 and response.json()["error"].startswith(f"{field}: ")


def test_malformed_json_is_refused(client: TestClient) -> None:
    response = client.post("/api/ask", content=b'{"question": ', headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_bodies_over_64_kb_are_refused(client: TestClient) -> None:
    big = b'{"question": "' + b"x" * (65 * 1024) + b'"}'
    assert client.post("/api/ask", content=big, headers={"content-type": "application/json"}).status_code == 413

    def chunks():  # no Content-Length: the limit must still hold
        yield big[:40_000]
        yield big[40_000:]

    response = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_openapi_schema_describes_the_api(client: TestClient, app_settings: Settings) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/search", "/api/health"} <= set(schema["paths"])
    ask_body = schema["components"]["schemas"]["AskRequest"]
    assert ask_body["properties"]["question"]["maxLength"] == app_settings.max_question_chars and ask_body[
        "required"
    ] == ["question"]


# --- documents, embedding headers ---------------------------------------------------------------------------
def test_corpus_documents_are_served_read_only(client: TestClient) -> None:
    pdf = client.get("/corpus/en/supercomputing-centre.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    html = client.get("/corpus/en/privacy-data-protection.html")
    assert html.status_code == 200 and "sandbox" in html.headers["content-security-policy"]
    for path in (
        "/corpus/../pyproject.toml",
        "/corpus/%2e%2e/pyproject.toml",
        "/corpus/manifest.yaml",
        "/corpus/en/missing.pdf",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post("/corpus/en/supercomputing-centre.pdf").status_code in (404, 405)  # no writes


def test_citizen_page_may_be_framed_only_by_allowed_origins(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "Clear conversation" in client.get("/config").text
    assert page.headers["content-security-policy"] == f"frame-ancestors 'self' {EMBEDDER_ORIGIN}"
    allowed = client.options("/api/health", headers={"Origin": EMBEDDER_ORIGIN, "Access-Control-Request-Method": "GET"})
    assert allowed.headers.get("access-control-allow-origin") == EMBEDDER_ORIGIN
    other = client.options(
        "/api/health", headers={"Origin": "https://elsewhere.example.net", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in other.headers
    assert client.get("/gradio.js").status_code == 200


# --- the staff console ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/staff", "/staff/", "/staff/config", "/staff/gradio_api/info"])
def test_staff_console_refuses_requests_without_credentials(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Basic")
    assert client.get(path, headers=basic(STAFF_NAME, "wrong password"), follow_redirects=False).status_code == 401
    assert client.get(path, headers=basic("nobody", STAFF_PASSWORD), follow_redirects=False).status_code == 401


def test_staff_console_works_with_credentials(client: TestClient) -> None:
    page = client.get("/staff/", headers=basic(STAFF_NAME, STAFF_PASSWORD))
    assert page.status_code == 200 and page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    config = client.get("/staff/config", headers=basic(STAFF_NAME, STAFF_PASSWORD))
    assert config.status_code == 200 and "staff console" in config.text


def test_users_file_errors_name_the_file_and_line(tmp_path: Path) -> None:
    users = tmp_path / "users"
    users.write_text("# staff\nann:plaintext-password\n")
    with pytest.raises(UsersFileError, match=rf"{re.escape(str(users))}, line 2"):
        StaffDirectory(users).users()


def test_add_user_command_stores_only_a_hash(tmp_path: Path) -> None:
    from bot.cli import app

    users = tmp_path / "users"
    result = CliRunner().invoke(
        app,
        ["staff", "add-user", "ann", "--users-file", str(users)],
        input="correct horse battery\ncorrect horse battery\n",
    )
    assert result.exit_code == 0, result.output
    content = users.read_text()
    assert "correct horse battery" not in content and oct(users.stat().st_mode)[-3:] == "600"
    name, stored = content.strip().split(":", 1)
    assert name == "ann" and verify_password("correct horse battery", stored)
    assert not verify_password("correct horse batterY", stored)
    short = CliRunner().invoke(app, ["staff", "add-user", "bob", "--users-file", str(users)], input="short\nshort\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
