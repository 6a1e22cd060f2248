"""What an examples run shows and leaves behind: progress lines, log tails, the summary
table, JUnit XML for CI (``core.junit.render``), and the Markdown results page.

Rendering is pure (strings from outcomes); every file is written with ``atomic_write``, so
a crash never leaves half a file, and with the umask's mode (reports are for people and CI).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sessions.core import junit
from sessions.core.console import Console, seconds
from sessions.core.files import atomic_write
from sessions.core.status import Status
from sessions.core.target import Target
from sessions.examples import manifest as manifest_
from sessions.examples.manifest import ReportError
from sessions.examples.ports import Port
from sessions.examples.runner import Job, Outcome

DUMP_END = ".erl_crash.dump"  # noxpit's own per-example crash dump path: not shown in --list

OK, FAILED, TIMEOUT, SKIPPED = Status.PASSED, Status.FAILED, Status.TIMEOUT, Status.SKIPPED
LABEL = {OK: "ok", FAILED: "FAILED", TIMEOUT: "TIMEOUT", SKIPPED: "skipped"}
TAIL_LINES = 25


# --- small renderings ----------------------------------------------------------------


def format_limit(limit: float) -> str:
    return f"{limit:g}s"


def progress_line(index: int, total: int, outcome: Outcome) -> str:
    """``[k/N] name ... ok 1.2s`` (the status word is what a reader scans for)."""
    head = f"[{index}/{total}] {outcome.name} ..."
    if outcome.status == SKIPPED:
        return f"{head} skipped: {outcome.note}"
    tail = f"{LABEL[outcome.status]} {seconds(outcome.seconds)}"
    if outcome.status == FAILED and outcome.returncode is not None:
        tail += f" (exit {outcome.returncode})"
    return f"{head} {tail}"


def note(outcome: Outcome, job: Job | None) -> str:
    """Why it ended this way, plus settings a reader of the results should know about."""
    if outcome.status == SKIPPED:
        return outcome.note
    parts = []
    if outcome.status == FAILED:
        if outcome.returncode is not None:
            parts.append(f"exit {outcome.returncode}")
        parts.append(outcome.note)
    elif outcome.status == TIMEOUT and job is not None:
        parts.append(f"killed at the {format_limit(job.timeout)} limit")
    if job is not None and job.exclusive:
        parts.append("ran alone (exclusive)")
    if job is not None and job.resources:
        parts.append(holds(job).replace("holds", "held", 1))
    return "; ".join(part for part in parts if part)


def summary_rows(outcomes: Sequence[Outcome], jobs: Mapping[str, Job]) -> list[list[str]]:
    return [
        [
            outcome.name,
            LABEL[outcome.status],
            "-" if outcome.status == SKIPPED else seconds(outcome.seconds),
            note(outcome, jobs.get(outcome.name)),
        ]
        for outcome in outcomes
    ]


def counts_line(outcomes: Sequence[Outcome]) -> str:
    parts = []
    for status in (OK, FAILED, TIMEOUT, SKIPPED):
        count = sum(1 for outcome in outcomes if outcome.status == status)
        if count:
            parts.append(f"{count} {LABEL[status]}")
    return f"{len(outcomes)} examples: " + ", ".join(parts)


def tail(text: str, lines: int = TAIL_LINES) -> list[str]:
    return text.rstrip("\n").splitlines()[-lines:]


def in_order(outcomes: Sequence[Outcome], names: Sequence[str]) -> list[Outcome]:
    """Outcomes in the order users think of the examples (by name), not completion order."""
    rank = {name: index for index, name in enumerate(names)}
    return sorted(outcomes, key=lambda outcome: rank.get(outcome.name, len(rank)))


class Progress:
    """Prints one line per finished example, numbered in completion order."""

    def __init__(self, console: Console, total: int) -> None:
        self.console = console
        self.total = total
        self.count = 0

    def done(self, outcome: Outcome) -> None:
        self.count += 1
        line = progress_line(self.count, self.total, outcome)
        word = LABEL[outcome.status]
        head, _, rest = line.partition(f" ... {word}")
        self.console.line(f"{head} ... {self.console.status(word)}{rest}")


# --- --list --------------------------------------------------------------------------


def holds(job: Job) -> str:
    return f"holds {', '.join(sorted(job.resources))}" if job.resources else ""


def list_rows(
    jobs: Sequence[Job], common: Mapping[str, str], isolation: str | None = None
) -> list[list[str]]:
    """One row per example; ``common`` is the environment every example gets (not shown);
    the ``isolation`` variable is shown as ``<unique>`` (its value differs every run)."""
    rows = []
    for job in jobs:
        notes = []
        if job.skip is not None:
            notes.append(f"skipped: {job.skip}")
        if job.exclusive:
            notes.append("exclusive")
        if job.resources:
            notes.append(holds(job))
        own = {
            k: v
            for k, v in job.env.items()
            if common.get(k) != v and not (k == manifest_.CRASH_DUMP and v.endswith(DUMP_END))
        }
        if isolation in own and own[isolation].startswith("noxpit_"):
            own[isolation] = "<unique>"
        rows.append(
            [
                job.name,
                format_limit(job.timeout),
                " ".join(job.command[job.command.index("--no-compile") + 2 :]),
                " ".join(f"{k}={v}" for k, v in own.items()),
                "; ".join(notes),
            ]
        )
    return rows


def ports_line(ports: Sequence[Port], jobs: Sequence[Job]) -> str:
    """Which fixed ports were found, and how many examples hold them (so run one at a time)."""
    found = ", ".join(f"{port.number} ({port.key}, {port.file}:{port.line})" for port in ports)
    holders = sum(1 for job in jobs if job.resources and job.skip is None)
    return (
        f"fixed port(s) in the config: {found}; {holders} example(s) that start the app "
        "hold them and run one at a time"
    )


def print_list(
    console: Console,
    jobs: Sequence[Job],
    helpers: Sequence[str],
    mix_env: str,
    ports: Sequence[Port],
    common: Mapping[str, str],
    isolation: str | None = None,
) -> None:
    console.table(
        ["example", "timeout", "args", "env", "notes"],
        list_rows(jobs, common, isolation),
        title=f"examples that would run (MIX_ENV={mix_env})",
    )
    if ports:
        console.line(ports_line(ports, jobs))
    if helpers:
        console.line(f"helpers, not run: {', '.join(helpers)}")


# --- JUnit and Markdown --------------------------------------------------------------


def junit_xml(outcomes: Sequence[Outcome], jobs: Mapping[str, Job], logs: Mapping[str, str]) -> str:
    """FAILED is a ``<failure>``, TIMEOUT an ``<error type="timeout">``; both carry the log tail."""
    cases = [
        junit.Case(
            classname="examples",
            name=outcome.name,
            outcome=outcome.status,
            message=outcome.note
            if outcome.status == SKIPPED
            else note(outcome, jobs.get(outcome.name)),
            seconds=outcome.seconds,
            output=logs.get(outcome.name, ""),
        )
        for outcome in outcomes
    ]
    return junit.render("examples", cases)


def markdown_page(
    outcomes: Sequence[Outcome],
    jobs: Mapping[str, Job],
    target: Target,
    now: datetime,
    mix_env: str,
) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        f"# Examples: {target.app} {target.version}",
        "",
        f"Generated by `nox -s examples` on {now.strftime('%Y-%m-%d %H:%M %Z').strip()} "
        f"(MIX_ENV={mix_env}). {counts_line(outcomes)}.",
        "",
        "| example | status | time | notes |",
        "|---|---|---|---|",
    ]
    for row in summary_rows(outcomes, jobs):
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    return "\n".join(lines) + "\n"


def write(path: Path, text: str) -> None:
    """One report file, whole or not at all; the directory must exist (or be ours)."""
    try:
        atomic_write(path, text)
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror}; check the path") from None


def _log_text(outcome: Outcome) -> str:
    if outcome.log is None:
        return ""
    try:
        return outcome.log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# --- the end of a run ----------------------------------------------------------------


def finish(
    console: Console,
    target: Target,
    outcomes: Sequence[Outcome],
    jobs: Sequence[Job],
    known: Sequence[str],
    report: Path | None,
    mix_env: str,
    now: datetime | None = None,
) -> None:
    """Log tails for failures, the summary table, then manifest, JUnit and the page."""
    now = now or datetime.now(UTC)
    by_name = {job.name: job for job in jobs}
    tails = {o.name: "\n".join(tail(_log_text(o))) for o in outcomes if o.status.bad}
    for outcome in outcomes:
        if not outcome.status.bad or outcome.log is None:
            continue
        console.line()
        if outcome.note:  # a known cause: one line says it and what to do, no stack trace
            console.line(f"--- {outcome.name}: {LABEL[outcome.status]}: {outcome.note}")
        else:
            console.line(
                f"--- {outcome.name}: {LABEL[outcome.status]}, "
                f"{note(outcome, by_name.get(outcome.name))}; last lines of "
                f"{target.rel(outcome.log)} ---"
            )
            for line in tails[outcome.name].splitlines():
                console.line(f"    {line}")
        job = by_name.get(outcome.name)
        console.annotate(
            "error",
            f"example {outcome.name}: {LABEL[outcome.status]} "
            f"({note(outcome, job)}); see {target.rel(outcome.log)}",
            title=f"example {outcome.name}",
        )
    console.line()
    console.table(
        ["example", "result", "time", "notes"],
        summary_rows(outcomes, by_name),
        title=f"noxpit examples summary: {counts_line(outcomes)}",
    )
    reports = target.reports_dir
    previous = manifest_.read_manifest(manifest_.manifest_path(reports), strict=False)
    merged = manifest_.updated_manifest(previous, outcomes, known, target, now)
    _make_dir(reports)
    write(manifest_.manifest_path(reports), manifest_.render(merged))
    write(manifest_.junit_path(reports), junit_xml(outcomes, by_name, tails))
    console.step(f"examples: JUnit XML in {target.rel(manifest_.junit_path(reports))}")
    if report is not None:
        write(report, markdown_page(outcomes, by_name, target, now, mix_env))
        console.step(f"examples: results page written to {report}")


def _make_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror}; check the path") from None
