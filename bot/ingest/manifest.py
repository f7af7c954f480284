"""The optional `manifest.yaml` of a corpus folder: per-file metadata (title, issuer, date, url, language)."""

from __future__ import annotations

from datetime import date
from pathlib import Path, PurePosixPath

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.lang import LANGS

MANIFEST_NAME = "manifest.yaml"


class ManifestError(ValueError):
    """A manifest that cannot be used; the message names the file and the field."""


class ManifestEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    id: str = ""
    title: str = ""
    lang: str = ""
    issuer: str = ""
    date: str = ""
    url: str = ""
    translation_of: str = ""

    @field_validator("lang")
    @classmethod
    def _known_lang(cls, value: str) -> str:
        if value and value not in LANGS:
            raise ValueError(f"must be one of {', '.join(LANGS)}")
        return value

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> str:
        return value.isoformat() if isinstance(value, date) else ("" if value is None else str(value))

    def doc_id(self) -> str:
        return self.id or default_doc_id(self.path)

    def metadata(self) -> dict[str, str]:
        """The fields a chunk inherits; empty ones are left out so they don't override a loader's."""
        fields = self.model_dump(exclude={"path", "id"})
        return {key: value for key, value in fields.items() if value}


class Manifest(BaseModel):
    documents: list[ManifestEntry] = Field(default_factory=list)

    def entry_for(self, relative_path: str) -> ManifestEntry | None:
        return self._by_path().get(relative_path)

    def _by_path(self) -> dict[str, ManifestEntry]:
        return {entry.path: entry for entry in self.documents}

    def doc_ids(self) -> dict[str, ManifestEntry]:
        return {entry.doc_id(): entry for entry in self.documents}


def default_doc_id(relative_path: str) -> str:
    """A file's doc_id when the manifest gives none: its path inside the corpus, without the suffix."""
    return str(PurePosixPath(relative_path).with_suffix(""))


def load_manifest(folder: Path) -> Manifest:
    """Read `folder/manifest.yaml`; an absent file is an empty manifest."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return Manifest()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        manifest = Manifest.model_validate(raw)
    except yaml.YAMLError as error:
        raise ManifestError(f"{path}: not valid YAML ({error})") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ManifestError(f"{path}: field '{where}': {first['msg']}") from error
    _check_unique(manifest, path)
    return manifest


def _check_unique(manifest: Manifest, path: Path) -> None:
    seen_paths: set[str] = set()
    seen_ids: set[str] = set()
    for entry in manifest.documents:
        if entry.path in seen_paths:
            raise ManifestError(f"{path}: path '{entry.path}' is listed twice")
        if entry.doc_id() in seen_ids:
            raise ManifestError(f"{path}: id '{entry.doc_id()}' is used twice")
        seen_paths.add(entry.path)
        seen_ids.add(entry.doc_id())
    for entry in manifest.documents:
        if entry.translation_of and entry.translation_of not in seen_ids:
            raise ManifestError(f"{path}: '{entry.path}' field 'translation_of': unknown id '{entry.translation_of}'")
