"""A suite's status after its rerun, under each ``[tests] flaky`` policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.core import junit, procs
from sessions.core.status import Status
from sessions.suite import rerun

pytestmark = pytest.mark.unit

REPORT = junit.Report((junit.Case("T", "test x", Status.PASSED),))


def made(returncode: int, flaky: tuple[str, ...] = (), rescued: bool = False) -> rerun.Tested:
    completed = procs.Completed(("mix", "test"), returncode, 1.0)
    return rerun.Tested("mix test (default)", completed, REPORT, flaky, rescued)


def test_flaky_passes_with_warn_and_fails_with_fail() -> None:
    rescued = made(2, ("test x (T)",), rescued=True)
    assert rerun.verdict(rescued, "warn") == (Status.FLAKY, "1 flaky (passed when rerun)")
    status, detail = rerun.verdict(rescued, "fail")
    assert status == Status.FAILED
    assert detail == '1 flaky, failing the run ([tests] flaky = "fail")'


def test_a_failure_the_rerun_did_not_rescue_is_a_failure() -> None:
    assert rerun.verdict(made(2, ("test y (T)",), rescued=False), "warn") == (
        Status.FAILED,
        "exit 2",
    )
    assert rerun.verdict(made(0), "fail") == (Status.PASSED, "")
    no_report = rerun.Tested("pytest", procs.Completed(("pytest",), 0, 1.0), None)
    assert rerun.verdict(no_report, "warn")[0] == Status.ERROR


def test_a_rerun_file_cut_short_keeps_the_first_runs_failures(tmp_path: Path) -> None:
    first = tmp_path / "mix-test-default.xml"
    first.write_text(junit.render("t", [junit.Case("T", "test x", Status.FAILED, "boom")]))
    rerun_file = tmp_path / "mix-test-default.rerun.xml"
    rerun_file.write_text("<testsuites><testsuite><testcase")
    report, flaky, rescued = rerun._fold(first, rerun_file, procs.Completed(("mix",), 0, 1.0))
    assert report is not None and report.counts.failures == 1
    assert (flaky, rescued) == ((), False)
    assert not rerun_file.exists()


def test_pytest_failures_that_stand_are_annotated_at_their_file_and_line() -> None:
    from io import StringIO

    from sessions.core.console import Console

    out = StringIO()
    console = Console(out, {"GITHUB_ACTIONS": "true"})
    report = junit.Report(
        (
            junit.Case("tests.test_a", "test_ok", junit.PASSED),
            junit.Case("tests.test_a", "test_bad", junit.FAILED, "assert 1 == 2", "t/test_a.py", 7),
        )
    )
    rerun._annotate(console, report)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("::")]
    assert len(lines) == 1
    assert lines[0].startswith("::error file=t/test_a.py,line=7,title=pytest::")
    assert "test_bad" in lines[0]


MIX_EXS = 'defmodule App.MixProject do\n  def project, do: [app: :app, version: "0.1.0"]\nend\n'


def _fake_mix_test(
    monkeypatch: pytest.MonkeyPatch, outcomes: list[dict[str, Status]]
) -> list[list[str]]:
    """``exunit.run_variant`` as seen from the rerun: each call writes the next JUnit file
    and, as the real one does, annotates its failures unless told not to."""
    from sessions.elixir import exunit

    calls: list[list[str]] = []

    def run_variant(
        target, console, variant, posargs, plan, *, report_file=None, partition=None, annotate=True
    ):  # type: ignore[no-untyped-def]
        calls.append(list(posargs))
        path = report_file or exunit.junit_path(target, variant)
        cases = [
            junit.Case(
                "AppTest", name, status, "boom" if status.bad else "", "test/app_test.exs", 3
            )
            for name, status in outcomes[len(calls) - 1].items()
        ]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(junit.render(exunit.label(variant), cases))
        report = junit.read(path)
        if annotate:
            junit.annotate_failures(console, report, exunit.label(variant))
        code = 2 if report.failed else 0
        return exunit.VariantResult(variant, procs.Completed(("mix",), code, 1.0), report)

    monkeypatch.setattr(exunit, "run_variant", run_variant)
    return calls


def _rerun_on_github(tmp_path: Path) -> tuple[rerun.Tested, list[str]]:
    from io import StringIO

    from sessions.core.console import Console
    from sessions.core.target import load_target
    from sessions.elixir.variants import Plan

    (tmp_path / "mix.exs").write_text(MIX_EXS)
    target = load_target(tmp_path, {"NOXPIT_PROJECT": str(tmp_path)})
    out = StringIO()
    console = Console(out, {"GITHUB_ACTIONS": "true"}, root=tmp_path)
    plan = Plan(("default",), (), (), (), {})
    tested = rerun.exunit_variant(target, console, plan, "default", [])
    rerun.tell(console, tested)
    return tested, [line for line in out.getvalue().splitlines() if line.startswith("::")]


def test_a_flaky_exunit_test_gets_a_warning_and_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _fake_mix_test(
        monkeypatch,
        [{"test ok": Status.PASSED, "test shaky": Status.FAILED}, {"test shaky": Status.PASSED}],
    )
    tested, annotations = _rerun_on_github(tmp_path)
    assert calls == [[], ["--failed"]]
    assert tested.flaky == ("test shaky (AppTest)",)
    assert len(annotations) == 1, annotations
    assert annotations[0].startswith(
        "::warning file=test/app_test.exs,line=3,title=mix test (default)%3A flaky test::"
    )
    assert "flaky: test shaky (AppTest)" in annotations[0]


def test_an_exunit_test_that_fails_twice_gets_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_mix_test(monkeypatch, [{"test bad": Status.FAILED}, {"test bad": Status.FAILED}])
    tested, annotations = _rerun_on_github(tmp_path)
    assert tested.flaky == ()
    assert len(annotations) == 1, annotations
    assert annotations[0].startswith(
        "::error file=test/app_test.exs,line=3,title=mix test (default)::"
    )


def test_without_a_rerun_a_failure_is_still_annotated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_mix_test(monkeypatch, [{"test bad": Status.FAILED}])
    monkeypatch.setattr(rerun, "_worth_rerunning", lambda completed, report: False)
    _, annotations = _rerun_on_github(tmp_path)
    assert [a.split("::")[1] for a in annotations] == [
        "error file=test/app_test.exs,line=3,title=mix test (default)"
    ]
