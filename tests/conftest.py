"""Shared fixtures: temporary copies of sample/; every test declares its tier by marker.

Under pytest-xdist (``nox -s selftest``: ``--dist loadfile --no-loadscope-reorder``) each
worker sees the slow tiers first, so the longest modules start first and the quick unit
modules fill the gaps at the end, instead of one long e2e module starting last."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import copy_sample

TIERS = ("unit", "integration", "e2e", "real_target")


SLOW_FIRST = {"real_target": 0, "e2e": 0, "integration": 1, "unit": 2}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test without a tier marker is a collection error: ``-m unit`` must mean something."""
    untiered = [item.nodeid for item in items if not _tier(item)]
    if untiered:
        raise pytest.UsageError(
            f"{len(untiered)} test(s) have no tier marker ({', '.join(TIERS)}), e.g. "
            f"{untiered[0]}; add pytestmark = pytest.mark.<tier> to the module"
        )
    if hasattr(config, "workerinput"):  # an xdist worker; a plain run keeps the file order
        items.sort(key=lambda item: SLOW_FIRST[_tier(item) or "unit"])  # stable sort


def _tier(item: pytest.Item) -> str | None:
    for marker in item.iter_markers():
        if marker.name in TIERS:
            return marker.name
    return None


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the sample per test module (its venv and build are reused inside it)."""
    return copy_sample(tmp_path_factory.mktemp("target") / "sample")


@pytest.fixture
def fresh_sample(tmp_path: Path) -> Path:
    """A copy of the sample for a single test that changes it."""
    return copy_sample(tmp_path / "sample")
