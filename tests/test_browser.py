"""End to end in a real browser: Debian's headless Chromium, driven by Playwright, against `askgov serve`.

Checks what a reader sees and what axe-core (WCAG 2.1 AA) finds, in each language, at a desktop and a phone
width. Saves docs/screenshots/citizen.png, citizen-narrow.png and staff.png. `make browser` installs Chromium and
axe-core.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from webapp_index import FAST_EMBEDDER, wait_until_ready, web_index  # noqa: F401  (a fixture)

from bot.lang import detect_lang
from bot.server.auth import add_user
from bot.server.strings import staff_text, text

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
AXE = ROOT / "build" / "axe" / "node_modules" / "axe-core" / "axe.min.js"  # `make browser` installs it
STAFF_NAME, STAFF_PASSWORD = "duty-officer", "a long test password"
QUESTION_ZH = "數碼港人工智能超算中心有幾多算力？"

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra)")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed: run `make browser`", allow_module_level=True)
sync_api.expect.set_options(timeout=20_000)  # the machine is shared: a page update can take seconds


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


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
# Keeps what Gradio's screen-reader status region (role=status) says, for the test to read at the end.
RECORD_ANNOUNCEMENTS = """window.announced = [];
document.addEventListener('DOMContentLoaded', () => new MutationObserver(() => {
  document.querySelectorAll('.sr-only[role=status]').forEach((region) => {
    const said = region.textContent.trim();
    if (said && window.announced[window.announced.length - 1] !== said) window.announced.push(said);
  });
}).observe(document.body, {subtree: true, childList: true, characterData: true}));"""
UI_LANGS = {"en": "English", "zh-Hant": "繁體中文", "zh-Hans": "简体中文"}


@pytest.fixture(scope="module")
def axe_script() -> str:
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed at {AXE}: run `make browser`")
    return AXE.read_text(encoding="utf-8")


def settle(page) -> None:
    """Wait until no update is pending and every fade has ended: axe measures colours as they are drawn."""
    page.wait_for_function(
        """() => !document.querySelector('.pending') && document.getAnimations().every(
            (a) => a.playState !== 'running' || a.effect.getComputedTiming().iterations === Infinity)"""
    )


def serious_accessibility_violations(page, axe_script: str) -> list[str]:
    """axe-core's WCAG 2.1 A and AA checks of the page once settled; only serious and critical findings."""
    settle(page)
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(content=axe_script)
    violations = page.evaluate(
        """async () => (await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })).violations"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:3]}: "
        f"{v['nodes'][0]['failureSummary']}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def switch_language(page, lang: str) -> None:
    page.get_by_role("radio", name=UI_LANGS[lang], exact=True).check()
    sync_api.expect(page.locator("html")).to_have_attribute("lang", lang)


def check_whole_page(page, lang: str, axe_script: str | None = None) -> None:
    """What a reader sees in `lang` holds no Markdown markers and nothing wider than the window."""
    assert "**" not in page.locator("body").inner_text(), lang
    width = page.viewport_size["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, (lang, width)
    if axe_script:
        assert serious_accessibility_violations(page, axe_script) == [], lang


def check_source_cards(page, lang: str) -> None:
    sync_api.expect(page.locator("#sources h2")).to_have_text(text(lang, "sources"))
    for card in page.locator("#sources .source-card").all():
        title = card.locator("a").inner_text()
        outside_quote = card.evaluate(
            "card => { const copy = card.cloneNode(true); copy.querySelector('blockquote').remove(); "
            "return copy.textContent; }"
        )
        assert outside_quote.count(title) == 1, outside_quote  # the section path does not repeat the title


def test_citizen_page_in_three_languages_at_two_widths(server: dict, browser, axe_script: str) -> None:
    page = browser.new_page(viewport=WIDE)
    page.add_init_script(RECORD_ANNOUNCEMENTS)
    page.goto(server["url"] + "/", wait_until="load")
    sync_api.expect(page.locator("html")).to_have_attribute("lang", "en")
    sync_api.expect(page.get_by_role("radiogroup", name="Language")).to_be_visible()

    switch_language(page, "zh-Hant")
    question = page.get_by_label("你的問題")
    question.fill(QUESTION_ZH)
    question.press("Enter")  # the keyboard alone submits

    card = page.locator("#sources .source-card").first
    card.wait_for(timeout=60_000)
    sync_api.expect(page.locator("#feedback-row")).to_be_visible()
    answer = page.locator("#chatbot .message.bot, #chatbot [data-testid='bot']").last.inner_text()
    assert detect_lang(answer) == "zh-Hant", answer
    assert "[1]" in answer and card.locator("a").get_attribute("href").startswith(server["url"] + "/corpus/")
    titles = page.locator("#sources .source-card a").all_inner_texts()
    assert not any(f"[{n}] {title}" in answer for n, title in enumerate(titles, 1)), "the cards list the sources"
    sync_api.expect(page.locator("#escalation")).to_be_hidden()
    page.mouse.move(0, 0)  # no hover styles in the picture
    page.screenshot(path=str(SCREENSHOTS / "citizen.png"), full_page=True)

    page.get_by_role("button", name="👍 有幫助").click()
    sync_api.expect(page.locator("#feedback-status")).to_have_text(text("zh-Hant", "thanks"))
    with sqlite3.connect(server["db"]) as db:
        rows = db.execute("SELECT rating, question, lang FROM feedback").fetchall()
    assert rows == [(1, QUESTION_ZH, "zh-Hant")]

    for viewport in (WIDE, NARROW):
        page.set_viewport_size(viewport)
        for lang in ("zh-Hant", "en", "zh-Hans"):
            switch_language(page, lang)
            sync_api.expect(page.locator("#feedback-status")).to_have_text(text(lang, "thanks"))
            sync_api.expect(page.get_by_label(text(lang, "question"), exact=True)).to_be_visible()
            check_source_cards(page, lang)
            check_whole_page(page, lang, axe_script if viewport is WIDE else None)

    page.set_viewport_size(WIDE)
    switch_language(page, "en")
    page.get_by_label("Your question", exact=True).fill("What will the weather be like in Sha Tin tomorrow?")
    page.get_by_role("button", name="Ask", exact=True).click()
    escalation = page.locator("#escalation")
    sync_api.expect(escalation).to_contain_text("1823", timeout=60_000)
    for viewport in (WIDE, NARROW):
        page.set_viewport_size(viewport)
        for lang in ("en", "zh-Hans", "zh-Hant"):
            switch_language(page, lang)
            sync_api.expect(escalation).to_have_text(
                text(lang, "escalation_title") + (" " if lang == "en" else "") + text(lang, "escalation")
            )
            check_whole_page(page, lang, axe_script if viewport is WIDE else None)

    page.mouse.move(0, 0)  # a refusal on a phone, in Traditional Chinese
    page.screenshot(path=str(SCREENSHOTS / "citizen-narrow.png"), full_page=True)

    page.get_by_role("button", name=text("zh-Hant", "clear")).click()
    sync_api.expect(page.locator("#sources .source-card")).to_have_count(0)
    announced = page.evaluate("window.announced")
    assert announced and not any(said.startswith("common.") for said in announced), announced
    page.close()


def test_staff_console_at_the_given_address_in_english_and_chinese(server: dict, browser, axe_script: str) -> None:
    anonymous = browser.new_context()
    for address in ("/staff", "/staff/"):
        assert anonymous.request.get(server["url"] + address, max_redirects=0).status == 401, address
    with pytest.raises(sync_api.Error, match="AUTH"):  # Chromium gives up on the login challenge
        anonymous.new_page().goto(server["url"] + "/staff")
    anonymous.close()

    context = browser.new_context(http_credentials={"username": STAFF_NAME, "password": STAFF_PASSWORD}, viewport=WIDE)
    page = context.new_page()
    response = page.goto(server["url"] + "/staff", wait_until="load")  # the address the README and start-up give
    assert response.status == 200 and page.url == server["url"] + "/staff/"
    sync_api.expect(page.get_by_text(f"Signed in as {STAFF_NAME}")).to_be_visible(timeout=30_000)
    sync_api.expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Search the documents").fill("超算中心 算力 petaflops")
    page.get_by_label("Search the documents").press("Enter")
    results = page.locator("#staff-results h3")
    results.first.wait_for(timeout=60_000)
    assert results.count() == 5
    sync_api.expect(page.locator("#staff-results")).to_contain_text("similarity")
    assert serious_accessibility_violations(page, axe_script) == []

    page.get_by_role("radio", name="繁體中文").check()
    sync_api.expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    sync_api.expect(page.get_by_role("radiogroup", name=staff_text("zh-Hant", "language"))).to_be_visible()
    sync_api.expect(page.get_by_text(staff_text("zh-Hant", "signed_in", user=STAFF_NAME))).to_be_visible()
    sync_api.expect(page.get_by_role("tab", name=staff_text("zh-Hant", "tab_draft"))).to_be_visible()
    page.get_by_label(staff_text("zh-Hant", "query")).press("Enter")
    sync_api.expect(page.locator("#staff-results")).to_contain_text(staff_text("zh-Hant", "similarity"))
    assert "**" not in page.locator("body").inner_text()
    assert serious_accessibility_violations(page, axe_script) == []
    page.mouse.move(0, 0)
    page.screenshot(path=str(SCREENSHOTS / "staff.png"), full_page=True)
    for tab in ("tab_draft", "tab_feedback", "tab_gaps", "tab_admin"):
        page.get_by_role("tab", name=staff_text("zh-Hant", tab)).click()
        assert serious_accessibility_violations(page, axe_script) == [], tab

    page.goto(server["url"] + "/staff?lang=zh-Hans", wait_until="load")  # Chinese of either script reads Traditional
    assert page.url == server["url"] + "/staff/?lang=zh-Hans"
    sync_api.expect(page.get_by_role("button", name=staff_text("zh-Hant", "search"), exact=True)).to_be_visible()
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
