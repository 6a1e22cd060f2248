"""pytest plugin (``-p noxpit_pytest_shard``): keep only this shard's tests.

Loaded into the target's own interpreter, so it imports nothing from noxpit. The shard is
``NOXPIT_PYTEST_SHARD=K/N``; a test belongs to the shard its node id hashes to (the same
function as ``sessions.core.shard.in_shard``), the others are deselected.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any


def in_shard(name: str, index: int, total: int) -> bool:
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
    return int(digest[:16], 16) % total == index - 1


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    spec = os.environ.get("NOXPIT_PYTEST_SHARD", "")
    if not spec:
        return
    index, total = (int(part) for part in spec.split("/"))
    kept = [item for item in items if in_shard(item.nodeid, index, total)]
    dropped = [item for item in items if not in_shard(item.nodeid, index, total)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept
