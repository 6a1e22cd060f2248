"""The doctor's checks, each put in a broken state on a fake machine, and its runner/output.

Python checks run a real interpreter (the one running these tests, behind a fake venv's
``bin/python3``); Elixir, OTP, poetry and ports are faked through ``FakeMachine``.
"""

from __future__ import annotations

import io
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from sessions.core.console import Console
from sessions.core.target import Target, build_target
from sessions.doctor import checks as doctor_checks
from sessions.doctor import session as doctor
from sessions.doctor.model import (
    Check,
    DoctorError,
    Outcome,
    Probe,
    Ran,
    RealMachine,
    Result,
    load_config,
)

pytestmark = pytest.mark.unit


ELIXIR_VERSION = "Erlang/OTP 25 [erts-13.1.5]\n\nElixir {version} (compiled with Erlang/OTP 24)\n"

Responder = Callable[[Sequence[str]], Ran]


class FakeMachine:
    """PATH, children and ports as a test wants them; Python children really run."""

    def __init__(
        self,
        tmp: Path,
        *,
        binaries: Mapping[str, str | None] | None = None,
        responses: Mapping[str, Responder] | None = None,
        busy: Mapping[int, str] | None = None,
        environ: Mapping[str, str] | None = None,
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
    python = bin_dir / "python3"
    python.write_text(script or f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    (path / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")


def diagnose(target: Target, machine: FakeMachine) -> dict[str, Result]:
    probe = Probe(target, load_config(target), machine)
    results = doctor.run_checks(doctor_checks.checks_for(target), probe)
    return {result.name: result for result in results}


@pytest.fixture
def healthy(tmp_path: Path) -> Target:
    return make_target(
        tmp_path / "demo",
        toml='imports = ["demo_worker", "json"]\n[doctor]\nports = [50051]\n',
    )


# --- a healthy machine ---------------------------------------------------------------


def test_healthy_target_has_no_errors(healthy: Target, tmp_path: Path) -> None:
    results = diagnose(healthy, FakeMachine(tmp_path))
    assert {name: r.status for name, r in results.items() if r.status == "error"} == {}
    assert results["requirements .venv"].status == "ok"
    assert results["imports"].detail.startswith("demo_worker, json import")
    assert results["elixir requirement"].detail == "Elixir 1.14.0 satisfies '~> 1.14'"
    assert results["otp"].detail == "OTP 25 (25.2.3)"
    assert results["deps"].status == "skip"
    assert results["grpc stubs"].status == "skip"
    assert all(r.remedy == "" for r in results.values() if r.status in ("ok", "skip"))


# --- each check broken ---------------------------------------------------------------


@pytest.mark.parametrize("binary", ["elixir", "erl", "mix"])
def test_binary_missing_from_path(healthy: Target, tmp_path: Path, binary: str) -> None:
    results = diagnose(healthy, FakeMachine(tmp_path, binaries={binary: None}))
    assert results[binary].status == "error"
    assert results[binary].detail == f"{binary} not found on PATH"
    assert "install" in results[binary].remedy
    if binary == "elixir":
        assert results["elixir requirement"].status == "skip"
    if binary == "erl":
        assert results["otp"].status == "skip"


def test_elixir_too_old_for_mix_exs(healthy: Target, tmp_path: Path) -> None:
    old = FakeMachine(
        tmp_path, responses={"elixir": lambda _c: Ran(0, ELIXIR_VERSION.format(version="1.13.4"))}
    )
    result = diagnose(healthy, old)["elixir requirement"]
    assert (result.status, result.detail) == (
        "error",
        "Elixir 1.13.4 does not satisfy mix.exs's '~> 1.14'",
    )
    assert "satisfies mix.exs's `elixir:`" in result.remedy


def test_elixir_prerelease_inside_the_tilde_range(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", elixir="~> 1.14")
    rc = FakeMachine(
        tmp_path,
        responses={"elixir": lambda _c: Ran(0, ELIXIR_VERSION.format(version="2.0.0-rc.1"))},
    )
    assert diagnose(target, rc)["elixir requirement"].status == "error"


def test_invalid_elixir_requirement_in_mix_exs(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", elixir="~> 1")
    result = diagnose(target, FakeMachine(tmp_path))["elixir requirement"]
    assert result.status == "error"
    assert "not a valid requirement" in result.detail
    assert "mix.exs" in result.remedy


def test_elixir_that_does_not_run(healthy: Target, tmp_path: Path) -> None:
    broken = FakeMachine(tmp_path, responses={"elixir": lambda _c: Ran(1, "erl: not found\n")})
    results = diagnose(healthy, broken)
    assert results["elixir"].status == "error"
    assert results["elixir"].detail == "`elixir --version` failed: erl: not found"


def test_otp_below_min_otp(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", toml="[doctor]\nmin_otp = 26\n")
    result = diagnose(target, FakeMachine(tmp_path))["otp"]
    assert (result.status, result.detail) == ("error", "OTP 25 (25.2.3) is older than min_otp 26")
    assert "newer Erlang/OTP" in result.remedy


def test_otp_outside_what_this_elixir_supports_warns(healthy: Target, tmp_path: Path) -> None:
    old_otp = FakeMachine(tmp_path, responses={"erl": lambda _c: Ran(0, "OTP 21 21.3\n")})
    result = diagnose(healthy, old_otp)["otp"]
    assert result.status == "warn"
    assert "Elixir 1.14.0 supports OTP 23-26" in result.detail


def test_busy_port(healthy: Target, tmp_path: Path) -> None:
    result = diagnose(healthy, FakeMachine(tmp_path, busy={50051: "in use"}))["ports"]
    assert (result.status, result.detail) == ("error", "127.0.0.1: 50051 (in use)")
    assert "sport = :PORT" in result.remedy
    assert "[doctor]" in result.remedy


def test_real_port_probe_sees_a_listener() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert RealMachine().port_busy(port) == "in use"
    assert RealMachine().port_busy(port) is None


def test_missing_venv(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", toml='imports = ["demo_worker"]\n', venv=False)
    results = diagnose(target, FakeMachine(tmp_path))
    assert results["venv .venv"].status == "error"
    assert results["venv .venv"].detail == ".venv does not exist (no .venv/bin/python3)"
    assert results["venv .venv"].remedy == "run `nox -s setup`"
    assert results["requirements .venv"].status == "skip"
    assert results["imports"].status == "skip"


def test_corrupt_venv(healthy: Target, tmp_path: Path) -> None:
    broken = healthy.venv_dir / "bin" / "python3"
    broken.write_text("#!/bin/sh\necho 'error while loading shared libraries' >&2\nexit 127\n")
    results = diagnose(healthy, FakeMachine(tmp_path))
    assert results["venv .venv"].status == "error"
    assert "does not run: error while loading shared libraries" in results["venv .venv"].detail
    assert "--force" in results["venv .venv"].remedy
    assert results["requirements .venv"].status == "skip"


def test_venv_changed_since_setup_warns(healthy: Target, tmp_path: Path) -> None:
    result = diagnose(healthy, FakeMachine(tmp_path))["venv .venv"]  # no fingerprint stored
    assert result.status == "warn"
    assert result.remedy == "run `nox -s setup`"


def test_unsatisfied_requirements_are_listed(tmp_path: Path) -> None:
    requirements = "pytest<1\nno-such-package-noxpit>=1.0\npytest>=7 ; python_version < '3'\n"
    target = make_target(tmp_path / "demo", requirements=requirements)
    result = diagnose(target, FakeMachine(tmp_path))["requirements .venv"]
    assert result.status == "error"
    assert result.detail.startswith("2 unsatisfied: pytest<1 (installed ")
    assert "no-such-package-noxpit>=1.0 (not installed)" in result.detail
    assert "--force" in result.remedy
    assert "priv/python/requirements.txt" in result.remedy


def test_included_requirements_are_checked(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", requirements="-r more.txt\n")
    (target.python_dir / "more.txt").write_text("no-such-package-noxpit\n")
    result = diagnose(target, FakeMachine(tmp_path))["requirements .venv"]
    assert result.detail == "1 unsatisfied: no-such-package-noxpit (not installed)"


def test_unreadable_requirements(healthy: Target, tmp_path: Path) -> None:
    requirements = healthy.python_dir / "requirements.txt"
    requirements.unlink()
    requirements.mkdir()  # root can read any file; a directory cannot be read by anyone
    result = diagnose(healthy, FakeMachine(tmp_path))["requirements .venv"]
    assert result.status == "error"
    assert result.detail == (
        "requirements file priv/python/requirements.txt is a directory; point it at a file"
    )
    assert "`requirements`" in result.remedy


def test_failing_import(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", toml='imports = ["demo_worker", "demo_missing"]\n')
    result = diagnose(target, FakeMachine(tmp_path))["imports"]
    assert result.status == "error"
    assert result.detail == "demo_missing: ModuleNotFoundError: No module named 'demo_missing'"
    assert "requirements" in result.remedy


def test_import_that_exits_is_reported_not_fatal(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", toml='imports = ["demo_worker.boom"]\n')
    (target.python_dir / "demo_worker" / "boom.py").write_text("raise SystemExit(3)\n")
    result = diagnose(target, FakeMachine(tmp_path))["imports"]
    assert (result.status, result.detail) == ("error", "demo_worker.boom: SystemExit: 3")


def test_python_missing_or_too_old(tmp_path: Path) -> None:
    missing = make_target(tmp_path / "a", toml='python = "python3.99-noxpit"\n')
    result = diagnose(missing, FakeMachine(tmp_path))["python"]
    assert (result.status, result.detail) == (
        "error",
        "interpreter `python3.99-noxpit` not found on PATH",
    )
    assert "min_python" in result.remedy
    too_old = make_target(tmp_path / "b", toml='[doctor]\nmin_python = "99.1"\n')
    result = diagnose(too_old, FakeMachine(tmp_path))["python"]
    assert result.status == "error"
    assert result.detail.endswith("is older than 99.1")


def test_optional_extra_venv_without_interpreter_is_skipped(tmp_path: Path) -> None:
    toml = '[[venvs]]\npath = ".venv-py399"\npython = "python3.99-noxpit"\n'
    target = make_target(tmp_path / "demo", toml=toml)
    results = diagnose(target, FakeMachine(tmp_path))
    assert results["venv .venv-py399"].status == "skip"
    assert "optional" in results["venv .venv-py399"].detail


def test_required_extra_venv_missing_is_an_error(tmp_path: Path) -> None:
    toml = '[[venvs]]\npath = ".venv-extra"\npython = "python3"\nrequired = true\n'
    target = make_target(tmp_path / "demo", toml=toml)
    result = diagnose(target, FakeMachine(tmp_path))["venv .venv-extra"]
    assert (result.status, result.remedy) == ("error", "run `nox -s setup`")


def test_deps_not_fetched_with_and_without_hex(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", deps='{:jason, "~> 1.4"}, {:telemetry, "~> 1.0"}')
    (target.root / "deps" / "jason").mkdir(parents=True)
    result = diagnose(target, FakeMachine(tmp_path))["deps"]
    assert (result.status, result.detail) == (
        "error",
        "not fetched: telemetry; hex is not installed",
    )
    assert result.remedy == "`mix local.hex --force`, then `mix deps.get`"
    archives = tmp_path / "home" / ".mix" / "archives" / "hex-2.0.0"
    archives.mkdir(parents=True)
    result = diagnose(target, FakeMachine(tmp_path))["deps"]
    assert (result.detail, result.remedy) == ("not fetched: telemetry", "`mix deps.get`")


def test_dialyzer_missing_unless_dialyxir(tmp_path: Path) -> None:
    plain = make_target(tmp_path / "a")
    result = diagnose(plain, FakeMachine(tmp_path, binaries={"dialyzer": None}))["dialyzer"]
    assert result.status == "error"
    assert "erlang-dialyzer" in result.remedy
    with_dialyxir = make_target(tmp_path / "b", deps='{:dialyxir, "~> 1.4"}')
    no_dialyzer = FakeMachine(tmp_path, binaries={"dialyzer": None})
    assert diagnose(with_dialyxir, no_dialyzer)["dialyzer"].detail == "dialyxir in mix.exs deps"


def test_poetry_missing_or_without_export(healthy: Target, tmp_path: Path) -> None:
    result = diagnose(healthy, FakeMachine(tmp_path, binaries={"poetry": None}))["poetry export"]
    assert (result.status, result.detail) == ("error", "poetry not found on PATH")
    assert "poetry-plugin-export" in result.remedy
    no_plugin = FakeMachine(
        tmp_path,
        responses={"poetry": lambda _c: Ran(1, 'The command "export" does not exist.\n')},
    )
    result = diagnose(healthy, no_plugin)["poetry export"]
    assert result.detail == '`poetry export` is not available: The command "export" does not exist.'
    assert "poetry-plugin-export" in result.remedy


def test_poetry_plugins_read_from_poetrys_own_python(healthy: Target, tmp_path: Path) -> None:
    fake_poetry = tmp_path / "poetry"
    fake_poetry.write_text(f"#!{sys.executable}\n")
    fake_poetry.chmod(0o755)
    plugins = json.dumps({"poetry": "2.1.0", "plugins": ["export"]})
    machine = FakeMachine(
        tmp_path,
        binaries={"poetry": str(fake_poetry)},
        responses={
            Path(sys.executable).name: lambda _c: Ran(0, "NOXPIT-JSON:" + plugins),
            "poetry": lambda _c: Ran(1, "must not be needed"),
        },
    )
    result = diagnose(healthy, machine)["poetry export"]
    assert (result.status, result.detail) == ("ok", "poetry 2.1.0 with the export plugin")


# --- gRPC stubs ----------------------------------------------------------------------


def write_stubs(target: Target, stem: str, protobuf: str = "5.27.2", grpc: str = "1.66.1") -> None:
    python_dir = target.python_dir
    (python_dir / f"{stem}_pb2.py").write_text(f"# Protobuf Python Version: {protobuf}\n")
    (python_dir / f"{stem}_pb2.pyi").write_text("")
    (python_dir / f"{stem}_pb2_grpc.py").write_text(f"GRPC_GENERATED_VERSION = '{grpc}'\n")


def install_dist(venv: Path, name: str, version: str) -> None:
    site = venv / "lib" / "python3.11" / "site-packages"
    (site / f"{name}-{version}.dist-info").mkdir(parents=True)


def test_stubs_missing_stale_and_too_new(healthy: Target, tmp_path: Path) -> None:
    proto_dir = healthy.proto_dir
    proto_dir.mkdir(parents=True)
    for stem in ("missing", "stale", "newer", "fine"):
        (proto_dir / f"{stem}.proto").write_text('syntax = "proto3";\n')
    time.sleep(0.01)
    write_stubs(healthy, "stale")
    write_stubs(healthy, "newer", protobuf="9.0.0")
    write_stubs(healthy, "fine")
    os.utime(proto_dir / "stale.proto")  # edited after its stubs were generated
    install_dist(healthy.venv_dir, "protobuf", "5.27.2")
    install_dist(healthy.venv_dir, "grpcio", "1.66.1")
    result = diagnose(healthy, FakeMachine(tmp_path))["grpc stubs"]
    assert result.status == "error"
    problems = result.detail.split("; ")
    assert problems == [
        "priv/proto/missing.proto: missing missing_pb2.py, missing_pb2.pyi, missing_pb2_grpc.py",
        "priv/proto/newer.proto: stubs generated by protobuf 9.0.0, venv has 5.27.2",
        "priv/proto/stale.proto is newer than its stubs",
    ]
    assert "--force" in result.remedy


# --- runner and output ---------------------------------------------------------------


def _probe(target: Target, tmp_path: Path) -> Probe:
    return Probe(target, load_config(target), FakeMachine(tmp_path))


def test_a_crashing_check_is_that_checks_error(healthy: Target, tmp_path: Path) -> None:
    def boom(_probe: Probe) -> Outcome:
        raise KeyError("surprise")

    results = doctor.run_checks(
        [
            Check("boom", "crashes", "report it", boom),
            Check("fine", "ok", "", lambda _p: Outcome("ok", "yes")),
        ],
        _probe(healthy, tmp_path),
    )
    assert [(r.name, r.status) for r in results] == [("boom", "error"), ("fine", "ok")]
    assert results[0].detail == "the check itself failed: KeyError: 'surprise'"
    assert results[0].remedy == "report it"


def test_checks_run_concurrently(healthy: Target, tmp_path: Path) -> None:
    barrier = threading.Barrier(3, timeout=5)

    def meet(_probe: Probe) -> Outcome:
        barrier.wait()  # breaks (and errors) unless all three run at once
        return Outcome("ok", "met")

    checks = [Check(f"c{i}", "", "", meet) for i in range(3)]
    results = doctor.run_checks(checks, _probe(healthy, tmp_path))
    assert [r.status for r in results] == ["ok", "ok", "ok"]


def test_shared_facts_are_computed_once(healthy: Target, tmp_path: Path) -> None:
    calls: list[Sequence[str]] = []

    def elixir(command: Sequence[str]) -> Ran:
        calls.append(command)
        time.sleep(0.05)
        return Ran(0, ELIXIR_VERSION.format(version="1.14.0"))

    machine = FakeMachine(tmp_path, responses={"elixir": elixir})
    results = diagnose(healthy, machine)
    assert results["elixir"].status == results["elixir requirement"].status == "ok"
    assert len(calls) == 1


class Stream(io.StringIO):
    def __init__(self, encoding: str) -> None:
        super().__init__()
        self._encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


RESULTS = [
    Result("python", "ok", "Python 3.11.7", ""),
    Result("ports", "error", "127.0.0.1: 50051 (in use)", "stop it"),
    Result("deps", "skip", "mix.exs declares no deps", ""),
    Result("venv .venv", "warn", "changed", "run `nox -s setup`"),
]


@pytest.mark.parametrize(
    ("encoding", "marks"),
    [("utf-8", ("✅", "❌", "⏭️", "⚠️")), ("ascii", ("[ok]", "[FAIL]", "[skip]", "[warn]"))],
)
def test_render_marks_and_remedies(encoding: str, marks: tuple[str, ...]) -> None:
    stream = Stream(encoding)
    doctor.render(RESULTS, Console(stream, {"NO_COLOR": "1"}))
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith(marks[0]) and "python" in lines[0]
    assert lines[1].startswith(marks[1]) and lines[1].endswith("127.0.0.1: 50051 (in use)")
    assert lines[2].strip() == "-> stop it"
    assert lines[3].startswith(marks[2])
    assert lines[4].startswith(marks[3])
    assert lines[5].strip() == "-> run `nox -s setup`"
    assert lines[-1] == "doctor: 1 ok, 1 warning(s), 1 error(s), 1 skipped"
    if encoding == "ascii":
        stream.getvalue().encode("ascii")  # nothing the terminal cannot show


def test_json_output_parses(healthy: Target, tmp_path: Path) -> None:
    stream = Stream("utf-8")
    results = doctor.diagnose(
        healthy,
        Console(stream, {}),
        as_json=True,
        machine=FakeMachine(tmp_path, busy={50051: "in use"}),
    )
    parsed = json.loads(stream.getvalue())
    assert [item["name"] for item in parsed] == [r.name for r in results]
    assert set(parsed[0]) == {"name", "status", "detail", "remedy"}
    ports = next(item for item in parsed if item["name"] == "ports")
    assert ports["status"] == "error" and "sport" in ports["remedy"]
    assert doctor.failed(results) == ["ports"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[doctor]\nport = [1]\n",
            "[doctor] unknown key(s) port; use min_otp, min_python, ports, timeout",
        ),
        ("[doctor]\nports = [70000]\n", "[doctor] `ports` must be a list of TCP port numbers"),
        (
            '[doctor]\nmin_python = "three"\n',
            '[doctor] `min_python` must be a version string like "3.9"',
        ),
        ("imports = [1]\n", "`imports` must be a list of module names"),
        ('imports = ["bad-name"]\n', "`imports` must be a list of module names"),
    ],
)
def test_bad_doctor_config_is_one_line(tmp_path: Path, toml: str, message: str) -> None:
    target = make_target(tmp_path / "demo", toml=toml, venv=False)
    with pytest.raises(DoctorError) as caught:
        load_config(target)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
