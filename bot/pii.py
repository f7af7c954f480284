"""Personal data in what people type: phone numbers, Hong Kong Identity Card (HKID) numbers and email addresses.

Text is read folded to NFKC, so the full-width forms that Chinese input methods type (Ａ１２３４５６（３）,
９１２３ ４５６７, ｘ＠ｙ．ｃｏｍ) are found like their ASCII forms; each find is mapped back to the characters as
typed, so `redact` changes nothing else. Phone numbers are found by libphonenumber (`phonenumbers`): Hong Kong
numbers however they are spaced or punctuated (9123 4567, 9123-4567, 9123.4567, +852 ...) and other countries'
numbers written with their + code: a number in a range in use, or any number written as Hong Kong's eight digits
(a mistyped or newly issued number is still someone's), but never a date or a range of years ("2025-2030",
"2025-12-07", "20251207"), which the same eight digits can spell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

import phonenumbers

PHONE_REGION = "HK"  # how numbers written without a + country code are read
HK_COUNTRY_CODE, HK_DIGITS = 852, 8
YEARS = range(1900, 2100)  # the years a date or a range of years in a question may name
LABELS = ("HKID", "EMAIL", "PHONE")

# One or two letters, six digits, the check character (0-9 or A). Written in brackets, as on the card, it is an
# HKID even when the check character is wrong (a mistyped number is still someone's); bare, the check decides.
_HKID = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}) ?(\d{6}) ?(?:\( ?([0-9A]) ?\)|([0-9A]))(?![A-Z0-9])", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


class Find(NamedTuple):
    start: int
    end: int
    label: str


def hkid_check_character(letters: str, digits: str) -> str:
    """The check character of an HKID: weights 9..2 over the characters, a single letter counting a space (36)
    before it; A=10 ... Z=35. It makes the weighted sum a multiple of 11, 10 written as "A"."""
    values = [36] * (2 - len(letters)) + [ord(letter) - ord("A") + 10 for letter in letters.upper()]
    values += [int(digit) for digit in digits]
    remainder = sum(weight * value for weight, value in zip(range(9, 1, -1), values)) % 11
    check = (11 - remainder) % 11
    return "A" if check == 10 else str(check)


def personal_data(text: str) -> list[Find]:
    """Where personal data sits in `text` (offsets into `text` as given), in order and never overlapping."""
    folded, origin = _folded(text)
    found = sorted(_finds(folded), key=lambda find: (find.start, -find.end))
    kept: list[Find] = []
    for find in found:
        if not kept or find.start >= kept[-1].end:
            kept.append(find)
    # a find's last folded character may come from a character that folds to several ("㈠" -> "(一)")
    return [Find(origin[find.start], origin[find.end - 1] + 1, find.label) for find in kept]


def redact(text: str) -> str:
    """`text` with each piece of personal data replaced by [HKID], [EMAIL] or [PHONE]; everything else as it was."""
    for find in reversed(personal_data(text)):
        text = f"{text[: find.start]}[{find.label}]{text[find.end :]}"
    return text


def find_personal_data(text: str) -> list[str]:
    """The personal data in `text`, as typed."""
    return [text[find.start : find.end] for find in personal_data(text)]


def _folded(text: str) -> tuple[str, list[int]]:
    """`text` folded to NFKC character by character, and for each folded character the index it came from."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char)
        pieces.append(folded)
        origin.extend([index] * len(folded))
    return "".join(pieces), origin


def _finds(folded: str) -> Iterator[Find]:
    found = [*_hkids(folded), *_emails(folded)]
    yield from found
    # blanked first, so that an HKID's "(7)" does not run into a number after it and hide it from the matcher
    for find in found:
        folded = folded[: find.start] + " " * (find.end - find.start) + folded[find.end :]
    for match in phonenumbers.PhoneNumberMatcher(folded, PHONE_REGION, leniency=phonenumbers.Leniency.POSSIBLE):
        if _is_phone_number(match.number) and not _is_date_or_years(match.raw_string):
            yield Find(match.start, match.end, "PHONE")


def _is_phone_number(number: phonenumbers.PhoneNumber) -> bool:
    local = number.country_code == HK_COUNTRY_CODE and len(str(number.national_number)) == HK_DIGITS
    return local or phonenumbers.is_valid_number(number)


def _is_date_or_years(written: str) -> bool:
    """True for digits that spell two years ("2025-2030", "2024/2025") or a date ("2025-12-07", "20251207")."""
    groups = re.findall(r"\d+", written)
    if [len(group) for group in groups] == [8]:
        groups = [groups[0][:4], groups[0][4:6], groups[0][6:]]
    if [len(group) for group in groups] == [4, 4]:
        return all(int(group) in YEARS for group in groups)
    ordered = groups if len(groups[0]) == 4 else groups[::-1]  # year first, or last as in 07/12/2025
    return [len(group) for group in ordered] == [4, 2, 2] and int(ordered[0]) in YEARS and _is_calendar_date(ordered)


def _is_calendar_date(parts: list[str]) -> bool:
    year, first, second = (int(part) for part in parts)
    for month, day in ((first, second), (second, first)):
        try:
            date(year, month, day)
            return True
        except ValueError:
            continue
    return False


def _hkids(folded: str) -> Iterator[Find]:
    for match in _HKID.finditer(folded):
        letters, digits, bracketed, bare = match.groups()
        if bracketed or bare.upper() == hkid_check_character(letters, digits):
            yield Find(match.start(), match.end(), "HKID")


def _emails(folded: str) -> Iterator[Find]:
    return (Find(match.start(), match.end(), "EMAIL") for match in _EMAIL.finditer(folded))
