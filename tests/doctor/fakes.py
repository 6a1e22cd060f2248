"""A fake machine and fake targets for the doctor's tests (not a test module).

Python checks run a real interpreter (the one running the tests, behind a fake venv's
``bin/python3``); Elixir, OTP, poetry, ports and the network are faked by ``FakeMachine``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from sessions.core.target import Target, build_target
from sessions.doctor import checks as doctor_checks
from sessions.doctor import session as doctor
from sessions.doctor.model import Probe, Ran, RealMachine, Result, load_config

ELIXIR_VERSION = "Erlang/OTP 25 [erts-13.1.5]\n\nElixir {version} (compiled with Erlang/OTP 24)\n"

Responder = Callable[[Sequence[str]], Ran]


class FakeMachine:
    """PATH, children, ports and the network as a test wants them; Python children run."""

    def __init__(
        self,
        tmp: Path,
        *,
        binaries: Mapping[str, str | None] | None = None,
        responses: Mapping[str, Responder] | None = None,
        busy: Mapping[int, str] | None = None,
        environ: Mapping[str, str] | None = None,
        offline: str | None = None,
    ) -> None:
        self.environ = {"HOME": str(tmp / "home"), "PATH": os.environ.get("PATH", "")}
        self.environ.update(environ or {})
        self.binaries: dict[str, str | None] = {
            "elixir": "/usr/bin/elixir",
            "erl": "/usr/bin/erl",
            "mix": "/usr/bin/mix",
            "dialyzer": "/usr/bin/dialyzer",
            "poetry": "/opt/poetry/bin/poetry",
        }
        self.binaries.update(binaries or {})
        self.responses: dict[str, Responder] = {
            "elixir": lambda _cmd: Ran(0, ELIXIR_VERSION.format(version="1.14.0")),
            "erl": lambda _cmd: Ran(0, "OTP 25 25.2.3\n"),
            "poetry": lambda _cmd: Ran(0, "Description:\n  Exports the lock file\n"),
        }
        self.responses.update(responses or {})
        self.busy = dict(busy or {})
        self.offline = offline
        self.contacted: list[tuple[str, int]] = []
        self.real = RealMachine(self.environ)

    def which(self, name: str) -> str | None:
        if name in self.binaries:
            return self.binaries[name]
        return self.real.which(name)

    def run(
        self,
        command: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> Ran:
        program = Path(command[0]).name
        if program in self.responses:
            return self.responses[program](command)
        return self.real.run(command, cwd=cwd, env=env, timeout=timeout)

    def port_busy(self, port: int) -> str | None:
        return self.busy.get(port)

    def unreachable(self, host: str, port: int) -> str | None:
        self.contacted.append((host, port))
        return self.offline


MIX = """defmodule Demo.MixProject do
  use Mix.Project

  def project do
    [app: :demo, version: "0.1.0", elixir: "{elixir}", deps: deps()]
  end

  defp deps, do: [{deps}]
end
"""


def make_target(
    root: Path,
    *,
    toml: str = "",
    elixir: str = "~> 1.14",
    deps: str = "",
    requirements: str = "pytest>=7\n",
    venv: bool = True,
) -> Target:
    """A target with a fake venv whose python is the interpreter running these tests."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mix.exs").write_text(MIX.format(elixir=elixir, deps=deps))
    (root / "noxpit.toml").write_text(toml)
    python_dir = root / "priv" / "python"
    (python_dir / "demo_worker").mkdir(parents=True)
    (python_dir / "demo_worker" / "__init__.py").write_text("VALUE = 1\n")
    (python_dir / "requirements.txt").write_text(requirements)
    if venv:
        make_fake_venv(root / ".venv")
    return build_target(root, {})


def make_fake_venv(path: Path, script: str | None = None) -> None:
    bin_dir = path / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python3", "python"):
        python = bin_dir / name
        python.write_text(script or f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        python.chmod(0o755)
    (path / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")


def probe_for(target: Target, machine: FakeMachine) -> Probe:
    return Probe(target, load_config(target), machine)


def check(target: Target, machine: FakeMachine, name: str) -> Result:
    """The one check called ``name``, run alone, as the doctor would report it."""
    probe = probe_for(target, machine)
    [found] = [c for c in doctor_checks.checks_for(target, probe.config.tools) if c.name == name]
    return doctor.run_check(found, probe)
