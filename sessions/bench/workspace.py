"""Where the benchmarks run: a private workspace (copies and a cache dir) and its nox.

Every scenario runs nox from this checkout with ``NOXPIT_PROJECT`` pointing into the
workspace and ``XDG_CACHE_HOME`` inside it, so the user's venvs, PLTs and caches are
never touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sessions.bench.harness import BenchError
from sessions.core import procs


@dataclass(frozen=True)
class Workspace:
    """A private copy of the sample plus a cache dir, shared by all scenarios."""

    suite_root: Path
    base: Path
    base_env: Mapping[str, str] | None = None  # os.environ unless set (the lab's env.sh)

    @property
    def project(self) -> Path:
        return self.base / "sample"

    @property
    def release_project(self) -> Path:
        return self.base / "release-sample"

    @property
    def cache(self) -> Path:
        return self.base / "cache"

    def env(self, project: Path | None = None) -> dict[str, str]:
        env = {
            k: v
            for k, v in (self.base_env or os.environ).items()
            if not k.startswith(("NOXPIT_", "GITHUB_"))
        }
        env.update(
            {
                "NOXPIT_PROJECT": str(project or self.project),
                "XDG_CACHE_HOME": str(self.cache),
                "NO_COLOR": "1",
            }
        )
        return env

    def nox(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "nox", "-f", str(self.suite_root / "noxfile.py"), *args]

    def sequential_check(self, *sessions: str) -> list[str]:
        """``check``'s baseline: its steps as separate nox sessions, one after another
        (``bench/sequential_check.sh``; every step when none is named)."""
        script = self.suite_root / "bench" / "sequential_check.sh"
        noxfile = self.suite_root / "noxfile.py"
        return ["bash", str(script), sys.executable, str(noxfile), *sessions]


def default_base() -> Path:
    """A private workspace per run: two benches at once never delete each other's files."""
    return Path(tempfile.mkdtemp(prefix="noxpit-bench-"))


def warm(
    workspace: Workspace, *args: str, project: Path | None = None, accept: tuple[int, ...] = (0,)
) -> Callable[[], None]:
    """An untimed run that makes the next timed ones warm."""

    def run() -> None:
        result = procs.run(
            workspace.nox(*args),
            cwd=workspace.suite_root,
            env=workspace.env(project),
            echo=False,
        )
        if result.timed_out or result.returncode not in accept:
            tail = "\n".join(result.output.splitlines()[-20:])
            raise BenchError(f"warm-up `nox {' '.join(args)}` failed:\n{tail}")

    return run


def must(command: list[str], cwd: Path, env: Mapping[str, str] | None = None) -> str:
    """Run an untimed helper command (a copy, a clone, a commit); its output, or BenchError."""
    result = procs.run(command, cwd=cwd, env=env, echo=False)
    if not result.ok:
        tail = "\n".join(result.output.splitlines()[-10:])
        raise BenchError(f"`{' '.join(command)}` failed (exit {result.returncode}):\n{tail}")
    return result.output
