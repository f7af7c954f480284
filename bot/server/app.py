"""The web app in one process: the HTTP API, the citizens' chat at /, the staff console at /staff.

`build_app(settings)` loads the models once and returns a FastAPI app; `askgov serve` runs it with uvicorn.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import gradio as gr
from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.answer.types import Citation, Timings
from bot.config import Settings
from bot.lang import detect_lang
from bot.server.admission import Busy
from bot.server.auth import StaffDirectory
from bot.server.services import DOCUMENTS_ROUTE, Services
from bot.server.strings import text

MAX_QUESTION = 2000
MAX_BODY_BYTES = 64 * 1024
MAX_HISTORY_TURNS = 20
STAFF_PATH = "/staff"
Lang = Literal["en", "zh-Hant", "zh-Hans"]


# --- request and response models (the OpenAPI schema at /openapi.json) ------------------------------------
class HistoryTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str = Field(max_length=8000)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("is blank")
    return value


NonBlank = Annotated[str, AfterValidator(_not_blank)]


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: NonBlank = Field(min_length=1, max_length=MAX_QUESTION, description="in English or Chinese")
    history: list[HistoryTurn] = Field(
        default_factory=list,
        max_length=MAX_HISTORY_TURNS,
        description="earlier turns, oldest first, for follow-up questions",
    )
    lang: Lang | None = Field(None, description="answer language; default: the question's")


class AskResponse(BaseModel):
    """The JSON of `askgov ask --json`."""

    answer: str
    lang: Lang
    refused: bool
    backend: str
    fallback: str
    citations: list[Citation]
    timings: Timings


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: NonBlank = Field(min_length=1, max_length=MAX_QUESTION)
    k: int = Field(5, ge=1, le=50, description="number of passages")
    lang: Lang | None = Field(None, description="only passages in this language")
    doc_id: str | None = Field(None, max_length=200, description="only passages of this document")


class SearchHit(BaseModel):
    """One passage, as in `askgov search --json`."""

    id: str
    doc_id: str
    title: str
    lang: str
    page: int
    score: float
    text: str
    source: str


class Health(BaseModel):
    ready: bool
    chunks: int
    documents: int
    embedder: str
    backend: str


# --- middleware --------------------------------------------------------------------------------------------
def parse_origins(value: str) -> list[str]:
    origins = [origin.rstrip("/") for origin in re.split(r"[\s,]+", value.strip()) if origin]
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:\d+)?", origin):
            raise ValueError(f"ASKGOV_EMBED_ORIGINS: '{origin}' is not an origin like https://www.example.org")
    return origins


class BodyLimit:
    """Refuse API request bodies over `limit` bytes with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, limit: int, prefix: str = "/api/") -> None:
        self.app, self.limit, self.prefix = app, limit, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await JSONResponse(self._error(), status_code=413)(scope, receive, send)
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise HTTPException(413, self._error()["detail"])  # FastAPI turns this into the response
            return message

        await self.app(scope, limited, send)

    def _error(self) -> dict:
        return {"detail": f"request body is larger than {self.limit // 1024} KB"}


class StaffGate:
    """HTTP Basic login in front of everything under /staff (pages, assets, the console's API)."""

    def __init__(self, app: ASGIApp, directory: StaffDirectory, prefix: str = STAFF_PATH) -> None:
        self.app, self.directory, self.prefix = app, directory, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] not in ("http", "websocket") or not (
            path == self.prefix or path.startswith(self.prefix + "/")
        ):
            return await self.app(scope, receive, send)
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        if self.directory.user_for_basic_header(header) is not None:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        message = (
            "Staff login required."
            if self.directory.users()
            else "No staff users are configured: run `askgov staff add-user NAME` on the server."
        )
        response = JSONResponse(
            {"detail": message},
            status_code=401,
            headers={"WWW-Authenticate": 'Basic realm="AskGov HK staff", charset="UTF-8"'},
        )
        await response(scope, receive, send)


class SecurityHeaders:
    """Who may frame which page (CSP frame-ancestors), no sniffing, and no caching of the staff console."""

    def __init__(self, app: ASGIApp, embed_origins: list[str]) -> None:
        self.app = app
        self.citizen_frames = " ".join(["'self'", *embed_origins])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        staff = path == STAFF_PATH or path.startswith(STAFF_PATH + "/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-frame-options"]
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"strict-origin-when-cross-origin"))
                if staff:
                    headers += [
                        (b"content-security-policy", b"frame-ancestors 'none'"),
                        (b"x-frame-options", b"DENY"),
                        (b"cache-control", b"no-store"),
                    ]
                elif not path.startswith(DOCUMENTS_ROUTE + "/"):  # documents set their own policy
                    headers.append((b"content-security-policy", f"frame-ancestors {self.citizen_frames}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


# --- the app -------------------------------------------------------------------------------------------------
TEXT_TYPES = {
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".jsonl": "text/plain; charset=utf-8",
    ".markdown": "text/markdown; charset=utf-8",
}


def build_app(settings: Settings, services: Services | None = None) -> FastAPI:
    from bot.server.citizen import CSS, build_citizen_ui
    from bot.server.staff import build_staff_ui

    embed_origins = parse_origins(settings.embed_origins)
    services = services or Services(settings)
    directory = StaffDirectory(settings.staff_users_file, settings.staff_users.get_secret_value())
    directory.users()  # a malformed users file fails here, at start-up, naming the file and line

    app = FastAPI(
        title="AskGov HK",
        version="0.1.0",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        description="Cited answers about Hong Kong's AI-enabled public services, from policy documents.",
    )
    app.state.services = services
    add_api_routes(app, services)
    add_document_route(app, settings.corpus_dir)

    @app.get("/gradio.js", include_in_schema=False)
    def web_component() -> FileResponse:
        # Gradio's web-component loader, served from this site so embedding pages need no third-party script.
        return FileResponse(
            Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js", media_type="text/javascript"
        )

    theme = gr.themes.Default(primary_hue="blue")
    gr.mount_gradio_app(
        app,
        build_staff_ui(services),
        path=STAFF_PATH,
        footer_links=[],
        run_history=False,
        auth_dependency=lambda request: directory.user_for_basic_header(request.headers.get("authorization")),
        ssr_mode=False,
        mcp_server=False,
        theme=theme,
        show_error=True,
    )
    gr.mount_gradio_app(
        app,
        build_citizen_ui(services),
        path="/",
        footer_links=[],
        run_history=False,
        ssr_mode=False,
        mcp_server=False,
        theme=theme,
        css=CSS,
        show_error=False,
        head='<meta name="description" content="AskGov HK: cited answers about Hong Kong\'s '
        'AI-enabled public services.">',
    )

    # Added last so they run first: the gate and the size limit act before any route or mount sees a request.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=embed_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["*"],
        allow_credentials=False,
    )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(StaffGate, directory=directory)
    app.add_middleware(SecurityHeaders, embed_origins=embed_origins)
    return app


def add_api_routes(app: FastAPI, services: Services) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(part) for part in e['loc'][1:]) or 'body'}: {e['msg']}" for e in error.errors()]
        return JSONResponse({"error": "; ".join(problems), "detail": jsonable_encoder(error.errors())}, status_code=422)

    @app.post(
        "/api/ask",
        response_model=AskResponse,
        tags=["api"],
        responses={
            413: {"description": "body over 64 KB"},
            422: {"description": "invalid request"},
            503: {"description": "busy: try again after Retry-After seconds"},
        },
    )
    def ask(request: AskRequest) -> dict | JSONResponse:
        """Answer a question from the documents, with numbered citations (or a refusal pointing to 1823)."""
        history = [turn.model_dump() for turn in request.history]
        try:
            return services.ask(request.question, history=history, lang=request.lang).public_json()
        except Busy as busy:
            return busy_response(busy, request.lang or detect_lang(request.question))

    @app.post(
        "/api/search",
        response_model=list[SearchHit],
        tags=["api"],
        responses={
            413: {"description": "body over 64 KB"},
            422: {"description": "invalid request"},
            503: {"description": "busy: try again after Retry-After seconds"},
        },
    )
    def search(request: SearchRequest) -> list[dict] | JSONResponse:
        """The passages nearest to the query (cosine similarity), optionally of one language or document."""
        try:
            passages = services.dense_search(
                request.query, request.k, request.lang, (request.doc_id,) if request.doc_id else ()
            )
        except Busy as busy:
            return busy_response(busy, request.lang or detect_lang(request.query))
        return [p.as_json() for p in passages]

    @app.get("/api/health", response_model=Health, tags=["api"])
    def health() -> Health:
        chunks = services.chunk_count()
        return Health(
            ready=chunks > 0,
            chunks=chunks,
            documents=len(services.documents()),
            embedder=services.settings.embedder,
            backend=services.assistant.backend_name,
        )


def busy_response(busy: Busy, lang: str) -> JSONResponse:
    """503 with Retry-After, and why in the asker's language."""
    return JSONResponse(
        {"error": text(lang, "busy", seconds=busy.retry_after), "retry_after": busy.retry_after},
        status_code=503,
        headers={"Retry-After": str(busy.retry_after)},
    )


def add_document_route(app: FastAPI, corpus_dir: Path) -> None:
    from bot.ingest.loaders import SUPPORTED_SUFFIXES

    @app.get(DOCUMENTS_ROUTE + "/{path:path}", include_in_schema=False)
    def document(path: str) -> FileResponse:
        """A corpus file, read-only. Only supported document types; no dotfiles; nothing outside the folder."""
        root = corpus_dir.resolve()
        target = (root / path).resolve()
        hidden = any(part.startswith(".") for part in Path(path).parts)
        if (
            hidden
            or root not in target.parents
            or not target.is_file()
            or target.suffix.lower() not in SUPPORTED_SUFFIXES
        ):
            raise HTTPException(404, f"no document {path}")
        suffix = target.suffix.lower()
        headers = {"content-security-policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"}
        if suffix == ".pdf":
            return FileResponse(target, media_type="application/pdf", headers={"content-disposition": "inline"})
        if suffix in (".html", ".htm"):
            return FileResponse(target, media_type="text/html", headers=headers)
        return FileResponse(target, media_type=TEXT_TYPES.get(suffix, "text/plain; charset=utf-8"), headers=headers)
