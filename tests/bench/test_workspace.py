"""check's baseline runs the named sessions one after another, each as its own nox
session, goes on past a failure and fails at the end, as a maintainer's loop would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sessions.bench.workspace import Workspace
from sessions.core.paths import SUITE_ROOT

pytestmark = pytest.mark.integration

NOXFILE = """
import nox

@nox.session(python=False)
def first(session):
    open("ran.txt", "a").write("first\\n")
    session.error("first failed")

@nox.session(python=False)
def second(session):
    open("ran.txt", "a").write("second\\n")
"""


def test_the_sequential_baseline_runs_every_session_in_order_and_fails_after(
    tmp_path: Path,
) -> None:
    (tmp_path / "bench").mkdir()
    shutil.copy(SUITE_ROOT / "bench" / "sequential_check.sh", tmp_path / "bench")
    (tmp_path / "noxfile.py").write_text(NOXFILE)
    command = Workspace(tmp_path, tmp_path / "work").sequential_check("first", "second")
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert (tmp_path / "ran.txt").read_text() == "first\nsecond\n"
