"""Flaky tests end to end on a copy of the sample: an ExUnit test and a pytest test that fail
only on their first run (a marker file) are reported flaky, pass the run with
``flaky = "warn"``, fail it with ``"fail"`` (the CI default), and the history counts them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sessions.core import junit
from sessions.core import report as run_report
from tests.helpers import run_nox

pytestmark = pytest.mark.e2e

FLAKY_EXUNIT = """
defmodule NoxpitFlakyTest do
  use ExUnit.Case, async: true

  test "fails only on its first run" do
    marker = Path.join(File.cwd!(), "exunit-flaky-marker")

    unless File.exists?(marker) do
      File.write!(marker, "")
      flunk("first run")
    end
  end
end
"""

FLAKY_PYTEST = """
from pathlib import Path


def test_fails_only_on_its_first_run():
    marker = Path("pytest-flaky-marker")
    if not marker.exists():
        marker.write_text("")
        raise AssertionError("first run")
"""

EXUNIT_ID = "test fails only on its first run (NoxpitFlakyTest)"
PYTEST_ID = "test_fails_only_on_its_first_run (priv.python.tests.test_noxpit_flaky)"


def summary_row(output: str, suite: str) -> list[str]:
    rows = [line for line in output.splitlines() if line.startswith(suite + "  ")]
    assert rows, f"no summary row for {suite!r} in:\n{output}"
    return rows[-1].split()


def fresh_markers(project: Path) -> None:
    for name in ("exunit-flaky-marker", "pytest-flaky-marker"):
        (project / name).unlink(missing_ok=True)


@pytest.fixture
def planted(sample_copy: Path) -> Path:
    (sample_copy / "test" / "noxpit_flaky_test.exs").write_text(FLAKY_EXUNIT)
    (sample_copy / "priv" / "python" / "tests" / "test_noxpit_flaky.py").write_text(FLAKY_PYTEST)
    return sample_copy


def test_a_test_that_fails_once_is_flaky_warn_passes_fail_fails(planted: Path) -> None:
    reports = planted / "_build" / "noxpit"
    (planted / "noxpit.toml").write_text(
        (planted / "noxpit.toml").read_text() + '\n[tests]\nflaky = "warn"\n'
    )
    fresh_markers(planted)
    warn = run_nox(planted, "-s", "tests")
    assert warn.returncode == 0, warn.stdout
    # suite, result, tests, failures, flaky, ...
    # Under load a sample test of its own may flake too: the planted one must be among them.
    status, tests, failures, flakes = summary_row(warn.stdout, "mix test (default)")[3:7]
    assert (status, tests, failures) == ("flaky", "28", "0") and int(flakes) >= 1
    status, tests, failures, flakes = summary_row(warn.stdout, "pytest")[1:5]
    assert (status, tests, failures) == ("flaky", "89", "0") and int(flakes) >= 1
    assert f"mix test (default): {EXUNIT_ID}: flaked 1 of 1 runs" in warn.stdout
    report = run_report.read(reports / "report.json")
    flaky = {s.name: s.flaky for s in report.suites}
    assert EXUNIT_ID in flaky["mix test (default)"]
    assert PYTEST_ID in flaky["pytest"]
    # The JUnit file holds the test once, passed, with its first failure kept.
    exunit = junit.read(reports / "mix-test-default.xml")
    assert [c.outcome for c in exunit.cases if c.classname == "NoxpitFlakyTest"] == ["passed"]
    assert "<flakyFailure" in (reports / "mix-test-default.xml").read_text()
    assert not list(reports.glob("*.rerun.xml"))
    assert not (planted / "priv" / "python" / ".pytest_cache").exists()

    (planted / "noxpit.toml").write_text(
        (planted / "noxpit.toml").read_text().replace('flaky = "warn"', "")
    )
    fresh_markers(planted)
    on_ci = run_nox(planted, "-s", "tests", env={"CI": "true"})  # default on CI: "fail"
    assert on_ci.returncode != 0
    status, tests, failures, flakes = summary_row(on_ci.stdout, "mix test (default)")[3:7]
    assert (status, tests, failures) == ("failed", "28", "0") and int(flakes) >= 1
    assert '[tests] flaky = "warn" lets them pass' in on_ci.stdout
    assert run_report.read(reports / "report.json").status == "failed"

    history = json.loads((reports / "test-history.json").read_text())["tests"]
    assert history[f"mix test (default) :: {EXUNIT_ID}"] == {"runs": 2, "failures": 0, "flakes": 2}
    assert history[f"pytest :: {PYTEST_ID}"] == {"runs": 2, "failures": 0, "flakes": 2}


def test_no_rerun_leaves_a_failure_a_failure(planted: Path) -> None:
    fresh_markers(planted)
    result = run_nox(planted, "-s", "mix_test", "--", "--no-rerun", "test/noxpit_flaky_test.exs")
    assert result.returncode != 0
    assert "rerunning" not in result.stdout
    assert "mix test (default) failed" in result.stdout
    fresh_markers(planted)
    local = {"CI": "", "GITHUB_ACTIONS": ""}  # "warn", the local default, even on CI
    rerun = run_nox(planted, "-s", "mix_test", "--", "test/noxpit_flaky_test.exs", env=local)
    assert rerun.returncode == 0, rerun.stdout
    assert f"flaky: {EXUNIT_ID}" in rerun.stdout


def test_a_shard_reruns_every_failed_test_of_its_own(sample_copy: Path) -> None:
    """Four test files that fail once, last in Mix's sorted order: each of the 2 partitions
    gets two, and the rerun must run both (a rerun with --partitions would split them)."""
    for n in range(1, 5):
        module = f"NoxpitZzFlaky{n}Test"
        source = FLAKY_EXUNIT.replace("NoxpitFlakyTest", module).replace(
            '"exunit-flaky-marker"', f'"{module}-marker"'
        )
        (sample_copy / "test" / f"zz_flaky_{n}_test.exs").write_text(source)
    local = {"CI": "", "GITHUB_ACTIONS": ""}
    for k in (1, 2):
        result = run_nox(sample_copy, "-s", "tests", "--", "--shard", f"{k}/2", env=local)
        assert result.returncode == 0, result.stdout
        row = summary_row(result.stdout, "mix test (default)")
        assert row[3:7] == ["flaky", row[4], "0", "2"], row
