"""`nox -s examples` on the lab's snakepit: every example that passes alone, run by hand the
way snakepit's own runner does, passes in the parallel run, and nothing tracked changes.

A subset of the 27 examples keeps the tier short: top-level and subfolder examples, ones
that start pools and one that does not."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.helpers import run_nox
from tests.real_target.conftest import lab_copy, lab_env  # noqa: F401 (the lab fixtures)

pytestmark = pytest.mark.real_target

SUBSET = (
    "grpc_basic",
    "dual_mode/hybrid_pools",
    "lifecycle/ttl_recycling_demo",
    "monitoring/telemetry_integration",
    "ml_errors",
    "hardware_detection",
)
TOKEN = "SNAKEPIT_INSTANCE_TOKEN"


def python312() -> Path:
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False)
    path = Path(root.stdout.strip() or "/nonexistent") / "versions" / "3.12.1" / "bin"
    if not (path / "python3.12").is_file():
        pytest.skip(f"snakepit's examples want Python 3.12 ({path}/python3.12 not found)")
    return path / "python3.12"


def git_status(root: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def test_examples_that_pass_alone_pass_in_parallel(
    lab_copy: Path,  # noqa: F811
    lab_env: Mapping[str, str],  # noqa: F811
) -> None:
    (lab_copy / "noxpit.toml").write_text(
        f'python = "{python312()}"\n\n[examples]\nmix_env = "test"\nisolation_env = "{TOKEN}"\n'
    )
    with (lab_copy / ".git" / "info" / "exclude").open("a") as exclude:
        exclude.write("noxpit.toml\n")
    setup = run_nox(lab_copy, "-s", "setup", env=lab_env)
    assert setup.returncode == 0, setup.stdout
    # snakepit needs uv on PATH to start Python workers in dev and test (see the lab README).
    venv_bin = lab_copy / ".venv" / "bin"
    subprocess.run([str(venv_bin / "python"), "-m", "pip", "install", "-q", "uv"], check=True)
    env = {
        **lab_env,
        "PATH": f"{venv_bin}{os.pathsep}{lab_env['PATH']}",
        "SNAKEPIT_EXAMPLE_DURATION_MS": "3000",
        "SNAKEPIT_DEMO_DURATION_MS": "3000",
    }

    alone = {}
    for name in SUBSET:
        by_hand = subprocess.run(
            ["mix", "run", "--no-start", f"examples/{name}.exs"],
            cwd=lab_copy,
            env={**env, "MIX_ENV": "test", "SNAKEPIT_PYTHON": str(venv_bin / "python3")},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=300,
            check=False,
        )
        alone[name] = by_hand.returncode == 0
    assert any(alone.values()), "no example passed by hand: the lab is not usable"
    left_by_hand = git_status(lab_copy)

    result = run_nox(lab_copy, "-s", "examples", "--", *SUBSET, env=env)
    manifest = json.loads((lab_copy / "_build" / "noxpit" / "examples.json").read_text())
    statuses = {name: manifest["examples"][name]["status"] for name in SUBSET}
    assert {name for name, ok in alone.items() if ok} <= {
        name for name, status in statuses.items() if status == "passed"
    }, result.stdout
    assert "Waiting for lock on the build directory" not in "".join(
        (lab_copy / "_build" / "noxpit" / "examples" / f"{name}.log").read_text() for name in SUBSET
    )
    assert git_status(lab_copy) == left_by_hand
