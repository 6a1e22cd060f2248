"""``nox -s check``: the whole gate in one command. setup and doctor first (a doctor error
stops the run with its remedies), then one compile per Mix env, then lint, dialyzer, tests,
examples and docs_check as a graph run concurrently within a CPU budget (``steps``,
``scheduler``), each step's output as one block, one summary, one report.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Mapping
from pathlib import Path

from sessions.check import results, runner, scheduler
from sessions.check.steps import DEFAULT_ORDER, MAIN_STEPS, Outcome, Step, chosen, plan
from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.options import PosargsParser
from sessions.core.paths import SUITE_ROOT
from sessions.core.report import ReportError, RunReport
from sessions.core.target import Target


class CheckError(NoxpitError):
    """`--retry` with no earlier check to read."""


def default_budget() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _step_name(text: str) -> str:
    if text not in MAIN_STEPS:
        raise argparse.ArgumentTypeError(f"unknown step {text!r}; NAME: {', '.join(MAIN_STEPS)}")
    return text


def options_parser() -> PosargsParser:
    parser = PosargsParser(
        "check",
        "doctor, one compile, then lint, dialyzer, tests, examples and docs_check in parallel.",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        type=_step_name,
        help=f"run only these steps (and what they need): {', '.join(MAIN_STEPS)}",
    )
    parser.add_argument(
        "--retry",
        action="store_true",
        help="rerun only the steps that failed in the last check (in tests and examples, "
        "only the failed tests and examples)",
    )
    parser.add_argument(
        "--jobs",
        type=_positive,
        metavar="N",
        help="CPU budget: steps run at once as long as their CPU fits (default: the cores)",
    )
    return parser


def names_to_run(target: Target, args: argparse.Namespace) -> list[str] | None:
    """The main steps to run; None when ``--retry`` finds nothing that failed."""
    names = list(dict.fromkeys(args.names))
    if not args.retry:
        return names
    try:
        failed = results.failed_last_time(target)
    except ReportError:
        where = target.rel(target.reports_dir / results.RETRY_DIR / "report.json")
        raise CheckError(
            f"--retry: no earlier check report ({where}); run `nox -s check` first"
        ) from None
    wanted = [n for n in failed if not names or n in names]
    return wanted or None


def run(
    target: Target,
    console: Console,
    args: argparse.Namespace,
    *,
    noxfile: Path = SUITE_ROOT / "noxfile.py",
    environ: Mapping[str, str] | None = None,
) -> RunReport | None:
    """Run the chosen steps and write the report; None when there was nothing to retry."""
    environ = os.environ if environ is None else environ
    names = names_to_run(target, args)
    if names is None:
        console.step("check: nothing failed in the last check; nothing to rerun")
        return None
    budget = args.jobs or default_budget()
    steps = plan(target, budget, retry=names if args.retry else ())
    selected = chosen(steps, names)
    shown = [s for s in MAIN_STEPS if s in selected]
    retry = " (retrying what failed)" if args.retry else ""
    alone = [s.name for s in steps if s.name in shown and budget > 1 and s.cpu >= budget]
    beside = f"; {', '.join(alone)} with nothing beside ([check] alone)" if alone else ""
    console.step(f"check: {', '.join(shown)}{retry}; budget {budget} CPU(s){beside}")

    def run_step(step: Step) -> Outcome:
        if step.action is not None:
            return runner.run_action(target, step, console)
        return runner.run_child(target, noxfile, step, environ)

    start = time.monotonic()
    longest_first = results.last_durations(target) or dict(DEFAULT_ORDER)
    with runner.Display(console, len(selected)) as display:
        outcomes = scheduler.run_graph(
            steps, selected, budget, run_step, display.started, display.ended, longest_first
        )
    annotations = results.annotations_of(target, console, outcomes)
    report = results.build_report(target, outcomes, annotations, time.monotonic() - start)
    path = results.write(target, report, results.merged_junit(target, outcomes))
    results.publish(console, report, annotations)
    console.step(
        f"check: report in {target.rel(path)}, JUnit in "
        f"{target.rel(target.reports_dir / results.JUNIT_NAME)}"
    )
    return report


def passed(report: RunReport | None) -> bool:
    return report is None or not report.status.bad


def failure_message(report: RunReport | None) -> str:
    if report is None:
        return ""
    failed = [s for s in report.steps if s.status.bad]
    gate = next((s for s in failed if s.name in ("setup", "doctor")), None)
    if gate is not None:
        return (
            f"check stopped: {gate.name} failed ({gate.detail}); fix what its block above "
            "says and rerun"
        )
    names = ", ".join(s.name for s in failed)
    return (
        f"check: {len(failed)} of {len(report.steps)} steps failed: {names}; "
        "rerun them with `nox -s check -- --retry`"
    )
