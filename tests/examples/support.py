"""Shared by the examples tests: a small target on disk, and jobs and outcomes to render."""

from __future__ import annotations

from pathlib import Path

from sessions.core.target import Target, build_target
from sessions.examples.config import parse_config
from sessions.examples.discovery import discover
from sessions.examples.runner import Job

LABEL = "demo/noxpit.toml"
MIX_EXS = 'defmodule Demo.MixProject do\n  def project, do: [app: :demo, version: "1.2.3"]\nend\n'


def make_target(root: Path, files: dict[str, str], config: str = "") -> Target:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mix.exs").write_text(MIX_EXS)
    if config:
        (root / "noxpit.toml").write_text(config)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return build_target(root, {})


def names(target: Target) -> list[str]:
    config = parse_config(target.section("examples"), target.config_label)
    return [example.name for example in discover(target, config).examples]


def job(name: str, *, exclusive: bool = False, skip: str | None = None) -> Job:
    return Job(name, ("true",), Path("/"), {}, 60, Path(f"/logs/{name}.log"), exclusive, skip)
