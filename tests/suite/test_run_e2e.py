"""`nox -s tests` end to end on a copy of the sample: green, then each suite broken in turn."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_nox

pytestmark = pytest.mark.e2e

FAILING_EXUNIT = """
defmodule NoxpitPlantedTest do
  use ExUnit.Case, async: true

  test "planted failure" do
    assert 1 + 1 == 3
  end
end
"""

FAILING_PYTEST = "def test_planted_failure():\n    assert 1 + 1 == 3\n"


def summary_row(output: str, suite: str) -> str:
    rows = [line for line in output.splitlines() if line.startswith(suite + "  ")]
    assert rows, f"no summary row for {suite!r} in:\n{output}"
    return rows[-1]


def test_tests_passes_on_the_sample(sample_copy: Path) -> None:
    result = run_nox(sample_copy, "-s", "tests")
    assert result.returncode == 0, result.stdout
    assert "noxpit tests summary" in result.stdout
    for suite in (
        "setup",
        "pytest",
        "mix test (default)",
        "mix test (python_integration)",
        "mix test (integration)",
    ):
        assert "passed" in summary_row(result.stdout, suite)
    assert (sample_copy / ".venv" / "bin" / "python3").exists()


def nox_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("nox > ")]


def test_failing_exunit_test_fails_is_named_and_failed_reruns_go_green(sample_copy: Path) -> None:
    planted = sample_copy / "test" / "noxpit_planted_test.exs"
    planted.write_text(FAILING_EXUNIT)
    try:
        result = run_nox(sample_copy, "-s", "tests")
        assert result.returncode != 0
        assert "failed" in summary_row(result.stdout, "mix test (default)")
        assert "passed" in summary_row(result.stdout, "pytest")
        assert "suites failed: mix test (default)" in result.stdout
        # The hint is a command that exists, and the end does not read like an interruption.
        assert "`nox -s mix_test -- default --failed`" in result.stdout
        assert nox_lines(result.stdout)[-1].startswith("nox > Session tests failed")
        assert "aborted" not in result.stdout

        # --failed: only the variant that failed is red; the others have nothing to rerun.
        rerun = run_nox(sample_copy, "-s", "tests", "--", "--failed")
        assert rerun.returncode != 0
        assert "failed" in summary_row(rerun.stdout, "mix test (default)")
        for variant in ("python_integration", "integration"):
            assert "nothing to rerun" in summary_row(rerun.stdout, f"mix test ({variant})")
        assert "1 of 6 failed" in summary_row(rerun.stdout, "total")

        planted.write_text(FAILING_EXUNIT.replace("1 + 1 == 3", "1 + 1 == 2"))  # fixed
        fixed = run_nox(sample_copy, "-s", "tests", "--", "--failed")
        assert fixed.returncode == 0, fixed.stdout
        assert "passed" in summary_row(fixed.stdout, "mix test (default)")
    finally:
        planted.unlink()


def test_failing_pytest_fails_and_is_named(sample_copy: Path) -> None:
    planted = sample_copy / "priv" / "python" / "tests" / "test_noxpit_planted.py"
    planted.write_text(FAILING_PYTEST)
    try:
        result = run_nox(sample_copy, "-s", "tests")
    finally:
        planted.unlink()
    assert result.returncode != 0
    assert "failed" in summary_row(result.stdout, "pytest")
    assert "passed" in summary_row(result.stdout, "mix test (default)")
    assert "suites failed: pytest" in result.stdout


def test_a_directory_that_is_not_a_mix_project_is_one_line(tmp_path: Path) -> None:
    result = run_nox(tmp_path, "-s", "tests", timeout=120)
    assert result.returncode != 0
    assert f"{tmp_path} is not a Mix project (no mix.exs)" in result.stdout
    assert "Traceback" not in result.stdout
    errors = [line for line in result.stdout.splitlines() if "not a Mix project" in line]
    assert len(errors) == 1
