"""What tests share besides fixtures: where things are, copies of the sample, running nox."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample"
IGNORED = shutil.ignore_patterns("_build", "deps", ".venv*", "__pycache__", ".pytest_cache")

NoxRunner = Callable[..., subprocess.CompletedProcess[str]]

# Runs argv (same process, so the same pid) with SIGINT at its default, as from a terminal.
AS_FROM_A_TERMINAL = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def copy_sample(dest: Path) -> Path:
    """A fresh copy of the sample, without build products or venvs."""
    shutil.copytree(SAMPLE, dest, ignore=IGNORED)
    return dest


def nox_env(project: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOXPIT_", "GITHUB_"))}
    env.update({"NOXPIT_PROJECT": str(project), "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"})
    env.pop("FORCE_COLOR", None)
    env.pop("CI", None)  # the local defaults (e.g. [tests] flaky = "warn"); a test sets CI itself
    env.update(extra or {})
    return env


def run_nox(
    project: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """``nox -f <repo>/noxfile.py <args>`` against ``project``; output combined in stdout."""
    return subprocess.run(
        [sys.executable, "-m", "nox", "-f", str(REPO / "noxfile.py"), *args],
        cwd=project,
        env=nox_env(project, env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


def interrupted_nox(
    project: Path, session: str, args: tuple[str, ...], delay: float, sig: int = signal.SIGINT
) -> tuple[int, str]:
    """``nox -s session`` stopped ``delay`` seconds after the session starts: SIGINT to the
    process group (what a terminal's Ctrl-C does), any other signal to nox alone (what
    `kill` and a CI runner do). Returns the exit code and the combined output. nox starts
    with SIGINT at its default even where the test run ignores it (a shell's background job,
    `nohup`), or it would never see the Ctrl-C."""
    nox = [sys.executable, "-m", "nox", "-f", str(REPO / "noxfile.py"), "-s", session, *args]
    proc = subprocess.Popen(
        [sys.executable, "-c", AS_FROM_A_TERMINAL, *nox],
        cwd=project,
        env=nox_env(project),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert proc.stdout is not None
    head = b""
    while f"Running session {session}".encode() not in head:
        line = proc.stdout.readline()
        if not line:
            break
        head += line
    time.sleep(delay)
    with contextlib.suppress(ProcessLookupError):
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
    rest, _ = proc.communicate(timeout=180)
    return proc.returncode, (head + rest).decode("utf-8", "replace")
