"""Session options without nox: argparse whose errors are one ``Usage:`` line.

Lives in core so every area can declare its options and be tested without importing nox.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from sessions.core.errors import NoxpitError


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
