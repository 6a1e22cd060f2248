"""The one error base class: everything the user can fix is a ``NoxpitError``.

Each area (project, python_env, examples, release, ...) subclasses it; the nox glue
maps any of them to a one-line ``session.error`` so users never see a traceback.
"""

from __future__ import annotations


class NoxpitError(Exception):
    """A problem the user can fix: the message says what is wrong and what to do."""
