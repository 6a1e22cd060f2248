"""The released files: read once as exact bytes, written all or nothing.

Each file is written through ``core.files.atomic_write`` (temp file + rename, mode kept);
the owner is kept too, since a release run as root must not hand a user's files to root.
If a write fails, every file already written is put back. SIGINT and SIGTERM are held
back while the files are written, so Ctrl-C leaves every file as it was or fully released.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.core.files import atomic_write
from sessions.release.settings import ReleaseError

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class TextFile:
    """A file as read: its bytes and what is needed to write it back faithfully."""

    path: Path
    label: str
    raw: bytes
    text: str
    bom: bool
    uid: int
    gid: int
    mode: int

    def encode(self, text: str) -> bytes:
        return (_BOM if self.bom else b"") + text.encode("utf-8")


def read_text_file(path: Path, label: str) -> TextFile:
    """Read and decode as UTF-8 (a BOM is kept); one line on any problem."""
    real = path.resolve()
    try:
        raw = real.read_bytes()
        info = real.stat()
    except FileNotFoundError:
        raise ReleaseError(f"{label}: not found; create it or fix the release config") from None
    except IsADirectoryError:
        raise ReleaseError(f"{label}: is a directory, expected a text file") from None
    except OSError as exc:
        raise ReleaseError(f"{label}: cannot read ({exc.strerror})") from None
    bom = raw.startswith(_BOM)
    try:
        text = raw[3 if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if bom else 0)
        raise ReleaseError(
            f"{label}: not UTF-8 (byte 0x{raw[offset]:02x} at offset {offset}); convert it "
            "to UTF-8 and run again"
        ) from None
    mode = stat.S_IMODE(info.st_mode)
    return TextFile(real, label, raw, text, bom, info.st_uid, info.st_gid, mode)


def check_writable(source: TextFile) -> None:
    """Refuse read-only files up front (even as root: read-only means "leave it")."""
    if os.statvfs(source.path).f_flag & os.ST_RDONLY:
        raise ReleaseError(
            f"{source.label}: on a read-only file system; run the release in a writable checkout"
        )
    if not source.mode & stat.S_IWUSR or not os.access(source.path, os.W_OK):
        raise ReleaseError(
            f"{source.label}: read-only; make it writable (chmod u+w) or take it out of the "
            "release config"
        )
    if not os.access(source.path.parent, os.W_OK | os.X_OK):
        raise ReleaseError(
            f"{source.label}: its directory is not writable (the release writes a temp file "
            "beside it and renames it)"
        )


@dataclass(frozen=True)
class Change:
    """One file's new content, with what it was."""

    source: TextFile
    text: str

    @property
    def data(self) -> bytes:
        return self.source.encode(self.text)


def write_file(source: TextFile, data: bytes) -> None:
    """``data`` over ``source.path``, keeping its mode and (when it differs) its owner."""
    atomic_write(source.path, data, mode=source.mode)
    if (source.uid, source.gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):
            os.chown(source.path, source.uid, source.gid)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM for the block; a pending one is delivered right after it."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def verify_unchanged(changes: Sequence[Change]) -> None:
    for change in changes:
        try:
            same = change.source.path.read_bytes() == change.source.raw
        except OSError:
            same = False
        if not same:
            raise ReleaseError(
                f"{change.source.label} changed or disappeared while the release ran; nothing "
                "was written, run it again"
            )


def restore(written: Sequence[Change]) -> list[str]:
    """Put back every written file; the labels of those that could not be."""
    failed: list[str] = []
    for change in reversed(written):
        try:
            write_file(change.source, change.source.raw)
        except OSError:
            failed.append(change.source.label)
    return failed


def restored_note(failed: list[str]) -> str:
    if failed:
        return f"could not restore {', '.join(failed)}: check it with git diff"
    return "every file was restored"


def write_all(changes: Sequence[Change], extra: tuple[Path, bytes] | None = None) -> None:
    """All or nothing: a failed write puts back every file written before it. ``extra`` is
    a new file written last (the release notes), removed again if it fails."""
    with signals_held():
        verify_unchanged(changes)
        written: list[Change] = []
        for change in changes:
            try:
                write_file(change.source, change.data)
            except OSError as exc:
                note = restored_note(restore(written))
                reason = exc.strerror or str(exc)
                raise ReleaseError(
                    f"{change.source.label}: write failed ({reason}); {note}"
                ) from None
            written.append(change)
        if extra is not None:
            path, data = extra
            try:
                atomic_write(path, data)
            except OSError as exc:
                note = restored_note(restore(written))
                raise ReleaseError(
                    f"{path}: cannot write the notes ({exc.strerror or exc}); {note}"
                ) from None
