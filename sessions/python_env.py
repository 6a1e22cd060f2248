"""The target's Python side: a venv with its requirements, provisioned without prompts.

A fingerprint of the requirements, the interpreter and the installer is stored in the
venv, so a second ``setup`` finds nothing to do and installs nothing. A file lock keeps
two concurrent runs from installing into the same venv at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sessions import procs
from sessions.console import Console
from sessions.errors import NoxpitError
from sessions.project import Target

FINGERPRINT_FILE = ".noxpit-fingerprint"


class SetupError(NoxpitError):
    """The venv could not be created or its requirements installed."""


@dataclass(frozen=True)
class SetupResult:
    venv: Path
    action: str  # "created", "reinstalled", "up to date"


def interpreter(target: Target) -> str:
    """The interpreter that creates the venv: configured, else the one running nox."""
    if target.python is None:
        return sys.executable
    found = shutil.which(target.python)
    if found is None:
        raise SetupError(
            f"interpreter `{target.python}` not found; install it or change `python` in "
            f"{target.config_label}"
        )
    return found


def read_requirements(target: Target) -> bytes:
    """All requirements files, concatenated with their names (the fingerprint input)."""
    chunks: list[bytes] = []
    for path in target.requirements:
        try:
            chunks.append(target.rel(path).encode() + b"\0" + path.read_bytes())
        except FileNotFoundError:
            raise SetupError(
                f"requirements file {target.rel(path)} is missing; create it or set "
                f"`requirements` in {target.config_label}"
            ) from None
        except OSError as exc:
            raise SetupError(f"cannot read {target.rel(path)}: {exc.strerror}") from None
    return b"\0\0".join(chunks)


def fingerprint(requirements: bytes, python_version: str, installer: str) -> str:
    digest = hashlib.sha256()
    for part in (requirements, python_version.encode(), installer.encode()):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


def _python_version(python: str, cwd: Path) -> str:
    result = procs.output_of([python, "-c", "import sys; print(sys.version)"], cwd=cwd)
    if not result.ok:
        raise SetupError(f"`{python}` does not run: {result.output.strip()[:200]}")
    return result.output.strip()


def stored_fingerprint(venv: Path) -> str | None:
    try:
        return json.loads((venv / FINGERPRINT_FILE).read_text())["fingerprint"]  # type: ignore[no-any-return]
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextmanager
def setup_lock(target: Target) -> Iterator[None]:
    """Serialise setups of one target: the second run waits, then finds it up to date."""
    lock_path = target.root / "_build" / ".noxpit-setup.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure(target: Target, console: Console, *, force: bool = False) -> SetupResult:
    """Create the venv and install requirements unless the fingerprint says nothing changed."""
    venv = target.venv_dir
    requirements = read_requirements(target)
    with setup_lock(target):
        base = interpreter(target)
        installer = "pip"
        venv_python = target.venv_python
        existed = venv_python.exists()
        if existed and not force:
            current = stored_fingerprint(venv)
            if current is not None:
                version = _python_version(str(venv_python), target.root)
                if current == fingerprint(requirements, version, installer):
                    console.step(f"setup: {target.rel(venv)} is up to date")
                    return SetupResult(venv, "up to date")
        if not existed or force:
            console.step(f"setup: creating {target.rel(venv)} with {base}")
            made = procs.run([base, "-m", "venv", "--clear", str(venv)], cwd=target.root)
            if not made.ok:
                raise SetupError(f"could not create {target.rel(venv)} with {base}")
        version = _python_version(str(venv_python), target.root)
        (venv / FINGERPRINT_FILE).unlink(missing_ok=True)
        command = [str(venv_python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        for path in target.requirements:
            command += ["-r", str(path)]
        console.step("setup: installing " + ", ".join(target.rel(p) for p in target.requirements))
        installed = procs.run(command, cwd=target.root)
        if not installed.ok:
            raise SetupError(
                f"pip could not install {', '.join(target.rel(p) for p in target.requirements)}"
                " (see pip's message above); fix the requirement or your network"
            )
        (venv / FINGERPRINT_FILE).write_text(
            json.dumps({"fingerprint": fingerprint(requirements, version, installer)})
        )
        action = "reinstalled" if existed else "created"
        console.step(f"setup: {target.rel(venv)} {action}")
        return SetupResult(venv, action)
