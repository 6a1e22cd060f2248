"""pytest on the target's Python tests, with the venv's interpreter and the bridge on PYTHONPATH.

OpenTelemetry exporters default to ``none`` (workers often import it; tests must not try
to reach a collector); ``[pytest] env`` adds what the target's own test script sets (e.g.
snakepit's ``SNAKEPIT_OTEL_CONSOLE = "false"``). The caller's environment wins over both, as
with a script's ``${VAR:-default}``. Collecting no tests is an error: a green run that ran
nothing hides a broken test path.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sessions.core import procs
from sessions.core.config import read_section
from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.shard import Shard
from sessions.core.target import Target

NO_TESTS_COLLECTED = 5  # pytest.ExitCode.NO_TESTS_COLLECTED
PLUGIN_DIR = Path(__file__).resolve().parent / "pytest_plugin"
SHARD_PLUGIN = "noxpit_pytest_shard"
QUIET_DEFAULTS = {
    "OTEL_TRACES_EXPORTER": "none",
    "OTEL_METRICS_EXPORTER": "none",
    "OTEL_LOGS_EXPORTER": "none",
}


class PytestError(NoxpitError):
    """pytest could not run (no venv, no tests)."""


@dataclass(frozen=True)
class PytestSettings:
    """``[pytest]``: ``env`` is extra environment for every pytest run."""

    env: Mapping[str, str] = field(default_factory=dict)


def settings(target: Target) -> PytestSettings:
    return read_section(
        PytestSettings, target.section("pytest"), f"{target.config_label}: [pytest]", PytestError
    )


def environment(
    target: Target, base: Mapping[str, str], shard: Shard | None = None
) -> dict[str, str]:
    """Quiet defaults, then ``[pytest] env``, then the caller's environment; the python dir
    first on ``PYTHONPATH`` (and, for a shard, the directory of noxpit's shard plugin)."""
    env = {**QUIET_DEFAULTS, **settings(target).env, **base}
    existing = base.get("PYTHONPATH")
    paths = [str(target.python_dir), *([str(PLUGIN_DIR)] if shard else []), existing]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    if shard:
        env["NOXPIT_PYTEST_SHARD"] = str(shard)
    return env


def junit_path(target: Target) -> Path:
    return target.reports_dir / "pytest.xml"


def cache_dir(target: Target) -> Path:
    """pytest's cache (what ``--last-failed`` reads) lives with noxpit's reports, not in the
    target's tree."""
    return target.reports_dir / "pytest-cache"


def names_paths(target: Target, posargs: Sequence[str]) -> bool:
    """Whether posargs name test paths in the python dir themselves
    (``priv/python/tests/test_x.py::test_y``, relative to the target root); then the
    default tests dir is not added, so nothing is collected twice."""
    for arg in posargs:
        if arg.startswith("-"):
            continue
        path = (target.root / arg.split("::")[0]).resolve()
        if path.exists() and path.is_relative_to(target.python_dir.resolve()):
            return True
    return False


def command(
    target: Target,
    posargs: Sequence[str],
    junit_file: Path | None = None,
    shard: Shard | None = None,
) -> list[str]:
    junit = junit_file or junit_path(target)
    default = [] if names_paths(target, posargs) else [str(target.python_dir / "tests")]
    return [
        str(target.venv_python),
        "-m",
        "pytest",
        *default,
        f"--junitxml={junit}",
        "-o",
        "junit_family=xunit1",  # file and line on each test case, for annotations
        "-o",
        f"cache_dir={cache_dir(target)}",
        *(["-p", SHARD_PLUGIN] if shard else []),
        *posargs,
    ]


def run(
    target: Target,
    console: Console,
    posargs: Sequence[str] = (),
    *,
    junit_file: Path | None = None,
    shard: Shard | None = None,
    allow_empty: bool = False,
) -> procs.Completed:
    """Run pytest; a run that collected nothing raises instead of passing (unless
    ``allow_empty``: a shard may hold none of a small suite's tests, a rerun may find none)."""
    if not target.venv_python.exists():
        raise PytestError(f"no venv at {target.rel(target.venv_dir)}; run `nox -s setup` first")
    tests = target.python_dir / "tests"
    if not tests.is_dir():
        raise PytestError(
            f"no tests directory {target.rel(tests)}; add pytest tests there (test_*.py)"
        )
    target.reports_dir.mkdir(parents=True, exist_ok=True)
    shown = [*posargs, *([f"(shard {shard})"] if shard else [])]
    console.step(f"pytest {target.rel(tests)}" + (" " + " ".join(shown) if shown else ""))
    env = environment(target, os.environ, shard)
    completed = procs.run(
        command(target, posargs, junit_file, shard), cwd=target.root, env=env, sink=console.sink
    )
    if completed.returncode == NO_TESTS_COLLECTED and allow_empty:
        return dataclasses.replace(completed, returncode=0)
    if completed.returncode == NO_TESTS_COLLECTED:
        selection = f" with {' '.join(posargs)}" if posargs else ""
        raise PytestError(
            f"pytest collected no tests in {target.rel(tests)}{selection}; add test_*.py files "
            "or fix the selection (-k/-m/paths)"
        )
    return completed
