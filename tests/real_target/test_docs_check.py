"""docs_check on the lab's snakepit: the count of findings per check, reviewed one by one in
docs/docs-check-on-snakepit.md. A change in either direction (a new false positive, or a real
problem no longer found) fails here; update both together after a new review."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.helpers import run_nox

pytestmark = pytest.mark.real_target

REVIEWED = {
    "dep-version": 0,
    "missing-path": 63,
    "unknown-task": 5,
    "deprecated": 0,
    "broken-link": 25,
    "missing-anchor": 17,
    "nested-fence": 16,
}
_FINDING = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+): .* \[(?P<id>[a-z-]+)\]$", re.MULTILINE)


@pytest.fixture(scope="module")
def checked(lab_copy: Path, lab_env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return run_nox(lab_copy, "-s", "docs_check", env=lab_env)


def test_findings_per_check_are_the_reviewed_ones(
    checked: subprocess.CompletedProcess[str],
) -> None:
    found = Counter(m.group("id") for m in _FINDING.finditer(checked.stdout))
    assert {check: found.get(check, 0) for check in REVIEWED} == REVIEWED, checked.stdout
    assert set(found) <= set(REVIEWED)
    assert checked.returncode != 0
    assert f"docs_check found {sum(REVIEWED.values())} problem(s)" in checked.stdout


def test_the_known_false_positives_stay_away(checked: subprocess.CompletedProcess[str]) -> None:
    files = {m.group("file") for m in _FINDING.finditer(checked.stdout)}
    assert "examples/mix_bootstrap.exs" not in files  # the examples session's helper
    assert "README.md" not in files and "guides/production.md" not in files
    assert not any(f.startswith("examples/snakepit_loadtest") for f in files)


def test_the_lab_checkout_is_left_as_it_was(
    checked: subprocess.CompletedProcess[str], lab_copy: Path
) -> None:
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=lab_copy, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
