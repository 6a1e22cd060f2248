"""setup's logic without installing anything: config, fingerprints, installer errors, stubs."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sessions.core import procs
from sessions.core.console import Console
from sessions.core.target import Target, build_target
from sessions.python import env as python_env
from sessions.python import pytest_run
from sessions.python import requirements as requirements_files
from sessions.python.env import Installer, SetupError, VenvSpec

pytestmark = pytest.mark.unit


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


def fake_venv(spec: VenvSpec) -> None:
    (spec.path / "bin").mkdir(parents=True)
    spec.python_bin.write_text("#!/bin/sh\n")
    (spec.path / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")


@pytest.fixture
def no_children(monkeypatch: pytest.MonkeyPatch) -> list[Sequence[str]]:
    """Fail the test if the code under test starts any process."""
    started: list[Sequence[str]] = []

    def refuse(command: Sequence[str], **_kwargs: Any) -> procs.Completed:
        started.append(command)
        raise AssertionError(f"unexpected process: {command}")

    monkeypatch.setattr(procs, "run", refuse)
    monkeypatch.setattr(procs, "output_of", refuse)
    return started


# --- config --------------------------------------------------------------------------


def test_extra_venvs_from_config(tmp_path: Path) -> None:
    toml = (
        '[[venvs]]\npath = ".venv-py313"\npython = "python3.13"\n\n'
        '[[venvs]]\npath = ".venv-min"\npython = "python3.9"\nrequired = true\n'
        'requirements = ["priv/python/min.txt"]\n'
    )
    target = make_target(tmp_path, toml)
    specs = python_env.venv_specs(target)
    assert [(s.path.name, s.python, s.required, s.main) for s in specs] == [
        (".venv", None, True, True),
        (".venv-py313", "python3.13", False, False),
        (".venv-min", "python3.9", True, False),
    ]
    assert specs[1].requirements == target.requirements
    assert specs[2].requirements == (tmp_path / "priv/python/min.txt",)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("venvs = 3\n", "`venvs` must be an array of tables"),
        ('[[venvs]]\npython = "python3"\n', "[[venvs]] #1: `path` must be a directory name"),
        ('[[venvs]]\npath = ".v"\n', "[[venvs]] #1: `python` must be an interpreter"),
        ('[[venvs]]\npath = ".v"\npython = "p"\nrequired = "yes"\n', "`required` must be true"),
        ('[[venvs]]\npath = ".v"\npython = "p"\npyhton = "x"\n', "unknown key(s) pyhton; use"),
        ('[[venvs]]\npath = ".venv"\npython = "p"\n', "venv .venv is listed twice"),
    ],
)
def test_bad_venvs_config_is_one_line(tmp_path: Path, toml: str, message: str) -> None:
    target = make_target(tmp_path, toml)
    with pytest.raises(SetupError) as caught:
        python_env.venv_specs(target)
    assert message in str(caught.value)
    assert str(target.config_file) in str(caught.value)


# --- requirements files --------------------------------------------------------------


def test_requirements_includes_comments_and_continuations(tmp_path: Path) -> None:
    main = tmp_path / "requirements.txt"
    main.write_text(
        "# tools\npytest>=7  # tests\n-r extra/more.txt\n-c constraints.txt\n"
        "grpcio \\\n  >=1.60\n--index-url https://example.invalid/simple\n"
    )
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "more.txt").write_text("packaging\n-r ../requirements.txt\n")
    (tmp_path / "constraints.txt").write_text("protobuf<6\n")
    reqs = requirements_files.read([main], lambda p: p.name)
    assert [(line.text, line.constraint) for line in reqs.lines] == [
        ("pytest>=7", False),
        ("packaging", False),
        ("protobuf<6", True),
        ("grpcio   >=1.60", False),
    ]
    assert [path.name for path, _ in reqs.files] == [
        "requirements.txt",
        "more.txt",
        "constraints.txt",
    ]


def test_missing_included_file_names_both(tmp_path: Path) -> None:
    main = tmp_path / "requirements.txt"
    main.write_text("-r gone.txt\n")
    with pytest.raises(requirements_files.RequirementsFileError) as caught:
        requirements_files.read([main], lambda p: p.name)
    assert str(caught.value) == (
        "requirements file gone.txt is missing (included from requirements.txt); create it"
    )


# --- fingerprint and the fast path ---------------------------------------------------


def test_up_to_date_starts_no_process(tmp_path: Path, no_children: list[Sequence[str]]) -> None:
    target = make_target(tmp_path)
    spec = python_env.venv_specs(target)[0]
    fake_venv(spec)
    installer = Installer("pip")
    reqs = requirements_files.read(spec.requirements, target.rel)
    wanted = python_env.current_fingerprint(spec, target, reqs, installer)
    (spec.path / python_env.FINGERPRINT_FILE).write_text(json.dumps({"fingerprint": wanted}))
    console, out = quiet()
    result = python_env.ensure_venv(spec, target, console, installer=installer)
    assert result.action == "up to date"
    assert out.getvalue() == "noxpit > setup: .venv is up to date\n"
    assert python_env.up_to_date(spec, target, installer)
    # Any input changing means not up to date: requirements (also included ones), installer.
    (target.python_dir / "requirements.txt").write_text("pytest>=8\n")
    assert not python_env.up_to_date(spec, target, installer)
    (target.python_dir / "requirements.txt").write_text("pytest>=7\n")
    assert python_env.up_to_date(spec, target, installer)
    assert not python_env.up_to_date(spec, target, Installer("uv", "/usr/bin/uv"))
    (spec.path / "pyvenv.cfg").write_text("version = 3.12.1\n")
    assert not python_env.up_to_date(spec, target, installer)
    assert no_children == []


def test_failed_install_names_the_package_and_leaves_no_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = make_target(tmp_path, requirements="no-such-package-noxpit>=1\n")
    spec = python_env.venv_specs(target)[0]
    fake_venv(spec)
    (spec.path / python_env.FINGERPRINT_FILE).write_text('{"fingerprint": "old"}')
    pip_says = (
        "ERROR: Could not find a version that satisfies the requirement "
        "no-such-package-noxpit>=1 (from versions: none)\n"
        "ERROR: No matching distribution found for no-such-package-noxpit>=1\n"
    )
    commands: list[Sequence[str]] = []

    def fake_run(command: Sequence[str], **_kwargs: Any) -> procs.Completed:
        commands.append(command)
        return procs.Completed(tuple(command), 1, 0.1, output=pip_says)

    monkeypatch.setattr(procs, "run", fake_run)
    console, _ = quiet()
    with pytest.raises(SetupError) as caught:
        python_env.ensure_venv(spec, target, console, installer=Installer("pip"))
    assert str(caught.value) == (
        "pip could not install `no-such-package-noxpit>=1` (from priv/python/requirements.txt): "
        "check its name and version, or your network/package index"
    )
    assert not (spec.path / python_env.FINGERPRINT_FILE).exists()
    assert list(commands[-1][1:4]) == ["-m", "pip", "install"]


@pytest.mark.parametrize(
    ("output", "package"),
    [
        ("ERROR: No matching distribution found for grpcio-toolz\n", "grpcio-toolz"),
        (
            "  \N{MULTIPLICATION SIGN} No solution found when resolving dependencies:\n"
            "  ╰─▶ Because nonexistent-pkg was not found in the package registry and you "
            "require nonexistent-pkg, we can conclude that your requirements are unsatisfiable.\n",
            "nonexistent-pkg",
        ),
        (
            "  ╰─▶ Because there is no version of pytest==99.0 and you require pytest==99.0, ...\n",
            "pytest==99.0",
        ),
        ("ERROR: Failed building wheel for lxml\n", "lxml"),
        (
            "  cause: Because you require pytest>=7 and pytest==1.0.99, we can conclude that "
            "your requirements are unsatisfiable.\n",
            "pytest>=7 and pytest==1.0.99",
        ),
        (
            "ERROR: Cannot install pytest==1.0.99 and pytest>=7 because these package versions "
            "have conflicting dependencies.\n",
            "pytest==1.0.99 and pytest>=7",
        ),
        ("ERROR: Invalid requirement: 'pytest>=>7'\n", "pytest>=>7"),
        ("ERROR: something else entirely\n", None),
    ],
)
def test_install_failure_finds_the_package(output: str, package: str | None) -> None:
    assert python_env.install_failure(output) == package


def test_installer_commands() -> None:
    venv_python = Path("/t/.venv/bin/python3")
    req = [Path("/t/requirements.txt")]
    assert Installer("uv", "/bin/uv").command(venv_python, req) == [
        "/bin/uv",
        "pip",
        "install",
        "--python",
        "/t/.venv/bin/python3",
        "-r",
        "/t/requirements.txt",
    ]
    assert Installer("pip").command(venv_python, req)[:4] == [
        str(venv_python),
        "-m",
        "pip",
        "install",
    ]
    assert python_env.choose_installer(lambda name: None).name == "pip"
    assert python_env.choose_installer(lambda name: f"/opt/{name}") == Installer("uv", "/opt/uv")


def test_missing_requirements_file_is_one_line(tmp_path: Path) -> None:
    target = make_target(tmp_path)
    (target.python_dir / "requirements.txt").unlink()
    console, _ = quiet()
    with pytest.raises(requirements_files.RequirementsFileError) as caught:
        python_env.ensure(target, console, dry_run=True)
    assert str(caught.value).startswith(
        "requirements file priv/python/requirements.txt is missing;"
    )


def test_required_interpreter_not_found(tmp_path: Path) -> None:
    target = make_target(tmp_path, 'python = "python3.99-noxpit"\n')
    console, _ = quiet()
    with pytest.raises(SetupError) as caught:
        python_env.ensure(target, console)
    assert str(caught.value) == (
        "interpreter `python3.99-noxpit` not found (or does not run); install it or change "
        f"`python` in {target.config_file}"
    )


def test_optional_extra_venv_without_interpreter_warns_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = '[[venvs]]\npath = ".venv-py399"\npython = "python3.99-noxpit"\n'
    target = make_target(tmp_path, toml)
    specs = python_env.venv_specs(target)
    console, out = quiet()
    result = python_env.ensure_venv(specs[1], target, console, installer=Installer("pip"))
    assert result.action == "skipped"
    assert out.getvalue() == (
        "noxpit > setup: warning: skipping .venv-py399: interpreter `python3.99-noxpit` not found\n"
    )
    assert not specs[1].path.exists()


def test_setup_never_clears_a_directory_that_is_not_a_venv(tmp_path: Path) -> None:
    target = make_target(tmp_path, 'venv = "priv/python"\n')
    console, _ = quiet()
    with pytest.raises(SetupError) as caught:
        python_env.ensure(target, console)
    assert str(caught.value) == (
        "priv/python exists but is not a venv (no pyvenv.cfg) and is not empty; move it away "
        "or point `venv` at another directory"
    )
    assert (target.python_dir / "requirements.txt").is_file()


def test_dry_run_writes_nothing(tmp_path: Path, no_children: list[Sequence[str]]) -> None:
    target = make_target(tmp_path)
    console, out = quiet()
    result = python_env.ensure(target, console, dry_run=True)
    assert result.action == "would set up"
    assert "would create .venv and install priv/python/requirements.txt" in out.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mix.exs", "noxpit.toml", "priv"]


# --- pytest --------------------------------------------------------------------------


def test_pytest_environment_and_command(tmp_path: Path) -> None:
    target = make_target(tmp_path)
    env = pytest_run.environment(target, {"OTEL_TRACES_EXPORTER": "otlp", "PYTHONPATH": "/x"})
    assert env["OTEL_TRACES_EXPORTER"] == "otlp"  # the caller's choice wins
    assert env["OTEL_METRICS_EXPORTER"] == "none"
    assert env["PYTHONPATH"] == f"{target.python_dir}{os.pathsep}/x"
    tests_dir = target.python_dir / "tests"
    tests_dir.mkdir()
    (tests_dir / "test_a.py").write_text("")
    command = pytest_run.command(target, ["-k", "fast"])
    assert command[3] == str(tests_dir)
    assert command[-3:] == [f"--junitxml={target.reports_dir / 'pytest.xml'}", "-k", "fast"]
    own = pytest_run.command(target, ["priv/python/tests/test_a.py::test_x"])
    assert str(tests_dir) not in own  # a named path is not collected twice
