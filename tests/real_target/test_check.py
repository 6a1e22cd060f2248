"""`nox -s check` on the lab's snakepit, with the default budget and `tests` alone (as
docs/adopting-snakepit.md configures it): no step fails in check that passes when run
alone (check adds no failure of its own); no tracked file changes. dialyzer (a 20-minute
cold PLT on the lab), examples and the python_integration variant are left out to keep the
tier near ten minutes: test_sessions.py covers those sessions alone, and `nox -s bench --
"lab check"` measures the whole gate."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.helpers import run_nox

pytestmark = pytest.mark.real_target

MAIN = ("lint", "tests", "docs_check")


def pyenv_python(version: str, name: str) -> str:
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False)
    path = Path(root.stdout.strip() or Path.home() / ".pyenv") / "versions" / version / "bin" / name
    if not path.is_file():
        pytest.skip(f"{path} not found: the lab's snakepit needs Python 3.12 and 3.13")
    return str(path)


def config() -> str:
    return f"""python = "{pyenv_python("3.12.1", "python3.12")}"
test_tags = []

[[venvs]]
path = ".venv-py313"
python = "{pyenv_python("3.13.0", "python3.13")}"
required = true

[mix_test]
env = {{ SNAKEPIT_PYTHON = "" }}
exclude = ["skip_ci"]

[pytest]
env = {{ SNAKEPIT_OTEL_CONSOLE = "false" }}

[doctor]
tools = ["uv"]

[check]
alone = ["tests"]
"""


def git_status(root: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def test_check_adds_no_failure_to_the_steps_run_alone(
    lab_copy: Path, lab_env: Mapping[str, str]
) -> None:
    (lab_copy / "noxpit.toml").write_text(config())
    with (lab_copy / ".git" / "info" / "exclude").open("a") as exclude:
        exclude.write("noxpit.toml\n")
    assert run_nox(lab_copy, "-s", "setup", env=lab_env, timeout=1800).returncode == 0
    before = git_status(lab_copy)
    # [check] alone (docs/adopting-snakepit.md): on two cores, snakepit's timing-bound
    # default tests failed beside lint's compile when they shared the budget.
    result = run_nox(lab_copy, "-s", "check", "--", *MAIN, env=lab_env, timeout=1800)
    assert "tests with nothing beside ([check] alone)" in result.stdout
    report = json.loads((lab_copy / "_build" / "noxpit" / "report.json").read_text())
    steps = {step["name"]: step for step in report["steps"]}
    assert all(steps[name]["status"] != "skipped" for name in MAIN), steps
    for name in MAIN:
        if steps[name]["status"] == "passed":
            continue
        alone = run_nox(lab_copy, "-s", name, env=lab_env, timeout=3600)
        assert alone.returncode != 0, f"{name} failed in check but passes alone: {steps[name]}"
    assert git_status(lab_copy) == before
