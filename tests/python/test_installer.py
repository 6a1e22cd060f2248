"""uv or pip: the choice, the commands, and the package named in their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.python.installer import Installer, choose_installer, error_line, install_failure
from sessions.python.venvs import SetupError

pytestmark = pytest.mark.unit


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
    assert install_failure(output) == package


def test_error_line_prefers_the_installer_error() -> None:
    assert error_line("Using CPython 3.12\nerror: No interpreter found\nhint: x\n") == (
        "error: No interpreter found"
    )
    assert error_line("first\nlast one\n\n") == "last one"
    assert error_line("") == "no output"


def test_commands_one_resolver_call_and_a_venv_with_pip() -> None:
    venv_python = Path("/t/.venv/bin/python3")
    reqs = [Path("/t/requirements.txt"), Path("/t/dev.txt")]
    uv = Installer("uv", "/bin/uv")
    assert uv.command(venv_python, reqs) == [
        "/bin/uv",
        "pip",
        "install",
        "--python",
        "/t/.venv/bin/python3",
        "-r",
        "/t/requirements.txt",
        "-r",
        "/t/dev.txt",
    ]
    created = uv.create_command("/usr/bin/python3.12", Path("/t/.venv"))
    assert created[:2] == ["/bin/uv", "venv"] and "--seed" in created
    assert created[-3:] == ["--python", "/usr/bin/python3.12", "/t/.venv"]
    pip = Installer("pip")
    assert pip.command(venv_python, reqs)[:4] == [str(venv_python), "-m", "pip", "install"]
    assert pip.command(venv_python, reqs)[-4:] == ["-r", "/t/requirements.txt", "-r", "/t/dev.txt"]
    assert pip.create_command("/usr/bin/python3", Path("/t/.venv")) == [
        "/usr/bin/python3",
        "-m",
        "venv",
        "--clear",
        "/t/.venv",
    ]
    assert uv.concurrent and not pip.concurrent


def test_choice_uv_by_default_pip_as_fallback_or_when_asked() -> None:
    nowhere = lambda _name: None  # noqa: E731
    on_path = lambda name: f"/opt/{name}"  # noqa: E731
    assert choose_installer("auto", on_path, lambda: None) == Installer("uv", "/opt/uv")
    # Installed beside noxpit's Python (`pip install uv`) but not on PATH: still found.
    assert choose_installer("auto", nowhere, lambda: "/venv/bin/uv") == Installer(
        "uv", "/venv/bin/uv"
    )
    assert choose_installer("auto", nowhere, lambda: None) == Installer("pip")
    assert choose_installer("pip", on_path, lambda: "/venv/bin/uv") == Installer("pip")
    assert choose_installer("uv", on_path, lambda: None) == Installer("uv", "/opt/uv")
    with pytest.raises(SetupError) as caught:
        choose_installer("uv", nowhere, lambda: None)
    assert str(caught.value) == (
        '[setup] installer = "uv" but uv is not installed; `python3 -m pip install uv` '
        'or set installer = "pip"'
    )
