"""The noxfile, loaded once per fault module: the cases call its session functions."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.faults.support import noxfile


@pytest.fixture(scope="module")
def nf() -> ModuleType:
    return noxfile()
