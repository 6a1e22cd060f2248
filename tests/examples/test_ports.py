"""Fixed ports read from the target's config files as text, and which examples claim them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sessions.examples.config import ExamplesError
from sessions.examples.ports import Port, detect, ports_in, starts_app

pytestmark = pytest.mark.unit

CONFIG = """import Config

config :demo,
  grpc_port: 50051,  # the gRPC listener
  telemetry: %{
    prometheus: %{
      enabled: false,
      port: 9568
    }
  }

config :demo, DemoWeb.Endpoint, http: [ip: {127, 0, 0, 1}, port: 4000]
config :demo, :admin_port, 8081
# config :demo, port: 1111
config :demo, dynamic: [port: 0], report: 5, url: "http://localhost:4318"

import_config "#{config_env()}.exs"
"""


def test_ports_in_reads_the_usual_forms_and_leaves_out_disabled_and_comments() -> None:
    found = ports_in(CONFIG, "config/config.exs")
    assert [(p.number, p.key, p.line) for p in found] == [
        (50051, "grpc_port", 4),
        (4000, "port", 12),
        (8081, "admin_port", 13),
    ]


def test_detect_reads_the_env_file_and_literal_imports_only(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.exs").write_text(
        'import Config\nimport_config "shared.exs"\nimport_config "#{config_env()}.exs"\n'
    )
    (config / "shared.exs").write_text("config :demo, port: 4000\n")
    (config / "dev.exs").write_text("config :demo, grpc_port: 50051\n")
    (config / "prod.exs").write_text("config :demo, port: 80\n")
    (config / "grpc_test.exs").write_text("config :demo, port: 7000\n")  # imported by none
    assert detect(tmp_path, "dev") == [
        Port(4000, "config/shared.exs", 1, "port"),
        Port(50051, "config/dev.exs", 1, "grpc_port"),
    ]
    assert [p.number for p in detect(tmp_path, "prod")] == [80, 4000]
    assert detect(tmp_path / "nothing", "dev") == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{:ok, _} = Application.ensure_all_started(:demo_app)", True),
        ("Application.start(:demo_app)", True),
        ('Mix.Task.run("app.start")', True),
        ("DemoApp.run_as_script(fn -> :ok end)", True),
        ("Application.ensure_all_started(:logger)\nIO.puts(:hi)", False),
        ("# DemoApp.run()\nIO.puts(:hi)", False),
        ("DemoAppOther.run()", False),
    ],
)
def test_starts_app(source: str, expected: bool) -> None:
    assert starts_app([source], "demo_app") is expected


def test_an_unreadable_config_file_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.exs").write_text('import_config "x.exs"\n')
    (config / "x.exs").write_text("config :demo, port: 4000\n")
    real = Path.read_text

    def read_text(path: Path, *args: Any, **kwargs: Any) -> str:
        if path.name == "x.exs":
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    with pytest.raises(ExamplesError, match=r"^cannot read config/x.exs \(Permission denied\)"):
        detect(tmp_path, "dev")
