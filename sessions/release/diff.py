"""Line diffs that stay fast on a 1 MB CHANGELOG: the dry run's unified diff (it applies
with ``patch -p1``), its per-file counts, and which lines a release leaves as they are.

A release changes a few lines near the top of a changelog and a few at the bottom; plain
difflib compares everything in between. Here equal heads and tails are cut off, and a long
middle is split at a line that occurs once on each side, so difflib only sees the small
regions that really differ.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterator, Sequence

from sessions.core.console import Console
from sessions.release.changelog import split_lines

SMALL = 400  # regions up to this many lines go to difflib as they are
Block = tuple[int, int, int]  # (start in a, start in b, length): lines equal on both sides


def _blocks(
    a: Sequence[str], b: Sequence[str], ai: int, aj: int, bi: int, bj: int
) -> Iterator[Block]:
    head = 0
    while ai + head < aj and bi + head < bj and a[ai + head] == b[bi + head]:
        head += 1
    if head:
        yield (ai, bi, head)
    ai, bi = ai + head, bi + head
    tail = 0
    while aj - tail > ai and bj - tail > bi and a[aj - 1 - tail] == b[bj - 1 - tail]:
        tail += 1
    aj2, bj2 = aj - tail, bj - tail
    if ai < aj2 and bi < bj2:
        anchor = _anchor(a, b, ai, aj2, bi, bj2) if (aj2 - ai) + (bj2 - bi) > SMALL else None
        if anchor is None:
            matcher = difflib.SequenceMatcher(None, a[ai:aj2], b[bi:bj2], autojunk=False)
            for x, y, size in matcher.get_matching_blocks():
                if size:
                    yield (ai + x, bi + y, size)
        else:
            x, y = anchor
            yield from _blocks(a, b, ai, x, bi, y)
            yield (x, y, 1)
            yield from _blocks(a, b, x + 1, aj2, y + 1, bj2)
    if tail:
        yield (aj2, bj2, tail)


def _anchor(
    a: Sequence[str], b: Sequence[str], ai: int, aj: int, bi: int, bj: int
) -> tuple[int, int] | None:
    """A line near the middle of ``a[ai:aj]`` that occurs once there and once in
    ``b[bi:bj]`` (and is not blank): a safe place to split the comparison."""
    count_a = Counter(a[ai:aj])
    count_b = Counter(b[bi:bj])
    where_b = {line: bi + k for k, line in enumerate(b[bi:bj]) if count_b[line] == 1}
    middle = (ai + aj) // 2
    for offset in range(aj - ai):
        for index in (middle - offset, middle + offset):
            if ai <= index < aj:
                line = a[index]
                if line.strip() and count_a[line] == 1 and line in where_b:
                    return index, where_b[line]
    return None


class _Matcher(difflib.SequenceMatcher[str]):
    """difflib's opcodes and grouping over the blocks found above."""

    def __init__(self, a: list[str], b: list[str]) -> None:
        self.found: list[difflib.Match] | None = None
        self.left, self.right = a, b
        super().__init__(None, a, b, autojunk=False)

    def set_seq2(self, b: Sequence[str]) -> None:
        # No index of b (difflib's slow part): the blocks are found without one.
        self.b = b
        self.found = None
        self.opcodes = None

    def get_matching_blocks(self) -> list[difflib.Match]:
        if self.found is None:
            a, b = self.left, self.right
            merged: list[list[int]] = []
            for x, y, size in _blocks(a, b, 0, len(a), 0, len(b)):
                if (
                    merged
                    and merged[-1][0] + merged[-1][2] == x
                    and merged[-1][1] + merged[-1][2] == y
                ):
                    merged[-1][2] += size  # adjacent blocks are one, as difflib has them
                else:
                    merged.append([x, y, size])
            self.found = [difflib.Match(x, y, size) for x, y, size in merged]
            self.found.append(difflib.Match(len(a), len(b), 0))
        return self.found


def unchanged_lines(before: str, after: str) -> set[int]:
    """0-based indexes of ``before``'s lines that are still there, unchanged, in ``after``."""
    a, b = before.split("\n"), after.split("\n")
    same: set[int] = set()
    for block in _Matcher(a, b).get_matching_blocks():
        same.update(range(block.a, block.a + block.size))
    return same


def _range(start: int, stop: int) -> str:
    length = stop - start
    first = start + 1 if length else start
    return f"{first}" if length == 1 else f"{first},{length}"


def unified_diff(before: str, after: str, label: str, context: int = 3) -> list[str]:
    """A unified diff of two texts, as ``diff -u`` writes it."""
    a, b = split_lines(before), split_lines(after)
    out: list[str] = []
    for group in _Matcher(a, b).get_grouped_opcodes(context):
        if not out:
            out += [f"--- a/{label}\n", f"+++ b/{label}\n"]
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + line for line in a[i1:i2]]
                continue
            if tag in ("replace", "delete"):
                out += ["-" + line for line in a[i1:i2]]
            if tag in ("replace", "insert"):
                out += ["+" + line for line in b[j1:j2]]
    return [
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out
    ]


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
