"""Shared fixtures: temporary copies of sample/; every test declares its tier by marker.

Under ``nox -s selftest`` (pytest-xdist, ``--dist loadgroup --no-loadscope-reorder``) the
slow tiers are handed out first, and a module's tests stay on one worker only when they
share a module-scoped fixture (its sample copy): the independent e2e tests, each on its own
copy, spread over the workers instead of queueing behind one module at the end."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import copy_sample

TIERS = ("unit", "integration", "e2e", "real_target")


# Slowest first, so that no long module starts last while the other workers sit idle.
ORDER = {"real_target": 0, "e2e": 0, "integration": 1, "unit": 2}
SHARED_SCOPES = {"class", "module", "package"}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (--dist loadgroup)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test without a tier marker is a collection error: ``-m unit`` must mean something."""
    untiered = [item.nodeid for item in items if not _tier(item)]
    if untiered:
        raise pytest.UsageError(
            f"{len(untiered)} test(s) have no tier marker ({', '.join(TIERS)}), e.g. "
            f"{untiered[0]}; add pytestmark = pytest.mark.<tier> to the module"
        )
    for item in items:
        if _tier(item) == "unit" or _shares_a_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
    if hasattr(config, "workerinput"):  # an xdist worker; a plain run keeps the fast tiers first
        items.sort(key=lambda item: ORDER[_tier(item) or "unit"])  # stable: file order kept


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "xdist_group(name): run on the worker of its group")


def _shares_a_fixture(item: pytest.Item) -> bool:
    """Whether the test uses a fixture made once per module (a test of such a module must
    run after the module's earlier tests, on the same worker)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return True
    return any(defs[-1].scope in SHARED_SCOPES for defs in info.name2fixturedefs.values() if defs)


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
