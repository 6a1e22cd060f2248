"""Programs and ports: poetry's export plugin, the tools a target declares, and the TCP
ports from ``[doctor] ports`` and the target's config files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sessions.core.status import Status
from sessions.core.target import Target
from sessions.doctor.model import Ran
from sessions.doctor.tool_checks import config_ports
from tests.doctor.fakes import FakeMachine, check, make_target

pytestmark = pytest.mark.unit


@pytest.fixture
def healthy(tmp_path: Path) -> Target:
    return make_target(tmp_path / "demo", toml='[doctor]\nports = [50051]\ntools = ["uv"]\n')


def test_poetry_missing_or_without_export(healthy: Target, tmp_path: Path) -> None:
    result = check(healthy, FakeMachine(tmp_path, binaries={"poetry": None}), "poetry export")
    assert (result.status, result.detail) == (Status.ERROR, "poetry not found on PATH")
    assert "poetry-plugin-export" in result.remedy
    no_plugin = FakeMachine(
        tmp_path,
        responses={"poetry": lambda _c: Ran(1, 'The command "export" does not exist.\n')},
    )
    result = check(healthy, no_plugin, "poetry export")
    assert result.detail == '`poetry export` is not available: The command "export" does not exist.'
    assert "poetry-plugin-export" in result.remedy


def fake_poetry(tmp_path: Path, plugins: str) -> FakeMachine:
    """A poetry script whose Python is this one, with a fake poetry distribution."""
    site = tmp_path / "site"
    info = site / "poetry-2.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: poetry\nVersion: 2.1.0\n")
    (info / "entry_points.txt").write_text(f"[poetry.application.plugin]\n{plugins}")
    script = tmp_path / "poetry"
    script.write_text(f"#!{sys.executable}\n")
    return FakeMachine(
        tmp_path,
        binaries={"poetry": str(script)},
        responses={"poetry": lambda _c: Ran(1, "must not be needed")},
        environ={"PYTHONPATH": str(site)},
    )


def test_poetry_plugins_read_from_poetrys_own_python(healthy: Target, tmp_path: Path) -> None:
    machine = fake_poetry(
        tmp_path, "export = poetry_plugin_export.plugins:ExportApplicationPlugin\n"
    )
    result = check(healthy, machine, "poetry export")
    assert (result.status, result.detail) == (Status.PASSED, "poetry 2.1.0 with the export plugin")


def test_poetry_without_the_plugin(healthy: Target, tmp_path: Path) -> None:
    result = check(healthy, fake_poetry(tmp_path, ""), "poetry export")
    assert result.status == Status.ERROR
    assert result.detail.startswith("poetry 2.1.0 at ") and result.detail.endswith(
        "no export plugin"
    )


def test_declared_tool_missing_is_named_with_a_remedy(healthy: Target, tmp_path: Path) -> None:
    result = check(healthy, FakeMachine(tmp_path, binaries={"uv": None}), "tool uv")
    assert (result.status, result.detail) == (Status.ERROR, "uv not found on PATH")
    assert "pip install uv" in result.remedy
    assert "[doctor] tools" in result.remedy
    found = check(healthy, FakeMachine(tmp_path, binaries={"uv": "/opt/bin/uv"}), "tool uv")
    assert (found.status, found.detail) == (Status.PASSED, "/opt/bin/uv")


def test_busy_port(healthy: Target, tmp_path: Path) -> None:
    result = check(healthy, FakeMachine(tmp_path, busy={50051: "in use"}), "ports")
    assert (result.status, result.detail) == (Status.ERROR, "127.0.0.1: 50051 (in use)")
    assert "sport = :PORT" in result.remedy
    assert "[doctor]" in result.remedy


CONFIG = """import Config

config :snakepit,
  pooling_enabled: true,
  grpc_port: 50061,
  # grpc_port: 50099,
  telemetry: %{port: 9568}

config :other, grpc_listener: %{mode: :external, port: 50070}
config :third, grpc_listener: %{port: 0, mode: :internal}
"""


def test_fixed_ports_are_read_from_config_files(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "test.exs").write_text(CONFIG)
    assert config_ports(tmp_path) == {50061: "config/test.exs:5", 50070: "config/test.exs:9"}


def test_ports_check_uses_the_config_files(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo")
    assert check(target, FakeMachine(tmp_path), "ports").status == Status.SKIPPED
    (target.root / "config").mkdir()
    (target.root / "config" / "config.exs").write_text("config :app, grpc_port: 50051\n")
    busy = FakeMachine(tmp_path, busy={50051: "in use"})
    result = check(target, busy, "ports")
    assert (result.status, result.detail) == (
        Status.ERROR,
        "127.0.0.1: 50051 (in use; config/config.exs:1)",
    )
    assert check(target, FakeMachine(tmp_path), "ports").detail == "free on 127.0.0.1: 50051"


def test_a_tool_behind_an_unselected_pyenv_shim(healthy: Target, tmp_path: Path) -> None:
    shim = tmp_path / "pyenv" / "shims" / "uv"
    said = (
        "pyenv: uv: command not found\n\n"
        "The `uv' command exists in these Python versions:\n  3.12.1\n"
    )
    machine = FakeMachine(
        tmp_path,
        binaries={"uv": str(shim)},
        responses={"uv": lambda _c: Ran(127, said)},
        environ={"PYENV_VERSION": "3.11.7"},
    )
    result = check(healthy, machine, "tool uv")
    assert (result.status, result.detail) == (
        Status.ERROR,
        "`uv` is a pyenv shim and pyenv does not select 3.12.1",
    )
    assert "`export PYENV_VERSION=3.11.7:3.12.1`" in result.remedy
    runs = FakeMachine(
        tmp_path, binaries={"uv": str(shim)}, responses={"uv": lambda _c: Ran(0, "uv 0.9.1\n")}
    )
    assert check(healthy, runs, "tool uv").detail == f"{shim} (uv 0.9.1)"
