"""Planning: the mix command, environment and limits each example runs with."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sessions.examples import ports
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
    found = discover(target, config).examples
    jobs = {j.name: j for j in plan(target, found, config, 42, environ={})}
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
        "MIX_OS_CONCURRENCY_LOCK": "0",  # the runs compile nothing: no build lock
        "N": "1",
        "ERL_CRASH_DUMP": str(target.reports_dir / "examples" / "size.erl_crash.dump"),
    }
    assert (jobs["size"].timeout, jobs["hello"].timeout) == (9, 42)
    mine = plan(target, found, config, 42, environ={"ERL_CRASH_DUMP": "/tmp/mine.dump"})
    assert all("ERL_CRASH_DUMP" not in job.env for job in mine)  # the user's own wins
    assert jobs["hello"].log == target.reports_dir / "examples" / "hello.log"
    assert jobs["hello"].cwd == target.root


def test_default_jobs_is_the_cpu_count() -> None:
    from sessions.examples.session import default_jobs

    assert default_jobs() == len(os.sched_getaffinity(0))


def test_isolation_env_gives_each_example_its_own_value(tmp_path: Path) -> None:
    target = make_target(
        tmp_path / "demo",
        {"examples/a.exs": "", "examples/b.exs": "", "examples/c.exs": ""},
        '[examples]\nisolation_env = "DEMO_TOKEN"\n'
        '[examples.settings.c]\nenv = { DEMO_TOKEN = "mine" }\n',
    )
    config = parse_config(target.section("examples"), target.config_label)
    examples = discover(target, config).examples
    first = {j.name: j.env["DEMO_TOKEN"] for j in plan(target, examples, config, 60)}
    second = {j.name: j.env["DEMO_TOKEN"] for j in plan(target, examples, config, 60)}
    assert first["c"] == "mine"  # an example's own value wins
    values = [first["a"], first["b"], second["a"], second["b"]]
    assert len(set(values)) == 4 and all(v.startswith("noxpit_") for v in values)


def test_only_examples_that_start_the_app_hold_its_ports(tmp_path: Path) -> None:
    target = make_target(
        tmp_path / "demo",
        {
            "config/config.exs": "import Config\nconfig :demo, listener: [port: 4567]\n",
            "examples/starts.exs": "{:ok, _} = Application.ensure_all_started(:demo)\n",
            "examples/calls.exs": "Demo.run()\n",
            "examples/via_helper.exs": 'Code.require_file("support.exs", __DIR__)\n',
            "examples/support.exs": "defmodule Support do\n  def go, do: Demo.start()\nend\n",
            "examples/plain.exs": "IO.puts(:hello)  # Demo.run() only in a comment\n",
        },
    )
    config = parse_config(target.section("examples"), target.config_label)
    app_ports = ports.detect(target.root, config.mix_env)
    jobs = plan(target, discover(target, config).examples, config, 60, app_ports)
    assert {j.name: sorted(j.resources) for j in jobs} == {
        "calls": ["port 4567"],
        "plain": [],
        "starts": ["port 4567"],
        "via_helper": ["port 4567"],
    }
