"""What the checks work on: a ``Document``, the ``Context`` it is compared with, and the
declarative ``Check`` spec (id, name, where it applies, remedy, finder) the runner applies.

Finders are pure functions of a document and a context; reading files and running ``mix``
happen at the edges (``sources``, ``mix_tasks``), so every check is testable on strings.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from sessions.docs import markdown, mix_tasks
from sessions.docs.commands import word_set

KINDS = frozenset({"markdown", "shell", "elixir"})
# Created by builds, installs and test runs: a doc may name them before they exist.
GENERATED_NAMES = word_set(
    "_build deps .venv venv cover doc node_modules .elixir_ls __pycache__ .pytest_cache "
    ".nox .git tmp .mypy_cache .ruff_cache"
)
# Top-level directories whose files a bare code span (`examples/x.exs`) refers to.
SPAN_ROOTS = frozenset({"scripts", "examples", "docs", "guides", "priv", "bin", ".github"})


@dataclass(frozen=True)
class Deprecation:
    """A flow the docs must no longer show: a regex, what to do instead, where it applies."""

    pattern: re.Pattern[str]
    message: str
    files: tuple[str, ...] = ()  # globs relative to the target root; empty = every file
    skip: frozenset[str] = frozenset()  # files exempt (the examples' helpers)
    exempt_helpers: bool = False  # a default rule: the examples' helpers may do this

    def applies_to(self, rel: str) -> bool:
        if rel in self.skip:
            return False
        return not self.files or any(fnmatch.fnmatchcase(rel, glob) for glob in self.files)


class Tree(Protocol):
    """The target's files as the checks see them (the filesystem, or a dict in tests)."""

    def exists(self, rel: str) -> bool: ...

    def is_dir(self, rel: str) -> bool: ...

    def read(self, rel: str) -> str | None: ...


@dataclass(frozen=True)
class Document:
    """One scanned file: its path relative to the target root, its kind and its text.
    ``history`` marks a dated or archived document that describes an old version on purpose."""

    rel: str
    kind: str  # "markdown" | "shell" | "elixir"
    text: str
    history: bool = False
    parse: Callable[[str], markdown.Markdown] = field(default=markdown.parse, compare=False)

    @cached_property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.text.splitlines())

    @cached_property
    def markdown(self) -> markdown.Markdown:
        return self.parse(self.text)

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.rel)

    def numbered(self) -> Iterator[tuple[int, str]]:
        return enumerate(self.lines, start=1)


@dataclass(frozen=True)
class Context:
    """What the finders compare documents against."""

    app: str
    version: str
    tree: Tree
    tasks: mix_tasks.TaskList
    deprecations: tuple[Deprecation, ...] = ()
    allow_missing: tuple[str, ...] = ()
    span_roots: frozenset[str] = SPAN_ROOTS
    # Nested Mix projects (directory relative to the root -> their tasks).
    projects: dict[str, mix_tasks.TaskList] = field(default_factory=dict, compare=False)
    parse: Callable[[str], markdown.Markdown] = field(default=markdown.parse, compare=False)
    _anchors: dict[str, markdown.Markdown | None] = field(default_factory=dict, compare=False)

    def markdown_of(self, rel: str) -> markdown.Markdown | None:
        if rel not in self._anchors:
            text = self.tree.read(rel)
            self._anchors[rel] = None if text is None else self.parse(text)
        return self._anchors[rel]

    def project_of(self, directory: str) -> tuple[str, mix_tasks.TaskList]:
        """The Mix project a command run in ``directory`` belongs to: the nearest folder at
        or above it with its own mix.exs, else the target (its app and tasks)."""
        parts = directory.split("/") if directory else []
        while parts:
            found = self.projects.get("/".join(parts))
            if found is not None:
                return found.app or parts[-1], found
            parts.pop()
        return self.app, self.tasks

    def generated(self, rel: str) -> bool:
        """Paths that builds and installs create, or that the config allows to be missing."""
        parts = rel.split("/")
        if any(part in GENERATED_NAMES for part in parts):
            return True
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        return any(
            fnmatch.fnmatchcase(prefix, pattern.rstrip("/"))
            for pattern in self.allow_missing
            for prefix in prefixes
        )


Problem = tuple[int, str]
Finder = Callable[[Document, Context], Iterable[Problem]]


@dataclass(frozen=True)
class Check:
    """A declarative check: its stable id, a short name, the kinds of file it reads, whether
    it also reads history documents, what to do about a finding, and the finder."""

    id: str
    name: str
    kinds: frozenset[str]
    remedy: str
    find: Finder
    in_history: bool = True

    def applies_to(self, doc: Document) -> bool:
        return doc.kind in self.kinds and (self.in_history or not doc.history)
