"""The suites of ``tests``, measured: pytest and every ``mix test`` variant run with
coverage on, each writing its data to its own place under ``<reports>/coverage/data``.

pytest gets noxpit's coverage directory on PYTHONPATH and ``COVERAGE_PROCESS_START``;
each variant runs ``mix test --cover --export-coverage noxpit-<variant>`` with the same
Python environment, so the workers it starts measure themselves. The export Mix writes to
``cover/`` is moved into the data dir (``cover/`` is removed when this run created it).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sessions.core import junit, procs
from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.shard import Shard
from sessions.core.status import Status
from sessions.core.target import Target
from sessions.coverage import collect
from sessions.coverage.python_tool import Tool, rcfile_text
from sessions.elixir import exunit, variants
from sessions.python import env as python_env
from sessions.python import pytest_run
from sessions.suite import run as suite_run
from sessions.suite.run import SuiteResult

HOLD = Path(__file__).resolve().parent / "hold.py"
HOLD_SECONDS = "10"  # how long workers may take to save their data after `mix test` ends


@dataclass(frozen=True)
class Layout:
    """Where one run keeps its data (``<reports>/coverage``), and which shard it runs."""

    root: Path
    shard: Shard | None = None

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def alive(self) -> Path:
        return self.root / "alive"

    def alive_for(self, suite: str) -> Path:
        """Where one suite's processes mark themselves alive: its own directory, so a
        variant waits only for its own workers, not for pytest running beside it."""
        return self.alive / suite

    @property
    def rcfile(self) -> Path:
        return self.root / "coveragerc"

    def python_data(self, suite: str) -> Path:
        return self.data / f"python-{suite}"

    def coverdata(self, variant: str) -> Path:
        return self.data / f"elixir-{variant}.coverdata"

    def elixir_lcov(self, variant: str) -> Path:
        """The variant's lines, written by the test run itself when it ends."""
        return self.data / f"elixir-{variant}.lcov"

    def fresh(self, target: Target, tool: Tool) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        for directory in (self.data, self.alive):
            directory.mkdir(parents=True)
        self.rcfile.write_text(rcfile_text(target, tool), encoding="utf-8")


def layout(target: Target, shard: Shard | None = None) -> Layout:
    return Layout(target.reports_dir / "coverage", shard)


def measured_env(tool: Tool, place: Layout, suite: str) -> dict[str, str]:
    place.alive_for(suite).mkdir(parents=True, exist_ok=True)
    return {
        **tool.environment(os.environ),
        "COVERAGE_PROCESS_START": str(place.rcfile),
        "COVERAGE_FILE": str(place.python_data(suite) / ".coverage"),
        "NOXPIT_COVERAGE_ALIVE": str(place.alive_for(suite)),
    }


def _status(completed: procs.Completed, report: junit.Report | None) -> tuple[Status, str]:
    if not completed.ok:
        return Status.FAILED, "timed out" if completed.timed_out else f"exit {completed.returncode}"
    if report is None:
        return Status.ERROR, "passed but wrote no JUnit report"
    return Status.PASSED, ""


def _guard(name: str, console: Console, start: float, error: NoxpitError) -> SuiteResult:
    console.line(f"noxpit > {name}: {error}")
    return SuiteResult(name, Status.ERROR, time.monotonic() - start, str(error))


def run_pytest(target: Target, console: Console, tool: Tool, place: Layout) -> SuiteResult:
    start = time.monotonic()
    report_file = target.reports_dir / "pytest.xml"
    try:
        report_file.unlink(missing_ok=True)
        place.python_data("pytest").mkdir(parents=True, exist_ok=True)
        shard = f" (shard {place.shard})" if place.shard else ""
        console.step(f"pytest {target.rel(target.python_dir / 'tests')} (coverage){shard}")
        env = pytest_run.environment(target, measured_env(tool, place, "pytest"), place.shard)
        command = pytest_run.command(target, [], shard=place.shard)
        completed = procs.run(command, cwd=target.root, env=env, sink=console.sink)
        if place.shard and completed.returncode == pytest_run.NO_TESTS_COLLECTED:
            completed = dataclasses.replace(completed, returncode=0)  # none in this shard
        report = junit.read_if_present(report_file)
        if report is not None:
            junit.annotate_failures(console, report, "pytest")
        status, detail = _status(completed, report)
        counts = report.counts if report else None
        return SuiteResult("pytest", status, time.monotonic() - start, detail, counts)
    except NoxpitError as exc:
        return _guard("pytest", console, start, exc)


def _compile(target: Target, console: Console, plan: variants.Plan) -> SuiteResult:
    start = time.monotonic()
    try:
        compiled = exunit.compile_for_tests(target, console, echo=False, plan=plan)
        detail = f"{compiled.files} files compiled" if compiled.files else "up to date"
        return SuiteResult("mix compile (test)", Status.PASSED, time.monotonic() - start, detail)
    except NoxpitError as exc:
        return _guard("mix compile (test)", console, start, exc)


def _take_export(target: Target, name: str, into: Path, cover_existed: bool) -> None:
    exported = target.root / "cover" / f"{name}.coverdata"
    if exported.is_file():
        shutil.move(exported, into)
    cover = target.root / "cover"
    if not cover_existed and cover.is_dir() and not any(cover.iterdir()):
        cover.rmdir()


def run_variant(
    target: Target, console: Console, tool: Tool, place: Layout, plan: variants.Plan, variant: str
) -> SuiteResult:
    name = exunit.label(variant)
    start = time.monotonic()
    export = f"noxpit-{variant}"
    partitions = ["--partitions", str(place.shard.total)] if place.shard else []
    args = ["--cover", "--export-coverage", export, *partitions]
    report_file = exunit.junit_path(target, variant)
    report_file.unlink(missing_ok=True)
    cover_existed = (target.root / "cover").exists()
    suite = f"mix-test-{variant}"
    place.python_data(suite).mkdir(parents=True, exist_ok=True)
    prefix = [f"MIX_TEST_PARTITION={place.shard.index}"] if place.shard else []
    console.step(" ".join([*prefix, "mix test", *exunit.test_args(variant, args, plan.exclude)]))
    env = {
        **exunit.run_environment(target, variant, measured_env(tool, place, suite), plan.env),
        "NOXPIT_COVER_LCOV": str(place.elixir_lcov(variant)),
        "NOXPIT_COVER_EBIN": str(collect.ebin_dir(target)),
        "NOXPIT_COVER_ROOT": str(target.root),
    }
    if place.shard:
        env["MIX_TEST_PARTITION"] = str(place.shard.index)
    place.elixir_lcov(variant).unlink(missing_ok=True)
    hold = [sys.executable, "-I", str(HOLD), str(place.alive_for(suite)), HOLD_SECONDS, "--"]
    elixir, *rest = exunit.command(variant, args, plan.exclude)
    try:
        completed = procs.run(
            [*hold, elixir, "-r", str(collect.LCOV_SCRIPT), *rest],
            cwd=target.root,
            env=env,
            capture=True,
        )
    except NoxpitError as exc:
        return _guard(name, console, start, exc)
    finally:
        _take_export(target, export, place.coverdata(variant), cover_existed)
    report = junit.read_if_present(report_file)
    if place.shard and _empty_partition(completed, report):
        console.step(f"{name}: none of its tests are in shard {place.shard}")
        completed = dataclasses.replace(completed, returncode=0)
    if report is not None:
        junit.annotate_failures(console, report, name)
    status, detail = _status(completed, report)
    counts = report.counts if report else None
    return SuiteResult(name, status, time.monotonic() - start, detail, counts, variant)


def _empty_partition(completed: procs.Completed, report: junit.Report | None) -> bool:
    """``--only TAG`` in a partition holding none of the tagged tests: ExUnit exits 1
    ("no test was executed"), but the shard is fine."""
    return (
        completed.returncode == 1
        and exunit.NOTHING_EXECUTED in completed.output
        and report is not None
        and not report.failed
    )


def run_suites(
    target: Target, console: Console, tool: Tool, place: Layout, plan: variants.Plan
) -> list[SuiteResult]:
    """The suites of ``tests``, scheduled as ``tests`` schedules them, each measured."""
    runners = suite_run.Runners(
        pytest=lambda out: run_pytest(target, out, tool, place),
        compile=lambda out: _compile(target, out, plan),
        variant=lambda out, variant: run_variant(target, out, tool, place, plan, variant),
    )
    return suite_run.run_suites(console, plan, runners)


def setup(target: Target, console: Console) -> SuiteResult:
    start = time.monotonic()
    try:
        result = python_env.ensure(target, console)
        return SuiteResult("setup", Status.PASSED, time.monotonic() - start, result.action)
    except NoxpitError as exc:
        return _guard("setup", console, start, exc)
