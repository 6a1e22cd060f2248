"""The history file: runs, failures and flakes per test, added up across runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sessions.suite import history

pytestmark = pytest.mark.unit


def outcomes(result: str) -> list[history.Outcome]:
    return [
        history.Outcome("pytest", "test_a (t)", "passed"),
        history.Outcome("pytest", "test_b (t)", result),
    ]


def test_runs_failures_and_flakes_add_up_across_runs(tmp_path: Path) -> None:
    history.record(tmp_path, outcomes("flaky"))
    history.record(tmp_path, outcomes("failed"))
    entries = history.record(tmp_path, outcomes("flaky"))
    b = entries[history.key("pytest", "test_b (t)")]
    assert (b.runs, b.failures, b.flakes) == (3, 1, 2)
    assert history.describe(b) == "flaked 2 of 3 runs, failed 1"
    on_disk = json.loads((tmp_path / history.FILE_NAME).read_text())
    assert on_disk["tests"]["pytest :: test_a (t)"] == {"runs": 3, "failures": 0, "flakes": 0}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".noxpit")]  # no temp left


def test_an_unreadable_history_starts_afresh_instead_of_failing_the_run(tmp_path: Path) -> None:
    (tmp_path / history.FILE_NAME).write_text("{not json")
    entries = history.record(tmp_path, outcomes("flaky"))
    assert entries[history.key("pytest", "test_b (t)")] == history.Entry(1, 0, 1)
