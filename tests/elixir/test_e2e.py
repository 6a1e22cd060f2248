"""The Elixir gates end to end on a copy of the sample: `tests` writes JUnit XML that its
summary matches and compiles once; `lint` and `dialyzer` pass, then name planted problems.

`dialyzer` uses the user's PLT cache (~/.cache/noxpit/plts, as CI does): the first run on
a machine builds the core PLT, which takes a minute or two.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sessions.core import junit
from tests.helpers import run_nox

pytestmark = pytest.mark.e2e

SUITE_FILES = {
    "pytest": "pytest.xml",
    "mix test (default)": "mix-test-default.xml",
    "mix test (python_integration)": "mix-test-python_integration.xml",
    "mix test (integration)": "mix-test-integration.xml",
}

BADLY_FORMATTED = """defmodule NoxpitPlanted.Format do
  @moduledoc false

  def  ok,   do: :ok
end
"""

WITH_WARNING = """defmodule NoxpitPlanted.Warning do
  @moduledoc false

  def ok do
    unused = 1
    :ok
  end
end
"""

WRONG_SPEC = """defmodule NoxpitPlanted.Spec do
  @moduledoc false

  @spec answer() :: String.t()
  def answer, do: 42
end
"""


def summary_cells(output: str, name: str) -> list[str]:
    rows = [line for line in output.splitlines() if line.startswith(name + "  ")]
    assert rows, f"no summary row for {name!r} in:\n{output}"
    return re.split(r"\s{2,}", rows[-1].strip())


def test_tests_writes_junit_that_the_summary_matches_with_one_compile(sample_copy: Path) -> None:
    shutil.rmtree(sample_copy / "_build", ignore_errors=True)  # a fresh test build
    result = run_nox(sample_copy, "-s", "tests")
    # Whether every sample test passes is test_tests_e2e's concern; here: the reports.
    assert "noxpit tests summary" in result.stdout, result.stdout
    compiles = re.findall(r"^Compiling \d+ files? \(", result.stdout, re.MULTILINE)
    assert len(compiles) == 1, result.stdout
    assert len(re.findall(r"noxpit > mix compile \(test\): compiled \d+ files", result.stdout)) == 1

    reports = sample_copy / "_build" / "noxpit"
    counts = []
    for suite, file in SUITE_FILES.items():
        report = junit.read(reports / file)
        assert report.counts.tests > 0, file
        # suite, result, tests, failures, flaky, skipped; a test the rerun rescued is flaky
        suite_, status, tests, failures, flaky, skipped = summary_cells(result.stdout, suite)[:6]
        expected = "failed" if report.counts.failures else ("flaky" if int(flaky) else "passed")
        assert status == expected, (suite_, status, flaky)
        assert [tests, failures, skipped] == [
            str(report.counts.tests),
            str(report.counts.failures),
            str(report.counts.skipped),
        ]
        counts.append(report.counts)
    total = junit.total(counts)
    assert (result.returncode == 0) == (total.failures == 0)
    _, status, tests, failures, flaky, skipped = summary_cells(result.stdout, "total")[:6]
    assert status in (("passed", "flaky") if total.failures == 0 else ("failed",))
    assert [tests, failures, skipped] == [
        str(total.tests),
        str(total.failures),
        str(total.skipped),
    ]


def test_lint_passes_then_names_a_format_error_and_a_compiler_warning(sample_copy: Path) -> None:
    clean = run_nox(sample_copy, "-s", "lint")
    assert clean.returncode == 0, clean.stdout
    assert summary_cells(clean.stdout, "format")[1] == "passed"
    assert summary_cells(clean.stdout, "compile")[1] == "passed"

    planted = [sample_copy / "lib" / "noxpit_planted_format.ex"]
    planted.append(sample_copy / "lib" / "noxpit_planted_warning.ex")
    planted[0].write_text(BADLY_FORMATTED)
    planted[1].write_text(WITH_WARNING)
    try:
        result = run_nox(sample_copy, "-s", "lint")
    finally:
        for path in planted:
            path.unlink()
    assert result.returncode != 0
    assert "lib/noxpit_planted_format.ex:4: not formatted" in result.stdout
    assert 'lib/noxpit_planted_warning.ex:5: warning: variable "unused" is unused' in result.stdout
    assert summary_cells(result.stdout, "format")[1] == "failed"
    assert summary_cells(result.stdout, "compile")[1] == "failed"
    assert "lint failed: format, compile" in result.stdout


def test_dialyzer_passes_then_names_a_wrong_spec(sample_copy: Path) -> None:
    clean = run_nox(sample_copy, "-s", "dialyzer", timeout=1200)
    assert clean.returncode == 0, clean.stdout
    assert "noxpit > dialyzer: 0 warnings" in clean.stdout

    planted = sample_copy / "lib" / "noxpit_planted_spec.ex"
    planted.write_text(WRONG_SPEC)
    try:
        result = run_nox(sample_copy, "-s", "dialyzer", timeout=1200)
    finally:
        planted.unlink()
    assert result.returncode != 0
    assert (
        "noxpit > dialyzer: lib/noxpit_planted_spec.ex:4: Invalid type specification for "
        "function NoxpitPlanted.Spec.answer/0" in result.stdout
    )
    assert "noxpit > dialyzer: 1 warning" in result.stdout
    assert "dialyzer: 1 warning; fix them or waive them in .dialyzer_ignore" in result.stdout


def test_mix_test_on_a_fresh_copy_prepares_the_venv_its_workers_need(fresh_sample: Path) -> None:
    done = run_nox(fresh_sample, "-s", "mix_test", "--", "python_integration")
    assert done.returncode == 0, done.stdout
    assert (fresh_sample / ".venv" / "bin" / "python3").exists()
    assert re.search(r"\b0 failures\b", done.stdout), done.stdout
