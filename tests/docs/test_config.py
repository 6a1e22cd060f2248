"""The [docs] table: bad config is one line naming the file and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sessions.docs import config as docs_config
from sessions.docs import sources
from sessions.docs.config import DocsError

pytestmark = pytest.mark.unit


# --- config --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"pathz": []}, r"\[docs\] unknown key\(s\) pathz; use "),
        ({"paths": 3}, r"\[docs\] paths must be a list of strings"),
        ({"deprecated": [{"pattern": "("}]}, r"needs a non-empty `pattern` and `message`"),
        ({"deprecated": [{"pattern": "(", "message": "m"}]}, r"deprecated\[1\]\.pattern is not"),
        ({"deprecated": [{"pattern": "x", "message": "m", "when": 1}]}, r"unknown key\(s\) when"),
        ({"default_deprecations": "no"}, r"must be true or false"),
    ],
)
def test_bad_config_is_one_line_naming_the_file_and_key(
    section: dict[str, Any], message: str
) -> None:
    with pytest.raises(DocsError, match=message) as error:
        docs_config.parse_config(section, "/t/noxpit.toml", "examples")
    assert str(error.value).startswith("/t/noxpit.toml: ") and "\n" not in str(error.value)


def test_configured_paths_must_exist(tmp_path: Path) -> None:
    config = docs_config.parse_config({"paths": ["README.md", "manual"]}, "cfg", "examples")
    (tmp_path / "README.md").write_text("# x\n")
    with pytest.raises(DocsError, match="manual does not exist"):
        sources.discover(tmp_path, config)


def test_ignore_takes_file_globs_and_finding_tables() -> None:
    config = docs_config.parse_config(
        {
            "ignore": [
                "docs/generated/*",
                {"id": "missing-path", "file": "README.md", "line": 3, "reason": "made later"},
                {"id": "unknown-task", "file": "README.md", "text": "mix x", "reason": "a dep"},
            ]
        },
        "cfg",
        "examples",
    )
    assert config.ignore == ("docs/generated/*",)
    assert [(s.id, s.line, s.text) for s in config.silences] == [
        ("missing-path", 3, None),
        ("unknown-task", None, "mix x"),
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"id": "x", "file": "a.md", "line": 1}, r"ignore\[1\] needs `id`, `file` and `reason`"),
        ({"id": "x", "file": "a.md", "reason": "r"}, r"exactly one of `line` or `text`"),
        ({"id": "x", "file": "a.md", "line": 0, "reason": "r"}, r"line must be at least 1"),
        ({"id": "x", "file": "a.md", "line": 1, "reason": "r", "why": 1}, r"unknown key\(s\) why"),
    ],
)
def test_bad_ignore_entries_are_one_line(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(DocsError, match=message):
        docs_config.parse_config({"ignore": [entry]}, "cfg", "examples")


def test_history_has_defaults_and_can_be_set() -> None:
    assert docs_config.parse_config({}, "cfg", "examples").history == docs_config.DEFAULT_HISTORY
    assert docs_config.parse_config({"history": ["old/**"]}, "cfg", "examples").history == (
        "old/**",
    )


@pytest.mark.parametrize(
    ("rel", "history"),
    [
        ("docs/archive/x/y.md", True),
        ("CHANGELOG.md", True),
        ("examples/app/CHANGELOG.md", True),
        ("docs/20251230/plan/a.md", True),
        ("docs/2025-12-30/a.md", True),
        ("docs/guide.md", False),
        ("docs/2025.md", False),
        ("README.md", False),
    ],
)
def test_history_documents(rel: str, history: bool) -> None:
    assert sources.is_history(rel, docs_config.DEFAULT_HISTORY) is history


def test_paths_named_on_the_command_line_replace_the_configured_ones(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    for name in ("README.md", "docs/a.md", "docs/b.md", "notes.md"):
        (tmp_path / name).write_text("# x\n")
    config = docs_config.parse_config({}, "cfg", "examples")
    assert [d.rel for d in sources.discover(tmp_path, config)] == [
        "README.md",
        "docs/a.md",
        "docs/b.md",
    ]
    only = [tmp_path / "notes.md", tmp_path / "docs"]
    assert [d.rel for d in sources.discover(tmp_path, config, only)] == [
        "notes.md",
        "docs/a.md",
        "docs/b.md",
    ]
    with pytest.raises(DocsError, match=r"nope\.md does not exist; name a file or folder"):
        sources.discover(tmp_path, config, [tmp_path / "nope.md"])
