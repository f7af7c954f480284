"""constraints.txt must pin every dependency pyproject.toml declares, at a version its range admits."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def _pins() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for number, line in enumerate((ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep, f"constraints.txt line {number} is not NAME==VERSION: {line!r}"
        pins[canonicalize_name(name)] = Version(version)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    return [Requirement(spec) for spec in specs]


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    pins = _pins()
    stale = []
    for requirement in _declared():
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned, prereleases=True):
            stale.append(f"{requirement} (constraints.txt: {pinned or 'missing'})")
    assert not stale, "run `make lock`: " + "; ".join(stale)


def test_torch_is_pinned_without_a_local_build_tag() -> None:
    # `+cpu` names this disk's wheel; PyPI has no such release, so a pin with it fails elsewhere
    assert str(_pins()["torch"]) == "2.13.0"
