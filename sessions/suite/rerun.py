"""Run a test suite (a ``mix test`` variant, pytest), then rerun exactly its failed tests
once: ``mix test --failed`` in the same variant with the same args, pytest
``--last-failed``. A test that passes the second time is flaky (``flaky.combine``).

The rerun writes its own JUnit file, folded into the suite's file and deleted; every test's
outcome goes into the history file (``history``).
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.core import junit, procs
from sessions.core.console import Console
from sessions.core.files import atomic_write
from sessions.core.shard import Shard
from sessions.core.status import Status
from sessions.core.target import Target
from sessions.elixir import exunit
from sessions.elixir.variants import Plan
from sessions.python import pytest_run
from sessions.suite import flaky as flaky_
from sessions.suite import history

PYTEST_NAME = "pytest"


@dataclass(frozen=True)
class Tested:
    """A suite's run, rerun folded in."""

    name: str
    completed: procs.Completed  # the first run
    report: junit.Report | None  # the combined JUnit file; None when none was written
    flaky: tuple[str, ...] = ()
    rescued: bool = False  # a rerun ran and every failure of the first run passed in it
    nothing_to_rerun: bool = False  # `--failed` and nothing of this suite had failed
    history: tuple[str, ...] = ()  # "<test>: flaked X of Y runs", for each flaky test


def verdict(tested: Tested, policy: str) -> tuple[Status, str]:
    """The suite's status and detail under the ``[tests] flaky`` policy."""
    if tested.nothing_to_rerun:
        return Status.SKIPPED, "nothing to rerun"
    if tested.completed.ok and not tested.flaky:
        if tested.report is None:
            return Status.ERROR, "passed but wrote no JUnit report"
        return Status.PASSED, ""
    if tested.rescued:
        count = f"{len(tested.flaky)} flaky"
        if policy == "fail":
            return Status.FAILED, f'{count}, failing the run ([tests] flaky = "fail")'
        return Status.FLAKY, f"{count} (passed when rerun)"
    return Status.FAILED, "timed out" if tested.completed.timed_out else (
        f"exit {tested.completed.returncode}"
    )


def _rerun_file(path: Path) -> Path:
    return path.with_name(path.stem + ".rerun.xml")


def _fold(
    report_file: Path, rerun_file: Path, rerun: procs.Completed | None
) -> tuple[junit.Report | None, tuple[str, ...], bool]:
    """Fold the rerun's JUnit file into the suite's; the flaky tests and whether every
    failure was rescued."""
    try:
        first = report_file.read_text(encoding="utf-8")
        second = rerun_file.read_text(encoding="utf-8") if rerun_file.is_file() else None
        combined = flaky_.combine(first, second)
    except (OSError, ElementTree.ParseError):  # a file cut short: keep the first run's
        return junit.read_if_present(report_file), (), False
    finally:
        rerun_file.unlink(missing_ok=True)
    atomic_write(report_file, combined.xml)
    rescued = bool(combined.flaky) and not combined.failed and rerun is not None and rerun.ok
    return junit.read_if_present(report_file), combined.flaky, rescued


def _record(target: Target, tested: Tested) -> Tested:
    if tested.report is None:
        return tested
    outcomes = []
    flaky = set(tested.flaky)
    for case in tested.report.cases:
        if case.outcome == Status.SKIPPED:
            continue
        test = f"{case.name} ({case.classname})" if case.classname else case.name
        result = "flaky" if test in flaky else ("failed" if case.outcome.bad else "passed")
        outcomes.append(history.Outcome(tested.name, test, result))
    entries = history.record(target.reports_dir, outcomes)
    notes = tuple(
        f"{test}: {history.describe(entries[history.key(tested.name, test)])}"
        for test in tested.flaky
    )
    return Tested(
        tested.name,
        tested.completed,
        tested.report,
        tested.flaky,
        tested.rescued,
        tested.nothing_to_rerun,
        notes,
    )


def _worth_rerunning(completed: procs.Completed, report: junit.Report | None) -> bool:
    return not completed.ok and not completed.timed_out and bool(report and report.failed)


def _empty_shard(result: exunit.VariantResult) -> bool:
    """``--only TAG`` in a partition that holds none of the tagged tests: ExUnit exits 1
    ("no test was executed"), but the shard is fine, not failed."""
    return (
        result.completed.returncode == 1
        and exunit.NOTHING_EXECUTED in result.completed.output
        and result.report is not None
        and not result.report.failed
    )


def exunit_variant(
    target: Target,
    console: Console,
    plan: Plan,
    variant: str,
    args: Sequence[str],
    *,
    rerun: bool = True,
    shard: Shard | None = None,
) -> Tested:
    """One variant, its failed tests rerun once with ``--failed`` (same args, same shard)."""
    name = exunit.label(variant)
    the_args = [*args, *(["--partitions", str(shard.total)] if shard else [])]
    partition = shard.index if shard else None
    # Failures are annotated once the rerun has decided (a flaky test gets no error).
    first = exunit.run_variant(
        target, console, variant, the_args, plan, partition=partition, annotate=False
    )
    if shard and _empty_shard(first):
        console.step(f"{name}: none of its tests are in shard {shard}")
        first = dataclasses.replace(
            first, completed=dataclasses.replace(first.completed, returncode=0)
        )
    if first.nothing_to_rerun:
        return Tested(name, first.completed, first.report, nothing_to_rerun=True)
    if not rerun or not _worth_rerunning(first.completed, first.report):
        _annotate(console, first.report, name)
        return _record(target, Tested(name, first.completed, first.report))
    report_file = exunit.junit_path(target, variant)
    rerun_file = _rerun_file(report_file)
    count = len(first.report.failed) if first.report else 0
    console.step(f"{name}: rerunning the {count} failed test(s) once")
    # Without --partitions: Mix would split the files that hold failures across the N
    # partitions again, and rerun only this partition's part of them (seen on snakepit).
    # MIX_TEST_PARTITION stays, for targets that name resources after it.
    again_args = list(args) if "--failed" in args else [*args, "--failed"]
    again = exunit.run_variant(
        target,
        console,
        variant,
        again_args,
        plan,
        report_file=rerun_file,
        partition=partition,
        annotate=False,
    )
    report, flaky, rescued = _fold(report_file, rerun_file, again.completed)
    _annotate(console, report, name)
    return _record(target, Tested(name, first.completed, report, flaky, rescued))


def pytest(
    target: Target,
    console: Console,
    args: Sequence[str],
    *,
    rerun: bool = True,
    shard: Shard | None = None,
) -> Tested:
    """pytest, its failed tests rerun once with ``--last-failed`` (noxpit's cache dir)."""
    report_file = pytest_run.junit_path(target)
    report_file.unlink(missing_ok=True)
    first = pytest_run.run(target, console, args, shard=shard, allow_empty=shard is not None)
    report = junit.read_if_present(report_file)
    if not rerun or not _worth_rerunning(first, report):
        _annotate(console, report)
        return _record(target, Tested(PYTEST_NAME, first, report))
    rerun_file = _rerun_file(report_file)
    console.step(f"pytest: rerunning the {len(report.failed) if report else 0} failed test(s) once")
    again = pytest_run.run(
        target,
        console,
        [*args, "--last-failed", "--last-failed-no-failures", "none"],
        junit_file=rerun_file,
        shard=shard,
        allow_empty=True,
    )
    combined, flaky, rescued = _fold(report_file, rerun_file, again)
    _annotate(console, combined)
    return _record(target, Tested(PYTEST_NAME, first, combined, flaky, rescued))


def _annotate(console: Console, report: junit.Report | None, title: str = PYTEST_NAME) -> None:
    """Failures that stand after the rerun (a flaky test's is no longer a failure in the
    folded report), one error each at the test's file and line."""
    if report is not None:
        junit.annotate_failures(console, report, title)


def tell(console: Console, tested: Tested) -> None:
    """One line per flaky test, with how often it has flaked, and one warning annotation
    at the test's file and line (the error of its first run is never emitted)."""
    cases = {_test_id(case): case for case in (tested.report.cases if tested.report else ())}
    notes = tested.history or tested.flaky
    for test, note in zip(tested.flaky, notes, strict=False):
        console.step(f"flaky: {note}")
        case = cases.get(test)
        console.annotate(
            "warning",
            f"flaky: {note}",
            file=case.file if case else None,
            line=case.line if case else None,
            title=f"{tested.name}: flaky test",
        )


def _test_id(case: junit.Case) -> str:
    """A case as ``flaky.test_id`` names it: ``name (classname)``."""
    return f"{case.name} ({case.classname})" if case.classname else case.name
