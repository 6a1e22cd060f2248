"""What the python area's unit tests share: a small target, a quiet console, a fake venv."""

from __future__ import annotations

import io
from pathlib import Path

from sessions.core.console import Console
from sessions.core.target import Target, build_target
from sessions.python.venvs import VenvSpec

MIX = 'defmodule D.MixProject do\n  def project, do: [app: :d, version: "0.1.0"]\nend\n'


def make_target(root: Path, toml: str = "", requirements: str = "pytest>=7\n") -> Target:
    (root / "priv" / "python").mkdir(parents=True)
    (root / "mix.exs").write_text(MIX)
    (root / "noxpit.toml").write_text(toml)
    (root / "priv" / "python" / "requirements.txt").write_text(requirements)
    return build_target(root, {})


def quiet() -> tuple[Console, io.StringIO]:
    stream = io.StringIO()
    return Console(stream, {"NO_COLOR": "1"}), stream


def fake_venv(spec: VenvSpec, version: str = "3.11.7") -> None:
    """What a venv looks like to the fast path: both interpreter names and pyvenv.cfg."""
    (spec.path / "bin").mkdir(parents=True, exist_ok=True)
    for path in spec.interpreters:
        path.write_text("#!/bin/sh\n")
    (spec.path / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {version}\n")
