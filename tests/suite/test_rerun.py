"""A suite's status after its rerun, under each ``[tests] flaky`` policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.core import junit, procs
from sessions.core.status import Status
from sessions.suite import rerun

pytestmark = pytest.mark.unit

REPORT = junit.Report((junit.Case("T", "test x", Status.PASSED),))


def made(returncode: int, flaky: tuple[str, ...] = (), rescued: bool = False) -> rerun.Tested:
    completed = procs.Completed(("mix", "test"), returncode, 1.0)
    return rerun.Tested("mix test (default)", completed, REPORT, flaky, rescued)


def test_flaky_passes_with_warn_and_fails_with_fail() -> None:
    rescued = made(2, ("test x (T)",), rescued=True)
    assert rerun.verdict(rescued, "warn") == (Status.FLAKY, "1 flaky (passed when rerun)")
    status, detail = rerun.verdict(rescued, "fail")
    assert status == Status.FAILED
    assert detail == '1 flaky, failing the run ([tests] flaky = "fail")'


def test_a_failure_the_rerun_did_not_rescue_is_a_failure() -> None:
    assert rerun.verdict(made(2, ("test y (T)",), rescued=False), "warn") == (
        Status.FAILED,
        "exit 2",
    )
    assert rerun.verdict(made(0), "fail") == (Status.PASSED, "")
    no_report = rerun.Tested("pytest", procs.Completed(("pytest",), 0, 1.0), None)
    assert rerun.verdict(no_report, "warn")[0] == Status.ERROR


def test_a_rerun_file_cut_short_keeps_the_first_runs_failures(tmp_path: Path) -> None:
    first = tmp_path / "mix-test-default.xml"
    first.write_text(junit.render("t", [junit.Case("T", "test x", Status.FAILED, "boom")]))
    rerun_file = tmp_path / "mix-test-default.rerun.xml"
    rerun_file.write_text("<testsuites><testsuite><testcase")
    report, flaky, rescued = rerun._fold(first, rerun_file, procs.Completed(("mix",), 0, 1.0))
    assert report is not None and report.counts.failures == 1
    assert (flaky, rescued) == ((), False)
    assert not rerun_file.exists()
