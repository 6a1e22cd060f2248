"""The ``examples`` session: every example run the way users run it, in parallel, safely.

Examples are ``<examples_dir>/*.exs`` minus helpers; each runs as
``mix run --no-start --no-compile <path>`` from the target root after one ``mix compile``,
so parallel runs never race on the build. Settings per example (timeout, args, env, skip,
exclusive) come from the target's ``[examples]`` table. This module is the model (config,
discovery, selection, flags) and the orchestration; running and reporting live in
``examples_runner`` and ``examples_report``.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sessions.core.config import reject_unknown_keys
from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.options import PosargsParser
from sessions.core.target import Target
from sessions.elixir import build as mix_build
from sessions.examples import report, runner
from sessions.python import env as python_env

DEFAULT_TIMEOUT = 60.0
DEFAULT_GLOBS = ("*.exs",)
DEFAULT_MIX_ENV = "dev"
RUNNER_SCRIPT = "run_examples.exs"
HELPER_WORD = "bootstrap"

CONFIG_KEYS = ("globs", "recursive", "helpers", "timeout", "mix_env", "settings")
SETTING_KEYS = ("timeout", "args", "env", "skip", "exclusive")


class ExamplesError(NoxpitError):
    """Bad ``[examples]`` config, an unknown example name, or a build that does not compile."""


# --- config --------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """How one example runs; the defaults suit an example that needs nothing."""

    timeout: float | None = None
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    skip: str | None = None
    exclusive: bool = False


@dataclass(frozen=True)
class ExamplesConfig:
    """The target's ``[examples]`` table, validated."""

    globs: tuple[str, ...] = DEFAULT_GLOBS
    recursive: bool = False
    helpers: tuple[str, ...] | None = None  # None: detect them
    timeout: float = DEFAULT_TIMEOUT
    mix_env: str = DEFAULT_MIX_ENV
    settings: Mapping[str, Settings] = field(default_factory=dict)


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _scalar(value: Any) -> bool:
    """Strings, and numbers written without quotes (``3000``), which are meant as text."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def parse_settings(name: str, table: Any, label: str) -> Settings:
    where = f"{label}: [examples.settings.{name}]"
    if not isinstance(table, Mapping):
        raise ExamplesError(f"{where} must be a table of {', '.join(SETTING_KEYS)}")
    reject_unknown_keys(table, SETTING_KEYS, f"{where}:", ExamplesError)
    timeout = table.get("timeout")
    if timeout is not None and not _positive(timeout):
        raise ExamplesError(f"{where}: `timeout` must be a positive number of seconds")
    args = table.get("args", [])
    if isinstance(args, str) or not isinstance(args, list) or not all(map(_scalar, args)):
        raise ExamplesError(f'{where}: `args` must be a list of strings, e.g. ["--size", "4"]')
    env = table.get("env", {})
    if not isinstance(env, Mapping) or not all(_scalar(v) for v in env.values()):
        raise ExamplesError(f'{where}: `env` must be a table of strings, e.g. {{ NAME = "x" }}')
    skip = table.get("skip")
    if skip is not None and (not isinstance(skip, str) or not skip.strip()):
        raise ExamplesError(f'{where}: `skip` must be the reason, e.g. skip = "needs a TTY"')
    exclusive = table.get("exclusive", False)
    if not isinstance(exclusive, bool):
        raise ExamplesError(f"{where}: `exclusive` must be true or false")
    return Settings(
        timeout=float(timeout) if timeout is not None else None,
        args=tuple(str(arg) for arg in args),
        env={str(key): str(value) for key, value in env.items()},
        skip=skip.strip() if skip is not None else None,
        exclusive=exclusive,
    )


def _str_tuple(section: Mapping[str, Any], key: str, label: str) -> tuple[str, ...] | None:
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ExamplesError(f"{label}: [examples] `{key}` must be a list of strings")
    return tuple(value)


def parse_config(section: Mapping[str, Any], label: str) -> ExamplesConfig:
    """Validate ``[examples]``: every problem is one line naming the file and the key."""
    reject_unknown_keys(section, CONFIG_KEYS, f"{label}: [examples]", ExamplesError)
    globs = _str_tuple(section, "globs", label)
    if globs == ():
        raise ExamplesError(f"{label}: [examples] `globs` must not be empty")
    recursive = section.get("recursive", False)
    if not isinstance(recursive, bool):
        raise ExamplesError(f"{label}: [examples] `recursive` must be true or false")
    timeout = section.get("timeout", DEFAULT_TIMEOUT)
    if not _positive(timeout):
        raise ExamplesError(f"{label}: [examples] `timeout` must be a positive number of seconds")
    mix_env = section.get("mix_env", DEFAULT_MIX_ENV)
    if not isinstance(mix_env, str) or not re.fullmatch(r"[a-z_][a-z0-9_]*", mix_env):
        raise ExamplesError(f'{label}: [examples] `mix_env` must be a Mix env name, e.g. "dev"')
    settings = section.get("settings", {})
    if not isinstance(settings, Mapping):
        raise ExamplesError(
            f"{label}: [examples] `settings` must be tables, e.g. [examples.settings.hello]"
        )
    return ExamplesConfig(
        globs=globs or DEFAULT_GLOBS,
        recursive=recursive,
        helpers=_str_tuple(section, "helpers", label),
        timeout=float(timeout),
        mix_env=mix_env,
        settings={name: parse_settings(name, table, label) for name, table in settings.items()},
    )


# --- discovery -----------------------------------------------------------------------

# `Code.require_file("x.exs", __DIR__)`, `Code.require_file("examples/x.exs")`,
# `Code.require_file(Path.join(__DIR__, "x.exs"))`, `Path.expand("x.exs", __DIR__)`;
# eval_file/compile_file load helpers the same way.
_LOAD = re.compile(
    r"""Code\.(?:require_file|eval_file|compile_file)\s*\(?\s*
    (?:
        "(?P<plain>[^"\\]+)"
        (?P<dir>\s*,\s*(?:__DIR__|Path\.dirname\(\s*__ENV__\.file\s*\)))?
      | Path\.join\(\s*__DIR__\s*,\s*"(?P<joined>[^"\\]+)"\s*\)
      | Path\.expand\(\s*"(?P<expanded>[^"\\]+)"\s*,\s*__DIR__\s*\)
    )""",
    re.VERBOSE,
)


def loaded_files(source: str, file: Path, root: Path) -> set[Path]:
    """Files an example loads with ``Code.require_file`` & co (commented-out calls ignored).

    Without ``__DIR__`` the path is relative to the working directory: the target root.
    """
    found: set[Path] = set()
    for match in _LOAD.finditer(source):
        line_start = source.rfind("\n", 0, match.start()) + 1
        if "#" in source[line_start : match.start()]:
            continue
        plain, joined, expanded = match.group("plain", "joined", "expanded")
        relative = plain or joined or expanded
        if relative is None or "#{" in relative:
            continue
        base = root if plain is not None and match.group("dir") is None else file.parent
        found.add((base / relative).resolve())
    return found


@dataclass(frozen=True)
class Example:
    name: str  # path under the examples dir, without `.exs`: what users type
    path: Path
    settings: Settings = Settings()


@dataclass(frozen=True)
class Discovery:
    examples: tuple[Example, ...]
    helpers: tuple[str, ...]  # names left out because they are helpers


def example_name(path: Path, examples_dir: Path) -> str:
    return path.relative_to(examples_dir).with_suffix("").as_posix()


def candidate_files(examples_dir: Path, config: ExamplesConfig) -> list[Path]:
    found: set[Path] = set()
    for pattern in config.globs:
        matches = examples_dir.rglob(pattern) if config.recursive else examples_dir.glob(pattern)
        found.update(path.resolve() for path in matches if path.is_file())
    return sorted(found)


def is_default_helper(path: Path) -> bool:
    return HELPER_WORD in path.name.lower() or path.name == RUNNER_SCRIPT


def _matches(patterns: Sequence[str], name: str, path: Path, examples_dir: Path) -> bool:
    relative = path.relative_to(examples_dir).as_posix()
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(relative, p) for p in patterns)


def helper_files(
    files: Sequence[Path], examples_dir: Path, root: Path, config: ExamplesConfig
) -> set[Path]:
    """Configured helpers, or by default: loaded by an example, `*bootstrap*`, the runner."""
    if config.helpers is not None:
        return {
            path
            for path in files
            if _matches(config.helpers, example_name(path, examples_dir), path, examples_dir)
        }
    helpers = {path for path in files if is_default_helper(path)}
    for path in files:
        try:
            source = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise ExamplesError(f"cannot read {path}: {exc.strerror}") from None
        helpers |= loaded_files(source, path, root) - {path}
    return helpers & set(files)


def discover(target: Target, config: ExamplesConfig) -> Discovery:
    examples_dir = target.examples_dir.resolve()
    if not examples_dir.is_dir():
        raise ExamplesError(
            f"no examples directory at {target.rel(target.examples_dir)}; create it or set "
            f"`examples_dir` in {target.config_label}"
        )
    files = candidate_files(examples_dir, config)
    helpers = helper_files(files, examples_dir, target.root.resolve(), config)
    runnable = [path for path in files if path not in helpers]
    names = [example_name(path, examples_dir) for path in runnable]
    unknown = sorted(set(config.settings) - set(names))
    if unknown:
        raise ExamplesError(
            f"{target.config_label}: [examples.settings.{unknown[0]}] names no example; "
            f"examples are: {', '.join(names) or '(none)'}"
        )
    if not runnable:
        raise ExamplesError(
            f"no examples in {target.rel(target.examples_dir)} match "
            f"{', '.join(config.globs)}; add some or set `globs` in [examples]"
        )
    return Discovery(
        examples=tuple(
            Example(name, path, config.settings.get(name, Settings()))
            for name, path in zip(names, runnable, strict=True)
        ),
        helpers=tuple(example_name(path, examples_dir) for path in sorted(helpers)),
    )


# --- selection -----------------------------------------------------------------------


def normalize_name(raw: str, examples_dir_name: str) -> str:
    """Accept what users paste: ``hello``, ``hello.exs`` or ``examples/hello.exs``."""
    name = raw.strip().removeprefix("./")
    name = name.removeprefix(examples_dir_name.rstrip("/") + "/")
    return name.removesuffix(".exs")


def select(
    examples: Sequence[Example], names: Sequence[str], examples_dir_name: str = "examples"
) -> list[Example]:
    if not names:
        return list(examples)
    by_name = {example.name: example for example in examples}
    chosen: list[Example] = []
    for raw in names:
        name = normalize_name(raw, examples_dir_name)
        if name not in by_name:
            raise ExamplesError(
                f"unknown example `{raw}`; valid names: {', '.join(sorted(by_name))}"
            )
        if by_name[name] not in chosen:
            chosen.append(by_name[name])
    return chosen


# --- flags ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    jobs: int | None = None
    timeout: float | None = None
    list_only: bool = False
    failed: bool = False
    report: Path | None = None
    names: tuple[str, ...] = ()


def _int_at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def options_parser() -> PosargsParser:
    parser = PosargsParser("examples", "Run every example with `mix run --no-start`.")
    parser.add_argument(
        "--jobs", "-j", type=_int_at_least_one, metavar="N", help="parallel runs (CPU count)"
    )
    parser.add_argument(
        "--timeout", type=_seconds, metavar="S", help="default per-example timeout in seconds"
    )
    parser.add_argument(
        "--list", action="store_true", dest="list_only", help="show what would run; run nothing"
    )
    parser.add_argument("--failed", action="store_true", help="rerun the last run's failures")
    parser.add_argument("--report", type=Path, metavar="PATH", help="write a Markdown page")
    parser.add_argument("names", nargs="*", help="examples to run (default: all)")
    return parser


def to_options(parsed: argparse.Namespace, base: Path) -> Options:
    """The parsed flags; a relative ``--report`` is relative to where nox was run."""
    if parsed.failed and parsed.names:
        options_parser().error("give example names or --failed, not both")
    report_path = parsed.report
    if report_path is not None:
        report_path = (base / report_path.expanduser()).resolve()
    return Options(
        jobs=parsed.jobs,
        timeout=parsed.timeout,
        list_only=parsed.list_only,
        failed=parsed.failed,
        report=report_path,
        names=tuple(parsed.names),
    )


def parse_options(argv: Sequence[str], base: Path) -> Options:
    return to_options(options_parser().parse_args(list(argv)), base)


# --- orchestration -------------------------------------------------------------------


@dataclass(frozen=True)
class SessionResult:
    ok: bool
    message: str


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def noxpit_environment(target: Target, config: ExamplesConfig) -> dict[str, str]:
    """What noxpit sets for the compile and every example: the Mix env and the venv's Python."""
    return {"MIX_ENV": config.mix_env, target.python_env_var: str(target.venv_python)}


# The compile step before the runs already checked deps, archives and the Elixir version
# (or found nothing changed since it last did); each parallel run need not redo it.
ALREADY_CHECKED = ("--no-deps-check", "--no-archives-check", "--no-elixir-version-check")


def command(example: Example, root: Path) -> list[str]:
    return [
        "mix",
        "run",
        *ALREADY_CHECKED,
        "--no-start",
        "--no-compile",
        _shown(example.path, root),
        *example.settings.args,
    ]


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def plan(
    target: Target, examples: Sequence[Example], config: ExamplesConfig, timeout: float
) -> list[runner.Job]:
    env = noxpit_environment(target, config)
    logs = report.logs_dir(target.reports_dir)
    return [
        runner.Job(
            name=example.name,
            command=tuple(command(example, target.root)),
            cwd=target.root,
            env={**env, **example.settings.env},
            timeout=example.settings.timeout or timeout,
            log=logs / f"{example.name}.log",
            exclusive=example.settings.exclusive,
            skip=example.settings.skip,
        )
        for example in examples
    ]


def compile_target(target: Target, console: Console, env: Mapping[str, str]) -> None:
    """One build before the parallel runs, which then use ``--no-compile``."""
    mix_build.compile_project(target, console, env["MIX_ENV"], env)


def run_session(
    target: Target,
    console: Console,
    options: Options,
    environ: Mapping[str, str] | None = None,
) -> SessionResult:
    """The whole session: list, or compile once and run the selection, then report."""
    environ = os.environ if environ is None else environ
    config = parse_config(target.section("examples"), target.config_label)
    found = discover(target, config)
    manifest_path = report.manifest_path(target.reports_dir)
    manifest = report.read_manifest(manifest_path, strict=options.failed)
    if options.failed:
        names = tuple(report.failed_names(manifest, [e.name for e in found.examples]))
        if not names:
            console.step("examples: nothing failed in the last run; nothing to rerun")
            return SessionResult(True, "")
        selected = select(found.examples, names)
    else:
        selected = select(found.examples, options.names, target.examples_dir.name)
    timeout = options.timeout or config.timeout
    if options.list_only:
        report.print_list(console, selected, found.helpers, timeout, config.mix_env)
        return SessionResult(True, "")

    jobs_wanted = options.jobs or default_jobs()
    jobs = runner.order(plan(target, selected, config, timeout), report.durations(manifest))
    if any(job.skip is None for job in jobs):
        python_env.ensure(target, console)
        compile_target(target, console, {**environ, **noxpit_environment(target, config)})
    logs = target.rel(report.logs_dir(target.reports_dir))
    console.step(
        f"examples: running {len(jobs)} with --jobs {jobs_wanted}, default timeout "
        f"{report.format_limit(timeout)} (logs in {logs})"
    )
    progress = report.Progress(console, len(jobs))
    outcomes = runner.run_all(jobs, jobs_wanted, progress.done, environ)
    outcomes = report.in_order(outcomes, [e.name for e in selected])
    report.finish(
        console,
        target,
        outcomes,
        jobs,
        [e.name for e in found.examples],
        options.report,
        config.mix_env,
    )
    bad = [o for o in outcomes if o.status in runner.BAD]
    if bad:
        names_text = ", ".join(f"{o.name} ({report.LABEL[o.status]})" for o in bad)
        return SessionResult(False, f"{len(bad)} of {len(outcomes)} examples failed: {names_text}")
    return SessionResult(True, "")
