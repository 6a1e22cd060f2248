"""The one result vocabulary: every step, suite, check and example ends in a ``Status``.

Renderers may show a shorter word (the doctor prints ``ok``); the value is the same.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    TIMEOUT = "timeout"
    SKIPPED = "skipped"
    WARN = "warn"
    FLAKY = "flaky"

    @property
    def bad(self) -> bool:
        """Whether this status fails the run it belongs to."""
        return self in (Status.FAILED, Status.ERROR, Status.TIMEOUT)

    @property
    def colour(self) -> str:
        return _COLOUR[self]


_COLOUR = {
    Status.PASSED: "green",
    Status.FAILED: "red",
    Status.ERROR: "red",
    Status.TIMEOUT: "red",
    Status.SKIPPED: "yellow",
    Status.WARN: "yellow",
    Status.FLAKY: "yellow",
}
