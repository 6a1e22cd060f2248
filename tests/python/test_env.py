"""setup's provisioning without installing anything: the fast path, errors, concurrency."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sessions.core import procs
from sessions.python import env as python_env
from sessions.python import requirements as requirements_files
from sessions.python.env import Installer, SetupError, VenvSpec
from tests.python.support import fake_venv, make_target, quiet

pytestmark = pytest.mark.unit

PIP = Installer("pip")
UV = Installer("uv", "/fake/uv")


def stamp_current(spec: VenvSpec, target: Any, installer: Installer) -> None:
    reqs = requirements_files.read(spec.requirements, target.rel)
    wanted = python_env.current_fingerprint(spec, target, reqs, installer)
    (spec.path / python_env.FINGERPRINT_FILE).write_text(
        json.dumps({"fingerprint": wanted, "interpreter": python_env.interpreter_label(spec)})
    )


class FakeInstaller:
    """procs.run standing in for uv/pip: makes venvs, installs nothing, records when."""

    def __init__(self, delay: float = 0.0, fail_install: str = "") -> None:
        self.commands: list[Sequence[str]] = []
        self.spans: list[tuple[str, float, float]] = []
        self.delay = delay
        self.fail_install = fail_install
        self.lock = threading.Lock()

    def __call__(self, command: Sequence[str], **_kwargs: Any) -> procs.Completed:
        start = time.monotonic()
        with self.lock:
            self.commands.append(command)
        if "venv" in command:
            fake_venv(VenvSpec(Path(command[-1]), None, True, ()))
        time.sleep(self.delay)
        with self.lock:
            self.spans.append((command[-1], start, time.monotonic()))
        if self.fail_install and "install" in command:
            return procs.Completed(tuple(command), 1, 0.1, output=self.fail_install)
        return procs.Completed(tuple(command), 0, 0.1)


@pytest.fixture
def fake_installer(monkeypatch: pytest.MonkeyPatch) -> FakeInstaller:
    fake = FakeInstaller()
    monkeypatch.setattr(procs, "run", fake)
    return fake


# --- the fast path -------------------------------------------------------------------


def test_up_to_date_starts_no_process(tmp_path: Path, no_children: list[Sequence[str]]) -> None:
    target = make_target(tmp_path)
    spec = python_env.venv_specs(target)[0]
    fake_venv(spec)
    stamp_current(spec, target, PIP)
    console, out = quiet()
    result = python_env.ensure_venv(spec, target, console, installer=PIP)
    assert result.action == "up to date"
    assert out.getvalue() == "noxpit > setup: .venv is up to date\n"
    assert python_env.up_to_date(spec, target, PIP)
    # Any input changing means not up to date: requirements (also included ones), installer.
    (target.python_dir / "requirements.txt").write_text("pytest>=8\n")
    assert not python_env.up_to_date(spec, target, PIP)
    (target.python_dir / "requirements.txt").write_text("pytest>=7\n")
    assert python_env.up_to_date(spec, target, PIP)
    assert not python_env.up_to_date(spec, target, UV)
    (spec.path / "pyvenv.cfg").write_text("version = 3.12.1\n")
    assert not python_env.up_to_date(spec, target, PIP)
    assert no_children == []


def test_a_deleted_bin_python_is_not_up_to_date_and_the_venv_is_remade(
    tmp_path: Path, fake_installer: FakeInstaller
) -> None:
    target = make_target(tmp_path)
    spec = python_env.venv_specs(target)[0]
    fake_venv(spec)
    stamp_current(spec, target, PIP)
    (spec.path / "bin" / "python").unlink()
    assert not python_env.up_to_date(spec, target, PIP)
    console, out = quiet()
    result = python_env.ensure_venv(spec, target, console, installer=PIP)
    assert result.action == "created"
    assert "is up to date" not in out.getvalue()
    assert fake_installer.commands[0][1:4] == ["-m", "venv", "--clear"]
    assert (spec.path / "bin" / "python").exists()
    assert python_env.up_to_date(spec, target, PIP)


# --- bad input: one line, nothing touched --------------------------------------------


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
    fake = FakeInstaller(fail_install=pip_says)
    monkeypatch.setattr(procs, "run", fake)
    console, _ = quiet()
    with pytest.raises(SetupError) as caught:
        python_env.ensure_venv(spec, target, console, installer=PIP)
    assert str(caught.value) == (
        "pip could not install `no-such-package-noxpit>=1` (from priv/python/requirements.txt): "
        "check its name and version, or your network/package index"
    )
    assert not (spec.path / python_env.FINGERPRINT_FILE).exists()
    assert list(fake.commands[-1][1:4]) == ["-m", "pip", "install"]


def test_missing_requirements_file_is_one_line(tmp_path: Path) -> None:
    target = make_target(tmp_path)
    (target.python_dir / "requirements.txt").unlink()
    console, _ = quiet()
    with pytest.raises(requirements_files.RequirementsFileError) as caught:
        python_env.ensure(target, console, dry_run=True)
    assert str(caught.value).startswith(
        "requirements file priv/python/requirements.txt is missing;"
    )


def test_a_requirements_syntax_error_stops_before_any_process(
    tmp_path: Path, no_children: list[Sequence[str]]
) -> None:
    target = make_target(tmp_path, requirements="pytest>=7\n'grpcio>=1.60\n")
    console, _ = quiet()
    with pytest.raises(requirements_files.RequirementsFileError) as caught:
        python_env.ensure(target, console)
    assert str(caught.value).startswith(
        "priv/python/requirements.txt:2: `'grpcio>=1.60` is not a valid requirement ("
    )
    assert no_children == []


@pytest.mark.parametrize("python", ["python3.99-noxpit", "/nonexistent/bin/python3.12"])
def test_required_interpreter_not_found(tmp_path: Path, python: str) -> None:
    target = make_target(tmp_path, f'python = "{python}"\n')
    console, _ = quiet()
    with pytest.raises(SetupError) as caught:
        python_env.ensure(target, console)
    assert str(caught.value) == (
        f"interpreter `{python}` not found (or does not run); install it or change "
        f"`python` in {target.config_file}"
    )
    assert not target.venv_dir.exists()


def test_an_interpreter_given_by_path_is_used(
    tmp_path: Path, fake_installer: FakeInstaller, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(procs, "output_of", lambda *_a, **_k: procs.Completed(("p",), 0, 0.0))
    monkeypatch.setattr(python_env, "installer_for", lambda *_a: PIP)
    target = make_target(tmp_path, f'python = "{sys.executable}"\n')
    console, out = quiet()
    assert python_env.ensure(target, console).action == "created"
    assert fake_installer.commands[0][0] == sys.executable
    assert f"noxpit > setup: creating .venv with {sys.executable}\n" in out.getvalue()


@pytest.mark.parametrize(("force", "dry_run"), [(False, False), (True, False), (False, True)])
def test_a_venv_that_is_a_regular_file_is_one_line_and_kept(
    tmp_path: Path, no_children: list[Sequence[str]], force: bool, dry_run: bool
) -> None:
    target = make_target(tmp_path)
    target.venv_dir.write_text("not a venv\n")
    console, _ = quiet()
    with pytest.raises(SetupError) as caught:
        python_env.ensure(target, console, force=force, dry_run=dry_run)
    assert str(caught.value) == (
        ".venv is a file, not a venv directory; move it away (or point `venv` at another "
        "directory), then run `nox -s setup`"
    )
    assert target.venv_dir.read_text() == "not a venv\n"


def test_optional_extra_venv_without_interpreter_warns_once(tmp_path: Path) -> None:
    toml = '[[venvs]]\npath = ".venv-py399"\npython = "python3.99-noxpit"\n'
    target = make_target(tmp_path, toml)
    specs = python_env.venv_specs(target)
    console, out = quiet()
    result = python_env.ensure_venv(specs[1], target, console, installer=PIP)
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


# --- several venvs -------------------------------------------------------------------

TWO_VENVS = f'[[venvs]]\npath = ".venv-b"\npython = "{sys.executable}"\n'


def overlapped(spans: list[tuple[str, float, float]], first: str, second: str) -> bool:
    a = [(s, e) for name, s, e in spans if name.endswith(first)]
    b = [(s, e) for name, s, e in spans if name.endswith(second)]
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


@pytest.mark.parametrize(("installer", "at_once"), [(UV, True), (PIP, False)])
def test_uv_provisions_independent_venvs_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, installer: Installer, at_once: bool
) -> None:
    fake = FakeInstaller(delay=0.3)
    monkeypatch.setattr(procs, "run", fake)
    monkeypatch.setattr(procs, "output_of", lambda *_a, **_k: procs.Completed(("p",), 0, 0.0))
    monkeypatch.setattr(python_env, "installer_for", lambda *_a: installer)
    target = make_target(tmp_path, TWO_VENVS)
    console, out = quiet()
    results = python_env.provision(target, console)
    assert [(r.venv.name, r.action) for r in results] == [
        (".venv", "created"),
        (".venv-b", "created"),
    ]
    assert overlapped(fake.spans, "/.venv", "/.venv-b") is at_once
    # One resolver call per venv.
    installs = [c for c in fake.commands if "install" in c]
    assert len(installs) == 2
    # Then both are up to date, told in order, with no process at all.
    monkeypatch.setattr(procs, "run", lambda *_a, **_k: pytest.fail("a process was started"))
    console, out = quiet()
    python_env.provision(target, console)
    assert out.getvalue() == (
        "noxpit > setup: .venv is up to date\nnoxpit > setup: .venv-b is up to date\n"
    )


def test_a_failure_in_one_of_several_venvs_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeInstaller(fail_install="error: Failed to fetch: `https://pypi.invalid`\n")
    monkeypatch.setattr(procs, "run", fake)
    monkeypatch.setattr(procs, "output_of", lambda *_a, **_k: procs.Completed(("p",), 0, 0.0))
    monkeypatch.setattr(python_env, "installer_for", lambda *_a: UV)
    target = make_target(tmp_path, TWO_VENVS)
    console, _ = quiet()
    with pytest.raises(SetupError) as caught:
        python_env.provision(target, console)
    assert str(caught.value) == (
        "uv could not install priv/python/requirements.txt: "
        "error: Failed to fetch: `https://pypi.invalid`"
    )


def test_installer_for_follows_the_setup_table(tmp_path: Path) -> None:
    found = (lambda name: f"/opt/{name}", lambda: None)
    assert python_env.installer_for(make_target(tmp_path / "a"), *found) == Installer(
        "uv", "/opt/uv"
    )
    pip = make_target(tmp_path / "b", '[setup]\ninstaller = "pip"\n')
    assert python_env.installer_for(pip, *found) == PIP
    assert (
        python_env.installer_for(make_target(tmp_path / "c"), lambda _n: None, lambda: None) == PIP
    )


def test_a_venv_whose_install_was_interrupted_is_recreated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = make_target(tmp_path)
    spec = python_env.venv_specs(target)[0]
    fake_venv(spec)

    def interrupted(command: Sequence[str], **_kwargs: Any) -> procs.Completed:
        raise KeyboardInterrupt

    monkeypatch.setattr(procs, "run", interrupted)
    console, _ = quiet()
    with pytest.raises(KeyboardInterrupt):
        python_env.ensure_venv(spec, target, console, installer=PIP)
    fake = FakeInstaller()
    monkeypatch.setattr(procs, "run", fake)
    assert python_env.ensure_venv(spec, target, console, installer=PIP).action == "created"
    assert fake.commands[0][1:4] == ["-m", "venv", "--clear"]  # not pip into a broken venv
    assert python_env.up_to_date(spec, target, PIP)
