"""Fault table: broken files in the target (venv, requirements, manifests, CHANGELOG,
test_helper.exs), met by the session that reads them, with one line and nothing changed."""

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

REQ = "priv/python/requirements.txt"
BASE = 'python_env = "PITPOOL_PYTHON"\nimports = ["pitpool_worker"]\n'
CHANGELOG = (Path(__file__).resolve().parents[2] / "sample" / "CHANGELOG.md").read_text()

CASES = [
    Fault("venv-is-file", ".venv", files={".venv": "not a venv\n"}, session="setup"),
    Fault("venv-is-file-force", ".venv", ("--force",), files={".venv": "x\n"}, session="setup"),
    Fault("venv-is-file-pytest", ".venv", files={".venv": "x\n"}, session="pytest"),
    Fault(
        "requirements-empty-list",
        "requirements",
        files={"noxpit.toml": BASE + "requirements = []\n"},
        session="setup",
    ),
    Fault("requirements-missing", "is missing; create it", files={REQ: None}, session="setup"),
    Fault(
        "requirements-syntax",
        "not a valid requirement",
        files={REQ: "grpcio>=>1\n"},
        session="setup",
    ),
    Fault(
        "requirements-quote", "not a valid requirement", files={REQ: 'grpcio"\n'}, session="setup"
    ),
    Fault(
        "requirements-include-missing",
        "is missing (included from",
        files={REQ: "-r nope.txt\n"},
        session="setup",
    ),
    Fault("requirements-not-utf8", "requirements", files={REQ: b"\xff\xfe"}, session="setup"),
    Fault(
        "examples-manifest-corrupt",
        "is not a noxpit examples manifest",
        ("--failed",),
        files={"_build/noxpit/examples.json": "{bad"},
        session="examples",
    ),
    Fault(
        "examples-manifest-not-utf8",
        "is not a noxpit examples manifest",
        ("--failed",),
        files={"_build/noxpit/examples.json": b"\xff"},
        session="examples",
    ),
]

RELEASE = [
    Fault(
        "changelog-missing", "CHANGELOG.md", ("0.2.0", "--dry-run"), files={"CHANGELOG.md": None}
    ),
    Fault(
        "changelog-no-unreleased",
        "Unreleased",
        ("0.2.0", "--dry-run"),
        files={"CHANGELOG.md": CHANGELOG.replace("Unreleased", "Next")},
    ),
    Fault(
        "changelog-not-utf8",
        "CHANGELOG.md",
        ("0.2.0", "--dry-run"),
        files={"CHANGELOG.md": b"\xff\xfe"},
    ),
]


@pytest.mark.parametrize("fault", CASES, ids=ids(CASES))
def test_broken_file(
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
def test_release_broken_file(
    fault: Fault,
    sample_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    with faulted(sample_copy, fault) as before:
        call_release(sample_copy, fault, monkeypatch, capfd)
        assert snapshot(sample_copy) == before
