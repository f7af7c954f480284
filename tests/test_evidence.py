"""The general detectors: what kind of thing a text holds, and whether it says the documents do not give it."""

from __future__ import annotations

import pytest

from bot.answer.evidence import (
    declares_gap,
    figures_asked,
    holds,
    holds_figure,
    kinds_held,
    only_gaps,
    parts_not_given,
    passages_not_giving,
)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("They are expected by mid-2026 [1].", "date"),
        ("首批方案預計在2026年年中推出[1]。", "date"),
        ("Applications open on 3 March.", "date"),
        ("HK$3 billion goes to the scheme [1].", "amount"),
        ("計劃獲撥款30億港元[1]。", "amount"),
        ("About 5% of posts [1].", "percentage"),
        ("約佔編制百分之五[1]。", "percentage"),
        ("Over 200 public services [1].", "count"),
        ("三間大學參與[1]。", "count"),
        ("See https://www.example.gov.hk for details [1].", "web address"),
        ("The centre reports to the Digital Policy Office [1].", "name"),
        # a place is found by its form, whatever district it is: no list of places
        ("It will be built in Kwun Tong [1].", "place"),
        ("It will be built at Wong Chuk Hang [1].", "place"),
    ],
)
def test_each_kind_is_found_by_its_form(text: str, kind: str) -> None:
    assert holds(kind, text)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("The scheme helps small firms adopt AI [1].", "amount"),
        ("The scheme helps small firms adopt AI [1].", "date"),
        ("The scheme helps small firms adopt AI [1].", "count"),
        ("it is free of charge [1].", "name"),
        ("千萬億次的運算能力[1]。", "amount"),
        # a sentence saying a detail is not given holds nothing
        ("Public reporting does not give a date for 2027 [1].", "date"),
    ],
)
def test_a_text_without_the_kind_does_not_hold_it(text: str, kind: str) -> None:
    assert not holds(kind, text)


def test_the_kinds_a_text_holds_are_listed() -> None:
    assert {"amount", "count"} <= kinds_held("HK$3 billion over three years [1].")
    assert kinds_held("It is free of charge [1].") == set()


def test_a_question_asking_one_figure_keeps_the_sentences_holding_it() -> None:
    figures = figures_asked("When will the first services launch?")
    assert figures and holds_figure("They launch by mid-2026 [1].", figures)
    assert not holds_figure("They will help citizens [1].", figures)
    assert figures_asked("When do they launch, and who oversees them?") == []


@pytest.mark.parametrize(
    "sentence, gap",
    [
        ("Public reporting does not give eligibility rules.", True),
        ("Eligibility, application process: Not stated in public reporting.", True),
        ("No dates have been reported for these items.", True),
        ("公開報道並未說明申請資格。", True),
        ("公開報道並未説明申請資格。", True),  # 説: the Hong Kong form the answer is written in
        ("公开报道并未说明申请资格。", True),
        ("申請資格: 公開報道未有提及。", True),
        ("Public reporting describes the launch as recent but gives no date.", True),
        ("No amounts are reported for these measures.", True),
        ("公開報道沒有列出問卷調查日期，因此本頁不作提供。", True),
        ("HK$3 billion goes to a three-year AI Subsidy Scheme.", False),
        ("The data is not shared without consent.", False),
    ],
)
def test_declares_gap(sentence: str, gap: bool) -> None:
    assert declares_gap(sentence) == gap


@pytest.mark.parametrize(
    "question, passages, refuse",
    [
        (
            "What are the eligibility rules of the AI Subsidy Scheme?",
            ["HK$3 billion goes to the AI Subsidy Scheme.", "Public reporting does not give eligibility rules."],
            True,
        ),
        (
            "What is the AI Subsidy Scheme?",
            ["HK$3 billion goes to the AI Subsidy Scheme.", "Public reporting does not give eligibility rules."],
            False,
        ),
        ("人工智能资助计划要怎样申请？", ["公开报道并未说明申请资格及申请程序。"], True),
        ("人工智能资助计划有多少拨款？", ["计划获拨款30亿港元。公开报道并未说明申请资格。"], False),
        ("How much is the AI Subsidy Scheme?", ["The scheme has HK$3 billion."], False),
        # the passages speak of the timeline elsewhere: saying it has no dates does not make the question unanswerable
        (
            "What is the first item on the AI timeline?",
            [
                "The timeline starts with a pay freeze.",
                "No dates have been reported, so this timeline does not give any.",
            ],
            False,
        ),
    ],
)
def test_what_the_passages_mention_only_to_say_it_is_not_given(
    question: str, passages: list[str], refuse: bool
) -> None:
    assert bool(passages_not_giving(question, passages)) == refuse


def test_an_answer_made_only_of_gaps_is_no_answer() -> None:
    assert only_gaps("Public reporting does not give eligibility rules [1]. No dates have been reported [2].")
    assert not only_gaps("HK$3 billion goes to the scheme [1]. Public reporting does not give eligibility rules [2].")


def test_passages_that_say_they_do_not_give_what_is_asked_are_found() -> None:
    passages = [
        "The centre has 3,000 petaflops. Incentives include tax breaks and subsidised electricity.",
        "The reporting does not state the rates or amounts of these incentives.",
        "Subsidised electricity lowers the running costs of data centres.",
    ]
    assert passages_not_giving("What is the rate of the electricity subsidy?", passages) == [2]
    assert passages_not_giving("What incentives are there for AI hardware?", passages) == []
    assert passages_not_giving(
        "電費補貼的比率是多少？", ["鼓勵措施包括電費補貼。", "公開報道並未提及有關比率或金額。"]
    ) == [2]


def test_saying_one_has_no_idea_asks_nothing_the_documents_leave_out() -> None:
    passages = [
        "A petaflop is a thousand million million operations a second.",
        "Public reporting describes the launch as recent but gives no date.",
    ]
    assert passages_not_giving("what is a petaflop? I have no idea what it means", passages) == []


def test_the_parts_of_a_question_the_documents_do_not_give_are_found() -> None:
    passages = [
        "The fund helps early AI projects prove they work.",
        "Public reporting does not give rates, amounts, eligibility rules or application dates.",
    ]
    assert parts_not_given("What is the fund for? What are its eligibility rules?", passages) == [
        (2, "Public reporting does not give rates, amounts, eligibility rules or application dates.")
    ]
    # one question, or every part unanswered: that is a refusal, not a partial answer
    assert parts_not_given("What are the fund's eligibility rules?", passages) == []
    assert parts_not_given("What are its eligibility rules? What are its rates?", passages) == []
