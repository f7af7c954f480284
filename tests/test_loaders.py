"""Loaders on real files generated in a temporary folder: PDF, HTML, Markdown, text, JSONL and broken files."""

from __future__ import annotations

import logging
import random
import unicodedata
from pathlib import Path

import pytest
from fixtures_docs import (
    CJK_FONT_HINT,
    PAGE_CHROME_TEXT,
    cjk_font,
    html_page,
    write_binary_as_pdf,
    write_cid_text_pdf,
    write_encrypted_pdf,
    write_html,
    write_image_only_pdf,
    write_jsonl,
    write_pdf,
    write_text,
    write_truncated_pdf,
    write_unmapped_font_pdf,
)
from pypdf import PdfReader

from bot.ingest.loaders import SUPPORTED_SUFFIXES, LoadError, decode_bytes, load_file, map_lang

# Neutral sample sentences (no claims about any real service).
ZH_SENTENCE = "這是一份測試文件，用來檢查繁體中文能否正確讀取。"
ZH_CANTONESE = "你可以喺網上睇返呢份文件嘅內容。"  # 喺 is only in Big5-HKSCS, not in plain Big5
# Long enough to wrap across lines on an A4 page, with no sentence end before its last character.
ZH_LONG = (
    "這段文字故意寫得很長，讓排版程式必須把它分成幾行，測試讀取程式能否把同一段落重新接回一行，"
    "而不會在中文詞語中間留下換行符號，因為這樣會影響斷詞、搜尋和語意向量的質素，"
    "所以讀取後的文字應該與原文完全相同。"
)


def reason_of(path: Path) -> str:
    with pytest.raises(LoadError) as caught:
        load_file(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)
    return caught.value.reason


@pytest.fixture(scope="module")
def font() -> Path:
    found = cjk_font()
    if found is None:
        pytest.skip(CJK_FONT_HINT)
    return found


# ---------------------------------------------------------------- PDF


def test_pdf_chinese_and_english_pages_come_back_exactly(tmp_path: Path, font: Path) -> None:
    pages = [
        ["數碼港測試頁", "The first page mixes English with 繁體中文 text.", ZH_SENTENCE],
        ["第二頁", "Page two: 3,000 units, 50% done.", ZH_LONG],
    ]
    path = write_pdf(tmp_path / "mixed.pdf", pages, font, title="測試標題 Test title")

    docs = load_file(path)

    assert [doc.page_content for doc in docs] == ["\n\n".join(lines) for lines in pages]
    assert [doc.metadata["page"] for doc in docs] == [1, 2]
    assert {doc.metadata["title"] for doc in docs} == {"測試標題 Test title"}
    assert {doc.metadata["format"] for doc in docs} == {"pdf"}
    assert all(doc.metadata["source"] == str(path) and doc.metadata["heading"] == "" for doc in docs)
    # The long paragraph really was wrapped in the PDF, so the loader had to join it back.
    assert ZH_LONG not in PdfReader(path).pages[1].extract_text()


def test_pdf_keeps_short_lines_apart_joins_wrapped_english_and_drops_page_footers(tmp_path: Path) -> None:
    paragraph = (
        "Hong Kong has set aside HK$14 billion for the development of artificial intelligence, divided "
        "among three channels that are described in this fact sheet in some detail."
    )
    rows = ["Item Figure", "Location Cyberport, Hong Kong", "Capacity at launch 3,000 petaflops"]
    path = write_pdf(tmp_path / "sheet.pdf", [[paragraph, *rows, "Page 1"], ["Second page", "- 2 -"]])

    docs = load_file(path)

    assert docs[0].page_content == "\n\n".join([paragraph, *rows])  # a table's rows never run together
    assert docs[1].page_content == "Second page"
    assert "\n" in PdfReader(path).pages[0].extract_text().split("Item")[0].strip()  # it really was wrapped


def test_pdf_blank_page_is_skipped_and_page_numbers_stay_true(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "gap.pdf", [["First page"], [], ["Third page"]])

    docs = load_file(path)

    assert [(doc.metadata["page"], doc.page_content) for doc in docs] == [(1, "First page"), (3, "Third page")]
    assert docs[0].metadata["title"] == ""


def test_pdf_needing_a_password_is_refused(tmp_path: Path) -> None:
    path = write_encrypted_pdf(tmp_path / "locked.pdf", user_password="secret")
    assert reason_of(path) == "encrypted; a password is needed"


def test_pdf_encrypted_with_an_empty_password_opens(tmp_path: Path) -> None:
    path = write_encrypted_pdf(tmp_path / "owner-only.pdf", user_password="", lines=["Readable without a password"])
    assert [doc.page_content for doc in load_file(path)] == ["Readable without a password"]


def test_image_only_pdf_needs_ocr(tmp_path: Path) -> None:
    reason = reason_of(write_image_only_pdf(tmp_path / "scan.pdf"))
    assert "no extractable text" in reason and "OCR" in reason


def test_truncated_pdf_is_corrupt_and_pypdf_stays_quiet(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_truncated_pdf(tmp_path / "cut.pdf")
    with caplog.at_level(logging.DEBUG):
        reason = reason_of(path)
    assert reason.startswith("corrupt PDF: ")
    assert not [record for record in caplog.records if record.name.startswith("pypdf")]
    assert capsys.readouterr().err == ""
    assert logging.getLogger("pypdf").propagate  # the silencing is undone afterwards


def test_binary_file_renamed_pdf_is_not_a_pdf(tmp_path: Path) -> None:
    assert reason_of(write_binary_as_pdf(tmp_path / "picture.pdf")) == "not a PDF (no %PDF header)"


def test_pdf_of_cid_placeholders_is_reported_not_indexed(tmp_path: Path) -> None:
    reason = reason_of(write_cid_text_pdf(tmp_path / "cids.pdf"))
    assert "junk" in reason and "OCR" in reason


def test_pdf_font_without_unicode_map_is_reported(tmp_path: Path, font: Path) -> None:
    path = write_unmapped_font_pdf(tmp_path / "unmapped.pdf", [ZH_SENTENCE, "Some English words here."], font)
    assert "no Unicode mapping" in reason_of(path)


# ---------------------------------------------------------------- HTML

MAIN = """<main>
<h1>Service guide</h1>
<p>Intro   paragraph with <a href="#">a link</a> and <strong>bold</strong> words.</p>
<h2>Steps</h2>
<ol><li>Open the form</li><li>Fill it in<ul><li>name</li><li>address</li></ul></li></ol>
<h3>Fees</h3>
<table><caption>Fee table</caption>
<tr><th>Item</th><th>Fee</th></tr>
<tr><td>Copy</td><td>None</td></tr>
</table>
<h2>Contact</h2>
<p>Line one<br>Line two</p>
<div>Loose text<br/>after a break</div>
<ul><li><p>Item in</p><p>two paragraphs</p></li></ul>
</main>"""


def test_html_keeps_main_content_as_sections(tmp_path: Path) -> None:
    path = write_html(tmp_path / "guide.html", html_page(MAIN, title="Guide page", lang="en-GB"))

    docs = load_file(path)

    assert [doc.metadata["heading"] for doc in docs] == [
        "Service guide",
        "Service guide > Steps",
        "Service guide > Steps > Fees",
        "Service guide > Contact",
    ]
    assert [doc.page_content for doc in docs] == [
        "Service guide\n\nIntro paragraph with a link and bold words.",
        "Steps\n\n1. Open the form\n2. Fill it in\n- name\n- address",
        "Fees\n\nFee table\n\n| Item | Fee |\n| --- | --- |\n| Copy | None |",
        "Contact\n\nLine one\nLine two\n\nLoose text\nafter a break\n\n- Item in two paragraphs",
    ]
    assert all(
        doc.metadata | {"heading": ""}
        == {"source": str(path), "format": "html", "title": "Guide page", "heading": "", "page": 0, "lang": "en"}
        for doc in docs
    )


def test_html_table_without_header_cells_gets_no_column_rule(tmp_path: Path) -> None:
    table = (
        "<main><h1>Facts</h1><table><tr><td>Funding</td><td>HK$1 billion</td></tr>"
        "<tr><td>Oversight</td><td>Digital Policy Office</td></tr></table></main>"
    )
    docs = load_file(write_html(tmp_path / "facts.html", html_page(table)))
    assert docs[0].page_content == "Facts\n\n| Funding | HK$1 billion |\n| Oversight | Digital Policy Office |"


def test_html_drops_navigation_scripts_and_styles(tmp_path: Path) -> None:
    text = "\n".join(
        doc.page_content
        for doc in load_file(write_html(tmp_path / "chrome.html", html_page("<main><p>Only this.</p></main>")))
    )
    assert text == "Only this."


def test_html_without_main_uses_body_but_still_drops_chrome(tmp_path: Path) -> None:
    page = html_page("<div><h1>Heading</h1><p>Body text.</p></div>")
    docs = load_file(write_html(tmp_path / "body.html", page))
    text = "\n".join(doc.page_content for doc in docs)
    assert text == "Heading\n\nBody text."
    assert not any(chrome in text for chrome in PAGE_CHROME_TEXT)
    assert docs[0].metadata["title"] == "Heading"  # no <title>: the first <h1>
    assert "lang" not in docs[0].metadata


def test_html_prefers_a_single_article_over_the_body(tmp_path: Path) -> None:
    page = html_page("<p>Loose body text.</p><article><header><h1>Story</h1></header><p>Article text.</p></article>")
    docs = load_file(write_html(tmp_path / "article.html", page))
    assert [(doc.metadata["heading"], doc.page_content) for doc in docs] == [("Story", "Story\n\nArticle text.")]


@pytest.mark.parametrize(
    "declaration", ['<meta charset="big5">', '<meta http-equiv="Content-Type" content="text/html; charset=Big5">']
)
def test_html_in_declared_big5_decodes_including_hkscs(tmp_path: Path, declaration: str) -> None:
    main = f"<main><h1>測試頁</h1><p>{ZH_SENTENCE}</p><p>{ZH_CANTONESE}</p></main>"
    path = write_html(tmp_path / "big5.html", html_page(main, "繁體標題", "zh-HK", declaration), "big5hkscs")

    docs = load_file(path)

    assert [doc.page_content for doc in docs] == [f"測試頁\n\n{ZH_SENTENCE}\n\n{ZH_CANTONESE}"]
    assert docs[0].metadata["title"] == "繁體標題" and docs[0].metadata["lang"] == "zh-Hant"


def test_declared_encoding_decides_between_valid_readings() -> None:
    data = "測試頁面".encode("big5")
    assert decode_bytes(data, "big5") == "測試頁面"
    assert decode_bytes(data, "gb18030") == data.decode("gb18030") != "測試頁面"


def test_html_labelled_big5_but_written_in_utf8_is_read_as_utf8(tmp_path: Path) -> None:
    page = html_page(f"<main><p>{ZH_SENTENCE}</p></main>", charset_meta='<meta charset="big5">')
    assert load_file(write_html(tmp_path / "mislabelled.html", page))[0].page_content == ZH_SENTENCE


def test_html_without_declaration_detects_big5(tmp_path: Path) -> None:
    main = f"<main><p>{ZH_SENTENCE}{ZH_LONG}</p></main>"
    path = write_html(tmp_path / "undeclared.html", html_page(main, charset_meta=""), "big5")
    assert load_file(path)[0].page_content == ZH_SENTENCE + ZH_LONG


def test_html_joins_source_line_breaks_inside_chinese_without_spaces(tmp_path: Path) -> None:
    main = "<main><p>這是\n    一段\n中文 and English\nwords</p></main>"
    assert (
        load_file(write_html(tmp_path / "wrap.html", html_page(main)))[0].page_content
        == "這是一段中文 and English words"
    )


def test_html_with_no_main_text_is_an_error(tmp_path: Path) -> None:
    path = write_html(tmp_path / "spa.html", html_page("<main><div id='app'></div></main>"))
    assert reason_of(path) == "no text in the page's main content"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh-HK", "zh-Hant"),
        ("zh-TW", "zh-Hant"),
        ("zh-Hant", "zh-Hant"),
        ("zh-Hant-HK", "zh-Hant"),
        ("zh_hk", "zh-Hant"),
        ("yue-HK", "zh-Hant"),
        ("zh-CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh-Hans-HK", "zh-Hans"),
        ("zh-Hant-CN", "zh-Hant"),
        ("yue-CN", "zh-Hans"),
        ("en", "en"),
        ("en-HK", "en"),
        ("EN-us", "en"),
        ("zh", ""),
        ("fr", ""),
        ("", ""),
    ],
)
def test_language_tags_map_to_the_three_languages(tag: str, expected: str) -> None:
    assert map_lang(tag) == expected


# ---------------------------------------------------------------- Markdown

MARKDOWN = """# Guide title

Intro text.

## Setup

* first step
+ second step

```bash
# not a heading
echo "done"
```

### Details

Detail text.
~~~
## also not a heading
~~~

## Other part

Closing text.
"""


def test_markdown_sections_follow_headings_and_ignore_code(tmp_path: Path) -> None:
    docs = load_file(write_text(tmp_path / "guide.md", MARKDOWN))

    assert [doc.metadata["heading"] for doc in docs] == [
        "Guide title",
        "Guide title > Setup",
        "Guide title > Setup > Details",
        "Guide title > Other part",
    ]
    assert docs[1].page_content == 'Setup\n\n- first step\n- second step\n\n```bash\n# not a heading\necho "done"\n```'
    assert docs[2].page_content == "Details\n\nDetail text.\n~~~\n## also not a heading\n~~~"
    assert {doc.metadata["title"] for doc in docs} == {"Guide title"}
    assert {doc.metadata["format"] for doc in docs} == {"markdown"}


def test_markdown_front_matter_sets_title_and_lang_and_is_not_text(tmp_path: Path) -> None:
    text = "---\ntitle: 前言標題\nlang: zh-HK\nsecret_key: not for the index\n---\n# 內文標題\n\n" + ZH_SENTENCE + "\n"
    docs = load_file(write_text(tmp_path / "front.md", text))
    assert [doc.page_content for doc in docs] == ["內文標題\n\n" + ZH_SENTENCE]
    assert docs[0].metadata["title"] == "前言標題" and docs[0].metadata["lang"] == "zh-Hant"


def test_markdown_heading_path_drops_inline_markup(tmp_path: Path) -> None:
    text = "# The `askgov` tool #\n\n## **Bold** [link](https://example.org)\n\nText.\n"
    docs = load_file(write_text(tmp_path / "marked.md", text))
    assert [doc.metadata["heading"] for doc in docs] == ["The askgov tool > Bold link"]
    assert docs[0].metadata["title"] == "The askgov tool"


def test_markdown_text_before_any_heading_has_no_heading(tmp_path: Path) -> None:
    docs = load_file(write_text(tmp_path / "plain.md", "Just a note.\n\n## Later\n\nMore.\n"))
    assert [(doc.metadata["heading"], doc.metadata["title"]) for doc in docs] == [("", ""), ("Later", "")]


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("title: [unclosed", "front matter: invalid YAML"),
        ("- just\n- a list", "front matter: expected key: value pairs"),
        ("lang: fr", "front matter: lang must be en, zh-Hant or zh-Hans (got 'fr')"),
    ],
)
def test_markdown_bad_front_matter_is_an_error(tmp_path: Path, front: str, expected: str) -> None:
    path = write_text(tmp_path / "bad.md", f"---\n{front}\n---\n# Title\n\nText.\n")
    assert reason_of(path).startswith(expected)


# ---------------------------------------------------------------- plain text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "big5"])
def test_text_encodings_are_read(tmp_path: Path, encoding: str) -> None:
    text = f"Notice\n\n{ZH_SENTENCE}\n{ZH_LONG}"
    data = text.encode(encoding)
    if encoding == "utf-16-be":  # with its byte-order mark, as the brief's "UTF-16 with BOM" requires
        data = b"\xfe\xff" + data
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(data)

    docs = load_file(path)

    assert [doc.page_content for doc in docs] == [text]
    assert docs[0].metadata == {"source": str(path), "format": "text", "title": "", "heading": "", "page": 0}


def test_text_is_normalized(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Café")
    path = write_text(
        tmp_path / "messy.txt", f"  {decomposed}   menu\r\n\r\n\r\n\r\nNext    line  \r\n    indented\r\n"
    )
    assert load_file(path)[0].page_content == "  Café menu\n\nNext line\n    indented"


def test_text_with_nul_bytes_is_binary(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(b"header\x00\x01\x02 more")
    assert reason_of(path) == "binary file (contains NUL bytes)"


def test_text_of_random_bytes_is_binary(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(random.Random(7).randbytes(4096).replace(b"\x00", b"\x01"))
    assert reason_of(path).startswith("binary file")


# ---------------------------------------------------------------- JSONL


def test_jsonl_records_become_documents(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "records.jsonl",
        [
            {"id": "r1", "title": "First", "text": "First  record\r\ntext.\u2028End.", "url": "https://example.org/r1"},
            "",
            {"id": 2, "title": "第二", "text": ZH_SENTENCE, "lang": "zh-HK", "extra": "ignored"},
        ],
    )

    docs = load_file(path)

    assert [doc.page_content for doc in docs] == ["First record\ntext.\nEnd.", ZH_SENTENCE]
    assert docs[0].metadata == {
        "source": str(path),
        "format": "jsonl",
        "title": "First",
        "heading": "",
        "page": 0,
        "doc_id": "r1",
        "url": "https://example.org/r1",
    }
    assert docs[1].metadata["doc_id"] == "2" and docs[1].metadata["lang"] == "zh-Hant"
    assert "url" not in docs[1].metadata


@pytest.mark.parametrize(
    ("second_line", "expected"),
    [
        ({"id": "b", "title": "No text"}, "line 3: missing field 'text'"),
        ({"title": "No id", "text": "x"}, "line 3: missing field 'id'"),
        ('{"id": "b", "title": "x", "text": }', "line 3: bad JSON (Expecting value at column 35)"),
        ('["a", "list"]', "line 3: expected a JSON object, got list"),
        ({"id": "a", "title": "Again", "text": "dup"}, "line 3: duplicate id 'a' (first on line 1)"),
        ({"id": "b", "title": "x", "text": 5}, "line 3: field 'text' must be a string"),
        ({"id": True, "title": "x", "text": "y"}, "line 3: field 'id' must be a string"),
        ({"id": "b", "title": "x", "text": "y", "url": None}, "line 3: field 'url' must be a string"),
        ({"id": "b", "title": "x", "text": "   "}, "line 3: field 'text' is empty"),
        (
            {"id": "b", "title": "x", "text": "y", "lang": "de"},
            "line 3: field 'lang' must be en, zh-Hant or zh-Hans (got 'de')",
        ),
    ],
)
def test_jsonl_errors_name_the_line_and_field(tmp_path: Path, second_line: dict | str, expected: str) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [{"id": "a", "title": "Fine", "text": "ok"}, "", second_line])
    assert reason_of(path).startswith(expected)


# ---------------------------------------------------------------- any format


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n  "])
def test_empty_files_are_errors(tmp_path: Path, suffix: str, content: bytes) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(content)
    assert reason_of(path) == "empty file"


def test_unsupported_suffix_and_missing_file(tmp_path: Path) -> None:
    docx = tmp_path / "letter.docx"
    docx.write_bytes(b"PK\x03\x04")
    assert reason_of(docx).startswith("unsupported file type '.docx'")
    assert reason_of(tmp_path / "missing.md") == "not found"


def test_load_error_message_is_one_line() -> None:
    error = LoadError(Path("corpus/a.pdf"), "first line\nsecond   line")
    assert str(error) == "corpus/a.pdf: first line second line"
    assert error.reason == "first line second line" and error.path == Path("corpus/a.pdf")
