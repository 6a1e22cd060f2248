"""The doctor's model: its config, the real machine's port probe, facts computed once."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from sessions.doctor.model import DoctorError, RealMachine, load_config
from tests.doctor.fakes import FakeMachine, make_target, probe_for

pytestmark = pytest.mark.unit


def test_config_defaults_and_values(tmp_path: Path) -> None:
    toml = (
        'imports = "demo_worker"\n[doctor]\nmin_python = "3.12"\nports = [50051]\n'
        'min_otp = 25\ntimeout = 5\ntools = ["uv", "rebar3"]\n'
    )
    config = load_config(make_target(tmp_path / "demo", toml=toml, venv=False))
    assert (config.min_python, config.ports, config.min_otp, config.timeout) == (
        "3.12",
        (50051,),
        25,
        5,
    )
    assert (config.tools, config.imports) == (("uv", "rebar3"), ("demo_worker",))


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[doctor]\nport = [1]\n",
            "[doctor] unknown key(s) port; use min_otp, min_python, ports, timeout, tools",
        ),
        ("[doctor]\nports = [70000]\n", "[doctor] ports: 70000 is not a TCP port (1-65535)"),
        ("[doctor]\nports = [0]\n", "[doctor] ports must be at least 1"),
        ('[doctor]\nports = "50051"\n', "[doctor] ports must be a list of whole numbers"),
        ('[doctor]\nmin_python = "three"\n', 'is not a version string like "3.9"'),
        ("[doctor]\ntimeout = 0\n", "[doctor] timeout must be at least"),
        ('[doctor]\ntools = ["u v"]\n', 'is not a program name like "uv"'),
        ("imports = [1]\n", 'imports must be a module name like "my_worker"'),
        ('imports = ["bad-name"]\n', '`bad-name` is not a module name like "my_worker"'),
    ],
)
def test_bad_doctor_config_is_one_line(tmp_path: Path, toml: str, message: str) -> None:
    target = make_target(tmp_path / "demo", toml=toml, venv=False)
    with pytest.raises(DoctorError) as caught:
        load_config(target)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_real_port_probe_sees_a_listener() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert RealMachine().port_busy(port) == "in use"
    assert RealMachine().port_busy(port) is None


def test_real_network_probe_tells_a_refused_port() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        port = server.getsockname()[1]  # bound, not listening: connections are refused
        assert RealMachine().unreachable("127.0.0.1", port) == "Connection refused"


def test_shared_facts_are_computed_once_across_threads(tmp_path: Path) -> None:
    probe = probe_for(make_target(tmp_path / "demo", venv=False), FakeMachine(tmp_path))
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    threads = [threading.Thread(target=lambda: probe.once("x", slow)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (probe.once("x", slow), len(calls)) == (42, 1)
