"""--shard K/N: parsing, and a split where every name lands in exactly one shard, the same
one in noxpit and in the pytest plugin that runs in the target's interpreter."""

from __future__ import annotations

import importlib.util

import pytest

from sessions.core import shard
from sessions.core.options import UsageError
from sessions.python import pytest_run

pytestmark = pytest.mark.unit


def plugin_in_shard():  # type: ignore[no-untyped-def]
    path = pytest_run.PLUGIN_DIR / f"{pytest_run.SHARD_PLUGIN}.py"
    spec = importlib.util.spec_from_file_location("noxpit_pytest_shard", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.in_shard


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0", ""])
def test_a_bad_shard_is_one_usage_line(text: str) -> None:
    with pytest.raises(UsageError, match="expected K/N with 1 <= K <= N"):
        shard.parse(text)


def test_every_name_is_in_exactly_one_shard_and_the_plugin_agrees() -> None:
    names = [f"tests/test_{i}.py::test_{j}[{i * j}]" for i in range(20) for j in range(10)]
    in_plugin = plugin_in_shard()
    for total in (1, 2, 3, 7):
        shards = [shard.parse(f"{k}/{total}") for k in range(1, total + 1)]
        for name in names:
            holders = [s for s in shards if s.holds(name)]
            assert len(holders) == 1
            assert in_plugin(name, holders[0].index, total)
    sizes = [sum(shard.Shard(k, 3).holds(n) for n in names) for k in (1, 2, 3)]
    assert min(sizes) > 40  # 200 names: no shard is nearly empty
