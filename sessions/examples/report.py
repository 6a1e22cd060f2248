"""What an examples run leaves behind: progress lines, log tails, the summary table, the
manifest that ``--failed`` reads, JUnit XML for CI, and the Markdown results page.

Rendering is pure (strings from outcomes); the few writes go through ``_write_atomic`` so a
crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sessions.core.console import Console, seconds
from sessions.core.errors import NoxpitError
from sessions.core.target import Target
from sessions.examples.runner import BAD, FAILED, OK, SKIPPED, TIMEOUT, Job, Outcome

if TYPE_CHECKING:
    from sessions.examples.session import Example

LABEL = {OK: "ok", FAILED: "FAILED", TIMEOUT: "TIMEOUT", SKIPPED: "skipped"}
TAIL_LINES = 25
MANIFEST_FORMAT = 1


class ReportError(NoxpitError):
    """The manifest cannot be read, or a report cannot be written."""


# --- paths ---------------------------------------------------------------------------


def logs_dir(reports_dir: Path) -> Path:
    return reports_dir / "examples"


def manifest_path(reports_dir: Path) -> Path:
    return reports_dir / "examples.json"


def junit_path(reports_dir: Path) -> Path:
    return reports_dir / "examples.xml"


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
        parts.append(
            f"exit {outcome.returncode}" if outcome.returncode is not None else outcome.note
        )
    elif outcome.status == TIMEOUT and job is not None:
        parts.append(f"killed at the {format_limit(job.timeout)} limit")
    if job is not None and job.exclusive:
        parts.append("ran alone (exclusive)")
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


def list_rows(examples: Sequence[Example], default_timeout: float) -> list[list[str]]:
    rows = []
    for example in examples:
        settings = example.settings
        notes = []
        if settings.skip is not None:
            notes.append(f"skipped: {settings.skip}")
        if settings.exclusive:
            notes.append("exclusive")
        rows.append(
            [
                example.name,
                format_limit(settings.timeout or default_timeout),
                " ".join(settings.args),
                " ".join(f"{k}={v}" for k, v in settings.env.items()),
                "; ".join(notes),
            ]
        )
    return rows


def print_list(
    console: Console,
    examples: Sequence[Example],
    helpers: Sequence[str],
    default_timeout: float,
    mix_env: str,
) -> None:
    console.table(
        ["example", "timeout", "args", "env", "notes"],
        list_rows(examples, default_timeout),
        title=f"examples that would run (MIX_ENV={mix_env})",
    )
    if helpers:
        console.line(f"helpers, not run: {', '.join(helpers)}")


# --- manifest ------------------------------------------------------------------------


def read_manifest(path: Path, *, strict: bool) -> dict[str, dict[str, Any]]:
    """The latest result per example. ``strict`` (for ``--failed``): a missing or broken
    manifest is an error instead of an empty history."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        examples = data["examples"]
        if not isinstance(examples, dict) or not all(
            isinstance(v, dict) for v in examples.values()
        ):
            raise TypeError
    except FileNotFoundError:
        if strict:
            raise ReportError(
                f"no previous run recorded ({path} is missing); run `nox -s examples` first"
            ) from None
        return {}
    except (OSError, ValueError, KeyError, TypeError):
        if strict:
            raise ReportError(
                f"{path} is not a noxpit examples manifest; delete it and run `nox -s examples`"
            ) from None
        return {}
    return examples


def failed_names(manifest: Mapping[str, Mapping[str, Any]], known: Sequence[str]) -> list[str]:
    """Examples whose latest result was FAILED or TIMEOUT and which still exist."""
    return [name for name in known if manifest.get(name, {}).get("status") in BAD]


def durations(manifest: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    found: dict[str, float] = {}
    for name, record in manifest.items():
        value = record.get("seconds")
        if isinstance(value, int | float) and record.get("status") != SKIPPED:
            found[name] = float(value)
    return found


def updated_manifest(
    previous: Mapping[str, Mapping[str, Any]],
    outcomes: Sequence[Outcome],
    known: Sequence[str],
    target: Target,
    now: datetime,
) -> dict[str, Any]:
    """Merge this run into the history: examples not run keep their last result, removed
    examples are dropped."""
    examples = {name: dict(previous[name]) for name in known if name in previous}
    for outcome in outcomes:
        examples[outcome.name] = {
            "status": outcome.status,
            "seconds": round(outcome.seconds, 3),
            "returncode": outcome.returncode,
            "note": outcome.note,
            "finished": now.isoformat(timespec="seconds"),
        }
    return {
        "format": MANIFEST_FORMAT,
        "app": target.app,
        "version": target.version,
        "updated": now.isoformat(timespec="seconds"),
        "examples": dict(sorted(examples.items())),
    }


# --- JUnit and Markdown --------------------------------------------------------------


def junit_xml(outcomes: Sequence[Outcome], jobs: Mapping[str, Job], logs: Mapping[str, str]) -> str:
    suite = ET.Element(
        "testsuite",
        name="examples",
        tests=str(len(outcomes)),
        failures=str(sum(1 for o in outcomes if o.status == FAILED)),
        errors=str(sum(1 for o in outcomes if o.status == TIMEOUT)),
        skipped=str(sum(1 for o in outcomes if o.status == SKIPPED)),
        time=f"{sum(o.seconds for o in outcomes):.3f}",
    )
    for outcome in outcomes:
        case = ET.SubElement(
            suite,
            "testcase",
            classname="examples",
            name=outcome.name,
            time=f"{outcome.seconds:.3f}",
        )
        text = note(outcome, jobs.get(outcome.name))
        if outcome.status == SKIPPED:
            ET.SubElement(case, "skipped", message=outcome.note)
        elif outcome.status == FAILED:
            ET.SubElement(case, "failure", message=text, type="failed").text = logs.get(
                outcome.name, ""
            )
        elif outcome.status == TIMEOUT:
            ET.SubElement(case, "error", message=text, type="timeout").text = logs.get(
                outcome.name, ""
            )
    ET.indent(suite)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
    )


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


def _write_atomic(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            Path(temp).replace(path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
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
    tails = {o.name: "\n".join(tail(_log_text(o))) for o in outcomes if o.status in BAD}
    for outcome in outcomes:
        if outcome.status not in BAD or outcome.log is None:
            continue
        console.line()
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
    previous = read_manifest(manifest_path(target.reports_dir), strict=False)
    manifest = updated_manifest(previous, outcomes, known, target, now)
    _write_atomic(manifest_path(target.reports_dir), json.dumps(manifest, indent=2) + "\n")
    _write_atomic(junit_path(target.reports_dir), junit_xml(outcomes, by_name, tails))
    console.step(f"examples: JUnit XML in {target.rel(junit_path(target.reports_dir))}")
    if report is not None:
        _write_atomic(report, markdown_page(outcomes, by_name, target, now, mix_env))
        console.step(f"examples: results page written to {report}")
