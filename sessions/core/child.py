"""The child side of a session that runs ``python -m sessions.<module>`` in its venv.

Some logic needs packages that only the session venv has (the release needs
bump-my-version, and the noxfile's own Python does not have it). Such a session runs one
``python -m sessions.<module>`` in its venv, where everything happens in-process. The
child reports a ``NoxpitError`` by writing its message to a file the parent names and
exiting with ``USER_ERROR``; the parent raises it again, so ``guarded`` shows the same
one-line ``session.error`` as every other session (no "Command failed" noise).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sessions.core.errors import NoxpitError
from sessions.core.paths import SUITE_ROOT
from sessions.core.target import ENV_PROJECT, Target

ERROR_FILE_ENV = "NOXPIT_ERROR_FILE"
USER_ERROR = 3


class ChildError(NoxpitError):
    """The child reported a problem the user can fix (its message, passed on)."""


def child_env(
    target: Target, error_file: Path, environ: dict[str, str], venv: Path
) -> dict[str, str]:
    """The child finds ``sessions`` on its path and resolves the same target.

    Its bytecode is cached inside the session venv even when ``PYTHONDONTWRITEBYTECODE``
    is set: recompiling every module on each run is a large part of a short session, and
    the source tree stays free of ``__pycache__`` either way.
    """
    python_path = [str(SUITE_ROOT)]
    if environ.get("PYTHONPATH"):
        python_path.append(environ["PYTHONPATH"])
    return {
        "PYTHONPATH": os.pathsep.join(python_path),
        "PYTHONPYCACHEPREFIX": str(venv / ".pycache"),
        "PYTHONDONTWRITEBYTECODE": "",
        ENV_PROJECT: str(target.root),
        ERROR_FILE_ENV: str(error_file),
    }


def child_launcher() -> list[str]:
    """What goes before ``python -m module``: ``setsid -w`` where it exists, so the child
    runs in its own session. A terminal's Ctrl-C then reaches only nox, which stops the
    child with SIGTERM (killed silently, or after the writes it holds back): no
    KeyboardInterrupt traceback from a child that is still starting Python."""
    setsid = shutil.which("setsid")
    return [setsid, "-w"] if setsid else []


def child_main(main: Callable[[list[str]], None], argv: Sequence[str] | None = None) -> int:
    """The child's exit code; a NoxpitError goes to the parent's error file (or stderr)."""
    try:
        main(list(sys.argv[1:] if argv is None else argv))
    except NoxpitError as exc:
        message = " ".join(str(exc).split())
        error_file = os.environ.get(ERROR_FILE_ENV)
        if error_file:
            Path(error_file).write_text(message + "\n", encoding="utf-8")
        else:
            print(message, file=sys.stderr)
        return USER_ERROR
    except KeyboardInterrupt:
        return 130
    return 0
