"""The Python side's checks: interpreters, venvs, their requirements and the target's imports.

Requirements are parsed here with ``packaging``; only the installed versions and the marker
environment come from inside the venv (``probes/installed.py``), so a venv without
``packaging`` is checked as fully as any other.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from sessions.doctor.model import Outcome, Probe, error, ok, skip, warn
from sessions.python import env as python_env
from sessions.python import pytest_run
from sessions.python import requirements as requirements_files

SETUP = "`nox -s setup`"
FORCE = "`nox -s setup -- --force`"
_OPTION = re.compile(r"\s+--?[a-z]")  # per-requirement options: `pkg --hash=...`
_NOT_CHECKABLE = re.compile(r"^[./~]|^\w+://")  # local paths and URLs


def version_of(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


# --- interpreters --------------------------------------------------------------------


def interpreter_problem(probe: Probe, name: str) -> tuple[str, str | None] | None:
    """Why ``name`` cannot create a venv, with a remedy when a generic one would not work
    (a pyenv shim whose version exists but is not selected); None when it runs."""
    path, ran = probe.interpreter(name)
    if path is None or ran is None:
        return f"interpreter `{name}` not found on PATH", None
    if ran.ok:
        return None
    version = unselected_pyenv_version(ran.output)
    if version is not None:
        return f"`{name}` is a pyenv shim and pyenv does not select {version}", (
            pyenv_remedy(probe, Path(path).parent.parent, name, version)
        )
    return f"`{name}` does not run: {ran.first_line()}", None


def unselected_pyenv_version(output: str) -> str | None:
    """The version a pyenv shim says has the command (``pyenv: python3.13: command not
    found ... exists in these Python versions: 3.13.0``), or None."""
    versions = re.findall(r"^\s+(\d+\.\d+\S*)\s*$", output, re.MULTILINE)
    return versions[-1] if "pyenv" in output and versions else None


def pyenv_remedy(probe: Probe, root: Path, name: str, version: str) -> str:
    """Select ``version``, with every other version the target's interpreters need and the
    ones pyenv selects now (PYENV_VERSION, else its global ``version`` file), or use the
    interpreter's full path."""
    current = probe.machine.environ.get("PYENV_VERSION", "").replace(":", " ").split()
    if not current:
        try:
            current = (root / "version").read_text(encoding="utf-8").split()
        except OSError:
            current = []
    needed = []
    for spec in python_env.venv_specs(probe.target):
        ran = probe.interpreter(spec.python)[1] if spec.python else None
        found = unselected_pyenv_version(ran.output) if ran is not None and not ran.ok else None
        needed += [found] if found else []
    wanted = [*dict.fromkeys([*current, *needed, version])]
    return (
        f"select it with pyenv: `pyenv global {' '.join(wanted)}` (or `export "
        f"PYENV_VERSION={':'.join(wanted)}`), or set the interpreter to "
        f"{root}/versions/{version}/bin/{name}"
    )


def check_python(probe: Probe) -> Outcome:
    name = probe.target.python or sys.executable
    minimum = probe.config.min_python
    problem = interpreter_problem(probe, name)
    if problem is not None:
        detail, remedy = problem
        return error(
            detail,
            remedy
            or f"install `{name}` (Python >= {minimum}: pyenv, uv or your distribution), or "
            f"point `python` in {probe.target.config_label} at one",
        )
    path, ran = probe.interpreter(name)
    assert ran is not None
    version = (ran.output.strip().splitlines() or ["?"])[-1]
    if (version_of(version) or Version("0")) < Version(minimum):
        return error(f"Python {version} at {path} is older than {minimum}")
    return ok(f"Python {version} at {path} (>= {minimum})")


# --- venvs ---------------------------------------------------------------------------


def check_venv(spec: python_env.VenvSpec) -> Callable[[Probe], Outcome]:
    def run(probe: Probe) -> Outcome:
        target = probe.target
        rel = target.rel(spec.path)
        if spec.path.exists() and not spec.path.is_dir():
            return error(
                f"{rel} is a file, not a venv directory",
                f"move it away (`mv {rel} {rel}.orig`), then run {SETUP}",
            )
        ran = probe.venv_ran(spec)
        if ran is None:
            return _absent(probe, spec, rel)
        if not ran.ok:
            return error(
                f"{target.rel(spec.python_bin)} does not run: {ran.first_line()}",
                f"recreate it: {FORCE} (or delete {rel} and run {SETUP})",
            )
        missing = [
            target.rel(path)
            for path in (spec.path / "bin" / "python", spec.path / "pyvenv.cfg")
            if not path.exists()
        ]
        if missing:
            return error(f"{rel} is incomplete: no {', '.join(missing)}", f"recreate it: {FORCE}")
        version = ran.output.strip().split()[0] if ran.output.strip() else "?"
        if not python_env.read_stamp(spec.path):
            return warn(
                f"Python {version}; not set up by noxpit yet (no fingerprint)",
                f"run {SETUP} once: it installs the requirements into it and records them",
            )
        if not python_env.up_to_date(spec, target):
            return warn(
                f"Python {version}; requirements or interpreter changed since the last setup",
                f"run {SETUP}",
            )
        return ok(f"Python {version}, up to date with its requirements")

    return run


def _absent(probe: Probe, spec: python_env.VenvSpec, rel: str) -> Outcome:
    """The venv has no runnable ``bin/python3``: say what exists, and what setup needs."""
    target = probe.target
    if spec.path.is_dir() and (spec.path / "pyvenv.cfg").exists():
        return error(
            f"{rel} is incomplete: no {target.rel(spec.python_bin)}", f"recreate it: {FORCE}"
        )
    if spec.path.is_dir() and any(spec.path.iterdir()):
        return error(
            f"{rel} exists but is not a venv (no pyvenv.cfg)",
            f"move it away (`mv {rel} {rel}.orig`) or point the venv at another directory",
        )
    where = "`python`" if spec.main else f"`python` of [[venvs]] {rel}"
    interpreter = spec.python or sys.executable
    problem = interpreter_problem(probe, interpreter) if spec.python else None
    if problem is not None and spec.main:  # the `python` check names it, with its remedy
        return error(
            f"{rel} does not exist, and its interpreter `{interpreter}` does not run",
            f"make `{interpreter}` run (see the `python` check), then {SETUP}",
        )
    if problem is not None:
        detail, remedy = problem
        remedy = remedy or f"install it (or change {where} in {target.config_label}), then {SETUP}"
        if spec.required:
            return error(f"{rel} does not exist, and {detail}", remedy)
        return warn(f"{rel} (optional) does not exist, and {detail}", remedy)
    if spec.required:
        return error(f"{rel} does not exist (no {target.rel(spec.python_bin)})", f"run {SETUP}")
    return warn(f"{rel} does not exist yet (optional, `{interpreter}` runs)", f"run {SETUP}")


# --- requirements --------------------------------------------------------------------


def check_requirements(spec: python_env.VenvSpec) -> Callable[[Probe], Outcome]:
    def run(probe: Probe) -> Outcome:
        target = probe.target
        ran = probe.venv_ran(spec)
        if ran is None or not ran.ok:
            return skip(f"venv {target.rel(spec.path)} is not usable")
        try:
            reqs = requirements_files.read(spec.requirements, target.rel)
        except requirements_files.RequirementsFileError as exc:
            return error(
                str(exc), f"fix `requirements` in {target.config_label} or the file itself"
            )
        parsed = [_parse(line.text) for line in reqs.lines]
        names = sorted({req.name for _, req, _ in parsed if req is not None})
        checked, report = probe.program(str(spec.python_bin), "installed", names)
        if not checked.ok or not isinstance(report, dict):
            return error(f"the requirements check failed: {checked.first_line()}")
        rows = [
            (text, req, why, line.constraint)
            for (text, req, why), line in zip(parsed, reqs.lines, strict=True)
        ]
        return requirements_outcome(rows, report)

    return run


def _parse(text: str) -> tuple[str, Requirement | None, str]:
    """(the requirement, parsed or None, why not): options after it are not part of it."""
    line = _OPTION.split(text)[0].strip()
    try:
        return line, Requirement(line), ""
    except InvalidRequirement as exc:
        if _NOT_CHECKABLE.match(line):
            return line, None, ""
        return line, None, str(exc).splitlines()[0][:160]


def _applies(req: Requirement, environment: Mapping[str, str]) -> bool:
    """Whether the requirement's marker holds in the venv (a marker it cannot decide does)."""
    if req.marker is None:
        return True
    try:
        return req.marker.evaluate({**environment, "extra": ""})
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
        return True


def requirements_outcome(
    rows: list[tuple[str, Requirement | None, str, bool]], report: Mapping[str, Any]
) -> Outcome:
    """Each requirement against what the venv has: missing, mismatched or invalid ones are
    errors (constraints only limit what is installed); URLs and paths are not checkable."""
    environment = {str(k): str(v) for k, v in report.get("environment", {}).items()}
    installed = {canonicalize_name(k): v for k, v in report.get("installed", {}).items()}
    problems: list[str] = []
    unchecked: list[str] = []
    for text, req, why, constraint in rows:
        if req is None:
            (problems.append(f"{text} (invalid: {why})") if why else unchecked.append(text))
            continue
        if not _applies(req, environment):
            continue
        have = installed.get(canonicalize_name(req.name))
        if have is None:
            if not constraint:
                problems.append(f"{text} (not installed)")
        elif req.specifier and not req.specifier.contains(have, prereleases=True):
            problems.append(f"{text} (installed {have})")
    if problems:
        return error(f"{len(problems)} unsatisfied: " + "; ".join(problems))
    detail = f"{len(rows)} requirement(s) satisfied"
    if unchecked:
        detail += f" ({len(unchecked)} not checkable: {', '.join(unchecked[:3])})"
    return ok(detail)


# --- imports -------------------------------------------------------------------------


def check_imports(probe: Probe) -> Outcome:
    spec = python_env.venv_specs(probe.target)[0]
    ran = probe.venv_ran(spec)
    if ran is None or not ran.ok:
        return skip(f"venv {probe.target.rel(spec.path)} is not usable")
    env = pytest_run.environment(probe.target, probe.machine.environ)
    env["PYTHONPATH"] = str(probe.target.python_dir)
    modules = list(probe.config.imports)
    checked, failed = probe.program(
        str(spec.python_bin), "imports", modules, env=env, isolated=False
    )
    if not isinstance(failed, dict):
        return error(f"the import check did not finish: {checked.first_line()}")
    if failed:
        return error("; ".join(f"{name}: {why}" for name, why in failed.items()))
    python_dir = probe.target.rel(probe.target.python_dir)
    return ok(f"{', '.join(modules)} import with PYTHONPATH={python_dir}")


def has_imports(probe: Probe) -> str | None:
    return None if probe.config.imports else "no `imports` configured"


# --- installer -----------------------------------------------------------------------


def check_installer(probe: Probe) -> Outcome:
    """Which installer ``setup`` uses: ``[setup] installer``, else uv when found, else pip."""
    installer = python_env.installer_for(probe.target, probe.machine.which)
    if installer.name == "uv":
        return ok(f"setup installs with uv ({installer.executable})")
    return ok("setup installs with pip (uv not on PATH)")
