"""How a step's child is started and read: its environment, how nox said it ended, and
the block and status lines a user sees."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from sessions.check.runner import (
    Display,
    annotations_file,
    child_command,
    child_env,
    ending,
    run_action,
)
from sessions.check.steps import Outcome, Step
from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.status import Status
from tests.check.support import demo_target

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (
            "nox > Running session lint\nnox > Session lint was successful in 2 seconds.\n",
            (Status.PASSED, ""),
        ),
        (
            "nox > Running session lint\nx\nnox > lint failed: format\n"
            "nox > Session lint failed.\n",
            (Status.FAILED, "lint failed: format"),
        ),
        (
            "nox > Running session docs_check\nnox > [docs] bad key\n"
            "nox > Session docs_check aborted: [docs] bad key.\n",
            (Status.ERROR, "[docs] bad key"),
        ),
        ("nox > Session examples skipped: help shown.\n", (Status.SKIPPED, "help shown")),
        ("Traceback (most recent call last):\n", (Status.ERROR, "nox ended without a result line")),
    ],
)
def test_how_the_child_ended_is_read_from_nox_s_last_lines(
    output: str, expected: tuple[Status, str]
) -> None:
    assert ending(output) == expected


def test_the_child_is_the_session_a_user_would_run(tmp_path: Path) -> None:
    step = Step("tests", "tests", args=("--failed",))
    command = child_command(tmp_path / "noxfile.py", step)
    assert command[1:] == [
        "-m",
        "nox",
        "-f",
        str(tmp_path / "noxfile.py"),
        "-s",
        "tests",
        "--",
        "--failed",
    ]
    assert step.shown == "nox -s tests -- --failed"


def test_the_child_runs_on_this_target_records_annotations_and_writes_no_summary(
    tmp_path: Path,
) -> None:
    target = demo_target(tmp_path / "demo")
    env = child_env(
        target,
        Step("lint", "lint"),
        {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": "/tmp/s.md", "PATH": "/bin"},
    )
    assert "GITHUB_STEP_SUMMARY" not in env
    assert env["GITHUB_ACTIONS"] == "true" and env["PATH"] == "/bin"
    assert env["NOXPIT_PROJECT"] == str(target.root)
    assert env["NOXPIT_ANNOTATIONS"].endswith("check/annotations-lint.jsonl")


def test_an_action_s_output_is_kept_its_error_is_a_failure_and_its_annotations_recorded(
    tmp_path: Path,
) -> None:
    target = demo_target(tmp_path)

    def compile_ok(console: Console) -> str:
        console.step("mix compile (test)")
        assert console.sink is not None
        console.sink(b"Compiling 2 files (.ex)\n")  # what a child echoes
        return "up to date"

    def doctor_bad(console: Console) -> str:
        console.annotate("error", "elixir not found", title="doctor")
        raise NoxpitError("doctor found 1 problem(s): elixir")

    console = Console(io.StringIO(), {})
    ok = run_action(target, Step("compile (test)", action=compile_ok), console)
    bad = run_action(target, Step("doctor", "doctor", action=doctor_bad), console)
    assert (ok.status, ok.detail, ok.output) == (
        Status.PASSED,
        "up to date",
        "noxpit > mix compile (test)\nCompiling 2 files (.ex)\n",
    )
    assert bad.status is Status.FAILED and "doctor found 1 problem" in bad.detail
    recorded = annotations_file(target, "doctor").read_text()
    assert "elixir not found" in recorded
    assert console.stream.getvalue() == ""  # nothing printed until the check shows the block


def test_off_a_tty_each_step_is_a_start_line_then_its_block() -> None:
    out = io.StringIO()
    with Display(Console(out, {}), 1) as display:
        display.started(Step("lint", "lint"))
        display.ended(
            Outcome("lint", Status.FAILED, 2.04, "lint failed: format", "line 1\nline 2\n")
        )
    assert out.getvalue() == (
        "noxpit > check: lint started (nox -s lint)\n"
        "noxpit > check: lint failed, 2.0s: lint failed: format\n"
        "  | line 1\n"
        "  | line 2\n"
    )


def test_on_github_a_block_is_fenced() -> None:
    out = io.StringIO()
    display = Display(Console(out, {"GITHUB_ACTIONS": "true"}), 1)
    display.ended(Outcome("lint", Status.PASSED, 1.0, "", "::error::planted\n"))
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("::stop-commands::")
    assert lines[2] == "  | ::error::planted"
    assert lines[3] == f"::{lines[1].removeprefix('::stop-commands::')}::"


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_tty_one_live_line_is_rewritten_and_cleared_before_each_block() -> None:
    out = FakeTty()
    with Display(Console(out, {"TERM": "xterm", "NO_COLOR": "1"}), 2) as display:
        display.started(Step("lint", "lint"))
        display.started(Step("tests", "tests"))
        display.ended(Outcome("lint", Status.PASSED, 1.0, "", "ok\n"))
    text = out.getvalue()
    assert "\r\033[Kcheck [0/2] running: lint 0s, tests 0s" in text
    assert "started" not in text  # no start lines: the live line says it
    block = text.index("noxpit > check: lint passed")
    assert text.rfind("\r\033[K", 0, block) > text.index("running: lint 0s, tests 0s")
    assert "check [1/2] running: tests" in text[block:]
    assert text.endswith("\r\033[K")  # the live line is gone when the run ends
