"""Where noxpit's coverage copy lives per interpreter, and what every measured process reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.core.target import load_target
from sessions.coverage import python_tool
from sessions.coverage.python_tool import Tool

pytestmark = pytest.mark.unit


def _venv(root: Path, cfg: str, lib: str) -> Path:
    venv = root / ".venv"
    (venv / "lib" / lib / "site-packages").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(cfg)
    return venv


def test_a_cpython_venv_names_its_tag_without_starting_python(tmp_path: Path) -> None:
    venv = _venv(tmp_path, "home = /x/bin\nversion_info = 3.11.7\n", "python3.11")
    assert python_tool._venv_tag(venv) == "cpython-311"


@pytest.mark.parametrize(
    ("cfg", "lib"),
    [
        ("home = /x\nimplementation = PyPy\nversion_info = 3.10.14\n", "pypy3.10"),
        ("home = /x\nversion = 3.12.1\n", "pypy3.12"),  # no lib/python3.12: not sure
        ("home = /x\n", "python3.12"),  # no version
    ],
)
def test_an_uncertain_venv_leaves_the_tag_to_the_interpreter(
    tmp_path: Path, cfg: str, lib: str
) -> None:
    assert python_tool._venv_tag(_venv(tmp_path, cfg, lib)) is None


@pytest.mark.parametrize(
    ("tag", "sysmon"),
    [("cpython-311", False), ("cpython-312", True), ("cpython-313", True), ("pypy310", False)],
)
def test_sys_monitoring_where_cpython_has_it(tmp_path: Path, tag: str, sysmon: bool) -> None:
    (tmp_path / "mix.exs").write_text(
        'defmodule App.MixProject do\n  def project, do: [app: :app, version: "0.1.0"]\nend\n'
    )
    target = load_target(tmp_path, {"NOXPIT_PROJECT": str(tmp_path)})
    text = python_tool.rcfile_text(target, Tool(tmp_path / "cov", tmp_path / "python", tag))
    assert ("core = sysmon" in text) is sysmon
    assert f"source = {target.python_dir}" in text
