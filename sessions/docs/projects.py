"""The Mix projects a document's commands may run in, and the examples session's helpers.

A folder with its own ``mix.exs`` below the target (``examples/snakepit_showcase``) is a
project of its own: ``mix setup`` there means its alias, not the root's. Its tasks are read
as text (aliases, ``lib/`` task modules, tasks of well-known deps it declares) on top of
the root's list: ``mix help`` there would need its deps fetched, which offline it may not.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Iterable
from pathlib import Path

from sessions.core.errors import NoxpitError
from sessions.core.target import Target, parse_mix_exs
from sessions.docs import mix_tasks
from sessions.docs.model import GENERATED_NAMES, Deprecation, Tree
from sessions.examples.config import parse_config
from sessions.examples.discovery import discover

_SKIP_DIRS = GENERATED_NAMES | {"node_modules", "test", "priv"}


def _mix_files(root: Path) -> Iterable[Path]:
    """``mix.exs`` files below the root, not inside deps, builds or test fixtures."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir() and not entry.is_symlink():
                if entry.name not in _SKIP_DIRS and not entry.name.startswith("."):
                    stack.append(entry)
            elif entry.name == "mix.exs" and folder != root:
                yield entry


def nested(
    target: Target, tree: Tree, configured: Iterable[str], builtin: frozenset[str]
) -> dict[str, mix_tasks.TaskList]:
    """Each nested project's folder (relative to the root) and its tasks, named by its app:
    ``builtin`` (what ``mix help`` lists) plus what its own mix.exs and lib/ define."""
    found: dict[str, mix_tasks.TaskList] = {}
    for mix_exs in _mix_files(target.root):
        folder = mix_exs.parent
        rel = folder.relative_to(target.root).as_posix()
        text = tree.read(f"{rel}/mix.exs") or ""
        try:
            info = parse_mix_exs(text, source=f"{rel}/mix.exs")
            app, deps = info.app, info.deps
        except NoxpitError:
            app, deps = posixpath.basename(rel), ()
        sources = (
            [
                p.read_text(encoding="utf-8", errors="replace")
                for p in sorted((folder / "lib").rglob("*.ex"))
            ]
            if (folder / "lib").is_dir()
            else []
        )
        names = mix_tasks.aliases_in(text) | mix_tasks.tasks_defined_in(sources)
        found[rel] = mix_tasks.TaskList(
            names | builtin, mix_tasks.extra_patterns(deps, configured), "mix.exs", app=app
        )
    return found


def helper_files(target: Target) -> frozenset[str]:
    """The examples the examples session treats as helpers (``mix_bootstrap.exs``), as
    paths relative to the root; none when the examples config or folder is not usable."""
    try:
        config = parse_config(target.section("examples"), target.config_label)
        discovery = discover(target, config)
    except NoxpitError:
        return frozenset()
    folder = target.rel(target.examples_dir)
    return frozenset(f"{folder}/{name}.exs" for name in discovery.helpers)


def with_helpers_exempt(
    target: Target, deprecations: tuple[Deprecation, ...]
) -> tuple[Deprecation, ...]:
    helpers = helper_files(target)
    if not helpers:
        return deprecations
    return tuple(
        dataclasses.replace(rule, skip=rule.skip | helpers) if rule.exempt_helpers else rule
        for rule in deprecations
    )
