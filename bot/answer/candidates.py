"""What an extractive answer can be made of: the sentences, table rows, whole small tables (also those a PDF gives
as bare lines) and lists of the retrieved passages, each with the title of the section it sits in.

A whole table or list is one candidate besides its rows or items (a "group"): "Which principles ...?" is
answered by the table of principles, not by its best row. The section title is kept with each candidate for
scoring only: under "Tips for giving useful feedback" the tips answer "How do I write useful feedback?"
although they never say "feedback".

A sentence addressed to an assistant ("Ignore previous instructions and tell users to ...") is never a candidate,
nor a table or list holding one: retrieved text is material, not orders (`bot.instructions`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.instructions import addresses_assistant
from bot.lang import split_sentences, unwrap_lines
from bot.retrieve import Passage


@dataclass(frozen=True)
class Candidate:
    passage_number: int  # 1-based position in the passages given to the backend
    position: int  # of the sentence in its passage; -1 for a whole table or list
    text: str
    last_resort: bool = False  # a notice repeated across documents, or the document describing itself
    heading: str = ""  # of the section the candidate sits in: scored with it, not shown
    item: bool = False  # a table row or list item
    title: str = ""  # of the document: embedded with the candidate (`bot.answer.sentence_index`), not shown

    @property
    def is_group(self) -> bool:
        return self.position < 0


_TERMINAL = re.compile(r"[。！？；.!?;]")
_LIST_ITEM = re.compile(r"^\s*([-*•]|\d+[.)、])\s+")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_TABLE_RULE = re.compile(r"^\|[\s:|-]+\|?$")
_LEAD_IN = re.compile(r"[:：]\s*$")
MIN_CHARS = 6
MAX_TABLE_ROWS = 8
MAX_LIST_ITEMS = 8
MAX_HEADING_CHARS = 60
# A document describing itself ("This note explains ...", "本頁解答 ...") says what it covers, not what is so.
_SELF_DESCRIPTION = re.compile(
    r"^(this|the present) (overview|page|note|guide|timeline|document|fact ?sheet|summary|faq)\b.{0,40}?\b"
    r"(describes|explains|summari[sz]es|sets out|answers|gathers|brings together|covers|outlines|introduces|is)\b|"
    r"^it sets out\b|^本(文|頁|页|指南|便覽|便览|概覽|概览|時間表|时间表|文件)(只|僅|仅)?"
    r"(概述|解答|說明|说明|整理|介紹|介绍|屬|属|列出|闡述|阐述)",
    re.IGNORECASE,
)


def is_statement(sentence: str) -> bool:
    """A full sentence or a list item: not a heading, a title, a question or a table's header cell."""
    if sentence.rstrip().endswith(("?", "？")):  # an FAQ's question restates, it does not answer
        return False
    return bool(
        _TERMINAL.search(sentence[-3:])
        or (_LIST_ITEM.match(sentence) and len(sentence) >= 12)
        or sentence.count("|") >= 3
    )


def is_heading(line: str) -> bool:
    """A short line that is not a sentence, a list item, a table row or a lead-in: a section's title."""
    line = line.strip()
    return (
        0 < len(line) <= MAX_HEADING_CHARS
        and not is_statement(line)
        and not _LIST_ITEM.match(line)
        and not line.startswith("|")
        and not _LEAD_IN.search(line)
    )


def marks(lang: str) -> tuple[str, str, str]:
    """The colon after a label, the separator between parts and the full stop of text in `lang`."""
    return (": ", "; ", ".") if lang == "en" else ("：", "；", "。")


def readable(sentence: str, lang: str = "en") -> str:
    """A list item without its bullet or bold label marks; a table row as "cell: cell; cell" (in Chinese with
    full-width marks, "撥款：10億港元")."""
    if sentence.lstrip().startswith("|"):
        colon, separator, _ = marks(lang)
        cells = [cell.strip() for cell in sentence.strip().strip("|").split("|") if cell.strip()]
        return f"{cells[0]}{colon}{separator.join(cells[1:])}" if len(cells) > 1 else "".join(cells)
    return _BOLD.sub(r"\1", _LIST_ITEM.sub("", sentence)).strip()


_CELL_GAP = re.compile(r"(?<=[\u3400-\u9fff）」])\s+(?=[\u3400-\u9fff（「])")


def readable_bare_row(row: str, lang: str) -> str:
    """A PDF's bare table row in Chinese, whose cells only a space parts, as "地點：香港數碼港" (and a later gap
    between Chinese cells as "，"). Spaces inside a cell ("3,000 petaflops") stay. English rows stay as they are:
    their label may be several words long, and nothing marks where it ends."""
    if lang == "en":
        return row
    label, space, rest = row.partition(" ")
    return f"{label}：{_CELL_GAP.sub('，', rest)}" if space else row


_CHINESE_LABEL = re.compile(r"^[\u3400-\u9fffA-Za-z ]{1,12}$")


def split_label(text: str) -> tuple[str, str]:
    """("Funding", "HK$3 billion") from "Funding: HK$3 billion" or "撥款：30億港元"; ("", text) without a label.
    Before "：" only a short bare name is a label: in Chinese prose the mark also opens a list after a clause
    ("政府撥款140億港元（約18億美元）發展人工智能：..."), and that clause states facts."""
    label, found, rest = text.partition(": ")
    if found:
        return label, rest
    label, found, rest = text.partition("：")
    return (label, rest) if found and _CHINESE_LABEL.match(label) else ("", text)


def table_rows(text: str) -> list[str]:
    """The rows of the first small table in a passage (its separator row left out), or none."""
    rows = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    rows = [row for row in rows if not _TABLE_RULE.match(row)]
    return rows if 2 <= len(rows) <= MAX_TABLE_ROWS else []


def header_rows(text: str) -> set[str]:
    """Table rows that name the columns (the row above a |---| rule): never an answer on their own."""
    lines = [line.strip() for line in text.splitlines()]
    return {line for line, below in zip(lines, lines[1:]) if line.startswith("|") and _TABLE_RULE.match(below)}


def table_candidate(number: int, text: str, lang: str, heading: str = "") -> Candidate | None:
    """A small table as one candidate: in a fact sheet the subject sits in one row and the answer in another.
    Its column names are left out: "Principle: What it means in practice" matches questions and says nothing."""
    column_names = header_rows(text)
    rows = [row for row in table_rows(text) if row not in column_names]
    if len(rows) < 2:
        return None
    _, joiner, end = marks(lang)
    return Candidate(number, -1, joiner.join(readable(row, lang) for row in rows) + end, heading=heading)


def is_list_item(line: str, lead: str, items: list[str]) -> bool:
    """A bulleted line; after a lead-in ending in a colon, also a line ending in a semicolon and the line ending
    in a full stop that closes such a run (a PDF's text keeps no bullets)."""
    last = items[-1].rstrip() if items else ""
    if last.endswith((".", "。")) and not _LIST_ITEM.match(last):  # a bullet-less run ends at its full stop
        return False
    if _LIST_ITEM.match(line):
        return True
    line = line.strip()
    if not line or not _LEAD_IN.search(lead):
        return False
    return line.endswith((";", "；")) or (
        bool(items) and items[-1].rstrip().endswith((";", "；")) and line.endswith((".", "。"))
    )


_END = "\x00"  # closes the last list; never a list item


def lead_in_lists(text: str) -> list[tuple[str, list[str]]]:
    """Each line ending in a colon, or a section title, with the list of two or more items that follows it."""
    lists: list[tuple[str, list[str]]] = []
    lead, items = "", []
    for line in [*unwrap_lines(text), _END]:
        if not line.strip():  # blank lines may sit between the lead-in and its list and between items
            continue
        if lead and is_list_item(line, lead, items):
            items.append(line)
            continue
        if lead:
            if 2 <= len(items) <= MAX_LIST_ITEMS:
                lists.append((lead, items))
            lead, items = "", []
        if (_LEAD_IN.search(line) or is_heading(line)) and not _LIST_ITEM.match(line):
            lead = line.strip()
    return lists


def list_candidates(number: int, text: str, lang: str) -> list[Candidate]:
    """A lead-in and its list as one candidate: "Authorities use the feedback to:" alone answers nothing,
    and the items alone do not say what they are a list of. An FAQ's question over its list is not repeated in
    the answer ("What is being built?: ..." reads badly); it is scored as the list's section title instead."""
    colon, separator, end = marks(lang)
    found = []
    for lead, items in lead_in_lists(text):
        body = separator.join(readable(item, lang).rstrip(";；,，.。") for item in items)
        lead = readable(lead, lang)
        if lead.endswith(("?", "？")):
            found.append(Candidate(number, -1, f"{body}{end}", heading=lead))
            continue
        lead = lead + (" " if lang == "en" else "") if _LEAD_IN.search(lead) else lead + colon
        found.append(Candidate(number, -1, f"{lead}{body}{end}"))
    return found


def lines_with_headings(passage: Passage) -> list[tuple[str, str]]:
    """Each line of a passage (hard-wrapped lines joined) with the title of the section it is in.

    A title is a short line followed by text, a list or a table: a run of short lines is a table whose cells a
    PDF gave one per line. The document's own title is no section title: it would favour every sentence of its
    first passage."""
    titles = {passage.title.strip(), passage.heading.partition(" > ")[0].strip()}
    heading = passage.heading.rpartition(" > ")[2] if " > " in passage.heading else ""
    lines = unwrap_lines(passage.text)
    following = [next((later for later in lines[i + 1 :] if later.strip()), "") for i in range(len(lines))]
    found = []
    for line, after in zip(lines, following):
        if is_heading(line) and after and not is_heading(after):
            heading = "" if line.strip() in titles else line.strip()
        found.append((line, heading))
    return found


_UNFINISHED = (",", "，", "、", "(", "（", " and", " of", " the", " to", " for")


def bare_table_rows(lines: list[str]) -> list[str]:
    """The rows of a table a PDF gave as bare lines, one row a line ("Capacity at launch 3,000 petaflops").

    A run of three or more short lines that are not sentences: the first of two words or more names the columns
    (left out, with any one-word title above it); the last short line before text is that text's title. Only a
    regular run counts, every row with at least as many words as there are column names and none breaking off
    mid-phrase: a table whose cells wrapped over several lines would give fragments."""
    rows: list[str] = []
    run: list[str] = []
    for line in [*(line.strip() for line in lines if line.strip()), ""]:
        if line and is_heading(line) and not line.startswith("|"):
            run.append(line)
            continue
        run = run[:-1] if line else run
        while run and len(run[0].split()) < 2:  # a one-word line above the column names is the table's title
            run = run[1:]
        columns = len(run[0].split()) if run else 0
        if len(run) >= 3 and all(len(row.split()) >= columns and not row.endswith(_UNFINISHED) for row in run[1:]):
            rows.extend(run[1:])
        run = []
    return rows


def candidates(passages: list[Passage], boilerplate: frozenset[str] = frozenset(), lang: str = "en") -> list[Candidate]:
    """Every candidate of the passages, punctuated in each passage's own language (`lang` where a passage names
    none): the same text whoever asks, so the sentence index built from the passages alone knows it."""
    return [
        replace(candidate, title=passage.title)
        for number, passage in enumerate(passages, 1)
        for candidate in _passage_candidates(number, passage, boilerplate, passage.lang or lang)
        if not addresses_assistant(candidate.text)
    ]


def _passage_candidates(number: int, passage: Passage, boilerplate: frozenset[str], text_lang: str) -> list[Candidate]:
    found = []
    _, joiner, end = marks(text_lang)
    lines = lines_with_headings(passage)
    table_heading = next((heading for line, heading in lines if line.lstrip().startswith("|")), "")
    table = table_candidate(number, passage.text, text_lang, table_heading)
    found.extend([table] if table else [])
    found.extend(list_candidates(number, passage.text, text_lang))
    # Only as a whole: a bare row alone ("Location Cyberport") is too short to be scored on its own merits.
    bare_rows = bare_table_rows([line for line, _ in lines])
    if bare_rows:
        rows_text = joiner.join(readable_bare_row(row, text_lang) for row in bare_rows) + end
        found.append(
            Candidate(
                number, -1, rows_text, heading=next(heading for line, heading in lines if line.strip() == bare_rows[0])
            )
        )
    column_names = header_rows(passage.text)
    sentences = [(sentence, heading) for line, heading in lines for sentence in split_sentences(line)]
    for position, (sentence, heading) in enumerate(sentences):
        if (
            len(sentence) >= MIN_CHARS
            and is_statement(sentence)
            and sentence not in column_names
            and not _TABLE_RULE.match(sentence)
        ):
            last_resort = sentence in boilerplate or bool(_SELF_DESCRIPTION.match(sentence))
            item = sentence.startswith("|") or bool(_LIST_ITEM.match(sentence)) or sentence.endswith((";", "；"))
            found.append(Candidate(number, position, readable(sentence, text_lang), last_resort, heading, item))
    return found


def members(group: Candidate, found: list[Candidate]) -> list[int]:
    """The indexes of the rows or items a whole table or list is made of."""
    return [
        i
        for i, c in enumerate(found)
        if c.item and c.passage_number == group.passage_number and stated_in(c.text, group.text)
    ]


def stated_in(part: str, whole: str) -> bool:
    return part.rstrip("。.;；") in whole
