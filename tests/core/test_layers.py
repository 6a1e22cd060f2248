"""The layers of ``sessions/``, enforced: core knows no area, an area imports only the areas
it declares, only ``noxsupport`` (and the noxfile) imports nox, and no import cycle.
See docs/architecture.md."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.unit


SESSIONS = REPO / "sessions"

# Each area and the other areas it may import (core is always allowed, and always alone).
ALLOWED: Mapping[str, frozenset[str]] = {
    "core": frozenset(),
    "python": frozenset(),
    "elixir": frozenset(),
    "release": frozenset(),
    "docs": frozenset({"elixir", "examples"}),
    "examples": frozenset({"elixir", "python"}),
    "doctor": frozenset({"elixir", "python"}),
    "suite": frozenset({"elixir", "python"}),
    "report": frozenset({"coverage"}),  # report -- merge merges the runs' coverage too
    "bench": frozenset({"elixir", "examples", "python", "suite"}),
    "coverage": frozenset({"elixir", "python", "suite"}),
    # check runs each step as its own nox child; it reads the areas' config (Mix envs,
    # ports) to declare what the steps hold, and compiles with elixir's build.
    "check": frozenset({"doctor", "elixir", "examples", "python"}),
}
NOX_MODULES = frozenset({"sessions.noxsupport"})


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str) -> set[str]:
    """Every module ``module`` imports (``from a import b`` counts as ``a.b`` when b is one)."""
    found: set[str] = set()
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    modules = {module_name(p, root): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = imports_of(path.read_text(encoding="utf-8"), name)
        graph[name] = {d for d in deps if d in modules or d == "nox" or d.startswith("nox.")}
    return graph


def area_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else None  # sessions.<area>.<module>


def violations(graph: Mapping[str, set[str]]) -> list[str]:
    problems: list[str] = []
    for module, deps in sorted(graph.items()):
        area = area_of(module)
        for dep in sorted(deps):
            if dep == "nox" or dep.startswith("nox."):
                if module not in NOX_MODULES:
                    problems.append(f"{module} imports nox (only noxsupport may)")
                continue
            target = area_of(dep)
            if area is None or target is None or target in (area, "core"):
                if area == "core" and target not in (None, "core"):
                    problems.append(f"{module} (core) imports the area module {dep}")
                continue
            if target not in ALLOWED.get(area, frozenset()):
                problems.append(f"{module} ({area}) imports {dep} ({target}), not declared")
            if area == "core":
                problems.append(f"{module} (core) imports the area module {dep}")
    problems.extend(f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph))
    return problems


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if dep not in graph:
                continue
            if state.get(dep) == 1:
                found.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_sessions_respect_the_layers() -> None:
    assert violations(import_graph(SESSIONS)) == []


def test_every_area_is_declared() -> None:
    areas = {p.name for p in SESSIONS.iterdir() if (p / "__init__.py").is_file()}
    assert areas == set(ALLOWED)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("sessions.core.target", "from sessions.python import env\n", "(core) imports"),
        ("sessions.python.env", "from sessions.elixir import build\n", "not declared"),
        ("sessions.elixir.lint", "import nox\n", "imports nox"),
        ("sessions.docs.check", "from sessions.python import env\n", "not declared"),
    ],
)
def test_a_planted_violation_is_reported(
    tmp_path: Path, module: str, source: str, expected: str
) -> None:
    root = tmp_path / "sessions"
    for name in ("core/target", "python/env", "elixir/build", "elixir/lint", "docs/check"):
        path = root / f"{name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text("")
    (root / "examples").mkdir()
    (root / "examples" / "__init__.py").touch()
    (root / "examples" / "runner.py").write_text("")
    (root / "__init__.py").touch()
    (root / (module.split(".", 1)[1].replace(".", "/") + ".py")).write_text(source)
    problems = violations(import_graph(root))
    assert any(expected in p for p in problems), problems


def test_a_planted_cycle_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "sessions"
    (root / "elixir").mkdir(parents=True)
    for name in ("__init__", "elixir/__init__"):
        (root / f"{name}.py").touch()
    (root / "elixir" / "a.py").write_text("from sessions.elixir import b\n")
    (root / "elixir" / "b.py").write_text("from sessions.elixir.a import x\n")
    assert any("import cycle" in p for p in violations(import_graph(root)))
