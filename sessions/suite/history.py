"""How often each test ran, failed and flaked, kept across runs in the reports dir, so a test
that flakes one run in ten is visible even when every single run ended green.

One JSON file, updated under a lock and written atomically (concurrent suites, a Ctrl-C
mid-write): ``{"format": 1, "tests": {"<suite> :: <test>": {"runs", "failures", "flakes"}}}``.
An unreadable file is started afresh rather than failing the run it is only a record of.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from sessions.core.files import atomic_write, exclusive_lock

FILE_NAME = "test-history.json"
FORMAT = 1


@dataclass(frozen=True)
class Entry:
    runs: int = 0
    failures: int = 0  # runs that ended failed (rerun included)
    flakes: int = 0  # runs that failed, then passed when rerun


@dataclass(frozen=True)
class Outcome:
    """One test's end in one run."""

    suite: str
    test: str
    result: str  # "passed", "failed" or "flaky"


def key(suite: str, test: str) -> str:
    return f"{suite} :: {test}"


def load(path: Path) -> dict[str, Entry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return {}
        return {str(k): Entry(**v) for k, v in data["tests"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def updated(entries: dict[str, Entry], outcomes: Iterable[Outcome]) -> dict[str, Entry]:
    result = dict(entries)
    for outcome in outcomes:
        seen = result.get(key(outcome.suite, outcome.test), Entry())
        result[key(outcome.suite, outcome.test)] = Entry(
            seen.runs + 1,
            seen.failures + (outcome.result == "failed"),
            seen.flakes + (outcome.result == "flaky"),
        )
    return result


def record(reports_dir: Path, outcomes: Iterable[Outcome]) -> dict[str, Entry]:
    """Add one run's outcomes to the history file; the entries after the update."""
    path = reports_dir / FILE_NAME
    reports_dir.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(reports_dir / f".{FILE_NAME}.lock"):
        entries = updated(load(path), outcomes)
        document = {"format": FORMAT, "tests": {k: asdict(v) for k, v in sorted(entries.items())}}
        atomic_write(path, json.dumps(document, indent=1, sort_keys=True) + "\n")
    return entries


def describe(entry: Entry) -> str:
    return f"flaked {entry.flakes} of {entry.runs} runs" + (
        f", failed {entry.failures}" if entry.failures else ""
    )
