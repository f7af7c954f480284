"""Links and markup that come from documents, made safe to show: documents are data, not page code.

A document's address (manifest or JSONL `url`) becomes a link only when it is http(s) or relative: never
`javascript:`, `data:` or any other scheme a browser would run or render. Document text shown in the staff
console keeps a few inline formatting tags and nothing else (no images, scripts, frames, styles or attributes,
so no event handlers), by the Ammonia sanitiser (`nh3`).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3

LINK_SCHEMES = frozenset({"http", "https"})
# inline formatting a passage may carry; no tag can hold an address or a handler, since no attribute is kept
SHOWN_TAGS = frozenset({"b", "strong", "i", "em", "u", "s", "sub", "sup", "code", "br", "mark", "small"})
# what browsers drop from an address before reading its scheme ("java\tscript:" is "javascript:")
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")
_MARKDOWN_IMAGE = re.compile(r"!(?=\[)")


def link_problem(url: str) -> str:
    """Why `url` cannot be a link (its scheme, or characters a browser would drop), or "" when it can."""
    cleaned = url.strip()
    if _IGNORED_IN_URLS.search(cleaned):
        return "it holds spaces or control characters"
    try:
        parts = urlsplit(cleaned)
    except ValueError as error:
        return f"it is not an address ({error})"
    if parts.scheme and parts.scheme.lower() not in LINK_SCHEMES:
        return f"its scheme '{parts.scheme}:' is not http or https"
    if parts.scheme and not parts.netloc:
        return "it names no host"
    return ""


def safe_url(url: str) -> str:
    """`url` (trimmed) when it is an http(s) or relative address, else "" (no link)."""
    return url.strip() if url.strip() and not link_problem(url) else ""


def clean_html(text: str) -> str:
    """Document text for a Markdown view: tags other than simple formatting removed (script and style with what
    they hold), attributes dropped, and Markdown's image syntax disarmed, so nothing loads from elsewhere."""
    cleaned = nh3.clean(text, tags=set(SHOWN_TAGS), attributes={}, strip_comments=True)
    return _MARKDOWN_IMAGE.sub(r"\\!", cleaned)
