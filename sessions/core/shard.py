"""``--shard K/N``: which part of a run this is, and a split every runner computes alike.

The split hashes names (SHA-256, not Python's salted ``hash``), so every machine and every
run puts a test or an example in the same shard, whatever the order it was collected in.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sessions.core.options import UsageError

_SHARD = re.compile(r"(\d+)/(\d+)")


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, as MIX_TEST_PARTITION
    total: int

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"

    def holds(self, name: str) -> bool:
        return in_shard(name, self.index, self.total)


def in_shard(name: str, index: int, total: int) -> bool:
    """Whether ``name`` belongs to shard ``index`` of ``total`` (a copy of this lives in the
    pytest plugin, which runs in the target's interpreter)."""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
    return int(digest[:16], 16) % total == index - 1


def parse(text: str) -> Shard:
    """``K/N`` with 1 <= K <= N; anything else is one usage line."""
    match = _SHARD.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"--shard {text}: expected K/N with 1 <= K <= N, e.g. --shard 2/3")
    return Shard(int(match.group(1)), int(match.group(2)))
