"""Render the demonstration corpus PDFs from their text sources, then check them with pypdf.

Sources live in `scripts/pdf_sources/<lang-folder>/<slug>.txt` and each becomes
`corpus/<lang-folder>/<slug>.pdf`. The PDF's /Title comes from `corpus/manifest.yaml` (the source's
`# ` line must say the same thing).

Font: every PDF embeds a subset of WenQuanYi Zen Hei, which has Traditional Chinese and Latin glyphs
(TrueType outlines, so pypdf can map the glyphs back to characters). It comes from the Debian package
`fonts-wqy-zenhei`:

    apt-get update && apt-get install -y fonts-wqy-zenhei      # installs /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc

`--font PATH` (or ASKGOV_PDF_FONT) points at another TrueType/TTC file with CJK coverage instead.
Python packages: fpdf2, pypdf and pyyaml (all in the project's virtualenv).

Usage (from the repository root):

    python scripts/render_pdfs.py            # render all PDFs, then check them
    python scripts/render_pdfs.py --check    # only check the PDFs already in corpus/

Source markup, one block per line (blank lines are ignored):

    # Title                  the document title (first block only)
    > note                   a small grey line (the demonstration notice)
    ## Heading / ### Sub     headings
    - item                   a bulleted list item (the bullet is drawn, not typed, so it is not extracted)
    | a | b |                a table row; the first row is the header, `|---|` rows are skipped
    === page ===             starts a new page; a source page that does not fit on one PDF page is an error
    anything else            a paragraph

The check re-extracts every page with pypdf and requires, page by page, the same characters as the
source (ignoring whitespace), no spaces between Chinese characters that the source does not have, the
font embedded, /Title equal to the manifest title, and a file under 1 MB. Any failure exits non-zero.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml
from fpdf import FPDF
from fpdf.fonts import FontFace
from pypdf import PageObject, PdfReader

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "scripts" / "pdf_sources"
CORPUS = REPO / "corpus"
DEFAULT_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
FONT_FAMILY = "cjk"
MAX_BYTES = 1_000_000
PAGE_BREAK = "=== page ==="
PDF_LANG = {"en": "en", "zh-hant": "zh-HK"}

# Han characters plus CJK and full-width punctuation.
_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]"
_SPACED_CJK = re.compile(f"(?<={_CJK})[ \t]+(?={_CJK})")  # lookarounds: "香 港 人" counts 2
_WHITESPACE = re.compile(r"\s+")


class SourceError(ValueError):
    """A PDF source that cannot be rendered; the message names the file."""


class CheckError(AssertionError):
    """A rendered PDF that does not match its source; the message names the file and page."""


@dataclass
class Block:
    kind: str  # title | note | h2 | h3 | para | item | table
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)

    def strings(self) -> list[str]:
        """The text this block puts on the page, in drawing order."""
        if self.kind == "table":
            # pypdf separates the cells of one row with a space, so the expected text does too.
            return [" ".join(row) for row in self.rows]
        return [self.text]


@dataclass
class Source:
    path: Path
    pages: list[list[Block]]

    @property
    def title(self) -> str:
        first = self.pages[0][0] if self.pages and self.pages[0] else None
        if first is None or first.kind != "title":
            raise SourceError(f"{self.path}: the first line must be the '# ' title")
        return first.text


# ---------------------------------------------------------------- parsing


def parse_source(path: Path) -> Source:
    pages: list[list[Block]] = [[]]
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        if line == PAGE_BREAK:
            pages.append([])
        elif line.startswith("|"):
            _add_table_row(pages[-1], line)
        else:
            pages[-1].append(_parse_line(line))
    if any(not page for page in pages):
        raise SourceError(f"{path}: a page has no content (check the '{PAGE_BREAK}' lines)")
    for table in (block for page in pages for block in page if block.kind == "table"):
        if len({len(row) for row in table.rows}) != 1:
            raise SourceError(f"{path}: table starting '{table.rows[0][0]}' has rows of different lengths")
    return Source(path, pages)


def _parse_line(line: str) -> Block:
    for prefix, kind in (("### ", "h3"), ("## ", "h2"), ("# ", "title"), ("> ", "note"), ("- ", "item")):
        if line.startswith(prefix):
            return Block(kind, line[len(prefix) :].strip())
    return Block("para", line)


def _add_table_row(page: list[Block], line: str) -> None:
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    if all(re.fullmatch(r":?-{3,}:?", cell) for cell in cells):
        return
    if not page or page[-1].kind != "table":
        page.append(Block("table"))
    page[-1].rows.append(cells)


# ---------------------------------------------------------------- rendering


def _fixed_creation_date() -> datetime:
    """SOURCE_DATE_EPOCH if set, else the Unix epoch: a placeholder, so that re-rendering unchanged
    sources gives byte-identical files and `askgov ingest` sees nothing new."""
    return datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", "0")), tz=timezone.utc)


class CorpusPDF(FPDF):
    def __init__(self, footer_label: str) -> None:
        super().__init__(format="A4")
        self.footer_label = footer_label
        self.set_creation_date(_fixed_creation_date())
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=20)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT_FAMILY, size=9)
        self.set_text_color(110, 110, 110)
        self.cell(0, 6, self.footer_label.format(page=self.page_no()), align="C")


STYLE = {  # kind: (font size, line height, RGB colour, space after)
    "title": (18, 9, (0, 51, 102), 2),
    "note": (8.5, 5, (110, 110, 110), 4),
    "h2": (13.5, 8, (0, 51, 102), 1),
    "h3": (11.5, 7, (0, 85, 136), 0.5),
    "para": (10.5, 6, (20, 20, 20), 2.5),
    "item": (10.5, 6, (20, 20, 20), 1),
    "table": (9.5, 6, (20, 20, 20), 3),
}
FOOTER = {"en": "Page {page}", "zh-hant": "第{page}頁"}


def render(source: Source, output: Path, title: str, lang_folder: str, font: Path) -> None:
    if source.title != title:
        raise SourceError(f"{source.path}: title '{source.title}' differs from the manifest's '{title}'")
    pdf = CorpusPDF(FOOTER[lang_folder])
    pdf.add_font(FONT_FAMILY, fname=str(font), **_collection_args(font))
    pdf.set_title(title)
    pdf.set_lang(PDF_LANG[lang_folder])
    pdf.set_creator("AskGov HK scripts/render_pdfs.py")
    pdf.set_producer("fpdf2")
    for number, page in enumerate(source.pages, start=1):
        pdf.add_page()
        for block in page:
            _draw(pdf, block)
        if pdf.page != number:
            raise SourceError(
                f"{source.path}: source page {number} does not fit on one PDF page; add a '{PAGE_BREAK}' line"
            )
    output.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(output))


def _collection_args(font: Path) -> dict[str, int]:
    return {"collection_font_number": 0} if font.suffix.lower() == ".ttc" else {}


def _draw(pdf: FPDF, block: Block) -> None:
    size, line_height, colour, space_after = STYLE[block.kind]
    pdf.set_font(FONT_FAMILY, size=size)
    pdf.set_text_color(*colour)
    if block.kind in ("h2", "h3"):
        pdf.ln(2)
    if block.kind == "item":
        _draw_item(pdf, block.text, line_height)
    elif block.kind == "table":
        _draw_table(pdf, block.rows, line_height)
    else:
        pdf.multi_cell(0, line_height, block.text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(space_after)


def _draw_item(pdf: FPDF, text: str, line_height: float) -> None:
    indent = 6.0
    pdf.set_fill_color(60, 60, 60)
    pdf.circle(x=pdf.l_margin + 2.2, y=pdf.get_y() + line_height / 2, radius=0.8, style="F")
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(pdf.epw - indent, line_height, text, new_x="LMARGIN", new_y="NEXT")


def _draw_table(pdf: FPDF, rows: list[list[str]], line_height: float) -> None:
    header_style = FontFace(emphasis="", fill_color=(220, 230, 241), color=(0, 51, 102))
    with pdf.table(
        col_widths=_column_weights(rows),
        line_height=line_height,
        headings_style=header_style,
        text_align="LEFT",
        first_row_as_headings=True,
    ) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell)


def _column_weights(rows: list[list[str]]) -> tuple[float, ...]:
    """Relative column widths from the longest cell in each column (a Han character counts double),
    capped so that one long column does not squeeze the others to a few characters."""

    def display_width(text: str) -> int:
        return sum(2 if re.match(_CJK, char) else 1 for char in text)

    columns = zip(*rows)
    return tuple(min(max(display_width(cell) for cell in column), 60) + 8 for column in columns)


# ---------------------------------------------------------------- checking


def squash(text: str) -> str:
    return _WHITESPACE.sub("", text)


def check_pdf(pdf_path: Path, source: Source, title: str, lang_folder: str) -> None:
    if pdf_path.stat().st_size >= MAX_BYTES:
        raise CheckError(f"{pdf_path}: {pdf_path.stat().st_size} bytes, over the {MAX_BYTES} limit")
    reader = PdfReader(pdf_path)
    actual_title = (reader.metadata or {}).get("/Title", "")
    if actual_title != title:
        raise CheckError(f"{pdf_path}: /Title is '{actual_title}', expected '{title}'")
    if len(reader.pages) != len(source.pages) or len(reader.pages) < 2:
        raise CheckError(f"{pdf_path}: {len(reader.pages)} pages, source has {len(source.pages)} (at least 2)")
    for number, (page, blocks) in enumerate(zip(reader.pages, source.pages), start=1):
        _check_fonts_embedded(pdf_path, number, page)
        drawn = [s for block in blocks for s in block.strings()] + [FOOTER[lang_folder].format(page=number)]
        _check_page_text(pdf_path, number, page.extract_text(), "\n".join(drawn))


def _check_page_text(pdf_path: Path, number: int, extracted: str, expected: str) -> None:
    got, want = squash(extracted), squash(expected)
    if got != want:
        at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        raise CheckError(
            f"{pdf_path} page {number}: extracted text differs from the source at character {at}:\n"
            f"  source:    ...{want[max(0, at - 30) : at + 30]!r}\n"
            f"  extracted: ...{got[max(0, at - 30) : at + 30]!r}"
        )
    spaced = len(_SPACED_CJK.findall(extracted)) - len(_SPACED_CJK.findall(expected))
    if spaced > 0:
        raise CheckError(f"{pdf_path} page {number}: {spaced} spaces inserted between Chinese characters")


def _check_fonts_embedded(pdf_path: Path, number: int, page: PageObject) -> None:
    fonts = page["/Resources"].get_object()["/Font"].get_object()
    for name, ref in fonts.items():
        font = ref.get_object()
        descendants = font.get("/DescendantFonts")
        described = descendants[0].get_object() if descendants else font
        descriptor = described.get("/FontDescriptor")
        if descriptor is None or not any(key in descriptor.get_object() for key in ("/FontFile2", "/FontFile3")):
            raise CheckError(f"{pdf_path} page {number}: font {name} is not embedded")


# ---------------------------------------------------------------- driver


def manifest_titles() -> dict[str, str]:
    entries = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))["documents"]
    return {entry["path"]: entry["title"] for entry in entries}


def source_files() -> list[Path]:
    files = sorted(SOURCES.glob("*/*.txt"))
    if not files:
        raise SourceError(f"{SOURCES}: no sources found (expected <lang-folder>/<slug>.txt)")
    return files


def process(source_path: Path, titles: dict[str, str], font: Path | None) -> Path:
    lang_folder = source_path.parent.name
    if lang_folder not in PDF_LANG:
        raise SourceError(f"{source_path}: folder must be one of {', '.join(PDF_LANG)}")
    relative = f"{lang_folder}/{source_path.stem}.pdf"
    if relative not in titles:
        raise SourceError(f"{source_path}: corpus/manifest.yaml has no entry for '{relative}'")
    source = parse_source(source_path)
    output = CORPUS / relative
    if font is not None:
        render(source, output, titles[relative], lang_folder, font)
    check_pdf(output, source, titles[relative], lang_folder)
    return output


def resolve_font(argument: str | None) -> Path:
    font = Path(argument or os.environ.get("ASKGOV_PDF_FONT") or DEFAULT_FONT)
    if not font.is_file():
        raise SourceError(
            f"font file {font} not found: install it with 'apt-get install -y fonts-wqy-zenhei' "
            "or pass --font PATH to a TrueType/TTC font with Traditional Chinese glyphs"
        )
    return font


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the existing PDFs, render nothing")
    parser.add_argument("--font", help=f"TrueType/TTC font to embed (default {DEFAULT_FONT})")
    args = parser.parse_args(argv)
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # it reports every table it drops
    try:
        font = None if args.check else resolve_font(args.font)
        titles = manifest_titles()
        for source_path in source_files():
            output = process(source_path, titles, font)
            pages = len(PdfReader(output).pages)
            print(f"ok  {output.relative_to(REPO)}  {pages} pages  {output.stat().st_size:,} bytes")
    except (SourceError, CheckError, FileNotFoundError) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
