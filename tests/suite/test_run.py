"""The `tests` summary: one row per suite with counts from its JUnit file, and the total."""

from __future__ import annotations

import io
import re
import threading
import time
from pathlib import Path

import pytest

from sessions.core.console import Console
from sessions.core.junit import Counts
from sessions.core.options import UsageError
from sessions.core.shard import parse as parse_shard
from sessions.core.status import Status
from sessions.core.target import Target, build_target
from sessions.elixir import variants
from sessions.suite import options as suite_options
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
    assert rows[0] == ["setup", "passed", "-", "-", "-", "-", "0.1s", "up to date"]
    assert rows[1][:6] == ["pytest", "passed", "87", "0", "0", "1"]
    assert rows[3][:6] == ["mix test (default)", "failed", "27", "2", "0", "0"]
    assert rows[-1] == ["total", "failed", "114", "2", "0", "1", "3.6s", "2 of 5 failed"]
    out = io.StringIO()
    assert suite.summarize(Console(out, {}), results) is False
    assert "noxpit tests summary" in out.getvalue()
    assert suite.failure_message(results) == (
        "2 of 5 suites failed: mix test (default), mix test (integration)"
    )


def test_tests_options() -> None:
    parser = suite_options.parser()
    assert parser.parse_args(["--failed"]).failed is True
    defaults = parser.parse_args([])
    assert (defaults.failed, defaults.rerun, defaults.shard) == (False, True, None)
    assert parser.parse_args(["--no-rerun"]).rerun is False
    assert str(parser.parse_args(["--shard", "2/3"]).shard) == "2/3"
    with pytest.raises(UsageError, match=r"Usage: nox -s tests --"):
        parser.parse_args(["--fast"])
    with pytest.raises(UsageError, match=r"--shard 4/3: expected K/N with 1 <= K <= N"):
        parser.parse_args(["--shard", "4/3"])


def test_flaky_suites_are_counted_apart_and_named() -> None:
    flaky = ("test races (PoolTest)",)
    results = [
        suite.SuiteResult("setup", Status.PASSED, 0.1, "up to date"),
        suite.SuiteResult("pytest", Status.PASSED, 1.5, "", Counts(87, 0, 1)),
        suite.SuiteResult(
            "mix test (default)",
            Status.FLAKY,
            1.2,
            "1 flaky (passed when rerun)",
            Counts(27, 0, 0),
            "default",
            flaky,
            ("test races (PoolTest): flaked 2 of 9 runs",),
        ),
    ]
    rows = suite.summary_rows(results)
    assert rows[2][:6] == ["mix test (default)", "flaky", "27", "0", "1", "0"]
    assert rows[-1][:6] == ["total", "flaky", "114", "0", "1", "1"]
    out = io.StringIO()
    assert suite.summarize(Console(out, {}), results) is True  # flaky = "warn"
    assert "mix test (default): test races (PoolTest): flaked 2 of 9 runs" in out.getvalue()
    shard = parse_shard("1/2")
    report = suite.to_report(build_target_for_report(), results, shard)
    assert [s.name for s in report.steps] == ["setup"]
    assert [(s.name, s.tests, s.flaky) for s in report.suites] == [
        ("pytest", 87, ()),
        ("mix test (default)", 27, flaky),
    ]
    assert report.shards == ("1/2",)
    assert report.status == Status.PASSED


def build_target_for_report() -> Target:
    return build_target(Path(__file__).resolve().parents[2] / "sample", {})


def test_only_flaky_failures_say_how_to_let_them_pass() -> None:
    results = [
        suite.SuiteResult(
            "pytest", Status.FAILED, 1.0, "1 flaky", Counts(3, 0, 0), "", ("test_x (t)",)
        )
    ]
    assert suite.failure_message(results) == (
        '1 of 1 suites failed: pytest (flaky tests only; [tests] flaky = "warn" lets them pass)'
    )


def test_a_failed_custom_tag_variant_is_hinted_with_a_command_that_exists(tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "test").mkdir(parents=True)
    (root / "mix.exs").write_text('def project, do: [app: :p, version: "0.1.0"]\n')
    (root / "test" / "test_helper.exs").write_text("ExUnit.start(exclude: [:slow])\n")
    (root / "noxpit.toml").write_text('test_tags = ["slow"]\n')
    plan = variants.plan(build_target(root, {}))
    results = [
        suite.SuiteResult("mix test (default)", Status.PASSED, 1.0, "", None, "default"),
        suite.SuiteResult("mix test (slow)", Status.FAILED, 1.0, "exit 2", None, "slow"),
    ]
    message = suite.failure_message(results)
    assert message.startswith("1 of 2 suites failed: mix test (slow); rerun what failed with")
    command = re.search(r"`nox -s mix_test -- ([^`]*)`", message)
    assert command is not None, message
    assert variants.split_posargs(plan, command.group(1).split()) == ("slow", ["--failed"])


PLAN = variants.Plan(("default", "integration"), (), ("integration",), (), {})


def _schedule(
    plan: variants.Plan, compiled: Status = Status.PASSED
) -> tuple[set[tuple[str, ...]], str]:
    """Runs ``run_suites`` with runners that each take 0.2 s; returns which suites overlapped
    and what pytest's row says it ran beside."""
    running: set[str] = set()
    overlaps: set[tuple[str, ...]] = set()
    lock = threading.Lock()

    def track(name: str, result: suite.SuiteResult) -> suite.SuiteResult:
        with lock:
            overlaps.update(tuple(sorted((name, other))) for other in running)
            running.add(name)
        time.sleep(0.2)
        with lock:
            running.discard(name)
        return result

    def pytest_(out: Console) -> suite.SuiteResult:
        out.step("pytest: start")
        result = track("pytest", suite.SuiteResult("pytest", Status.PASSED, 1.0))
        out.step("pytest: end")
        return result

    def compile_(out: Console) -> suite.SuiteResult:
        out.step("compile")
        return track("compile", suite.SuiteResult("mix compile (test)", compiled, 0.5))

    def variant(out: Console, name: str) -> suite.SuiteResult:
        out.step(f"mix test {name}")
        result = suite.SuiteResult(f"mix test ({name})", Status.PASSED, 0.5, variant=name)
        return track(name, result)

    out = io.StringIO()
    results = suite.run_suites(Console(out, {}), plan, suite.Runners(pytest_, compile_, variant))
    assert [r.name for r in results][:2] == ["pytest", "mix compile (test)"]
    lines = out.getvalue().splitlines()
    start = lines.index("noxpit > pytest: start")
    assert lines[start + 1] == "noxpit > pytest: end", "pytest's output is one block"
    return overlaps, results[0].beside


def test_pytest_runs_beside_the_last_tag_variant_not_the_compile_or_default_run() -> None:
    overlaps, beside = _schedule(PLAN)
    assert overlaps == {("integration", "pytest")}
    assert beside == "mix test (integration)"


def test_with_only_the_default_run_pytest_runs_beside_the_compile() -> None:
    overlaps, beside = _schedule(variants.Plan(("default",), (), (), (), {}))
    assert overlaps == {("compile", "pytest")}
    assert beside == "mix compile (test)"


def test_the_total_counts_a_suite_run_beside_another_only_for_what_outlasted_it() -> None:
    results = [
        suite.SuiteResult("setup", Status.PASSED, 0.5),
        suite.SuiteResult("pytest", Status.PASSED, 3.0, beside="mix test (integration)"),
        suite.SuiteResult("mix compile (test)", Status.PASSED, 1.0),
        suite.SuiteResult("mix test (default)", Status.PASSED, 2.0, variant="default"),
        suite.SuiteResult("mix test (integration)", Status.PASSED, 2.5, variant="integration"),
    ]
    assert suite.wall_seconds(results) == pytest.approx(0.5 + 1.0 + 2.0 + 2.5 + 0.5)


def test_a_failed_compile_leaves_each_variant_an_error_row_and_pytest_still_runs() -> None:
    runners = suite.Runners(
        lambda out: suite.SuiteResult("pytest", Status.PASSED, 1.0),
        lambda out: suite.SuiteResult("mix compile (test)", Status.FAILED, 0.5, "exit 1"),
        lambda out, name: pytest.fail("a variant ran without its compile"),
    )
    results = suite.run_suites(Console(io.StringIO(), {}), PLAN, runners)
    assert [(r.name, r.status, r.variant) for r in results[2:]] == [
        ("mix test (default)", Status.ERROR, "default"),
        ("mix test (integration)", Status.ERROR, "integration"),
    ]
    assert (results[0].status, results[0].beside) == (Status.PASSED, "")
