"""The Console's GitHub side: annotation paths relative to the workspace, the per-kind cap
and its notice, recording under `check`, fenced output and the step summary."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from sessions.core.console import (
    Annotation,
    AnnotationCap,
    Console,
    markdown_table,
    read_recorded,
    workspace_path,
)

pytestmark = pytest.mark.unit


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A workspace holding the target in ``sample/``, with one source file."""
    (tmp_path / "sample" / "lib").mkdir(parents=True)
    (tmp_path / "sample" / "lib" / "pitpool.ex").write_text("defmodule Pitpool do\nend\n")
    return tmp_path


def github(repo: Path, **extra: str) -> dict[str, str]:
    return {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(repo), **extra}


def test_a_target_relative_path_is_annotated_relative_to_the_workspace(repo: Path) -> None:
    out = io.StringIO()
    console = Console(out, github(repo), root=repo / "sample", cap=AnnotationCap())
    console.annotate("error", "unformatted", file="lib/pitpool.ex", line=1, title="lint format")
    assert out.getvalue() == (
        "::error file=sample/lib/pitpool.ex,line=1,title=lint format::unformatted\n"
    )


def test_an_absolute_path_inside_the_workspace_is_made_relative(repo: Path) -> None:
    path = str(repo / "sample" / "lib" / "pitpool.ex")
    assert workspace_path(path, repo / "sample", github(repo)) == "sample/lib/pitpool.ex"


def test_a_path_already_relative_to_the_workspace_is_kept(repo: Path) -> None:
    # docs_check maps its own paths; they are not files under the target root.
    assert workspace_path("sample/README.md", repo / "sample", github(repo)) == "sample/README.md"


def test_without_a_workspace_paths_stay_relative_to_the_target(repo: Path) -> None:
    path = str(repo / "sample" / "lib" / "pitpool.ex")
    assert workspace_path(path, repo / "sample", {}) == "lib/pitpool.ex"
    assert workspace_path("/elsewhere/x.ex", repo / "sample", {}) == "/elsewhere/x.ex"


def test_annotations_are_capped_per_kind_and_the_rest_counted_once(repo: Path) -> None:
    out = io.StringIO()
    console = Console(out, github(repo), cap=AnnotationCap(cap=10))
    for n in range(13):
        console.annotate("error", f"problem {n}")
    for n in range(3):
        console.annotate("warning", f"careful {n}")
    console.flush_annotations()
    console.flush_annotations()  # the notice is written once
    lines = out.getvalue().splitlines()
    assert sum(line.startswith("::error::") for line in lines) == 10
    assert sum(line.startswith("::warning::") for line in lines) == 3
    notices = [line for line in lines if line.startswith("::notice")]
    assert len(notices) == 1 and "3 error(s) more not annotated" in notices[0]


def test_nothing_is_annotated_off_github(repo: Path) -> None:
    out = io.StringIO()
    console = Console(out, {}, cap=AnnotationCap())
    console.annotate("error", "x", file="lib/pitpool.ex", line=1)
    console.flush_annotations()
    assert out.getvalue() == ""


def test_under_check_annotations_are_recorded_not_printed(repo: Path) -> None:
    record = repo / "annotations.jsonl"
    out = io.StringIO()
    env = {"NOXPIT_ANNOTATIONS": str(record)}  # recorded even off GitHub: report.json needs it
    console = Console(out, env, root=repo / "sample", cap=AnnotationCap(cap=1))
    for n in range(3):
        console.annotate("error", f"problem {n}", file="lib/pitpool.ex", line=n + 1, title="t")
    assert out.getvalue() == ""
    recorded = read_recorded(record)
    assert [a.message for a in recorded] == ["problem 0", "problem 1", "problem 2"]
    assert recorded[0] == Annotation("error", "problem 0", "lib/pitpool.ex", 1, "t")


def test_a_recorded_file_with_a_bad_line_keeps_the_good_ones(tmp_path: Path) -> None:
    record = tmp_path / "a.jsonl"
    good = json.dumps({"level": "error", "message": "m", "file": None, "line": None})
    record.write_text(f"{good}\nnot json\n{{}}\n")
    assert read_recorded(record) == [Annotation("error", "m")]
    assert read_recorded(tmp_path / "missing.jsonl") == []


def test_messages_and_properties_are_escaped() -> None:
    annotation = Annotation("error", "50% done\nnext", "a,b:c.ex", 2, "t: x")
    assert (
        annotation.command() == "::error file=a%2Cb%3Ac.ex,line=2,title=t%3A x::50%25 done%0Anext"
    )


def test_fenced_output_cannot_issue_workflow_commands(repo: Path) -> None:
    out = io.StringIO()
    console = Console(out, github(repo))
    with console.fenced():
        console.line("::error::from a child's log")
    first, middle, last = out.getvalue().splitlines()
    assert first.startswith("::stop-commands::")
    token = first.removeprefix("::stop-commands::")
    assert len(token) >= 16 and token not in middle
    assert last == f"::{token}::"


def test_fencing_is_only_for_github() -> None:
    out = io.StringIO()
    with Console(out, {}).fenced():
        out.write("plain\n")
    assert out.getvalue() == "plain\n"


def test_a_table_writes_the_step_summary_unless_told_not_to(repo: Path) -> None:
    summary = repo / "summary.md"
    env = github(repo, GITHUB_STEP_SUMMARY=str(summary))
    console = Console(io.StringIO(), env)
    console.table(["step", "result"], [["lint", "passed"]], title="quiet", markdown=False)
    assert not summary.exists()
    console.table(["step", "result"], [["lint", "passed"]], title="loud")
    assert (
        summary.read_text()
        == markdown_table(["step", "result"], [["lint", "passed"]], "loud") + "\n"
    )


def test_a_held_console_keeps_lines_and_child_output_until_shown() -> None:
    out = io.StringIO()
    console = Console(out, {})
    held = console.held()
    held.step("pytest tests")
    assert held.sink is not None
    held.sink(b"child line\n")
    console.step("mix test")
    assert out.getvalue() == "noxpit > mix test\n"
    console.show(held)
    console.show(held)  # shown once
    assert out.getvalue() == "noxpit > mix test\nnoxpit > pytest tests\nchild line\n"
