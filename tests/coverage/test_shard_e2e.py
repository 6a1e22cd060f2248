"""``coverage -- --shard K/N`` end to end on a copy of the sample: each shard measures its part,
``report -- merge`` of the shards gives one coverage report next to the merged report.json
(both languages, the worker module only the Elixir tests reach), and a shard that did not
measure coverage fails the merge with one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sessions.core import report as run_report
from sessions.coverage import lcov
from tests.helpers import run_nox

pytestmark = pytest.mark.e2e


def _coverage(reports: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((reports / "coverage" / "coverage.json").read_text())
    return data


def _covered(report: dict[str, Any], language: str) -> set[tuple[str, int]]:
    return {(path, n) for path, f in report[language].items() for n in f["covered"]}


def test_shards_measure_their_part_and_merge_into_one_coverage_report(
    sample_copy: Path, tmp_path: Path
) -> None:
    dirs = []
    for k in (1, 2):
        shard_dir = tmp_path / f"shard-{k}"
        env = {"NOXPIT_REPORTS": str(shard_dir)}
        result = run_nox(sample_copy, "-s", "coverage", "--", "--shard", f"{k}/2", env=env)
        assert result.returncode == 0, result.stdout
        assert f"MIX_TEST_PARTITION={k} mix test --cover" in result.stdout
        assert run_report.read(shard_dir / "report.json").shards == (f"{k}/2",)
        dirs.append(shard_dir)
    one, two = (_coverage(d) for d in dirs)

    out = tmp_path / "merged"
    merged = run_nox(sample_copy, "-s", "report", "--", "merge", *map(str, dirs), "--out", str(out))
    assert merged.returncode == 0, merged.stdout
    assert "noxpit coverage: 2 reports merged" in merged.stdout
    assert "Python modules only the Elixir tests reach: pitpool_worker.__main__" in merged.stdout
    both = _coverage(out)
    for language in ("elixir", "python"):
        assert _covered(both, language) == _covered(one, language) | _covered(two, language)
    # Each shard ran only part of the tests, so each missed lines the other ran.
    assert _covered(one, "elixir") < _covered(both, "elixir") > _covered(two, "elixir")
    paths = {f.path for f in lcov.read((out / "coverage" / "coverage.lcov").read_text())}
    assert {"lib/pitpool/pool.ex", "priv/python/pitpool_worker/worker.py"} <= paths

    plain = tmp_path / "plain-2"
    tests = run_nox(
        sample_copy, "-s", "tests", "--", "--shard", "2/2", env={"NOXPIT_REPORTS": str(plain)}
    )
    assert tests.returncode == 0, tests.stdout
    mixed = run_nox(
        sample_copy,
        "-s",
        "report",
        "--",
        "merge",
        str(dirs[0]),
        str(plain),
        "--out",
        str(tmp_path / "mixed"),
    )
    assert mixed.returncode != 0
    assert (
        f"{plain / 'coverage' / 'coverage.json'}: not found, but 1 other report(s)" in mixed.stdout
    )
    assert "Traceback" not in mixed.stdout
    assert not (tmp_path / "mixed" / "report.json").exists()
