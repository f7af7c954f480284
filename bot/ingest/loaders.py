"""Loaders: one file -> a list of Documents (a PDF page, an HTML/Markdown section, a text file, a JSONL record).

See docs/contracts.md for the metadata each Document carries and the text conventions chunking relies on.
Every problem with a file is raised as a LoadError naming the file and the reason.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from bs4 import BeautifulSoup, NavigableString, Tag
from charset_normalizer import from_bytes
from langchain_core.documents import Document
from pypdf import PdfReader

# Bump when a loader gives other text for the same file, so that indexes built with the old text are rebuilt.
# 2: PDF lines that were not wrapped become paragraphs of their own; page-number footers are dropped.
# 3: an HTML table's header row is followed by a |---| rule, as in Markdown, so its column names are known.
LOADER_VERSION = 3


class LoadError(Exception):
    """A file that cannot be turned into documents; `str()` is one line naming the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path, self.reason = Path(path), " ".join(reason.split())
        super().__init__(f"{self.path}: {self.reason}")


# ---------------------------------------------------------------- text helpers shared by all formats

_SPACE_LIKE = str.maketrans(
    {"\t": " ", "\u00a0": " ", "\u200b": None, "\ufeff": None, "\f": "\n", "\v": "\n", "\u2028": "\n", "\u2029": "\n\n"}
)
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_LINE_BREAK = re.compile(f"(?<=[{_CJK}])[ \t\r]*\n[ \t\r]*(?=[{_CJK}])")
_INNER_SPACES = re.compile(r"(?<=\S) {2,}")


def normalize_text(text: str) -> str:
    """NFC, `\\n` line ends, runs of spaces collapsed (indentation kept), at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").translate(_SPACE_LIKE)
    lines = [_INNER_SPACES.sub(" ", line).rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def map_lang(tag: str) -> str:
    """A BCP 47 tag as en / zh-Hant / zh-Hans; "" for anything else (including bare, ambiguous `zh`)."""
    parts = tag.strip().lower().replace("_", "-").split("-")
    if parts[0] == "en":
        return "en"
    if parts[0] not in ("zh", "yue"):
        return ""
    rest = set(parts[1:])
    for script, lang in (("hant", "zh-Hant"), ("hans", "zh-Hans")):  # a script subtag outranks a region
        if script in rest:
            return lang
    if rest & {"hk", "tw", "mo"} or (parts[0] == "yue" and not rest & {"cn", "sg", "my"}):
        return "zh-Hant"  # Cantonese is mostly written in Traditional characters
    return "zh-Hans" if rest & {"cn", "sg", "my"} else ""


def _declared_lang(value: object, where: str) -> str:
    lang = map_lang(str(value))
    if not lang:
        raise ValueError(f"{where} must be en, zh-Hant or zh-Hans (got {value!r})")
    return lang


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_EXTRA_ALIASES = {"x-x-big5": "big5", "x-big5": "big5", "cn-big5": "big5"}
# As browsers do: a page labelled with a narrow encoding is read with the superset its authors really used
# (Hong Kong pages labelled Big5 often hold HKSCS characters), and a UTF-16 label on bytes without a BOM is wrong.
_WIDER_CODEC = {
    "big5": "big5hkscs",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
}


def decode_bytes(data: bytes, declared: str = "") -> str:
    """Text from bytes: by a BOM, else as UTF-8 if valid (text in a legacy encoding almost never is, while pages
    mislabelled as Big5 or Latin-1 are common), else by the declared encoding, else by detection.
    ValueError when the bytes are binary."""
    text = _decode_by_bom(data)
    if text is None:
        if b"\x00" in data:
            raise ValueError("binary file (contains NUL bytes)")
        text = _decode_without_bom(data, declared)
    if text is None or _looks_binary(text):
        raise ValueError("binary file (not text in any encoding that could be detected)")
    return text


def _decode_without_bom(data: bytes, declared: str) -> str | None:
    for encoding in filter(None, ("utf-8", _codec_name(declared))):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    return str(best) if best is not None else None


def _decode_by_bom(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise ValueError(f"binary file (not valid {encoding} despite its byte-order mark)") from error
    return None


def _codec_name(declared: str) -> str:
    name = declared.strip().lower()
    try:
        codec = codecs.lookup(_EXTRA_ALIASES.get(name, name)).name if name else ""
    except LookupError:
        return ""
    return _WIDER_CODEC.get(codec, codec)


_BINARY_CHARS = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def _looks_binary(text: str) -> bool:
    return len(_BINARY_CHARS.findall(text)) > len(text) * 0.05


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise LoadError(path, f"cannot read: {error.strerror or error}") from error
    if not data.strip():
        raise LoadError(path, "empty file")
    return data


def _read_text(path: Path) -> str:
    try:
        text = decode_bytes(_read(path))
    except ValueError as error:
        raise LoadError(path, str(error)) from error
    if not text.strip():
        raise LoadError(path, "empty file")
    return text


def _document(path: Path, text: str, fmt: str, **metadata: str | int) -> Document:
    base: dict[str, str | int] = {"source": str(path), "format": fmt, "title": "", "heading": "", "page": 0}
    return Document(page_content=text, metadata=base | metadata)


# ---------------------------------------------------------------- sections (HTML and Markdown)


class _Sections:
    """Collects blocks under a heading path; a section becomes a document when it has text besides its heading."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, str]] = []
        self.done: list[tuple[str, str]] = []
        self.blocks: list[str] = []

    def heading(self, level: int, text: str) -> None:
        self.flush()
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, text))
        self.blocks = [text] if text else []

    def add(self, block: str) -> None:
        if block.strip():
            self.blocks.append(block)

    def flush(self) -> None:
        body = normalize_text("\n\n".join(self.blocks))
        has_body = len(self.blocks) > (1 if self.stack and self.stack[-1][1] else 0)
        if body and has_body:
            self.done.append((" > ".join(text for _, text in self.stack if text), body))
        self.blocks = []

    def documents(self, path: Path, fmt: str, **metadata: str | int) -> list[Document]:
        self.flush()
        return [_document(path, text, fmt, heading=heading, **metadata) for heading, text in self.done]


# ---------------------------------------------------------------- PDF

# Signs of fonts without a Unicode mapping: pdfminer-style "(cid:12)", private-use or replacement characters,
# and control characters (raw glyph numbers). A NUL is not counted: pypdf leaves one before each character
# when it misreads two-byte codes, and dropping the NULs gives the right text.
_JUNK_GLYPHS = re.compile(r"\(cid:\d+\)|[\x01-\x08\x0e-\x1f\x7f\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SENTENCE_ENDS = "。！？；：.!?;:"
WRAPPED_MIN_WIDTH = 30  # on a page of short lines none was wrapped
_PAGE_NUMBER = re.compile(
    r"^(page\s*\d+(\s*(of|/)\s*\d+)?|第\s*\d+\s*[頁页](\s*[,，/]?\s*共\s*\d+\s*[頁页])?|[-–—]?\s*\d+\s*[-–—]?)$",
    re.IGNORECASE,
)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _quiet_pypdf() -> Iterator[list[str]]:
    """Silence pypdf's log warnings about broken files, collecting them so an error can still quote one."""
    collector, logger = _Collector(), logging.getLogger("pypdf")
    saved = logger.propagate, logger.level
    logger.addHandler(collector)
    logger.propagate, logger.level = False, logging.WARNING
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield collector.messages
    finally:
        logger.removeHandler(collector)
        logger.propagate, logger.level = saved


def load_pdf(path: Path) -> list[Document]:
    """One document per page with text, `page` counted from 1."""
    data = _read(path)
    if b"%PDF-" not in data[:1024]:
        raise LoadError(path, "not a PDF (no %PDF header)")
    with _quiet_pypdf() as heard:
        try:
            pages, title = _pdf_pages(path, data)
        except LoadError:
            raise
        except Exception as error:  # pypdf raises many exception types on damaged files
            hint = f" (pypdf: {heard[0]})" if heard else ""
            raise LoadError(path, f"corrupt PDF: {error or type(error).__name__}{hint}") from error
    return _pdf_documents(path, pages, title)


def _pdf_pages(path: Path, data: bytes) -> tuple[list[str], str]:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        _unlock(path, reader)
    if not reader.pages:
        raise LoadError(path, "PDF has no pages")
    pages = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            pages.append((page.extract_text() or "").replace("\x00", ""))
        except Exception as error:  # same reason as in load_pdf; say which page
            raise RuntimeError(f"page {number}: {error or type(error).__name__}") from error
    meta = reader.metadata
    return pages, normalize_text(str(meta.title or "")) if meta else ""


def _paragraphs(text: str) -> str:
    """Undo the PDF's line wrapping and keep every other line break: a line nearly as wide as the widest on the
    page that does not end a sentence runs on into the next ("研\n究" is one word, "artificial\nintelligence" two
    words). Any other break ends a paragraph, heading, list item or table row; it becomes a blank line, so that
    nothing later joins a table's rows or a heading to the text after it."""
    lines = [line.strip() for line in text.split("\n")]
    widest = max(map(_display_width, lines))
    paragraphs: list[str] = []
    previous_width = 0
    for line in lines:
        before = paragraphs[-1] if paragraphs else ""
        full = previous_width >= max(0.85 * widest, WRAPPED_MIN_WIDTH) and before[-1:] not in ("", *_SENTENCE_ENDS)
        # a long word pushed to the next line leaves a shorter one, but nothing new starts in lower case
        split_word = previous_width >= 0.5 * widest and before[-1:].isalnum() and line[:1].islower()
        if line and before and (full or split_word):
            paragraphs[-1] += ("" if _is_cjk(before[-1]) and _is_cjk(line[0]) else " ") + line
        elif line:
            paragraphs.append(line)
        previous_width = _display_width(line)
    if paragraphs and _PAGE_NUMBER.match(paragraphs[-1]):
        paragraphs.pop()  # a footer that only numbers the page says nothing
    return "\n\n".join(paragraphs)


def _display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _is_cjk(char: str) -> bool:
    return bool(_CJK_CHAR.match(char))


def _unlock(path: Path, reader: PdfReader) -> None:
    try:
        opened = reader.decrypt("")  # many "encrypted" PDFs only restrict editing and open with no password
    except Exception as error:  # e.g. an encryption method this pypdf cannot handle
        raise LoadError(path, f"encrypted; cannot decrypt: {error}") from error
    if not opened:
        raise LoadError(path, "encrypted; a password is needed")


def _pdf_documents(path: Path, raw_pages: list[str], title: str) -> list[Document]:
    raw = "".join(raw_pages)
    junk, visible = sum(map(len, _JUNK_GLYPHS.findall(raw))), len("".join(raw.split()))
    if visible and junk > 0.3 * visible:
        raise LoadError(
            path,
            f"text extracts as junk ({junk} of {visible} characters are (cid:NN), private-use or "
            "control characters): its fonts have no Unicode mapping; it needs OCR",
        )
    pages = [_paragraphs(normalize_text(_CONTROL.sub("", text))) for text in raw_pages]
    if not any(pages):
        raise LoadError(path, "no extractable text on any page (scanned or image-only PDF; it needs OCR)")
    return [
        _document(path, text, "pdf", title=title, page=number) for number, text in enumerate(pages, start=1) if text
    ]


# ---------------------------------------------------------------- HTML

_DROPPED = ["script", "style", "nav", "aside", "form", "noscript", "template", "iframe", "svg", "button", "select"]
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_PARAGRAPH_LIKE = {"p", "dt", "dd", "figcaption", "summary", "address", "blockquote", "caption"}
_INLINE = {
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "cite",
    "code",
    "data",
    "dfn",
    "em",
    "i",
    "kbd",
    "mark",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "time",
    "u",
    "var",
    "wbr",
    "br",
    "img",
    "del",
    "ins",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_LINE_MARK = "\u2028"  # stands for <br> until whitespace is collapsed


def load_html(path: Path) -> list[Document]:
    """One document per heading section of the page's main content."""
    data = _read(path)
    declared = _META_CHARSET.search(data[:4096])
    try:
        markup = decode_bytes(data, declared.group(1).decode("ascii") if declared else "")
    except ValueError as error:
        raise LoadError(path, str(error)) from error
    soup = BeautifulSoup(markup, "lxml")
    title = _inline_text(soup.title) if soup.title else ""
    root = _main_content(soup)
    if not title and (first_h1 := root.find("h1")):
        title = _inline_text(first_h1)
    sections = _Sections()
    _walk(root, sections)
    html_tag = soup.find("html")
    lang = map_lang(str(html_tag.get("lang") or html_tag.get("xml:lang") or "")) if html_tag else ""
    documents = sections.documents(path, "html", title=title, **({"lang": lang} if lang else {}))
    if not documents:
        raise LoadError(path, "no text in the page's main content")
    return documents


def _main_content(soup: BeautifulSoup) -> Tag:
    """<main> (or role=main), else the only <article>, else <body>; without scripts, menus, forms and the like."""
    articles = soup.find_all("article")
    root = (
        soup.find("main")
        or soup.find(attrs={"role": "main"})
        or (articles[0] if len(articles) == 1 else None)
        or soup.body
        or soup
    )
    for tag in root.find_all([*_DROPPED, "header", "footer"]):
        # A header or footer inside an article or section belongs to it; only the page's own are chrome.
        inner = tag.name in ("header", "footer") and tag.find_parent(["article", "section", "main"]) is not None
        if not inner and not tag.decomposed:
            tag.decompose()
    for tag in root.find_all(attrs={"hidden": True}):
        tag.decompose()
    return root


def _walk(element: Tag, sections: _Sections) -> None:
    pending: list[str] = []
    for child in element.children:
        if isinstance(child, Tag) and child.name not in _INLINE:
            sections.add(_collapse("".join(pending)))
            pending = []
            _block(child, sections)
        elif isinstance(child, Tag):
            pending.append(_raw_inline(child))
        elif type(child) is NavigableString:
            pending.append(str(child))
    sections.add(_collapse("".join(pending)))


def _block(tag: Tag, sections: _Sections) -> None:
    if tag.name in _HEADINGS:
        sections.heading(_HEADINGS[tag.name], " ".join(_inline_text(tag).split()))
    elif tag.name in ("ul", "ol"):
        sections.add("\n".join(_list_lines(tag)))
    elif tag.name == "table":
        caption = tag.find("caption")
        sections.add(_inline_text(caption) if caption else "")
        sections.add("\n".join(_table_rows(tag)))
    elif tag.name == "pre":
        sections.add(tag.get_text())
    elif tag.name in _PARAGRAPH_LIKE and not tag.find(["p", "ul", "ol", "table", "pre", *_HEADINGS]):
        sections.add(_inline_text(tag))
    else:
        _walk(tag, sections)


def _raw_inline(tag: Tag, skip: tuple[str, ...] = ()) -> str:
    """The text inside `tag`, <br> as a line mark, leaving out whatever is inside a `skip` element."""
    if tag.name == "br":
        return _LINE_MARK
    parts = []
    for node in tag.descendants:
        if isinstance(node, Tag):
            # <br> breaks the line; a block inside (<p> in <li>) is at least a word break
            parts.append(_LINE_MARK if node.name == "br" else "" if node.name in _INLINE else " ")
        elif type(node) is NavigableString and not _inside(node, skip, tag):
            parts.append(str(node))
    return "".join(parts)


def _inside(node: NavigableString, names: tuple[str, ...], stop: Tag) -> bool:
    parent = node.parent
    while parent is not None and parent is not stop:
        if parent.name in names:
            return True
        parent = parent.parent
    return False


def _collapse(text: str) -> str:
    text = _CJK_LINE_BREAK.sub("", text)  # a line break between Chinese characters is not a space
    return re.sub(r"[ \t\n\r\f\v]+", " ", text).replace(_LINE_MARK, "\n").strip()


def _inline_text(tag: Tag, skip: tuple[str, ...] = ()) -> str:
    return "\n".join(line.strip() for line in _collapse(_raw_inline(tag, skip)).split("\n"))


def _list_lines(tag: Tag) -> list[str]:
    lines = []
    number = int(tag.get("start", 1)) if str(tag.get("start", "1")).isdigit() else 1
    for item in tag.find_all("li", recursive=False):
        text = _inline_text(item, skip=("ul", "ol")).replace("\n", " ")
        if text:
            lines.append(f"{number}. {text}" if tag.name == "ol" else f"- {text}")
            number += 1
        for nested in item.find_all(["ul", "ol"]):
            if nested.find_parent("li") is item:
                lines.extend(_list_lines(nested))
    return lines


def _table_rows(table: Tag) -> list[str]:
    """Markdown rows; a first row of header cells gets the |---| rule below it, which marks it as column names."""
    rows = []
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue
        cells = row.find_all(["th", "td"])
        texts = [_inline_text(cell).replace("\n", " ").replace("|", "/") for cell in cells]
        if not any(texts):
            continue
        rows.append("| " + " | ".join(texts) + " |")
        if len(rows) == 1 and all(cell.name == "th" for cell in cells):
            rows.append("|" + " --- |" * len(cells))
    return rows


# ---------------------------------------------------------------- Markdown

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BULLET = re.compile(r"^(\s*)[*+][ \t]+")
_MD_INLINE = re.compile(r"\*\*|__|`|!?\[([^\]]*)\]\([^)]*\)")


def load_markdown(path: Path) -> list[Document]:
    """One document per ATX heading section; YAML front matter may set `title` and `lang`."""
    front, body = _front_matter(path, normalize_text(_read_text(path)))
    sections, title = _Sections(), ""
    for level, heading, lines in _markdown_sections(body):
        if level:
            title = title or (heading if level == 1 else "")
            sections.heading(level, heading)
        sections.add("\n".join(lines))
    metadata: dict[str, str | int] = {"title": str(front.get("title") or title)}
    if front.get("lang"):
        try:
            metadata["lang"] = _declared_lang(front["lang"], "front matter: lang")
        except ValueError as error:
            raise LoadError(path, str(error)) from error
    documents = sections.documents(path, "markdown", **metadata)
    if not documents:
        raise LoadError(path, "no text besides headings and front matter")
    return documents


def _markdown_sections(text: str) -> Iterator[tuple[int, str, list[str]]]:
    """(heading level, heading text, lines under it) in order; level 0 for the text before any heading."""
    level, heading, lines, fence = 0, "", [], ""
    for line in text.split("\n"):
        opened_or_inside = fence
        fence = _fence_state(line, fence)
        match = None if opened_or_inside or fence else _ATX.match(line)
        if match:
            yield level, heading, lines
            level, lines = len(match.group(1)), []
            heading = " ".join(_MD_INLINE.sub(lambda m: m.group(1) or "", match.group(2) or "").split())
        else:
            lines.append(line if opened_or_inside or fence else _BULLET.sub(r"\1- ", line))
    yield level, heading, lines


def _fence_state(line: str, fence: str) -> str:
    """The open fence after `line` ("" outside code): a fence closes with the same character, at least as long."""
    match = _FENCE.match(line)
    if not match:
        return fence
    if not fence:
        return match.group(1)
    closes = match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) and not line.strip(" `~")
    return "" if closes else fence


def _front_matter(path: Path, text: str) -> tuple[dict, str]:
    match = re.match(r"---\n(.*?)\n(?:---|\.\.\.)\n", text + "\n", re.DOTALL)
    if not match:
        return {}, text
    try:
        front = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise LoadError(path, f"front matter: invalid YAML{f' (line {mark.line + 2})' if mark else ''}") from error
    if not isinstance(front, dict):
        raise LoadError(path, "front matter: expected key: value pairs")
    return front, text[match.end() :]


# ---------------------------------------------------------------- plain text and JSONL


def load_text(path: Path) -> list[Document]:
    return [_document(path, normalize_text(_read_text(path)), "text")]


def load_jsonl(path: Path) -> list[Document]:
    """One document per record {"id", "title", "text", "lang"?, "url"?}; blank lines are allowed."""
    data = _read(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise LoadError(path, f"line {line}: not UTF-8 text") from error
    documents: list[Document] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines(): JSON strings may hold U+2028
        if not line.strip():
            continue
        try:
            doc = _jsonl_record(path, line)
        except ValueError as error:
            raise LoadError(path, f"line {number}: {error}") from error
        doc_id = doc.metadata["doc_id"]
        if doc_id in first_line:
            raise LoadError(path, f"line {number}: duplicate id {doc_id!r} (first on line {first_line[doc_id]})")
        first_line[doc_id] = number
        documents.append(doc)
    if not documents:
        raise LoadError(path, "empty file")
    return documents


def _jsonl_record(path: Path, line: str) -> Document:
    """The record on one line; ValueError (without the line number) when it is not usable."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"bad JSON ({error.msg} at column {error.colno})") from error
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    for field in ("id", "title", "text"):
        if field not in record:
            raise ValueError(f"missing field {field!r}")
    for field in ("id", "title", "text", "lang", "url"):
        value = record.get(field, "")
        if not isinstance(value, str) and not (field == "id" and type(value) is int):
            raise ValueError(f"field {field!r} must be a string")
    text, doc_id = normalize_text(record["text"]), str(record["id"]).strip()
    if not doc_id or not text:
        raise ValueError(f"field {'id' if not doc_id else 'text'!r} is empty")
    extra = {"url": record["url"].strip()} if record.get("url", "").strip() else {}
    if record.get("lang"):
        extra["lang"] = _declared_lang(record["lang"], "field 'lang'")
    return _document(path, text, "jsonl", title=normalize_text(record["title"]), doc_id=doc_id, **extra)


# ---------------------------------------------------------------- dispatch

LOADERS: dict[str, Callable[[Path], list[Document]]] = {
    ".pdf": load_pdf,
    ".html": load_html,
    ".htm": load_html,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".jsonl": load_jsonl,
}
SUPPORTED_SUFFIXES = frozenset(LOADERS)


def load_file(path: Path) -> list[Document]:
    """The documents in `path`, by its suffix; LoadError when the file cannot be used."""
    path = Path(path)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise LoadError(
            path,
            f"unsupported file type {path.suffix or '(none)'!r}; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}",
        )
    if not path.is_file():
        raise LoadError(path, "not found" if not path.exists() else "not a file")
    return loader(path)
