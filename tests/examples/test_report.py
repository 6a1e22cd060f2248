"""What a run shows and writes: progress, summary, tails, JUnit, Markdown, manifest."""

from __future__ import annotations

import json
import os
import stat
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest

from sessions.core.console import Console
from sessions.core.status import Status
from sessions.examples import manifest, report
from sessions.examples.runner import Job, Outcome
from tests.examples.support import job, make_target

OK, FAILED, TIMEOUT, SKIPPED = Status.PASSED, Status.FAILED, Status.TIMEOUT, Status.SKIPPED

pytestmark = pytest.mark.unit


NOW = datetime(2025, 3, 4, 5, 6, tzinfo=UTC)


def outcomes_and_jobs(tmp_path: Path) -> tuple[list[Outcome], dict[str, Job]]:
    log = tmp_path / "boom.log"
    log.write_text("$ cmd\n" + "".join(f"line {n}\n" for n in range(40)))
    outcomes = [
        Outcome("hello", OK, 1.25, 0),
        Outcome("boom", FAILED, 0.5, 1, log=log),
        Outcome("hang", TIMEOUT, 6.0, None, log=tmp_path / "hang.log"),
        Outcome("tty", SKIPPED, note="reads a terminal"),
    ]
    jobs = {"hang": job("hang"), "port": job("port", exclusive=True)}
    return outcomes, jobs


def test_progress_lines() -> None:
    assert report.progress_line(1, 4, Outcome("hello", OK, 1.25, 0)) == "[1/4] hello ... ok 1.2s"
    assert (
        report.progress_line(2, 4, Outcome("boom", FAILED, 0.5, 1))
        == "[2/4] boom ... FAILED 0.5s (exit 1)"
    )
    assert report.progress_line(3, 4, Outcome("h", TIMEOUT, 6.0)) == "[3/4] h ... TIMEOUT 6.0s"
    assert (
        report.progress_line(4, 4, Outcome("t", SKIPPED, note="reads a terminal"))
        == "[4/4] t ... skipped: reads a terminal"
    )


def test_summary_rows_and_counts(tmp_path: Path) -> None:
    outcomes, jobs = outcomes_and_jobs(tmp_path)
    assert report.summary_rows(outcomes, jobs) == [
        ["hello", "ok", "1.2s", ""],
        ["boom", "FAILED", "0.5s", "exit 1"],
        ["hang", "TIMEOUT", "6.0s", "killed at the 60s limit"],
        ["tty", "skipped", "-", "reads a terminal"],
    ]
    assert report.counts_line(outcomes) == "4 examples: 1 ok, 1 FAILED, 1 TIMEOUT, 1 skipped"


def test_junit_xml_counts_and_carries_the_log_tail(tmp_path: Path) -> None:
    outcomes, jobs = outcomes_and_jobs(tmp_path)
    xml = report.junit_xml(outcomes, jobs, {"boom": "line 39"})
    root = ET.fromstring(xml)
    suite = root.find("testsuite")
    assert suite is not None and suite.attrib["tests"] == "4"
    assert (suite.attrib["failures"], suite.attrib["errors"], suite.attrib["skipped"]) == (
        "1",
        "1",
        "1",
    )
    cases = {case.attrib["name"]: case for case in root.iter("testcase")}
    error = cases["hang"].find("error")
    assert error is not None and error.attrib["type"] == "timeout"
    failure = cases["boom"].find("failure")
    assert failure is not None and failure.text == "line 39"
    assert cases["tty"].find("skipped") is not None
    assert cases["hello"].find("failure") is None


def test_markdown_page_has_date_version_and_a_row_per_example(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", {})
    outcomes, jobs = outcomes_and_jobs(tmp_path)
    page = report.markdown_page(outcomes, jobs, target, NOW, "dev")
    lines = page.splitlines()
    assert lines[0] == "# Examples: demo 1.2.3"
    assert "on 2025-03-04 05:06 UTC (MIX_ENV=dev)" in lines[2]
    assert "| example | status | time | notes |" in lines
    assert "| boom | FAILED | 0.5s | exit 1 |" in lines
    assert "| tty | skipped | - | reads a terminal |" in lines


def test_finish_prints_tails_table_and_writes_files(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", {})
    outcomes, jobs = outcomes_and_jobs(tmp_path)
    stream = StringIO()
    console = Console(stream, {"NO_COLOR": "1"})
    page = tmp_path / "site" / "examples.md"
    page.parent.mkdir()
    known = [o.name for o in outcomes]
    report.finish(console, target, outcomes, list(jobs.values()), known, page, "dev", NOW)
    out = stream.getvalue()
    assert "--- boom: FAILED, exit 1; last lines of" in out
    assert "    line 39" in out and "    line 14" not in out  # only the tail
    assert "noxpit examples summary: 4 examples: 1 ok, 1 FAILED, 1 TIMEOUT, 1 skipped" in out
    written = json.loads(manifest.manifest_path(target.reports_dir).read_text())
    assert written["examples"]["boom"]["status"] == FAILED
    assert ET.parse(manifest.junit_path(target.reports_dir)).getroot().attrib["tests"] == "4"
    assert page.read_text().startswith("# Examples: demo 1.2.3")
    leftovers = [p.name for p in target.reports_dir.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_write_to_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(manifest.ReportError, match=r"^cannot write .*; check the path$"):
        report.write(blocker / "x.md", "text")


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_reports_honour_the_umask(tmp_path: Path, umask: int) -> None:
    target = make_target(tmp_path / "demo", {})
    outcomes, jobs = outcomes_and_jobs(tmp_path)
    page = tmp_path / "examples.md"
    console = Console(StringIO(), {"NO_COLOR": "1"})
    previous = os.umask(umask)
    try:
        report.finish(console, target, outcomes, list(jobs.values()), [], page, "dev", NOW)
    finally:
        os.umask(previous)
    written = [
        page,
        manifest.manifest_path(target.reports_dir),
        manifest.junit_path(target.reports_dir),
    ]
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in written} == {
        path.name: 0o666 & ~umask for path in written
    }


def test_a_diagnosed_failure_is_one_line_without_the_log_tail(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", {})
    log = tmp_path / "installs.log"
    log.write_text("$ cmd\n    (mix 1.18.4) lib/mix.ex:1: Mix.install/2\n")
    why = "calls Mix.install, which cannot run inside the project's `mix run`; run it with x"
    outcomes = [Outcome("installs", FAILED, 0.5, 1, why, log)]
    stream = StringIO()
    report.finish(Console(stream, {"NO_COLOR": "1"}), target, outcomes, [], [], None, "dev", NOW)
    out = stream.getvalue()
    assert f"--- installs: FAILED: {why}" in out
    assert "lib/mix.ex" not in out
