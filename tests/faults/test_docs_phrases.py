"""Every error line the fault table produces can be looked up: its key phrase is in docs/."""

from __future__ import annotations

import pytest

from tests.faults import (
    test_faults_args,
    test_faults_config,
    test_faults_disks,
    test_faults_files,
    test_faults_target,
)
from tests.faults.support import Fault
from tests.helpers import REPO

pytestmark = pytest.mark.unit

TABLES = (
    test_faults_args,
    test_faults_config,
    test_faults_disks,
    test_faults_files,
    test_faults_target,
)
PHRASES = sorted(
    {
        fault.phrase
        for module in TABLES
        for name in ("CASES", "RELEASE")
        for fault in getattr(module, name, [])
        if isinstance(fault, Fault)
    }
)


@pytest.mark.parametrize("phrase", PHRASES)
def test_phrase_is_in_the_docs(phrase: str) -> None:
    docs = "\n".join(
        " ".join(path.read_text(encoding="utf-8").split()) for path in (REPO / "docs").rglob("*.md")
    )
    assert phrase in docs, f"no page in docs/ explains {phrase!r}"
