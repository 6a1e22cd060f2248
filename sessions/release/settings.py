"""The target's ``[release]`` table and which bump-my-version config file applies.

The config file is looked up at the target root in bump-my-version's own order
(``.bumpversion.toml`` before ``pyproject.toml``; a ``[tool.bumpversion]`` table must be
there); without one, noxpit's default ``.bumpversion.toml`` is used.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from sessions.core.config import read_section
from sessions.core.errors import NoxpitError
from sessions.core.paths import SUITE_ROOT
from sessions.core.target import Target
from sessions.release.history import DEFAULT_HISTORY

DEFAULT_CONFIG = SUITE_ROOT / ".bumpversion.toml"
# bump-my-version's search order (bumpversion.config.files.CONFIG_FILE_SEARCH_ORDER);
# the INI ones are refused rather than skipped, since bump-my-version would use them.
CONFIG_ORDER = (".bumpversion.cfg", ".bumpversion.toml", "setup.cfg", "pyproject.toml")


class ReleaseError(NoxpitError):
    """The release cannot go ahead; nothing was written."""


@dataclass(frozen=True)
class ExtraPattern:
    """A search/replace pair for some files: ``[[release.extra_patterns]]``."""

    files: tuple[str, ...] = ()
    search: str = ""
    replace: str = ""


@dataclass(frozen=True)
class MentionRule:
    """``[[release.keep]]`` / ``[[release.bump]]``: the mention in ``file`` (a path or
    glob) on a line containing ``text`` is forced one way."""

    file: str = ""
    text: str = ""


@dataclass(frozen=True)
class ReleaseTable:
    changelog: str = "CHANGELOG.md"
    doc_globs: tuple[str, ...] = ()
    extra_patterns: tuple[ExtraPattern, ...] = ()
    history: tuple[str, ...] = DEFAULT_HISTORY
    review_ignore: tuple[str, ...] = ()
    keep: tuple[MentionRule, ...] = ()
    bump: tuple[MentionRule, ...] = ()


@dataclass(frozen=True)
class Settings:
    """The ``[release]`` table, validated, plus the config file to use."""

    table: ReleaseTable
    label: str  # how messages name the table
    changelog: Path
    config_file: Path


def _check_required(table: ReleaseTable, label: str) -> None:
    for index, extra in enumerate(table.extra_patterns, 1):
        for key in ("files", "search", "replace"):
            if not getattr(extra, key):
                raise ReleaseError(
                    f"{label} extra_patterns[{index}]: missing key {key}; it takes files, "
                    "search and replace"
                )
    for name, rules in (("keep", table.keep), ("bump", table.bump)):
        for index, rule in enumerate(rules, 1):
            if not rule.file or not rule.text:
                raise ReleaseError(
                    f"{label} {name}[{index}]: give both file (a path or glob) and text "
                    "(found on the mention's line)"
                )


def config_file_for(root: Path) -> Path:
    """The target's bump-my-version config, in bump-my-version's order; else noxpit's."""
    for name in CONFIG_ORDER:
        path = root / name
        if not path.is_file():
            continue
        if path.suffix == ".cfg":
            if "bumpversion]" in path.read_text(encoding="utf-8", errors="replace"):
                raise ReleaseError(
                    f"{name}: noxpit reads bump-my-version's TOML config only; move the "
                    "[bumpversion] settings to .bumpversion.toml"
                )
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ReleaseError(f"{name}: cannot read ({exc}); fix the file") from None
        except tomllib.TOMLDecodeError as exc:
            raise ReleaseError(f"{name}: invalid TOML ({exc}); fix the file") from None
        tool = data.get("tool")
        if name == ".bumpversion.toml" or (isinstance(tool, dict) and "bumpversion" in tool):
            return path
    return DEFAULT_CONFIG


def settings_for(target: Target) -> Settings:
    """Read ``[release]`` (see docs/release.md for every key)."""
    label = f"{target.config_label}: [release]"
    table = read_section(ReleaseTable, target.section("release"), label, ReleaseError)
    _check_required(table, label)
    return Settings(
        table=table,
        label=label,
        changelog=target.root / table.changelog,
        config_file=config_file_for(target.root),
    )
