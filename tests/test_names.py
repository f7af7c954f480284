"""Names a question asks about that the documents never mention (bot.answer.names)."""

from __future__ import annotations

import pytest

from bot.answer.names import corpus_vocabulary, unknown_names

DOCUMENTS = [
    "The AI Supercomputing Centre at Cyberport opened with 3,000 petaflops.",
    "Over 60 organisations have undergone privacy compliance checks under the Personal Data (Privacy) Ordinance.",
    "The Hong Kong AI Research and Development Institute (R&D) is overseen by the Digital Policy Office.",
    "數碼港人工智能超算中心。TechTAS 吸引海外人才。數字政策辦公室負責監督。個人資料私隱專員公署發出指引。",
]
VOCABULARY = corpus_vocabulary(DOCUMENTS)


@pytest.mark.parametrize(
    "question, names",
    [
        ("Was the Hospital Authority one of the organisations that were checked?", ["Hospital Authority"]),
        ("What are the opening hours, and is it open on Sundays?", ["Sundays"]),
        ("How does the centre compare with Singapore's national supercomputer?", ["Singapore's"]),
        ("Can I use the Elderly Health Care Voucher for the centre?", ["Elderly Health Care Voucher"]),
    ],
)
def test_a_name_no_document_contains_is_reported(question: str, names: list[str]) -> None:
    assert unknown_names(question, VOCABULARY, "en") == names


@pytest.mark.parametrize(
    "question",
    [
        # each word of the name is in the documents, in another order
        "What capacity did the Cyberport AI Supercomputing Centre open with?",
        "Who oversees the AI R&D Institute?",
        "TechTAS係咩嚟㗎？",
        # only the sentences that ask are read: the asker's own bakery in Sham Shui Po is not what they ask about
        "I run a bakery in Sham Shui Po. How many organisations had privacy checks?",
        # a sentence's first word, and personal data already redacted, are no names
        "Privacy checks: how many organisations had them?",
        "My HKID is [HKID]. How many organisations had privacy checks?",
        "I'm worried. Which office oversees the institute?",
        "--- User question: which office oversees the institute?",
        # a name in the other number than the documents use it ("organisations", "Institute")
        "Was the Organisation checked?",
        "Which Institutes are overseen?",
    ],
)
def test_names_the_documents_contain_or_that_are_not_asked_about_are_not_reported(question: str) -> None:
    assert unknown_names(question, VOCABULARY, "en") == []


def test_the_vocabulary_is_folded_so_case_and_width_do_not_matter() -> None:
    assert unknown_names("Is ＣＹＢＥＲＰＯＲＴ open? And is CYBERPORT big?", VOCABULARY, "en") == []


@pytest.mark.parametrize(
    "question, lang, names",
    [
        ("入境處會唔會係第一批用人工智能嘅部門？", "zh-Hant", ["入境處"]),
        ("劳工处有没有免费求职配对服务？", "zh-Hans", ["劳工处"]),
        ("啲AI工具，綜援戶係咪一定有份攞？", "zh-Hant", ["綜援戶"]),
        # known bodies, and words that only end like one: 處理 (to handle), 好處 (a benefit), 部署 (to deploy)
        ("係咪私隱專員公署負責？", "zh-Hant", []),
        ("用人工智能處理個人資料要遵守咩法例？", "zh-Hant", []),
        ("用人工智能有咩好處？會點部署？", "zh-Hant", []),
        ("用戶可以喺邊度開戶口？", "zh-Hant", []),
        # English words in a Chinese question are not read: NGO is 非政府機構 in the Chinese documents
        ("我哋NGO有冇份？", "zh-Hant", []),
    ],
)
def test_chinese_questions_are_checked_for_the_names_of_bodies(question: str, lang: str, names: list[str]) -> None:
    assert unknown_names(question, VOCABULARY, lang) == names
