"""The commands a worker answers. Each takes the request's args positionally."""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from numbers import Number
from typing import Any


class CommandError(Exception):
    """A command refused its arguments; the message goes back to the caller as is."""


def ping() -> str:
    return "pong"


def echo(value: Any) -> Any:
    return value


def add(left: Any, right: Any) -> Any:
    if not (_is_number(left) and _is_number(right)):
        raise CommandError("add expects two numbers")
    return left + right


def total(numbers: Any) -> Any:
    if not isinstance(numbers, list) or not all(_is_number(n) for n in numbers):
        raise CommandError("sum expects a list of numbers")
    return sum(numbers)


def upper(text: Any) -> str:
    if not isinstance(text, str):
        raise CommandError("upper expects a string")
    return text.upper()


def sleep(milliseconds: Any) -> int:
    if not _is_number(milliseconds) or milliseconds < 0:
        raise CommandError("sleep expects a non-negative number of milliseconds")
    time.sleep(milliseconds / 1000)
    return int(milliseconds)


def crash(status: int = 1) -> None:
    """Exit at once without replying: how the pool's restart handling is exercised."""
    sys.stderr.write(f"pitpool_worker: crash requested, exiting with status {status}\n")
    sys.stderr.flush()
    os._exit(status)


def pid() -> int:
    return os.getpid()


def info() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "pid": os.getpid(),
    }


def _is_number(value: Any) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)


COMMANDS: dict[str, Callable[..., Any]] = {
    "ping": ping,
    "echo": echo,
    "add": add,
    "sum": total,
    "upper": upper,
    "sleep": sleep,
    "crash": crash,
    "pid": pid,
    "info": info,
}
