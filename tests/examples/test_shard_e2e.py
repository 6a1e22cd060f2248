"""``examples -- --shard K/N``: the shards of the sample's examples hold every example once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import run_nox

pytestmark = pytest.mark.e2e

ROW = re.compile(r"^([a-z_]+)\s+\d+s\b", re.MULTILINE)


def listed(project: Path, *args: str) -> list[str]:
    result = run_nox(project, "-s", "examples", "--", "--list", *args, timeout=120)
    assert result.returncode == 0, result.stdout
    return ROW.findall(result.stdout)


def test_three_shards_list_every_example_exactly_once(sample_copy: Path) -> None:
    everything = listed(sample_copy)
    assert len(everything) >= 5
    shards = [listed(sample_copy, "--shard", f"{k}/3") for k in (1, 2, 3)]
    assert sorted(name for shard in shards for name in shard) == sorted(everything)
    assert all(len(shard) < len(everything) for shard in shards)


def test_a_bad_shard_is_one_usage_line(sample_copy: Path) -> None:
    result = run_nox(sample_copy, "-s", "examples", "--", "--shard", "3/2", timeout=120)
    assert result.returncode != 0
    assert "--shard 3/2: expected K/N with 1 <= K <= N" in result.stdout
    assert "Traceback" not in result.stdout
