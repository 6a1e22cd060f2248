"""pytest on the target's Python tests, with the venv's interpreter and the bridge on PYTHONPATH."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from sessions import procs
from sessions.console import Console
from sessions.errors import NoxpitError
from sessions.project import Target

QUIET_DEFAULTS = {
    "OTEL_TRACES_EXPORTER": "none",
    "OTEL_METRICS_EXPORTER": "none",
    "OTEL_LOGS_EXPORTER": "none",
}


class PytestError(NoxpitError):
    """pytest could not run (no venv, no tests)."""


def environment(target: Target, base: Mapping[str, str]) -> dict[str, str]:
    env = {**QUIET_DEFAULTS, **base}
    existing = base.get("PYTHONPATH")
    env["PYTHONPATH"] = str(target.python_dir) + (os.pathsep + existing if existing else "")
    return env


def command(target: Target, posargs: Sequence[str]) -> list[str]:
    junit = target.reports_dir / "pytest.xml"
    return [
        str(target.venv_python),
        "-m",
        "pytest",
        str(target.python_dir / "tests"),
        f"--junitxml={junit}",
        *posargs,
    ]


def run(target: Target, console: Console, posargs: Sequence[str] = ()) -> procs.Completed:
    if not target.venv_python.exists():
        raise PytestError(f"no venv at {target.rel(target.venv_dir)}; run `nox -s setup` first")
    target.reports_dir.mkdir(parents=True, exist_ok=True)
    console.step(f"pytest {target.rel(target.python_dir / 'tests')}")
    return procs.run(command(target, posargs), cwd=target.root, env=environment(target, os.environ))
