"""Ctrl-C at any moment of `nox -s release`: exit 130, no traceback, and every file either
as it was or fully released. SIGINT goes to the whole process group, as a terminal sends it,
at seeded random moments after the session has started (before that, nox itself is still
importing and no noxpit code runs)."""

from __future__ import annotations

import random
import signal
from pathlib import Path

import pytest

from tests.helpers import copy_sample, interrupted_nox, run_nox

pytestmark = pytest.mark.e2e

ARGS = ("--", "0.2.0", "--date", "2025-12-20", "--allow-empty")
SEED = 20261202
RUNS = 24


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".nox" not in path.parts
    }


def test_ctrl_c_at_random_moments_leaves_every_file_as_it_was_or_released(
    tmp_path: Path,
) -> None:
    released = copy_sample(tmp_path / "released")
    original = snapshot(released)
    result = run_nox(released, "-s", "release", *ARGS)  # also makes the venv warm
    assert result.returncode == 0, result.stdout
    done = snapshot(released)
    assert done != original

    rng = random.Random(SEED)
    outcomes = {"as it was": 0, "released": 0}
    for run in range(RUNS):
        project = copy_sample(tmp_path / f"run{run}")
        delay = rng.uniform(0.0, 1.2)
        code, output = interrupted_nox(project, "release", ARGS, delay)
        after = snapshot(project)
        where = f"run {run}, SIGINT {delay:.3f}s after the session started:\n{output}"
        assert "Traceback" not in output and "KeyboardInterrupt" not in output, where
        if code == 0:  # the release finished before the signal came
            assert after == done, where
            outcomes["released"] += 1
            continue
        # 130, or killed by SIGINT itself (-2): what a shell shows as 130 either way
        assert code in (130, -signal.SIGINT), where
        assert after in (original, done), where
        outcomes["as it was" if after == original else "released"] += 1
    assert outcomes["as it was"] > 0, outcomes
