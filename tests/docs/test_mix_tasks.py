"""The target's Mix tasks from its real `mix help`, cached; the fallback when it fails."""

from __future__ import annotations

import io
import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from sessions.core import procs
from sessions.core.console import Console
from sessions.core.target import build_target
from sessions.docs import mix_tasks
from tests.docs.support import FIXTURES

pytestmark = pytest.mark.integration


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "docs_broken", tmp_path / "docs_broken"))


def test_mix_help_is_cached_until_mix_exs_changes(broken: Path) -> None:
    target = build_target(broken, {})
    console = Console(io.StringIO(), {})
    first = mix_tasks.load(target, console)
    assert first.source == "mix help" and first.has("compile") and first.has("setup")
    assert first.has("brokenapp.gen_proto") and not first.has("protobuf.compile")
    started = time.monotonic()
    again = mix_tasks.load(target, console)
    assert again.source == "cache" and again.names == first.names
    assert time.monotonic() - started < 0.5
    mix_exs = broken / "mix.exs"
    os.utime(mix_exs, ns=(mix_exs.stat().st_atime_ns, mix_exs.stat().st_mtime_ns + 10**9))
    assert mix_tasks.load(target, console).source == "mix help"


def test_when_mix_help_fails_the_builtins_and_source_tasks_are_used(
    broken: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_help(cwd: Path, environ: Mapping[str, str]) -> procs.Completed:
        if cwd == broken:
            return procs.Completed(("mix", "help"), 1, 0.1, output="** (Mix) Could not find Hex")
        return procs.Completed(("mix", "help"), 0, 0.1, output="mix compile  # Compiles\n")

    monkeypatch.setattr(mix_tasks, "_mix_help", fake_help)
    out = io.StringIO()
    tasks = mix_tasks.load(build_target(broken, {}), Console(out, {}))
    assert tasks.source == "fallback"
    assert tasks.has("compile") and tasks.has("setup") and tasks.has("brokenapp.gen_proto")
    assert "warning: `mix help` failed" in out.getvalue() and "Could not find Hex" in out.getvalue()
