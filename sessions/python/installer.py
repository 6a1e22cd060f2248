"""uv or pip: which one setup uses, the commands it runs, and what their errors mean.

uv is the default when it can be found (on PATH, or installed beside the Python running
noxpit, as ``pip install uv`` does): it creates a venv and resolves a whole requirements
set in a fraction of pip's time. pip stays the fallback, and ``[setup] installer = "pip"``
forces it. Either way the venv gets pip (``uv venv --seed``), because target scripts and
tools call ``.venv/bin/pip``.
"""

from __future__ import annotations

import os
import re
import shutil
import sysconfig
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sessions.core.files import last_line
from sessions.python.venvs import SetupError


@dataclass(frozen=True)
class Installer:
    name: Literal["uv", "pip"]
    executable: str | None = None  # uv's binary; pip runs as the venv's ``-m pip``

    @property
    def concurrent(self) -> bool:
        """Whether independent venvs may be provisioned at once (uv's cache is safe for it)."""
        return self.name == "uv"

    def create_command(self, base: str, venv: Path) -> list[str]:
        """Make (or remake) ``venv`` from interpreter ``base``, with pip in it."""
        if self.name == "uv":
            uv = self.executable or "uv"
            return [uv, "venv", "--seed", "--clear", "--quiet", "--python", base, str(venv)]
        return [base, "-m", "venv", "--clear", str(venv)]

    def command(self, venv_python: Path, requirements: Sequence[Path]) -> list[str]:
        """Install every requirements file in one resolver call."""
        files = [arg for path in requirements for arg in ("-r", str(path))]
        if self.name == "uv":
            uv = self.executable or "uv"
            return [uv, "pip", "install", "--python", str(venv_python), *files]
        pip = [str(venv_python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        return [*pip, *files]


def bundled_uv() -> str | None:
    """The uv that ``pip install uv`` put beside the Python running noxpit."""
    candidate = Path(sysconfig.get_path("scripts")) / "uv"
    return str(candidate) if os.access(candidate, os.X_OK) else None


def choose_installer(
    setting: str = "auto",
    which: Callable[[str], str | None] = shutil.which,
    bundled: Callable[[], str | None] | None = None,
) -> Installer:
    """``auto``: uv when found (PATH first, then beside noxpit's Python), pip otherwise;
    ``uv``/``pip`` force one."""
    if setting == "pip":
        return Installer("pip")
    uv = which("uv") or (bundled or bundled_uv)()
    if uv:
        return Installer("uv", uv)
    if setting == "uv":
        raise SetupError(
            '[setup] installer = "uv" but uv is not installed; `python3 -m pip install uv` '
            'or set installer = "pip"'
        )
    return Installer("pip")


_FAILURE_PATTERNS = (
    re.compile(r"No matching distribution found for (\S+)"),
    re.compile(r"Could not find a version that satisfies the requirement (\S+)"),
    re.compile(r"Because (\S+) was not found in the package registry"),
    re.compile(r"Because there (?:is|are) no versions? of (\S+?)(?: |,|$)"),
    re.compile(r"Failed (?:building wheel for|to build) (\S+)"),
    re.compile(r"Because you require (.+?), we can conclude"),  # uv: conflicting pins
    re.compile(r"Cannot install (.+?) because these package versions have conflicting"),
    re.compile(r"Invalid requirement: (.+)$"),
)


def install_failure(output: str) -> str | None:
    """The package the installer could not install, from pip's or uv's own message."""
    for pattern in _FAILURE_PATTERNS:
        for line in output.splitlines():
            match = pattern.search(line)
            if match:
                return match.group(1).strip().strip("'\"")
    return None


def error_line(output: str) -> str:
    """The installer's own reason: a full disk when it says so (uv's ``error:`` line then
    only says the venv failed), else its last ``error:`` line, else its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if "No space left on device" in line or "Disk quota exceeded" in line:
            return f"{line[:200]}; free some space and run again"
    for line in reversed(lines):
        if line.lower().startswith(("error", "\N{MULTIPLICATION SIGN}", "x ")):
            return line[:200]
    return last_line(output)[:200]
