"""`nox -s coverage` on a copy of the sample: both languages, the worker module only the
Elixir tests reach, LCOV that parses, lines that drop with their test, an untouched venv."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from sessions.core.console import Console
from sessions.core.target import load_target
from sessions.coverage import lcov, python_tool, runner
from sessions.coverage import session as coverage_session
from sessions.elixir import variants
from tests.helpers import copy_sample, run_nox

pytestmark = pytest.mark.e2e


PLACEHOLDER = """defmodule Pitpool.PoolTest do
  use ExUnit.Case
  @moduletag :integration

  test "placeholder", do: assert(true)
end
"""


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _report(root: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((root / "_build/noxpit/coverage/coverage.json").read_text())


def test_coverage_covers_both_languages_and_the_workers_elixir_starts(tmp_path: Path) -> None:
    sample = copy_sample(tmp_path / "sample")
    setup = run_nox(sample, "-s", "setup")
    assert setup.returncode == 0, setup.stdout
    venv_before = _files(sample / ".venv")

    result = run_nox(sample, "-s", "tests", "--", "--cover")
    assert result.returncode == 0, result.stdout
    summary = result.stdout.split("noxpit coverage summary", 1)[1]
    assert "elixir    lib/pitpool" in summary
    assert "python    priv/python/pitpool_worker" in summary
    assert "Python modules only the Elixir tests reach: pitpool_worker.__main__" in summary
    assert _files(sample / ".venv") == venv_before
    assert not (sample / "cover").exists()

    report = _report(sample)
    main = report["python"]["priv/python/pitpool_worker/__main__.py"]
    assert main["by_mix_test"] and not main["by_pytest"]

    reports = sample / "_build/noxpit/coverage"
    parsed = lcov.read((reports / "coverage.lcov").read_text(), "coverage.lcov")
    paths = {f.path for f in parsed}
    assert "lib/pitpool/pool.ex" in paths
    assert "priv/python/pitpool_worker/worker.py" in paths
    assert (reports / "html/elixir/index.html").is_file()
    assert (reports / "html/python/index.html").is_file()

    # Each mix test run wrote its LCOV as it ended; without those, the report reads the
    # exports (noxpit's script, the fallback) and gives the same lines.
    written = sorted((reports / "data").glob("elixir-*.lcov"))
    assert [p.name for p in written] == [
        "elixir-default.lcov",
        "elixir-integration.lcov",
        "elixir-python_integration.lcov",
    ]
    for path in written:
        path.unlink()
    target = load_target(sample, {"NOXPIT_PROJECT": str(sample)})
    tool = python_tool.ensure(target, Console(io.StringIO(), {}))
    fallback = coverage_session.measure(target, tool, runner.layout(target), variants.plan(target))
    from_exports = {f.path: sorted(n for n, h in f.hits.items() if h) for f in fallback.elixir}
    assert from_exports == {path: f["covered"] for path, f in report["elixir"].items()}

    # pool_test.exs is what drives Pitpool.Pool's calls: without its tests, their lines go
    # (one placeholder stays, so the integration variant still has a test to run).
    (sample / "test/pitpool/pool_test.exs").write_text(PLACEHOLDER)
    again = run_nox(sample, "-s", "coverage")
    assert again.returncode == 0, again.stdout
    before = set(report["elixir"]["lib/pitpool/pool.ex"]["covered"])
    after = set(_report(sample)["elixir"]["lib/pitpool/pool.ex"]["covered"])
    assert after < before


def test_fail_under_fails_with_one_line_per_language(tmp_path: Path) -> None:
    sample = copy_sample(tmp_path / "sample")
    with (sample / "noxpit.toml").open("a") as toml:
        toml.write("\n[coverage]\nfail_under = { elixir = 100, python = 100 }\n")
    result = run_nox(sample, "-s", "coverage")
    assert result.returncode != 0
    assert "elixir coverage " in result.stdout and "fail_under elixir = 100" in result.stdout
    assert "python coverage " in result.stdout and "fail_under python = 100" in result.stdout
