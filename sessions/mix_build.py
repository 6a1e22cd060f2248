"""The target's Mix build, made ready once: deps fetched when missing, then one compile.

Sessions that run Mix call these first, so a missing ``deps/`` or a compile error is one
step with one clear line, not a failure repeated by every ``mix test`` variant.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sessions import procs
from sessions.console import Console
from sessions.errors import NoxpitError
from sessions.project import Target

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
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("** ("):
            return line
    return lines[-1] if lines else "no output"


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


def compiled_files(output: str) -> int:
    """How many files Mix compiled, from its ``Compiling N files (.ex)`` lines."""
    return sum(int(count) for count in _COMPILING.findall(output))


def compile_project(
    target: Target, console: Console, mix_env: str, env: Mapping[str, str], *, echo: bool = True
) -> Compiled:
    """Deps if needed, then one ``mix compile`` for ``mix_env``, reported as one step.

    ``echo=False`` sends Mix's output through ``console`` instead of straight to stdout, for
    a compile that runs alongside another step and is shown once it is done.
    """
    run_env = {**env, "MIX_ENV": mix_env}
    ensure_deps(target, console, run_env)
    console.step(f"mix compile ({mix_env})")
    result = procs.run(["mix", "compile"], cwd=target.root, env=run_env, echo=echo, capture=True)
    if not echo and result.output:
        console.stream.write(result.output)
    if not result.ok:
        raise MixBuildError(
            f"mix compile ({mix_env}) failed ({last_error_line(result.output)}); "
            "fix the errors above"
        )
    files = compiled_files(result.output)
    done = f"compiled {files} file{'s' if files != 1 else ''}" if files else "up to date"
    console.step(f"mix compile ({mix_env}): {done}, {result.duration:.1f}s")
    return Compiled(mix_env, files, result.duration)
