"""Fault table: bad values and types in each session's config table (noxpit.toml), met by
the session that reads the table, before it runs anything."""

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

BASE = 'python_env = "PITPOOL_PYTHON"\nimports = ["pitpool_worker"]\n'


def config(session: str, id_: str, phrase: str, table: str, args: tuple[str, ...] = ()) -> Fault:
    return Fault(id_, phrase, args, files={"noxpit.toml": BASE + table + "\n"}, session=session)


UNKNOWN = "unknown key(s)"
CASES = [
    # [examples]
    config(
        "examples",
        "examples-timeout-negative",
        "must be a positive number of seconds",
        "[examples]\ntimeout = -1",
    ),
    config(
        "examples",
        "examples-timeout-text",
        "must be a number",
        '[examples]\ntimeout = "60"',
    ),
    config("examples", "examples-unknown-key", UNKNOWN, "[examples]\ntimeot = 5"),
    config("examples", "examples-mix-env", "a Mix env name", '[examples]\nmix_env = "Dev!"'),
    config(
        "examples", "examples-setting-args", "must be a list", "[examples.settings.hello]\nargs = 3"
    ),
    config("examples", "examples-setting-unknown", UNKNOWN, "[examples.settings.hello]\nargz = []"),
    config(
        "examples",
        "examples-setting-skip",
        "the reason",
        "[examples.settings.hello]\nskip = 3",
    ),
    config(
        "examples",
        "examples-setting-timeout",
        "must be a positive number of seconds",
        "[examples.settings.hello]\ntimeout = 0",
    ),
    # [mix_test]
    config("mix_test", "mix-test-exclude-type", "must be a list", "[mix_test]\nexclude = 3"),
    config("mix_test", "mix-test-exclude-tag", "a tag name", '[mix_test]\nexclude = ["no tag"]'),
    config(
        "mix_test", "mix-test-env-type", "must be a table of strings", "[mix_test]\nenv = { A = 1 }"
    ),
    config("mix_test", "mix-test-unknown", UNKNOWN, "[mix_test]\nvariants = []"),
    # [lint]
    config("lint", "lint-mix-env", "a Mix env name", '[lint]\nmix_env = "BAD ENV"'),
    config("lint", "lint-unknown", UNKNOWN, "[lint]\nfix = true"),
    # [dialyzer]
    config("dialyzer", "dialyzer-apps", "an OTP app name", '[dialyzer]\napps = ["Kernel"]'),
    config("dialyzer", "dialyzer-flags", "a dialyzer option", '[dialyzer]\nflags = ["Wall"]'),
    config("dialyzer", "dialyzer-ignore-file", "a path string", "[dialyzer]\nignore_file = 1"),
    config("dialyzer", "dialyzer-unknown", UNKNOWN, "[dialyzer]\nplt = 1"),
    # [setup], [[venvs]], [pytest]
    config("setup", "setup-installer", "must be one of", '[setup]\ninstaller = "conda"'),
    config("setup", "setup-unknown", UNKNOWN, "[setup]\nforce = true"),
    config("setup", "venvs-not-list", "venvs", "venvs = 3"),
    config("setup", "venvs-path-type", "a directory name", "[[venvs]]\npath = 3"),
    config("setup", "venvs-unknown", UNKNOWN, '[[venvs]]\npath = ".venv-x"\npyth = "x"'),
    config("pytest", "pytest-env-type", "must be a table of strings", "[pytest]\nenv = 3"),
    config("pytest", "pytest-unknown", UNKNOWN, '[pytest]\nargs = ["-x"]'),
    # [docs]
    config("docs_check", "docs-unknown", UNKNOWN, "[docs]\nstrict = true"),
    config(
        "docs_check",
        "docs-ignore-line",
        "must be at least",
        '[[docs.ignore]]\nid = "missing-path"\nfile = "README.md"\nline = 0\nreason = "x"',
    ),
    # [doctor]
    config(
        "doctor",
        "doctor-min-python",
        'a version string like "3.9"',
        '[doctor]\nmin_python = "three"',
    ),
    config("doctor", "doctor-ports", "must be at least", "[doctor]\nports = [0]"),
    config("doctor", "doctor-unknown", UNKNOWN, "[doctor]\nchecks = []"),
]

RELEASE = [
    Fault(
        "release-unknown",
        UNKNOWN,
        ("0.2.0", "--dry-run"),
        files={"noxpit.toml": BASE + "[release]\nchangelogs = 1\n"},
    ),
    Fault(
        "release-changelog-type",
        "must be",
        ("0.2.0", "--dry-run"),
        files={"noxpit.toml": BASE + "[release]\nchangelog = 1\n"},
    ),
]


@pytest.mark.parametrize("fault", CASES, ids=ids(CASES))
def test_config_value(
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
def test_release_config_value(
    fault: Fault,
    sample_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    with faulted(sample_copy, fault) as before:
        call_release(sample_copy, fault, monkeypatch, capfd)
        assert snapshot(sample_copy) == before
