"""Planning: the mix command, environment and limits each example runs with."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sessions.examples.config import parse_config
from sessions.examples.discovery import discover
from sessions.examples.session import plan
from tests.examples.support import make_target

pytestmark = pytest.mark.unit


def test_plan_builds_the_mix_command_env_and_timeouts(tmp_path: Path) -> None:
    target = make_target(
        tmp_path / "demo",
        {"examples/hello.exs": "", "examples/size.exs": ""},
        'python_env = "DEMO_PYTHON"\n'
        '[examples.settings.size]\nargs = ["3"]\ntimeout = 9\nenv = { N = "1" }\n',
    )
    config = parse_config(target.section("examples"), target.config_label)
    jobs = {j.name: j for j in plan(target, discover(target, config).examples, config, 42)}
    assert jobs["size"].command == (
        "mix",
        "run",
        "--no-deps-check",
        "--no-archives-check",
        "--no-elixir-version-check",
        "--no-start",
        "--no-compile",
        "examples/size.exs",
        "3",
    )
    assert jobs["size"].env == {
        "MIX_ENV": "dev",
        "DEMO_PYTHON": str(target.venv_python),
        "N": "1",
    }
    assert (jobs["size"].timeout, jobs["hello"].timeout) == (9, 42)
    assert jobs["hello"].log == target.reports_dir / "examples" / "hello.log"
    assert jobs["hello"].cwd == target.root


def test_default_jobs_is_the_cpu_count() -> None:
    from sessions.examples.session import default_jobs

    assert default_jobs() == len(os.sched_getaffinity(0))
