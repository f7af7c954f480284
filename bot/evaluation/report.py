"""The evaluation report: `report.json` (every figure and item), `report.md`, and a self-contained `report.html`
whose plots (matplotlib, PNG) are embedded as base64, so the page can be mailed or archived as one file.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from pathlib import Path

from bot.evaluation.evaluate import FIGURES, GROUPS, LATENCIES, LATENCY_PERCENTILES, SHAPE_PERCENTILES, SHAPES

LANG_GROUPS = tuple(g for g in GROUPS if g == "all" or g.startswith("lang:"))
KIND_GROUPS = tuple(g for g in GROUPS if g.startswith("kind:"))
LATENCY_FIGURES = tuple(f"{n}.p{q}" for n in LATENCIES for q in LATENCY_PERCENTILES)
SHAPE_FIGURES = tuple(f"{n}.p{q}" for n in SHAPES for q in SHAPE_PERCENTILES)
# A shorter answer citing fewer sources reads better, once it states what was asked (lead_accuracy says whether)
LOWER_IS_BETTER = ("personal_data_echoed", *SHAPE_FIGURES, *LATENCY_FIGURES)
Table = tuple[list[str], list[list[str]]]


def decimals(name: str) -> int:
    """Counts, milliseconds and characters in whole numbers; sources per answer to one place; shares to three."""
    if name in ("items", "personal_data_echoed", *LATENCY_FIGURES) or name.startswith("answer_chars."):
        return 0
    return 1 if name.startswith("sources.") else 3


def fmt(name: str, value: float | None) -> str:
    return "–" if value is None else f"{value:.{decimals(name)}f}"


def _figures(record: dict, system: str, group: str = "all") -> dict[str, float | None]:
    return record["systems"][system]["figures"][group]


def summary_table(record: dict) -> Table:
    """Figure by system for all items; with baselines, the main system's figure as a ratio of each."""
    systems = list(record["systems"])
    main = record["meta"]["main"]
    others = [s for s in systems if s != main]
    headers = ["figure", *systems, *(f"{main} / {s}" for s in others)]
    rows = []
    for name in ("items", *FIGURES):
        values = [_figures(record, s).get(name) for s in systems]
        ratios = [
            _ratio(_figures(record, main).get(name), _figures(record, s).get(name)) if name != "items" else ""
            for s in others
        ]
        rows.append([name, *(fmt(name, v) for v in values), *ratios])
    return headers, rows


def _ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None or theirs == 0:
        return "–"
    return f"{ours / theirs:.2f}×"


def group_table(record: dict, system: str, groups: Sequence[str]) -> Table:
    headers = ["figure", *(g.split(":", 1)[-1] for g in groups)]
    rows = [[name, *(fmt(name, _figures(record, system, g).get(name)) for g in groups)] for name in ("items", *FIGURES)]
    return headers, rows


def failures(record: dict, system: str) -> list[tuple[str, str, list[str]]]:
    """(item id, "kind, lang", problems) of every item of `system` that did not pass."""
    return [
        (s["id"], f"{s['kind']}, {s['lang']}", s["problems"])
        for s in record["systems"][system]["items"]
        if s["problems"]
    ]


def compare(record: dict, previous: dict) -> dict:
    """Deltas (now - before) of every figure both runs have, per system and language group."""
    deltas: dict = {}
    for system, data in record["systems"].items():
        before_system = previous.get("systems", {}).get(system)
        if not before_system:
            continue
        for group in LANG_GROUPS:
            now, before = data["figures"].get(group, {}), before_system["figures"].get(group, {})
            for name in FIGURES:
                if now.get(name) is not None and before.get(name) is not None:
                    deltas.setdefault(system, {}).setdefault(group, {})[name] = {
                        "before": before[name],
                        "now": now[name],
                        "delta": now[name] - before[name],
                    }
    return deltas


def different_items(record: dict, previous: dict) -> str:
    """A warning when the two runs did not score the same items (their deltas then mix in item changes)."""

    def ids(run: dict) -> set[str]:
        main = run["systems"][run["meta"]["main"]]
        return {item["id"] for item in main["items"]}

    now, before = ids(record), ids(previous)
    if now == before:
        return ""
    return (
        f"the runs scored different items ({len(now - before)} only now, {len(before - now)} only before): "
        "deltas mix changes of the system with changes of the items"
    )


def compare_table(deltas: dict, system: str) -> Table:
    rows = []
    for group, by_name in deltas.get(system, {}).items():
        for name, d in by_name.items():
            if abs(d["delta"]) > 1e-9:
                worse = (d["delta"] > 0) == (name in LOWER_IS_BETTER)
                delta = f"{d['delta']:+.{decimals(name)}f}"
                rows.append(
                    [group, name, fmt(name, d["before"]), fmt(name, d["now"]), delta + (" (worse)" if worse else "")]
                )
    return ["group", "figure", "before", "now", "delta"], rows


# --- plots --------------------------------------------------------------------------------------------------
def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _bars(axis, labels: list[str], series: dict[str, list[float | None]], title: str) -> None:
    width = 0.8 / max(len(series), 1)
    for index, (name, values) in enumerate(series.items()):
        positions = [i + index * width for i in range(len(labels))]
        axis.bar(positions, [v or 0.0 for v in values], width, label=name)
    axis.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(labels))], labels, rotation=20)
    axis.set_ylim(0, 1.05)
    axis.set_title(title)
    axis.legend(fontsize=7)


def plots(record: dict, deltas: dict | None = None) -> dict[str, str]:
    """Base64 PNGs: accuracy by language and kind, latency distribution, baselines, deltas."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = list(record["systems"])
    main = record["meta"]["main"]
    images = {}
    figure, axes = plt.subplots(1, 2, figsize=(12, 4))
    for axis, groups in zip(axes, (LANG_GROUPS, KIND_GROUPS)):
        series = {s: [_figures(record, s, g)["pass_rate"] for g in groups] for s in systems}
        _bars(axis, [g.split(":", 1)[-1] for g in groups], series, "items passed (every check)")
    images["Items passed by language and by kind"] = _png(figure)
    figure, axes = plt.subplots(1, 3, figsize=(15, 4))
    for axis, name in zip(axes, ("answer_accuracy", "lead_accuracy", "refusal_recall")):
        series = {s: [_figures(record, s, g).get(name) for g in LANG_GROUPS] for s in systems}
        _bars(axis, [g.split(":", 1)[-1] for g in LANG_GROUPS], series, name)
    images["Answer accuracy, lead accuracy and refusal recall by language"] = _png(figure)
    figure, axes = plt.subplots(1, len(LATENCIES), figsize=(12, 4), sharey=True)
    for axis, name in zip(axes, LATENCIES):
        samples = [
            [v for s in record["systems"][system]["items"] if (v := s["values"][name]) is not None] or [0.0]
            for system in systems
        ]
        axis.boxplot(samples, whis=(5, 95))
        axis.set_xticks(range(1, len(systems) + 1), systems, rotation=20, fontsize=8)
        axis.set_yscale("log")
        axis.set_title(f"{name} (box: quartiles, whiskers: p5-p95)", fontsize=9)
    images["Latency distribution"] = _png(figure)
    if len(systems) > 1:
        headline = ["answer_accuracy", "refusal_recall", "refusal_precision", "recall@5", "mrr", "pass_rate"]
        figure, axis = plt.subplots(figsize=(10, 4))
        _bars(axis, headline, {s: [_figures(record, s)[n] for n in headline] for s in systems}, "all items")
        images["Baseline comparison"] = _png(figure)
    if deltas and deltas.get(main, {}).get("all"):
        changed = {n: d["delta"] for n, d in deltas[main]["all"].items() if n not in LOWER_IS_BETTER}
        figure, axis = plt.subplots(figsize=(8, 0.3 * len(changed) + 1))
        axis.barh(
            list(changed),
            list(changed.values()),
            color=["tab:green" if v >= 0 else "tab:red" for v in changed.values()],
        )
        axis.axvline(0, color="black", linewidth=0.8)
        axis.set_title(f"change against the previous run ({main}, all items)")
        images["Change against the previous run"] = _png(figure)
    return images


# --- writing ------------------------------------------------------------------------------------------------
def _markdown_table(table: Table) -> str:
    headers, rows = table
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _html_table(table: Table) -> str:
    headers, rows = table
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def sections(record: dict, deltas: dict | None) -> list[tuple[str, Table | list[str]]]:
    """(heading, table or lines) in report order; shared by the Markdown and the HTML."""
    main = record["meta"]["main"]
    meta = record["meta"]
    found = [
        ("Summary", summary_table(record)),
        (f"{main}: by language", group_table(record, main, LANG_GROUPS)),
        (f"{main}: by kind", group_table(record, main, KIND_GROUPS)),
    ]
    if deltas:
        if warning := record.get("compare_warning"):
            found.append(("Warning", [warning]))
        found.append((f"Change against the previous run ({main})", compare_table(deltas, main)))
    lines = [f"{item_id} ({where}): " + "; ".join(problems) for item_id, where, problems in failures(record, main)]
    found.append((f"{main}: failing items ({len(lines)} of {meta['items']})", lines or ["none"]))
    return found


def _intro(record: dict) -> str:
    meta = record["meta"]
    return (
        f"Split {meta['split']} ({meta['items']} items{', limited' if meta.get('limit') else ''}), "
        f"embedder {meta['embedder']}, backends {', '.join(meta['backends'])}, thresholds "
        f"{meta['thresholds']}, {meta['chunks']} chunks indexed, {meta['seconds']} s."
    )


def markdown(record: dict, deltas: dict | None = None) -> str:
    parts = ["# AskGov HK evaluation", "", _intro(record)]
    for heading, content in sections(record, deltas):
        body = _markdown_table(content) if isinstance(content, tuple) else "\n".join(f"- {x}" for x in content)
        parts += ["", f"## {heading}", "", body]
    return "\n".join(parts) + "\n"


def html_page(record: dict, images: dict[str, str], deltas: dict | None = None) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>AskGov HK evaluation</title><style>",
        "body{font-family:sans-serif;max-width:1200px;margin:2em auto}table{border-collapse:collapse;"
        "font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
        "td:first-child{text-align:left}li{font-size:13px}</style></head><body>",
        "<h1>AskGov HK evaluation</h1>",
        f"<p>{html.escape(_intro(record))}</p>",
    ]
    for title, data in images.items():
        parts.append(
            f"<h2>{html.escape(title)}</h2><img alt='{html.escape(title)}' src='data:image/png;base64,{data}'>"
        )
    for heading, content in sections(record, deltas):
        body = (
            _html_table(content)
            if isinstance(content, tuple)
            else "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in content) + "</ul>"
        )
        parts.append(f"<h2>{html.escape(heading)}</h2>{body}")
    return "\n".join(parts + ["</body></html>"])


def write_reports(record: dict, out_dir: Path, previous: dict | None = None) -> dict[str, Path]:
    """Write report.json, report.md and report.html into `out_dir`; return their paths."""
    deltas = compare(record, previous) if previous else None
    if previous is not None:
        record = {**record, "compare": deltas, "compare_warning": different_items(record, previous)}
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {kind: out_dir / f"report.{kind}" for kind in ("json", "md", "html")}
    paths["json"].write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    paths["md"].write_text(markdown(record, deltas), encoding="utf-8")
    paths["html"].write_text(html_page(record, plots(record, deltas), deltas), encoding="utf-8")
    return paths


def load_previous(path: Path) -> dict:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: cannot read a previous report ({error})") from error
    if not isinstance(record, dict) or "systems" not in record:
        raise ValueError(f"{path}: not a report.json of `askgov eval` (no 'systems')")
    return record
