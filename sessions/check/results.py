"""What a check run leaves: ``report.json`` (steps, the suites the steps' JUnit files or
report say, findings from the annotations), one merged JUnit XML, the GitHub annotations
(once, capped) and the step summary (once, from the report).

Suites and findings are read from files the steps wrote during this run only (mtime at or
after the step started): a stale file of an earlier run never counts.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.check.runner import annotations_file
from sessions.check.steps import MAIN_STEPS, Outcome
from sessions.core import junit
from sessions.core import report as run_report
from sessions.core.console import Annotation, Console, markdown_table, read_recorded, seconds
from sessions.core.files import atomic_write
from sessions.core.findings import Finding
from sessions.core.report import RunReport, StepReport, SuiteReport
from sessions.core.status import Status
from sessions.core.target import Target

JUNIT_NAME = "check.xml"
RETRY_DIR = "check"  # <reports>/check/report.json: what `--retry` reads


@dataclass(frozen=True)
class SuiteFile:
    """A JUnit file some step writes, and the suite name it stands for."""

    step: str
    path: Path
    name: str


def suite_files(target: Target) -> list[SuiteFile]:
    reports = target.reports_dir
    found = [SuiteFile("tests", reports / "pytest.xml", "pytest")]
    for path in sorted(reports.glob("mix-test-*.xml")):
        variant = path.stem.removeprefix("mix-test-")
        found.append(SuiteFile("tests", path, f"mix test ({variant})"))
    found.append(SuiteFile("examples", reports / "examples.xml", "examples"))
    return found


def _fresh(path: Path, since: float) -> bool:
    try:
        return path.stat().st_mtime >= since - 1.0
    except OSError:
        return False


def suites_of(target: Target, outcomes: Sequence[Outcome]) -> list[SuiteReport]:
    """The suites this run's steps wrote: the tests step's own report.json when it wrote one
    (it knows flaky tests), else each JUnit file, counted from its test cases."""
    started = {o.step: o.started for o in outcomes if o.started}
    suites: list[SuiteReport] = []
    own = target.reports_dir / run_report.FILE_NAME
    from_report: set[str] = set()
    if "tests" in started and _fresh(own, started["tests"]):
        try:
            suites.extend(run_report.read(own).suites)
            from_report.add("tests")
        except run_report.ReportError:
            pass
    for item in suite_files(target):
        if item.step not in started or item.step in from_report:
            continue
        if not _fresh(item.path, started[item.step]):
            continue
        parsed = junit.read_if_present(item.path)
        if parsed is None:
            continue
        counts = parsed.counts
        suites.append(
            SuiteReport(
                item.name,
                Status.FAILED if counts.failures else Status.PASSED,
                tests=counts.tests,
                failures=counts.failures,
                skipped=counts.skipped,
                seconds=round(sum(c.seconds for c in parsed.cases), 3),
            )
        )
    return suites


def pytest_case_file(classname: str, root: Path) -> str | None:
    """pytest's JUnit names a test by its dotted module (``priv.python.tests.test_x``,
    maybe ``.TestClass``): the file, relative to the root it ran in, when it exists."""
    parts = classname.split(".")
    for end in range(len(parts), 0, -1):
        rel = Path(*parts[:end]).with_suffix(".py")
        for base in (root, root / "priv" / "python"):
            if (base / rel).is_file():
                return (base / rel).relative_to(root).as_posix()
    return None


def pytest_annotations(target: Target, console: Console, since: float) -> list[Annotation]:
    """pytest's failures, from its JUnit file, as annotations at the test's file."""
    path = target.reports_dir / "pytest.xml"
    if not _fresh(path, since):
        return []
    parsed = junit.read_if_present(path)
    if parsed is None:
        return []
    found = []
    for case in parsed.failed:
        file = pytest_case_file(case.classname, target.root)
        where = console.workspace(file) if file else None
        label = f"{case.classname}: {case.name}" if case.classname else case.name
        message = f"{label}: {case.message}" if case.message else label
        found.append(Annotation("error", message, where, None, "pytest"))
    return found


def annotations_of(
    target: Target, console: Console, outcomes: Sequence[Outcome]
) -> list[Annotation]:
    """Every annotation the steps recorded, in step order, plus pytest's failures."""
    found: list[Annotation] = []
    for outcome in outcomes:
        if not outcome.started:
            continue
        found.extend(read_recorded(annotations_file(target, outcome.step)))
        if outcome.step == "tests":
            found.extend(pytest_annotations(target, console, outcome.started))
    return list(dict.fromkeys(found))


def findings_of(annotations: Sequence[Annotation]) -> list[Finding]:
    return [
        Finding(a.file or "", a.line, a.message, a.title or "")
        for a in annotations
        if a.level == "error"
    ]


def build_report(
    target: Target,
    outcomes: Sequence[Outcome],
    annotations: Sequence[Annotation],
    elapsed: float,
) -> RunReport:
    return RunReport(
        target=target.app,
        steps=tuple(StepReport(o.step, o.status, round(o.seconds, 3), o.detail) for o in outcomes),
        suites=tuple(suites_of(target, outcomes)),
        findings=tuple(findings_of(annotations)),
        seconds=round(elapsed, 3),
    )


def merged_junit(target: Target, outcomes: Sequence[Outcome]) -> str:
    """One JUnit document: a ``<testsuite>`` per suite file this run wrote (each read and
    re-rendered by core.junit, so producers' quirks do not leak through)."""
    started = {o.step: o.started for o in outcomes if o.started}
    root = ElementTree.Element("testsuites", {"name": "noxpit check"})
    cases: list[junit.Case] = []
    for item in suite_files(target):
        if item.step not in started or not _fresh(item.path, started[item.step]):
            continue
        parsed = junit.read_if_present(item.path)
        if parsed is None:
            continue
        cases.extend(parsed.cases)
        document = ElementTree.fromstring(junit.render(item.name, parsed.cases))  # noqa: S314
        root.extend(document.findall("testsuite"))
    counts = junit.Report(tuple(cases)).counts
    root.set("tests", str(counts.tests))
    root.set("failures", str(counts.failures))
    root.set("skipped", str(counts.skipped))
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, "unicode") + "\n"


def write(target: Target, report: RunReport, junit_text: str, *, dry_run: bool = False) -> Path:
    """``report.json`` (and a copy for ``--retry``) and the merged JUnit file."""
    if dry_run:
        return target.reports_dir / run_report.FILE_NAME
    path = run_report.write(report, target.reports_dir)
    run_report.write(report, target.reports_dir / RETRY_DIR)
    atomic_write(target.reports_dir / JUNIT_NAME, junit_text)
    return path


def failed_last_time(target: Target) -> list[str]:
    """The main steps that did not pass in the last check (skipped for a failed need
    counts; "not selected" does not): what ``--retry`` runs."""
    last = run_report.read(target.reports_dir / RETRY_DIR / run_report.FILE_NAME)
    return [
        s.name
        for s in last.steps
        if s.name in MAIN_STEPS and (s.status.bad or s.detail.startswith("not run"))
    ]


def last_durations(target: Target) -> dict[str, float]:
    """How long each step took in the last check (for longest-first); {} without one."""
    try:
        last = run_report.read(target.reports_dir / RETRY_DIR / run_report.FILE_NAME)
    except run_report.ReportError:
        return {}
    return {s.name: s.seconds for s in last.steps}


def summary_rows(report: RunReport) -> list[list[str]]:
    rows = [[s.name, str(s.status), seconds(s.seconds), s.detail] for s in report.steps]
    failed = [s.name for s in report.steps if s.status.bad]
    rows.append(
        [
            "total",
            str(report.status),
            seconds(report.seconds),
            f"{len(failed)} of {len(report.steps)} failed" if failed else "",
        ]
    )
    return rows


def suite_rows(report: RunReport) -> list[list[str]]:
    return [
        [s.name, str(s.status), str(s.tests), str(s.failures), str(s.skipped), ", ".join(s.flaky)]
        for s in report.suites
    ]


def step_summary(report: RunReport) -> str:
    """The Markdown for GitHub's step summary: the steps, the suites, the findings."""
    parts = [
        markdown_table(
            ["step", "result", "time", "detail"],
            summary_rows(report),
            f"noxpit check: {report.status}",
        )
    ]
    if report.suites:
        parts.append(
            markdown_table(
                ["suite", "result", "tests", "failures", "skipped", "flaky"],
                suite_rows(report),
                "suites",
            )
        )
    if report.findings:
        shown = [[_where(f), f.message, f.code] for f in report.findings[:50]]
        more = len(report.findings) - len(shown)
        parts.append(markdown_table(["where", "finding", "from"], shown, "findings"))
        if more > 0:
            parts.append(f"... and {more} more in report.json")
    return "\n\n".join(parts) + "\n"


def _where(finding: Finding) -> str:
    return f"{finding.file}:{finding.line}" if finding.line else finding.file


def publish(console: Console, report: RunReport, annotations: Sequence[Annotation]) -> None:
    """The summary tables, then on GitHub the annotations (capped) and the step summary."""
    console.line()
    if report.suites:
        console.table(
            ["suite", "result", "tests", "failures", "skipped", "flaky"],
            suite_rows(report),
            title="suites",
            markdown=False,
        )
        console.line()
    console.table(
        ["step", "result", "time", "detail"],
        summary_rows(report),
        title="noxpit check summary",
        markdown=False,
    )
    for annotation in annotations:
        console.emit(annotation)
    console.flush_annotations()
    console.summary_markdown(step_summary(report))
