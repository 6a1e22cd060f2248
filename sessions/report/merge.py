"""``nox -s report -- merge DIR...``: one summary from the reports of CI shards.

Each DIR holds one run's ``report.json`` (and its JUnit files), e.g. the artifacts of a
sharded matrix. The merge refuses shards that do not add up (core.report.merge), fails when
any shard failed, and writes one ``report.json`` and one ``junit.xml`` holding every
``<testsuite>`` of every shard, in the reports dir (or ``--out``). When the runs measured
coverage (``<dir>/coverage/coverage.json``), their coverage is merged too, into
``coverage/`` next to the merged ``report.json``; a run without it among runs with it fails
the merge, as a missing shard does.
"""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.core import report as run_report
from sessions.core.console import Console, seconds
from sessions.core.files import atomic_write, rel_label
from sessions.core.options import PosargsParser
from sessions.core.status import Status
from sessions.coverage import merge as coverage_merge
from sessions.coverage import model as coverage_model
from sessions.coverage.python_tool import CoverageError

JUNIT_NAME = "junit.xml"


@dataclass(frozen=True)
class Merged:
    report: run_report.RunReport | None  # None: the reports could not be merged
    ok: bool
    message: str


def options_parser() -> PosargsParser:
    parser = PosargsParser("report", "merge the report.json files of CI shards into one.")
    parser.add_argument("action", choices=["merge"], help="what to do (merge)")
    parser.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="one run's reports")
    parser.add_argument("--out", type=Path, help="where to write (default: the reports dir)")
    return parser


def report_file(path: Path) -> Path:
    return path if path.is_file() else path / run_report.FILE_NAME


def reports_dir(path: Path) -> Path:
    """The run's reports dir, whether DIR named it or its ``report.json``."""
    return path.parent if path.is_file() else path


def expected_shards(reports: Sequence[run_report.RunReport]) -> int | None:
    """N of the ``K/N`` the reports name; reports of different N are an error."""
    totals = {s.split("/")[1] for r in reports for s in r.shards}
    if len(totals) > 1:
        raise run_report.ReportError(f"shards of different N: {', '.join(sorted(totals))}")
    return int(totals.pop()) if totals else None


def junit_files(dirs: Sequence[Path]) -> list[Path]:
    return sorted(p for d in dirs if d.is_dir() for p in d.glob("*.xml") if p.name != JUNIT_NAME)


def merge_junit(paths: Sequence[Path]) -> str:
    """One ``<testsuites>`` holding every ``<testsuite>`` of every file, counts summed."""
    root = ElementTree.Element("testsuites", name="noxpit")
    for path in paths:
        try:
            document = ElementTree.parse(path).getroot()  # noqa: S314 - reports we wrote
        except ElementTree.ParseError as exc:
            raise run_report.ReportError(f"{path}: not valid JUnit XML ({exc})") from None
        suites = [document] if document.tag == "testsuite" else document.findall("testsuite")
        root.extend(suites)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0") or 0) for s in root)))
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, "unicode") + "\n"


def rows(report: run_report.RunReport) -> list[list[str]]:
    def row(s: run_report.SuiteReport) -> list[str]:
        counts = [s.tests, s.failures, len(s.flaky), s.skipped]
        return [s.name, s.status, *map(str, counts), seconds(s.seconds), s.detail]

    return [row(s) for s in report.suites] + [row(report.totals)]


def merge(dirs: Sequence[Path], out: Path, console: Console) -> Merged:
    reports = [run_report.read(report_file(d)) for d in dirs]
    merged = run_report.merge(reports, expected_shards=expected_shards(reports))
    covered = coverage_merge.read_dirs([reports_dir(d) for d in dirs])  # before any write
    console.table(
        ["suite", "result", "tests", "failures", "flaky", "skipped", "time", "detail"],
        rows(merged),
        title=f"noxpit report: {len(reports)} reports merged"
        + (f" (shards {', '.join(merged.shards)})" if merged.shards else ""),
    )
    flaky = [f"{s.name}: {t}" for s in merged.suites for t in s.flaky]
    if flaky:
        console.line("flaky tests (failed, then passed when rerun):")
        for line in flaky:
            console.line(f"  {line}")
    path = run_report.write(merged, out)
    atomic_write(out / JUNIT_NAME, merge_junit(junit_files(dirs)))
    console.step(
        f"report: {rel_label(path, Path.cwd())}, {rel_label(out / JUNIT_NAME, Path.cwd())}"
    )
    if covered is not None:
        _coverage(covered, out / "coverage", len(reports), console)
    failed = [s.name for s in merged.steps if s.status.bad]
    failed += [s.name for s in merged.suites if s.status.bad]
    ok = merged.status == Status.PASSED
    return Merged(merged, ok, f"merged report failed: {', '.join(dict.fromkeys(failed))}")


def _coverage(covered: coverage_model.Measured, out: Path, count: int, console: Console) -> None:
    coverage_merge.write(covered, out)
    console.line()
    console.table(
        coverage_model.HEADERS,
        coverage_model.summary_rows(covered),
        title=f"noxpit coverage: {count} reports merged",
    )
    only = covered.only_mix_modules()
    if only:
        console.line(f"Python modules only the Elixir tests reach: {', '.join(only)}")
    console.step(f"coverage: {rel_label(out, Path.cwd())} (coverage.lcov, coverage.json)")


def run(args: argparse.Namespace, reports_dir: Path, console: Console) -> Merged:
    """The merge, or the one line saying why there is nothing to merge (a missing or
    doubled shard fails the session; it is not an interruption)."""
    try:
        return merge(args.dirs, args.out or reports_dir, console)
    except (run_report.ReportError, CoverageError) as exc:
        return Merged(None, False, str(exc))
