"""End to end on one copy of the sample: setup, concurrent setups, doctor, pytest, gRPC stubs.

The tests share the module's copy and its venv and run in file order; each one that
breaks something puts it back. The gRPC test comes last: it installs grpcio-tools. Tests
that need a venv-less or differently configured target use their own fresh copy.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sessions.python.installer import bundled_uv
from tests.helpers import REPO, nox_env, run_nox

pytestmark = pytest.mark.e2e

REQUIREMENTS = Path("priv/python/requirements.txt")
FAIL = ("❌", "[FAIL]")  # the ASCII marks when the output's encoding is not UTF-8
OK = ("✅", "[ok]")
HAS_UV = bool(shutil.which("uv") or bundled_uv())
needs_uv = pytest.mark.skipif(not HAS_UV, reason="uv is not installed (pip install uv)")
PYENV_312 = Path.home() / ".pyenv" / "versions" / "3.12.1" / "bin" / "python3.12"


@pytest.fixture(scope="module")
def project(sample_copy: Path) -> Path:
    """The module's sample copy, set up once."""
    first = run_nox(sample_copy, "-s", "setup")
    assert first.returncode == 0, first.stdout
    assert "noxpit > setup: .venv created" in first.stdout
    installer = "uv" if HAS_UV else "pip"
    assert f"into .venv with {installer}" in first.stdout  # uv by default when it is there
    return sample_copy


def nox_split(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Like ``run_nox`` but with stdout and stderr apart (nox logs to stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "nox", "-f", str(REPO / "noxfile.py"), *args],
        cwd=project,
        env=nox_env(project),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def site_packages(project: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime for p in project.glob(".venv/lib/python*/site-packages/*")}


def test_second_setup_is_up_to_date_and_installs_nothing(project: Path) -> None:
    before = site_packages(project)
    start = time.monotonic()
    again = run_nox(project, "-s", "setup")
    elapsed = time.monotonic() - start
    assert again.returncode == 0, again.stdout
    assert "noxpit > setup: .venv is up to date" in again.stdout
    assert "installing" not in again.stdout
    assert site_packages(project) == before
    assert elapsed < 5, f"up-to-date setup took {elapsed:.2f}s"


def test_edited_requirements_reinstall_once_even_with_two_setups_at_once(project: Path) -> None:
    requirements = project / REQUIREMENTS
    requirements.write_text(requirements.read_text() + "# pinned later\n")
    command = [sys.executable, "-m", "nox", "-f", str(REPO / "noxfile.py"), "-s", "setup"]
    children = [
        subprocess.Popen(
            command,
            cwd=project,
            env=nox_env(project),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=600)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    installed = [out for out in outputs if "noxpit > setup: .venv reinstalled" in out]
    up_to_date = [out for out in outputs if "noxpit > setup: .venv is up to date" in out]
    assert (len(installed), len(up_to_date)) == (1, 1), outputs
    assert "created" not in installed[0]  # a reinstall into the venv, not a new venv


def test_doctor_passes_on_the_sample_and_json_parses(project: Path) -> None:
    start = time.monotonic()
    text = run_nox(project, "-s", "doctor")
    elapsed = time.monotonic() - start
    assert text.returncode == 0, text.stdout
    assert "doctor: " in text.stdout and " 0 error(s)" in text.stdout
    assert elapsed < 10, f"doctor took {elapsed:.2f}s"
    as_json = nox_split(project, "-s", "doctor", "--", "--json")
    assert as_json.returncode == 0, as_json.stderr
    checks = {item["name"]: item for item in json.loads(as_json.stdout)}
    assert checks["requirements .venv"]["status"] == "ok"
    assert checks["imports"]["status"] == "ok"
    assert checks["elixir requirement"]["status"] == "ok"
    assert all(item["status"] != "error" for item in checks.values())


@pytest.fixture
def busy_port(project: Path) -> Iterator[int]:
    """A listening socket, and [doctor] ports naming it in the copy's noxpit.toml."""
    config = project / "noxpit.toml"
    original = config.read_text()
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        if "[doctor]" in original:
            config.write_text(original.replace("[doctor]", f"[doctor]\nports = [{port}]", 1))
        else:
            config.write_text(original + f"\n[doctor]\nports = [{port}]\n")
        try:
            yield port
        finally:
            config.write_text(original)


def test_doctor_fails_on_a_busy_port(project: Path, busy_port: int) -> None:
    result = nox_split(project, "-s", "doctor")
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if " ports " in line)
    assert line.startswith(FAIL) and f"127.0.0.1: {busy_port} (in use)" in line
    assert "-> stop what listens there" in result.stdout
    assert "doctor found 1 problem(s): ports" in result.stderr


def test_doctor_fails_on_a_missing_venv(project: Path) -> None:
    venv, away = project / ".venv", project / ".venv-away"
    venv.rename(away)
    try:
        result = nox_split(project, "-s", "doctor")
    finally:
        away.rename(venv)
    assert result.returncode == 1
    assert any(f"{mark} venv .venv" in result.stdout for mark in FAIL)
    assert ".venv does not exist" in result.stdout
    assert "-> run `nox -s setup`" in result.stdout


def test_doctor_fails_on_an_unsatisfied_requirement(project: Path) -> None:
    requirements = project / REQUIREMENTS
    original = requirements.read_text()
    requirements.write_text(original + "no-such-package-noxpit>=1.0\n")
    try:
        result = nox_split(project, "-s", "doctor", "--", "--json")
    finally:
        requirements.write_text(original)
    assert result.returncode == 1
    check = next(c for c in json.loads(result.stdout) if c["name"] == "requirements .venv")
    assert check["status"] == "error"
    assert check["detail"] == "1 unsatisfied: no-such-package-noxpit>=1.0 (not installed)"
    assert "nox -s setup -- --force" in check["remedy"]


def test_doctor_with_a_bare_path_and_an_old_elixir(project: Path, tmp_path: Path) -> None:
    """Real PATH lookups: only a fake `elixir` (1.13.4) on PATH, nothing else."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    elixir = bin_dir / "elixir"
    elixir.write_text("#!/bin/sh\necho 'Erlang/OTP 25 [erts-13.1.5]'\necho 'Elixir 1.13.4'\n")
    elixir.chmod(0o755)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nox",
            "-f",
            str(REPO / "noxfile.py"),
            "-s",
            "doctor",
            "--",
            "--json",
        ],
        cwd=project,
        env={**nox_env(project), "PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    for binary in ("erl", "mix"):
        assert checks[binary]["status"] == "error"
        assert checks[binary]["detail"] == f"{binary} not found on PATH"
        assert "fix PATH" in checks[binary]["remedy"]
    assert checks["elixir"]["detail"] == f"Elixir 1.13.4 at {elixir}"
    assert checks["elixir requirement"]["status"] == "error"
    assert "Elixir 1.13.4 does not satisfy" in checks["elixir requirement"]["detail"]
    assert checks["otp"]["status"] == "skip"
    assert checks["poetry export"]["detail"] == "poetry not found on PATH"


def test_pytest_runs_the_sample_tests_and_refuses_an_empty_selection(project: Path) -> None:
    junit = project / "_build" / "noxpit" / "pytest.xml"
    junit.unlink(missing_ok=True)
    result = run_nox(project, "-s", "pytest", "--", "-q")
    assert result.returncode == 0, result.stdout
    assert "noxpit > setup: .venv is up to date" in result.stdout
    assert junit.is_file()
    empty = run_nox(project, "-s", "pytest", "--", "-k", "no_such_test_anywhere")
    assert empty.returncode != 0
    assert (
        "pytest collected no tests in priv/python/tests with -k no_such_test_anywhere; "
        in empty.stdout
    )


PROTO = """syntax = "proto3";
package pitpool;
service Pool { rpc Ping (PingRequest) returns (PingReply); }
message PingRequest { string name = 1; }
message PingReply { string message = 1; }
"""


def test_grpc_stubs_generated_importable_and_checked(project: Path) -> None:
    """Last: adds grpcio-tools to the copy (an ~10 s install), then drives protoc."""
    proto_dir = project / "priv" / "proto"
    proto_dir.mkdir()
    (proto_dir / "pool.proto").write_text(PROTO)
    missing_tools = run_nox(project, "-s", "setup")
    assert missing_tools.returncode != 0
    assert "need grpc_tools, which is not installed in .venv; add grpcio-tools" in (
        missing_tools.stdout
    )

    requirements = project / REQUIREMENTS
    requirements.write_text(requirements.read_text() + "grpcio-tools\n")
    made = run_nox(project, "-s", "setup")
    assert made.returncode == 0, made.stdout
    assert (
        "noxpit > setup: generated priv/python/pool_pb2.py, priv/python/pool_pb2.pyi, "
        "priv/python/pool_pb2_grpc.py" in made.stdout
    )
    imported = subprocess.run(
        [
            str(project / ".venv" / "bin" / "python3"),
            "-c",
            "import pool_pb2, pool_pb2_grpc; print(pool_pb2.PingRequest(name='hi').name)",
        ],
        cwd=project / "priv" / "python",
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.stdout.strip() == "hi", imported.stderr
    assert (project / "priv" / "python" / "pitpool_worker").is_dir()  # sources untouched

    again = run_nox(project, "-s", "setup")
    assert "gRPC stubs for 1 .proto file(s) are up to date" in again.stdout
    doctor = nox_split(project, "-s", "doctor")
    assert any(f"{mark} grpc stubs" in doctor.stdout for mark in OK)

    (proto_dir / "bad.proto").write_text("garbage here\n")
    bad = run_nox(project, "-s", "setup")
    assert bad.returncode != 0
    assert "protoc failed: priv/proto/bad.proto:1:1: Expected top-level statement" in bad.stdout
    assert "Traceback" not in bad.stdout
    shutil.rmtree(proto_dir)


def no_traceback_one_error(result: subprocess.CompletedProcess[str], line: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stdout
    said = [out for out in result.stdout.splitlines() if line in out]
    assert len(said) == 1 and said[0].startswith("nox > Session "), result.stdout


def test_a_venv_that_is_a_file_is_one_line_for_setup_force_and_pytest(
    fresh_sample: Path,
) -> None:
    venv = fresh_sample / ".venv"
    venv.write_text("not a venv\n")
    line = (
        ".venv is a file, not a venv directory; move it away (or point `venv` at another "
        "directory), then run `nox -s setup`"
    )
    for args in (("-s", "setup"), ("-s", "setup", "--", "--force"), ("-s", "pytest")):
        no_traceback_one_error(run_nox(fresh_sample, *args), line)
    assert venv.read_text() == "not a venv\n"


@needs_uv
def test_pip_when_asked_uv_otherwise_and_up_to_date_with_both(fresh_sample: Path) -> None:
    config = fresh_sample / "noxpit.toml"
    original = config.read_text()
    config.write_text(original + '\n[setup]\ninstaller = "pip"\n')
    with_pip = run_nox(fresh_sample, "-s", "setup")
    assert with_pip.returncode == 0, with_pip.stdout
    assert "into .venv with pip" in with_pip.stdout and ".venv created" in with_pip.stdout
    assert "is up to date" in run_nox(fresh_sample, "-s", "setup").stdout
    assert (fresh_sample / ".venv" / "bin" / "pip").exists()

    config.write_text(original)  # back to the default: uv, into the same venv
    with_uv = run_nox(fresh_sample, "-s", "setup")
    assert with_uv.returncode == 0, with_uv.stdout
    assert "into .venv with uv" in with_uv.stdout and ".venv reinstalled" in with_uv.stdout
    again = run_nox(fresh_sample, "-s", "setup")
    assert "noxpit > setup: .venv is up to date" in again.stdout
    assert "installing" not in again.stdout


@needs_uv
@pytest.mark.skipif(not PYENV_312.is_file(), reason=f"{PYENV_312} is not installed")
def test_python_by_path_and_extra_venvs_at_once(fresh_sample: Path) -> None:
    config = fresh_sample / "noxpit.toml"
    config.write_text(
        f'python = "{PYENV_312}"\n'
        + config.read_text()
        + f'\n[[venvs]]\npath = ".venv-b"\npython = "{sys.executable}"\n'
    )
    made = run_nox(fresh_sample, "-s", "setup")
    assert made.returncode == 0, made.stdout
    version = subprocess.run(
        [str(fresh_sample / ".venv" / "bin" / "python"), "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == "Python 3.12.1"
    assert ".venv created" in made.stdout and ".venv-b created" in made.stdout
    # The second venv's interpreter missing is one line too, before anything is installed.
    shutil.rmtree(fresh_sample / ".venv")
    config.write_text(config.read_text().replace(str(PYENV_312), "/nonexistent/python3.12"))
    no_traceback_one_error(
        run_nox(fresh_sample, "-s", "setup"),
        "interpreter `/nonexistent/python3.12` not found (or does not run); install it or "
        f"change `python` in {config}",
    )
