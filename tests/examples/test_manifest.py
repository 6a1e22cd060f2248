"""The manifest: merged run by run, read strictly for ``--failed``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sessions.core.status import Status
from sessions.examples import manifest
from sessions.examples.runner import Outcome
from tests.examples.support import make_target

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 4, 5, 6, tzinfo=UTC)
OUTCOMES = [
    Outcome("hello", Status.PASSED, 1.25, 0),
    Outcome("boom", Status.FAILED, 0.5, 1),
    Outcome("hang", Status.TIMEOUT, 6.0, None),
    Outcome("tty", Status.SKIPPED, note="reads a terminal"),
]


def test_manifest_merges_runs_and_failed_names_come_from_it(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", {})
    first = manifest.updated_manifest({}, OUTCOMES, ["hello", "boom", "hang", "tty"], target, NOW)
    assert manifest.failed_names(first["examples"], ["hello", "boom", "hang", "tty"]) == [
        "boom",
        "hang",
    ]
    # Rerun only boom, which now passes; hang keeps its last result; a removed example goes.
    second = manifest.updated_manifest(
        first["examples"],
        [Outcome("boom", Status.PASSED, 0.4, 0)],
        ["boom", "hang", "tty"],
        target,
        NOW,
    )
    assert set(second["examples"]) == {"boom", "hang", "tty"}
    assert manifest.failed_names(second["examples"], ["boom", "hang", "tty"]) == ["hang"]
    assert manifest.durations(second["examples"]) == {"boom": 0.4, "hang": 6.0}
    assert second["version"] == "1.2.3"


def test_read_manifest_missing_or_broken(tmp_path: Path) -> None:
    path = tmp_path / "examples.json"
    assert manifest.read_manifest(path, strict=False) == {}
    with pytest.raises(manifest.ReportError, match="no previous run recorded"):
        manifest.read_manifest(path, strict=True)
    path.write_text("{not json")
    assert manifest.read_manifest(path, strict=False) == {}
    with pytest.raises(manifest.ReportError, match="is not a noxpit examples manifest"):
        manifest.read_manifest(path, strict=True)
