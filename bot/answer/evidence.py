"""Does an answer hold the kind of thing the question asks for?

Passages about the right topic can still lack the detail asked for: "When does the application period
close?" retrieves the scheme's fact sheet, which has no date. A question that asks when, how much, at what rate,
or about a given year needs an answer holding a date, an amount, a rate or that year; otherwise the honest
reply is a refusal.
"""

from __future__ import annotations

import re

_ASKS: dict[str, re.Pattern[str]] = {
    "date": re.compile(r"\bwhen\b|\bwhat year\b|\bwhich year\b|\bdeadline\b|幾時|几时|什麼時候|什么时候|甚麼時候|"
                       r"何時|何时|哪一?年|邊年|边年|截止", re.IGNORECASE),
    "amount": re.compile(r"\bhow much (money|funding|does it cost|will it cost|is the fee)|\bcost\b|\bfees?\b|"
                         r"\bprice\b|\bcharges?\b|\bsalary\b|幾多錢|几多钱|多少錢|多少钱|收費|收费|費用|费用|人工有幾多|"
                         r"年薪|薪金", re.IGNORECASE),
    "rate": re.compile(r"\brate\b|\bpercent(age)?\b|%|比率|比例|百分", re.IGNORECASE),
}
_HOLDS: dict[str, re.Pattern[str]] = {
    "date": re.compile(r"\b(19|20)\d{2}\b|(19|20)\d{2}|\b(january|february|march|april|may|june|july|august|"
                       r"september|october|november|december)\b|\bmid-|年[初中底]|[一二三四五六七八九十\d]+月",
                       re.IGNORECASE),
    "amount": re.compile(r"HK\$|US\$|\$\s?\d|港元|港幣|港币|美元|\d\s?(billion|million)|[億亿萬万]元?", re.IGNORECASE),
    "rate": re.compile(r"\d\s?%|percent|百分之|\d+\s?成", re.IGNORECASE),
}
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")


def missing_detail(question: str, answer: str) -> str:
    """What the question asks for that the answer does not hold ("date", "amount", "rate", "the year 2028"), or ""."""
    for year in sorted({match.group() for match in _YEAR.finditer(question)}):
        if year not in answer:
            return f"the year {year}"
    for kind, asks in _ASKS.items():
        if asks.search(question) and not _HOLDS[kind].search(answer):
            return kind
    return ""
