"""The docs_check session end to end on a copy of the sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_nox

pytestmark = pytest.mark.e2e


def test_session_passes_on_the_sample_and_fails_on_a_planted_problem(fresh_sample: Path) -> None:
    clean = run_nox(fresh_sample, "-s", "docs_check")
    assert clean.returncode == 0, clean.stdout
    assert "no problems" in clean.stdout

    readme = fresh_sample / "README.md"
    lines = readme.read_text().splitlines()
    readme.write_text("\n".join([*lines, "", "Run `mix protobuf.compile` first.", ""]))
    broken = run_nox(
        fresh_sample,
        "-s",
        "docs_check",
        env={"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(fresh_sample.parent)},
    )
    assert broken.returncode != 0
    line = len(lines) + 2
    assert f"README.md:{line}: mix protobuf.compile: pitpool has no such Mix task" in broken.stdout
    assert f"::error file=sample/README.md,line={line},title=docs_check::" in broken.stdout
    assert "docs_check found 1 problem(s)" in broken.stdout

    only = run_nox(fresh_sample, "-s", "docs_check", "--", "examples")
    assert only.returncode == 0, only.stdout
    assert "docs_check: examples" in only.stdout and "no problems" in only.stdout


def test_options_unknown_is_a_usage_line_and_explain_prints_the_remedy(
    fresh_sample: Path,
) -> None:
    bad = run_nox(fresh_sample, "-s", "docs_check", "--", "--bogus")
    assert bad.returncode != 0
    usage = [line for line in bad.stdout.splitlines() if "Usage:" in line]
    assert len(usage) == 1 and "unrecognized arguments: --bogus" in usage[0]
    assert "Traceback" not in bad.stdout

    explained = run_nox(fresh_sample, "-s", "docs_check", "--", "--explain", "missing-anchor")
    assert explained.returncode == 0, explained.stdout
    assert "missing-anchor (link anchors): Use the anchor GitHub makes" in explained.stdout
