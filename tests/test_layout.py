"""Imports follow the flow ingest -> store -> retrieve -> answer -> server: no module imports one downstream."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

# Each layer and the packages it must not import.
FORBIDDEN = {
    "bot.ingest": ("bot.answer", "bot.server", "bot.evaluation", "bot.retrieve"),
    "bot.store": ("bot.answer", "bot.server", "bot.evaluation", "bot.ingest"),
    "bot.text": ("bot.answer", "bot.server", "bot.evaluation", "bot.retrieve"),
    "bot.lang": ("bot.answer", "bot.server", "bot.evaluation", "bot.retrieve"),
    "bot.retrieve": ("bot.answer", "bot.server", "bot.evaluation"),
    "bot.answer": ("bot.server", "bot.evaluation", "bot.ingest"),
    "bot.server": ("bot.evaluation",),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def violations() -> list[str]:
    found = []
    for path in sorted(BOT.rglob("*.py")):
        name = module_name(path)
        for layer, banned in FORBIDDEN.items():
            if within(name, layer):
                found += [
                    f"{path.relative_to(BOT.parent)} imports {target}"
                    for target in sorted(imported_modules(path))
                    if any(within(target, package) for package in banned)
                ]
    return found


def test_no_module_imports_against_the_flow() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from bot.server.app import build_app\n", ["bot.server.app", "bot.server.app.build_app"]),
        ("import bot.evaluation.metrics\n", ["bot.evaluation.metrics"]),
        ("def f():\n    from bot.answer import chain\n", ["bot.answer", "bot.answer.chain"]),
    ],
)
def test_imports_are_found_at_any_depth(tmp_path: Path, source: str, expected: list[str]) -> None:
    path = tmp_path / "module.py"
    path.write_text(source, encoding="utf-8")
    assert sorted(imported_modules(path)) == expected
