"""JUnit reports: counts the summary shows, failures CI annotates, broken files as one line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from sessions.core import junit
from sessions.core.console import Console

pytestmark = pytest.mark.unit


EXUNIT_STYLE = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="mix test (default)" tests="4" failures="1" errors="1" skipped="1" time="0.1">
  <testsuite name="Pitpool.PoolTest" tests="3" failures="1" errors="0" skipped="1">
    <testcase classname="Pitpool.PoolTest" name="test call/3 works" file="test/pool_test.exs"
      line="5" time="0.001"/>
    <testcase classname="Pitpool.PoolTest" name="test call/3 &lt;fails&gt;"
      file="test/pool_test.exs" line="12" time="0.002">
      <failure message="Assertion with == failed" type="ExUnit.AssertionError">  1) ...
     code:  assert 1 + 1 == 3</failure>
    </testcase>
    <testcase classname="Pitpool.PoolTest" name="test later" file="test/pool_test.exs"
      line="20" time="0.000"><skipped message="due to skip tag"/></testcase>
  </testsuite>
  <testsuite name="Pitpool.SetupTest" tests="1" failures="0" errors="1" skipped="0">
    <testcase classname="Pitpool.SetupTest" name="test never runs" file="test/setup_test.exs"
      line="9" time="0.000"><error message="setup_all failed">boom</error></testcase>
  </testsuite>
</testsuites>
"""

PYTEST_STYLE = """<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite
name="pytest" errors="0" failures="1" skipped="1" tests="3" time="0.05"><testcase
classname="tests.test_etf" name="test_roundtrip" time="0.001" /><testcase
classname="tests.test_etf" name="test_broken" time="0.001"><failure
message="assert 2 == 3">def test_broken(): ...</failure></testcase><testcase
classname="tests.test_etf" name="test_later" time="0.000"><skipped type="pytest.skip"
message="not yet">skipped</skipped></testcase></testsuite></testsuites>"""


def test_exunit_report_counts_failures_errors_and_skips() -> None:
    report = junit.parse(EXUNIT_STYLE)
    assert report.counts == junit.Counts(tests=4, failures=2, skipped=1)
    failed = {case.name: case for case in report.failed}
    assert set(failed) == {"test call/3 <fails>", "test never runs"}
    assert failed["test call/3 <fails>"].message == "Assertion with == failed"
    assert (failed["test call/3 <fails>"].file, failed["test call/3 <fails>"].line) == (
        "test/pool_test.exs",
        12,
    )
    assert failed["test never runs"].outcome == junit.ERROR


def test_pytest_report_counts() -> None:
    report = junit.parse(PYTEST_STYLE)
    assert report.counts == junit.Counts(tests=3, failures=1, skipped=1)
    assert report.failed[0].message == "assert 2 == 3"
    assert report.failed[0].file is None


def test_totals_add_up() -> None:
    total = junit.total([junit.parse(EXUNIT_STYLE).counts, junit.parse(PYTEST_STYLE).counts])
    assert total == junit.Counts(tests=7, failures=3, skipped=2)


def test_empty_document_is_a_valid_report_with_nothing_run() -> None:
    report = junit.parse(junit.empty_document('mix test ("default")'))
    assert report.counts == junit.Counts()


def test_broken_or_missing_report_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "mix-test-default.xml"
    broken.write_text("<testsuites><testsuite>")
    with pytest.raises(junit.JUnitError, match="not valid JUnit XML") as raised:
        junit.read(broken)
    assert "\n" not in str(raised.value)
    with pytest.raises(junit.JUnitError, match="no JUnit report was written"):
        junit.read(tmp_path / "missing.xml")
    with pytest.raises(junit.JUnitError, match="root element is <html>"):
        junit.parse("<html/>")
    assert junit.read_if_present(broken) is None


def test_failures_become_github_annotations_only_on_actions() -> None:
    report = junit.parse(EXUNIT_STYLE)
    out = io.StringIO()
    junit.annotate_failures(Console(out, {"GITHUB_ACTIONS": "true"}), report, "mix test (default)")
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "::error file=test/pool_test.exs,line=12,title=mix test (default)::"
        "Pitpool.PoolTest: test call/3 <fails>: Assertion with == failed"
    )
    assert lines[1].startswith("::error file=test/setup_test.exs,line=9,")
    quiet = io.StringIO()
    junit.annotate_failures(Console(quiet, {}), report, "mix test (default)")
    assert quiet.getvalue() == ""


def test_render_round_trips_through_the_reader() -> None:
    cases = [
        junit.Case("examples", "ok", junit.PASSED, seconds=1.5),
        junit.Case("examples", "broken", junit.FAILED, "exit 1", output="boom <&>"),
        junit.Case("examples", "hang", junit.Status.TIMEOUT, "timed out after 5s"),
        junit.Case("examples", "later", junit.SKIPPED, "needs a GPU"),
    ]
    document = junit.render("examples", cases)
    report = junit.parse(document)
    assert [(c.name, c.outcome) for c in report.cases] == [
        ("ok", junit.PASSED),
        ("broken", junit.FAILED),
        ("hang", junit.ERROR),
        ("later", junit.SKIPPED),
    ]
    assert report.counts == junit.Counts(tests=4, failures=2, skipped=1)
    assert report.cases[0].seconds == 1.5
    assert 'type="timeout"' in document
    assert junit.parse(junit.empty_document("none")).counts == junit.Counts()
