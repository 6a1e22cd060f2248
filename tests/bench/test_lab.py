"""The lab group's result checks: a run that executed other tests than the first is an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sessions.bench import lab
from sessions.bench.harness import BenchError

pytestmark = pytest.mark.unit


def write_report(root: Path, **counts: int) -> None:
    path = root / "_build" / "noxpit" / "report.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    suites = [{"name": name, "tests": tests} for name, tests in counts.items()]
    path.write_text(json.dumps({"suites": suites}))


def test_tests_runs_must_execute_the_same_tests_as_the_first(tmp_path: Path) -> None:
    check = lab.same_suites(tmp_path)
    write_report(tmp_path, pytest=136, default=641)
    check()
    check()
    write_report(tmp_path, pytest=136, default=0)  # e.g. the default variant never started
    with pytest.raises(BenchError, match="other tests than its first run"):
        check()
