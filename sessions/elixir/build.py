"""The target's Mix build, made ready once: deps fetched when missing, then one compile.

Sessions that run Mix call these first, so a missing ``deps/`` or a compile error is one
step with one clear line, not a failure repeated by every ``mix test`` variant.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sessions.core import procs
from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.files import atomic_write, last_line
from sessions.core.target import Target

# A Mix env name (``MIX_ENV``): the one pattern every ``[area] mix_env`` setting is checked by.
MIX_ENV_PATTERN = r"[a-z_][a-z0-9_]*"

_COMPILING = re.compile(r"^Compiling (\d+) files? \(", re.MULTILINE)


class MixBuildError(NoxpitError):
    """Deps could not be fetched or the project does not compile."""


@dataclass(frozen=True)
class Compiled:
    mix_env: str
    files: int  # Elixir/Erlang files compiled by this run (0: already up to date)
    seconds: float


def needs_deps(target: Target) -> bool:
    """mix.exs declares deps but ``deps/`` was never fetched."""
    return bool(target.deps) and not (target.root / "deps").is_dir()


def last_error_line(output: str) -> str:
    """The line of a failed Mix run that says why (``** (Mix) ...`` when there is one)."""
    raised = [line.strip() for line in output.splitlines() if line.strip().startswith("** (")]
    return raised[-1] if raised else last_line(output)


def ensure_deps(target: Target, console: Console, env: Mapping[str, str]) -> None:
    """``mix deps.get`` when deps are declared and ``deps/`` is missing."""
    if not needs_deps(target):
        return
    console.step(f"mix deps.get (deps/ is missing; mix.exs declares {', '.join(target.deps)})")
    result = procs.run(["mix", "deps.get"], cwd=target.root, env=env, echo=False, capture=True)
    if result.ok:
        return
    raise MixBuildError(
        f"mix deps.get failed ({last_error_line(result.output)}); fetch deps where hex.pm "
        f"is reachable (`mix deps.get` in {target.root}) or copy a fetched deps/ there"
    )


# Directories whose files never change what ``mix compile`` builds.
_NOT_COMPILED = frozenset(
    {
        "_build",
        ".git",
        "node_modules",
        "__pycache__",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".hypothesis",
        ".elixir_ls",
        ".nox",
    }
)
STAMP = "noxpit-compiled"
# Written by a running BEAM or a Python runtime beside the sources, never read by `mix compile`:
# DETS tables (snakepit's process registry under priv/data, one per instance), crash dumps.
_RUNTIME_SUFFIXES = (".dets",)
_RUNTIME_NAMES = frozenset({"erl_crash.dump"})
# Project files up to this size are compared by content, so a test that rewrites a support
# file with the same bytes (or a fresh checkout's file times) does not cost a compile.
_HASHED_UP_TO = 1 << 20


def _compiled_inputs(target: Target) -> Iterator[Path]:
    """Every file under the root that a compile could read: sources, config, mix.exs,
    mix.lock, deps. Python code and venvs (any directory with a ``pyvenv.cfg``, such as a
    runtime-managed one under priv/), examples (scripts, never compiled) and runtime data
    (DETS tables, crash dumps) are left out."""
    skip = {target.python_dir, target.examples_dir, target.reports_dir, target.venv_dir}
    for dirpath, dirnames, filenames in os.walk(target.root):
        here = Path(dirpath)
        if "pyvenv.cfg" in filenames:
            dirnames[:] = []
            continue
        dirnames[:] = sorted(
            name
            for name in dirnames
            if name not in _NOT_COMPILED
            and not name.startswith((".venv", "Mnesia."))
            and here / name not in skip
        )
        for name in sorted(filenames):
            if name not in _RUNTIME_NAMES and not name.endswith(_RUNTIME_SUFFIXES):
                yield here / name


def _stat_lines(paths: Iterator[Path] | list[Path]) -> Iterator[str]:
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            yield f"{path}\0missing\n"
            continue
        yield f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n"


def _content_lines(paths: Iterator[Path], deps: Path) -> Iterator[str]:
    """Project files by size and content; deps (fetched, not edited) and large files by
    size and file time, as ``_stat_lines``."""
    for path in paths:
        try:
            info = path.stat()
            if info.st_size > _HASHED_UP_TO or path.is_relative_to(deps):
                yield f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n"
                continue
            content = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            yield f"{path}\0missing\n"
            continue
        yield f"{path}\0{info.st_size}\0{content}\n"


def _digest(mix_env: str, env: Mapping[str, str], lines: Iterator[str]) -> str:
    digest = hashlib.sha256(mix_env.encode())
    for line in lines:
        digest.update(line.encode())
    for key in sorted(k for k in env if k.startswith(("MIX_", "ERL_", "ELIXIR_"))):
        digest.update(f"{key}={env[key]}\n".encode())
    return digest.hexdigest()


def _installs(env: Mapping[str, str]) -> list[Path]:
    tools = [shutil.which(name, path=env.get("PATH")) for name in ("elixir", "erl")]
    return [Path(os.path.realpath(tool)) for tool in tools if tool]


def source_snapshot(target: Target, mix_env: str, env: Mapping[str, str]) -> str:
    """A digest of what ``mix compile`` depends on: every input's path, size and mtime,
    the Elixir/Erlang installs and the Mix environment variables."""
    return _digest(mix_env, env, _stat_lines([*_compiled_inputs(target), *_installs(env)]))


def content_snapshot(target: Target, mix_env: str, env: Mapping[str, str]) -> str:
    """As ``source_snapshot``, with the project's own files by content instead of file
    time: the slower second look when the file times changed."""
    paths = iter([*_compiled_inputs(target), *_installs(env)])
    return _digest(mix_env, env, _content_lines(paths, target.root / "deps"))


def build_state(target: Target, mix_env: str) -> str:
    """Mix's own compile manifest: changes whenever anything, noxpit or not, compiles."""
    manifest = _stamp_path(target, mix_env).with_name("compile.elixir")
    return "".join(_stat_lines([manifest]))


def _stamp_path(target: Target, mix_env: str) -> Path:
    # Inside the app's own build dir: `mix clean` or removing _build drops it too.
    return target.root / "_build" / mix_env / "lib" / target.app / ".mix" / STAMP


def compiled_files(output: str) -> int:
    """How many files Mix compiled, from its ``Compiling N files (.ex)`` lines."""
    return sum(int(count) for count in _COMPILING.findall(output))


class _Snapshot:
    """The compile inputs now, against the stamp the last successful compile left: file
    times first (no file read); when they differ, the project's files by content."""

    def __init__(self, target: Target, mix_env: str, env: Mapping[str, str]) -> None:
        self.target, self.mix_env, self.env = target, mix_env, env
        self.by_time = source_snapshot(target, mix_env, env)
        self._by_content: str | None = None

    @property
    def by_content(self) -> str:
        if self._by_content is None:
            self._by_content = content_snapshot(self.target, self.mix_env, self.env)
        return self._by_content

    def read_contents(self) -> None:
        self._by_content = self.by_content

    def matches(self, stamp: Path) -> bool:
        try:
            by_time, by_content, state = stamp.read_text().split("\n", 2)
        except (OSError, ValueError):
            return False
        if state != build_state(self.target, self.mix_env):
            return False  # Mix compiled since (by hand, another env var set) or `mix clean`
        if by_time == self.by_time:
            return True
        if by_content != self.by_content:
            return False
        self.store(stamp)  # only file times changed: next time the first look says so
        return True

    def store(self, stamp: Path) -> None:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        state = build_state(self.target, self.mix_env)
        atomic_write(stamp, f"{self.by_time}\n{self.by_content}\n{state}")


def compile_project(
    target: Target, console: Console, mix_env: str, env: Mapping[str, str], *, echo: bool = True
) -> Compiled:
    """Deps if needed, then one ``mix compile`` for ``mix_env``, reported as one step.

    ``echo=False`` sends Mix's output through ``console`` instead of straight to stdout, for
    a compile that runs alongside another step and is shown once it is done.
    """
    run_env = {**env, "MIX_ENV": mix_env}
    ensure_deps(target, console, run_env)
    stamp = _stamp_path(target, mix_env)
    inputs = _Snapshot(target, mix_env, run_env)
    if inputs.matches(stamp):
        console.step(f"mix compile ({mix_env}): up to date (nothing changed since the last one)")
        return Compiled(mix_env, 0, 0.0)
    console.step(f"mix compile ({mix_env})")
    inputs.read_contents()  # before the compile, as the file times were
    result = procs.run(["mix", "compile"], cwd=target.root, env=run_env, echo=echo, capture=True)
    if not echo and result.output:
        console.stream.write(result.output)
    if not result.ok:
        raise MixBuildError(
            f"mix compile ({mix_env}) failed ({last_error_line(result.output)}); "
            "fix the errors above"
        )
    # The inputs as they were *before* the compile: a file edited meanwhile stays stale.
    inputs.store(stamp)
    files = compiled_files(result.output)
    done = f"compiled {files} file{'s' if files != 1 else ''}" if files else "up to date"
    console.step(f"mix compile ({mix_env}): {done}, {result.duration:.1f}s")
    return Compiled(mix_env, files, result.duration)
