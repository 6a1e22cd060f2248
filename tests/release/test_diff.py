"""The dry run's diff: what difflib would say, found fast, and it applies with `patch`."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from sessions.release.diff import counts, unchanged_lines, unified_diff

pytestmark = pytest.mark.unit


def _changelog(releases: int) -> str:
    body = "".join(
        f"## [0.{n}.0] - 2025-01-01\n\n### Fixed\n\n- Fix number {n}.\n- Another {n}.\n\n"
        for n in range(releases, 0, -1)
    )
    links = "".join(
        f"[0.{n}.0]: https://x/compare/v0.{n - 1}.0...v0.{n}.0\n" for n in range(releases, 0, -1)
    )
    return f"# Changelog\n\n## [Unreleased]\n\n- A note.\n\n{body}[Unreleased]: https://x/compare/v0.{releases}.0...HEAD\n{links}"


def test_a_release_of_a_big_changelog_is_two_small_hunks(tmp_path: Path) -> None:
    before = _changelog(3000)  # about 120,000 lines apart at the top and the bottom
    after = before.replace(
        "## [Unreleased]\n\n", "## [Unreleased]\n\n## [0.3001.0] - 2025-12-20\n\n", 1
    )
    after = after.replace(
        "[Unreleased]: https://x/compare/v0.3000.0...HEAD\n",
        "[Unreleased]: https://x/compare/v0.3001.0...HEAD\n"
        "[0.3001.0]: https://x/compare/v0.3000.0...v0.3001.0\n",
    )
    diff = unified_diff(before, after, "C.md")
    link = before.split("\n").index("[Unreleased]: https://x/compare/v0.3000.0...HEAD") + 1
    assert [line for line in diff if line.startswith("@@")] == [
        "@@ -2,6 +2,8 @@\n",  # three lines of context on each side
        f"@@ -{link - 3},7 +{link - 1},8 @@\n",
    ]
    assert counts(diff) == "+4 -1"  # heading + blank line, new link, rewritten link
    (tmp_path / "C.md").write_text(before)
    subprocess.run(["patch", "-s", "-p1"], input="".join(diff), text=True, cwd=tmp_path, check=True)
    assert (tmp_path / "C.md").read_text() == after
    rewritten = set(range(len(before.split("\n")))) - unchanged_lines(before, after)
    assert [before.split("\n")[i] for i in rewritten] == [
        "[Unreleased]: https://x/compare/v0.3000.0...HEAD"
    ]


def test_random_edits_give_a_diff_that_patch_applies(tmp_path: Path) -> None:
    rng = random.Random(20261202)
    for trial in range(40):
        lines = [
            rng.choice(["x", "y", "", "## h", f"l{rng.randint(0, 40)}"])
            for _ in range(rng.randint(0, 1500))
        ]
        edited = list(lines)
        for _ in range(rng.randint(1, 6)):
            at = rng.randint(0, len(edited))
            kind = rng.choice("ids")
            if kind == "i":
                edited.insert(at, f"new {trial}")
            elif edited:
                if kind == "d":
                    edited.pop(min(at, len(edited) - 1))
                else:
                    edited[min(at, len(edited) - 1)] = "changed"
        before, after = "\n".join(lines) + "\n", "\n".join(edited) + "\n"
        work = tmp_path / str(trial)
        work.mkdir()
        (work / "f").write_text(before)
        diff = "".join(unified_diff(before, after, "f"))
        if diff:
            subprocess.run(["patch", "-s", "-p1"], input=diff, text=True, cwd=work, check=True)
        assert (work / "f").read_text() == after, trial
