"""Split section/page documents into chunks that fit the embedder, each an exact slice of its source text.

A piece of text is cut at the strongest kind of boundary that makes every part fit: blank-line blocks,
then line groups (a Markdown table's rows stay together), lines, sentences, clauses, words and finally
characters (never inside a surrogate pair or a combining sequence). Fitting parts are packed greedily, and
each new chunk may start with the last whole sentences (or clauses) of the previous one as overlap, taken
only from text that chunk added. Loaders give one document per heading section, starting with its heading
line; that line is packed with the start of the text under it rather than left as a chunk of its own.

Written directly instead of on LangChain's RecursiveCharacterTextSplitter: that splitter adds up the
lengths of pieces instead of measuring the joined text (subword token counts are not additive), and it
finds `start_index` by searching for the chunk text from an offset that mixes characters with overlap
tokens, which gives -1 or the wrong occurrence for repeated text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import partial
from typing import NamedTuple

from langchain_core.documents import Document

CountTokens = Callable[[str], int]

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_NEWLINE = re.compile(r"\n")
# Chinese full stops end a sentence even before closing quotes/brackets; English ones need a space or the end.
_SENTENCE_END = re.compile(
    r"[。！？；][」』）》〉】”’)\"']*"
    r"|(?<!\b(?:Mr|Ms|Dr))(?<!\b(?:e\.g|i\.e))[.!?][\"'”’)\]]*(?=\s|$)"
)
_CLAUSE_END = re.compile(r"[，、：]|[,;:](?=\s|$)")
_SPACE = re.compile(r"\s+")
_SENTENCE_STARTS = re.compile(f"{_SENTENCE_END.pattern}|\n")
_CLAUSE_STARTS = re.compile(f"{_SENTENCE_END.pattern}|{_CLAUSE_END.pattern}|\n")
_ZERO_WIDTH_JOINER = "\u200d"
# Bump when the splitting logic changes in a way the patterns above do not show.
_RULES_VERSION = 2


class Span(NamedTuple):
    start: int
    end: int


def chunking_signature(max_tokens: int, overlap_tokens: int) -> str:
    """Changes whenever the chunking rules or sizes change, so stored chunks can be recognised as stale."""
    rules = "\n".join(p.pattern for p in (_BLANK_LINE, _SENTENCE_END, _CLAUSE_END, _SPACE))
    digest = hashlib.sha1(f"{_RULES_VERSION}\n{rules}".encode()).hexdigest()[:6]
    return f"v{_RULES_VERSION}.{digest}-{max_tokens}-{overlap_tokens}"


def split_documents(
    docs: Sequence[Document], count_tokens: CountTokens, max_tokens: int, overlap_tokens: int
) -> list[Document]:
    """Chunks of every document, with its metadata plus `start_index` and `chunk_index`."""
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1, got {max_tokens}")
    if not 0 <= overlap_tokens < max_tokens:
        raise ValueError(f"overlap_tokens must be from 0 to max_tokens - 1 ({max_tokens - 1}), got {overlap_tokens}")
    chunks: list[Document] = []
    for doc in docs:
        text = doc.page_content
        packer = _Packer(
            text,
            count_tokens,
            max_tokens,
            overlap_tokens,
            str(doc.metadata.get("source", "")),
            _heading_line(text, str(doc.metadata.get("heading", ""))),
        )
        packer.pack(Span(0, len(text)), level=0)
        for index, span in enumerate(packer.chunks):
            metadata = {**doc.metadata, "start_index": span.start, "chunk_index": index}
            chunks.append(Document(page_content=text[span.start : span.end], metadata=metadata))
    return chunks


def _heading_line(text: str, heading_path: str) -> Span | None:
    """The section's own heading, when the text starts with it on a line of its own (as the loaders write it)."""
    heading = heading_path.rpartition(" > ")[2]
    start = len(text) - len(text.lstrip())
    end = start + len(heading)
    return Span(start, end) if heading and text.startswith(heading, start) and text[end : end + 1] == "\n" else None


def _trim(text: str, span: Span) -> Span | None:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


def _cut_after(pattern: re.Pattern[str], text: str, span: Span) -> list[Span]:
    """The trimmed, non-empty pieces of `span` when it is cut after every match of `pattern`."""
    cuts = [m.end() for m in pattern.finditer(text, span.start, span.end)]
    bounds = zip([span.start, *cuts], [*cuts, span.end])
    return [piece for piece in (_trim(text, Span(*b)) for b in bounds) if piece]


def _whole(text: str, span: Span) -> list[Span]:
    trimmed = _trim(text, span)
    return [trimmed] if trimmed else []


def _line_groups(text: str, span: Span) -> list[Span]:
    """Lines, except that consecutive table rows (lines starting with `|`) form one group."""
    groups: list[Span] = []
    for line in _cut_after(_NEWLINE, text, span):
        if groups and text[line.start] == "|" and text[groups[-1].start] == "|":
            groups[-1] = Span(groups[-1].start, line.end)
        else:
            groups.append(line)
    return groups


def _continues_cluster(previous: str, char: str) -> bool:
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or _ZERO_WIDTH_JOINER in (previous, char)
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin-tone modifiers
        or ("\ud800" <= previous <= "\udbff" and "\udc00" <= char <= "\udfff")
    )


def _characters(text: str, span: Span) -> list[Span]:
    """User-perceived characters: a base character with its combining marks, joiners and modifiers."""
    pieces: list[Span] = []
    start = span.start
    while start < span.end:
        end = start + 1
        while end < span.end and _continues_cluster(text[end - 1], text[end]):
            end += 1
        pieces.append(Span(start, end))
        start = end
    return pieces


_LEVELS: tuple[Callable[[str, Span], list[Span]], ...] = (
    _whole,
    partial(_cut_after, _BLANK_LINE),
    _line_groups,
    partial(_cut_after, _NEWLINE),
    partial(_cut_after, _SENTENCE_END),
    partial(_cut_after, _CLAUSE_END),
    partial(_cut_after, _SPACE),
    _characters,
)


class _Packer:
    def __init__(
        self,
        text: str,
        count_tokens: CountTokens,
        max_tokens: int,
        overlap_tokens: int,
        source: str,
        heading: Span | None,
    ):
        self.text, self.count_tokens, self.source, self.heading = text, count_tokens, source, heading
        self.max_tokens, self.overlap_tokens = max_tokens, overlap_tokens
        self.chunks: list[Span] = []

    def fits(self, start: int, end: int, limit: int | None = None) -> bool:
        return self.count_tokens(self.text[start:end]) <= (self.max_tokens if limit is None else limit)

    def pack(self, span: Span, level: int, carried: list[Span] | None = None) -> None:
        """Adds chunks covering `span` (after the `carried` pieces), cutting pieces that do not fit at the next
        weaker boundary."""
        run = carried or []
        for piece in _LEVELS[level](self.text, span):
            if self.fits(*piece):
                run.append(piece)
                continue
            # The heading goes into the chunk with the start of its text, not into a chunk of its own.
            held = run[-1:] if run[-1:] == [self.heading] else []
            self._pack_run(run[: len(run) - len(held)])
            run = []
            if level + 1 == len(_LEVELS):
                raise ValueError(
                    f"{self.source or 'document'}: the character {self.text[slice(*piece)]!r} at offset "
                    f"{piece.start} alone is more than max_tokens={self.max_tokens} tokens"
                )
            self.pack(piece, level + 1, held)
        self._pack_run(run)

    def _pack_run(self, run: list[Span]) -> None:
        """Packs consecutive pieces that each fit into as few chunks as greedy filling gives."""
        first = 0
        while first < len(run):
            start = self._overlap_start(run[first])
            last = self._last_fitting(start, run, first)
            self.chunks.append(Span(start, run[last].end))
            first = last + 1

    def _last_fitting(self, start: int, run: list[Span], first: int) -> int:
        """The furthest piece the chunk from `start` can reach; galloping keeps each count near chunk size."""
        lo, step = first, 1
        while lo + step < len(run) and self.fits(start, run[lo + step].end):
            lo, step = lo + step, step * 2
        hi = min(lo + step, len(run))
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if self.fits(start, run[mid].end) else (lo, mid)
        return lo

    def _overlap_start(self, first: Span) -> int:
        """Where a chunk beginning with `first` starts: earlier when the previous chunk's last whole
        sentences (failing that, clauses or lines) fit in the overlap and leave `first` room."""
        if not self.chunks or self.overlap_tokens == 0:
            return first.start
        previous = self.chunks[-1]
        # Overlap comes only from what the previous chunk added, so no text lands in three chunks.
        floor = self.chunks[-2].end if len(self.chunks) > 1 else previous.start
        for pattern in (_SENTENCE_STARTS, _CLAUSE_STARTS):
            best = first.start
            for start in reversed([s for s in self._starts_after(pattern, previous) if s >= floor]):
                if not self.fits(start, previous.end, self.overlap_tokens):
                    break
                if self.fits(start, first.end):
                    best = start
            if best != first.start:
                return best
        return first.start

    def _starts_after(self, pattern: re.Pattern[str], span: Span) -> list[int]:
        starts = []
        for match in pattern.finditer(self.text, span.start, span.end):
            rest = _trim(self.text, Span(match.end(), span.end))
            if rest and rest.start > span.start:
                starts.append(rest.start)
        return sorted(set(starts))
