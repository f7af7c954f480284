"""The bundled corpus: it ingests cleanly, and every fact of the seed article can be found with `askgov search`
in English and in Traditional Chinese (with the real default embedder)."""

from __future__ import annotations

import json
import re

import pytest
from conftest import CORPUS
from typer.testing import CliRunner

from bot.cli import app
from bot.ingest.loaders import load_file
from bot.ingest.manifest import load_manifest

pytestmark = pytest.mark.integration

# (question, text one of the top 5 passages must contain) per seed fact, in English and Traditional Chinese.
SEED_FACTS = {
    "AI in over 200 public services by 2027": (
        ("How many public services will use AI by 2027?", "200"),
        ("2027年之前會有幾多項公共服務用人工智能？", "200"),
    ),
    "first AI solutions by mid-2026": (
        ("When will the first AI solutions be launched?", "mid-2026"),
        ("首批人工智能方案幾時推出？", "2026年年中"),
    ),
    "focus sectors finance, healthcare, logistics": (
        ("Which sectors will the AI projects focus on?", "logistics"),
        ("人工智能項目主要集中喺邊幾個行業？", "物流"),
    ),
    "HK$14 billion in total": (
        ("How much has Hong Kong allocated for AI development in total?", "HK$14 billion"),
        ("香港總共預留咗幾多錢發展人工智能？", "140億"),
    ),
    "HK$1 billion for the AI R&D institute": (
        ("How much funding does the Hong Kong AI Research and Development Institute get?", "HK$1 billion"),
        ("香港人工智能研發院獲得幾多撥款？", "10億"),
    ),
    "HK$3 billion, three-year AI Subsidy Scheme": (
        ("How much is the AI Subsidy Scheme and how long does it run?", "HK$3 billion"),
        ("人工智能資助計劃有幾多錢？", "30億"),
    ),
    "HK$10 billion for university-industry collaboration": (
        ("How much money supports university-industry collaboration on AI?", "HK$10 billion"),
        ("大學與業界合作獲得幾多資金？", "100億"),
    ),
    "institute overseen by the Digital Policy Office": (
        ("Who oversees the AI Research and Development Institute?", "Digital Policy Office"),
        ("邊個部門監督香港人工智能研發院？", "數字政策辦公室"),
    ),
    "supercomputing centre at Cyberport with 3,000 petaflops": (
        ("What is the capacity of the AI Supercomputing Centre at Cyberport?", "3,000"),
        ("數碼港人工智能超算中心有幾多算力？", "3,000"),
    ),
    "15,000 petaflops by 2030": (
        ("How much supercomputing capacity is planned by 2030?", "15,000"),
        ("2030年超算算力會擴展到幾多？", "15,000"),
    ),
    "10-hectare site for a research hub and data centre cluster": (
        ("How big is the site for the AI research hub and data centre cluster?", "10-hectare"),
        ("人工智能研究樞紐及數據中心群用地有幾大？", "10公頃"),
    ),
    "TechTAS expanded for AI experts": (
        ("How is Hong Kong attracting international AI experts?", "Technology Talent Admission Scheme"),
        ("香港點樣吸引海外人工智能專家？", "科技人才入境計劃"),
    ),
    "about 10,000 civil service jobs by April 2027": (
        ("How many civil service jobs will be cut by April 2027?", "10,000"),
        ("2027年4月前會削減幾多個公務員職位？", "10,000"),
    ),
    "roughly 5% of the civil service": (
        ("What share of the civil service workforce will be reduced?", "5%"),
        ("削減嘅職位佔公務員隊伍幾多成？", "5%"),
    ),
    "retraining for displaced staff": (
        ("What support will civil servants whose jobs are cut receive?", "retrain"),
        ("被削減職位嘅公務員有咩支援？", "再培訓"),
    ),
    "pay freeze for civil servants in 2025-26": (
        ("Will civil servants get a pay rise in 2025-26?", "pay freeze"),
        ("公務員2025-26年度會唔會加薪？", "凍薪"),
    ),
    "tax breaks, accelerated depreciation, subsidised electricity": (
        ("What incentives encourage private investment in AI facilities?", "accelerated depreciation"),
        ("有咩誘因鼓勵私人投資人工智能設施？", "加速折舊"),
    ),
    "SME adoption grants, tax credits, proof-of-concept funds": (
        ("What support is there for SMEs adopting AI?", "grant"),
        ("中小企採用人工智能有咩資助？", "中小企"),
    ),
    "over 60 organisations had compliance checks": (
        ("How many organisations have undergone privacy compliance checks?", "60"),
        ("有幾多間機構接受咗私隱合規審查？", "60"),
    ),
    "encryption and anonymisation": (
        ("How is personal data protected in AI systems?", "encryption"),
        ("人工智能系統點樣保護個人資料？", "加密"),
    ),
    "Personal Data (Privacy) Ordinance": (
        ("Which law must AI systems comply with for personal data?", "Personal Data (Privacy) Ordinance"),
        ("人工智能系統要遵守邊條私隱法例？", "個人資料（私隱）條例"),
    ),
    "digital divide: free or subsidised AI tools for underserved communities": (
        ("How will the digital divide be addressed?", "underserved"),
        ("政府點樣處理數碼鴻溝？", "數碼鴻溝"),
    ),
    "public feedback through surveys, forums, digital platforms": (
        ("How can residents give feedback on the AI rollout?", "surveys"),
        ("市民可以點樣就人工智能服務提供意見？", "問卷"),
    ),
    "AI as a core industry": (
        ("How do officials view AI for the economy?", "core industry"),
        ("政府點樣定位人工智能產業？", "核心產業"),
    ),
}


def _top_passages(runner: CliRunner, query: str) -> list[dict]:
    found = runner.invoke(app, ["search", query, "-k", "5", "--json"])
    assert found.exit_code == 0, found.output
    return json.loads(found.stdout)


@pytest.fixture
def runner(corpus_index, monkeypatch) -> CliRunner:
    from bot.config import Settings, get_settings

    monkeypatch.setenv("ASKGOV_INDEX_DIR", str(corpus_index))
    monkeypatch.setenv("ASKGOV_EMBEDDER", Settings.model_fields["embedder"].default)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.mark.parametrize("fact", list(SEED_FACTS))
def test_seed_fact_is_found_in_english_and_traditional_chinese(runner: CliRunner, fact: str) -> None:
    for (question, expected), lang in zip(SEED_FACTS[fact], ("en", "zh-Hant")):
        passages = _top_passages(runner, question)
        texts = [re.sub(r"\s+", "", p["text"]) for p in passages if p["lang"] == lang]
        assert any(re.sub(r"\s+", "", expected) in text for text in texts), (fact, lang, question)


def test_every_manifest_document_loads_and_pdfs_keep_their_pages() -> None:
    manifest = load_manifest(CORPUS)
    assert len(manifest.documents) >= 32
    for entry in manifest.documents:
        sections = load_file(CORPUS / entry.path)
        assert sections, entry.path
        if entry.path.endswith(".pdf"):
            assert [s.metadata["page"] for s in sections] == list(range(1, len(sections) + 1)), entry.path
            assert len(sections) >= 2, entry.path


def test_chinese_pdf_text_matches_its_source() -> None:
    source = (CORPUS.parent / "scripts" / "pdf_sources" / "zh-hant" / "supercomputing-centre.txt").read_text("utf-8")
    extracted = "".join(s.page_content for s in load_file(CORPUS / "zh-hant" / "supercomputing-centre.pdf"))

    def squeeze(text: str) -> str:  # without whitespace and the Markdown-like marks the sources use
        return re.sub(r"[\s#>|\-]+", "", text)

    lines = [squeeze(line) for line in source.splitlines() if not line.startswith("=== page")]
    assert len([line for line in lines if line]) > 20
    for line in filter(None, lines):
        assert line in squeeze(extracted), line
