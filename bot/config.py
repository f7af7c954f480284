"""One settings object for the whole app, read from `ASKGOV_*` environment variables (or a `.env` file)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Nothing in this app may reach a model hub or phone home; set before those libraries are imported.
for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}.items():
    os.environ.setdefault(_name, _value)


def _default_models_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "askgov" / "models"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASKGOV_", env_file=".env", extra="ignore")

    models_dir: Path = Field(default_factory=_default_models_dir, description="where fetched weights live")
    embedder: str = Field(
        "embeddinggemma-300m",
        description="a model name from `askgov models list`, or a sentence-transformers folder",
    )
    index_dir: Path = Field(Path("index"), description="the embedded Chroma store")
    chroma_url: str = Field("", description="a Chroma server (http://host:port); empty for the embedded store")
    corpus_dir: Path = Field(Path("corpus"), description="the bundled policy documents")
    embed_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        "torch",
        description="what runs the embedder: torch, or ONNX Runtime over an export of the same weights made on first "
        "use (onnx: same vectors; onnx-int8: int8 weights, its own collection)",
    )
    chunk_tokens: int = Field(256, ge=32, description="largest chunk, in the embedder's tokens")
    chunk_overlap: int = Field(32, ge=0, description="overlap between neighbouring chunks, in tokens")
    embed_batch_size: int = Field(16, ge=1)
    search_k: int = Field(5, ge=1, le=100, description="passages given to the answer step")
    keyword_weight: float = Field(1.0, ge=0, description="weight of keyword (BM25) ranks in the rank fusion")
    rrf_k: int = Field(60, ge=1, description="reciprocal rank fusion constant: larger flattens the ranks")
    backend: str = Field("extractive", description="answer backend: extractive, local or openai")
    calibration_file: Path = Field(Path("eval/calibration.json"), description="refusal thresholds (askgov calibrate)")
    llm_model: str = Field("qwen2.5-coder-1.5b-instruct-q4", description="GGUF model for the local backend")
    llm_threads: int = Field(2, ge=1)
    llm_context: int = Field(4096, ge=512)
    llm_max_tokens: int = Field(256, ge=16)
    openai_base_url: str = Field("", description="an OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1")
    openai_model: str = ""
    openai_api_key: SecretStr = SecretStr("")
    answer_workers: int = Field(
        0, ge=0, description="answers worked on at once; 0: one per CPU core (the local LLM answers one at a time)"
    )
    answer_queue: int = Field(32, ge=0, description="questions that may wait for a worker; beyond that: busy")
    answer_wait_seconds: float = Field(20.0, gt=0, description="longest wait for a worker before busy")
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    # --- the web app (bot/server/app.py) ---
    feedback_db: Path = Field(
        Path("index/feedback.sqlite3"), description="SQLite file for feedback and unanswered questions (redacted)"
    )
    public_url: str = Field(
        "",
        description="the widget's public origin, e.g. https://askgov.example.org; "
        "empty: the address the request came to",
    )
    embed_origins: str = Field(
        "",
        description="origins allowed to embed the citizen chat (iframe or web "
        "component), separated by spaces or commas; empty: this site only",
    )
    staff_users_file: Path = Field(
        Path("index/staff-users"), description="`name:hash` lines written by `askgov staff add-user`"
    )
    staff_users: SecretStr = Field(SecretStr(""), description="more `name:hash` entries, separated by spaces")
    # --- shared state for several app processes (docs/deploy.md) ---
    database_url: SecretStr = Field(
        SecretStr(""),
        description="an SQLAlchemy URL, e.g. postgresql+psycopg://askgov:PASSWORD@db:5432/askgov, for feedback "
        "and staff users; empty: the SQLite file ASKGOV_FEEDBACK_DB",
    )
    index_refresh_seconds: float = Field(
        10.0,
        ge=0,
        description="how often a process checks whether another one changed the vector store (then reloads "
        "its keyword index); 0: on every request",
    )
    # --- what one client may cost the server (SECURITY.md); rates are `limits` strings, e.g. "10/minute;100/hour" ---
    max_body_kb: int = Field(64, ge=1, le=10240, description="largest request body on any route, in KB")
    max_question_chars: int = Field(
        500, ge=20, le=20000, description="longest question or search (API, chat); longer gets a polite refusal"
    )
    max_history_turns: int = Field(20, ge=0, le=200, description="most earlier turns an API request may send")
    max_history_chars: int = Field(16000, ge=0, description="most characters of all earlier turns of a request")
    history_turns_used: int = Field(6, ge=0, description="earlier turns the answer reads; older ones are dropped")
    rate_limit_questions: str = Field("10/minute;120/hour", description="questions per client (API and chat)")
    question_cost_chars: int = Field(
        200, ge=1, description="a question counts once more against the question rate for each this many characters"
    )
    rate_limit_searches: str = Field("60/minute", description="searches per client (API)")
    login_failures_per_client: str = Field(
        "10/15minutes", description="wrong staff logins from one client before it must wait"
    )
    login_failures_per_user: str = Field("20/15minutes", description="wrong logins for one user name before it waits")
    refusal_delay: float = Field(
        1.0,
        ge=0,
        le=30,
        description="seconds before a refusal is answered (a wrong staff login, 422, 429): a client that waits "
        "for its answers cannot flood the server with cheap refusals",
    )
    trusted_proxies: str = Field(
        "127.0.0.1",
        description="proxies whose X-Forwarded-For names the client (comma-separated addresses, or *); "
        "the rate limits count per client address",
    )
    shutdown_seconds: int = Field(3, ge=0, le=600, description="on SIGTERM, how long open requests may still run")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
