"""The ONNX Runtime embedder backends, on the small all-MiniLM-L6-v2 shipped by a dev dependency: exported from the
local weights, checked against torch, recorded next to the weights, reused while it matches, redone when not."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.embedder import embedder_name, load_embedder
from bot.evaluation.baselines import minilm_folder
from bot.models import ModelError, onnx_export, verified_onnx

TEXTS = ["The ferry leaves the pier every twenty minutes.", "圖書館星期一休息。", "公园几点开门？"]


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy: the export is kept next to the weights."""
    folder = tmp_path_factory.mktemp("minilm") / "minilm"
    shutil.copytree(minilm_folder(), folder)
    return folder


def vectors(folder: Path, backend: str, texts: list[str] = TEXTS) -> np.ndarray:
    return np.asarray(load_embedder(str(folder), folder.parent, backend).embeddings.embed_documents(texts))


def test_the_onnx_export_gives_the_torch_models_vectors_and_is_reused(model_folder: Path) -> None:
    reference = vectors(model_folder, "torch")
    exported = vectors(model_folder, "onnx")
    assert np.min(np.sum(reference * exported, axis=1)) > 0.999
    graph = verified_onnx(model_folder, "onnx")
    assert graph is not None and graph.parent == model_folder / "onnx"
    written = graph.stat().st_mtime_ns
    vectors(model_folder, "onnx")
    assert graph.stat().st_mtime_ns == written  # verified, not exported again


def test_a_damaged_export_is_not_used_and_is_made_again(model_folder: Path) -> None:
    vectors(model_folder, "onnx")
    graph = onnx_export(model_folder, "onnx").path
    with graph.open("ab") as damaged:
        damaged.write(b"\0")
    assert verified_onnx(model_folder, "onnx") is None
    reference = vectors(model_folder, "torch")
    assert np.min(np.sum(reference * vectors(model_folder, "onnx"), axis=1)) > 0.999
    assert verified_onnx(model_folder, "onnx") == graph


def test_int8_vectors_are_close_and_kept_in_their_own_collection(model_folder: Path) -> None:
    reference = vectors(model_folder, "torch")
    quantised = vectors(model_folder, "onnx-int8")
    assert np.min(np.sum(reference * quantised, axis=1)) > 0.9
    assert embedder_name(str(model_folder), "onnx-int8") == embedder_name(str(model_folder)) + "-int8"
    assert embedder_name(str(model_folder), "onnx") == embedder_name(str(model_folder))


def test_an_unknown_backend_is_named_in_the_error(model_folder: Path) -> None:
    with pytest.raises(ModelError, match="ASKGOV_EMBED_BACKEND"):
        onnx_export(model_folder, "tensorrt")


def test_bench_embed_prints_each_backend_against_the_first(
    model_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    passages = tmp_path / "passages.jsonl"
    passages.write_text(
        "\n".join(f'{{"id": "p{n}", "title": "T{n}", "text": "{text} {n}"}}' for n, text in enumerate(TEXTS * 4)),
        encoding="utf-8",
    )
    monkeypatch.setenv("ASKGOV_EMBEDDER", str(model_folder))
    from bot.config import get_settings

    get_settings.cache_clear()
    result = CliRunner().invoke(
        cli, ["bench", "embed", "--passages", str(passages), "--backend", "torch", "--backend", "onnx"]
    )
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") > 5}
    assert set(rows) >= {"torch", "onnx"}
    assert "1.00" in rows["torch"].split("│")[5]  # the baseline against itself
