"""JUnit XML as a small model: what the summaries count, CI annotates and reports merge.

The one reader and the one writer. Read from the files pytest and noxpit's ExUnit formatter
write, so a summary shows what the machine-readable reports say, not a second opinion.
Counts come from ``<testcase>`` elements (the ``tests``/``failures`` attributes differ
between producers).
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.status import Status

PASSED, FAILED, ERROR, SKIPPED = Status.PASSED, Status.FAILED, Status.ERROR, Status.SKIPPED


class JUnitError(NoxpitError):
    """A JUnit report that is missing or not valid XML."""


@dataclass(frozen=True)
class Case:
    """One ``<testcase>``: where it is and how it ended."""

    classname: str
    name: str
    outcome: Status  # PASSED, FAILED, ERROR (or TIMEOUT, written as an error), SKIPPED
    message: str = ""
    file: str | None = None
    line: int | None = None
    seconds: float = 0.0
    output: str = ""  # the log written under a failure or error


@dataclass(frozen=True)
class Counts:
    tests: int = 0
    failures: int = 0  # failures and errors: both mean "not green"
    skipped: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.tests + other.tests,
            self.failures + other.failures,
            self.skipped + other.skipped,
        )


@dataclass(frozen=True)
class Report:
    cases: tuple[Case, ...]

    @property
    def counts(self) -> Counts:
        return Counts(
            tests=len(self.cases),
            failures=sum(case.outcome.bad for case in self.cases),
            skipped=sum(case.outcome == SKIPPED for case in self.cases),
        )

    @property
    def failed(self) -> list[Case]:
        return [case for case in self.cases if case.outcome.bad]


def _outcome(element: ElementTree.Element) -> tuple[Status, str]:
    for tag, outcome in (("failure", FAILED), ("error", ERROR), ("skipped", SKIPPED)):
        child = element.find(tag)
        if child is not None:
            message = child.get("message") or (child.text or "").strip().split("\n", 1)[0]
            return outcome, message
    return PASSED, ""


def _line(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _seconds(value: str | None) -> float:
    try:
        return float(value) if value else 0.0
    except ValueError:
        return 0.0


def parse(text: str, *, source: str = "JUnit report") -> Report:
    """The test cases of a JUnit document (``<testsuites>`` or a bare ``<testsuite>``)."""
    try:
        # Our own reports, written by pytest and our formatter on this machine.
        root = ElementTree.fromstring(text)  # noqa: S314
    except ElementTree.ParseError as exc:
        raise JUnitError(f"{source}: not valid JUnit XML ({exc}); rerun the suite") from None
    if root.tag not in ("testsuites", "testsuite"):
        raise JUnitError(f"{source}: root element is <{root.tag}>, not <testsuites>")
    cases = []
    for element in root.iter("testcase"):
        outcome, message = _outcome(element)
        cases.append(
            Case(
                classname=element.get("classname", ""),
                name=element.get("name", ""),
                outcome=outcome,
                message=message,
                file=element.get("file"),
                line=_line(element.get("line")),
                seconds=_seconds(element.get("time")),
            )
        )
    return Report(tuple(cases))


def read(path: Path, *, label: str | None = None) -> Report:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise JUnitError(f"{label or path}: no JUnit report was written") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise JUnitError(f"{label or path}: cannot read ({exc})") from None
    return parse(text, source=label or str(path))


def read_if_present(path: Path) -> Report | None:
    """The report, or None when the run ended before writing a valid one."""
    try:
        return read(path)
    except JUnitError:
        return None


def render(suite: str, cases: Sequence[Case]) -> str:
    """The JUnit document for one suite: ``<testsuites>`` holding one ``<testsuite>``.

    A timeout is written as an ``<error type="timeout">``; a run with nothing to run (e.g.
    ``mix test --failed`` after a green run) still leaves a file CI can collect."""
    counts = Report(tuple(cases)).counts
    failures = sum(case.outcome == FAILED for case in cases)
    attrs = {
        "name": suite,
        "tests": str(counts.tests),
        "failures": str(failures),
        "errors": str(counts.failures - failures),
        "skipped": str(counts.skipped),
        "time": f"{sum(case.seconds for case in cases):.3f}",
    }
    root = ElementTree.Element("testsuites", attrs)
    holder = ElementTree.SubElement(root, "testsuite", attrs)
    for case in cases:
        element = ElementTree.SubElement(
            holder,
            "testcase",
            {"classname": case.classname, "name": case.name, "time": f"{case.seconds:.3f}"},
        )
        if case.file:
            element.set("file", case.file)
        if case.line is not None:
            element.set("line", str(case.line))
        if case.outcome == SKIPPED:
            ElementTree.SubElement(element, "skipped", message=case.message)
        elif case.outcome.bad:
            tag = "failure" if case.outcome == FAILED else "error"
            child = ElementTree.SubElement(
                element, tag, message=case.message, type=str(case.outcome)
            )
            child.text = case.output
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, "unicode") + "\n"


def empty_document(suite: str) -> str:
    """A report for a run that had nothing to run."""
    return render(suite, [])


def total(counts: Iterable[Counts]) -> Counts:
    result = Counts()
    for item in counts:
        result = result + item
    return result


def annotate_failures(console: Console, report: Report, title: str) -> None:
    """One GitHub error annotation per failed test, at the test's file and line."""
    for case in report.failed:
        label = f"{case.classname}: {case.name}" if case.classname else case.name
        message = f"{label}: {case.message}" if case.message else label
        console.annotate("error", message, file=case.file, line=case.line, title=title)
