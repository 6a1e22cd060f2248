"""The environment doctor: every check a same-node Elixir + Python project needs, with remedies.

One runner runs the checks (``sessions/doctor/checks.py``) concurrently, since most wait
on a child process; a check never raises to the user: a failure inside one becomes that
check's ``error`` with the reason. Output is one line per check with the remedy under
each problem, or a JSON list for machines.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from sessions.core.console import Console, markdown_table
from sessions.core.errors import NoxpitError
from sessions.core.options import PosargsParser
from sessions.core.status import Status
from sessions.core.target import Target
from sessions.doctor.checks import checks_for
from sessions.doctor.model import (
    Check,
    Machine,
    Probe,
    RealMachine,
    Result,
    error,
    load_config,
    skip,
)

# The doctor's printed (and JSON) word for each status it uses.
WORDS = {Status.PASSED: "ok", Status.WARN: "warn", Status.ERROR: "error", Status.SKIPPED: "skip"}
MARKS = {Status.PASSED: "✅", Status.WARN: "⚠️ ", Status.ERROR: "❌", Status.SKIPPED: "⏭️ "}
ASCII_MARKS = {
    Status.PASSED: "[ok]  ",
    Status.WARN: "[warn]",
    Status.ERROR: "[FAIL]",
    Status.SKIPPED: "[skip]",
}


# --- runner --------------------------------------------------------------------------


def run_check(check: Check, probe: Probe) -> Result:
    """One check, whatever happens inside it: a crash is that check's error, never ours."""
    try:
        reason = check.applies(probe)
        outcome = skip(reason) if reason else check.run(probe)
    except NoxpitError as exc:
        outcome = error(str(exc))
    except Exception as exc:  # a check must never end the doctor with a traceback
        outcome = error(f"the check itself failed: {type(exc).__name__}: {exc}")
    remedy = ""
    if outcome.status in (Status.WARN, Status.ERROR):
        remedy = check.remedy if outcome.remedy is None else outcome.remedy
    return Result(check.name, outcome.status, outcome.detail, remedy)


def run_checks(checks: Sequence[Check], probe: Probe) -> list[Result]:
    """All checks at once (most wait on a child process), results in the checks' order."""
    if not checks:
        return []
    with ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="doctor") as pool:
        return list(pool.map(lambda check: run_check(check, probe), checks))


# --- output --------------------------------------------------------------------------


def marks_for(stream_encoding: str | None) -> dict[Status, str]:
    encoding = (stream_encoding or "").lower().replace("-", "").replace("_", "")
    return MARKS if encoding in ("utf8", "utf8mb4") else ASCII_MARKS


def render_lines(
    results: Sequence[Result], marks: Mapping[Status, str]
) -> list[tuple[Status | None, str]]:
    """(status, text) lines: one per check, the remedy under each warning and failure."""
    width = max((len(r.name) for r in results), default=0)
    lines: list[tuple[Status | None, str]] = []
    for result in results:
        lines.append(
            (result.status, f"{marks[result.status]} {result.name.ljust(width)}  {result.detail}")
        )
        if result.remedy:
            lines.append((None, f"   {' ' * width}  -> {result.remedy}"))
    return lines


def summary(results: Sequence[Result]) -> str:
    counts = {status: sum(r.status == status for r in results) for status in WORDS}
    return (
        f"doctor: {counts[Status.PASSED]} ok, {counts[Status.WARN]} warning(s), "
        f"{counts[Status.ERROR]} error(s), {counts[Status.SKIPPED]} skipped"
    )


def as_dict(result: Result) -> dict[str, str]:
    """One check as ``--json`` and the step summary show it (status as the printed word)."""
    status = WORDS[result.status]
    return {"name": result.name, "status": status, "detail": result.detail, "remedy": result.remedy}


def to_json(results: Sequence[Result]) -> str:
    return json.dumps([as_dict(result) for result in results], indent=2, ensure_ascii=False)


def render(results: Sequence[Result], console: Console) -> None:
    marks = marks_for(getattr(console.stream, "encoding", None))
    for status, text in render_lines(results, marks):
        console.line(console.paint(text, status.colour) if status is Status.ERROR else text)
    console.line(summary(results))
    for result in results:
        if result.status in (Status.WARN, Status.ERROR):
            level = "error" if result.status is Status.ERROR else "warning"
            console.annotate(
                level, f"{result.detail} -> {result.remedy}", title=f"doctor: {result.name}"
            )
    rows = [[r.name, WORDS[r.status], r.detail, r.remedy] for r in results]
    console.summary_markdown(
        markdown_table(["check", "status", "detail", "remedy"], rows, "noxpit doctor")
    )


def failed(results: Sequence[Result]) -> list[str]:
    return [r.name for r in results if r.status is Status.ERROR]


def diagnose(
    target: Target, console: Console, *, as_json: bool = False, machine: Machine | None = None
) -> list[Result]:
    """Run every check and print them (or the JSON list); the caller decides the exit."""
    config = load_config(target)
    probe = Probe(target, config, machine or RealMachine())
    results = run_checks(checks_for(target, config.tools), probe)
    if as_json:
        console.line(to_json(results))
    else:
        render(results, console)
    return results


def options_parser() -> PosargsParser:
    parser = PosargsParser("doctor", "Check the machine and the target; exit 1 on any error.")
    parser.add_argument("--json", action="store_true", help="print a JSON list of the checks")
    return parser


def failure_message(results: Sequence[Result]) -> str:
    names = failed(results)
    return f"doctor found {len(names)} problem(s): {', '.join(names)}"
