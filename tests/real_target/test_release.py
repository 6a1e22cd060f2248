"""`nox -s release -- patch --dry-run` on the lab's snakepit with docs/release.md's config:
every mention git grep finds is listed exactly once (bumped, kept (history) or not
changed), and nothing is written."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from sessions.core.target import parse_mix_exs
from tests.helpers import REPO, run_nox
from tests.release.pitpool import listed

pytestmark = pytest.mark.real_target


def _docs_config() -> str:
    text = (REPO / "docs" / "release.md").read_text()
    return next(
        block.split("```")[0]
        for block in text.split("```toml\n")[1:]
        if block.startswith("# noxpit.toml at the root of snakepit")
    )


def _grep(root: Path, *args: str) -> set[str]:
    out = subprocess.run(
        ["git", "grep", "-n", "-I", *args], cwd=root, capture_output=True, text=True, check=False
    ).stdout
    return {":".join(line.split(":", 2)[:2]) for line in out.splitlines()}


def test_dry_run_lists_every_mention_once(lab_copy: Path, lab_env: Mapping[str, str]) -> None:
    (lab_copy / "noxpit.toml").write_text(_docs_config())
    version = parse_mix_exs((lab_copy / "mix.exs").read_text()).version
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=lab_copy, capture_output=True, text=True, check=True
    ).stdout
    result = run_nox(
        lab_copy, "-s", "release", "--", "patch", "--dry-run", "--allow-empty", env=lab_env
    )
    assert result.returncode == 0, result.stdout[-3000:]
    lists = listed(result.stdout)
    mentions = _grep(lab_copy, "-E", rf"(^|[^0-9A-Za-z.+-])v?{re.escape(version)}([^0-9A-Za-z+]|$)")
    snippets = _grep(lab_copy, "-E", r'\{:snakepit, *"(~>|==|>=)? *[0-9]+\.[0-9]+')
    every = [item for items in lists.values() for item in items]
    assert sorted(every) == sorted(set(every)), lists  # each mention in one list only
    assert set(every) == mentions | snippets
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=lab_copy,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        == status
    )
