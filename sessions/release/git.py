"""The few git facts and actions a release needs; never a push.

The target may be a repository, a subdirectory of one (as ``sample/`` is), or not in git
at all; every command runs with ``git -C <dir>`` and absolute paths, so all three work.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.core import procs
from sessions.core.errors import NoxpitError
from sessions.core.files import last_line, rel_label

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
            raise GitError(f"git status failed in {self.top}: {last_line(result.output)}")
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

    def tags(self) -> set[str]:
        result = self._git("tag", "--list")
        return set(result.output.split()) if result.ok else set()

    def files(self, under: Path) -> list[Path] | None:
        """Tracked and untracked-but-not-ignored files under ``under`` (None: git failed)."""
        result = procs.output_of(
            [
                "git",
                "-C",
                str(under),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--full-name",
            ],
            cwd=under,
            timeout=GIT_TIMEOUT,
        )
        if not result.ok:
            return None
        return [self.top / name for name in dict.fromkeys(result.output.split("\0")) if name]

    def has_identity(self) -> bool:
        return self._git("var", "GIT_COMMITTER_IDENT").ok

    def commit(self, paths: Sequence[Path], message: str) -> None:
        """One commit of exactly ``paths`` (whatever else is staged stays staged)."""
        names = [str(path) for path in paths]
        steps = (("add", "--", *names), ("commit", "-q", "-m", message, "--only", "--", *names))
        for args in steps:
            result = self._git(*args)
            if not result.ok:
                raise GitError(f"git {args[0]} failed: {last_line(result.output)}")

    def unstage(self, paths: Sequence[Path]) -> None:
        self._git("reset", "-q", "--", *(str(path) for path in paths))

    def tag(self, name: str, message: str) -> None:
        result = self._git("tag", "-a", name, "-m", message)
        if not result.ok:
            raise GitError(f"git tag {name} failed: {last_line(result.output)}")


@functools.cache
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


def check_repo(
    root: Path, paths: Sequence[Path], tag: str, *, allow_dirty: bool, commit: bool, tag_it: bool
) -> Repo | None:
    """Refuse a dirty tree in the released files; check what --commit/--tag will need."""
    repo = find_repo(root.resolve())
    if repo is None:
        if commit or tag_it:
            raise GitError(
                f"--commit/--tag need a git repository, and {root} is not in one "
                "(or git is not installed)"
            )
        return None
    if not allow_dirty:
        dirty = repo.dirty(paths)
        if dirty:
            names = ", ".join(rel_label(path, root.resolve()) for path in dirty)
            raise GitError(
                f"uncommitted changes in {names}; commit or stash them, or pass --allow-dirty"
            )
    if commit and not repo.has_identity():
        raise GitError(
            "git has no committer identity; set user.name and user.email, then run again"
        )
    if tag_it and repo.has_tag(tag):
        raise GitError(f"tag {tag} already exists; choose another version")
    return repo
