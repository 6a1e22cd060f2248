"""The main job: setup when needed, pytest, every mix test variant, then one summary.

Every suite runs even when an earlier one failed, so one run shows everything broken.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

from sessions import mix_test, procs, pytest_run, python_env
from sessions.console import Console, seconds
from sessions.errors import NoxpitError
from sessions.project import Target


@dataclass(frozen=True)
class SuiteResult:
    name: str
    status: str  # "passed", "failed", "error"
    seconds: float
    detail: str = ""


def _timed(
    name: str, console: Console, action: Callable[[], procs.Completed | None]
) -> SuiteResult:
    start = time.monotonic()
    try:
        completed = action()
    except NoxpitError as exc:
        console.line(f"noxpit > {name}: {exc}")
        return SuiteResult(name, "error", time.monotonic() - start, str(exc))
    elapsed = time.monotonic() - start
    if completed is None or completed.ok:
        return SuiteResult(name, "passed", elapsed)
    detail = "timed out" if completed.timed_out else f"exit {completed.returncode}"
    return SuiteResult(name, "failed", elapsed, detail)


def run_all(target: Target, console: Console) -> list[SuiteResult]:
    results = [_timed("setup", console, lambda: _setup(target, console))]
    results.append(_timed("pytest", console, lambda: pytest_run.run(target, console)))
    for variant in mix_test.variants(target):
        action = functools.partial(mix_test.run, target, console, variant)
        results.append(_timed(f"mix test ({variant})", console, action))
    return results


def _setup(target: Target, console: Console) -> None:
    python_env.ensure(target, console)


def summarize(console: Console, results: list[SuiteResult]) -> bool:
    rows = [[r.name, r.status, seconds(r.seconds), r.detail] for r in results]
    console.line()
    console.table(["suite", "result", "time", "detail"], rows, title="noxpit tests summary")
    failed = [r.name for r in results if r.status != "passed"]
    return not failed


def failure_message(results: list[SuiteResult]) -> str:
    failed = [r.name for r in results if r.status != "passed"]
    return f"{len(failed)} of {len(results)} suites failed: {', '.join(failed)}"
