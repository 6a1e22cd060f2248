"""`nox -s check` end to end on one copy of the sample: green, then one problem planted at a
time, each failing exactly its step with every other step passed; `--retry` then runs only
that step, and goes green once the problem is gone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_nox

pytestmark = pytest.mark.e2e

MAIN = ("lint", "dialyzer", "tests", "examples", "docs_check")
PRELUDE = ("setup", "doctor", "compile (test)", "compile (dev)")

WRONG_SPEC = """defmodule Pitpool.Planted do
  @moduledoc false

  @spec double(integer()) :: atom()
  def double(x), do: x * 2
end
"""

FAILING_TEST = """defmodule Pitpool.PlantedTest do
  use ExUnit.Case, async: true

  test "planted failure" do
    assert String.length("ab") == 3
  end
end
"""

FAILING_EXAMPLE = """# A planted failure.
IO.puts("about to fail")
System.halt(3)
"""

# step -> (file relative to the sample, new text or None to edit in place)
PLANTS = {
    "lint": "lib/pitpool.ex",
    "dialyzer": "lib/pitpool/planted.ex",
    "tests": "test/pitpool/planted_test.exs",
    "examples": "examples/planted.exs",
    "docs_check": "README.md",
}


def plant(project: Path, step: str) -> tuple[Path, str | None]:
    """Plant the problem for ``step``; returns the file and its old text (None: new file)."""
    path = project / PLANTS[step]
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if step == "lint":
        assert old is not None and "defmodule Pitpool do" in old
        path.write_text(old.replace("defmodule Pitpool do", "defmodule   Pitpool do", 1))
    elif step == "docs_check":
        assert old is not None
        path.write_text(old + "\nSee [the missing guide](docs/missing-guide.md).\n")
    else:
        text = {"dialyzer": WRONG_SPEC, "tests": FAILING_TEST, "examples": FAILING_EXAMPLE}
        path.write_text(text[step])
    return path, old


def unplant(path: Path, old: str | None) -> None:
    if old is None:
        path.unlink()
    else:
        path.write_text(old)


def statuses(project: Path) -> dict[str, str]:
    report = json.loads((project / "_build" / "noxpit" / "report.json").read_text())
    return {step["name"]: step["status"] for step in report["steps"]}


@pytest.fixture(scope="module")
def green(sample_copy: Path) -> Path:
    result = run_nox(sample_copy, "-s", "check", timeout=900)
    assert result.returncode == 0, result.stdout[-6000:]
    return sample_copy


def test_check_passes_on_the_sample(green: Path) -> None:
    assert statuses(green) == dict.fromkeys((*PRELUDE, *MAIN), "passed")
    report = json.loads((green / "_build" / "noxpit" / "report.json").read_text())
    suites = {s["name"]: s for s in report["suites"]}
    assert suites["pytest"]["tests"] > 0 and suites["mix test (default)"]["tests"] > 0
    junit = (green / "_build" / "noxpit" / "check.xml").read_text()
    assert junit.count("<testsuite ") == len(suites)


@pytest.mark.parametrize("step", MAIN)
def test_a_planted_problem_fails_exactly_its_step_and_retry_runs_only_it(
    green: Path, step: str
) -> None:
    path, old = plant(green, step)
    try:
        result = run_nox(green, "-s", "check", timeout=900)
        assert result.returncode != 0, result.stdout[-6000:]
        expected = dict.fromkeys((*PRELUDE, *MAIN), "passed") | {step: "failed"}
        assert statuses(green) == expected, result.stdout[-6000:]
        assert f"steps failed: {step};" in result.stdout

        retried = run_nox(green, "-s", "check", "--", "--retry", timeout=900)
        assert retried.returncode != 0
        after = statuses(green)
        assert after[step] == "failed"
        assert {s for s in MAIN if after[s] != "skipped"} == {step}, retried.stdout[-6000:]
        assert f"noxpit > check: {step} started" in retried.stdout
        if step == "tests":  # inside tests only the failed test reran
            assert "mix test --failed" in retried.stdout
    finally:
        unplant(path, old)
    fixed = run_nox(green, "-s", "check", "--", "--retry", timeout=900)
    assert fixed.returncode == 0, fixed.stdout[-6000:]
    assert statuses(green)[step] == "passed"


def test_an_unknown_step_is_one_usage_line(green: Path) -> None:
    result = run_nox(green, "-s", "check", "--", "lnt")
    assert result.returncode != 0
    usage = [line for line in result.stdout.splitlines() if "Usage:" in line]
    assert len(usage) == 1 and "lint, dialyzer, tests, examples, docs_check" in usage[0]
    assert "Traceback" not in result.stdout


def test_on_github_annotations_name_workspace_paths_and_the_summary_is_written_once(
    green: Path,
) -> None:
    summary = green.parent / "summary.md"
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(green.parent),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    path, old = plant(green, "lint")
    try:
        result = run_nox(green, "-s", "check", "--", "lint", env=env)
    finally:
        unplant(path, old)
    assert result.returncode != 0
    commands = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert commands == [
        f"::error file={green.name}/lib/pitpool.ex,line=1,title=lint format::"
        "not formatted (run `mix format`)"
    ]
    lines = result.stdout.splitlines()
    fences = [line for line in lines if line.startswith("::stop-commands::")]
    assert fences and all(f"::{f.removeprefix('::stop-commands::')}::" in lines for f in fences)
    text = summary.read_text()
    assert text.count("### noxpit check: failed") == 1
    assert f"| {green.name}/lib/pitpool.ex:1 | not formatted" in text
