"""The main job: setup when needed, the one test compile and every mix test variant with
pytest beside the last of them (``run_suites``), then one summary whose test counts come
from the JUnit files the suites wrote, and ``report.json`` in the reports dir.

Every suite runs even when an earlier one failed, so one run shows everything broken; only
the mix variants wait for the compile they share. Failed tests are rerun once (``rerun``);
``--shard K/N`` runs one CI shard of every suite.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from sessions.core import junit, procs
from sessions.core import report as run_report
from sessions.core.console import Console, seconds
from sessions.core.errors import NoxpitError
from sessions.core.shard import Shard
from sessions.core.status import Status
from sessions.core.target import Target
from sessions.elixir import exunit as mix_test
from sessions.elixir import variants
from sessions.python import env as python_env
from sessions.suite import flaky as flaky_
from sessions.suite import rerun as rerun_
from sessions.suite.options import Options

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
    flaky: tuple[str, ...] = ()  # failed, then passed when rerun
    notes: tuple[str, ...] = ()  # each flaky test with its history
    beside: str = ""  # the suite this one ran alongside, on another thread


def to_options(args: object, target: Target) -> Options:
    """The parsed posargs and the ``[tests] flaky`` policy (checked before any work)."""
    return Options(
        failed_only=bool(getattr(args, "failed", False)),
        rerun=bool(getattr(args, "rerun", True)),
        shard=getattr(args, "shard", None),
        policy=flaky_.flaky_policy(target, os.environ),
    )


def _from_tested(
    tested: rerun_.Tested, elapsed: float, policy: str, variant: str = ""
) -> SuiteResult:
    status, detail = rerun_.verdict(tested, policy)
    counts = tested.report.counts if tested.report is not None else None
    if status == ERROR:
        counts = None
    return SuiteResult(
        tested.name, status, elapsed, detail, counts, variant, tested.flaky, tested.history
    )


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


def _pytest(target: Target, console: Console, options: Options) -> SuiteResult:
    def action(start: float) -> SuiteResult:
        args = ["--last-failed"] if options.failed_only else []
        tested = rerun_.pytest(target, console, args, rerun=options.rerun, shard=options.shard)
        rerun_.tell(console, tested)
        return _from_tested(tested, time.monotonic() - start, options.policy)

    return _guarded(rerun_.PYTEST_NAME, console, action)


def _compile(target: Target, console: Console, plan: variants.Plan) -> SuiteResult:
    def action(start: float) -> SuiteResult:
        compiled = mix_test.compile_for_tests(target, console, echo=False, plan=plan)
        detail = f"{compiled.files} files compiled" if compiled.files else "up to date"
        return SuiteResult(COMPILE_NAME, PASSED, time.monotonic() - start, detail)

    return _guarded(COMPILE_NAME, console, action)


def _variant(
    target: Target, console: Console, plan: variants.Plan, variant: str, options: Options
) -> SuiteResult:
    name = mix_test.label(variant)

    def action(start: float) -> SuiteResult:
        args = ["--failed"] if options.failed_only else []
        tested = rerun_.exunit_variant(
            target, console, plan, variant, args, rerun=options.rerun, shard=options.shard
        )
        rerun_.tell(console, tested)
        return _from_tested(tested, time.monotonic() - start, options.policy, variant)

    return _guarded(name, console, action)


@dataclass(frozen=True)
class Runners:
    """How one run executes each kind of suite: ``tests`` and ``coverage`` differ only here."""

    pytest: Callable[[Console], SuiteResult]
    compile: Callable[[Console], SuiteResult]
    variant: Callable[[Console, str], SuiteResult]


def run_suites(console: Console, plan: variants.Plan, runners: Runners) -> list[SuiteResult]:
    """The test compile, then each mix variant in turn (they share the test build and
    ``mix test --failed``'s record of failures), with pytest on a thread of its own beside
    the last tag variant: those mostly wait on Python workers, while the default run and
    the compile keep every core busy and would slow timing-sensitive Python tests (snakepit's
    speed-ratio tests failed beside its default run). With no tag variant, pytest runs
    beside the compile. pytest's output is held and shown as one block once it has ended,
    so the log never interleaves. Returns pytest, the compile, the variants."""
    held = console.held()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="noxpit-pytest")
    beside = mix_test.label(plan.runs[-1]) if len(plan.runs) > 1 else COMPILE_NAME
    testing: Future[SuiteResult] | None = None

    def start_pytest() -> Future[SuiteResult]:
        return testing or pool.submit(runners.pytest, held)

    try:
        if beside == COMPILE_NAME:
            testing = start_pytest()
        compiled = runners.compile(console)
        mix_results = [compiled]
        for variant in plan.runs:
            label = mix_test.label(variant)
            if compiled.status != PASSED:
                not_run = "not run: mix compile failed"
                mix_results.append(SuiteResult(label, ERROR, 0.0, not_run, variant=variant))
                continue
            if label == beside:
                testing = start_pytest()
            mix_results.append(runners.variant(console, variant))
        ran_beside = beside if testing is not None else ""
        testing = start_pytest()  # alone, when the compile failed before its turn
        tested = dataclasses.replace(testing.result(), beside=ran_beside)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        procs.stop_threads([testing] if testing else [])
        console.show(held)
        raise
    pool.shutdown(wait=True)
    console.show(held)
    return [tested, *mix_results]


def run_all(target: Target, console: Console, options: Options | None = None) -> list[SuiteResult]:
    options = options or Options(policy=flaky_.flaky_policy(target, os.environ))
    plan = variants.plan(target)  # a bad [mix_test] table stops here, before any work
    results = [_setup(target, console)]
    runners = Runners(
        pytest=lambda out: _pytest(target, out, options),
        compile=lambda out: _compile(target, out, plan),
        variant=lambda out, variant: _variant(target, out, plan, variant, options),
    )
    results.extend(run_suites(console, plan, runners))
    for tag in plan.in_default:  # its tests ran in the default variant: not twice
        results.append(SuiteResult(mix_test.label(tag), SKIPPED, 0.0, plan.why_not_run(tag)))
    return results


def wall_seconds(results: list[SuiteResult]) -> float:
    """The run's own time: a suite that ran beside another adds only what outlasted it."""
    by_name = {r.name: r.seconds for r in results}
    return sum(
        max(0.0, r.seconds - by_name.get(r.beside, 0.0)) if r.beside else r.seconds for r in results
    )


def _count_cells(counts: junit.Counts | None, flaky: int) -> list[str]:
    if counts is None:
        return ["-", "-", "-", "-"]
    return [str(counts.tests), str(counts.failures), str(flaky), str(counts.skipped)]


def summary_rows(results: list[SuiteResult]) -> list[list[str]]:
    """One row per suite, then the total of every suite that wrote a JUnit report."""
    rows = [
        [r.name, r.status, *_count_cells(r.counts, len(r.flaky)), seconds(r.seconds), r.detail]
        for r in results
    ]
    total = junit.total(r.counts for r in results if r.counts is not None)
    flaky = sum(len(r.flaky) for r in results)
    failed = [r.name for r in results if r.status.bad]
    status = FAILED if failed else (Status.FLAKY if flaky else PASSED)
    detail = f"{len(failed)} of {len(results)} failed" if failed else ""
    rows.append(
        [
            "total",
            status,
            *_count_cells(total, flaky),
            seconds(wall_seconds(results)),
            detail,
        ]
    )
    return rows


def summarize(console: Console, results: list[SuiteResult]) -> bool:
    console.line()
    console.table(
        ["suite", "result", "tests", "failures", "flaky", "skipped", "time", "detail"],
        summary_rows(results),
        title="noxpit tests summary",
    )
    notes = [f"{r.name}: {note}" for r in results for note in (r.notes or r.flaky)]
    if notes:
        console.line("flaky tests (failed, then passed when rerun):")
        for note in notes:
            console.line(f"  {note}")
    return not any(r.status.bad for r in results)


def to_report(
    target: Target, results: list[SuiteResult], shard: Shard | None
) -> run_report.RunReport:
    """The run as ``report.json``: setup and the compile are steps, the rest suites."""
    steps = [r for r in results if r.counts is None and not r.variant and r.name != "pytest"]
    suites = [r for r in results if r not in steps]
    return run_report.RunReport(
        target=target.app,
        steps=tuple(run_report.StepReport(r.name, r.status, r.seconds, r.detail) for r in steps),
        suites=tuple(
            run_report.SuiteReport(
                r.name,
                r.status,
                tests=r.counts.tests if r.counts else 0,
                failures=r.counts.failures if r.counts else 0,
                skipped=r.counts.skipped if r.counts else 0,
                seconds=r.seconds,
                flaky=r.flaky,
                detail=r.detail,
            )
            for r in suites
        ),
        shards=(str(shard),) if shard else (),
        seconds=wall_seconds(results),
    )


def failure_message(results: list[SuiteResult]) -> str:
    failed = [r for r in results if r.status.bad]
    message = f"{len(failed)} of {len(results)} suites failed: {', '.join(r.name for r in failed)}"
    if failed and all(r.flaky and r.counts and not r.counts.failures for r in failed):
        return message + ' (flaky tests only; [tests] flaky = "warn" lets them pass)'
    variants_failed = [r.variant for r in failed if r.variant]
    if variants_failed:
        hint = f"nox -s mix_test -- {variants_failed[0]} --failed"
        message += f"; rerun what failed with `nox -s tests -- --failed` or `{hint}`"
    return message


def finish(
    target: Target, console: Console, results: list[SuiteResult], shard: Shard | None
) -> bool:
    """The summary, and ``report.json`` in the reports dir; whether the run passed."""
    ok = summarize(console, results)
    path = run_report.write(to_report(target, results, shard), target.reports_dir)
    console.step(f"report: {target.rel(path)}")
    return ok
