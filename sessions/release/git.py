"""The few git facts and actions a release needs; never a push.

The target may be a repository, a subdirectory of one (as ``sample/`` is), or not in git
at all; every command runs with ``git -C <dir>`` and absolute paths, so all three work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.core import procs
from sessions.core.errors import NoxpitError

GIT_TIMEOUT = 60.0


class GitError(NoxpitError):
    """git refused something the release needs."""


@dataclass(frozen=True)
class Repo:
    """A git work tree that contains the target."""

    top: Path

    def _git(self, *args: str) -> procs.Completed:
        return procs.output_of(
            ["git", "-C", str(self.top), *args], cwd=self.top, timeout=GIT_TIMEOUT
        )

    def dirty(self, paths: Sequence[Path]) -> list[Path]:
        """Those of ``paths`` with uncommitted changes, staged or not, or untracked."""
        if not paths:
            return []
        result = self._git(
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--",
            *(str(path) for path in paths),
        )
        if not result.ok:
            raise GitError(f"git status failed in {self.top}: {_last_line(result.output)}")
        dirty: list[Path] = []
        entries = iter(result.output.split("\0"))
        for entry in entries:
            if len(entry) < 4:
                continue
            if entry[0] in "RC":
                next(entries, None)  # a rename/copy entry is followed by its source path
            dirty.append(self.top / entry[3:])
        return dirty

    def has_tag(self, name: str) -> bool:
        return self._git("rev-parse", "-q", "--verify", f"refs/tags/{name}").ok

    def has_identity(self) -> bool:
        return self._git("var", "GIT_COMMITTER_IDENT").ok

    def commit(self, paths: Sequence[Path], message: str) -> None:
        """One commit of exactly ``paths`` (whatever else is staged stays staged)."""
        names = [str(path) for path in paths]
        steps = (("add", "--", *names), ("commit", "-q", "-m", message, "--only", "--", *names))
        for args in steps:
            result = self._git(*args)
            if not result.ok:
                raise GitError(f"git {args[0]} failed: {_last_line(result.output)}")

    def unstage(self, paths: Sequence[Path]) -> None:
        self._git("reset", "-q", "--", *(str(path) for path in paths))

    def tag(self, name: str, message: str) -> None:
        result = self._git("tag", "-a", name, "-m", message)
        if not result.ok:
            raise GitError(f"git tag {name} failed: {_last_line(result.output)}")


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def find_repo(path: Path) -> Repo | None:
    """The work tree holding ``path``, or None when it is not in git (or git is missing)."""
    try:
        result = procs.output_of(
            ["git", "-C", str(path), "rev-parse", "--show-toplevel"], cwd=path, timeout=GIT_TIMEOUT
        )
    except procs.ProcessError:
        return None
    if not result.ok:
        return None
    return Repo(top=Path(result.output.strip()).resolve())
