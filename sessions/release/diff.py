"""The dry run's unified diff (it applies with ``patch -p1``) and the per-file counts."""

from __future__ import annotations

import difflib
import re

from sessions.core.console import Console
from sessions.release.changelog import split_lines

_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def unified_diff(before: str, after: str, label: str, context: int = 3) -> list[str]:
    """A unified diff; the common head and tail are skipped before difflib sees them, so
    a one-line change in a 1 MB changelog costs almost nothing."""
    a = split_lines(before)
    b = split_lines(after)
    head = 0
    limit = min(len(a), len(b))
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    # Keep twice the context: difflib may place an insertion a few equal lines earlier.
    start = max(0, head - 2 * context)
    keep_tail = max(0, tail - 2 * context)
    out: list[str] = []
    for line in difflib.unified_diff(
        a[start : len(a) - keep_tail],
        b[start : len(b) - keep_tail],
        f"a/{label}",
        f"b/{label}",
        n=context,
    ):
        hunk = _HUNK.match(line)
        if hunk:
            old, old_len, new, new_len = hunk.groups()
            line = (
                f"@@ -{int(old) + start}{old_len or ''} +{int(new) + start}{new_len or ''} "
                f"@@{line[hunk.end() :]}"
            )
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return out


def counts(diff: list[str]) -> str:
    added = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
    return f"+{added} -{removed}"


def print_diff(console: Console, diff: list[str]) -> None:
    colours = {"+": "green", "-": "red", "@": "dim"}
    lines = []
    for line in "".join(diff).splitlines():
        colour = "" if line.startswith(("+++", "---")) else colours.get(line[:1], "")
        lines.append(console.paint(line, colour) if colour else line)
    console.line("\n".join(lines))
