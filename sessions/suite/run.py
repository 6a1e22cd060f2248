"""The main job: setup when needed, pytest (with the one test compile alongside), every mix
test variant, then one summary whose test counts come from the JUnit files the suites wrote.

Every suite runs even when an earlier one failed, so one run shows everything broken; only
the mix variants wait for the compile they share.
"""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sessions.core import junit, procs
from sessions.core.console import Console, seconds
from sessions.core.errors import NoxpitError
from sessions.core.options import PosargsParser
from sessions.core.status import Status
from sessions.core.target import Target
from sessions.elixir import exunit as mix_test
from sessions.elixir import variants
from sessions.python import env as python_env
from sessions.python import pytest_run

PASSED, FAILED, ERROR, SKIPPED = Status.PASSED, Status.FAILED, Status.ERROR, Status.SKIPPED
COMPILE_NAME = "mix compile (test)"


@dataclass(frozen=True)
class SuiteResult:
    name: str
    status: Status
    seconds: float
    detail: str = ""
    counts: junit.Counts | None = None  # from the suite's JUnit file, when it has one
    variant: str = ""  # the mix test variant this suite is, if it is one


def options_parser() -> PosargsParser:
    parser = PosargsParser("tests", "setup, pytest and every mix test variant, one summary.")
    parser.add_argument(
        "--failed",
        action="store_true",
        help="rerun only what failed last time (`mix test --failed`, pytest --last-failed)",
    )
    parser.add_argument(
        "--cover",
        action="store_true",
        help="measure coverage too: the coverage session (docs/coverage.md)",
    )
    return parser


def _exit_detail(completed: procs.Completed) -> str:
    return "timed out" if completed.timed_out else f"exit {completed.returncode}"


def _from_run(
    name: str, completed: procs.Completed, report: junit.Report | None, elapsed: float
) -> SuiteResult:
    counts = report.counts if report is not None else None
    if not completed.ok:
        return SuiteResult(name, FAILED, elapsed, _exit_detail(completed), counts)
    if report is None:
        return SuiteResult(name, ERROR, elapsed, "passed but wrote no JUnit report")
    return SuiteResult(name, PASSED, elapsed, "", counts)


def _guarded(name: str, console: Console, action: Callable[[float], SuiteResult]) -> SuiteResult:
    """Run one suite; a noxpit error becomes that suite's ``error`` row, not the end."""
    start = time.monotonic()
    try:
        return action(start)
    except NoxpitError as exc:
        console.line(f"noxpit > {name}: {exc}")
        return SuiteResult(name, ERROR, time.monotonic() - start, str(exc))


def _setup(target: Target, console: Console) -> SuiteResult:
    def action(start: float) -> SuiteResult:
        result = python_env.ensure(target, console)
        return SuiteResult("setup", PASSED, time.monotonic() - start, result.action)

    return _guarded("setup", console, action)


def _pytest(target: Target, console: Console, failed_only: bool) -> SuiteResult:
    report_file = target.reports_dir / "pytest.xml"

    def action(start: float) -> SuiteResult:
        report_file.unlink(missing_ok=True)
        args = ["--last-failed"] if failed_only else []
        completed = pytest_run.run(target, console, args)
        report = junit.read_if_present(report_file)
        return _from_run("pytest", completed, report, time.monotonic() - start)

    return _guarded("pytest", console, action)


def _compile(target: Target, console: Console, plan: variants.Plan) -> SuiteResult:
    def action(start: float) -> SuiteResult:
        compiled = mix_test.compile_for_tests(target, console, echo=False, plan=plan)
        detail = f"{compiled.files} files compiled" if compiled.files else "up to date"
        return SuiteResult(COMPILE_NAME, PASSED, time.monotonic() - start, detail)

    return _guarded(COMPILE_NAME, console, action)


def _variant(
    target: Target, console: Console, plan: variants.Plan, variant: str, failed_only: bool
) -> SuiteResult:
    name = mix_test.label(variant)

    def action(start: float) -> SuiteResult:
        args = ["--failed"] if failed_only else []
        result = mix_test.run_variant(target, console, variant, args, plan)
        elapsed = time.monotonic() - start
        if result.nothing_to_rerun:
            counts = result.report.counts if result.report else None
            return SuiteResult(name, SKIPPED, elapsed, "nothing to rerun", counts, variant)
        outcome = _from_run(name, result.completed, result.report, elapsed)
        return dataclasses.replace(outcome, variant=variant)

    return _guarded(name, console, action)


def run_all(target: Target, console: Console, *, failed_only: bool = False) -> list[SuiteResult]:
    plan = variants.plan(target)  # a bad [mix_test] table stops here, before any work
    results = [_setup(target, console)]
    # The test compile runs while pytest does (another core, independent files); its
    # output is held back and shown after pytest's, so the log still reads in order.
    held = io.StringIO()
    compile_console = Console(held, console.environ)
    compile_console.colour = console.colour
    with ThreadPoolExecutor(max_workers=1) as pool:
        compiling = pool.submit(_compile, target, compile_console, plan)
        results.append(_pytest(target, console, failed_only))
        compiled = compiling.result()
    console.stream.write(held.getvalue())
    console.stream.flush()
    results.append(compiled)
    for variant in plan.runs:
        if compiled.status != PASSED:
            results.append(
                SuiteResult(
                    mix_test.label(variant),
                    ERROR,
                    0.0,
                    "not run: mix compile failed",
                    None,
                    variant,
                )
            )
            continue
        results.append(_variant(target, console, plan, variant, failed_only))
    for tag in plan.in_default:  # its tests ran in the default variant: not twice
        results.append(SuiteResult(mix_test.label(tag), SKIPPED, 0.0, plan.why_not_run(tag)))
    return results


def _count_cells(counts: junit.Counts | None) -> list[str]:
    if counts is None:
        return ["-", "-", "-"]
    return [str(counts.tests), str(counts.failures), str(counts.skipped)]


def summary_rows(results: list[SuiteResult]) -> list[list[str]]:
    """One row per suite, then the total of every suite that wrote a JUnit report."""
    rows = [
        [r.name, r.status, *_count_cells(r.counts), seconds(r.seconds), r.detail] for r in results
    ]
    total = junit.total(r.counts for r in results if r.counts is not None)
    failed = [r.name for r in results if r.status.bad]
    status = FAILED if failed else PASSED
    detail = f"{len(failed)} of {len(results)} failed" if failed else ""
    rows.append(
        ["total", status, *_count_cells(total), seconds(sum(r.seconds for r in results)), detail]
    )
    return rows


def summarize(console: Console, results: list[SuiteResult]) -> bool:
    console.line()
    console.table(
        ["suite", "result", "tests", "failures", "skipped", "time", "detail"],
        summary_rows(results),
        title="noxpit tests summary",
    )
    return not any(r.status.bad for r in results)


def failure_message(results: list[SuiteResult]) -> str:
    failed = [r for r in results if r.status.bad]
    message = f"{len(failed)} of {len(results)} suites failed: {', '.join(r.name for r in failed)}"
    variants_failed = [r.variant for r in failed if r.variant]
    if variants_failed:
        hint = f"nox -s mix_test -- {variants_failed[0]} --failed"
        message += f"; rerun what failed with `nox -s tests -- --failed` or `{hint}`"
    return message
