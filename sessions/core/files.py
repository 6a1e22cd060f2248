"""File helpers every area shares: whole-file writes, a cross-process lock, output lines."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


def atomic_write(path: Path, data: bytes | str, *, mode: int | None = None) -> None:
    """Write via a temp file beside ``path`` and rename it over: readers see the old file or
    the new one, never half of one. The file gets ``mode`` when given, else the mode of the
    file it replaces, else what the umask allows (reports are for people and CI). No fsync:
    it can cost more than the work itself on a busy disk."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".noxpit")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        tmp.chmod(mode if mode is not None else _mode_for(path))
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def exclusive_lock(path: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if needed) for the block; ``on_wait``
    is called once when another process holds it, before blocking."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def last_line(output: str, default: str = "no output") -> str:
    """The last non-blank line of a command's output: usually where the reason is."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else default


def first_line(output: str, default: str = "no output") -> str:
    """The first non-blank line of a command's output."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[0] if lines else default


def rel_label(path: Path, root: Path) -> str:
    """A path as users see it: relative to ``root`` when inside it, else as given."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
