"""A newcomer follows the README's Quick start verbatim, from the clone to `nox -s tests`."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.e2e

URL_PLACEHOLDER = "<noxpit repository URL>"


def quick_start_commands() -> list[str]:
    """The shell lines of the Quick start's first two blocks: install, then the main job."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    return [line for block in blocks[:2] for line in block.splitlines() if line.strip()]


def test_the_quick_start_names_the_clone_a_venv_and_the_main_job() -> None:
    commands = quick_start_commands()
    assert commands[0].startswith(f"git clone {URL_PLACEHOLDER}")
    assert any("-m venv" in line for line in commands)
    assert commands[-1] == "nox -s tests"


def test_the_quick_start_works_in_a_fresh_venv(tmp_path: Path) -> None:
    script = "\n".join(
        ["set -euo pipefail"]
        + [line.replace(URL_PLACEHOLDER, str(REPO)) for line in quick_start_commands()]
    )
    # A newcomer's shell: the machine's settings, not this test run's venv or noxpit settings.
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "VIRTUAL_ENV" and not k.startswith(("NOXPIT_", "GITHUB_", "PYTEST_"))
    }
    env["PATH"] = os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "activate").is_file()
    )
    env["NO_COLOR"] = "1"
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "uv binary not found" not in done.stdout
    assert "Traceback" not in done.stdout
    assert re.search(r"^total\s+passed\s+\d+", done.stdout, re.MULTILINE), done.stdout[-2000:]
