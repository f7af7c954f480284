"""Language detection, script conversion, folding and sentence splitting."""

from __future__ import annotations

import pytest

from bot.lang import detect_lang, detect_lang_in_conversation, fold, split_sentences, to_script


@pytest.mark.parametrize(
    "text, expected",
    [
        ("How many public services will use AI by 2027?", "en"),
        ("數碼港超算中心而家有幾多算力？", "zh-Hant"),
        ("数码港超算中心现在有多少算力？", "zh-Hans"),
        ("政府係唔係會減公務員？", "zh-Hant"),  # written Cantonese
        ("人工智能", "zh-Hant"),  # no telling characters: Hong Kong's script
        ("what is TechTAS", "en"),
        ("TechTAS 係咩嚟㗎？", "zh-Hant"),
    ],
)
def test_detect_lang(text: str, expected: str) -> None:
    assert detect_lang(text) == expected


@pytest.mark.parametrize(
    "question, earlier, expected",
    [
        ("那2030年呢？", ["数码港超算中心现在的算力有多少？"], "zh-Hans"),
        ("那2030年呢？", ["數碼港超算中心而家有幾多算力？"], "zh-Hant"),
        ("那2030年呢？", [], "zh-Hant"),
        ("那2030年呢？", ["How much computing power is there now?"], "zh-Hant"),
        ("数码港呢？", ["數碼港超算中心而家有幾多算力？"], "zh-Hans"),  # the question's own script wins
        ("And by 2030?", ["数码港超算中心现在的算力有多少？"], "en"),
    ],
)
def test_a_question_without_telling_characters_keeps_the_conversations_script(
    question: str, earlier: list[str], expected: str
) -> None:
    assert detect_lang_in_conversation(question, earlier) == expected


def test_script_conversion_uses_hong_kong_forms_and_leaves_english_alone() -> None:
    assert to_script("数码港超算中心", "zh-Hant") == "數碼港超算中心"
    assert to_script("數碼港的算力為3,000 petaflops", "zh-Hans") == "数码港的算力为3,000 petaflops"
    assert to_script("The centre", "zh-Hans") == "The centre"


def test_fold_matches_across_scripts_and_widths() -> None:
    assert fold("数码港") == fold("數碼港")
    assert fold("ＡＩ　３０００") == fold("ai 3000")


def test_split_sentences_in_both_languages() -> None:
    english = "The centre opened with 3,000 petaflops. It may reach 15,000 by 2030, e.g. for research. Fine"
    assert split_sentences(english) == [
        "The centre opened with 3,000 petaflops.",
        "It may reach 15,000 by 2030, e.g. for research.",
        "Fine",
    ]
    chinese = "中心已啟用。「這是里程碑。」計劃擴展；詳情待公布\n- 列表項目"
    assert split_sentences(chinese) == ["中心已啟用。", "「這是里程碑。」", "計劃擴展；", "詳情待公布", "- 列表項目"]
