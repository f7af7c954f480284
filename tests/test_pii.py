"""Personal data in what users type, found in full-width, dotted and spaced forms; dates and years left alone."""

from __future__ import annotations

import phonenumbers
import pytest

from bot.pii import find_personal_data, hkid_check_character, redact


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("我嘅身份證係Ａ１２３４５６（７），", "我嘅身份證係[HKID]，"),  # full width, as Chinese input methods type it
        ("電話：９１２３ ４５６７。", "電話：[PHONE]。"),
        ("電話：９１２３　４５６７。", "電話：[PHONE]。"),  # an ideographic space
        ("call 9123.4567 or 6123-4567", "call [PHONE] or [PHONE]"),
        ("+852 9123 4567 / (852) 6123 4567", "[PHONE] / [PHONE]"),
        ("我電話係91234567唔該", "我電話係[PHONE]唔該"),
        ("電郵ｘ＠ｙ．ｃｏｍ或chan.tm@example.com", "電郵[EMAIL]或[EMAIL]"),
        ("HKID A123456(7) then 9123 4567", "HKID [HKID] then [PHONE]"),
    ],
)
def test_personal_data_is_found_in_every_form_it_is_typed(typed: str, kept: str) -> None:
    assert redact(typed) == kept


@pytest.mark.parametrize(
    "text",
    [
        "the 2025-2030 blueprint",
        "2025–2030",
        "2019/2020",
        "from 2025-12-07",
        "20251207",
        "call 1823",
        "HK$10,000,000 over 3,000 petaflops",
        "2025-26 pay freeze",
        "A1234567",  # HKID-shaped, but its check character is wrong: a code, not a card number
        "model AB1234567X",
    ],
)
def test_dates_years_figures_and_codes_are_left_alone(text: str) -> None:
    assert redact(text) == text and find_personal_data(text) == []


def test_the_check_character_decides_for_a_bare_hkid() -> None:
    assert hkid_check_character("A", "123456") == "3"  # A123456(3), the card's printed example
    assert redact("A1234563") == "[HKID]" and redact("A1234564") == "A1234564"
    letters, digits = "XY", "987654"
    check = hkid_check_character(letters, digits)
    wrong = "0" if check != "0" else "1"
    assert redact(f"{letters}{digits}{check}") == "[HKID]" and redact(f"{letters.lower()}{digits}{check}") == "[HKID]"
    assert redact(f"{letters}{digits}{wrong}") == f"{letters}{digits}{wrong}"
    assert redact(f"{letters}{digits}({wrong})") == "[HKID]"  # bracketed as on the card: a mistyped HKID


def test_redaction_keeps_the_rest_of_the_text_as_typed() -> None:
    typed = "請問（全寬）ＡＩ資助？我電話係９１２３ ４５６７，ｘ＠ｙ．ｃｏｍ。"
    assert redact(typed) == "請問（全寬）ＡＩ資助？我電話係[PHONE]，[EMAIL]。"
    assert find_personal_data(typed) == ["９１２３ ４５６７", "ｘ＠ｙ．ｃｏｍ"]


def test_eight_digits_are_a_number_even_outside_the_ranges_in_use_but_not_a_date() -> None:
    assert redact("my mobile is 5555 0101, his is 5555-0102") == "my mobile is [PHONE], his is [PHONE]"
    assert redact("+852 5555 0103") == "[PHONE]"
    assert redact("2024/2025 and 1999-2001 and 07/12/2025") == "2024/2025 and 1999-2001 and 07/12/2025"
    assert redact("ref 123456 and 2025-26") == "ref 123456 and 2025-26"  # too short for a Hong Kong number


def test_numbers_the_phone_library_knows_are_found_however_spaced() -> None:
    example = phonenumbers.example_number_for_type("HK", phonenumbers.PhoneNumberType.MOBILE)
    digits = str(example.national_number)
    for written in (digits, f"{digits[:4]} {digits[4:]}", f"{digits[:4]}.{digits[4:]}", f"+852-{digits}"):
        assert redact(f"call {written} please") == "call [PHONE] please", written
