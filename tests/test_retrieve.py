"""Rank fusion, one language version per group and keyword search, on hand-made passages."""

from __future__ import annotations

from bot.retrieve import KeywordIndex, Passage, SearchFilter, fuse, one_version_per_group


def passage(pid: str, lang: str = "en", group: str = "", text: str = "") -> Passage:
    return Passage(
        id=pid,
        doc_id=pid,
        title=pid,
        lang=lang,
        page=0,
        heading="",
        score=0.0,
        text=text or pid,
        source=f"corpus/{pid}.md",
        url="",
        group=group or pid,
    )


def ids(passages: list[Passage]) -> list[str]:
    return [p.id for p in passages]


def test_the_rrf_constant_decides_between_one_top_rank_and_two_middling_ranks() -> None:
    dense = [passage("top"), passage("b"), passage("c"), passage("both")]
    keyword = [passage("x"), passage("y"), passage("z"), passage("both")]
    # k=60 flattens ranks, so being found by both searches (rank 4 twice) beats one first place;
    # k=1 makes the first place worth more than two fourth places.
    assert ids(fuse(dense, keyword, "en", rrf_k=60))[0] == "both"
    assert ids(fuse(dense, keyword, "en", rrf_k=1))[0] == "top"


def test_keyword_weight_lifts_keyword_hits() -> None:
    dense = [passage("dense-first"), passage("kw-first")]
    keyword = [passage("kw-first")]
    assert ids(fuse(dense, keyword, "en", keyword_weight=0.0)) == ["dense-first", "kw-first"]
    assert ids(fuse(dense, keyword, "en", keyword_weight=1.0))[0] == "kw-first"


def test_keyword_ranks_count_only_in_the_questions_language_family() -> None:
    dense = [passage("english"), passage("chinese", lang="zh-Hant")]
    keyword = [passage("chinese", lang="zh-Hant")]
    assert ids(fuse(dense, keyword, "en")) == ["english", "chinese"]
    assert ids(fuse(dense, keyword, "zh-Hans"))[0] == "chinese"  # Simplified and Traditional are one family


def test_one_version_per_group_prefers_the_askers_language_else_the_best_ranked() -> None:
    ranked = [
        passage("fund-en", "en", "fund"),
        passage("fund-zh", "zh-Hant", "fund"),
        passage("jobs-zh", "zh-Hant", "jobs"),
        passage("jobs-hans", "zh-Hans", "jobs"),
    ]
    assert ids(one_version_per_group(ranked, "zh-Hant")) == ["fund-zh", "jobs-zh"]
    assert ids(one_version_per_group(ranked, "en")) == ["fund-en", "jobs-zh"]


def test_keyword_search_folds_script_and_width_and_honours_filters_and_k() -> None:
    index = KeywordIndex(
        [
            passage("hant", "zh-Hant", text="數碼港人工智能超算中心的算力"),
            passage("hans", "zh-Hans", text="数码港人工智能超算中心的算力"),
            passage("en", "en", text="Cyberport AI supercomputing centre ＣＡＰＡＣＩＴＹ"),
            passage("other", "en", text="civil service posts"),
        ]
    )
    assert set(ids(index.search("数码港算力", k=5))) == {"hant", "hans"}
    assert ids(index.search("数码港算力", k=5, search_filter=SearchFilter(lang="zh-Hant"))) == ["hant"]
    assert len(index.search("数码港算力", k=1)) == 1
    assert ids(index.search("capacity", k=5)) == ["en"]
    assert index.search("，。？", k=5) == []  # punctuation only: no tokens, no hits


def test_keyword_search_filters_before_taking_the_k_best() -> None:
    """The best match overall is filtered out: the k best must come from the admitted passages alone."""
    index = KeywordIndex(
        [
            passage("best", "en", text="subsidy subsidy subsidy for companies"),
            passage("second", "en", text="a subsidy for companies"),
            passage("third", "zh-Hant", text="subsidy 資助"),
        ]
    )
    first_doc = index.passages[0].doc_id
    others = tuple(p.doc_id for p in index.passages[1:])
    assert ids(index.search("subsidy", k=1)) == ["best"]
    ranked_without_best = [pid for pid in ids(index.search("subsidy", k=5)) if pid != "best"]
    assert ids(index.search("subsidy", k=1, search_filter=SearchFilter(doc_ids=others))) == ranked_without_best[:1]
    assert ids(index.search("subsidy", k=5, search_filter=SearchFilter(lang="zh-Hant"))) == ["third"]
    assert index.search("subsidy", k=5, search_filter=SearchFilter(lang="zh-Hans")) == []
    assert ids(index.search("subsidy", k=5, search_filter=SearchFilter(doc_ids=(first_doc,)))) == ["best"]
