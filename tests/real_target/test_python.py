"""setup and pytest on the lab's snakepit: both venvs on the Pythons snakepit wants, the same
tests as its own ``test_python.sh`` runs, no exporter traceback, no tracked file changed."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.helpers import run_nox

pytestmark = pytest.mark.real_target

PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
PY312 = PYENV / "3.12.1" / "bin" / "python3.12"
PY313 = PYENV / "3.13.0" / "bin" / "python3.13"
CONFIG = f"""python = "{PY312}"

[[venvs]]
path = ".venv-py313"
python = "{PY313}"
required = true

[pytest]
env = {{ SNAKEPIT_OTEL_CONSOLE = "false" }}
"""
SUMMARY = re.compile(r"^=+ (.*\d+ (?:passed|failed).*) in [\d.]+s.* =+$", re.MULTILINE)
FAILED = re.compile(r"^FAILED (\S+)", re.MULTILINE)


def counts(output: str) -> dict[str, int]:
    """The first run's closing line as {outcome: n} (a rerun of failures prints its own)."""
    line = SUMMARY.findall(output)[0]
    return {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", line)}


def failures(output: str) -> set[str]:
    return {nodeid.split("tests/", 1)[-1] for nodeid in FAILED.findall(output)}


@pytest.fixture(scope="module")
def lab(lab_copy: Path) -> Path:
    if not (PY312.is_file() and PY313.is_file()):
        pytest.skip(f"snakepit's Pythons are not installed ({PY312}, {PY313})")
    (lab_copy / "noxpit.toml").write_text(CONFIG)
    with (lab_copy / ".git" / "info" / "exclude").open("a") as exclude:
        exclude.write("noxpit.toml\n")
    return lab_copy


def git_status(root: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def test_setup_makes_both_venvs_then_is_up_to_date(lab: Path, lab_env: Mapping[str, str]) -> None:
    made = run_nox(lab, "-s", "setup", env=lab_env, timeout=900)
    assert made.returncode == 0, made.stdout
    assert ".venv created" in made.stdout and ".venv-py313 created" in made.stdout
    for venv, version in ((".venv", "3.12.1"), (".venv-py313", "3.13.0")):
        said = subprocess.run(
            [str(lab / venv / "bin" / "python"), "--version"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert said.stdout.strip() == f"Python {version}"
        assert (lab / venv / "bin" / "pip").exists()  # snakepit's bootstrap calls pip
    again = run_nox(lab, "-s", "setup", env=lab_env)
    assert "noxpit > setup: .venv is up to date" in again.stdout
    assert "noxpit > setup: .venv-py313 is up to date" in again.stdout
    assert git_status(lab) == ""


def test_pytest_runs_what_test_python_sh_runs(lab: Path, lab_env: Mapping[str, str]) -> None:
    ours = run_nox(lab, "-s", "pytest", env=lab_env, timeout=900)
    assert "Traceback" not in ours.stdout
    # test_python.sh, line for line, with the venv noxpit made (it would make the same one).
    python_dir = lab / "priv" / "python"
    by_hand = subprocess.run(
        [str(lab / ".venv" / "bin" / "python"), "-m", "pytest", "tests/", "-v"],
        cwd=python_dir,
        env={
            **lab_env,
            "PYTHONPATH": str(python_dir),
            "OTEL_TRACES_EXPORTER": "none",
            "SNAKEPIT_OTEL_CONSOLE": "false",
        },
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert "Traceback" not in by_hand.stdout + by_hand.stderr
    ran, hand = counts(ours.stdout), counts(by_hand.stdout)
    assert sum(ran.values()) == sum(hand.values()), (ran, hand)
    # A failure only in our run must pass when run again alone (load-sensitive timing tests).
    for nodeid in sorted(failures(ours.stdout) - failures(by_hand.stdout)):
        alone = run_nox(lab, "-s", "pytest", "--", f"priv/python/tests/{nodeid}", env=lab_env)
        assert alone.returncode == 0, alone.stdout
    assert git_status(lab) == ""
