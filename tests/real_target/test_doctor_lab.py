"""doctor on the lab's snakepit with the docs' config, before any venv exists and on a PATH
without pyenv or uv: every missing interpreter and tool is named with its remedy, the stubs
check waits for the venv, and nothing of the checkout changes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from sessions.python.installer import bundled_uv
from tests.helpers import run_nox

pytestmark = pytest.mark.real_target

CONFIG = """python = "python3.12"
imports = ["snakepit_bridge"]

[[venvs]]
path = ".venv-py313"
python = "python3.13"
required = true

[doctor]
min_python = "3.12"
tools = ["uv"]
"""


def test_doctor_names_every_missing_piece(lab_copy: Path, lab_env: Mapping[str, str]) -> None:
    (lab_copy / "noxpit.toml").write_text(CONFIG)
    with (lab_copy / ".git" / "info" / "exclude").open("a") as exclude:
        exclude.write("noxpit.toml\n")
    elixir_bin = next(p for p in lab_env["PATH"].split(":") if "noxpit-lab" in p)
    env = {**lab_env, "PATH": f"{elixir_bin}:/usr/bin:/bin"}
    done = run_nox(lab_copy, "-s", "doctor", "--", "--json", env=env, timeout=300)
    assert done.returncode == 1, done.stdout
    start = done.stdout.index("[\n")
    report = {
        item["name"]: item for item in json.loads(done.stdout[start : done.stdout.rindex("]") + 1])
    }
    assert report["python"]["detail"] == "interpreter `python3.12` not found on PATH"
    assert report["python"]["remedy"].startswith("install `python3.12`")
    assert report["venv .venv-py313"]["detail"] == (
        ".venv-py313 does not exist, and interpreter `python3.13` not found on PATH"
    )
    assert report["tool uv"]["status"] == "error"
    assert "pip install uv" in report["tool uv"]["remedy"]
    # Not on PATH, but setup still finds a uv installed beside the Python running nox.
    beside = bundled_uv()
    assert report["installer"]["detail"] == (
        f"setup installs with uv ({beside})"
        if beside
        else "setup installs with pip (uv not on PATH)"
    )
    assert report["grpc stubs"]["status"] == "skip"
    assert report["deps"]["status"] == "ok"
    assert report["elixir requirement"]["detail"] == "Elixir 1.18.4 satisfies '~> 1.18'"
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=lab_copy, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
