"""The `tests` summary: one row per suite with counts from its JUnit file, and the total."""

from __future__ import annotations

import io

import pytest

from sessions.core.console import Console
from sessions.core.junit import Counts
from sessions.core.options import UsageError
from sessions.core.status import Status
from sessions.suite import run as suite

pytestmark = pytest.mark.unit


def test_summary_rows_and_total() -> None:
    results = [
        suite.SuiteResult("setup", Status.PASSED, 0.1, "up to date"),
        suite.SuiteResult("pytest", Status.PASSED, 1.5, "", Counts(87, 0, 1)),
        suite.SuiteResult("mix compile (test)", Status.PASSED, 0.8, "8 files compiled"),
        suite.SuiteResult("mix test (default)", Status.FAILED, 1.2, "exit 2", Counts(27, 2, 0)),
        suite.SuiteResult(
            "mix test (integration)", Status.ERROR, 0.0, "not run: mix compile failed"
        ),
    ]
    rows = suite.summary_rows(results)
    assert rows[0] == ["setup", "passed", "-", "-", "-", "0.1s", "up to date"]
    assert rows[1][:5] == ["pytest", "passed", "87", "0", "1"]
    assert rows[3][:5] == ["mix test (default)", "failed", "27", "2", "0"]
    assert rows[-1] == ["total", "failed", "114", "2", "1", "3.6s", "2 of 5 failed"]
    out = io.StringIO()
    assert suite.summarize(Console(out, {}), results) is False
    assert "noxpit tests summary" in out.getvalue()
    assert suite.failure_message(results) == (
        "2 of 5 suites failed: mix test (default), mix test (integration)"
    )


def test_tests_takes_only_failed() -> None:
    assert suite.options_parser().parse_args(["--failed"]).failed is True
    assert suite.options_parser().parse_args([]).failed is False
    with pytest.raises(UsageError, match=r"Usage: nox -s tests --"):
        suite.options_parser().parse_args(["--fast"])
