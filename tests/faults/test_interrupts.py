"""SIGINT (a terminal's Ctrl-C, to the process group) and SIGTERM (``kill``, CI cancelling,
to nox alone) at seeded random moments of setup, tests, examples and release: exit 130 or
143, one "interrupted" line, no traceback, no process of the run left (found by the
environment marker every child carries), no temp file left, the copy's files as they were
(or fully released), and the next run works without repair. One warm copy per session."""

from __future__ import annotations

import contextlib
import random
import signal
import time
from pathlib import Path

import pytest

from sessions.core.procs import MARKER
from tests.faults.support import NOISE, snapshot
from tests.helpers import copy_sample, interrupted_nox, run_nox

pytestmark = pytest.mark.e2e

SEED = 15_2026
MOMENTS = 20  # per session, SIGINT and SIGTERM alternating
SESSIONS = {
    # session: (args, latest moment in seconds after "Running session")
    "setup": (("--", "--force"), 3.0),
    "tests": ((), 4.0),
    "examples": ((), 3.0),
    "release": (("--", "0.2.0", "--date", "2025-12-20", "--allow-empty"), 1.2),
}
TEMP_SUFFIXES = (".noxpit", ".tmp")


def survivors(project: Path) -> list[str]:
    """Processes of this run still alive: they carry the marker and this copy's path."""
    wanted = f"NOXPIT_PROJECT={project}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            environ = (entry / "environ").read_bytes().split(b"\0")
            if wanted in environ and any(item.startswith(MARKER.encode()) for item in environ):
                found.append(f"{entry.name}: {(entry / 'cmdline').read_bytes()[:120]!r}")
    return found


def temp_files(project: Path) -> list[str]:
    return [
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.name.endswith(TEMP_SUFFIXES) and "deps" not in path.parts
    ]


@pytest.mark.parametrize("session", list(SESSIONS))
def test_interrupt_at_random_moments(session: str, tmp_path: Path) -> None:
    args, latest = SESSIONS[session]
    project = copy_sample(tmp_path / "sample")
    original = snapshot(project)
    if session == "release":
        released = copy_sample(tmp_path / "released")
        assert run_nox(released, "-s", session, *args).returncode == 0
        done = snapshot(released)
    else:
        warm = run_nox(project, "-s", session)  # a warm copy: venvs and build in place
        assert warm.returncode == 0, warm.stdout
        done = original
    rng = random.Random(f"{SEED}-{session}")
    codes = {signal.SIGINT: 130, signal.SIGTERM: 143}
    for moment in range(MOMENTS):
        sig = (signal.SIGINT, signal.SIGTERM)[moment % 2]
        delay = rng.uniform(0.0, latest)
        code, output = interrupted_nox(project, session, args, delay, sig)
        where = f"{session} moment {moment}: {sig.name} after {delay:.2f}s\n{output}"
        for word in (*NOISE, "KeyboardInterrupt"):
            assert word not in output, where
        # 130/143; or killed by the signal itself (-2/-15, what a shell shows as 130/143)
        # while nox was still starting, before any noxpit code ran, or was exiting
        assert code in (0, codes[sig], -sig), where
        ends = [line for line in output.splitlines() if "nox > Session " in line]
        finished = any(" was successful" in line for line in ends)  # signal came at exit
        interrupted_line = f"nox > Session {session} interrupted."
        if code == -sig:
            # killed before the session could say so, at exit, or just after saying so once
            said_once = len(ends) == 1 and ends[0].endswith(interrupted_line)
            assert ends == [] or finished or said_once, where
        elif code and not finished:
            # the line may follow a child's unfinished line on the same terminal line
            assert len(ends) == 1, where
            assert ends[0].endswith(interrupted_line), where
        deadline = time.monotonic() + 2
        while survivors(project) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert survivors(project) == [], where
        assert temp_files(project) == [], where
        after = snapshot(project)
        changed = sorted(k for k in set(after) | set(original) if after.get(k) != original.get(k))
        assert after in (original, done), f"{where}\nchanged files: {changed}"
        if session == "release" and after == done:
            for rel, data in original.items():  # put the release back for the next moment
                (project / rel).write_bytes(data)
    again = run_nox(project, "-s", session, *(() if session != "release" else args))
    assert again.returncode == 0, again.stdout


def test_a_venv_left_half_created_is_created_again(tmp_path: Path) -> None:
    """What an interrupted ``uv venv`` leaves (no pyvenv.cfg yet): uv itself refuses to
    clear it, so setup removes it first; the user has nothing to repair."""
    project = copy_sample(tmp_path / "sample")
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55")
    result = run_nox(project, "-s", "setup")
    assert result.returncode == 0, result.stdout
    assert (project / ".venv" / "pyvenv.cfg").is_file()
