"""pytest's command and environment: quiet defaults, [pytest] env, the caller's choice wins."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sessions.core.shard import Shard
from sessions.python import pytest_run
from tests.python.support import make_target

pytestmark = pytest.mark.unit


def test_environment_and_command(tmp_path: Path) -> None:
    target = make_target(tmp_path)
    env = pytest_run.environment(target, {"OTEL_TRACES_EXPORTER": "otlp", "PYTHONPATH": "/x"})
    assert env["OTEL_TRACES_EXPORTER"] == "otlp"  # the caller's choice wins
    assert env["OTEL_METRICS_EXPORTER"] == "none"
    assert env["PYTHONPATH"] == f"{target.python_dir}{os.pathsep}/x"
    tests_dir = target.python_dir / "tests"
    tests_dir.mkdir()
    (tests_dir / "test_a.py").write_text("")
    command = pytest_run.command(target, ["-k", "fast"])
    assert command[3] == str(tests_dir)
    assert command[-5:] == [
        f"--junitxml={target.reports_dir / 'pytest.xml'}",
        "-o",
        f"cache_dir={target.reports_dir / 'pytest-cache'}",  # not in the target's tree
        "-k",
        "fast",
    ]
    assert "noxpit_pytest_shard" not in command
    own = pytest_run.command(target, ["priv/python/tests/test_a.py::test_x"])
    assert str(tests_dir) not in own  # a named path is not collected twice


def test_pytest_env_table(tmp_path: Path) -> None:
    toml = '[pytest]\nenv = { SNAKEPIT_OTEL_CONSOLE = "false", OTEL_TRACES_EXPORTER = "console" }\n'
    target = make_target(tmp_path, toml)
    env = pytest_run.environment(target, {"HOME": "/h"})
    assert env["SNAKEPIT_OTEL_CONSOLE"] == "false"
    assert env["OTEL_TRACES_EXPORTER"] == "console"  # the target's table over our defaults
    assert env["HOME"] == "/h"
    mine = pytest_run.environment(target, {"SNAKEPIT_OTEL_CONSOLE": "true"})
    assert mine["SNAKEPIT_OTEL_CONSOLE"] == "true"  # as ${VAR:-false} in a script


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[pytest]\nenv = { DEBUG = 1 }\n", "[pytest] env must be a table of strings"),
        ('[pytest]\nenv = "A=1"\n', "[pytest] env must be a table of strings"),
        ('[pytest]\nenviron = { A = "1" }\n', "[pytest] unknown key(s) environ; use env"),
    ],
)
def test_bad_pytest_table_is_one_line(tmp_path: Path, toml: str, message: str) -> None:
    target = make_target(tmp_path, toml)
    with pytest.raises(pytest_run.PytestError) as caught:
        pytest_run.environment(target, {})
    assert str(caught.value) == f"{target.config_file}: {message}"


def test_a_shard_loads_the_plugin_from_noxpit(tmp_path: Path) -> None:
    target = make_target(tmp_path)
    shard = Shard(2, 3)
    env = pytest_run.environment(target, {}, shard)
    assert env["NOXPIT_PYTEST_SHARD"] == "2/3"
    plugin_dir = env["PYTHONPATH"].split(os.pathsep)[1]
    assert (Path(plugin_dir) / "noxpit_pytest_shard.py").is_file()
    command = pytest_run.command(target, [], shard=shard)
    assert command[command.index("-p") + 1] == "noxpit_pytest_shard"
