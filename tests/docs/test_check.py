"""The runner on the planted-problem fixture, with the real `mix help`; annotations."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from sessions.core.console import Console
from sessions.core.findings import Finding
from sessions.core.target import build_target
from sessions.docs import check as docs_check
from tests.docs.support import FIXTURES

pytestmark = pytest.mark.integration

FIXTURE = FIXTURES / "docs_broken"


PLANTED = {
    ("README.md", 5, "missing-anchor"),
    ("README.md", 8, "broken-link"),
    ("README.md", 9, "missing-anchor"),
    ("README.md", 18, "dep-version"),
    ("README.md", 24, "dep-version"),
    ("README.md", 30, "missing-path"),
    ("README.md", 32, "missing-path"),
    ("README.md", 33, "unknown-task"),
    ("README.md", 37, "missing-path"),
    ("README.md", 38, "deprecated"),
    ("README.md", 46, "unknown-task"),
    ("README.md", 48, "broken-link"),
    ("README.md", 49, "missing-path"),
    ("docs/guide.md", 6, "missing-anchor"),
    ("docs/guide.md", 7, "broken-link"),
    ("docs/guide.md", 13, "unknown-task"),
    ("docs/guide.md", 18, "missing-anchor"),
    ("docs/guide.md", 19, "broken-link"),  # <path with spaces.md>
    ("docs/guide.md", 19, "missing-anchor"),  # the emoji heading's anchor is #-quick-start
    ("guides/advanced.md", 19, "nested-fence"),
    ("examples/legacy.exs", 1, "deprecated"),
    ("examples/legacy.exs", 2, "dep-version"),
    ("examples/legacy.exs", 2, "deprecated"),
    ("guides/advanced.md", 11, "deprecated"),
    ("scripts/run-examples", 6, "missing-path"),
    ("scripts/setup.sh", 8, "unknown-task"),
    ("scripts/setup.sh", 9, "missing-path"),
}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "docs_broken"))


def test_every_planted_problem_is_found_at_its_line_and_nothing_else(broken: Path) -> None:
    target = build_target(broken, {})
    out = io.StringIO()
    report = docs_check.run(target, Console(out, {}))
    assert {(f.file, f.line, f.code) for f in report.findings} == PLANTED
    assert not report.ok
    text = out.getvalue()
    assert "README.md:33: mix protobuf.compile: brokenapp has no such Mix task" in text
    assert f"docs_check: {len(PLANTED)} problem(s) in 6 file(s) (7 scanned)" in text


def test_findings_become_github_annotations_relative_to_the_workspace(broken: Path) -> None:
    target = build_target(broken, {})
    report = docs_check.Report(1, (Finding("README.md", 33, "mix x: no", "unknown-task"),), "")
    out = io.StringIO()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(broken.parent)}
    docs_check.render(report, Console(out, env), target)
    assert (
        "::error file=docs_broken/README.md,line=33,title=docs_check::mix x: no [unknown-task]"
        in out.getvalue()
    )


CLEAN = FIXTURES / "docs_clean"


def test_the_false_positive_classes_report_nothing(tmp_path: Path) -> None:
    """Nested Mix projects, diagrams, placeholders, emoji anchors, history documents, the
    examples' helper and the Markdown cases (list-item fences, indented code, <links>)."""
    root = Path(shutil.copytree(CLEAN, tmp_path / "docs_clean"))
    out = io.StringIO()
    report = docs_check.run(build_target(root, {}), Console(out, {}))
    assert report.findings == (), out.getvalue()
    assert "10 file(s) scanned, no problems" in out.getvalue()


def test_the_emoji_anchor_message_gives_githubs_anchor(broken: Path) -> None:
    out = io.StringIO()
    docs_check.run(build_target(broken, {}), Console(out, {}))
    assert (
        "docs/guide.md:19: link to #quick-start: GitHub's anchor for "
        '"🚀 Quick Start" (line 21) is #-quick-start; link to that [missing-anchor]'
    ) in out.getvalue()


def test_paths_given_limit_the_check_to_those_files(broken: Path) -> None:
    args = docs_check.options_parser().parse_args(["docs/guide.md", "scripts"])
    report = docs_check.run(build_target(broken, {}), Console(io.StringIO(), {}), args)
    assert {f.file for f in report.findings} == {
        "docs/guide.md",
        "scripts/run-examples",
        "scripts/setup.sh",
    }
    assert report.documents == 3


def test_ignore_entries_silence_one_finding_each_with_a_reason(broken: Path) -> None:
    config = broken / "noxpit.toml"
    config.write_text(
        config.read_text()
        + "ignore = [\n"
        + '  { id = "missing-path", file = "README.md", line = 30, reason = "made by setup" },\n'
        + '  { id = "unknown-task", file = "README.md", text = "protobuf", reason = "a dep" },\n'
        + "]\n"
    )
    out = io.StringIO()
    report = docs_check.run(build_target(broken, {}), Console(out, {}))
    found = {(f.file, f.line, f.code) for f in report.findings}
    assert found == PLANTED - {("README.md", 30, "missing-path"), ("README.md", 33, "unknown-task")}
    assert report.silenced == 2 and "2 silenced by [docs] ignore" in out.getvalue()
