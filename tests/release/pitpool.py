"""A small Mix project (pitpool) to release in-process, as the child of `nox -s release`
does; shared by the release tests."""

from __future__ import annotations

import io
from pathlib import Path

from sessions.core.console import Console
from sessions.core.target import build_target
from sessions.release.flow import run
from sessions.release.options import parse

MIX_EXS = """defmodule Pitpool.MixProject do
  use Mix.Project

  @version "0.1.0"

  def project do
    [
      app: :pitpool,
      version: @version,
      elixir: "~> 1.14",
      deps: deps()
    ]
  end

  defp deps, do: []
end
"""

README = """# Pitpool

```elixir
def deps do
  [
    {:pitpool, "~> 0.1.0"}
  ]
end
```

Upgrading from `{:pitpool, "~> 0.0.3"}`? Pools now restart. `{:other, "~> 0.1.0"}` is not ours.
"""

CHANGELOG = """# Changelog

All notable changes to this project will be documented in this file.

## [Unreleased]

### Added
- Pool resizing at runtime.

## [0.1.0] - 2025-01-01

### Added
- First release.

[Unreleased]: https://github.com/acme/pitpool/compare/v0.1.0...HEAD
[0.1.0]: https://github.com/acme/pitpool/releases/tag/v0.1.0
"""

LIB = 'defmodule Pitpool do\n  @moduledoc "v0.1.0 of nothing"\nend\n'


def make_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "lib").mkdir()
    for name, text in {
        "mix.exs": MIX_EXS,
        "README.md": README,
        "CHANGELOG.md": CHANGELOG,
        "lib/pitpool.ex": LIB,
    }.items():
        (root / name).write_text(text)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def do_release(root: Path, *argv: str) -> str:
    """Run a release in-process, as the child of `nox -s release` does; its output."""
    stream = io.StringIO()
    target = build_target(root, {})
    run(target, parse(list(argv)), Console(stream, {}), environ={})
    return stream.getvalue()


def changed_files(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def listed(output: str) -> dict[str, list[str]]:
    """The ``file:line`` of each mention under bumped / kept (history) / not changed."""
    sections: dict[str, list[str]] = {"bumped": [], "kept (history)": [], "not changed": []}
    current: str | None = None
    for line in output.splitlines():
        if line.startswith("noxpit > "):
            title = line.removeprefix("noxpit > ")
            current = next((name for name in sections if title.startswith(name + ":")), None)
        elif current is not None and line.startswith("  ") and not line.startswith("   "):
            sections[current].append(line.split()[0])
        else:
            current = None
    return sections
