"""The Elixir side's LCOV writer on a real `mix test --cover` export: only the project's
own sources, named relative to the project, even after the project moved with its _build
(the beams then keep the old absolute paths and Mix still finds the build up to date), and
never a source from outside the project credited to a project file of the same name."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sessions.coverage import lcov
from sessions.coverage.collect import LCOV_SCRIPT

pytestmark = pytest.mark.integration

MIX_EXS = """defmodule Tiny.MixProject do
  use Mix.Project
  def project, do: [app: :tiny, version: "0.1.0", deps: []]
end
"""
LIB = """defmodule Tiny do
  def used(x), do: x + 1

  def unused(x) do
    x * 2
  end
end
"""
TEST = """defmodule TinyTest do
  use ExUnit.Case
  test "used", do: assert(Tiny.used(1) == 2)
end
"""


def build(root: Path, files: dict[str, str]) -> Path:
    """A Mix project at ``root`` with ``files``, tested once with coverage exported."""
    if shutil.which("mix") is None:
        pytest.skip("mix is not on PATH")
    for name, text in {"test/test_helper.exs": "ExUnit.start()\n", **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    mix = ["mix", "test", "--cover", "--export-coverage", "run"]
    done = subprocess.run(mix, cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return root


def lcov_of(root: Path, out: Path) -> dict[str, lcov.FileLines]:
    command = [
        "elixir",
        str(LCOV_SCRIPT),
        str(root / "_build" / "test" / "lib" / "tiny" / "ebin"),
        str(root),
        str(out),
        str(root / "cover" / "run.coverdata"),
    ]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return {f.path: f for f in lcov.read(out.read_text(), out.name)}


def test_sources_are_named_relative_to_the_project_after_it_moved(tmp_path: Path) -> None:
    files = {"mix.exs": MIX_EXS, "lib/tiny.ex": LIB, "test/tiny_test.exs": TEST}
    built = build(tmp_path / "built", files)
    moved = built.rename(tmp_path / "moved")  # the beams still name built/lib/tiny.ex
    tiny = lcov_of(moved, tmp_path / "elixir.lcov")["lib/tiny.ex"]
    assert tiny.hit == 1 and tiny.found == 2  # used/1 ran, unused/1 did not


def test_a_source_outside_the_project_is_never_taken_for_one_of_its_files(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "shared" / "lib" / "helper.ex"
    shared.parent.mkdir(parents=True)
    shared.write_text("defmodule Shared.Helper do\n  def twice(x), do: x * 2\nend\n")
    paths = f'deps: [], elixirc_paths: ["lib", "{shared.parent}"]'
    files = {
        "mix.exs": MIX_EXS.replace("deps: []", paths),
        "lib/tiny.ex": LIB,
        # Same relative path as the shared file, never called.
        "lib/helper.ex": "defmodule Tiny.Helper do\n  def never(x), do: x\nend\n",
        "test/tiny_test.exs": TEST.replace("== 2)", "== 2 and Shared.Helper.twice(2) == 4)"),
    }
    found = lcov_of(build(tmp_path / "tiny", files), tmp_path / "elixir.lcov")
    assert sorted(found) == ["lib/helper.ex", "lib/tiny.ex"]
    assert found["lib/helper.ex"].hit == 0  # Shared.Helper's hits are not credited here
