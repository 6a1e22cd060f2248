"""The one place where noxpit errors become nox results.

Sessions call ``guarded(session)`` to get the target and turn any ``NoxpitError`` into a
one-line ``session.error``; Ctrl-C takes every child process tree down first.
"""

from __future__ import annotations

import argparse
import atexit
import errno
import functools
import hashlib
import os
import signal
import sys
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


# Disk faults no area can prevent (a full or read-only disk mid-run): one line each.
_DISK_ERRORS = {
    errno.ENOSPC: "no space left on the device; free some space and run again",
    errno.EDQUOT: "disk quota exceeded; free some space and run again",
    errno.EROFS: "read-only file system; run on a writable copy",
    errno.EFBIG: "file too large for this disk or `ulimit -f`; raise the limit",
}


@contextmanager
def guarded(session: nox.Session) -> Iterator[Target]:
    """The target, with noxpit errors mapped to one line and children killed on Ctrl-C."""
    _handle_sigterm()
    try:
        yield _target()
    except NoxpitError as exc:
        session.error(str(exc))
    except OSError as exc:
        if exc.errno not in _DISK_ERRORS:
            raise
        procs.kill_all()
        session.error(f"cannot write {exc.filename or 'a file'}: {_DISK_ERRORS[exc.errno]}")
    except KeyboardInterrupt:
        procs.kill_all()
        raise


_terminated = False


def _on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM (CI cancelling a job, ``kill``) takes the Ctrl-C path: children killed, temp
    files removed, nox's one "interrupted" line; the exit code is then 143 (128 + 15)."""
    global _terminated
    _terminated = True
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the clean-up
    raise KeyboardInterrupt


def _exit_as_terminated() -> None:
    if _terminated:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(128 + signal.SIGTERM)


@functools.cache
def _handle_sigterm() -> None:
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_sigterm)
        atexit.register(_exit_as_terminated)


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
    _handle_sigterm()
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
