"""What a check run leaves behind: the report's suites from this run's files only, pytest
failures at their file, the merged JUnit file, and what `--retry` reads back."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sessions.check import results
from sessions.check.steps import Outcome
from sessions.core import junit
from sessions.core.console import Annotation, Console
from sessions.core.report import RunReport, StepReport
from sessions.core.report import write as write_report
from sessions.core.status import Status
from sessions.core.target import Target
from tests.check.support import demo_target

pytestmark = pytest.mark.unit

PASS, FAIL = Status.PASSED, Status.FAILED


def case(name: str, outcome: Status = PASS, classname: str = "Demo.Test") -> junit.Case:
    return junit.Case(classname, name, outcome, "boom" if outcome.bad else "")


def write_junit(
    target: Target, name: str, suite: str, cases: list[junit.Case], age: float = 0
) -> None:
    path = target.reports_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(junit.render(suite, cases))
    if age:
        then = time.time() - age
        os.utime(path, (then, then))


def ran(step: str, status: Status = PASS, ago: float = 5) -> Outcome:
    return Outcome(step, status, 1.0, started=time.time() - ago)


def test_suites_come_from_the_files_this_run_wrote(tmp_path: Path) -> None:
    target = demo_target(tmp_path / "demo")
    write_junit(target, "pytest.xml", "pytest", [case("a"), case("b", FAIL)])
    write_junit(target, "mix-test-default.xml", "mix test (default)", [case("c")])
    write_junit(target, "mix-test-slow.xml", "mix test (slow)", [case("d")], age=3600)  # stale
    write_junit(target, "examples.xml", "examples", [case("hello")])  # examples did not run
    suites = {s.name: s for s in results.suites_of(target, [ran("tests")])}
    assert set(suites) == {"pytest", "mix test (default)"}
    assert (suites["pytest"].tests, suites["pytest"].failures, suites["pytest"].status) == (
        2,
        1,
        FAIL,
    )


def test_the_merged_junit_holds_one_testsuite_per_suite_and_the_totals(tmp_path: Path) -> None:
    target = demo_target(tmp_path / "demo")
    write_junit(target, "pytest.xml", "pytest", [case("a"), case("b", FAIL)])
    write_junit(target, "examples.xml", "examples", [case("hello")])
    text = results.merged_junit(target, [ran("tests"), ran("examples")])
    merged = junit.parse(text)
    assert merged.counts == junit.Counts(tests=3, failures=1, skipped=0)
    assert text.count("<testsuite ") == 2 and 'name="examples"' in text


def test_a_pytest_failure_is_annotated_at_its_test_file(tmp_path: Path) -> None:
    target = demo_target(tmp_path / "demo")
    tests_dir = target.root / "priv" / "python" / "tests"
    tests_dir.mkdir(parents=True)
    (tests_dir / "test_etf.py").write_text("")
    failing = case("test_decodes", FAIL, classname="priv.python.tests.test_etf.TestDecode")
    write_junit(target, "pytest.xml", "pytest", [failing, case("ok")])
    found = results.pytest_annotations(target, Console(root=target.root), time.time() - 5)
    assert found == [
        Annotation(
            "error",
            "priv.python.tests.test_etf.TestDecode: test_decodes: boom",
            "priv/python/tests/test_etf.py",
            None,
            "pytest",
        )
    ]


def test_a_pytest_module_named_from_the_python_dir_is_found(tmp_path: Path) -> None:
    (tmp_path / "priv" / "python" / "tests").mkdir(parents=True)
    (tmp_path / "priv" / "python" / "tests" / "test_x.py").write_text("")
    assert results.pytest_case_file("tests.test_x", tmp_path) == "priv/python/tests/test_x.py"
    assert results.pytest_case_file("tests.test_gone", tmp_path) is None


def test_error_annotations_become_findings() -> None:
    found = results.findings_of(
        [
            Annotation("error", "unformatted", "lib/x.ex", 3, "lint format"),
            Annotation("warning", "w"),
        ]
    )
    assert [f.render() for f in found] == ["lib/x.ex:3: unformatted [lint format]"]


def last_check(target: Target, steps: list[StepReport]) -> None:
    write_report(RunReport("demo", steps=tuple(steps)), target.reports_dir / results.RETRY_DIR)


def test_retry_takes_the_failed_steps_and_those_a_failure_kept_from_running(tmp_path: Path) -> None:
    target = demo_target(tmp_path / "demo")
    last_check(
        target,
        [
            StepReport("doctor", PASS),
            StepReport("lint", FAIL, 1.0, "lint failed: format"),
            StepReport("dialyzer", Status.SKIPPED, 0.0, "not run: compile (dev) failed"),
            StepReport("tests", PASS),
            StepReport("examples", Status.SKIPPED, 0.0, "not selected"),
            StepReport("docs_check", Status.TIMEOUT),
        ],
    )
    assert results.failed_last_time(target) == ["lint", "dialyzer", "docs_check"]


def test_the_step_summary_shows_steps_suites_and_findings(tmp_path: Path) -> None:
    target = demo_target(tmp_path / "demo")
    write_junit(target, "pytest.xml", "pytest", [case("a")])
    report = results.build_report(
        target,
        [ran("tests"), Outcome("lint", FAIL, 2.0, "lint failed: format")],
        [Annotation("error", "unformatted", "lib/x.ex", 3, "lint format")],
        12.5,
    )
    markdown = results.step_summary(report)
    assert "### noxpit check: failed" in markdown
    assert "| lint | failed | 2.0s | lint failed: format |" in markdown
    assert "| pytest | passed | 1 | 0 | 0 |  |" in markdown
    assert "| lib/x.ex:3 | unformatted | lint format |" in markdown


def test_the_report_and_the_junit_file_are_written_and_read_back(tmp_path: Path) -> None:
    target = demo_target(tmp_path / "demo")
    report = RunReport("demo", steps=(StepReport("lint", FAIL),))
    path = results.write(target, report, junit.empty_document("check"))
    assert path == target.reports_dir / "report.json"
    assert (target.reports_dir / "check.xml").is_file()
    assert results.failed_last_time(target) == ["lint"]
    assert results.last_durations(target) == {"lint": 0.0}
