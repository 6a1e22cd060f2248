"""``tests -- --shard K/N`` end to end on a copy of the sample: the three shards run every
ExUnit and pytest test exactly once (read from their JUnit files), and ``report -- merge``
of the three gives the totals of an unsharded run."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sessions.core import junit
from sessions.core import report as run_report
from tests.helpers import run_nox

pytestmark = pytest.mark.e2e


def ids_in(reports: Path) -> Counter[tuple[str, str, str]]:
    """(file, classname, name) of every test every JUnit file in ``reports`` holds."""
    return Counter(
        (path.name, case.classname, case.name)
        for path in sorted(reports.glob("*.xml"))
        for case in junit.read(path).cases
    )


def test_three_shards_run_every_test_once_and_merge_to_the_unsharded_totals(
    sample_copy: Path, tmp_path: Path
) -> None:
    whole_dir = tmp_path / "whole"
    whole = run_nox(sample_copy, "-s", "tests", env={"NOXPIT_REPORTS": str(whole_dir)})
    assert whole.returncode == 0, whole.stdout
    expected = ids_in(whole_dir)
    assert sum(1 for key in expected if key[0] == "pytest.xml") > 50
    assert sum(1 for key in expected if key[0].startswith("mix-test-")) > 30

    ran: Counter[tuple[str, str, str]] = Counter()
    dirs = []
    for k in (1, 2, 3):
        shard_dir = tmp_path / f"shard-{k}"
        env = {"NOXPIT_REPORTS": str(shard_dir)}
        result = run_nox(sample_copy, "-s", "tests", "--", "--shard", f"{k}/3", env=env)
        assert result.returncode == 0, result.stdout
        assert f"MIX_TEST_PARTITION={k} mix test --partitions 3" in result.stdout
        assert run_report.read(shard_dir / "report.json").shards == (f"{k}/3",)
        shard_ids = ids_in(shard_dir)
        assert 0 < sum(shard_ids.values()) < sum(expected.values())
        ran += shard_ids
        dirs.append(str(shard_dir))
    assert ran == expected  # every test, each exactly once

    merged_dir = tmp_path / "merged"
    merged = run_nox(sample_copy, "-s", "report", "--", "merge", *dirs, "--out", str(merged_dir))
    assert merged.returncode == 0, merged.stdout
    unsharded = run_report.read(whole_dir / "report.json")
    combined = run_report.read(merged_dir / "report.json")
    assert (combined.totals.tests, combined.totals.failures, combined.totals.skipped) == (
        unsharded.totals.tests,
        unsharded.totals.failures,
        unsharded.totals.skipped,
    )
    assert {s.name: s.tests for s in combined.suites} == {s.name: s.tests for s in unsharded.suites}
    assert len(junit.read(merged_dir / "junit.xml").cases) == sum(expected.values())

    missing = run_nox(sample_copy, "-s", "report", "--", "merge", dirs[0], dirs[2])
    assert missing.returncode != 0
    assert "shards do not add up: missing 2/3" in missing.stdout
