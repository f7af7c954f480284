"""The wording rules on the answer path stay a small general core: the regular expressions in bot/ (outside
bot/ingest/, which reads documents rather than questions) may hold at most BUDGET alternatives, counted as one per
expression plus every `|` outside a character class, at any depth.

Expressions are found statically: every call of a function of `re` whose pattern is a string the module spells out
(a literal, an f-string, a concatenation, or a module-level name bound to one, also across `from bot... import`).
A failure found later becomes a training example of the learned decision (`bot.answer.decide`), not a pattern.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
EXCLUDED = (BOT / "ingest",)
# A ratchet: the count reached, to be lowered as pattern families are replaced by learned features (target: 400).
BUDGET = 846
_RE_FUNCTIONS = frozenset({"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"})


def alternatives(pattern: str) -> int:
    """One for the expression plus one per `|` outside character classes ("a|[|]" counts 2)."""
    count, i, in_class = 1, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 1
            if pattern[i : i + 1] == "^":
                i += 1
            if pattern[i : i + 1] == "]":  # a ']' first in a class is literal
                i += 1
            continue
        elif char == "|":
            count += 1
        i += 1
    return count


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


class _Strings:
    """Module-level names bound to strings, resolved across the bot package's modules."""

    def __init__(self, trees: dict[str, ast.Module]) -> None:
        self.trees = trees
        self.cache: dict[tuple[str, str], str | None] = {}

    def value(self, node: ast.AST, module: str) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            parts = [self.value(value, module) for value in node.values]
            return "".join(part or "" for part in parts)
        if isinstance(node, ast.FormattedValue):
            return self.value(node.value, module)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.value(node.left, module), self.value(node.right, module)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.Name):
            return self.name(node.id, module)
        return None

    def name(self, name: str, module: str) -> str | None:
        key = (module, name)
        if key in self.cache:
            return self.cache[key]
        self.cache[key] = None  # against cycles
        tree = self.trees.get(module)
        found = None
        for statement in tree.body if tree else []:
            if isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in statement.targets
            ):
                found = self.value(statement.value, module)
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                if statement.target.id == name and statement.value is not None:
                    found = self.value(statement.value, module)
            elif isinstance(statement, ast.ImportFrom) and statement.module and statement.module.startswith("bot"):
                for alias in statement.names:
                    if (alias.asname or alias.name) == name:
                        found = self.name(alias.name, statement.module)
        self.cache[key] = found
        return found


def expressions() -> list[tuple[str, int, str]]:
    """(module, line, pattern) for every regular expression of bot/ outside bot/ingest/."""
    paths = [p for p in sorted(BOT.rglob("*.py")) if not any(p.is_relative_to(e) for e in EXCLUDED)]
    trees = {_module_name(p): ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in paths}
    strings = _Strings(trees)
    found = []
    for module, tree in trees.items():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.func.attr in _RE_FUNCTIONS
                and node.args
            ):
                pattern = strings.value(node.args[0], module)
                if pattern is not None:
                    found.append((module, node.lineno, pattern))
    return found


def test_the_counter_reads_alternatives_outside_character_classes() -> None:
    assert alternatives("abc") == 1
    assert alternatives("a|b|c") == 3
    assert alternatives("(a|(b|c))d") == 3
    assert alternatives("[|]|x") == 2
    assert alternatives(r"a\|b") == 1
    assert alternatives("[]|]x|y") == 2
    assert alternatives("[^]|]") == 1


def test_the_counter_finds_expressions_spelled_through_names() -> None:
    module = "bot.answer.evidence"
    found = [pattern for name, _, pattern in expressions() if name == module]
    assert found, "no expression found in bot/answer/evidence.py"


def test_the_answer_path_holds_at_most_the_budget_of_alternatives() -> None:
    counted = {(module, line): alternatives(pattern) for module, line, pattern in expressions()}
    total = sum(counted.values())
    largest = sorted(counted.items(), key=lambda item: -item[1])[:5]
    assert total <= BUDGET, f"{total} alternatives in bot/ (budget {BUDGET}); largest: {largest}"
