"""Generators of real test documents (PDF, HTML, Markdown, text, JSONL), written into a folder at test time.

Nothing binary is committed: every PDF is drawn with fpdf2 (and encrypted or damaged with pypdf) when a
test asks for it. PDFs with Chinese text embed a CJK TrueType font found by `cjk_font()`.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

CJK_FONT_ENV = "ASKGOV_TEST_CJK_FONT"
# WenQuanYi Micro Hei (TrueType outlines) from the PyPI package `paperang-p2-fonts-cjk`; Debian's font
# packages are a fallback for machines that have them.
CJK_FONT_PACKAGE = ("paperang_p2_fonts_cjk", "fonts/wqy-microhei.ttc")
DEBIAN_CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
CJK_FONT_HINT = f"no CJK TrueType font: pip install paperang-p2-fonts-cjk (or set {CJK_FONT_ENV})"


def cjk_font() -> Path | None:
    """A font file with Traditional Chinese and Latin glyphs that fpdf2 can embed, or None."""
    if os.environ.get(CJK_FONT_ENV):
        return Path(os.environ[CJK_FONT_ENV])
    package, inner = CJK_FONT_PACKAGE
    try:
        bundled = resources.files(package).joinpath(inner)
        if bundled.is_file():
            return Path(str(bundled))
    except ModuleNotFoundError:
        pass
    return next((Path(p) for p in DEBIAN_CJK_FONTS if Path(p).is_file()), None)


# ---------------------------------------------------------------- PDF


def pdf_bytes(pages: Sequence[Sequence[str]], font: Path | None = None, title: str = "") -> bytes:
    """A PDF with one page per entry, one paragraph per line (long ones wrap); Helvetica unless `font` is given."""
    pdf = FPDF()
    if font:
        pdf.add_font("cjk", fname=str(font))
        pdf.set_font("cjk", size=12)
    else:
        pdf.set_font("helvetica", size=12)
    if title:
        pdf.set_title(title)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(w=0, h=8, text=line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def write_pdf(path: Path, pages: Sequence[Sequence[str]], font: Path | None = None, title: str = "") -> Path:
    path.write_bytes(pdf_bytes(pages, font, title))
    return path


def write_encrypted_pdf(path: Path, user_password: str, lines: Sequence[str] = ("Encrypted notice",)) -> Path:
    """An AES-256 encrypted PDF; with an empty `user_password` it opens without one (only an owner password)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([lines]))))
    writer.encrypt(user_password=user_password, owner_password="owner-password", algorithm="AES-256")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def write_image_only_pdf(path: Path) -> Path:
    """A page with drawn shapes and no text, like a scan."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(40, 90, 160)
    pdf.rect(20, 20, 120, 80, style="F")
    pdf.line(20, 120, 180, 200)
    path.write_bytes(bytes(pdf.output()))
    return path


def write_truncated_pdf(path: Path, keep: float = 0.6) -> Path:
    data = pdf_bytes([["A page that will be cut off before the end of the file."]])
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def write_binary_as_pdf(path: Path) -> Path:
    """Bytes of a PNG-like binary file under a .pdf name."""
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    return path


def write_cid_text_pdf(path: Path, glyphs: int = 60) -> Path:
    """A PDF whose text is pdfminer-style "(cid:NN)" placeholders, as left by a broken conversion."""
    line = "".join(f"(cid:{n})" for n in range(3, 3 + glyphs))
    return write_pdf(path, [[line]])


def write_unmapped_font_pdf(path: Path, lines: Sequence[str], font: Path) -> Path:
    """A PDF in an embedded font whose ToUnicode map was removed, so its text extracts as glyph numbers."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([lines], font))))
    for page in writer.pages:
        for reference in page["/Resources"]["/Font"].values():
            del reference.get_object()["/ToUnicode"]
    with path.open("wb") as handle:
        writer.write(handle)
    return path


# ---------------------------------------------------------------- HTML

PAGE_CHROME_TEXT = (
    "SITE HEADER TEXT",
    "NAV MENU TEXT",
    "FOOTER TEXT",
    "ASIDE TEXT",
    "FORM TEXT",
    "NOSCRIPT TEXT",
    "scriptVariable",
    "styleRule",
)


def html_page(main: str, title: str = "", lang: str = "", charset_meta: str = '<meta charset="utf-8">') -> str:
    """A full page around `main` with the usual site chrome, whose texts are in PAGE_CHROME_TEXT."""
    lang_attribute = f' lang="{lang}"' if lang else ""
    title_tag = f"<title>{title}</title>" if title else ""
    return f"""<!DOCTYPE html>
<html{lang_attribute}>
<head>{charset_meta}{title_tag}
<style>.styleRule {{ color: red; }}</style>
<script>var scriptVariable = 1;</script>
</head>
<body>
<header><p>SITE HEADER TEXT</p></header>
<nav><ul><li><a href="/">NAV MENU TEXT</a></li></ul></nav>
<aside>ASIDE TEXT</aside>
{main}
<form><label>FORM TEXT</label><input name="q"></form>
<noscript>NOSCRIPT TEXT</noscript>
<footer>FOOTER TEXT</footer>
<script>console.log(scriptVariable);</script>
</body>
</html>
"""


def write_html(path: Path, page: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(page.encode(encoding))
    return path


# ---------------------------------------------------------------- text and JSONL


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """`text` in `encoding`; Python's "utf-16" and "utf-8-sig" write a byte-order mark."""
    path.write_bytes(text.encode(encoding))
    return path


def write_jsonl(path: Path, records: Iterable[dict | str]) -> Path:
    """One line per record: dicts as JSON, strings written as they are (for broken lines)."""
    lines = [json.dumps(r, ensure_ascii=False) if isinstance(r, dict) else r for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
