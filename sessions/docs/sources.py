"""The files ``docs_check`` reads: which ones (``[docs] paths`` or the ones asked for), what
kind each is, which are history, and the target's tree as the checks see it (cached stats)."""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from sessions.docs import markdown
from sessions.docs.config import DocsConfig, DocsError
from sessions.docs.model import GENERATED_NAMES, Document

MARKDOWN_EXTS = frozenset({".md", ".markdown", ".livemd"})
SHELL_EXTS = frozenset({".sh", ".bash", ".zsh"})
ELIXIR_EXTS = frozenset({".ex", ".exs"})
# A folder named like a date (20251230, 2025-12-30, 2025_12_30...) holds a dated document.
_DATE_FOLDER = re.compile(r"^(?:19|20)\d\d[-_]?[01]\d[-_]?[0-3]\d(?:\D.*)?$")


class FsTree:
    """The target directory on disk; answers are cached for the run."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._stat: dict[str, os.stat_result | None] = {}

    def _lookup(self, rel: str) -> os.stat_result | None:
        if rel not in self._stat:
            try:
                self._stat[rel] = (self.root / rel).stat()
            except (OSError, ValueError):
                self._stat[rel] = None
        return self._stat[rel]

    def exists(self, rel: str) -> bool:
        return self._lookup(rel) is not None

    def is_dir(self, rel: str) -> bool:
        found = self._lookup(rel)
        return found is not None and stat.S_ISDIR(found.st_mode)

    def read(self, rel: str) -> str | None:
        try:
            return (self.root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            return None


def kind_of(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_EXTS:
        return "markdown"
    if suffix in SHELL_EXTS:
        return "shell"
    if suffix in ELIXIR_EXTS:
        return "elixir"
    if not suffix:
        try:
            with path.open("rb") as handle:
                first = handle.readline(200)
        except OSError:
            return None
        if first.startswith(b"#!") and re.search(rb"\b(?:ba|z|da)?sh\b", first):
            return "shell"
    return None


def matches(rel: str, globs: Iterable[str]) -> bool:
    """fnmatch globs where ``**/`` may also match nothing (``**/x.md`` matches ``x.md``)."""
    return any(
        fnmatch.fnmatchcase(rel, glob)
        or (glob.startswith("**/") and fnmatch.fnmatchcase(rel, glob[3:]))
        for glob in globs
    )


def is_history(rel: str, globs: Sequence[str]) -> bool:
    """Dated or archived documents: ``[docs] history`` globs, or a folder named like a date."""
    return matches(rel, globs) or any(_DATE_FOLDER.match(part) for part in rel.split("/")[:-1])


def _files_under(root: Path, entry: str, explicit: bool) -> list[Path]:
    path = root / entry
    if not path.exists():
        if explicit:
            raise DocsError(
                f"[docs] paths: {entry} does not exist in {root}; fix `paths` in the config"
            )
        return []
    return [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())


def discover(
    root: Path,
    config: DocsConfig,
    only: Sequence[Path] = (),
    parse: Callable[[str], markdown.Markdown] = markdown.parse,
) -> list[Document]:
    """The files to scan, in a stable order; unreadable or binary files are skipped.
    ``only`` (files or folders the user named) replaces ``[docs] paths``."""
    found: dict[str, Path] = {}
    entries: list[tuple[Path, bool]] = []
    if only:
        for path in only:
            if not path.exists():
                raise DocsError(f"{path} does not exist; name a file or folder of the project")
            entries.append((path.resolve(), True))
    else:
        entries = [(root / entry, config.explicit_paths) for entry in config.paths]
    resolved_root = root.resolve()
    for path, named in entries:
        rel_entry = os.path.relpath(path, root) if path.is_absolute() else str(path)
        files = _files_under(root, rel_entry, config.explicit_paths and not only)
        for file in files:
            try:
                rel = file.resolve().relative_to(resolved_root).as_posix()
            except ValueError:
                raise DocsError(
                    f"{file} is outside the project {root}; name a file in it"
                ) from None
            if not (only and named and file == path) and _skipped(rel, config):
                continue
            found.setdefault(rel, file)
    documents = []
    for rel, file in found.items():
        kind = kind_of(file)
        if kind is None:
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        documents.append(Document(rel, kind, text, is_history(rel, config.history), parse))
    return documents


def _skipped(rel: str, config: DocsConfig) -> bool:
    if any(part in GENERATED_NAMES for part in rel.split("/")[:-1]):
        return True
    return matches(rel, config.ignore)
