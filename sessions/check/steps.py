"""The steps of ``nox -s check`` as data: what each runs, what it holds, what it needs.

A step holds resources: CPU (units of the budget), and named ones, either alone
(``holds``: a Mix build being written, a fixed port) or shared with other readers
(``reads``: a build that is only read). The scheduler runs a step once everything it
``needs`` passed and its resources are free, so nothing that would contend or collide runs
at once. Which builds and ports exist is read from the target, never guessed.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sessions.core.config import read_section
from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.status import Status
from sessions.core.target import Target
from sessions.doctor import model as doctor_model
from sessions.doctor import session as doctor_session
from sessions.doctor import tool_checks
from sessions.elixir import build as mix_build
from sessions.elixir import dialyzer, exunit, lint
from sessions.examples import config as examples_config
from sessions.python import env as python_env

# The steps a user names (`check -- NAME...`); the others are what they need.
MAIN_STEPS = ("lint", "dialyzer", "tests", "examples", "docs_check")
VENV = "venv"
# Longest first when there is no earlier check to time them by (the sample's order).
DEFAULT_ORDER = {"tests": 5.0, "examples": 4.0, "dialyzer": 3.0, "lint": 2.0, "docs_check": 1.0}


@dataclass(frozen=True)
class Step:
    """One node of the graph: a nox session run as a child (``session`` + ``args``), or an
    in-process ``action`` (setup, doctor and the compile steps, which the later steps wait
    for; ``session`` then only says how a user runs it alone)."""

    name: str
    session: str = ""
    args: tuple[str, ...] = ()
    action: Callable[[Console], str] | None = None  # returns the detail; raises on failure
    cpu: int = 1
    holds: frozenset[str] = frozenset()
    reads: frozenset[str] = frozenset()
    needs: tuple[str, ...] = ()
    gate: bool = False  # when it fails, nothing after it runs (doctor)

    @property
    def shown(self) -> str:
        """How a user would run this step alone."""
        if self.session:
            tail = f" -- {' '.join(self.args)}" if self.args else ""
            return f"nox -s {self.session}{tail}"
        return self.name


@dataclass(frozen=True)
class Outcome:
    step: str
    status: Status
    seconds: float = 0.0
    detail: str = ""
    output: str = ""
    started: float = field(default=0.0, compare=False)  # wall clock, for fresh report files


class CheckConfigError(NoxpitError):
    """Bad ``[check]`` config."""


@dataclass(frozen=True)
class CheckConfig:
    """The target's ``[check]`` table."""

    # Main steps that run with nothing beside them (they take the whole CPU budget): for a
    # target whose tests have timing-bound cases that fail when another step shares the cores.
    alone: tuple[str, ...] = ()


def load_config(target: Target) -> CheckConfig:
    where = f"{target.config_label}: [check]"
    config = read_section(CheckConfig, target.section("check"), where, CheckConfigError)
    unknown = [name for name in config.alone if name not in MAIN_STEPS]
    if unknown:
        raise CheckConfigError(
            f"{where} alone: unknown step(s) {', '.join(unknown)}; use {', '.join(MAIN_STEPS)}"
        )
    return config


def build(env: str) -> str:
    return f"build:{env}"


def port(number: int) -> str:
    return f"port:{number}"


def fixed_ports(target: Target) -> list[int]:
    """The ports the target's workers bind: ``[doctor] ports`` and those in config/*.exs."""
    ports = set(doctor_model.load_config(target).ports)
    ports.update(tool_checks.config_ports(target.root))
    return sorted(ports)


def compile_action(target: Target, mix_env: str) -> Callable[[Console], str]:
    """The one compile of ``mix_env`` that every later step of that env finds up to date
    (the same call, and environment, the sessions themselves make)."""

    def run(console: Console) -> str:
        if mix_env == exunit.MIX_ENV:
            compiled = exunit.compile_for_tests(target, console, echo=False)
        else:
            compiled = mix_build.compile_project(
                target, console, mix_env, dict(os.environ), echo=False
            )
        return f"{compiled.files} files compiled" if compiled.files else "up to date"

    return run


def setup_action(target: Target) -> Callable[[Console], str]:
    """``setup`` in the check's own process: the same call the session makes, without a
    nox start-up on the path every other step waits for."""

    def run(console: Console) -> str:
        return python_env.ensure(target, console).action

    return run


def doctor_action(target: Target) -> Callable[[Console], str]:
    """``doctor`` in-process, for the same reason; its errors stop the run (the gate)."""

    def run(console: Console) -> str:
        results = doctor_session.diagnose(target, console)
        if doctor_session.failed(results):
            raise DoctorFailed(doctor_session.failure_message(results))
        return ""

    return run


class DoctorFailed(NoxpitError):
    """doctor found an error; its remedies are in the step's output."""


def plan(target: Target, budget: int, *, retry: Sequence[str] = ()) -> list[Step]:
    """Every step, in the order of the summary. ``retry``: the main steps being rerun
    for failures (tests and examples then rerun only what failed in them)."""
    alone = load_config(target).alone
    lint_env = lint.load_config(target).mix_env
    dialyzer_env = dialyzer.load_config(target).mix_env
    examples_env = examples_config.parse_config(
        target.section("examples"), target.config_label
    ).mix_env
    docs_env = os.environ.get("MIX_ENV", "dev")  # `mix help` runs in the caller's env
    ports = frozenset(port(p) for p in fixed_ports(target))
    compiles = dict.fromkeys([exunit.MIX_ENV, lint_env, dialyzer_env, examples_env, docs_env])
    # Examples mostly wait (BEAM and worker start-up, sleeps): two at once keep about half
    # a core busy on the sample (user+sys / wall), so they claim one CPU for two jobs.
    examples_jobs = max(1, min(2, budget))
    failed_only = ("--failed",)
    steps = [
        Step("setup", "setup", action=setup_action(target), holds=frozenset({VENV})),
        Step(
            "doctor",
            "doctor",
            action=doctor_action(target),
            reads=frozenset({VENV}),
            needs=("setup",),
            gate=True,
        ),
        *(
            Step(
                f"compile ({env})",
                action=compile_action(target, env),
                holds=frozenset({build(env)}),
                reads=frozenset({VENV}),
                needs=("doctor",),
            )
            for env in compiles
        ),
        Step(
            "lint",
            "lint",
            holds=frozenset({build(f"noxpit-lint-{lint_env}")}),
            reads=frozenset({build(lint_env)}),  # it copies the compiled deps from there
            needs=(f"compile ({lint_env})",),
        ),
        Step(
            "dialyzer",
            "dialyzer",
            holds=frozenset({"dialyzer-plts"}),
            reads=frozenset({build(dialyzer_env)}),
            needs=(f"compile ({dialyzer_env})",),
        ),
        Step(
            "tests",
            "tests",
            args=failed_only if "tests" in retry else (),
            holds=ports,
            reads=frozenset({VENV, build(exunit.MIX_ENV)}),
            needs=(f"compile ({exunit.MIX_ENV})",),
        ),
        Step(
            "examples",
            "examples",
            args=(*(failed_only if "examples" in retry else ()), "--jobs", str(examples_jobs)),
            holds=ports,
            reads=frozenset({VENV, build(examples_env)}),
            needs=(f"compile ({examples_env})",),
        ),
        Step(
            "docs_check",
            "docs_check",
            reads=frozenset({build(docs_env)}),
            needs=(f"compile ({docs_env})",),
        ),
    ]
    return [dataclasses.replace(s, cpu=budget) if s.name in alone else s for s in steps]


def chosen(steps: Sequence[Step], names: Sequence[str]) -> set[str]:
    """The named main steps (all of them when none is named) and everything they need."""
    wanted = set(names or MAIN_STEPS)
    by_name = {step.name: step for step in steps}
    todo = list(wanted)
    while todo:
        for need in by_name[todo.pop()].needs:
            if need not in wanted:
                wanted.add(need)
                todo.append(need)
    return wanted
