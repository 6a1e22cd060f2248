"""report.json: written and read back exactly, and shards merged into one run."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.core import report
from sessions.core.findings import Finding
from sessions.core.status import Status

pytestmark = pytest.mark.unit


def shard(
    k: int, n: int, tests: int, failures: int = 0, flaky: tuple[str, ...] = ()
) -> report.RunReport:
    status = Status.FAILED if failures else Status.PASSED
    return report.RunReport(
        target="sample",
        steps=(report.StepReport("tests", status, 2.0),),
        suites=(
            report.SuiteReport("mix test (default)", status, tests, failures, 1, 1.5, flaky),
            report.SuiteReport("pytest", Status.PASSED, 10, 0, 0, 0.5),
        ),
        findings=(Finding("lib/a.ex", 3, "unused variable"),) if failures else (),
        shards=(f"{k}/{n}",),
        seconds=2.0 + k,
    )


def test_round_trip(tmp_path: Path) -> None:
    original = shard(1, 3, 12, 1, ("Pool starts",))
    path = report.write(original, tmp_path / "reports")
    assert path.name == "report.json"
    assert report.read(path) == original


def test_merge_sums_suites_and_keeps_the_worst_status() -> None:
    merged = report.merge(
        [shard(1, 3, 5), shard(2, 3, 7, 1, ("Pool starts",)), shard(3, 3, 4)], expected_shards=3
    )
    default = next(s for s in merged.suites if s.name == "mix test (default)")
    assert (default.tests, default.failures, default.skipped) == (16, 1, 3)
    assert default.status == Status.FAILED
    assert default.flaky == ("Pool starts",)
    assert merged.totals.tests == 16 + 30
    assert merged.status == Status.FAILED
    assert merged.shards == ("1/3", "2/3", "3/3")
    assert merged.findings == (Finding("lib/a.ex", 3, "unused variable"),)


@pytest.mark.parametrize(
    ("shards", "message"),
    [
        ([(1, 3), (2, 3)], "missing 3/3"),
        ([(1, 3), (1, 3), (2, 3), (3, 3)], "twice 1/3"),
        ([(1, 2), (2, 2), (3, 3)], "not of 3 1/2, 2/2"),
    ],
)
def test_a_merge_never_looks_green_with_a_shard_missing(
    shards: list[tuple[int, int]], message: str
) -> None:
    with pytest.raises(report.ReportError, match=message):
        report.merge([shard(k, n, 1) for k, n in shards], expected_shards=3)


@pytest.mark.parametrize("text", ["", "[]", '{"format": 99}', '{"format": 1}', "not json"])
def test_a_bad_file_is_one_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "report.json"
    path.write_text(text)
    with pytest.raises(report.ReportError) as caught:
        report.read(path)
    assert str(caught.value).startswith(f"{path}: not a valid noxpit report")
    assert "\n" not in str(caught.value)


def test_a_missing_file_says_what_to_check(tmp_path: Path) -> None:
    with pytest.raises(report.ReportError, match="did the run"):
        report.read(tmp_path / "report.json")
