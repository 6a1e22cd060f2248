"""Elixir lint gates: ``mix format --check-formatted`` and ``mix compile --warnings-as-errors``.

Both checks always run and are reported separately. The compile is forced, in a build
directory of its own (``MIX_BUILD_PATH=_build/noxpit-lint-<env>``): an earlier incremental
compile cannot hide a warning (Mix only reports warnings for files it recompiles), and
the test build that ``tests`` compiles once per run is never touched or invalidated. The
dependencies already compiled for that env are copied in first (real copies, mtimes kept:
Mix then finds them up to date), so only the project's own files are compiled.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sessions.core import findings, procs
from sessions.core.config import read_section, rule
from sessions.core.console import Console, seconds
from sessions.core.errors import NoxpitError
from sessions.core.findings import Finding
from sessions.core.status import Status
from sessions.core.target import Target
from sessions.elixir import build as mix_build

DEFAULT_MIX_ENV = "test"  # usually a superset of lib: test/support is compiled too
DETAIL_WIDTH = 90  # the summary's detail column; every finding is printed in full above

# Elixir 1.14/1.15: "  * lib/x.ex"; 1.17+: the path alone on a line, then a diff.
_UNFORMATTED_BULLET = re.compile(r"^\s*\*\s+(\S.*?)\s*$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_SOURCE = r"(?P<file>[^\s:│└─]*\.(?:ex|exs|erl|hrl|eex|heex|leex))"
_LOCATION = re.compile(_SOURCE + r":(?P<line>\d+)")
_DIAGNOSTIC = re.compile(r"^\s*(?P<kind>warning|error): (?P<message>.*)$")
_RAISED = re.compile(
    r"^\*\* \((?P<kind>\w+(?:\.\w+)*)\) " + _SOURCE + r"(?::(?P<line>\d+)(?::\d+)?)?"
)


class LintError(NoxpitError):
    """The ``[lint]`` config is wrong."""


@dataclass(frozen=True)
class LintConfig:
    mix_env: str = field(
        default=DEFAULT_MIX_ENV,
        metadata=rule(pattern=mix_build.MIX_ENV_PATTERN, what="a Mix env name like test"),
    )


@dataclass(frozen=True)
class LintCheck:
    """One gate: the command, its extra environment, and how to read its failures."""

    name: str
    args: tuple[str, ...]
    env: Callable[[Target, LintConfig], dict[str, str]]
    findings: Callable[[Target, procs.Completed], list[Finding]]


@dataclass(frozen=True)
class CheckResult:
    check: LintCheck
    status: Status  # PASSED or FAILED
    seconds: float
    findings: tuple[Finding, ...]
    detail: str = ""


def load_config(target: Target) -> LintConfig:
    where = f"{target.config_label}: [lint]"
    return read_section(LintConfig, target.section("lint"), where, LintError)


def lint_build_path(target: Target, config: LintConfig) -> Path:
    # Under _build at the same depth as _build/<env>: deps' relative priv symlinks still resolve.
    return target.root / "_build" / f"noxpit-lint-{config.mix_env}"


def _tree_state(root: Path) -> list[tuple[str, int, int]]:
    """Every file under ``root`` (symlinks not followed) with its size and mtime."""
    state = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if Path(dirpath, d).is_symlink()]):
            path = Path(dirpath, name)
            info = path.lstat()
            state.append((str(path.relative_to(root)), info.st_size, info.st_mtime_ns))
    return state


def seed_deps(target: Target, config: LintConfig) -> int:
    """Copy the deps compiled for ``mix_env`` (not the app) into lint's build dir, each only
    when it changed since the last copy; returns how many were copied. Copies, not links: a
    dep Mix recompiles there must never be written through into the test build."""
    source = target.root / "_build" / config.mix_env / "lib"
    dest = lint_build_path(target, config) / "lib"
    if not source.is_dir():
        return 0  # nothing compiled yet: Mix compiles the deps in the lint build
    wanted = {d.name for d in source.iterdir() if d.is_dir() and d.name != target.app}
    if dest.is_dir():
        for stale in dest.iterdir():
            if stale.name not in wanted and stale.name != target.app:
                shutil.rmtree(stale, ignore_errors=True)
    copied = 0
    for name in sorted(wanted):
        if (dest / name).is_dir() and _tree_state(source / name) == _tree_state(dest / name):
            continue
        shutil.rmtree(dest / name, ignore_errors=True)
        try:
            shutil.copytree(source / name, dest / name, symlinks=True)
        except (OSError, shutil.Error) as exc:
            shutil.rmtree(dest / name, ignore_errors=True)  # Mix compiles it there instead
            raise LintError(
                f"cannot copy _build/{config.mix_env}/lib/{name} into {target.rel(dest)} "
                f"({exc}); free some disk space or remove {target.rel(dest.parent)}"
            ) from None
        copied += 1
    return copied


# --- reading mix format ----------------------------------------------------------------


def unformatted_files(output: str, root: Path) -> list[str]:
    """The files ``mix format --check-formatted`` names (1.14 bullets or 1.17+ headers)."""
    text = _ANSI.sub("", output)
    marker = "The following files are not formatted:"
    if marker not in text:
        return []
    files: list[str] = []
    for raw in text.split(marker, 1)[1].splitlines():
        line = raw.strip()
        bullet = _UNFORMATTED_BULLET.match(raw)
        candidate = bullet.group(1) if bullet else line
        if not candidate or (" " in candidate and not bullet):
            continue
        path = Path(candidate)
        if (path if path.is_absolute() else root / path).is_file():
            files.append(findings.relative_to(root, candidate))
    return list(dict.fromkeys(files))


def first_changed_line(original: str, formatted: str) -> int:
    """The 1-based line where formatting first changes the file."""
    matcher = difflib.SequenceMatcher(a=original.splitlines(), b=formatted.splitlines())
    for tag, start, _end, _b_start, _b_end in matcher.get_opcodes():
        if tag != "equal":
            return start + 1
    return 1


def locate_format_changes(target: Target, files: list[str]) -> list[Finding]:
    """Where each unformatted file first differs from its formatted self.

    ``mix format`` runs on copies in a temporary directory (so the target is never
    rewritten) from the target root, so its ``.formatter.exs`` (plugins, line length,
    ``import_deps``) applies as in the check itself.
    """
    with tempfile.TemporaryDirectory(prefix="noxpit-format-") as scratch:
        copies = {}
        for name in files:
            copy = Path(scratch) / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(target.root / name, copy)
            copies[name] = copy
        formatted = procs.output_of(
            ["mix", "format", *map(str, copies.values())], cwd=target.root, timeout=120
        )
        result = []
        for name, copy in copies.items():
            original = (target.root / name).read_text(encoding="utf-8", errors="replace")
            after = copy.read_text(encoding="utf-8", errors="replace")
            line = first_changed_line(original, after) if formatted.ok else None
            result.append(Finding(name, line, "not formatted (run `mix format`)"))
        return result


def format_findings(target: Target, completed: procs.Completed) -> list[Finding]:
    raised = [f for f in compiler_findings(completed.output, target.root) if f.line]
    if raised:  # a syntax error: mix format could not parse the file
        return raised
    files = unformatted_files(completed.output, target.root)
    return locate_format_changes(target, files) if files else []


# --- reading the compiler ----------------------------------------------------------------


def compiler_findings(output: str, root: Path) -> list[Finding]:
    """Warnings and errors with their first location, from Elixir 1.14 to 1.18 output.

    A diagnostic starts with ``warning:``/``error:``; its location follows on a later line
    (``  lib/x.ex:12: Mod.fun/1`` up to 1.15, ``└─ lib/x.ex:12:7: ...`` from 1.16).
    Exceptions such as ``** (CompileError) lib/x.ex:3: ...`` carry it inline.
    """
    result: list[Finding] = []
    pending: tuple[str, str] | None = None  # (kind, message) waiting for its location
    for raw in _ANSI.sub("", output).splitlines():
        diagnostic = _DIAGNOSTIC.match(raw)
        if diagnostic:
            pending = (diagnostic.group("kind"), diagnostic.group("message").strip())
            continue
        raised = _RAISED.match(raw.strip())
        if raised:
            line = raised.group("line")
            message = raw.strip()[raised.end() :].lstrip(":").strip() or raised.group("kind")
            result.append(
                Finding(
                    findings.relative_to(root, raised.group("file")),
                    int(line) if line else None,
                    f"{raised.group('kind')}: {message}",
                )
            )
            pending = None
            continue
        if pending is None:
            continue
        location = _LOCATION.search(raw)
        if location:
            kind, message = pending
            result.append(
                Finding(
                    findings.relative_to(root, location.group("file")),
                    int(location.group("line")),
                    f"{kind}: {message}",
                )
            )
            pending = None
        elif not raw.strip():
            pending = None
    # "cannot compile module X (errors have been logged)" repeats a located error.
    located = {f.file for f in result if f.line}
    return list(dict.fromkeys(f for f in result if f.line or f.file not in located))


def compile_findings(target: Target, completed: procs.Completed) -> list[Finding]:
    return compiler_findings(completed.output, target.root)


def _lint_build_env(target: Target, config: LintConfig) -> dict[str, str]:
    return {"MIX_ENV": config.mix_env, "MIX_BUILD_PATH": str(lint_build_path(target, config))}


CHECKS = (
    LintCheck(
        name="format",
        args=("mix", "format", "--check-formatted"),
        env=lambda _target, _config: {},
        findings=format_findings,
    ),
    LintCheck(
        name="compile",
        args=("mix", "compile", "--force", "--warnings-as-errors"),
        env=_lint_build_env,
        findings=compile_findings,
    ),
)


def run_check(
    check: LintCheck,
    target: Target,
    config: LintConfig,
    console: Console,
    base_env: Mapping[str, str],
    *,
    echo: bool = True,
) -> CheckResult:
    env = {**base_env, **check.env(target, config)}
    shown = " ".join(check.args)
    console.step(f"lint {check.name}: {shown}")
    start = time.monotonic()
    completed = procs.run(list(check.args), cwd=target.root, env=env, echo=echo, capture=True)
    if not echo:
        console.stream.write(completed.output)
    elapsed = time.monotonic() - start
    if completed.ok:
        return CheckResult(check, Status.PASSED, elapsed, ())
    found = tuple(check.findings(target, completed))
    findings.report(console, found, f"lint {check.name}")
    detail = found[0].render() if found else f"`{shown}` failed (exit {completed.returncode})"
    if len(detail) > DETAIL_WIDTH:
        detail = detail[: DETAIL_WIDTH - 3] + "..."
    return CheckResult(check, Status.FAILED, elapsed, found, detail)


def run(target: Target, console: Console) -> list[CheckResult]:
    """Every check, even after one fails, so one run shows everything to fix."""
    config = load_config(target)
    base_env = dict(os.environ)
    mix_build.ensure_deps(target, console, {**base_env, "MIX_ENV": config.mix_env})
    # The format check (it only reads sources) runs beside the deps copy and the compile,
    # on another core; its output is held and shown after theirs, which stays live.
    first, *rest = CHECKS
    held_console = console.held()
    with ThreadPoolExecutor(max_workers=1) as pool:
        beside = pool.submit(run_check, first, target, config, held_console, base_env, echo=False)
        copied = seed_deps(target, config)
        if copied:
            console.step(f"lint: {copied} compiled dep(s) copied from _build/{config.mix_env}")
        later = [run_check(check, target, config, console, base_env) for check in rest]
        results = [beside.result(), *later]
    console.show(held_console)
    return results


def summarize(console: Console, results: list[CheckResult]) -> bool:
    rows = [
        [
            r.check.name,
            r.status,
            str(len(r.findings)) if r.status.bad else "0",
            seconds(r.seconds),
            r.detail,
        ]
        for r in results
    ]
    console.line()
    console.table(["check", "result", "findings", "time", "detail"], rows, title="noxpit lint")
    return not any(r.status.bad for r in results)


def failure_message(results: list[CheckResult]) -> str:
    failed = [r.check.name for r in results if r.status.bad]
    return f"lint failed: {', '.join(failed)}"
