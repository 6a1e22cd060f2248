"""The one place where noxpit errors become nox results.

Sessions call ``guarded(session)`` to get the target and turn any ``NoxpitError`` into a
one-line ``session.error``; Ctrl-C takes every child process tree down first.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import nox

from sessions.core import procs
from sessions.core.child import USER_ERROR, ChildError, child_env, child_launcher
from sessions.core.errors import NoxpitError
from sessions.core.options import UsageError
from sessions.core.paths import SUITE_ROOT
from sessions.core.target import Target, load_target


@functools.cache
def _target() -> Target:
    return load_target(SUITE_ROOT)


@contextmanager
def guarded(session: nox.Session) -> Iterator[Target]:
    """The target, with noxpit errors mapped to one line and children killed on Ctrl-C."""
    try:
        yield _target()
    except NoxpitError as exc:
        session.error(str(exc))
    except KeyboardInterrupt:
        procs.kill_all()
        raise


def fail_unless(session: nox.Session, ok: bool, message: str) -> None:
    """End a session that ran to completion but found failures: the one line saying what,
    then nox's "Session X failed." (``session.error`` would say "aborted", which reads like
    an interruption)."""
    if not ok:
        from nox.logger import logger

        logger.error(message)
        raise nox.command.CommandFailed(message)


def install_locked(session: nox.Session, *packages: str) -> None:
    """Install from poetry.lock via nox-poetry, once per lock change in a reused venv."""
    import nox_poetry  # imported here: only sessions with a venv need it

    lock = SUITE_ROOT / "poetry.lock"
    key = hashlib.sha256(lock.read_bytes() + "\0".join(packages).encode()).hexdigest()
    stamp = Path(session.virtualenv.location) / ".noxpit-installed"
    if not os.environ.get("NOXPIT_REINSTALL") and stamp.is_file() and stamp.read_text() == key:
        return
    nox_poetry.Session(session).install(*packages)
    stamp.write_text(key)


def parse_posargs(session: nox.Session, parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parsed posargs; ``--help`` prints the help and ends the session without failing it."""
    try:
        return parser.parse_args(session.posargs)
    except UsageError as exc:
        session.error(str(exc))
    except SystemExit:
        session.skip("help shown")


def run_module(session: nox.Session, target: Target, module: str, args: Sequence[str]) -> None:
    """``python -m module args`` in the session venv; its NoxpitError becomes ours."""
    with tempfile.TemporaryDirectory(prefix="noxpit-") as tmp:
        error_file = Path(tmp) / "error.txt"
        session.run(
            *child_launcher(),
            "python",
            "-m",
            module,
            *args,
            env=child_env(target, error_file, dict(os.environ), Path(session.virtualenv.location)),
            success_codes=[0, USER_ERROR],
            external=True,
        )
        if error_file.is_file():
            raise ChildError(error_file.read_text(encoding="utf-8").strip())
