"""`report -- merge`: shards summed into one report and one JUnit file, and their coverage into
one when they measured it; a missing or failed shard (or its coverage) fails the merge."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from sessions.core import junit
from sessions.core import report as run_report
from sessions.core.console import Console
from sessions.core.status import Status
from sessions.coverage import report as coverage_report
from sessions.coverage.lcov import FileLines
from sessions.coverage.model import Measured
from sessions.report import merge

pytestmark = pytest.mark.unit


def shard_dir(root: Path, k: int, n: int, status: Status = Status.PASSED) -> Path:
    directory = root / f"shard-{k}"
    suites = (
        run_report.SuiteReport("pytest", status, tests=10 + k, failures=int(status.bad)),
        run_report.SuiteReport("mix test (default)", Status.PASSED, tests=k, flaky=(f"t{k}",)),
    )
    run_report.write(run_report.RunReport("app", suites=suites, shards=(f"{k}/{n}",)), directory)
    cases = [junit.Case("m", f"test_{k}_{i}", Status.PASSED) for i in range(10 + k)]
    (directory / "pytest.xml").write_text(junit.render("pytest", cases))
    return directory


def run(dirs: list[Path], out: Path) -> tuple[merge.Merged, str]:
    stream = io.StringIO()
    parsed = merge.options_parser().parse_args(["merge", *map(str, dirs)])
    return merge.run(parsed, out, Console(stream, {})), stream.getvalue()


def test_three_shards_give_one_report_and_one_junit_file(tmp_path: Path) -> None:
    dirs = [shard_dir(tmp_path, k, 3) for k in (1, 2, 3)]
    result, output = run(dirs, tmp_path / "out")
    assert result.ok, result.message
    assert result.report is not None
    assert result.report.totals.tests == 11 + 12 + 13 + 1 + 2 + 3
    assert result.report.shards == ("1/3", "2/3", "3/3")
    merged = run_report.read(tmp_path / "out" / "report.json")
    assert merged == result.report
    suite = next(s for s in merged.suites if s.name == "mix test (default)")
    assert suite.flaky == ("t1", "t2", "t3")
    assert "mix test (default): t2" in output
    cases = junit.read(tmp_path / "out" / merge.JUNIT_NAME).cases
    assert len(cases) == 36 and len({c.name for c in cases}) == 36


def test_a_missing_shard_fails_with_one_line(tmp_path: Path) -> None:
    dirs = [shard_dir(tmp_path, k, 3) for k in (1, 3)]
    result, _ = run(dirs, tmp_path / "out")
    assert (result.ok, result.message) == (False, "shards do not add up: missing 2/3")
    assert not (tmp_path / "out" / "report.json").exists()


def test_a_failed_shard_fails_the_merge(tmp_path: Path) -> None:
    dirs = [shard_dir(tmp_path, 1, 2), shard_dir(tmp_path, 2, 2, Status.FAILED)]
    result, output = run(dirs, tmp_path / "out")
    assert (result.ok, result.message) == (False, "merged report failed: pytest")
    assert "total" in output


def test_a_directory_without_a_report_is_named(tmp_path: Path) -> None:
    result, _ = run([tmp_path / "nothing"], tmp_path / "out")
    assert not result.ok
    assert result.message.startswith(f"{tmp_path / 'nothing' / 'report.json'}: no report there")


def _with_coverage(directory: Path, pool_lines: dict[int, int], by_mix: dict[int, int]) -> Path:
    measured = Measured(
        [FileLines("lib/app/pool.ex", pool_lines)],
        [FileLines("priv/python/pkg/__main__.py", {1: 0, 2: 0})],
        [FileLines("priv/python/pkg/__main__.py", by_mix)],
        "priv/python",
    )
    (directory / "coverage").mkdir()
    coverage_report.write_json(directory / "coverage" / "coverage.json", measured)
    return directory


def test_shards_that_measured_coverage_merge_it_next_to_the_report(tmp_path: Path) -> None:
    dirs = [
        _with_coverage(shard_dir(tmp_path, 1, 2), {1: 1, 2: 0, 3: 0}, {1: 0, 2: 0}),
        _with_coverage(shard_dir(tmp_path, 2, 2), {1: 0, 2: 4, 3: 0}, {1: 1, 2: 0}),
    ]
    result, output = run(dirs, tmp_path / "out")
    assert result.ok, result.message
    merged = json.loads((tmp_path / "out" / "coverage" / "coverage.json").read_text())
    assert merged["elixir"]["lib/app/pool.ex"]["covered"] == [1, 2]
    assert merged["python"]["priv/python/pkg/__main__.py"]["by_mix_test"] == [1]
    assert "SF:lib/app/pool.ex" in (tmp_path / "out" / "coverage" / "coverage.lcov").read_text()
    assert "noxpit coverage: 2 reports merged" in output
    assert "Python modules only the Elixir tests reach: pkg.__main__" in output


def test_a_shard_without_coverage_among_shards_with_it_fails_with_one_line(
    tmp_path: Path,
) -> None:
    dirs = [_with_coverage(shard_dir(tmp_path, 1, 2), {1: 1}, {1: 1}), shard_dir(tmp_path, 2, 2)]
    result, output = run(dirs, tmp_path / "out")
    assert not result.ok
    assert result.message == (
        f"{dirs[1] / 'coverage' / 'coverage.json'}: not found, but 1 other report(s) have "
        "coverage; run every shard with `nox -s coverage` (or tests -- --cover), or merge only "
        "runs without it"
    )
    assert not (tmp_path / "out").exists()  # nothing half-written
    assert "Traceback" not in output


def test_a_broken_coverage_file_is_named(tmp_path: Path) -> None:
    dirs = [shard_dir(tmp_path, 1, 2), shard_dir(tmp_path, 2, 2)]
    for directory in dirs:
        (directory / "coverage").mkdir()
        (directory / "coverage" / "coverage.json").write_text("{}")
    result, _ = run(dirs, tmp_path / "out")
    assert not result.ok
    assert "coverage.json: not a noxpit coverage.json" in result.message
