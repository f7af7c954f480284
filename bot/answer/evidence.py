"""Does an answer hold the kind of thing the question asks for?

Passages about the right topic can still lack the detail asked for: "When does the application period
close?" retrieves the scheme's fact sheet, which has no date. A question that asks when, how much, at what rate,
how many, for a web address, which body does something, who holds a post, or about a given year needs an answer
holding a date, an amount, a rate, a number, an address, a body's name, a person's name (with Mr, Dr, 先生,
教授 ...) or that year; otherwise the honest reply is a refusal.

So is a question whose words occur in the retrieved passages only in sentences where the documents say they do
not give it ("Public reporting does not give eligibility rules", "公開報道未有提及"), and an answer made only of
such sentences: the documents are then clear that they cannot answer.
"""

from __future__ import annotations

import re

from bot.lang import fold, split_sentences
from bot.retrieve import content_tokens

_POST_EN = r"(director|head|chief|chair(man|woman|person)?|secretary|minister|commissioner|president|leader|ceo)"
_POST_ZH = r"(院長|院长|局長|局长|首長|首长|主席|署長|署长|處長|处长|司長|司长|總裁|总裁|總監|总监|負責人|负责人|主管)"
_WHO_ZH = r"(邊個|边个|邊位|边位|誰|谁|叫咩名|叫什麼|叫什么|姓名|名字)"
_ASKS: dict[str, re.Pattern[str]] = {
    "date": re.compile(r"^\W*when\b|\bwhen (will|is|are|was|were|do|does|did|can|could|should|would|has|have|must)\b|"
                       r"\bby when\b|\bwhat year\b|\bwhich year\b|\bdeadline\b|幾時|几时|什麼時候|什么时候|甚麼時候|"
                       r"何時|何时|哪一?年|邊年|边年|截止", re.IGNORECASE),
    "amount": re.compile(r"\bhow much (money|funding|does it cost|will it cost|is the fee)|\bcost\b|\bfees?\b|"
                         r"\bprice\b|\bcharges?\b|\bsalary\b|\bfined?\b|\bpenalt(y|ies)\b|\bseverance\b|"
                         r"\bcompensation\b|幾多錢|几多钱|多少錢|多少钱|收費|收费|費用|费用|人工有幾多|年薪|薪金|罰款|罚款|"
                         r"賠償|赔偿|遣散", re.IGNORECASE),
    "rate": re.compile(r"\brate\b|\bpercent(age)?\b|%|比率|比例|百分", re.IGNORECASE),
    "count": re.compile(r"\bhow many\b|(?<![邊边哪])(多少|幾多|几多|幾|几)(個|个|名|人|間|间|項|项|位|家|所|倍|次|部門|部门|員工|员工)",
                        re.IGNORECASE),
    "web address": re.compile(r"\b(website|web address|url|link)\b|網址|网址|網站|网站|連結|链接", re.IGNORECASE),
    # which body does something: an answer naming none ("Over 60 organisations were checked") does not say
    "organisation": re.compile(
        r"\bwhich (\w+ )?(organi[sz]ations?|compan(y|ies)|firms?|departments?|bod(y|ies)|agenc(y|ies)|offices?|"
        r"bureaux?)\b|"
        r"\bwho (will )?(build|run|operate|conduct|carr(y|ies) out|is responsible)\b|"
        r"(邊個|边个|哪個|哪个|哪間|哪间|邊間|边间|哪些|邊啲|边啲|乜嘢|(?<![為为])什麼|(?<![為为])什么)"
        r"(機構|机构|部門|部门|公司|團體|团体|組織|组织)|"
        r"(由|係|是)?(邊個|边个|誰|谁)(負責|负责|興建|兴建|營運|营运)", re.IGNORECASE),
    # who holds a post: a person's name, which an office or a department does not answer
    "person": re.compile(rf"\bwho\b[^?]*\b{_POST_EN}\b|\b{_POST_EN}\b[^?]*\bwho\b|\bwho (heads|leads|chairs|runs)\b|"
                         rf"{_POST_ZH}[^？?]*{_WHO_ZH}|{_WHO_ZH}[^？?]*{_POST_ZH}", re.IGNORECASE),
}
_HOLDS: dict[str, re.Pattern[str]] = {
    "date": re.compile(r"\b(19|20)\d{2}\b|(19|20)\d{2}|\b(january|february|march|april|may|june|july|august|"
                       r"september|october|november|december)\b|\bmid-|年[初中底]|[一二三四五六七八九十\d]+月",
                       re.IGNORECASE),
    # 億 alone is no amount: "千萬億次" (a quadrillion operations) is a speed
    "amount": re.compile(r"HK\$|US\$|\$\s?\d|港元|港幣|港币|美元|\d\s?(billion|million)|\d\s?[億亿萬万]",
                         re.IGNORECASE),
    "rate": re.compile(r"\d\s?%|percent|百分之|\d+\s?成", re.IGNORECASE),
    "count": re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                        r"forty|fifty|hundred|thousand|million|billion|dozen)\b|[一二兩两三四五六七八九十百千萬万億亿]+\s?"
                        r"(個|个|名|人|間|间|項|项|位|家|所|倍|次|年|成|大|方面|途徑|途径)", re.IGNORECASE),
    "web address": re.compile(r"https?://|\bwww\.|\.(gov|org|com|net)\b|\.hk\b", re.IGNORECASE),
    "organisation": re.compile(
        r"\b[A-Z][a-z]+ (Office|Department|Bureau|Authority|Council|Commission|Committee|Institute|University|"
        r"Centre|Center|Corporation|Company|Limited)\b|\b(Cyberport|Ltd|Inc|universities)\b|"
        r"辦公室|办公室|委員會|委员会|公署|專員|专员|政策局|管理局|事務局|事务局|公司|大學|大学|數碼港|数码港|研發院|"
        r"研发院|學院|学院"),
    "person": re.compile(r"\b(Mr|Ms|Mrs|Miss|Dr|Prof|Professor|Sir|Dame)\b\.?\s+[A-Z]|先生|女士|小姐|博士|教授|太平紳士|太平绅士"),
}
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
_MARKER = re.compile(r"\[(\d+)\]")


def missing_detail(question: str, answer: str) -> str:
    """What the question asks for that the answer does not hold ("date", "amount", "rate", "count",
    "web address", "organisation", "person", "the year 2028"), or ""."""
    answer = _MARKER.sub("", answer)  # a citation's number is no figure
    for year in sorted({match.group() for match in _YEAR.finditer(question)}):
        if year not in answer:
            return f"the year {year}"
    for kind, asks in _ASKS.items():
        if asks.search(question) and not _HOLDS[kind].search(answer):
            return kind
    return ""


# Matched against folded text (Simplified, NFKC, lower case), so 說明, 説明 (the Hong Kong form) and 说明 all match.
_GAP = re.compile(
    r"\b(does|do|did) not (give|say|state|specify|set out|list|mention|include|name|provide|report)\b|"
    r"\bnot (stated|specified|given|published|reported|announced|mentioned|disclosed|set out)\b|"
    r"\bno (dates?|figures?|details?|amounts?) (have|has) been (reported|published|announced|given)\b|"
    r"[未没]有(提及|列明|说明|公布|披露|交代)|并未(提及|列明|说明|公布|披露)|不作(列出|说明)")


def declares_gap(sentence: str) -> bool:
    """Whether a sentence says the documents do not give something."""
    return bool(_GAP.search(fold(sentence)))


def only_gaps(answer: str) -> bool:
    """Whether every sentence of an answer says the documents do not give something: that is no answer."""
    sentences = split_sentences(_MARKER.sub("", answer))
    return bool(sentences) and all(declares_gap(s) for s in sentences)


def words_only_in_gaps(question: str, sentences: list[str]) -> set[str]:
    """The question's words that these sentences use only where they say a detail is not given."""
    gaps = [s for s in sentences if declares_gap(s)]
    if not gaps:
        return set()
    stated = {word for s in sentences if s not in gaps for word in content_tokens(s)}
    in_gaps = {word for s in gaps for word in content_tokens(s)}
    return (set(content_tokens(question)) & in_gaps) - stated


def passages_not_giving(question: str, passages: list[str]) -> list[int]:
    """The 1-based numbers of the passages that say they do not give what the question asks about, when the
    retrieved passages mention some word of the question only there ("the rate of the electricity subsidy":
    "rate" occurs only in "The reporting does not state their rates or amounts"); else none."""
    by_passage = [split_sentences(text) for text in passages]
    missing = words_only_in_gaps(question, [s for sentences in by_passage for s in sentences])
    return [n for n, sentences in enumerate(by_passage, 1)
            if any(declares_gap(s) and missing & set(content_tokens(s)) for s in sentences)]


def gap_markers(answer: str) -> list[int]:
    """The [n] markers of the sentences that say a detail is not given, in order of first use."""
    found = [int(n) for sentence in split_sentences(answer) if declares_gap(sentence)
             for n in _MARKER.findall(sentence)]
    return list(dict.fromkeys(found))
