"""Which venvs the target wants, and what the fingerprint of each one must say.

The main venv comes from the top-level keys (``venv``, ``python``, ``requirements``), the
extra ones from ``[[venvs]]``, the installer choice from ``[setup]``: all read through
``core.config``, so a wrong value is one line naming the key. The fingerprint is answered
without starting a process: ``setup``'s fast path and ``doctor`` both ask it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sessions.core.config import read_section, rule
from sessions.core.errors import NoxpitError
from sessions.core.target import Target

FINGERPRINT_FILE = ".noxpit-fingerprint"
EXAMPLE_REQUIREMENTS = '["priv/python/requirements.txt"]'


class SetupError(NoxpitError):
    """A venv could not be created or its requirements installed."""


@dataclass(frozen=True)
class VenvSpec:
    """One venv to provision: the main one (``venv``) or an extra from ``[[venvs]]``."""

    path: Path
    python: str | None  # None: the interpreter running noxpit
    required: bool
    requirements: tuple[Path, ...]
    main: bool = False

    @property
    def python_bin(self) -> Path:
        return self.path / "bin" / "python3"

    @property
    def interpreters(self) -> tuple[Path, Path]:
        """Both names every venv has: scripts and tools call either one."""
        return self.path / "bin" / "python", self.python_bin


# --- config --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtraVenv:
    """One ``[[venvs]]`` table."""

    path: str | None = field(
        default=None, metadata=rule(what='a directory name like ".venv-py313"')
    )
    python: str | None = field(
        default=None, metadata=rule(what='an interpreter name or path like "python3.13"')
    )
    required: bool = False
    requirements: tuple[str, ...] | None = field(
        default=None, metadata=rule(what='a list of file paths like ["requirements-313.txt"]')
    )


@dataclass(frozen=True)
class VenvsConfig:
    venvs: tuple[ExtraVenv, ...] = ()


@dataclass(frozen=True)
class SetupSettings:
    """``[setup]``: ``installer = "uv"`` or ``"pip"`` forces one; ``"auto"`` prefers uv."""

    installer: Literal["auto", "uv", "pip"] = "auto"


def setup_settings(target: Target) -> SetupSettings:
    return read_section(
        SetupSettings, target.section("setup"), f"{target.config_label}: [setup]", SetupError
    )


def venv_specs(target: Target) -> list[VenvSpec]:
    """The main venv first, then each ``[[venvs]]`` entry, validated."""
    label = target.config_label
    if not target.requirements:
        raise SetupError(
            f"{label}: `requirements` is empty; list at least one file, e.g. "
            f"requirements = {EXAMPLE_REQUIREMENTS}"
        )
    specs = [VenvSpec(target.venv_dir, target.python, True, target.requirements, main=True)]
    raw = {"venvs": target.config["venvs"]} if "venvs" in target.config else {}
    config = read_section(VenvsConfig, raw, f"{label}:", SetupError)
    for index, entry in enumerate(config.venvs, start=1):
        where = f"{label}: venvs[{index}]"
        if entry.path is None:
            raise SetupError(f'{where} path is missing; add path = ".venv-py313"')
        if entry.python is None:
            raise SetupError(f'{where} python is missing; add python = "python3.13"')
        if entry.requirements is None:
            req_paths = target.requirements
        elif not entry.requirements:
            raise SetupError(
                f"{where} requirements is empty; leave it out (the target's requirements) "
                f"or list files, e.g. requirements = {EXAMPLE_REQUIREMENTS}"
            )
        else:
            req_paths = tuple(target.root / item for item in entry.requirements)
        venv_path = target.root / entry.path
        if any(venv_path == spec.path for spec in specs):
            raise SetupError(
                f"{where}: venv {entry.path} is listed twice; give each venv its own path"
            )
        specs.append(VenvSpec(venv_path, entry.python, entry.required, req_paths))
    return specs


# --- fingerprint ---------------------------------------------------------------------


def fingerprint(requirements: bytes, interpreter: str, python_version: str, installer: str) -> str:
    digest = hashlib.sha256()
    for part in (requirements, interpreter.encode(), python_version.encode(), installer.encode()):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


def venv_version(venv: Path) -> str | None:
    """The venv's Python version from ``pyvenv.cfg``: no process needed on the fast path."""
    try:
        text = (venv / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    return values.get("version") or values.get("version_info")


def intact(spec: VenvSpec) -> bool:
    """A venv directory with its version and both interpreter names (a deleted
    ``bin/python`` breaks scripts that call it, so such a venv is recreated)."""
    return (
        spec.path.is_dir()
        and venv_version(spec.path) is not None
        and all(path.exists() for path in spec.interpreters)
    )


def read_stamp(venv: Path) -> dict[str, Any]:
    try:
        data = json.loads((venv / FINGERPRINT_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def interpreter_label(spec: VenvSpec) -> str:
    """What the fingerprint records as the interpreter: the configured name, or ours."""
    if spec.python is not None:
        return spec.python
    # Not sys.executable: one interpreter has many paths (python, python3, nox's venv).
    version = ".".join(str(part) for part in sys.version_info[:3])
    return f"(the interpreter running noxpit) {version}"
