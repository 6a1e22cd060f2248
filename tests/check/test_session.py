"""The check session's options and its closing line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.check import results
from sessions.check.session import CheckError, failure_message, names_to_run, options_parser, passed
from sessions.core.options import UsageError
from sessions.core.report import RunReport, StepReport
from sessions.core.report import write as write_report
from sessions.core.status import Status
from tests.check.support import demo_target

pytestmark = pytest.mark.unit


def test_an_unknown_step_is_one_usage_line_naming_the_steps() -> None:
    with pytest.raises(UsageError) as caught:
        options_parser().parse_args(["lint", "lnt"])
    message = str(caught.value)
    assert message.startswith("Usage: nox -s check --") and "\n" not in message
    assert "unknown step 'lnt'; NAME: lint, dialyzer, tests, examples, docs_check" in message


@pytest.mark.parametrize("jobs", ["0", "two"])
def test_a_bad_budget_is_a_usage_line(jobs: str) -> None:
    with pytest.raises(UsageError, match="--jobs"):
        options_parser().parse_args(["--jobs", jobs])


def test_retry_without_an_earlier_check_says_what_to_run(tmp_path: Path) -> None:
    target = demo_target(tmp_path / "demo")
    with pytest.raises(CheckError, match=r"no earlier check report .*run `nox -s check` first"):
        names_to_run(target, options_parser().parse_args(["--retry"]))


def test_retry_runs_what_failed_narrowed_by_names(tmp_path: Path) -> None:
    target = demo_target(tmp_path / "demo")
    steps = (StepReport("lint", Status.FAILED), StepReport("tests", Status.FAILED))
    write_report(RunReport("demo", steps=steps), target.reports_dir / results.RETRY_DIR)
    assert names_to_run(target, options_parser().parse_args(["--retry"])) == ["lint", "tests"]
    assert names_to_run(target, options_parser().parse_args(["--retry", "tests"])) == ["tests"]
    assert names_to_run(target, options_parser().parse_args(["--retry", "examples"])) is None


def test_the_closing_line_names_the_failed_steps_and_the_retry() -> None:
    report = RunReport(
        "demo",
        steps=(
            StepReport("lint", Status.FAILED, 1.0, "lint failed: format"),
            StepReport("tests", Status.PASSED),
        ),
    )
    assert not passed(report)
    assert failure_message(report) == (
        "check: 1 of 2 steps failed: lint; rerun them with `nox -s check -- --retry`"
    )


def test_a_doctor_error_stops_the_run_and_says_so() -> None:
    report = RunReport(
        "demo",
        steps=(
            StepReport("doctor", Status.FAILED, 1.0, "doctor found 1 problem(s): venv .venv"),
            StepReport("lint", Status.SKIPPED, 0.0, "not run: doctor failed"),
        ),
    )
    assert failure_message(report).startswith(
        "check stopped: doctor failed (doctor found 1 problem(s): venv .venv)"
    )
    assert passed(None)  # nothing to retry
