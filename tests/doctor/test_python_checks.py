"""The Python side's checks, each put in a broken state: interpreters, venvs, requirements,
imports and the installer. Each test runs the one check it is about."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from sessions.core.status import Status
from sessions.core.target import Target
from sessions.doctor.model import Ran
from sessions.python import installer as python_installer
from tests.doctor.fakes import FakeMachine, check, make_target

pytestmark = pytest.mark.unit


@pytest.fixture
def healthy(tmp_path: Path) -> Target:
    return make_target(tmp_path / "demo", toml='imports = ["demo_worker", "json"]\n')


def test_python_missing_or_too_old(tmp_path: Path) -> None:
    missing = make_target(tmp_path / "a", toml='python = "python3.99-noxpit"\n')
    result = check(missing, FakeMachine(tmp_path), "python")
    assert (result.status, result.detail) == (
        Status.ERROR,
        "interpreter `python3.99-noxpit` not found on PATH",
    )
    assert result.remedy.startswith("install `python3.99-noxpit` (Python >= 3.9: pyenv")
    too_old = make_target(tmp_path / "b", toml='[doctor]\nmin_python = "99.1"\n')
    result = check(too_old, FakeMachine(tmp_path), "python")
    assert result.status == Status.ERROR
    assert result.detail.endswith("is older than 99.1")


def test_python_new_enough_is_compared_as_a_version(tmp_path: Path) -> None:
    target = make_target(tmp_path / "a", toml='[doctor]\nmin_python = "3.9"\n')
    result = check(target, FakeMachine(tmp_path), "python")
    version = ".".join(str(part) for part in sys.version_info[:3])
    assert (result.status, result.detail) == (
        Status.PASSED,
        f"Python {version} at {sys.executable} (>= 3.9)",
    )


PYENV_SAYS = """pyenv: python3.13: command not found

The `python3.13' command exists in these Python versions:
  3.13.0

Note: See 'pyenv help global' for tips on allowing multiple
      Python versions to be found at the same time.
"""


def test_an_unselected_pyenv_shim_gets_a_pyenv_remedy(tmp_path: Path) -> None:
    shim = tmp_path / "pyenv" / "shims" / "python3.13"
    toml = '[[venvs]]\npath = ".venv-py313"\npython = "python3.13"\nrequired = true\n'
    target = make_target(tmp_path / "demo", toml=toml)
    machine = FakeMachine(
        tmp_path,
        binaries={"python3.13": str(shim)},
        responses={"python3.13": lambda _c: Ran(127, PYENV_SAYS)},
    )
    result = check(target, machine, "venv .venv-py313")
    assert result.status == Status.ERROR
    assert result.detail == (
        ".venv-py313 does not exist, and `python3.13` is a pyenv shim and pyenv does not "
        "select 3.13.0"
    )
    assert "pyenv global" in result.remedy and "3.13.0`" in result.remedy
    assert f"{tmp_path}/pyenv/versions/3.13.0/bin/python3.13" in result.remedy


def test_missing_venv(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", venv=False)
    result = check(target, FakeMachine(tmp_path), "venv .venv")
    assert result.status == Status.ERROR
    assert result.detail == ".venv does not exist (no .venv/bin/python3)"
    assert result.remedy == "run `nox -s setup`"


def test_requirements_and_imports_skip_without_a_venv(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", toml='imports = ["demo_worker"]\n', venv=False)
    for name in ("requirements .venv", "imports"):
        result = check(target, FakeMachine(tmp_path), name)
        assert (result.status, result.detail) == (Status.SKIPPED, "venv .venv is not usable")


def test_corrupt_venv(healthy: Target, tmp_path: Path) -> None:
    broken = healthy.venv_dir / "bin" / "python3"
    broken.write_text("#!/bin/sh\necho 'error while loading shared libraries' >&2\nexit 127\n")
    result = check(healthy, FakeMachine(tmp_path), "venv .venv")
    assert result.status == Status.ERROR
    assert "does not run: error while loading shared libraries" in result.detail
    assert "--force" in result.remedy
    assert check(healthy, FakeMachine(tmp_path), "requirements .venv").status == Status.SKIPPED


def test_venv_without_bin_python_is_noticed(healthy: Target, tmp_path: Path) -> None:
    (healthy.venv_dir / "bin" / "python").unlink()
    result = check(healthy, FakeMachine(tmp_path), "venv .venv")
    assert (result.status, result.detail) == (
        Status.ERROR,
        ".venv is incomplete: no .venv/bin/python",
    )
    assert result.remedy == "recreate it: `nox -s setup -- --force`"


def test_venv_without_bin_python3_is_not_called_absent(healthy: Target, tmp_path: Path) -> None:
    (healthy.venv_dir / "bin" / "python3").unlink()
    result = check(healthy, FakeMachine(tmp_path), "venv .venv")
    assert (result.status, result.detail) == (
        Status.ERROR,
        ".venv is incomplete: no .venv/bin/python3",
    )
    assert result.remedy == "recreate it: `nox -s setup -- --force`"


def test_venv_that_is_a_file_is_moved_away(healthy: Target, tmp_path: Path) -> None:
    shutil.rmtree(healthy.venv_dir)
    healthy.venv_dir.write_text("not a venv\n")
    result = check(healthy, FakeMachine(tmp_path), "venv .venv")
    assert (result.status, result.detail) == (Status.ERROR, ".venv is a file, not a venv directory")
    assert result.remedy == "move it away (`mv .venv .venv.orig`), then run `nox -s setup`"


def test_directory_that_is_not_a_venv(healthy: Target, tmp_path: Path) -> None:
    shutil.rmtree(healthy.venv_dir)
    (healthy.venv_dir / "notes").mkdir(parents=True)
    result = check(healthy, FakeMachine(tmp_path), "venv .venv")
    assert (result.status, result.detail) == (
        Status.ERROR,
        ".venv exists but is not a venv (no pyvenv.cfg)",
    )
    assert "mv .venv .venv.orig" in result.remedy


def test_venv_never_set_up_by_noxpit_warns(healthy: Target, tmp_path: Path) -> None:
    result = check(healthy, FakeMachine(tmp_path), "venv .venv")  # no fingerprint stored
    assert result.status == Status.WARN
    assert result.detail.endswith("not set up by noxpit yet (no fingerprint)")
    assert "`nox -s setup`" in result.remedy


def test_venv_changed_since_setup_warns(healthy: Target, tmp_path: Path) -> None:
    (healthy.venv_dir / ".noxpit-fingerprint").write_text('{"fingerprint": "old"}')
    result = check(healthy, FakeMachine(tmp_path), "venv .venv")
    assert result.status == Status.WARN
    assert result.detail.endswith("requirements or interpreter changed since the last setup")
    assert result.remedy == "run `nox -s setup`"


def test_optional_extra_venv_names_its_missing_interpreter(tmp_path: Path) -> None:
    toml = '[[venvs]]\npath = ".venv-py399"\npython = "python3.99-noxpit"\n'
    target = make_target(tmp_path / "demo", toml=toml)
    result = check(target, FakeMachine(tmp_path), "venv .venv-py399")
    assert result.status == Status.WARN
    assert result.detail == (
        ".venv-py399 (optional) does not exist, and interpreter `python3.99-noxpit` not found "
        "on PATH"
    )
    assert "install it" in result.remedy and "[[venvs]] .venv-py399" in result.remedy


def test_required_extra_venv_missing_is_an_error(tmp_path: Path) -> None:
    toml = '[[venvs]]\npath = ".venv-extra"\npython = "python3"\nrequired = true\n'
    target = make_target(tmp_path / "demo", toml=toml)
    result = check(target, FakeMachine(tmp_path), "venv .venv-extra")
    assert (result.status, result.remedy) == (Status.ERROR, "run `nox -s setup`")


def test_requirements_satisfied(healthy: Target, tmp_path: Path) -> None:
    result = check(healthy, FakeMachine(tmp_path), "requirements .venv")
    assert (result.status, result.detail) == (Status.PASSED, "1 requirement(s) satisfied")


def test_unsatisfied_requirements_are_listed(tmp_path: Path) -> None:
    requirements = (
        "pytest<1\nno-such-package-noxpit>=1.0\npytest>=7 ; python_version < '3'\n./local/pkg\n"
    )
    target = make_target(tmp_path / "demo", requirements=requirements)
    result = check(target, FakeMachine(tmp_path), "requirements .venv")
    assert result.status == Status.ERROR
    assert result.detail.startswith("2 unsatisfied: pytest<1 (installed ")
    assert "no-such-package-noxpit>=1.0 (not installed)" in result.detail
    assert "--force" in result.remedy
    assert "priv/python/requirements.txt" in result.remedy


def test_names_are_compared_as_distribution_names(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", requirements="PyTest>=7 --hash=sha256:00\nPy_Test\n")
    result = check(target, FakeMachine(tmp_path), "requirements .venv")
    assert result.detail == "1 unsatisfied: Py_Test (not installed)"  # py-test, not pytest


def test_included_requirements_are_checked(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", requirements="-r more.txt\n")
    (target.python_dir / "more.txt").write_text("no-such-package-noxpit\n")
    result = check(target, FakeMachine(tmp_path), "requirements .venv")
    assert result.detail == "1 unsatisfied: no-such-package-noxpit (not installed)"


def test_invalid_requirement_is_named(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", requirements="pytest>=>7\n")
    result = check(target, FakeMachine(tmp_path), "requirements .venv")
    assert result.status == Status.ERROR
    assert result.detail.startswith(
        "priv/python/requirements.txt:1: `pytest>=>7` is not a valid requirement ("
    )


def test_unreadable_requirements(healthy: Target, tmp_path: Path) -> None:
    requirements = healthy.python_dir / "requirements.txt"
    requirements.unlink()
    requirements.mkdir()  # root can read any file; a directory cannot be read by anyone
    result = check(healthy, FakeMachine(tmp_path), "requirements .venv")
    assert result.status == Status.ERROR
    assert result.detail == (
        "requirements file priv/python/requirements.txt is a directory; point it at a file"
    )
    assert "`requirements`" in result.remedy


def test_imports(healthy: Target, tmp_path: Path) -> None:
    result = check(healthy, FakeMachine(tmp_path), "imports")
    assert (result.status, result.detail) == (
        Status.PASSED,
        "demo_worker, json import with PYTHONPATH=priv/python",
    )


def test_failing_import(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", toml='imports = ["demo_worker", "demo_missing"]\n')
    result = check(target, FakeMachine(tmp_path), "imports")
    assert result.status == Status.ERROR
    assert result.detail == "demo_missing: ModuleNotFoundError: No module named 'demo_missing'"
    assert "requirements" in result.remedy


def test_a_module_named_like_a_probe_is_the_targets(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", toml='imports = ["installed"]\n')
    result = check(target, FakeMachine(tmp_path), "imports")
    assert result.detail == "installed: ModuleNotFoundError: No module named 'installed'"


def test_import_that_exits_is_reported_not_fatal(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", toml='imports = ["demo_worker.boom"]\n')
    (target.python_dir / "demo_worker" / "boom.py").write_text("raise SystemExit(3)\n")
    result = check(target, FakeMachine(tmp_path), "imports")
    assert (result.status, result.detail) == (Status.ERROR, "demo_worker.boom: SystemExit: 3")


def test_installer_shown(healthy: Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(python_installer, "bundled_uv", lambda: None)  # none beside noxpit
    with_uv = FakeMachine(tmp_path, binaries={"uv": "/opt/uv/bin/uv"})
    assert check(healthy, with_uv, "installer").detail == "setup installs with uv (/opt/uv/bin/uv)"
    without = FakeMachine(tmp_path, binaries={"uv": None})
    assert check(healthy, without, "installer").detail == "setup installs with pip (uv not on PATH)"


def test_main_venv_points_at_the_python_check_for_its_interpreter(tmp_path: Path) -> None:
    shim = tmp_path / "pyenv" / "shims" / "python3.13"
    target = make_target(tmp_path / "demo", toml='python = "python3.13"\n', venv=False)
    machine = FakeMachine(
        tmp_path,
        binaries={"python3.13": str(shim)},
        responses={"python3.13": lambda _c: Ran(127, PYENV_SAYS)},
        environ={"PYENV_VERSION": "3.11.7"},
    )
    python = check(target, machine, "python")
    assert python.detail == "`python3.13` is a pyenv shim and pyenv does not select 3.13.0"
    assert "`export PYENV_VERSION=3.11.7:3.13.0`" in python.remedy
    venv = check(target, machine, "venv .venv")
    assert venv.detail == ".venv does not exist, and its interpreter `python3.13` does not run"
    assert venv.remedy == "make `python3.13` run (see the `python` check), then `nox -s setup`"
