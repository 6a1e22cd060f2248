"""`nox -s mix_test` on the lab's snakepit against the same `mix test` run by hand: the
variants come from its test_helper.exs, the counts match, and no tracked file changes."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from sessions.core import junit
from sessions.core.target import build_target
from sessions.elixir import variants
from tests.helpers import run_nox

pytestmark = pytest.mark.real_target

SUMMARY = re.compile(
    r"(?:(\d+) doctests?, )?(\d+) tests?, (\d+) failures?(?:, (\d+) excluded)?(?:, (\d+) skipped)?"
)


def exunit_summary(output: str) -> tuple[int, int, int]:
    """(tests run, excluded, skipped) from ExUnit's summary line."""
    match = SUMMARY.search(output)
    assert match, output[-3000:]
    doctests, tests, _failures, excluded, skipped = (int(g or 0) for g in match.groups())
    return doctests + tests - excluded, excluded, skipped


def git_status(root: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def test_snakepit_variants_are_read_from_its_test_helper(lab_copy: Path) -> None:
    plan = variants.plan(build_target(lab_copy, {}))
    assert set(plan.default_excludes) >= {"performance", "python_integration", "slow"}
    assert plan.runs == ("default", "python_integration")
    assert plan.in_default == ("integration",)  # snakepit's default run already has it


def test_default_variant_counts_match_mix_test_by_hand(
    lab_copy: Path, lab_env: Mapping[str, str]
) -> None:
    before = git_status(lab_copy)
    by_hand = subprocess.run(
        ["mix", "test"],
        cwd=lab_copy,
        env={**lab_env, "MIX_ENV": "test"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    hand_run, hand_excluded, hand_skipped = exunit_summary(by_hand.stdout)
    after_hand = git_status(lab_copy)

    result = run_nox(lab_copy, "-s", "mix_test", env=lab_env, timeout=900)
    ours_run, ours_excluded, ours_skipped = exunit_summary(result.stdout)
    assert (ours_run, ours_excluded, ours_skipped) == (hand_run, hand_excluded, hand_skipped)
    report = junit.read(lab_copy / "_build" / "noxpit" / "mix-test-default.xml")
    assert report.counts.tests == hand_run
    assert report.counts.skipped == hand_skipped
    assert len({(case.classname, case.name) for case in report.cases}) == hand_run  # once each
    assert "mix test (integration)" not in result.stdout
    assert git_status(lab_copy) == after_hand == before
