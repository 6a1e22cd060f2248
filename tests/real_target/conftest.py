"""The lab's snakepit, prepared once per machine and copied per test module.

``../shared/lab/prepare`` makes a compiled, git-initialised snakepit checkout under
``~/.cache/noxpit-lab/`` (about 3 minutes the first time). Each module gets its own copy, so
no test changes what another one sees, and the cached checkout stays as prepared. The
modules take turns (one lock, even across xdist workers): snakepit's own tests are load
sensitive (the lab README lists timeouts under load), and two lab sessions at once on two
cores made a test fail in one that passed alone. Without the lab every test here is
skipped with one reason.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from tests.helpers import REPO

# The lab sits beside the checkout (../shared/lab); a git worktree may be deeper.
LAB = next(
    (p / "shared" / "lab" for p in REPO.parents if (p / "shared" / "lab").is_dir()),
    REPO.parent / "shared" / "lab",
)
PREPARE = LAB / "prepare"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "noxpit-lab"
CHECKOUT = CACHE / "snakepit"
ENV_SH = CACHE / "env.sh"


def lab_environment() -> dict[str, str]:
    """os.environ with what ``env.sh`` exports (lab Elixir first on PATH, offline Hex), less
    NOXPIT_*, GITHUB_* and CI: sessions under test get the local defaults wherever the tier
    runs (on a CI runner, CI would turn ``[tests] flaky`` to "fail" and make a test that
    flaked under the tier's own load fail the run)."""
    dumped = subprocess.run(
        ["bash", "-c", f'. "{ENV_SH}" && env -0'],
        capture_output=True,
        check=True,
    ).stdout.decode()
    env = dict(item.split("=", 1) for item in dumped.split("\0") if "=" in item)
    return {k: v for k, v in env.items() if not k.startswith(("NOXPIT_", "GITHUB_")) and k != "CI"}


def _prepared() -> Path:
    """The cached checkout, prepared under a lock so parallel workers wait for one prepare."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / ".noxpit-tests.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (CHECKOUT / "_build" / "test").is_dir() or not ENV_SH.is_file():
            shutil.rmtree(CHECKOUT, ignore_errors=True)
            done = subprocess.run(
                [str(PREPARE)], capture_output=True, text=True, timeout=1800, check=False
            )
            if done.returncode != 0:
                pytest.fail(f"lab prepare failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return CHECKOUT


@pytest.fixture(scope="module", autouse=True)
def one_lab_module_at_a_time() -> Iterator[None]:
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / ".noxpit-tests-turn.lock").open("a") as turn:
        fcntl.flock(turn, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def lab_env() -> Mapping[str, str]:
    if not PREPARE.is_file():
        pytest.skip(f"the lab is absent ({PREPARE} not found): real_target tests need it")
    _prepared()
    return lab_environment()


@pytest.fixture(scope="module")
def lab_copy(lab_env: Mapping[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the prepared snakepit (git history, deps and _build included)."""
    dest = tmp_path_factory.mktemp("lab") / "snakepit"
    subprocess.run(["cp", "-a", str(CHECKOUT), str(dest)], check=True)
    return dest
