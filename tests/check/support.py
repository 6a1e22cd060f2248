"""A minimal Mix project for check's unit tests (no sample copy, no Mix run)."""

from __future__ import annotations

from pathlib import Path

from sessions.core.target import Target, build_target

MIX_EXS = """defmodule Demo.MixProject do
  use Mix.Project

  def project do
    [app: :demo, version: "0.1.0", elixir: "~> 1.14", deps: []]
  end
end
"""


def demo_target(root: Path, config: str = "", grpc_port: int | None = None) -> Target:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mix.exs").write_text(MIX_EXS)
    if config:
        (root / "noxpit.toml").write_text(config)
    if grpc_port is not None:
        (root / "config").mkdir(exist_ok=True)
        (root / "config" / "config.exs").write_text(
            f"import Config\nconfig :demo, grpc_port: {grpc_port}\n"
        )
    return build_target(root, {})
