"""The review list: what the release leaves, `--strict`, `review_ignore`."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.core.errors import NoxpitError
from sessions.release.review import version_pattern
from tests.release.pitpool import do_release, listed, make_project, snapshot

pytestmark = pytest.mark.unit


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "pitpool")
    (root / "docs").mkdir()
    (root / "docs" / "setup.md").write_text(
        'Install: {:pitpool, "~> 0.0.5"}\n\n**v0.1.0 (Current Release)**\n'
    )
    (root / "logo.png").write_bytes(b"\x89PNG\0\0 0.1.0 binary")
    return root


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("v0.1.0", True),
        ("version 0.1.0.", True),
        ("10.1.0", False),
        ("0.1.0.1", False),
        ("0.1.0-rc.1", False),
        ("0.1.01", False),
    ],
)
def test_the_current_version_is_found_as_a_whole_version(text: str, found: bool) -> None:
    assert (version_pattern("0.1.0").search(text) is not None) is found


def test_every_unchanged_mention_is_listed_with_file_and_line(project: Path) -> None:
    output = do_release(project, "0.2.0", "--date", "2025-12-20", "--dry-run")
    assert sorted(listed(output)["not changed"]) == [
        "docs/setup.md:1",  # a stale install snippet no config entry reaches
        "docs/setup.md:3",
        "lib/pitpool.ex:2",
    ]
    assert '  lib/pitpool.ex:2  @moduledoc "v0.1.0 of nothing"' in output


def test_strict_fails_on_the_list_and_writes_nothing(project: Path) -> None:
    before = snapshot(project)
    with pytest.raises(NoxpitError) as info:
        do_release(project, "0.2.0", "--date", "2025-12-20", "--strict")
    assert str(info.value) == (
        "--strict: 3 mention(s) of 0.1.0 not changed (listed above); update them, or keep or "
        "silence them in [release]"
    )
    assert snapshot(project) == before


def test_review_ignore_silences_files_and_lines(project: Path) -> None:
    (project / "noxpit.toml").write_text(
        '[release]\nreview_ignore = ["lib/*.ex", "docs/setup.md:Current Release"]\n'
    )
    output = do_release(project, "0.2.0", "--date", "2025-12-20", "--dry-run")
    assert listed(output)["not changed"] == ["docs/setup.md:1"]
    (project / "noxpit.toml").write_text('[release]\nreview_ignore = ["lib/*.ex", "docs/*.md"]\n')
    output = do_release(project, "0.2.0", "--date", "2025-12-20", "--strict")
    assert listed(output)["not changed"] == []
    assert "3 more silenced by review_ignore" in output
