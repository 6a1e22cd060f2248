"""``mix test`` variants (which ones: ``variants``): the default run and ``--only <tag>`` runs.

Each variant runs on the test build compiled once beforehand (``--no-compile``), with
noxpit's ExUnit formatter loaded next to the usual CLI one so every run also writes
``<reports>/mix-test-<variant>.xml``. See docs/sessions.md for why the formatter is
loaded with ``elixir -r <loader> -S mix test`` (it must survive Elixir 1.15+'s code-path
pruning) and why that needs nothing from the target.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.core import junit, procs
from sessions.core.console import Console
from sessions.core.files import atomic_write
from sessions.core.target import Target
from sessions.core.user_cache import cache_dir
from sessions.elixir import build as mix_build
from sessions.elixir import variants as variants_
from sessions.elixir.variants import DEFAULT_VARIANT as DEFAULT_VARIANT
from sessions.elixir.variants import MixTestError as MixTestError
from sessions.elixir.variants import Plan

MIX_ENV = "test"
FORMATTER = "NoxpitJUnitFormatter"
ELIXIR_DIR = Path(__file__).resolve().parent
FORMATTER_SOURCE = ELIXIR_DIR / "noxpit_junit_formatter.ex"
FORMATTER_LOADER = ELIXIR_DIR / "noxpit_formatter_loader.exs"
NOTHING_TO_RUN = "There are no tests to run"  # --failed with an empty failures manifest
NOTHING_EXECUTED = "but no test was executed"  # --only matched none of the failures (exit 1)


@dataclass(frozen=True)
class VariantResult:
    variant: str
    completed: procs.Completed
    report: junit.Report | None  # None: the run ended before writing its JUnit file
    nothing_to_rerun: bool = False  # --failed, and none of this variant's tests had failed

    @property
    def ok(self) -> bool:
        return self.completed.ok or self.nothing_to_rerun


def nothing_to_rerun(posargs: Sequence[str], completed: procs.Completed, cases: int) -> bool:
    """``--failed`` found nothing of this variant's to run: not a failure (ExUnit exits 1
    when ``--only`` was given and no test ran)."""
    if "--failed" not in posargs or cases or completed.timed_out:
        return False
    return NOTHING_TO_RUN in completed.output or NOTHING_EXECUTED in completed.output


def variants(target: Target) -> list[str]:
    return list(variants_.plan(target).runs)


def label(variant: str) -> str:
    return f"mix test ({variant})"


def junit_path(target: Target, variant: str) -> Path:
    return target.reports_dir / f"mix-test-{variant}.xml"


def formatter_cache(environ: Mapping[str, str]) -> Path:
    """Where the loader keeps the compiled formatter: one directory per source version."""
    digest = hashlib.sha256(FORMATTER_SOURCE.read_bytes()).hexdigest()[:16]
    return cache_dir(environ) / "formatter" / digest


def environment(
    target: Target, base: Mapping[str, str], extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """What the Elixir side needs to find the venv's Python: its path in the target's
    variable, and its ``bin`` first on PATH when it exists (as an activated venv, or CI's
    setup-python: tests that spawn ``python3`` get a real interpreter, not a shim), plus
    ``[mix_test] env`` (``extra``; an empty value removes a variable)."""
    env = {**base, "MIX_ENV": MIX_ENV, target.python_env_var: str(target.venv_python)}
    bin_dir = target.venv_dir / "bin"
    if bin_dir.is_dir():
        env["PATH"] = os.pathsep.join([str(bin_dir), *filter(None, [base.get("PATH")])])
    for key, value in (extra or {}).items():
        if value:
            env[key] = value
        else:  # "" removes it: Elixir's System.get_env/1 would return "", which is truthy
            env.pop(key, None)
    return env


def run_environment(
    target: Target,
    variant: str,
    base: Mapping[str, str],
    extra: Mapping[str, str] | None = None,
    report_file: Path | None = None,
) -> dict[str, str]:
    """The test environment plus where the formatter writes and what it is called, and
    where a crash dump goes: beside the report, not ``erl_crash.dump`` in the project
    (unless the user or ``[mix_test] env`` names a place)."""
    report = report_file or junit_path(target, variant)
    env = {
        **environment(target, base, extra),
        "NOXPIT_JUNIT_FILE": str(report),
        "NOXPIT_JUNIT_SUITE": label(variant),
        "NOXPIT_FORMATTER_SOURCE": str(FORMATTER_SOURCE),
        "NOXPIT_FORMATTER_CACHE": str(formatter_cache(base)),
    }
    env.setdefault("ERL_CRASH_DUMP", str(report.with_suffix(".erl_crash.dump")))
    return env


def test_args(variant: str, posargs: Sequence[str], exclude: Sequence[str] = ()) -> list[str]:
    """The ``mix test`` arguments a user would type for this variant."""
    only = [] if variant == DEFAULT_VARIANT else ["--only", variant]
    excluded = [arg for tag in exclude for arg in ("--exclude", tag)]
    return [*only, *excluded, *posargs]


def command(variant: str, posargs: Sequence[str], exclude: Sequence[str] = ()) -> list[str]:
    return [
        "elixir",
        "-r",
        str(FORMATTER_LOADER),
        "-S",
        "mix",
        "test",
        "--no-compile",
        "--formatter",
        "ExUnit.CLIFormatter",
        "--formatter",
        FORMATTER,
        *test_args(variant, posargs, exclude),
    ]


def compile_for_tests(
    target: Target, console: Console, *, echo: bool = True, plan: Plan | None = None
) -> mix_build.Compiled:
    """The one compile every variant shares."""
    the_plan = plan or variants_.plan(target)
    env = environment(target, os.environ, the_plan.env)
    return mix_build.compile_project(target, console, MIX_ENV, env, echo=echo)


def run_variant(
    target: Target,
    console: Console,
    variant: str,
    posargs: Sequence[str] = (),
    plan: Plan | None = None,
    *,
    report_file: Path | None = None,
    partition: int | None = None,
    annotate: bool = True,
) -> VariantResult:
    """One variant on an already compiled test build; failures annotated on GitHub unless
    ``annotate`` is off (a caller that reruns them annotates what stands afterwards).
    ``partition`` is ``MIX_TEST_PARTITION`` (posargs then hold ``--partitions N``);
    ``report_file`` replaces the variant's JUnit path (a rerun writes its own)."""
    the_plan = plan or variants_.plan(target)
    variants_.check_variant(the_plan, variant)
    report_file = report_file or junit_path(target, variant)
    report_file.unlink(missing_ok=True)  # a crashed run must not leave last run's results
    target.reports_dir.mkdir(parents=True, exist_ok=True)
    prefix = [f"MIX_TEST_PARTITION={partition}"] if partition else []
    console.step(" ".join([*prefix, "mix test", *test_args(variant, posargs, the_plan.exclude)]))
    env = run_environment(target, variant, os.environ, the_plan.env, report_file)
    if partition:
        env["MIX_TEST_PARTITION"] = str(partition)
    completed = procs.run(
        command(variant, posargs, the_plan.exclude), cwd=target.root, env=env, capture=True
    )
    report = junit.read_if_present(report_file)
    nothing = nothing_to_rerun(posargs, completed, len(report.cases) if report else 0)
    if nothing and report is None:
        # `--failed` after a green run: ExUnit never starts, so its formatter writes nothing.
        atomic_write(report_file, junit.empty_document(label(variant)))
        report = junit.read_if_present(report_file)
    if nothing:
        console.step(f"{label(variant)}: nothing to rerun (none of its tests failed last time)")
    if annotate and report is not None:
        junit.annotate_failures(console, report, label(variant))
    return VariantResult(variant, completed, report, nothing)
