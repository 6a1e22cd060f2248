"""The fault table's machinery: a case is a fault put into a prepared copy of the sample,
one session call, and what a user checks afterwards.

"The one line" is defined precisely:
- for a session function called in-process (``call_session``): the message the session
  ends with, i.e. the text given to ``session.error`` (nox prints it as
  ``nox > Session X aborted: <line>``) or to ``fail_unless`` (``nox > <line>`` before
  ``Session X failed.``); for the release child (``call_release``), its NoxpitError;
- for a real ``python -m nox`` run (``nox_line``): the text after ``Session X aborted: ``,
  or the ``nox > `` line just before ``Session X failed.``.
Every case checks that this is one line, holds the case's key phrase (which docs/ must
hold too: test_docs_phrases.py), that no traceback, INTERNALERROR or crash dump appears in
anything printed, and that the copy's files are byte-identical after the call.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import re
import subprocess
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.helpers import REPO

BUILD_PARTS = {"_build", "deps", ".nox", "__pycache__", ".pytest_cache", ".elixir_ls"}
NOISE = ("Traceback", "INTERNALERROR", "erl_crash.dump", "Crash dump", "Exception ignored")


@dataclass(frozen=True)
class Fault:
    """One row: a fault, the call that meets it, the phrase the one line must hold."""

    id: str
    phrase: str
    args: tuple[str, ...] = ()
    files: Mapping[str, str | bytes | None] = field(default_factory=dict)  # None: delete
    env: Mapping[str, str] = field(default_factory=dict)
    session: str = ""
    prepare: Callable[[Path], Any] | None = None  # for what `files` cannot say


def snapshot(root: Path) -> dict[str, bytes]:
    """The copy's own files (not build products) with their bytes."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not path.is_symlink()
        and not BUILD_PARTS.intersection(path.relative_to(root).parts)
        and not path.relative_to(root).parts[0].startswith(".venv")
    }


@contextlib.contextmanager
def faulted(root: Path, fault: Fault) -> Iterator[dict[str, bytes]]:
    """The fault applied to ``root`` for the block, then undone; yields the snapshot taken
    with the fault in place (what the call must leave as it was)."""
    saved: dict[Path, bytes | None] = {}
    for rel, content in fault.files.items():
        path = root / rel
        saved[path] = path.read_bytes() if path.is_file() else None
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode() if isinstance(content, str) else content
            path.write_bytes(data)
    try:
        yield snapshot(root)
    finally:
        for path, old in saved.items():
            if old is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(old)


def check_output(text: str) -> None:
    for word in NOISE:
        assert word not in text, f"{word!r} in the output:\n{text}"


def one_line(line: str, phrase: str, output: str) -> None:
    assert line, f"no error line; output:\n{output}"
    assert "\n" not in line.strip(), f"more than one line: {line!r}"
    assert phrase in line, f"{phrase!r} not in {line!r}"


# --- in-process session calls ----------------------------------------------------------


@functools.cache
def noxfile() -> ModuleType:
    """The noxfile, loaded once per process (nox warns when a session is registered twice,
    e.g. by another test that loads it too: that warning is about tests, not users)."""
    spec = importlib.util.spec_from_file_location("noxpit_noxfile", REPO / "noxfile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The session .* has already been registered")
        spec.loader.exec_module(module)
    return module


class FakeSession:
    """What the session functions use of ``nox.Session`` when they fail early."""

    def __init__(self, posargs: Sequence[str], invoked_from: Path) -> None:
        self.posargs = list(posargs)
        self.invoked_from = str(invoked_from)

    def error(self, *args: Any) -> None:
        from nox.sessions import _SessionQuit

        raise _SessionQuit(*args)

    def skip(self, *args: Any) -> None:
        from nox.sessions import _SessionSkip

        raise _SessionSkip(*args)


def call_session(
    module: ModuleType,
    name: str,
    root: Path,
    fault: Fault,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    places: Mapping[str, Path] | None = None,
) -> str:
    """Run the noxfile's session function ``name`` on ``root``; its one line. Environment
    values may name ``{root}`` and the ``places`` (e.g. a read-only mount)."""
    import nox.command
    from nox.sessions import _SessionQuit

    from sessions import noxsupport

    for key in [k for k in os.environ if k.startswith(("NOXPIT_", "GITHUB_"))]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("NOXPIT_PROJECT", str(root))
    monkeypatch.setenv("NO_COLOR", "1")
    for key, value in fault.env.items():
        monkeypatch.setenv(key, value.format(root=root, **(places or {})))
    noxsupport._target.cache_clear()
    line = ""
    try:
        getattr(module, name)(FakeSession(fault.args, root))
    except _SessionQuit as exc:
        line = " ".join(str(arg) for arg in exc.args)
    except nox.command.CommandFailed as exc:
        line = str(exc)
    finally:
        noxsupport._target.cache_clear()
    output = "".join(capfd.readouterr())
    check_output(output)
    one_line(line, fault.phrase, output)
    return line


def call_release(
    root: Path, fault: Fault, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> str:
    """The release as its child runs it (``sessions.release.cli``), in-process."""
    from sessions.core.errors import NoxpitError
    from sessions.release import cli

    monkeypatch.setenv("NOXPIT_PROJECT", str(root))
    for key, value in fault.env.items():
        monkeypatch.setenv(key, value.format(root=root))
    line = ""
    try:
        from sessions.release.options import parse

        parse(list(fault.args))
        cli.main(list(fault.args))
    except NoxpitError as exc:
        line = " ".join(str(exc).split())
    output = "".join(capfd.readouterr())
    check_output(output)
    one_line(line, fault.phrase, output)
    return line


# --- real nox runs ----------------------------------------------------------------------

_ABORTED = re.compile(r"^nox > Session (\S+) aborted: (.*?)\.?$")
_FAILED = re.compile(r"^nox > Session (\S+) failed\.$")


def nox_line(output: str) -> str:
    """The one line of a failed ``python -m nox`` run (see the module docstring)."""
    lines = output.splitlines()
    ends = [i for i, line in enumerate(lines) if _ABORTED.match(line) or _FAILED.match(line)]
    assert len(ends) == 1, f"expected one session end line:\n{output}"
    match = _ABORTED.match(lines[ends[0]])
    if match:
        return match.group(2)
    before = lines[ends[0] - 1] if ends[0] else ""
    assert before.startswith("nox > "), f"no line before the end:\n{output}"
    return before.removeprefix("nox > ")


def check_run(result: subprocess.CompletedProcess[str], fault: Fault, code: int = 1) -> str:
    check_output(result.stdout)
    assert result.returncode == code, result.stdout
    line = nox_line(result.stdout)
    one_line(line, fault.phrase, result.stdout)
    return line


def ids(cases: Sequence[Fault]) -> list[str]:
    return [case.id for case in cases]


def mount(*args: str) -> bool:
    """``mount`` as root; False where the sandbox does not allow it."""
    try:
        done = subprocess.run(["mount", *args], capture_output=True, check=False, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False, timeout=20)
