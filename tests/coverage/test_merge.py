"""Shards' coverage merged: a line run by any shard is covered, and who ran it is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sessions.coverage import merge, report
from sessions.coverage.lcov import FileLines
from sessions.coverage.model import Measured
from sessions.coverage.python_tool import CoverageError

pytestmark = pytest.mark.unit


def _shard(
    root: Path, elixir: dict[int, int], by_pytest: dict[int, int], by_mix: dict[int, int]
) -> Path:
    measured = Measured(
        [FileLines("lib/app.ex", elixir)],
        [FileLines("priv/python/pkg/m.py", by_pytest)],
        [FileLines("priv/python/pkg/m.py", by_mix)],
        "priv/python",
    )
    (root / "coverage").mkdir(parents=True)
    report.write_json(root / "coverage" / "coverage.json", measured)
    return root


def test_shards_merge_into_the_union_of_their_lines(tmp_path: Path) -> None:
    one = _shard(tmp_path / "1", {1: 1, 2: 0}, {1: 1, 2: 0, 3: 0}, {1: 0, 2: 0, 3: 0})
    two = _shard(tmp_path / "2", {1: 0, 2: 3}, {1: 0, 2: 0, 3: 0}, {1: 0, 2: 0, 3: 1})
    merged = merge.merge_dirs([one, two], tmp_path / "out")
    assert (merged.elixir[0].found, merged.elixir[0].hit) == (2, 2)
    assert merged.only_mix_lines() == {"priv/python/pkg/m.py": {3}}
    written = json.loads((tmp_path / "out" / "coverage.json").read_text())
    assert written["python"]["priv/python/pkg/m.py"]["covered"] == [1, 3]
    assert "SF:lib/app.ex" in (tmp_path / "out" / "coverage.lcov").read_text()


def test_a_missing_shard_report_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CoverageError, match="not found; run `nox -s coverage`"):
        merge.merge_dirs([tmp_path], tmp_path / "out")


def test_runs_without_coverage_have_nothing_to_merge(tmp_path: Path) -> None:
    assert merge.read_dirs([tmp_path / "1", tmp_path / "2"]) is None


def test_a_run_without_coverage_among_runs_with_it_is_named(tmp_path: Path) -> None:
    one = _shard(tmp_path / "1", {1: 1}, {1: 1}, {1: 0})
    with pytest.raises(CoverageError, match=r"2/coverage/coverage.json: not found, but 1 other"):
        merge.read_dirs([one, tmp_path / "2"])
