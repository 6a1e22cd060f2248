"""Fixtures for the worker tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import WorkerProcess


@pytest.fixture
def worker() -> Iterator[WorkerProcess]:
    process = WorkerProcess()
    try:
        yield process
    finally:
        process.stop()
