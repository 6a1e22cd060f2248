"""The release in a git repository: commit, tag, dirty files, hooks (real git)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sessions.core.errors import NoxpitError
from tests.release.pitpool import do_release, make_project, snapshot

pytestmark = pytest.mark.integration


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, text=True, capture_output=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository whose subdirectory `pitpool/` is the target (as sample/ is)."""
    for key in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(key, "Release Tester")
    for key in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(key, "release@example.test")
    root = tmp_path / "repo"
    make_project(root / "pitpool")
    (root / "NOTES.md").write_text("unrelated\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "initial")
    return root


def test_commit_and_tag_in_a_subdirectory_project(repo: Path) -> None:
    (repo / "NOTES.md").write_text("staged, not part of the release\n")
    git(repo, "add", "NOTES.md")
    output = do_release(repo / "pitpool", "0.2.0", "--date", "2025-12-20", "--commit", "--tag")
    assert git(repo, "log", "-1", "--format=%s").strip() == "Release v0.2.0"
    committed = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(committed) == ["pitpool/CHANGELOG.md", "pitpool/README.md", "pitpool/mix.exs"]
    assert git(repo, "cat-file", "-t", "v0.2.0").strip() == "tag"
    assert git(repo, "rev-parse", "v0.2.0^{commit}") == git(repo, "rev-parse", "HEAD")
    assert git(repo, "status", "--porcelain").strip() == "M  NOTES.md"
    assert "tagged v0.2.0" in output


def test_dirty_released_file_is_refused_unless_allowed(repo: Path) -> None:
    readme = repo / "pitpool" / "README.md"
    readme.write_text(readme.read_text() + "\nLocal edit.\n")
    before = snapshot(repo)
    with pytest.raises(NoxpitError, match=r"uncommitted changes in README\.md;.*--allow-dirty"):
        do_release(repo / "pitpool", "0.2.0")
    assert snapshot(repo) == before
    do_release(repo / "pitpool", "0.2.0", "--allow-dirty")
    assert "Local edit." in readme.read_text()
    assert '"~> 0.2.0"' in readme.read_text()


def test_dirt_elsewhere_does_not_block(repo: Path) -> None:
    (repo / "NOTES.md").write_text("edited\n")
    (repo / "pitpool" / "lib" / "pitpool.ex").write_text("# edited\n")
    do_release(repo / "pitpool", "0.2.0", "--commit")
    assert git(repo, "log", "-1", "--format=%s").strip() == "Release v0.2.0"


def test_existing_tag_is_refused_before_anything_is_written(repo: Path) -> None:
    git(repo, "tag", "v0.2.0")
    before = snapshot(repo)
    with pytest.raises(NoxpitError, match=r"tag v0\.2\.0 already exists"):
        do_release(repo / "pitpool", "0.2.0", "--commit", "--tag")
    assert snapshot(repo) == before


def test_failed_commit_restores_the_files(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = snapshot(repo)
    head = git(repo, "rev-parse", "HEAD")
    with pytest.raises(NoxpitError) as info:
        do_release(repo / "pitpool", "0.2.0", "--commit")
    assert "git commit failed: hook says no" in str(info.value)
    assert "every file was restored" in str(info.value)
    assert snapshot(repo) == before
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain").strip() == ""


def test_links_to_missing_tags_are_a_warning_with_the_list(repo: Path) -> None:
    output = do_release(repo / "pitpool", "0.2.0", "--date", "2025-12-20", "--dry-run")
    assert (
        "warning: 1 CHANGELOG link reference(s) point at tags missing in this git (v0.1.0); "
        "fetch them (git fetch --tags) or fix the links"
    ) in output
    git(repo, "tag", "v0.1.0")
    output = do_release(repo / "pitpool", "0.2.0", "--date", "2025-12-20", "--dry-run")
    assert "warning" not in output


def test_review_lists_only_files_git_knows(repo: Path) -> None:
    (repo / ".gitignore").write_text("ignored.md\n")
    (repo / "pitpool" / "ignored.md").write_text("v0.1.0\n")
    (repo / "pitpool" / "new.md").write_text("v0.1.0\n")
    output = do_release(repo / "pitpool", "0.2.0", "--date", "2025-12-20", "--dry-run")
    assert "new.md:1" in output
    assert "ignored.md" not in output
