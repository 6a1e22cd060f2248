"""Shared file helpers: whole-file writes, the lock, and output lines."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from sessions.core.files import atomic_write, exclusive_lock, first_line, last_line, rel_label
from sessions.core.status import Status

pytestmark = pytest.mark.unit


def test_atomic_write_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "mix.exs"
    path.write_text("old")
    path.chmod(0o640)
    atomic_write(path, "new")
    assert path.read_text() == "new"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["mix.exs"]


def test_atomic_write_new_file_honours_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "report.md", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "report.md").stat().st_mode & 0o777 == 0o644


def test_atomic_write_leaves_nothing_when_the_directory_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "absent" / "r.md", "x")
    assert list(tmp_path.iterdir()) == []


def test_exclusive_lock_makes_the_second_holder_wait(tmp_path: Path) -> None:
    lock = tmp_path / "_build" / "x.lock"
    events: list[str] = []

    def second() -> None:
        with exclusive_lock(lock, on_wait=lambda: events.append("waiting")):
            events.append("second")

    with exclusive_lock(lock):
        worker = threading.Thread(target=second)
        worker.start()
        time.sleep(0.2)
        events.append("first done")
    worker.join(5)
    assert events == ["waiting", "first done", "second"]


def test_output_lines() -> None:
    output = "\n  compiling\nerror: boom\n\n"
    assert first_line(output) == "compiling"
    assert last_line(output) == "error: boom"
    assert last_line("  \n") == "no output"


def test_rel_label(tmp_path: Path) -> None:
    assert rel_label(tmp_path / "lib" / "a.ex", tmp_path) == "lib/a.ex"
    assert rel_label(Path("/elsewhere/a.ex"), tmp_path) == "/elsewhere/a.ex"


def test_status_vocabulary() -> None:
    assert {s for s in Status if s.bad} == {Status.FAILED, Status.ERROR, Status.TIMEOUT}
    assert Status.PASSED.colour == "green"
    assert Status("timeout") is Status.TIMEOUT
