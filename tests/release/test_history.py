"""History is kept: globs, "before (vX)" context, and forced rules; each shown as kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.release.history import DEFAULT_HISTORY, HistoryGlobs, TextContext, glob_match
from tests.release.pitpool import do_release, listed, make_project, snapshot

pytestmark = pytest.mark.unit

MIGRATION = """# Migrating to 0.1

```elixir
# mix.exs - BEFORE (v0.0.3)
{:pitpool, "~> 0.0.3"}
```

```elixir
# mix.exs - AFTER (v0.1.0)
{:pitpool, "~> 0.1.0"}
```

**Old (0.0.2):**

```elixir
def deps do
  [{:pitpool, "~> 0.0.2"}]
end
```

Stale install line: {:pitpool, "~> 0.0.9"}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "pitpool")
    (root / "guides").mkdir()
    (root / "guides" / "MIGRATION.md").write_text(MIGRATION)
    (root / "noxpit.toml").write_text('[release]\ndoc_globs = ["guides/*.md", "docs/**/*.md"]\n')
    for name in ("docs/archive/old.md", "docs/20251230/plan.md", "docs/2025-12-30/plan.md"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text('Then: {:pitpool, "~> 0.0.1"}\n')
    (root / "docs" / "guide.md").write_text('{:pitpool, "~> 0.0.8"}\n')
    return root


@pytest.mark.parametrize(
    ("path", "history"),
    [
        ("CHANGELOG.md", True),
        ("docs/archive/a/b.md", True),
        ("docs/20251230/x.md", True),
        ("notes/2025-12-30/x.md", True),
        ("docs/CHANGELOG.md", False),
        ("docs/guide.md", False),
        ("docs/2025123/x.md", False),
        ("README.md", False),
    ],
)
def test_default_history_globs(path: str, history: bool) -> None:
    assert (HistoryGlobs(DEFAULT_HISTORY).matching(path) is not None) is history


def test_glob_star_stays_in_one_folder_and_double_star_crosses() -> None:
    assert glob_match("docs/a.md", "docs/*.md")
    assert not glob_match("docs/x/a.md", "docs/*.md")
    assert glob_match("docs/x/y/a.md", "docs/**/*.md")
    assert glob_match("docs/a.md", "docs/**/*.md")
    assert glob_match("guides/a.md", "guides/[a-c].md") and not glob_match(
        "guides/d.md", "guides/[a-c].md"
    )


def test_a_before_comment_marks_only_the_same_version() -> None:
    ctx = TextContext(MIGRATION)
    lines = MIGRATION.split("\n")
    before = lines.index('{:pitpool, "~> 0.0.3"}')
    after = lines.index('{:pitpool, "~> 0.1.0"}')
    old_block = lines.index('  [{:pitpool, "~> 0.0.2"}]')
    assert ctx.marker(before, "0.0.3") is not None
    assert ctx.marker(after, "0.1.0") is None
    assert ctx.marker(old_block, "0.0.2") is not None  # "**Old (0.0.2):**" above the block
    assert ctx.marker(before, "0.0.4") is None


def test_history_is_kept_and_listed_next_to_the_bumped_after_snippet(project: Path) -> None:
    output = do_release(project, "0.2.0", "--date", "2025-12-20")
    text = (project / "guides" / "MIGRATION.md").read_text()
    assert '{:pitpool, "~> 0.0.3"}' in text  # before: kept
    assert '  [{:pitpool, "~> 0.0.2"}]' in text  # old: kept
    assert text.count('{:pitpool, "~> 0.2.0"}') == 2  # after + the stale install line
    for name in ("docs/archive/old.md", "docs/20251230/plan.md", "docs/2025-12-30/plan.md"):
        assert (project / name).read_text() == 'Then: {:pitpool, "~> 0.0.1"}\n'
    assert (project / "docs" / "guide.md").read_text() == '{:pitpool, "~> 0.2.0"}\n'
    lists = listed(output)
    assert set(lists["kept (history)"]) == {
        "CHANGELOG.md:10",
        "CHANGELOG.md:16",
        "docs/20251230/plan.md:1",
        "docs/2025-12-30/plan.md:1",
        "docs/archive/old.md:1",
        "guides/MIGRATION.md:17",
        "guides/MIGRATION.md:5",
    }
    assert "guides/MIGRATION.md:10" in lists["bumped"]
    assert "guides/MIGRATION.md:21" in lists["bumped"]


def test_dry_run_lists_the_same_and_writes_nothing(project: Path) -> None:
    before = snapshot(project)
    dry = listed(do_release(project, "0.2.0", "--date", "2025-12-20", "--dry-run"))
    assert snapshot(project) == before
    assert dry == listed(do_release(project, "0.2.0", "--date", "2025-12-20"))


def test_keep_and_bump_rules_force_a_mention_either_way(project: Path) -> None:
    (project / "noxpit.toml").write_text(
        '[release]\ndoc_globs = ["guides/*.md", "docs/**/*.md"]\n'
        '[[release.keep]]\nfile = "guides/*.md"\ntext = "Stale install line"\n'
        '[[release.bump]]\nfile = "docs/archive/old.md"\ntext = "Then:"\n'
    )
    output = do_release(project, "0.2.0", "--date", "2025-12-20")
    assert (
        'Stale install line: {:pitpool, "~> 0.0.9"}'
        in (project / "guides" / "MIGRATION.md").read_text()
    )
    assert (project / "docs/archive/old.md").read_text() == 'Then: {:pitpool, "~> 0.2.0"}\n'
    lists = listed(output)
    assert "guides/MIGRATION.md:21" in lists["kept (history)"]
    assert "docs/archive/old.md:1" in lists["bumped"]


def test_history_globs_can_be_replaced(project: Path) -> None:
    (project / "noxpit.toml").write_text(
        '[release]\ndoc_globs = ["docs/**/*.md"]\nhistory = ["docs/guide.md"]\n'
    )
    do_release(project, "0.2.0", "--date", "2025-12-20")
    assert (project / "docs/guide.md").read_text() == '{:pitpool, "~> 0.0.8"}\n'
    assert (project / "docs/archive/old.md").read_text() == 'Then: {:pitpool, "~> 0.2.0"}\n'


def test_an_unused_rule_is_a_warning(project: Path) -> None:
    (project / "noxpit.toml").write_text(
        '[release]\ndoc_globs = ["guides/*.md"]\n'
        '[[release.keep]]\nfile = "README.md"\ntext = "nowhere"\n'
    )
    output = do_release(project, "0.2.0", "--date", "2025-12-20", "--dry-run")
    assert "warning: [[release.keep]] 1 (README.md: 'nowhere') matched no mention" in output


def test_the_configured_changelog_is_history_wherever_it_lives(project: Path) -> None:
    (project / "CHANGELOG.md").rename(project / "docs" / "CHANGES.md")
    (project / "noxpit.toml").write_text('[release]\nchangelog = "docs/CHANGES.md"\nhistory = []\n')
    lists = listed(do_release(project, "0.2.0", "--date", "2025-12-20"))
    assert "docs/CHANGES.md:10" in lists["kept (history)"]
    assert not [item for item in lists["not changed"] if item.startswith("docs/CHANGES.md")]
