"""Fixtures for the python area's tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from sessions.core import procs


@pytest.fixture
def no_children(monkeypatch: pytest.MonkeyPatch) -> list[Sequence[str]]:
    """Fail the test if the code under test starts any process."""
    started: list[Sequence[str]] = []

    def refuse(command: Sequence[str], **_kwargs: Any) -> procs.Completed:
        started.append(command)
        raise AssertionError(f"unexpected process: {command}")

    monkeypatch.setattr(procs, "run", refuse)
    monkeypatch.setattr(procs, "output_of", refuse)
    return started
