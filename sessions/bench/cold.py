"""Cold starts on the sample (issues 17 and 18): uv against pip, today's selftest against
the one before the restructure, and a session's start-up against `nox -l`; and what
coverage costs over the plain suites (issue 16).

"Cold" means the venvs (or the whole checkout) are made again before every timed run,
while package caches stay warm, as on a developer's machine after the first install.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from sessions.bench.harness import Scenario, Side
from sessions.bench.workspace import Workspace, must, warm

BEFORE_RESTRUCTURE = "4594ed3"  # main before issue 18's restructure
_IGNORED = shutil.ignore_patterns("_build", "deps", ".venv*", "__pycache__", ".pytest_cache")


def sample_with(ws: Workspace, dest: Path, installer: str) -> Callable[[], None]:
    """A fresh copy of the sample whose config forces ``installer``."""

    def copy() -> None:
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(ws.suite_root / "sample", dest, ignore=_IGNORED)
        config = dest / "noxpit.toml"
        config.write_text(f'{config.read_text()}\n[setup]\ninstaller = "{installer}"\n')

    return copy


def without_venvs(root: Path) -> Callable[[], None]:
    def drop() -> None:
        for venv in root.glob(".venv*"):
            shutil.rmtree(venv, ignore_errors=True)

    return drop


def fresh_clone(ws: Workspace, dest: Path, commit: str = "HEAD") -> Callable[[], None]:
    """A clone of this checkout's ``commit``, with no nox venv yet."""

    def clone() -> None:
        shutil.rmtree(dest, ignore_errors=True)
        must(["git", "clone", "-q", str(ws.suite_root), str(dest)], cwd=ws.base)
        must(["git", "checkout", "-q", commit], cwd=dest)

    return clone


def nox_in(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "nox", "-f", str(root / "noxfile.py"), *args]


def scenarios(ws: Workspace) -> list[Scenario]:
    uv_sample, pip_sample = ws.base / "sample-uv", ws.base / "sample-pip"
    uv_env, pip_env = ws.env(uv_sample), ws.env(pip_sample)
    new, old = ws.base / "clone", ws.base / "clone-4594ed3"
    setup = ("-s", "setup")

    def both_copies() -> None:
        sample_with(ws, uv_sample, "uv")()
        sample_with(ws, pip_sample, "pip")()
        warm(ws, *setup, project=uv_sample)()  # package caches warm for both installers
        warm(ws, *setup, project=pip_sample)()

    return [
        Scenario(
            name="setup cold uv/pip",
            claim="cold `nox -s setup` on the sample (venv absent, caches warm), uv vs pip",
            a=Side("uv", ws.nox(*setup), uv_env, before=without_venvs(uv_sample)),
            b=Side("pip", ws.nox(*setup), pip_env, before=without_venvs(pip_sample)),
            max_ratio=0.35,
            prepare=both_copies,
        ),
        Scenario(
            name="tests cold uv/pip",
            claim="cold `nox -s tests` on a fresh copy of the sample, installer uv vs pip",
            a=Side("uv", ws.nox("-s", "tests"), uv_env, before=sample_with(ws, uv_sample, "uv")),
            b=Side(
                "pip", ws.nox("-s", "tests"), pip_env, before=sample_with(ws, pip_sample, "pip")
            ),
            max_ratio=0.6,
            prepare=both_copies,
            runs=3,
        ),
        Scenario(
            name="selftest cold",
            claim=f"`nox -s selftest` on a fresh clone vs a clone of {BEFORE_RESTRUCTURE}",
            a=Side("today", nox_in(new, "-s", "selftest"), ws.env(), fresh_clone(ws, new), cwd=new),
            b=Side(
                BEFORE_RESTRUCTURE,
                nox_in(old, "-s", "selftest"),
                ws.env(),
                fresh_clone(ws, old, BEFORE_RESTRUCTURE),
                cwd=old,
            ),
            max_ratio=0.6,
            runs=1,
        ),
        Scenario(
            name="selftest unit",
            claim="`nox -s selftest -- -m unit` warm (the fast loop)",
            a=Side("-m unit", nox_in(new, "-s", "selftest", "--", "-m", "unit"), ws.env(), cwd=new),
            max_seconds=30.0,
            prepare=lambda: _warm_clone(ws, new),
            runs=3,
        ),
        Scenario(
            name="coverage",
            claim="`nox -s coverage` on the sample vs `nox -s tests` (the same suites)",
            a=Side("nox -s coverage", ws.nox("-s", "coverage"), ws.env()),
            b=Side("nox -s tests", ws.nox("-s", "tests"), ws.env()),
            max_ratio=1.5,
            prepare=warm(ws, "-s", "tests", "coverage"),
        ),
        Scenario(
            name="session start-up",
            claim="`nox -s tests -- --help` (a session up to its own code) vs `nox -l`",
            a=Side("tests --help", ws.nox("-s", "tests", "--", "--help"), ws.env()),
            b=Side("nox -l", ws.nox("-l"), ws.env()),
            max_delta=0.05,
            runs=9,
        ),
    ]


def _warm_clone(ws: Workspace, dest: Path) -> None:
    if not (dest / "noxfile.py").is_file():
        fresh_clone(ws, dest)()
    must(nox_in(dest, "-s", "selftest", "--", "-m", "unit"), cwd=dest, env=ws.env())
