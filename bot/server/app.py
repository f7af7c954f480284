"""The web app in one process: the HTTP API, the citizens' chat at /, the staff console at /staff.

`build_app(settings)` loads the models once and returns a FastAPI app; `askgov serve` runs it with uvicorn.
What the public may cost the server (body size, question and history length, rates) is set in `Settings` and
described in SECURITY.md.
"""

# No `from __future__ import annotations`: the request models are built per app from its settings, and FastAPI
# must see the endpoints' annotations as those classes, not as names it would look up in this module.
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
import gradio as gr
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.answer.types import Citation, Timings
from bot.config import Settings
from bot.lang import detect_lang
from bot.server.admission import Busy
from bot.server.auth import LOGOUT_PATH, STAFF_PATH, StaffDirectory, basic_user_name
from bot.server.errors import log_failure, withhold_gradio_messages
from bot.server.limits import RateLimits
from bot.server.services import DOCUMENTS_ROUTE, Services
from bot.server.strings import GRADIO_TRANSLATIONS, text, ui_lang

log = logging.getLogger(__name__)

Lang = Literal["en", "zh-Hant", "zh-Hans"]


# --- request and response models (the OpenAPI schema at /openapi.json) ------------------------------------
def printable(value: object, limit: int = 80) -> str:
    """`value` as text that can always be sent as UTF-8 JSON and logged: unpaired surrogates escaped, cut short."""
    shown = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return shown if len(shown) <= limit else shown[:limit] + "…"


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("is blank")
    return value


NonBlank = Annotated[str, AfterValidator(_not_blank)]


class ApiModel(BaseModel):
    """A request body: unknown fields are refused, and so is text that is not valid Unicode (an unpaired
    surrogate such as \\ud800 parses from JSON but cannot be encoded). Errors never quote the input."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    @field_validator("*")
    @classmethod
    def _valid_unicode(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("is not valid Unicode text (it has an unpaired surrogate)") from None
        return value


class HistoryTurn(ApiModel):
    role: Literal["user", "assistant"]
    content: str


def ask_request_model(settings: Settings) -> type[ApiModel]:
    """The body of /api/ask, with this app's limits (ASKGOV_MAX_QUESTION_CHARS, ASKGOV_MAX_HISTORY_*)."""
    most_chars = settings.max_history_chars

    class AskRequest(ApiModel):
        question: NonBlank = Field(
            min_length=1, max_length=settings.max_question_chars, description="in English or Chinese"
        )
        history: list[HistoryTurn] = Field(
            default_factory=list,
            max_length=settings.max_history_turns,
            description=f"earlier turns, oldest first, for follow-up questions; at most {most_chars} characters "
            f"in all, and only the last {settings.history_turns_used} are read",
        )
        lang: Lang | None = Field(None, description="answer language; default: the question's")

        @field_validator("history")
        @classmethod
        def _history_size(cls, turns: list[HistoryTurn]) -> list[HistoryTurn]:
            total = sum(len(turn.content) for turn in turns)
            if total > most_chars:
                raise ValueError(f"has {total} characters in all; at most {most_chars} are accepted")
            return turns

    return AskRequest


def search_request_model(settings: Settings) -> type[ApiModel]:
    class SearchRequest(ApiModel):
        query: NonBlank = Field(min_length=1, max_length=settings.max_question_chars)
        k: int = Field(5, ge=1, le=50, description="number of passages")
        lang: Lang | None = Field(None, description="only passages in this language")
        doc_id: str | None = Field(None, max_length=200, description="only passages of this document")

    return SearchRequest


class AskResponse(BaseModel):
    """The JSON of `askgov ask --json`."""

    answer: str
    lang: Lang
    refused: bool
    backend: str
    fallback: str
    citations: list[Citation]
    timings: Timings


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


class ComponentHealth(BaseModel):
    ok: bool
    detail: str


class Health(BaseModel):
    ready: bool = Field(description="false (and status 503) when the index is missing or empty")
    chunks: int
    documents: int
    embedder: str
    backend: str
    components: dict[str, ComponentHealth] = Field(description="index, feedback store, model")


class Problem(BaseModel):
    error: str


# --- middleware --------------------------------------------------------------------------------------------
def parse_origins(value: str) -> list[str]:
    origins = [origin.rstrip("/") for origin in re.split(r"[\s,]+", value.strip()) if origin]
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:\d+)?", origin):
            raise ValueError(f"ASKGOV_EMBED_ORIGINS: '{origin}' is not an origin like https://www.example.org")
    return origins


def client_address(scope: Scope) -> str:
    """The client's address (uvicorn has already put a trusted proxy's X-Forwarded-For there)."""
    client = scope.get("client")
    return client[0] if client else "unknown"


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413 on every route (the API and Gradio's), whether or not
    Content-Length is sent. Nothing the public sends needs more: a question is at most a few KB."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
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


class ContainFailures:
    """An unexpected error becomes a plain 500, and a log line that names it without its message (which may quote
    the input: see `log_failure`) instead of the server's traceback of the whole exception."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:
            log_failure(log, f"{scope['method']} {printable(scope['path'])}", error)
            if not started:
                response = JSONResponse({"error": "the server failed; please try again later"}, status_code=500)
                await response(scope, receive, send)


class NoUploads:
    """Gradio's file upload route (of the chat and the console) answers 404: no page takes files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/").endswith("/gradio_api/upload"):
            return await JSONResponse({"error": "file uploads are off"}, status_code=404)(scope, receive, send)
        await self.app(scope, receive, send)


class StaffGate:
    """HTTP Basic login in front of everything under /staff (pages, assets, the console's API).

    A header verified once is remembered (no scrypt). Otherwise the scrypt runs in a worker thread, one at a
    time, so wrong passwords cannot stall the event loop or take both cores; an unknown name costs the same
    scrypt; a client or a user name with too many recent failures is refused (429) without any scrypt; and a
    wrong or refused login is answered after a delay, so a client waiting for its answers cannot flood the gate.
    """

    def __init__(self, app: ASGIApp, directory: StaffDirectory, rate_limits: RateLimits, delay: float) -> None:
        self.app, self.directory, self.rate_limits = app, directory, rate_limits
        self.delay = delay  # a client that waits for each answer cannot send wrong passwords faster than this
        self._hashing: anyio.CapacityLimiter | None = None  # made on first use: it belongs to the event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] not in ("http", "websocket") or not (path == STAFF_PATH or path.startswith(STAFF_PATH + "/")):
            return await self.app(scope, receive, send)
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        if path == LOGOUT_PATH:
            self.directory.forget(header)
            return await self._refuse(scope, receive, send, signed_out_page(), 401)
        if self.directory.remembered_user(header) is not None:
            return await self.app(scope, receive, send)
        name = basic_user_name(header)
        if name is not None:
            client = client_address(scope)
            for rate, key in (("login_failures_per_client", client), ("login_failures_per_user", name)):
                verdict = self.rate_limits.check(rate, key)
                if not verdict.allowed:
                    log.warning("staff login refused: too many wrong logins for this %s", rate.rsplit("_", 1)[-1])
                    message = f"Too many wrong logins: try again in {verdict.retry_after} seconds."
                    headers = {"Retry-After": str(verdict.retry_after)}
                    await anyio.sleep(self.delay)
                    return await self._refuse(scope, receive, send, JSONResponse({"error": message}, 429, headers))
            if await self._verify(header) is not None:
                return await self.app(scope, receive, send)
            self.rate_limits.hit("login_failures_per_client", client)
            self.rate_limits.hit("login_failures_per_user", name)
            await anyio.sleep(self.delay)
        message = (
            "Staff login required."
            if self.directory.users()
            else "No staff users are configured: run `askgov staff add-user NAME` on the server."
        )
        await self._refuse(scope, receive, send, JSONResponse({"detail": message}), 401)

    async def _verify(self, header: str) -> str | None:
        if self._hashing is None:
            self._hashing = anyio.CapacityLimiter(1)
        return await anyio.to_thread.run_sync(self.directory.user_for_basic_header, header, limiter=self._hashing)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, response: Response, status: int = 0) -> None:
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        if status == 401:
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Basic realm="AskGov HK staff", charset="UTF-8"'
        await response(scope, receive, send)


def signed_out_page() -> HTMLResponse:
    # A 401 makes the browser forget the credentials it kept for the console; the next visit asks again.
    return HTMLResponse(
        "<!doctype html><html lang=en><meta charset=utf-8><title>Signed out</title>"
        f"<p>You are signed out of the AskGov HK staff console. <a href='{STAFF_PATH}/'>Sign in again</a>.</p>"
    )


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
    from bot.server.citizen import CSS, accessible_theme, build_citizen_ui
    from bot.server.staff import build_staff_ui

    embed_origins = parse_origins(settings.embed_origins)
    withhold_gradio_messages()
    services = services or Services(settings)
    directory = StaffDirectory(
        settings.staff_users_file, settings.staff_users.get_secret_value(), database_users(settings)
    )
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
    add_error_handlers(app, settings.refusal_delay)
    add_api_routes(app, services)
    add_document_route(app, settings.corpus_dir)

    @app.get("/gradio.js", include_in_schema=False)
    def web_component() -> FileResponse:
        # Gradio's web-component loader, served from this site so embedding pages need no third-party script.
        return FileResponse(
            Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js", media_type="text/javascript"
        )

    @app.get(STAFF_PATH, include_in_schema=False)
    def staff_console(request: Request) -> RedirectResponse:
        # The mount answers only under /staff/; /staff is the address people are given (?lang= kept).
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"{STAFF_PATH}/{query}")

    theme = accessible_theme()
    gr.mount_gradio_app(
        app,
        build_staff_ui(services),
        path=STAFF_PATH,
        footer_links=[],
        run_history=False,
        # StaffGate has verified the header before any request gets here: this only names the user.
        auth_dependency=lambda request: directory.remembered_user(request.headers.get("authorization")),
        ssr_mode=False,
        mcp_server=False,
        theme=theme,
        i18n=GRADIO_TRANSLATIONS,
        show_error=True,
        max_file_size=0,
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
        i18n=GRADIO_TRANSLATIONS,
        css=CSS,
        show_error=False,
        max_file_size=0,
        head='<meta name="description" content="AskGov HK: cited answers about Hong Kong\'s '
        'AI-enabled public services.">',
    )

    # Added last so they run first: the gate and the limits act before any route or mount sees a request.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=embed_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["*"],
        allow_credentials=False,
    )
    app.add_middleware(NoUploads)
    app.add_middleware(BodyLimit, limit=settings.max_body_kb * 1024)
    app.add_middleware(StaffGate, directory=directory, rate_limits=services.rate_limits, delay=settings.refusal_delay)
    app.add_middleware(SecurityHeaders, embed_origins=embed_origins)
    app.add_middleware(ContainFailures)
    return app


def database_users(settings: Settings) -> Callable[[], dict[str, str]] | None:
    """The staff users of ASKGOV_DATABASE_URL's database, shared by all app processes; None without one."""
    if not settings.database_url.get_secret_value():
        return None
    from bot.db import database_url, open_engine
    from bot.db.users import StaffUserTable

    return StaffUserTable(open_engine(database_url(settings))).users


class RateLimited(Exception):
    """Raised by an endpoint when the client is over a rate; answered (429) by an asynchronous handler, so the
    refusal's delay holds no worker thread."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message, self.retry_after = message, retry_after


def add_error_handlers(app: FastAPI, delay: float) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        # Only where and what: the input itself (a question, personal data, NaN, lone surrogates) is never
        # echoed back or logged.
        detail = [
            {"loc": [printable(part) for part in e["loc"]], "msg": printable(e["msg"], 300), "type": e["type"]}
            for e in error.errors()
        ]
        problems = [f"{'.'.join(e['loc'][1:]) or 'body'}: {e['msg']}" for e in detail]
        await anyio.sleep(delay)
        return JSONResponse({"error": "; ".join(problems), "detail": detail}, status_code=422)

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, refusal: RateLimited) -> JSONResponse:
        await anyio.sleep(delay)
        headers = {"Retry-After": str(refusal.retry_after)}
        return JSONResponse({"error": refusal.message}, status_code=429, headers=headers)


def check_rate(services: Services, request: Request, rate: str, lang: str, cost: int = 1) -> None:
    """Count a use of `rate` by this client, or raise RateLimited with a message in `lang`."""
    verdict = services.rate_limits.hit(rate, client_address(request.scope), cost)
    if not verdict.allowed:
        raise RateLimited(text(lang, "rate_limited", seconds=verdict.retry_after), verdict.retry_after)


def add_api_routes(app: FastAPI, services: Services) -> None:
    settings = services.settings
    ask_model, search_model = ask_request_model(settings), search_request_model(settings)
    refusals = {
        413: {"description": f"body over {settings.max_body_kb} KB"},
        422: {"description": "invalid request: `error` names each field and what is wrong"},
        429: {"model": Problem, "description": "too many requests from this client; see Retry-After"},
        503: {"model": Problem, "description": "busy: try again after Retry-After seconds"},
    }

    @app.post("/api/ask", response_model=AskResponse, tags=["api"], responses=refusals)
    def ask(body: ask_model, request: Request) -> Any:  # type: ignore[valid-type]
        """Answer a question from the documents, with numbered citations (or a refusal pointing to 1823)."""
        lang = body.lang or ui_lang(detect_lang(body.question))
        cost = services.rate_limits.question_cost(body.question)
        check_rate(services, request, "rate_limit_questions", lang, cost)
        history = services.recent_turns([turn.model_dump() for turn in body.history])
        try:
            return services.ask(body.question, history=history, lang=body.lang).public_json()
        except Busy as busy:
            return busy_response(busy, lang)

    @app.post("/api/search", response_model=list[SearchHit], tags=["api"], responses=refusals)
    def search(body: search_model, request: Request) -> Any:  # type: ignore[valid-type]
        """The passages nearest to the query (cosine similarity), optionally of one language or document."""
        lang = body.lang or ui_lang(detect_lang(body.query))
        check_rate(services, request, "rate_limit_searches", lang)
        try:
            passages = services.dense_search(body.query, body.k, body.lang, (body.doc_id,) if body.doc_id else ())
        except Busy as busy:
            return busy_response(busy, lang)
        return [p.as_json() for p in passages]

    @app.get("/api/health", response_model=Health, tags=["api"], responses={503: {"model": Health}})
    def health(response: Response) -> Health:
        """Each component's state; `ready` (200) when the index holds chunks, else 503."""
        index = services.index_status()
        components = {
            "index": ComponentHealth(ok=index.ok, detail=index.detail),
            "feedback": ComponentHealth(**vars(services.feedback_status())),
            "model": ComponentHealth(
                ok=True, detail=f"embedder {settings.embedder}, backend {services.assistant.backend_name}"
            ),
        }
        if not index.ok:
            response.status_code = 503
        return Health(
            ready=index.ok,
            chunks=services.chunk_count() if index.ok else 0,
            documents=len(services.documents()) if index.ok else 0,
            embedder=settings.embedder,
            backend=services.assistant.backend_name,
            components=components,
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
        if "\x00" in path:
            raise HTTPException(400, "path: contains a NUL character")
        root = corpus_dir.resolve()
        try:
            target = (root / path).resolve()
            found = root in target.parents and target.is_file()
        except (OSError, ValueError):  # a name too long, or not encodable for the file system
            found = False
        hidden = any(part.startswith(".") for part in Path(path).parts)
        if hidden or not found or target.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise HTTPException(404, f"no document {printable(path)}")
        suffix = target.suffix.lower()
        headers = {"content-security-policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"}
        if suffix == ".pdf":
            return FileResponse(target, media_type="application/pdf", headers={"content-disposition": "inline"})
        if suffix in (".html", ".htm"):
            return FileResponse(target, media_type="text/html", headers=headers)
        return FileResponse(target, media_type=TEXT_TYPES.get(suffix, "text/plain; charset=utf-8"), headers=headers)
