"""Ingest: files -> documents -> chunks -> vectors in Chroma, incrementally and safely.

A file is skipped when the store already holds all of its chunks for the same content hash and chunking
settings. A changed file is re-embedded under new chunk ids first and its old chunks are deleted after, so
a run that is killed half-way leaves a searchable index (at worst briefly holding both versions of one
file) and the next run completes the work: each chunk records how many chunks its file has, so a file
with missing chunks is detected and redone.

A file that cannot be used (a symbolic link leading out of the folder, unreadable, not text, malformed) is one
failed file with its reason; the others are indexed. Files are data: a document holding text addressed to an
assistant (`bot.instructions`), or an address that may not become a link (`bot.markup`), is indexed with a warning
naming the file, for staff to review.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from langchain_chroma import Chroma
from langchain_core.documents import Document

from bot.embedder import Embedder
from bot.ingest.chunking import chunking_signature, split_documents
from bot.ingest.loaders import LOADER_VERSION, SUPPORTED_SUFFIXES, LoadError, load_file
from bot.ingest.manifest import MANIFEST_NAME, Manifest, ManifestError, default_doc_id, load_manifest
from bot.instructions import first_instruction
from bot.lang import detect_lang
from bot.markup import link_problem

Status = Literal["indexed", "unchanged", "failed", "removed"]
SKIPPED_NAMES = {MANIFEST_NAME, "README.md", "README.txt"}


@dataclass(frozen=True)
class SourceFile:
    path: Path
    key: str  # how the store names the file (metadata "source")
    relative: str  # path inside the folder its manifest describes
    manifest: Manifest
    manifest_file: str = ""  # where `manifest` was read from, for messages
    problem: str = ""  # why the file cannot be ingested at all, found before it is read


@dataclass
class FileResult:
    source: str
    status: Status
    chunks: int = 0
    reason: str = ""
    warnings: list[str] = field(default_factory=list)  # each names the file (and field) for staff to review


@dataclass
class StoredFile:
    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    versions: set[tuple[str, str, int]] = field(default_factory=set)  # (sha256, chunking, chunk_count)


@dataclass(frozen=True)
class ChunkSettings:
    max_tokens: int
    overlap_tokens: int
    batch_size: int = 16

    def signature(self) -> str:
        return f"{chunking_signature(self.max_tokens, self.overlap_tokens)}-l{LOADER_VERSION}"


def source_key(path: Path) -> str:
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def discover(paths: Sequence[Path]) -> list[SourceFile]:
    """Every file to ingest under `paths` (folders are walked; dotfiles, READMEs and manifests skipped). A symbolic
    link in a folder that leads out of it, or nowhere, is listed with its problem, to fail on its own."""
    found: dict[str, SourceFile] = {}
    for given in paths:
        candidates = sorted(given.rglob("*")) if given.is_dir() else [given]
        for path in candidates:
            problem = _link_problem(path, given) if given.is_dir() else ""
            if problem and not _skipped(path, explicit=False, is_dir=path.is_dir()):
                key = source_key(path.parent) + "/" + path.name  # the link's own name: its target is elsewhere
                found.setdefault(key, SourceFile(path, key, path.name, Manifest(), problem=problem))
                continue
            if problem or not path.is_file() or _skipped(path, explicit=path == given):
                continue
            manifest_dir = _manifest_dir(path.parent, given)
            manifest = load_manifest(manifest_dir) if manifest_dir else Manifest()
            base = manifest_dir or (given if given.is_dir() else path.parent)
            relative = _relative(path, base)
            manifest_file = str(manifest_dir / MANIFEST_NAME) if manifest_dir else ""
            found.setdefault(source_key(path), SourceFile(path, source_key(path), relative, manifest, manifest_file))
    return list(found.values())


def _link_problem(path: Path, folder: Path) -> str:
    """Why a path found in `folder` must not be read: a link (or a link on its way) to a place outside the
    folder, or to nothing; "" for every other path."""
    try:
        target = path.resolve()
    except (OSError, RuntimeError) as error:  # a loop of links
        return f"symbolic link that cannot be followed ({error})"
    if not path.exists():
        return "broken symbolic link (its target does not exist)" if path.is_symlink() else ""
    if not target.is_relative_to(folder.resolve()):
        return f"symbolic link to {target}, outside {folder}: not read"
    return ""


def _relative(path: Path, base: Path) -> str:
    """`path` inside `base`, through links that stay inside; as named when a link makes it lie elsewhere."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.absolute().relative_to(base.absolute()).as_posix()


def _skipped(path: Path, explicit: bool, is_dir: bool = False) -> bool:
    if any(part.startswith(".") for part in path.parts if part not in (".", "..")):
        return True
    if explicit or is_dir:
        return False  # a file named on the command line is always tried, so it can fail loudly
    return path.name in SKIPPED_NAMES or path.suffix.lower() not in SUPPORTED_SUFFIXES


def _manifest_dir(folder: Path, given: Path) -> Path | None:
    """The nearest folder with a manifest, from `folder` up to the folder named on the command line, or
    further up to the working directory when that folder lies inside it (so `ingest corpus/en` still
    finds corpus/manifest.yaml)."""
    cwd = Path.cwd().resolve()
    top = given.resolve() if given.is_dir() else given.resolve().parent
    if top == cwd or cwd in top.parents:
        top = cwd
    current = folder.resolve()
    while True:
        if (current / MANIFEST_NAME).is_file():
            return current
        if current == top or current.parent == current:
            return None
        current = current.parent


def stored_files(store: Chroma) -> dict[str, StoredFile]:
    """What the store holds, per source file."""
    records = store.get(include=["metadatas", "documents"])
    files: dict[str, StoredFile] = defaultdict(StoredFile)
    for chunk_id, meta, text in zip(records["ids"], records["metadatas"], records["documents"]):
        entry = files[str(meta.get("source", ""))]
        entry.ids.append(chunk_id)
        entry.texts.append(text or "")
        entry.versions.add((str(meta.get("sha256")), str(meta.get("chunking")), int(meta.get("chunk_count", -1))))
    return files


def ingest(
    files: Sequence[SourceFile],
    store: Chroma,
    embedder: Embedder,
    settings: ChunkSettings,
    prune_under: Sequence[Path] = (),
) -> Iterator[FileResult]:
    """Index `files`, yielding one result per file as it completes; then prune gone files under `prune_under`."""
    stored = stored_files(store)
    for source in files:
        yield _ingest_file(source, stored.get(source.key, StoredFile()), store, embedder, settings)
    if prune_under:
        yield from _prune(stored, prune_under, store)


def _ingest_file(
    source: SourceFile, stored: StoredFile, store: Chroma, embedder: Embedder, settings: ChunkSettings
) -> FileResult:
    if source.problem:
        return FileResult(source.key, "failed", reason=source.problem)
    try:
        content = source.path.read_bytes()
    except OSError as error:
        return FileResult(source.key, "failed", reason=f"cannot read: {error.strerror or error}")
    sha = hashlib.sha256(content).hexdigest()
    warnings = _manifest_link_warnings(source)
    if _is_complete(stored, sha, settings.signature(), len(stored.ids)):
        warnings += _instruction_warnings(source, stored.texts)
        return FileResult(source.key, "unchanged", chunks=len(stored.ids), warnings=warnings)
    try:
        documents = _with_metadata(load_file(source.path), source, sha)
        warnings += _record_link_warnings(source, documents)
        chunks = split_documents(documents, embedder.count_tokens, settings.max_tokens, settings.overlap_tokens)
    except (LoadError, ValueError) as error:  # ValueError: a character the embedder cannot fit in one chunk
        return FileResult(source.key, "failed", reason=getattr(error, "reason", str(error)))
    if not chunks:
        return FileResult(source.key, "failed", reason="no text to index")
    warnings += _instruction_warnings(source, [chunk.page_content for chunk in chunks])  # as answers will read it
    ids = [f"{source.key}::{sha[:16]}::{n}" for n in range(len(chunks))]
    for chunk in chunks:
        chunk.metadata.update(chunk_count=len(chunks), chunking=settings.signature())
    for start in range(0, len(chunks), settings.batch_size):
        store.add_documents(chunks[start : start + settings.batch_size], ids=ids[start : start + settings.batch_size])
    stale = sorted(set(stored.ids) - set(ids))
    if stale:
        store.delete(ids=stale)
    return FileResult(source.key, "indexed", chunks=len(chunks), warnings=warnings)


def _instruction_warnings(source: SourceFile, texts: Sequence[str]) -> list[str]:
    found = first_instruction(texts)
    if not found:
        return []
    quoted = found if len(found) <= 120 else found[:119] + "…"
    return [
        f"{source.key}: holds text addressed to an assistant, so no answer is made from it until it is reviewed "
        f"and fixed: {quoted!r}"
    ]


def _manifest_link_warnings(source: SourceFile) -> list[str]:
    entry = source.manifest.entry_for(source.relative)
    problem = link_problem(entry.url) if entry else ""
    if not problem:
        return []
    return [f"{source.manifest_file}: '{entry.path}' field 'url': {entry.url!r} is no link, {problem}; left out"]


def _record_link_warnings(source: SourceFile, documents: list[Document]) -> list[str]:
    """Drop each JSONL record's `url` that may not be a link, saying which."""
    warnings = []
    for doc in documents:
        url = str(doc.metadata.get("url", ""))
        problem = link_problem(url) if doc.metadata.get("format") == "jsonl" else ""
        if problem:
            del doc.metadata["url"]
            warnings.append(
                f"{source.key}: record '{doc.metadata['doc_id']}' field 'url': {url!r} is no link, {problem}; left out"
            )
    return warnings


def _is_complete(stored: StoredFile, sha: str, signature: str, count: int) -> bool:
    return len(stored.versions) == 1 and next(iter(stored.versions)) == (sha, signature, count)


def _with_metadata(documents: list[Document], source: SourceFile, sha: str) -> list[Document]:
    """Add doc_id, title, language, hash and manifest fields; the manifest wins over what a loader found."""
    entry = source.manifest.entry_for(source.relative)
    extra = entry.metadata() if entry else {}
    if link_problem(extra.get("url", "")):  # said by _manifest_link_warnings
        del extra["url"]
    doc_id = entry.doc_id() if entry else default_doc_id(source.relative)
    file_lang = (
        extra.get("lang")
        or _declared_lang(documents)
        or detect_lang("\n".join(doc.page_content for doc in documents[:20]))
    )
    for doc in documents:
        meta = doc.metadata
        record_level = meta.get("format") == "jsonl"  # each JSONL record is its own document
        meta["doc_id"] = meta.get("doc_id") if record_level else doc_id
        meta["lang"] = meta.get("lang") or (detect_lang(doc.page_content) if record_level else file_lang)
        for key, value in extra.items():  # a JSONL record's own fields win over the file's
            if not (record_level and meta.get(key)):
                meta[key] = value
        meta["title"] = meta.get("title") or source.path.stem
        meta.update(source=source.key, sha256=sha)
    return documents


def _declared_lang(documents: list[Document]) -> str:
    return next((doc.metadata["lang"] for doc in documents if doc.metadata.get("lang")), "")


def _prune(stored: dict[str, StoredFile], roots: Sequence[Path], store: Chroma) -> Iterator[FileResult]:
    root_keys = [source_key(root) for root in roots]
    for key, entry in stored.items():
        under_root = any(key == root or key.startswith(root.rstrip("/") + "/") for root in root_keys)
        if under_root and not Path(key).exists() and not (Path.cwd() / key).exists():
            store.delete(ids=entry.ids)
            yield FileResult(key, "removed", chunks=len(entry.ids), reason="file is gone")


__all__ = ["ChunkSettings", "FileResult", "ManifestError", "SourceFile", "discover", "ingest", "stored_files"]
