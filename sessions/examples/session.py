"""The ``examples`` session: every example run the way users run it, in parallel, safely.

Each example runs as ``mix run --no-start --no-compile <path>`` from the target root after
one ``mix compile``. The config, discovery, flags, runner and reports live in their own
modules; this one plans the jobs and runs the session from start to end.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.core import junit
from sessions.core.console import Console
from sessions.core.files import atomic_write, rel_label
from sessions.core.target import Target
from sessions.elixir import build as mix_build
from sessions.examples import manifest, ports, report, runner
from sessions.examples.config import ExamplesConfig, parse_config
from sessions.examples.discovery import discover, select
from sessions.examples.model import Example
from sessions.examples.options import Options, options_parser, parse_options, to_options
from sessions.examples.ports import Port, starts_app
from sessions.python import env as python_env

__all__ = ["options_parser", "parse_options", "run_session", "to_options"]


@dataclass(frozen=True)
class SessionResult:
    ok: bool
    message: str


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def noxpit_environment(target: Target, config: ExamplesConfig) -> dict[str, str]:
    """What noxpit sets for the compile and every example: the Mix env and the venv's Python."""
    return {"MIX_ENV": config.mix_env, target.python_env_var: str(target.venv_python)}


# Mix >= 1.18 takes an OS-level build lock in every `mix run`, even with --no-compile
# (compile.all holds it while it loads the app paths), so parallel runs print "Waiting for
# lock on the build directory" and queue. The one compile step before the runs keeps the
# lock; the runs, which compile nothing, turn it off (Mix's documented switch).
RUN_ONLY = {"MIX_OS_CONCURRENCY_LOCK": "0"}

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
        rel_label(example.path, root.resolve()),
        *example.settings.args,
    ]


def isolation_value(name: str) -> str:
    """A value no other example (of this run or another one) gets."""
    slug = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")
    return f"noxpit_{slug}_{os.getpid()}_{secrets.token_hex(4)}"


def claims(example: Example, target: Target, app_ports: Sequence[Port]) -> frozenset[str]:
    """The resources an example holds while it runs: the app's fixed ports when it may
    start the app (see ``ports.starts_app``)."""
    if not app_ports:
        return frozenset()
    sources = []
    for path in (example.path, *example.loads):
        try:
            sources.append(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    if not starts_app(sources, target.app):
        return frozenset()
    return frozenset(port.resource for port in app_ports)


def plan(
    target: Target,
    examples: Sequence[Example],
    config: ExamplesConfig,
    timeout: float,
    app_ports: Sequence[Port] = (),
    environ: Mapping[str, str] | None = None,
) -> list[runner.Job]:
    environ = os.environ if environ is None else environ
    env = {**noxpit_environment(target, config), **RUN_ONLY}
    logs = manifest.logs_dir(target.reports_dir)
    jobs = []
    for example in examples:
        own = dict(example.settings.env)
        if config.isolation_env and config.isolation_env not in own:
            own[config.isolation_env] = isolation_value(example.name)
        if manifest.CRASH_DUMP not in own and manifest.CRASH_DUMP not in environ:
            own[manifest.CRASH_DUMP] = str(manifest.crash_dump(target.reports_dir, example.name))
        jobs.append(
            runner.Job(
                name=example.name,
                command=tuple(command(example, target.root)),
                cwd=target.root,
                env={**env, **own},
                timeout=example.settings.timeout or timeout,
                log=logs / f"{example.name}.log",
                exclusive=example.settings.exclusive,
                skip=example.settings.skip,
                resources=claims(example, target, app_ports),
            )
        )
    return jobs


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
    history = manifest.read_manifest(
        manifest.manifest_path(target.reports_dir), strict=options.failed
    )
    if options.failed:
        names = tuple(manifest.failed_names(history, [e.name for e in found.examples]))
        if not names:
            console.step("examples: nothing failed in the last run; nothing to rerun")
            # This run's JUnit file says so: the last run's failures are not this run's.
            junit_file = manifest.junit_path(target.reports_dir)
            atomic_write(junit_file, junit.empty_document("examples"))
            return SessionResult(True, "")
        selected = select(found.examples, names)
    else:
        selected = select(found.examples, options.names, target.examples_dir.name, found.helpers)
    if options.shard is not None:
        selected = [e for e in selected if options.shard.holds(e.name)]
        console.step(f"examples: shard {options.shard}: {len(selected)} of them")
    timeout = options.timeout or config.timeout
    app_ports = ports.detect(target.root, config.mix_env)
    planned = plan(target, selected, config, timeout, app_ports, environ)
    if options.list_only:
        common = {**noxpit_environment(target, config), **RUN_ONLY}
        report.print_list(
            console, planned, found.helpers, config.mix_env, app_ports, common, config.isolation_env
        )
        return SessionResult(True, "")

    jobs_wanted = options.jobs or default_jobs()
    jobs = runner.order(planned, manifest.durations(history))
    if any(job.skip is None for job in jobs):
        python_env.ensure(target, console)
        compile_target(target, console, {**environ, **noxpit_environment(target, config)})
    logs = target.rel(manifest.logs_dir(target.reports_dir))
    console.step(
        f"examples: running {len(jobs)} with --jobs {jobs_wanted}, default timeout "
        f"{report.format_limit(timeout)} (logs in {logs})"
    )
    if app_ports:
        console.step(f"examples: {report.ports_line(app_ports, jobs)}")
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
    bad = [o for o in outcomes if o.status.bad]
    if bad:
        names_text = ", ".join(f"{o.name} ({report.LABEL[o.status]})" for o in bad)
        return SessionResult(False, f"{len(bad)} of {len(outcomes)} examples failed: {names_text}")
    return SessionResult(True, "")
