"""The one place where noxpit errors become nox results.

Sessions call ``guarded(session)`` to get the target and turn any ``NoxpitError`` into a
one-line ``session.error``; Ctrl-C takes every child process tree down first.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import nox

from sessions import procs
from sessions.errors import NoxpitError
from sessions.project import Target, load_target

SUITE_ROOT = Path(__file__).resolve().parent.parent


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
    """End a session that ran to completion but found failures."""
    if not ok:
        session.error(message)


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


class UsageError(NoxpitError):
    """Bad session arguments: reported as one ``Usage:`` line."""


class PosargsParser(argparse.ArgumentParser):
    """argparse for session posargs: errors become one line instead of ``sys.exit(2)``."""

    def __init__(self, session_name: str, description: str = "") -> None:
        super().__init__(prog=f"nox -s {session_name} --", description=description)

    def error(self, message: str) -> NoReturn:
        raise UsageError(
            f"Usage: {' '.join(self.format_usage().split()).removeprefix('usage: ')} ({message})"
        )


def parse_posargs(session: nox.Session, parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parsed posargs; ``--help`` prints the help and ends the session without failing it."""
    try:
        return parser.parse_args(session.posargs)
    except UsageError as exc:
        session.error(str(exc))
    except SystemExit:
        session.skip("help shown")
