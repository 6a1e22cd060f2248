"""Fault table: bad session arguments, one Usage line (or the option's own line) each; the
release's through its child's entry point, in-process."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.faults.support import (
    Fault,
    call_release,
    call_session,
    faulted,
    ids,
    snapshot,
)

pytestmark = pytest.mark.unit

U = "unrecognized arguments"
CASES = [
    Fault("setup-flag", U, ("--bogus",), session="setup"),
    Fault("setup-positional", U, ("extra",), session="setup"),
    Fault("setup-force-value", "ignored explicit argument", ("--force=1",), session="setup"),
    Fault("doctor-flag", U, ("--bogus",), session="doctor"),
    Fault("doctor-positional", U, ("--json", "x"), session="doctor"),
    Fault("tests-flag", U, ("--bogus",), session="tests"),
    Fault("tests-failed-positional", U, ("--failed", "x"), session="tests"),
    Fault("dialyzer-engine", "invalid choice", ("--engine", "foo"), session="dialyzer"),
    Fault("dialyzer-engine-missing", "expected one argument", ("--engine",), session="dialyzer"),
    Fault("dialyzer-positional", U, ("x",), session="dialyzer"),
    Fault("examples-jobs-zero", "must be at least 1", ("--jobs", "0"), session="examples"),
    Fault("examples-jobs-text", "not a whole number", ("--jobs", "x"), session="examples"),
    Fault(
        "examples-timeout-inf",
        "not a finite number of seconds",
        ("--timeout", "inf"),
        session="examples",
    ),
    Fault(
        "examples-timeout-nan",
        "not a finite number of seconds",
        ("--timeout", "nan"),
        session="examples",
    ),
    Fault(
        "examples-timeout-negative", "must be more than 0", ("--timeout", "-1"), session="examples"
    ),
    Fault("examples-timeout-zero", "must be more than 0", ("--timeout", "0"), session="examples"),
    Fault(
        "examples-timeout-text", "not a number of seconds", ("--timeout", "1m"), session="examples"
    ),
    Fault(
        "examples-report-missing-dir",
        "does not exist; create it or choose another path",
        ("--report", "/nonexistent/dir/r.md"),
        session="examples",
    ),
    Fault(
        "examples-failed-and-names",
        "give example names or --failed, not both",
        ("--failed", "hello"),
        session="examples",
    ),
    Fault("examples-unknown-name", "unknown example", ("no_such_example",), session="examples"),
    Fault(
        "examples-helper-name",
        "is a helper that other examples load",
        ("bootstrap",),
        session="examples",
    ),
    Fault("docs-check-strict", U, ("README.md", "--strict"), session="docs_check"),
    Fault("docs-check-explain", "no check", ("--explain", "no-such-id"), session="docs_check"),
    Fault(
        "docs-check-missing-path",
        "name a file or folder of the project",
        ("/nonexistent.md",),
        session="docs_check",
    ),
    Fault("lint-fix", U, ("--fix",), session="lint"),
    Fault("lint-positional", U, ("lib",), session="lint"),
    Fault("bench-flag", U, ("--bogus",), session="bench"),
    Fault(
        "mix-test-variant",
        "is not a mix test variant of this target",
        ("nope",),
        session="mix_test",
    ),
]

RELEASE = [
    Fault("release-no-version", "the following arguments are required: VERSION"),
    Fault("release-not-semver", "is not SemVer 2.0", ("banana",)),
    Fault("release-short-version", "is not SemVer 2.0", ("1.2",)),
    Fault("release-lower", "choose a higher version", ("0.0.1",)),
    Fault("release-same", "choose a higher version", ("0.1.0",)),
    Fault("release-date", "is not a real date", ("0.2.0", "--date", "yesterday")),
    Fault("release-date-impossible", "is not a real date", ("0.2.0", "--date", "2025-02-30")),
    Fault("release-two-versions", U, ("0.2.0", "0.3.0")),
    Fault("release-flag", U, ("major", "--bogus")),
    Fault("release-notes-missing", "--notes", ("0.2.0", "--notes", "/nonexistent/notes.md")),
]


@pytest.mark.parametrize("fault", CASES, ids=ids(CASES))
def test_session_arguments(
    fault: Fault,
    sample_copy: Path,
    nf: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    with faulted(sample_copy, fault) as before:
        call_session(nf, fault.session, sample_copy, fault, monkeypatch, capfd)
        assert snapshot(sample_copy) == before


@pytest.mark.parametrize("fault", RELEASE, ids=ids(RELEASE))
def test_release_arguments(
    fault: Fault,
    sample_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    with faulted(sample_copy, fault) as before:
        call_release(sample_copy, fault, monkeypatch, capfd)
        assert snapshot(sample_copy) == before
