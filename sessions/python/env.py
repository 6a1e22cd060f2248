"""The target's Python side: venvs with their requirements, provisioned without prompts.

A fingerprint of the requirements (with every file they include), the interpreter and the
installer is stored in each venv, so a second ``setup`` finds nothing to do and installs
nothing, without starting a single process. A file lock keeps two concurrent runs from
installing into the same venv at once: the second waits, then finds it up to date.
Besides the main venv, the target's config may list extra ones (``[[venvs]]``), and
``.proto`` files get their gRPC stubs generated (``sessions/stubs.py``).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sessions.core import procs
from sessions.core.config import reject_unknown_keys
from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.options import PosargsParser
from sessions.core.target import Target
from sessions.python import requirements as requirements_files
from sessions.python import stubs

FINGERPRINT_FILE = ".noxpit-fingerprint"
LOCK_FILE = Path("_build") / ".noxpit-setup.lock"
VENV_KEYS = {"path", "python", "required", "requirements"}


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


@dataclass(frozen=True)
class SetupResult:
    venv: Path
    action: str  # "created", "reinstalled", "up to date", "skipped", "would set up"


# --- config --------------------------------------------------------------------------


def venv_specs(target: Target) -> list[VenvSpec]:
    """The main venv first, then each ``[[venvs]]`` entry, validated."""
    specs = [VenvSpec(target.venv_dir, target.python, True, target.requirements, main=True)]
    raw = target.config.get("venvs", [])
    label = target.config_label
    if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
        raise SetupError(f"{label}: `venvs` must be an array of tables ([[venvs]])")
    for index, entry in enumerate(raw, start=1):
        where = f"{label}: [[venvs]] #{index}"
        reject_unknown_keys(entry, VENV_KEYS, f"{where}:", SetupError)
        path, python = entry.get("path"), entry.get("python")
        if not isinstance(path, str) or not path:
            raise SetupError(f'{where}: `path` must be a directory name like ".venv-py313"')
        if not isinstance(python, str) or not python:
            raise SetupError(f'{where}: `python` must be an interpreter like "python3.13"')
        required = entry.get("required", False)
        if not isinstance(required, bool):
            raise SetupError(f"{where}: `required` must be true or false")
        requirements = entry.get("requirements", None)
        if requirements is None:
            req_paths = target.requirements
        elif isinstance(requirements, list) and all(
            isinstance(item, str) and item for item in requirements
        ):
            req_paths = tuple(target.root / item for item in requirements)
        else:
            raise SetupError(f"{where}: `requirements` must be a list of file paths")
        venv_path = target.root / path
        if any(venv_path == spec.path for spec in specs):
            raise SetupError(f"{where}: venv {path} is listed twice; give each venv its own path")
        specs.append(VenvSpec(venv_path, python, required, req_paths))
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


# --- installer -----------------------------------------------------------------------


@dataclass(frozen=True)
class Installer:
    name: str  # "uv" or "pip"
    executable: str | None = None

    def command(self, venv_python: Path, requirements: Sequence[Path]) -> list[str]:
        files = [arg for path in requirements for arg in ("-r", str(path))]
        if self.name == "uv":
            uv = self.executable or "uv"
            return [uv, "pip", "install", "--python", str(venv_python), *files]
        pip = [str(venv_python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        return [*pip, *files]


def choose_installer(which: Callable[[str], str | None] = shutil.which) -> Installer:
    """uv when it is on PATH (much faster), pip otherwise."""
    uv = which("uv")
    return Installer("uv", uv) if uv else Installer("pip")


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


def _last_error_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.lower().startswith(("error", "\N{MULTIPLICATION SIGN}", "x ")):
            return line[:200]
    return lines[-1][:200] if lines else "no output"


# --- provisioning --------------------------------------------------------------------


@contextmanager
def setup_lock(target: Target, console: Console) -> Iterator[None]:
    """Serialise setups of one target: the second run waits, then finds it up to date."""
    lock_path = target.root / LOCK_FILE
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            console.step("setup: another setup is running on this target; waiting for it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _base_interpreter(spec: VenvSpec, target: Target) -> str | None:
    """A path to a runnable interpreter for the venv, or None when there is none."""
    if spec.python is None:
        return sys.executable
    found = shutil.which(spec.python)
    if found is None:
        return None
    # A pyenv shim exists on PATH even when that version is not installed: it must run.
    probe = procs.output_of([found, "-c", "import sys"], cwd=target.root, timeout=30)
    return found if probe.ok else None


def _missing_interpreter(spec: VenvSpec, target: Target, console: Console) -> SetupResult:
    rel = target.rel(spec.path)
    if spec.required:
        key = "`python`" if spec.main else f"`python` of [[venvs]] {rel}"
        raise SetupError(
            f"interpreter `{spec.python}` not found (or does not run); install it or change "
            f"{key} in {target.config_label}"
        )
    console.step(f"setup: warning: skipping {rel}: interpreter `{spec.python}` not found")
    console.annotate("warning", f"{rel} skipped: interpreter `{spec.python}` not found")
    return SetupResult(spec.path, "skipped")


def current_fingerprint(
    spec: VenvSpec, target: Target, reqs: requirements_files.Requirements, installer: Installer
) -> str | None:
    """What the stamp must hold for the venv to be up to date (None: no usable venv)."""
    version = venv_version(spec.path)
    if version is None or not spec.python_bin.exists():
        return None
    requirements = reqs.digest_input(target.rel)
    return fingerprint(requirements, interpreter_label(spec), version, installer.name)


def up_to_date(spec: VenvSpec, target: Target, installer: Installer | None = None) -> bool:
    """The fast path's question, answered without starting a process."""
    try:
        reqs = requirements_files.read(spec.requirements, target.rel)
    except requirements_files.RequirementsFileError:
        return False
    wanted = current_fingerprint(spec, target, reqs, installer or choose_installer())
    return wanted is not None and read_stamp(spec.path).get("fingerprint") == wanted


def ensure_venv(
    spec: VenvSpec,
    target: Target,
    console: Console,
    *,
    installer: Installer,
    force: bool = False,
    dry_run: bool = False,
) -> SetupResult:
    """One venv: up to date (no process started), or (re)created and installed."""
    rel = target.rel(spec.path)
    hint = f"create it or fix `requirements` in {target.config_label}"
    reqs = requirements_files.read(spec.requirements, target.rel, missing_hint=hint)
    req_bytes = reqs.digest_input(target.rel)
    label = interpreter_label(spec)
    stamp = read_stamp(spec.path)
    existed = spec.python_bin.exists()
    version = venv_version(spec.path)
    wanted = current_fingerprint(spec, target, reqs, installer)
    if not force and wanted is not None and stamp.get("fingerprint") == wanted:
        console.step(f"setup: {rel} is up to date")
        return SetupResult(spec.path, "up to date")
    made_by = stamp.get("interpreter")
    recreate = force or not existed or version is None or made_by not in (None, label)
    if dry_run:
        verb = "recreate" if recreate and existed else "create" if recreate else "reinstall"
        console.step(f"setup: would {verb} {rel} and install {_names(spec, target)}")
        return SetupResult(spec.path, "would set up")

    base = _base_interpreter(spec, target)
    if base is None:
        return _missing_interpreter(spec, target, console)
    (spec.path / FINGERPRINT_FILE).unlink(missing_ok=True)  # never claim up to date midway
    if recreate:
        _refuse_to_clear_non_venv(spec.path, rel)
        console.step(f"setup: creating {rel} with {base}")
        made = procs.run([base, "-m", "venv", "--clear", str(spec.path)], cwd=target.root)
        if not made.ok or not spec.python_bin.exists():
            raise SetupError(f"could not create {rel} with {base} (see its message above)")
        version = venv_version(spec.path)
        if version is None:
            raise SetupError(f"{rel}/pyvenv.cfg has no version after creating it; delete {rel}")
    console.step(f"setup: installing {_names(spec, target)} into {rel} with {installer.name}")
    installed = procs.run(
        installer.command(spec.python_bin, spec.requirements), cwd=target.root, capture=True
    )
    if not installed.ok:
        package = install_failure(installed.output)
        files = _names(spec, target)
        if package:
            raise SetupError(
                f"{installer.name} could not install `{package}` (from {files}): check its name "
                "and version, or your network/package index"
            )
        raise SetupError(
            f"{installer.name} could not install {files}: {_last_error_line(installed.output)}"
        )
    assert version is not None
    (spec.path / FINGERPRINT_FILE).write_text(
        json.dumps(
            {
                "fingerprint": fingerprint(req_bytes, label, version, installer.name),
                "interpreter": label,
                "python_version": version,
                "installer": installer.name,
            }
        )
    )
    action = "reinstalled" if existed and not recreate else "created"
    console.step(f"setup: {rel} {action}")
    return SetupResult(spec.path, action)


def _refuse_to_clear_non_venv(path: Path, rel: str) -> None:
    """``venv --clear`` empties the directory: never do that to one that holds sources."""
    if path.is_dir() and not (path / "pyvenv.cfg").exists() and any(path.iterdir()):
        raise SetupError(
            f"{rel} exists but is not a venv (no pyvenv.cfg) and is not empty; move it away "
            "or point `venv` at another directory"
        )


def _names(spec: VenvSpec, target: Target) -> str:
    return ", ".join(target.rel(path) for path in spec.requirements)


def provision(
    target: Target, console: Console, *, force: bool = False, dry_run: bool = False
) -> list[SetupResult]:
    """Every venv, then the gRPC stubs (generated with the main venv's grpc_tools)."""
    specs = venv_specs(target)
    installer = choose_installer()

    def run_all() -> list[SetupResult]:
        results = [
            ensure_venv(spec, target, console, installer=installer, force=force, dry_run=dry_run)
            for spec in specs
        ]
        stubs.ensure(target, console, specs[0].python_bin, force=force, dry_run=dry_run)
        return results

    if dry_run:
        return run_all()
    with setup_lock(target, console):
        return run_all()


def ensure(
    target: Target, console: Console, *, force: bool = False, dry_run: bool = False
) -> SetupResult:
    """What every session that needs the venv calls first; returns the main venv's result."""
    return provision(target, console, force=force, dry_run=dry_run)[0]


def options_parser() -> PosargsParser:
    parser = PosargsParser("setup", "Provision the target's venvs and gRPC stubs.")
    parser.add_argument(
        "--force", action="store_true", help="recreate venvs, reinstall, regenerate"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would be done; write nothing"
    )
    return parser
