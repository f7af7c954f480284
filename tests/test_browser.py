"""End to end in a real browser: Debian's headless Chromium, driven by Playwright, against `askgov serve`.

Saves docs/screenshots/citizen.png and docs/screenshots/staff.png. `make browser` installs Chromium.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from webapp_index import FAST_EMBEDDER, web_index  # noqa: F401  (a fixture)

from bot.lang import detect_lang
from bot.server.auth import add_user

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
STAFF_NAME, STAFF_PASSWORD = "duty-officer", "a long test password"
QUESTION_ZH = "數碼港人工智能超算中心有幾多算力？"

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra)")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed: run `make browser`", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def host_page() -> Iterator[int]:
    """examples/ served on a free port: a page on another origin that embeds the chat."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(ROOT / "examples")))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server(web_index: Path, host_page: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:  # noqa: F811
    """`askgov serve` in a subprocess on a free port, over the small test index; the host page may embed it."""
    folder = tmp_path_factory.mktemp("browser")
    add_user(folder / "staff-users", STAFF_NAME, STAFF_PASSWORD)
    port = free_port()
    env = {
        **os.environ,
        "ASKGOV_INDEX_DIR": str(web_index),
        "ASKGOV_EMBEDDER": FAST_EMBEDDER,
        "ASKGOV_CHROMA_URL": "",
        "ASKGOV_FEEDBACK_DB": str(folder / "feedback.sqlite3"),
        "ASKGOV_STAFF_USERS_FILE": str(folder / "staff-users"),
        "ASKGOV_EMBED_ORIGINS": f"http://127.0.0.1:{host_page}",
    }
    askgov = Path(sys.executable).parent / "askgov"
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [str(askgov), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
        cwd=Path(__file__).resolve().parent.parent,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process, folder / "server.log")
        yield {"url": url, "db": folder / "feedback.sqlite3", "host_port": host_page}
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def wait_until_ready(url: str, process: subprocess.Popen, log: Path, limit: float = 180.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"askgov serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).json().get("ready"):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    pytest.fail(f"askgov serve was not ready after {limit:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_citizen_asks_in_traditional_chinese_rates_and_switches_to_english(server: dict, browser) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(server["url"] + "/", wait_until="load")

    page.get_by_label("繁體中文").check()  # the language switch, by its accessible name
    question = page.get_by_label("你的問題")
    question.fill(QUESTION_ZH)
    question.press("Enter")  # the keyboard alone submits

    card = page.locator("#sources .source-card").first
    card.wait_for(timeout=60_000)
    sync_api.expect(page.locator("#feedback-row")).to_be_visible()
    answer = page.locator("#chatbot .message.bot, #chatbot [data-testid='bot']").last.inner_text()
    assert detect_lang(answer) == "zh-Hant", answer
    assert "[1]" in answer and card.locator("a").get_attribute("href").startswith(server["url"] + "/corpus/")
    sync_api.expect(page.locator("#escalation")).to_be_hidden()
    page.screenshot(path=str(SCREENSHOTS / "citizen.png"), full_page=True)

    page.get_by_role("button", name="👍 有幫助").click()
    sync_api.expect(page.get_by_text("多謝你的意見。")).to_be_visible()
    with sqlite3.connect(server["db"]) as db:
        rows = db.execute("SELECT rating, question, lang FROM feedback").fetchall()
    assert rows == [(1, QUESTION_ZH, "zh-Hant")]

    page.get_by_label("English").check()
    sync_api.expect(page.get_by_label("Your question", exact=True)).to_be_visible()
    sync_api.expect(page.locator("#lang-switch")).to_contain_text("Language")
    for name in ("Ask", "Clear conversation"):
        sync_api.expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
    sync_api.expect(page.locator("#sources h2")).to_have_text("Sources")
    sync_api.expect(
        page.get_by_role("button", name="How much money has been set aside for AI development?")
    ).to_be_visible()

    page.get_by_label("Your question", exact=True).fill("What will the weather be like in Sha Tin tomorrow?")
    page.get_by_role("button", name="Ask", exact=True).click()
    sync_api.expect(page.locator("#escalation")).to_contain_text("1823", timeout=60_000)

    page.get_by_role("button", name="Clear conversation").click()
    sync_api.expect(page.locator("#sources .source-card")).to_have_count(0)
    page.close()


def test_staff_console_needs_a_login_and_searches(server: dict, browser) -> None:
    anonymous = browser.new_context()
    assert anonymous.request.get(server["url"] + "/staff/").status == 401
    with pytest.raises(sync_api.Error, match="AUTH"):  # Chromium gives up on the login challenge
        anonymous.new_page().goto(server["url"] + "/staff/")
    anonymous.close()

    context = browser.new_context(
        http_credentials={"username": STAFF_NAME, "password": STAFF_PASSWORD}, viewport={"width": 1100, "height": 900}
    )
    page = context.new_page()
    assert page.goto(server["url"] + "/staff/", wait_until="load").status == 200
    sync_api.expect(page.get_by_text(f"Signed in as {STAFF_NAME}")).to_be_visible(timeout=30_000)
    page.get_by_label("Search the documents").fill("超算中心 算力 petaflops")
    page.get_by_label("Search the documents").press("Enter")
    results = page.locator("#staff-results h3")
    results.first.wait_for(timeout=60_000)
    assert results.count() == 5
    sync_api.expect(page.locator("#staff-results")).to_contain_text("similarity")
    page.screenshot(path=str(SCREENSHOTS / "staff.png"), full_page=True)
    context.close()


def test_example_page_embeds_the_chat_only_from_allowed_origins(server: dict, browser) -> None:
    page = browser.new_page()
    allowed = f"http://127.0.0.1:{server['host_port']}/embed.html?widget={server['url']}"
    page.goto(allowed, wait_until="load")
    sync_api.expect(page.frame_locator("#askgov").get_by_label("Your question")).to_be_visible(timeout=30_000)

    # The same page from another origin (localhost is not 127.0.0.1) is not in ASKGOV_EMBED_ORIGINS.
    page.goto(allowed.replace("127.0.0.1", "localhost", 1), wait_until="load")
    frame = page.locator("#askgov").element_handle().content_frame()
    frame.wait_for_load_state()
    assert frame.url.startswith("chrome-error://"), frame.url
    page.close()


@pytest.fixture(scope="module", autouse=True)
def screenshots_folder() -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
