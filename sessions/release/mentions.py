"""Deciding, per version mention, whether the release bumps it or keeps it as history, and
the ``file:line`` records the output lists (bumped, kept (history), not changed)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sessions.core.files import rel_label
from sessions.release.history import HistoryGlobs, TextContext, glob_match, versions_in
from sessions.release.settings import MentionRule, ReleaseTable

if TYPE_CHECKING:
    import re

    from sessions.release.bump import Found


@dataclass(frozen=True, order=True)
class Mention:
    """One line to show: where it is, what it says, and why it is listed."""

    label: str
    line: int  # 1-based, in the file as it was before the release
    text: str
    reason: str = ""

    def render(self) -> str:
        where = f"{self.label}:{self.line}"
        why = f"  ({self.reason})" if self.reason else ""
        return f"  {where}  {self.text.strip()[:160]}{why}"


class Decider:
    """``bump.Decide`` for a target: forced rules, then history globs, then context."""

    def __init__(self, root: Path, table: ReleaseTable, changelog: str = "CHANGELOG.md") -> None:
        self.root = root
        # The changelog is history wherever it lives, whatever `history` says.
        self.history = HistoryGlobs((changelog, *table.history))
        self.rules = [("keep", i, r) for i, r in enumerate(table.keep, 1)]
        self.rules += [("bump", i, r) for i, r in enumerate(table.bump, 1)]
        self.used: set[tuple[str, int]] = set()
        self._contexts: dict[Path, tuple[str, TextContext]] = {}

    def rel(self, path: Path) -> str:
        return rel_label(path, self.root)

    def context(self, path: Path, text: str) -> TextContext:
        cached = self._contexts.get(path)
        if cached is None or cached[0] is not text:
            cached = (text, TextContext(text))
            self._contexts[path] = cached
        return cached[1]

    def forced(self, rel: str, line: str) -> tuple[str, MentionRule, int] | None:
        for kind, index, rule in self.rules:
            if rule.text in line and glob_match(rel, rule.file):
                self.used.add((kind, index))
                return kind, rule, index
        return None

    def reason(
        self, path: Path, text: str, index: int, version: str | None, *, same_line: bool = False
    ) -> str | None:
        """Why line ``index`` of ``text`` is history (None: it is not)."""
        rel = self.rel(path)
        if self.rules:
            forced = self.forced(rel, self.context(path, text).lines[index])
            if forced is not None:
                kind, _, number = forced
                return f"[[release.keep]] {number}" if kind == "keep" else None
        glob = self.history.matching(rel)
        if glob is not None:
            return f"history: {glob}"
        if version is not None:
            marker = self.context(path, text).marker(index, version, same_line=same_line)
            if marker is not None:
                return f"marked old at {marker}"
        return None

    def __call__(self, path: Path, text: str, match: re.Match[str]) -> str | None:
        ctx = self.context(path, text)
        versions = versions_in(match.group(0))
        return self.reason(
            path, text, ctx.line_of(match.start()), versions[0] if versions else None
        )

    def unused_rules(self) -> list[str]:
        return [
            f"[[release.{kind}]] {index} ({rule.file}: {rule.text!r})"
            for kind, index, rule in self.rules
            if (kind, index) not in self.used
        ]


def from_found(
    found: list[Found], label_of: dict[Path, str]
) -> tuple[list[Mention], list[Mention]]:
    """Bump matches as listed mentions: (bumped, kept)."""
    bumped: list[Mention] = []
    kept: list[Mention] = []
    for item in found:
        line_no = item.text.count("\n", 0, item.start) + 1
        start = item.text.rfind("\n", 0, item.start) + 1
        end = item.text.find("\n", item.start)
        line = item.text[start : end if end >= 0 else len(item.text)]
        label = label_of.get(item.path, str(item.path))
        if item.kept:
            kept.append(Mention(label, line_no, line, item.kept))
        else:
            shown = (
                line[: item.start - start]
                + item.after
                + line[item.start - start + len(item.before) :]
            )
            bumped.append(Mention(label, line_no, shown.split("\n")[0]))
    return sorted(set(bumped)), sorted(set(kept))
