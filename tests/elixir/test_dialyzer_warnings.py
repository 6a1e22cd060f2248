"""Dialyzer warnings as findings, and the ignore file that waives some."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.core.findings import Finding
from sessions.elixir import dialyzer_warnings

pytestmark = pytest.mark.unit


DIALYZER_OUTPUT = """
lib/pitpool/planted.ex:4: Invalid type specification for function \
'Elixir.Pitpool.Planted':answer/0. The success typing is () -> 42
/abs/proj/lib/pitpool/pool.ex:12:7: The pattern
          'error' can never match the type 'ok'
Unknown functions:
  'Elixir.Mix':shell/0 (lib/pitpool/planted.ex:9)
Unknown types:
  'Elixir.Mix.Task':t/0 (lib/pitpool/task.ex:3:14)
"""


def test_warnings_parse_into_file_line_message() -> None:
    found = dialyzer_warnings.parse(DIALYZER_OUTPUT, Path("/abs/proj"))
    assert [f.render() for f in found] == [
        "lib/pitpool/planted.ex:4: Invalid type specification for function "
        "Pitpool.Planted.answer/0. The success typing is () -> 42",
        "lib/pitpool/pool.ex:12: The pattern 'error' can never match the type 'ok'",
        "lib/pitpool/planted.ex:9: Unknown function Mix.shell/0",
        "lib/pitpool/task.ex:3: Unknown type Mix.Task.t/0",
    ]


def test_ignore_entries_by_line_by_file_and_regex() -> None:
    found = dialyzer_warnings.parse(DIALYZER_OUTPUT, Path("/abs/proj"))
    entries = dialyzer_warnings.parse_ignore(
        "# known\n\nlib/pitpool/planted.ex:4: Invalid type specification\n"
        "lib/pitpool/pool.ex: can never match\n/Unknown type .*Mix/\n"
        "lib/pitpool/planted.ex:5: Invalid type specification\n",
        ".dialyzer_ignore",
    )
    filtered = dialyzer_warnings.apply_ignore(found, entries)
    assert filtered.kept == [Finding("lib/pitpool/planted.ex", 9, "Unknown function Mix.shell/0")]
    assert len(filtered.ignored) == 3
    assert [entry.source_line for entry in filtered.unused] == [6]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("just some words", r"\.dialyzer_ignore:2: expected `file:line: text`"),
        ("/([unclosed/", r"\.dialyzer_ignore:2: invalid regex"),
    ],
)
def test_bad_ignore_line_is_one_line(line: str, message: str) -> None:
    with pytest.raises(dialyzer_warnings.DialyzerWarningsError, match=message):
        dialyzer_warnings.parse_ignore(f"# header\n{line}\n", ".dialyzer_ignore")


def test_missing_ignore_file_waives_nothing(tmp_path: Path) -> None:
    assert dialyzer_warnings.read_ignore(tmp_path / ".dialyzer_ignore", ".dialyzer_ignore") == []
