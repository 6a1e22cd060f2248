"""The release's command line: one parser for the nox side and the child, and light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sessions.core.options import UsageError
from sessions.release.options import Request, parse, parser
from tests.helpers import REPO

pytestmark = pytest.mark.unit


def test_every_option_reaches_the_request() -> None:
    request = parse(
        [
            "1.2.3",
            "--date",
            "2025-12-20",
            "--dry-run",
            "--allow-dirty",
            "--allow-empty",
            "--allow-backdate",
            "--strict",
            "--notes",
            "n.md",
            "--commit",
            "--tag",
        ]
    )
    assert request == Request(
        version="1.2.3",
        date="2025-12-20",
        dry_run=True,
        allow_dirty=True,
        allow_empty=True,
        allow_backdate=True,
        strict=True,
        notes=Path("n.md"),
        commit=True,
        tag=True,
    )


def test_a_usage_error_is_one_usage_line() -> None:
    with pytest.raises(UsageError) as info:
        parse(["0.2.0", "--bogus"])
    message = str(info.value)
    assert message.startswith("Usage: nox -s release -- ")
    assert "unrecognized arguments: --bogus" in message
    assert "\n" not in message
    assert parser().prog == "nox -s release --"


def test_the_nox_side_imports_only_the_parser() -> None:
    code = (
        "import sys; import sessions.release.options; "
        "print(sorted(m for m in sys.modules if m.startswith(('sessions.release', 'bumpversion'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['sessions.release', 'sessions.release.options']"
