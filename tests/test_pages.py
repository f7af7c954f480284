"""What the web pages render from answers and strings, without a browser (tests/test_browser.py drives them)."""

from __future__ import annotations

import re
import string

import pytest
from markdown_it import MarkdownIt

from bot.answer.types import Citation
from bot.server.citizen import displayed_answer, escalation_html, source_cards
from bot.server.strings import EXAMPLES, STAFF_STRINGS, STRINGS, staff_lang, text, ui_lang

TITLE = "Digital Services: Questions from Residents"


def citation(heading: str = "", page: int = 0, snippet: str = "A passage.") -> Citation:
    return Citation(n=1, doc_id="residents-faq", title=TITLE, heading=heading, page=page, snippet=snippet)


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_a_card_names_the_section_below_the_title_once() -> None:
    card = source_cards([citation(f"{TITLE} > Services > Will staff change?")], "en", ["/corpus/en/faq.md"])
    assert visible_text(card).count(TITLE) == 1
    assert "Services &gt; Will staff change?" in card


def test_a_card_of_a_section_that_is_the_title_itself_shows_only_the_title() -> None:
    card = source_cards([citation(TITLE)], "en", [""])
    assert visible_text(card).count(TITLE) == 1 and " · " not in visible_text(card)


def test_a_card_of_a_paged_document_gives_the_page_in_the_readers_language() -> None:
    assert "第 3 頁" in source_cards([citation(page=3)], "zh-Hant", [""])


def test_a_card_quotes_the_passage_as_plain_text_a_line_per_item() -> None:
    snippet = "## Staff\n**In the service**, roles change.\n- See [the plan](https://example.org/plan) `now`\n* 第二項"
    quote = re.search(r"<blockquote>(.*)</blockquote>", source_cards([citation(snippet=snippet)], "en", [""]), re.S)
    assert quote.group(1) == "Staff\nIn the service, roles change.\n• See the plan now\n• 第二項"


def test_a_card_joins_the_lines_a_page_layout_broke_and_keeps_paragraphs() -> None:
    snippet = "The service opened\nwith three lines\n\nA second paragraph."
    quote = re.search(r"<blockquote>(.*)</blockquote>", source_cards([citation(snippet=snippet)], "en", [""]), re.S)
    assert quote.group(1) == "The service opened with three lines\nA second paragraph."


def test_a_card_escapes_document_text() -> None:
    card = source_cards([citation(heading=f"{TITLE} > <b>x</b>", snippet="<script>alert(1)</script>")], "en", [""])
    assert "<script>" not in card and "<b>" not in card


@pytest.mark.parametrize(
    "answer", ["**與職員對話：**請致電 1823。", "The **fund** is described [1].", "**一**、**二**"]
)
def test_bold_in_an_answer_renders_without_markers_in_any_script(answer: str) -> None:
    rendered = MarkdownIt("commonmark").render(displayed_answer(answer))  # as the chat's Markdown renders it
    assert "**" not in rendered and "<strong>" in rendered


@pytest.mark.parametrize("lang", list(STRINGS))
def test_the_1823_box_has_no_markdown_and_keeps_its_emphasis(lang: str) -> None:
    box = escalation_html(lang)
    assert "**" not in box and "1823" in box and box.count("<strong>") == 1


def test_every_language_has_every_string_with_the_same_placeholders() -> None:
    def placeholders(value: str) -> set[str]:
        return {field for _, field, _, _ in string.Formatter().parse(value) if field}

    for table in (STRINGS, STAFF_STRINGS):
        english = table["en"]
        for lang, strings in table.items():
            assert strings.keys() == english.keys(), lang
            for key, value in strings.items():
                assert placeholders(value) == placeholders(english[key]), (lang, key)
                assert "**" not in value, (lang, key)  # Markdown emphasis breaks next to full-width punctuation
    assert {lang: len(examples) for lang, examples in EXAMPLES.items()} == {lang: 3 for lang in STRINGS}


def test_staff_headers_have_one_name_per_column_in_each_language() -> None:
    for key in ("feedback_headers", "gap_headers"):
        assert len({len(STAFF_STRINGS[lang][key].split("|")) for lang in STAFF_STRINGS}) == 1, key


@pytest.mark.parametrize(
    ("given", "page", "console"),
    [(None, "en", "en"), ("zh-HK", "zh-Hant", "zh-Hant"), ("zh-cn", "zh-Hans", "zh-Hant"), ("fr", "en", "en")],
)
def test_a_lang_parameter_picks_a_supported_language(given: str | None, page: str, console: str) -> None:
    assert ui_lang(given) == page and staff_lang(given) == console


def test_a_status_line_formats_in_every_language() -> None:
    for lang in STRINGS:
        assert "2000" in text(lang, "too_long", limit=2000)
