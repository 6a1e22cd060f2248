"""mix test variants on a real (small) Mix project: the JUnit formatter counts what ExUnit
counts, --failed reruns only failures, and the variants share one compile."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from sessions.core import junit
from sessions.core.console import Console
from sessions.elixir import exunit as mix_test
from tests.elixir.test_exunit import scratch_project, target_at

pytestmark = pytest.mark.integration


EXUNIT_SUMMARY = re.compile(r"(\d+) tests?, (\d+) failures?(?:, (\d+) excluded)?")


def exunit_counts(output: str) -> tuple[int, int, int]:
    match = EXUNIT_SUMMARY.search(output)
    assert match, output
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def test_formatter_writes_junit_matching_exunit_and_reruns_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    target = target_at(scratch_project(tmp_path / "scratch"))
    console = Console(io.StringIO(), {})
    assert mix_test.compile_for_tests(target, console).files == 1

    report_file = mix_test.junit_path(target, "default")
    report_file.parent.mkdir(parents=True)
    report_file.write_text("stale report from an earlier run")
    default = mix_test.run_variant(target, console, "default")
    assert not default.ok
    assert "Compiling" not in default.completed.output  # the variant reused the build
    tests, _failures, excluded = exunit_counts(default.completed.output)
    assert default.report is not None
    assert default.report == junit.read(report_file)
    # Excluded tests are not part of this variant; skipped and invalid ones are.
    assert default.report.counts == junit.Counts(tests=tests - excluded, failures=2, skipped=1)
    outcomes = {case.name: case.outcome for case in default.report.cases}
    assert outcomes == {
        "test passes": junit.PASSED,
        'test fails with <xml> & "quotes"': junit.FAILED,
        "test skipped": junit.SKIPPED,
        "test group inside": junit.PASSED,
        "test never runs": junit.ERROR,
    }
    failure = next(c for c in default.report.cases if c.outcome == junit.FAILED)
    assert (failure.file, failure.line) == ("test/scratch_test.exs", 8)
    assert failure.message == "Assertion with == failed"
    beams = list((tmp_path / "cache" / "noxpit" / "formatter").glob("*/elixir-*/*.beam"))
    assert [beam.name for beam in beams] == ["Elixir.NoxpitJUnitFormatter.beam"]

    tagged = mix_test.run_variant(target, console, "integration")
    assert tagged.ok and tagged.report is not None
    assert [case.name for case in tagged.report.cases] == ["test integration only"]

    rerun = mix_test.run_variant(target, console, "default", ["--failed"])
    assert rerun.report is not None
    rerun_names = {case.name for case in rerun.report.cases}
    assert 'test fails with <xml> & "quotes"' in rerun_names
    assert "test passes" not in rerun_names
    assert {case.outcome for case in rerun.report.cases} <= {junit.FAILED, junit.ERROR}


LINKED_EXIT = """defmodule LinkedExitTest do
  use ExUnit.Case

  test "a linked process takes the test down" do
    spawn_link(fn -> exit(:boom) end)
    Process.sleep(1_000)
  end
end
"""


def test_a_test_killed_by_a_linked_exit_is_reported_not_a_formatter_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = scratch_project(tmp_path / "scratch")
    (root / "test" / "scratch_test.exs").write_text(LINKED_EXIT)
    target = target_at(root)
    console = Console(io.StringIO(), {})
    mix_test.compile_for_tests(target, console)
    result = mix_test.run_variant(target, console, "default")
    assert not result.ok
    assert result.report is not None, result.completed.output[-2000:]
    [case] = result.report.cases
    assert case.outcome == junit.FAILED
    assert case.message.startswith("EXIT: ")


def test_failed_reruns_are_not_failures_where_nothing_failed_and_go_green_once_fixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`nox -s tests -- --failed` (issue 15): a variant with nothing to rerun is not red."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = scratch_project(tmp_path / "scratch")
    target = target_at(root)
    console = Console(io.StringIO(), {})
    mix_test.compile_for_tests(target, console)
    assert not mix_test.run_variant(target, console, "default").ok
    assert mix_test.run_variant(target, console, "integration").ok

    tagged = mix_test.run_variant(target, console, "integration", ["--failed"])
    assert tagged.ok and tagged.nothing_to_rerun, tagged.completed.output[-1500:]

    # Fix the failing tests: the rerun passes, and the next one has nothing left to run.
    test_file = root / "test" / "scratch_test.exs"
    fixed = (
        test_file.read_text()
        .replace(":mars", ":world")
        .replace('raise "setup_all exploded"', ":ok")
    )
    test_file.write_text(fixed)
    rerun = mix_test.run_variant(target, console, "default", ["--failed"])
    assert rerun.ok and not rerun.nothing_to_rerun
    again = mix_test.run_variant(target, console, "default", ["--failed"])
    assert again.ok and again.nothing_to_rerun
    assert mix_test.run_variant(target, console, "integration", ["--failed"]).ok
