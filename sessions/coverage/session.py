"""``nox -s coverage`` (and ``tests -- --cover``): the suites of ``tests`` with coverage on,
then one report across Elixir and Python. See docs/coverage.md."""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sessions.core import shard as shard_
from sessions.core.console import Console
from sessions.core.options import PosargsParser
from sessions.core.shard import Shard
from sessions.core.status import Status
from sessions.core.target import Target
from sessions.coverage import collect, model, python_tool, report, runner
from sessions.coverage.model import Measured
from sessions.elixir import exunit, variants
from sessions.suite import run as suite
from sessions.suite.run import SuiteResult


@dataclass(frozen=True)
class Outcome:
    suites: list[SuiteResult]
    measured: Measured | None
    below: list[str]

    @property
    def ok(self) -> bool:
        return (
            self.measured is not None
            and not self.below
            and not any(r.status.bad for r in self.suites)
        )

    @property
    def message(self) -> str:
        failed = [r.name for r in self.suites if r.status.bad]
        parts = (
            [f"{len(failed)} of {len(self.suites)} suites failed: {', '.join(failed)}"]
            if failed
            else []
        )
        return "; ".join([*parts, *self.below]) or "coverage not measured"


def options_parser() -> PosargsParser:
    parser = PosargsParser(
        "coverage", "the suites of tests with coverage; one report, both languages."
    )
    parser.add_argument("--cover", action="store_true", help=argparse.SUPPRESS)  # tests -- --cover
    parser.add_argument(
        "--shard",
        type=shard_.parse,
        metavar="K/N",
        help="run shard K of N (as tests does); `report -- merge` combines the shards' coverage",
    )
    return parser


def measure(
    target: Target, tool: python_tool.Tool, place: runner.Layout, plan: variants.Plan
) -> Measured:
    """Elixir and Python at once: two child processes at most (one when every test run
    wrote its own LCOV)."""
    written = [place.elixir_lcov(v) for v in plan.runs if place.elixir_lcov(v).is_file()]
    coverdata = [
        place.coverdata(v)
        for v in plan.runs
        if place.coverdata(v).is_file() and not place.elixir_lcov(v).is_file()
    ]
    groups = {
        "pytest": [place.python_data("pytest")],
        "mix": [place.python_data(f"mix-test-{v}") for v in plan.runs],
    }
    reports = {
        key: collect.Group(
            sources, place.root / f"python-{key}" / ".coverage", place.root / f"python-{key}.json"
        )
        for key, sources in groups.items()
    }
    with ThreadPoolExecutor(max_workers=1) as pool:
        elixir = pool.submit(
            collect.elixir_lines, target, written, coverdata, place.root / "elixir.lcov"
        )
        present = collect.python_reports(
            tool, target, place.rcfile, reports, place.root / "html" / "python"
        )
        python = {
            key: collect.python_lines(target, group.json if present[key] else None)
            for key, group in reports.items()
        }
        return Measured(
            elixir.result(), python["pytest"], python["mix"], target.rel(target.python_dir)
        )


def run(target: Target, console: Console, shard: Shard | None = None) -> Outcome:
    plan = variants.plan(target)  # bad settings stop here, before any work
    limits = model.settings(target).fail_under
    results = [runner.setup(target, console)]
    if results[0].status.bad:
        return Outcome(results, None, [])
    tool = python_tool.ensure(target, console)
    place = runner.layout(target, shard)
    place.fresh(target, tool)
    results += runner.run_suites(target, console, tool, place, plan)
    for tag in plan.in_default:
        results.append(SuiteResult(exunit.label(tag), Status.SKIPPED, 0.0, plan.why_not_run(tag)))
    suite.finish(target, console, results, shard)  # the summary and report.json
    console.step("coverage: combine and report")
    measured = measure(target, tool, place, plan)
    report.write_lcov(place.root / "coverage.lcov", measured)
    report.write_json(place.root / "coverage.json", measured)
    report.write_elixir_html(place.root / "html" / "elixir", target.root, measured.elixir)
    report.show(console, target, measured, place.root)
    for language in model.unmeasured(measured):
        console.step(f"coverage: warning: no {language} line was measured; see docs/coverage.md")
    below = model.below_threshold(measured, limits)
    for line in below:
        console.line(f"noxpit > {line}")
    return Outcome(results, measured, below)
