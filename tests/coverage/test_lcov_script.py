"""The Elixir side's LCOV writer on a real `mix test --cover` export: only the project's
own sources, named relative to the project, even after the project moved with its _build
(the beams then keep the old absolute paths and Mix still finds the build up to date)."""

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


def test_sources_are_named_relative_to_the_project_after_it_moved(tmp_path: Path) -> None:
    if shutil.which("mix") is None:
        pytest.skip("mix is not on PATH")
    built = tmp_path / "built"
    (built / "lib").mkdir(parents=True)
    (built / "test").mkdir()
    (built / "mix.exs").write_text(MIX_EXS)
    (built / "lib" / "tiny.ex").write_text(LIB)
    (built / "test" / "test_helper.exs").write_text("ExUnit.start()\n")
    (built / "test" / "tiny_test.exs").write_text(TEST)
    mix = ["mix", "test", "--cover", "--export-coverage", "run"]
    done = subprocess.run(mix, cwd=built, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    moved = built.rename(tmp_path / "moved")  # the beams still name built/lib/tiny.ex
    out = tmp_path / "elixir.lcov"
    command = [
        "elixir",
        str(LCOV_SCRIPT),
        str(moved / "_build" / "test" / "lib" / "tiny" / "ebin"),
        str(moved),
        str(out),
        str(moved / "cover" / "run.coverdata"),
    ]
    done = subprocess.run(command, cwd=moved, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    (tiny,) = lcov.read(out.read_text(), "elixir.lcov")
    assert tiny.path == "lib/tiny.ex"
    assert tiny.hit == 1 and tiny.found == 2  # used/1 ran, unused/1 did not
