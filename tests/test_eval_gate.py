"""The quality gate of `make test`: the quick evaluation (extractive backend, dev split, default embedder) must
reach every minimum, and stay under every maximum, in eval/thresholds.toml.

The first run on a machine indexes corpus/ with the default embedder (a few minutes); later runs reuse it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.answer.backends import BACKENDS
from bot.config import Settings
from bot.evaluation.evaluate import FIGURES, GROUPS, SPLITS, evaluation

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
THRESHOLDS = ROOT / "eval" / "thresholds.toml"


def read_gate(path: Path) -> tuple[dict, dict[str, float], dict[str, float]]:
    """([gate] settings, minimum figures, maximum figures); keys are "group.figure", e.g. "lang:en.recall@5"."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not valid TOML ({error})") from error
    gate = data.get("gate", {})
    if gate.get("split") not in SPLITS or gate.get("backend") not in BACKENDS:
        raise ValueError(
            f"{path}: [gate] needs split (one of {', '.join(SPLITS)}) and backend (one of {', '.join(BACKENDS)})"
        )
    limits = {section: data.get(section, {}) for section in ("minimum", "maximum")}
    for section, entries in limits.items():
        for key, value in entries.items():
            group, _, figure = key.partition(".")
            if group not in GROUPS or figure not in FIGURES:
                raise ValueError(f"{path}: [{section}] '{key}' is not 'group.figure' with a known group and figure")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{path}: [{section}] '{key}' must be a number")
    return gate, limits["minimum"], limits["maximum"]


def shortfalls(figures: dict, minimum: dict[str, float], maximum: dict[str, float]) -> list[str]:
    """One line per figure on the wrong side of its threshold (a missing figure counts as a shortfall)."""
    found = []
    for key, bound in minimum.items():
        group, _, name = key.partition(".")
        value = figures[group].get(name)
        if value is None or value < bound:
            found.append(f"{key} = {value} is below its minimum {bound}")
    for key, bound in maximum.items():
        group, _, name = key.partition(".")
        value = figures[group].get(name)
        if value is None or value > bound:
            found.append(f"{key} = {value} is above its maximum {bound}")
    return found


def test_shortfalls_name_each_figure_on_the_wrong_side() -> None:
    figures = {"all": {"recall@5": 0.8, "personal_data_echoed": 1.0}, "lang:en": {"recall@5": None}}
    found = shortfalls(figures, {"all.recall@5": 0.9, "lang:en.recall@5": 0.5}, {"all.personal_data_echoed": 0})
    assert found == [
        "all.recall@5 = 0.8 is below its minimum 0.9",
        "lang:en.recall@5 = None is below its minimum 0.5",
        "all.personal_data_echoed = 1.0 is above its maximum 0",
    ]
    assert shortfalls(figures, {"all.recall@5": 0.8}, {"all.personal_data_echoed": 1}) == []


def test_thresholds_file_names_only_known_figures(tmp_path: Path) -> None:
    gate, minimum, maximum = read_gate(THRESHOLDS)
    assert gate["split"] == "dev" and gate["backend"] == "extractive" and minimum and maximum
    bad = tmp_path / "thresholds.toml"
    gate_section = '[gate]\nsplit = "dev"\nbackend = "extractive"\n'
    bad.write_text(gate_section + '[minimum]\n"all.recal@5" = 0.5\n', encoding="utf-8")
    with pytest.raises(ValueError, match="all.recal@5"):
        read_gate(bad)
    bad.write_text(gate_section + '[maximum]\n"lang:fr.recall@5" = 0.5\n', encoding="utf-8")
    with pytest.raises(ValueError, match="lang:fr.recall@5"):
        read_gate(bad)
    bad.write_text(gate_section + '[minimum]\n"all.mrr" = "high"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="'all.mrr' must be a number"):
        read_gate(bad)
    bad.write_text('[gate]\nsplit = "train"\nbackend = "extractive"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"thresholds.toml: \[gate\] needs split"):
        read_gate(bad)
    bad.write_text("[minimum\n", encoding="utf-8")
    with pytest.raises(ValueError, match="thresholds.toml: not valid TOML"):
        read_gate(bad)


@pytest.fixture(scope="module")
def gate_record() -> dict:
    gate, _, _ = read_gate(THRESHOLDS)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)  # the index names files relative to the working directory, as `askgov ingest` does
        # Every setting at its default, whatever ASKGOV_* or .env say: the thresholds were measured with those.
        settings = Settings.model_construct()
        return evaluation(settings, gate["split"], [gate["backend"]], qa_dir=ROOT / "eval" / "qa")


def test_quick_evaluation_meets_every_threshold(gate_record: dict) -> None:
    _, minimum, maximum = read_gate(THRESHOLDS)
    figures = gate_record["systems"][gate_record["meta"]["main"]]["figures"]
    found = shortfalls(figures, minimum, maximum)
    assert not found, "quality gate (eval/thresholds.toml):\n" + "\n".join(found)
