"""Which version mentions are history, and so are never rewritten by a release.

A mention is historical when its file matches a ``[release] history`` glob (a changelog, an
archive, a dated plan folder) or when its own context says so: the line itself, the line
before it, a comment above it in the same code block, or the line just above that block
names the same version as "before", "old", "previous", "legacy" or the like. Pure (no
third-party imports) so other areas can reuse the glob matcher.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

DATED_FOLDERS = (
    "**/[12][0-9][0-9][0-9][01][0-9][0-3][0-9]/**",
    "**/[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]/**",
)
DEFAULT_HISTORY = ("CHANGELOG.md", "docs/archive/**", *DATED_FOLDERS)
MARKERS = re.compile(
    r"\b(before|old|older|previous|prev|legacy|deprecated|outdated|former|formerly|prior|"
    r"earlier)\b",
    re.IGNORECASE,
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
VERSION_IN_TEXT = re.compile(
    r"(?<![\w.+-])[vV]?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]*[0-9A-Za-z])?)(?![\w+]|\.\d)"
)


@functools.lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regex over ``/``-separated relative paths: ``**`` crosses folders, ``*``
    and ``?`` do not, ``[...]`` is a character class."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", index + 2)
            if end < 0:
                out.append(re.escape(char))
            else:
                body = pattern[index + 1 : end]
                body = "^" + body[1:] if body.startswith("!") else body
                out.append(f"[{body}]")
                index = end
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out) + r"\Z")


def glob_match(path: str, pattern: str) -> bool:
    """``path`` (relative, ``/``-separated) matches ``pattern``."""
    return _glob_regex(pattern.removeprefix("./")).match(path) is not None


@dataclass(frozen=True)
class HistoryGlobs:
    """The ``[release] history`` globs."""

    patterns: tuple[str, ...] = DEFAULT_HISTORY

    def matching(self, rel_path: str) -> str | None:
        """The first glob that marks ``rel_path`` as history, or None."""
        return next((p for p in self.patterns if glob_match(rel_path, p)), None)


def versions_in(text: str) -> list[str]:
    return [match.group(1) for match in VERSION_IN_TEXT.finditer(text)]


def marks_history(line: str, version: str) -> bool:
    """``line`` names ``version`` and calls it before/old/previous/legacy..."""
    return MARKERS.search(line) is not None and version in versions_in(line)


class TextContext:
    """One text's lines and code blocks, for asking "is the mention at line i history?"."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.starts: list[int] = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line) + 1
        self.block_start: list[int | None] = []  # index of the opening fence, per line
        fence: str | None = None
        opened = 0
        for index, line in enumerate(self.lines):
            match = _FENCE.match(line)
            if fence is None:
                self.block_start.append(None)
                if match:
                    fence, opened = match.group(1), index
            else:
                self.block_start.append(opened)
                if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                    fence = None

    def line_of(self, offset: int) -> int:
        """The 0-based line holding character ``offset``."""
        import bisect

        return bisect.bisect_right(self.starts, offset) - 1

    def marker(self, index: int, version: str, *, same_line: bool = False) -> str | None:
        """Why the mention of ``version`` on line ``index`` is history, or None. The line
        itself counts only when asked (a review line like ``BEFORE (v1.2.3)``): a snippet
        is judged by its context, not by prose around it on its own line."""
        for candidate in self._context_lines(index)[0 if same_line else 1 :]:
            if marks_history(self.lines[candidate], version):
                return f"line {candidate + 1}: {self.lines[candidate].strip()[:60]}"
        return None

    def _context_lines(self, index: int) -> Sequence[int]:
        lines = [index]
        previous = _previous_nonblank(self.lines, index)
        if previous is not None:
            lines.append(previous)
        opened = self.block_start[index] if index < len(self.block_start) else None
        if opened is not None:
            lines.extend(range(index - 1, opened, -1))  # everything above it in the block
            above = _previous_nonblank(self.lines, opened)
            if above is not None:
                lines.append(above)
        return lines


def _previous_nonblank(lines: Sequence[str], index: int) -> int | None:
    for candidate in range(index - 1, max(-1, index - 4), -1):
        if lines[candidate].strip():
            return candidate
    return None
