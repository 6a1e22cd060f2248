"""The flags: values, and one ``Usage:`` line for each bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.core.options import UsageError
from sessions.examples.config import ExamplesError
from sessions.examples.options import parse_options

pytestmark = pytest.mark.unit


def test_options_parse_and_report_is_relative_to_where_nox_ran(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    options = parse_options(["-j", "3", "--timeout", "2.5", "--report", "out/x.md", "a"], tmp_path)
    assert options.jobs == 3 and options.timeout == 2.5
    assert options.report == tmp_path / "out" / "x.md"
    assert options.names == ("a",)
    assert parse_options(["--list", "--failed"], tmp_path).failed


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--jobs", "0"], "must be at least 1"),
        (["--jobs", "two"], "not a whole number"),
        (["--timeout", "0"], "must be more than 0"),
        (["--timeout", "inf"], "not a finite number of seconds: 'inf'"),
        (["--timeout", "nan"], "not a finite number of seconds: 'nan'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--failed", "a"], "give example names or --failed, not both"),
    ],
)
def test_bad_flags_give_one_usage_line(argv: list[str], reason: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        parse_options(argv, tmp_path)
    message = str(caught.value)
    assert message.startswith("Usage: nox -s examples -- ")
    assert "[--jobs N]" in message and reason in message
    assert "\n" not in message


@pytest.mark.parametrize("where", ["absolute", "relative"])
def test_report_in_a_missing_directory_is_one_line_and_creates_nothing(
    tmp_path: Path, where: str
) -> None:
    raw = str(tmp_path / "nonexistent" / "dir" / "r.md") if where == "absolute" else "no/dir/r.md"
    with pytest.raises(ExamplesError) as caught:
        parse_options(["--report", raw], tmp_path)
    message = str(caught.value)
    assert "does not exist; create it or choose another path" in message
    assert "\n" not in message
    assert list(tmp_path.iterdir()) == []


def test_report_in_an_existing_directory_is_fine(tmp_path: Path) -> None:
    assert parse_options(["--report", "r.md"], tmp_path).report == tmp_path / "r.md"
