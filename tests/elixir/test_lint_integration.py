"""lint against the real Mix: where formatting first changes a file, without touching it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.core.findings import Finding
from sessions.core.target import build_target
from sessions.elixir import lint

pytestmark = pytest.mark.integration


def test_locate_format_changes_uses_the_projects_formatter_without_touching_it(
    tmp_path: Path,
) -> None:
    root = tmp_path / "proj"
    (root / "lib").mkdir(parents=True)
    (root / "mix.exs").write_text(
        "defmodule P.MixProject do\n  use Mix.Project\n\n"
        '  def project, do: [app: :p, version: "0.1.0"]\nend\n'
    )
    (root / ".formatter.exs").write_text('[inputs: ["lib/**/*.ex"], line_length: 40]\n')
    source = (
        "defmodule P do\n  def f, do: :ok\n\n  def g(a, b), do: {:a_long_atom_here, a, b}\nend\n"
    )
    (root / "lib" / "p.ex").write_text(source)
    found = lint.locate_format_changes(build_target(root, {}), ["lib/p.ex"])
    # Only the line that breaks the project's 40-column limit changes.
    assert found == [Finding("lib/p.ex", 4, "not formatted (run `mix format`)")]
    assert (root / "lib" / "p.ex").read_text() == source
