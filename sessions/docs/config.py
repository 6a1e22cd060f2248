"""The ``[docs]`` table: which files to scan, what may be missing, which flows are deprecated,
which documents are history, and which findings are silenced on purpose (with a reason)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sessions.core.config import read_section, rule
from sessions.core.errors import NoxpitError
from sessions.docs.model import Deprecation

DEFAULT_HISTORY = ("docs/archive/**", "**/CHANGELOG.md")


class DocsError(NoxpitError):
    """The ``[docs]`` config is wrong, or a configured docs path does not exist."""


@dataclass(frozen=True)
class DeprecatedEntry:
    pattern: str = field(default="", metadata=rule(what="a regular expression"))
    message: str = field(default="", metadata=rule(what="what to do instead"))
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Silence:
    """A finding silenced on purpose: its check id, file, and line or text, and why."""

    id: str = field(default="", metadata=rule(what="a check id, e.g. missing-path"))
    file: str = field(default="", metadata=rule(what="a file relative to the project root"))
    line: int | None = field(default=None, metadata=rule(minimum=1))
    text: str | None = None
    reason: str = field(default="", metadata=rule(what="why the finding is not a problem"))


@dataclass(frozen=True)
class DocsTable:
    """``[docs]`` as written; ``ignore`` holds file globs (strings) and silences (tables)."""

    paths: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    allow_missing: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    history: tuple[str, ...] = DEFAULT_HISTORY
    deprecated: tuple[DeprecatedEntry, ...] = ()
    default_deprecations: bool = True


@dataclass(frozen=True)
class DocsConfig:
    paths: tuple[str, ...]
    ignore: tuple[str, ...] = ()
    allow_missing: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    deprecations: tuple[Deprecation, ...] = ()
    explicit_paths: bool = False
    history: tuple[str, ...] = DEFAULT_HISTORY
    silences: tuple[Silence, ...] = ()


def default_deprecations(examples: str) -> tuple[Deprecation, ...]:
    """Same-node defaults: examples run inside the project, with its deps."""
    folder = re.escape(examples.rstrip("/"))
    return (
        Deprecation(
            re.compile(rf"(?<![\w./-])elixir\s+(?:\./)?{folder}/\S*"),
            f"examples run inside the project: use `mix run --no-start {examples}/...`",
            exempt_helpers=True,
        ),
        Deprecation(
            re.compile(r"\bMix\.install\b(?=\s*\()"),
            "an example of a Mix project uses the project's own deps: drop Mix.install and "
            "run it with `mix run --no-start`",
            (f"{examples}/*",),
            exempt_helpers=True,
        ),
    )


def _deprecation(entry: DeprecatedEntry, where: str) -> Deprecation:
    if not entry.pattern or not entry.message:
        raise DocsError(f"{where} needs a non-empty `pattern` and `message`")
    try:
        pattern = re.compile(entry.pattern)
    except re.error as exc:
        raise DocsError(f"{where}.pattern is not a valid regex ({exc}); fix it") from None
    return Deprecation(pattern, entry.message, entry.files)


def _silence(table: object, where: str) -> Silence:
    entry = read_section(Silence, table, where, DocsError)
    if not entry.id or not entry.file or not entry.reason:
        raise DocsError(f"{where} needs `id`, `file` and `reason` (and `line` or `text`)")
    if (entry.line is None) == (entry.text is None):
        raise DocsError(f"{where} needs exactly one of `line` or `text`")
    return entry


def parse_config(section: Mapping[str, Any], label: str, examples: str) -> DocsConfig:
    """The ``[docs]`` table, validated; every error names the file and the key."""
    where = f"{label}: [docs]"
    raw = dict(section)
    ignore = raw.pop("ignore", [])
    if not isinstance(ignore, list):
        raise DocsError(f"{where} ignore must be a list of file globs or finding tables")
    tables = [(i, e) for i, e in enumerate(ignore, 1) if not isinstance(e, str)]
    raw["ignore"] = [e for e in ignore if isinstance(e, str)]
    table = read_section(DocsTable, raw, where, DocsError)
    silences = tuple(_silence(entry, f"{where} ignore[{i}]") for i, entry in tables)
    rules = [
        *(default_deprecations(examples) if table.default_deprecations else ()),
        *(
            _deprecation(entry, f"{where} deprecated[{index}]")
            for index, entry in enumerate(table.deprecated, 1)
        ),
    ]
    paths = table.paths or ("README.md", "docs", "guides", examples, "scripts")
    return DocsConfig(
        paths=tuple(dict.fromkeys(paths)),
        ignore=table.ignore,
        allow_missing=table.allow_missing,
        tasks=table.tasks,
        deprecations=tuple(rules),
        explicit_paths=table.paths is not None,
        history=table.history,
        silences=silences,
    )
