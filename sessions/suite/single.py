"""The ``mix_test`` and ``pytest`` sessions: one suite, its failed tests rerun once, as in
``tests``. ``--no-rerun`` is noxpit's, taken out before the rest goes to mix test / pytest."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from sessions.core.console import Console
from sessions.core.status import Status
from sessions.core.target import Target
from sessions.elixir import exunit
from sessions.elixir import variants as variants_
from sessions.python import env as python_env
from sessions.suite import flaky as flaky_
from sessions.suite import rerun as rerun_

NO_RERUN = "--no-rerun"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str


def _split(posargs: Sequence[str]) -> tuple[list[str], bool]:
    return [a for a in posargs if a != NO_RERUN], NO_RERUN not in posargs


def _outcome(console: Console, tested: rerun_.Tested, policy: str) -> Outcome:
    rerun_.tell(console, tested)
    status, detail = rerun_.verdict(tested, policy)
    if status == Status.FLAKY:
        console.step(f"{tested.name}: {detail}")
    return Outcome(not status.bad, f"{tested.name} failed" + (f" ({detail})" if detail else ""))


def mix_test(target: Target, console: Console, posargs: Sequence[str]) -> Outcome:
    """``[VARIANT] [mix test args]``: compile once, run the variant, rerun its failures."""
    policy = flaky_.flaky_policy(target, os.environ)
    args, rerun = _split(posargs)
    plan = variants_.plan(target)
    variant, rest = variants_.split_posargs(plan, args)
    python_env.ensure(target, console)  # the workers' venv, as `tests` and `pytest` do
    exunit.compile_for_tests(target, console, plan=plan)
    tested = rerun_.exunit_variant(target, console, plan, variant, rest, rerun=rerun)
    return _outcome(console, tested, policy)


def pytest(target: Target, console: Console, posargs: Sequence[str]) -> Outcome:
    policy = flaky_.flaky_policy(target, os.environ)
    args, rerun = _split(posargs)
    python_env.ensure(target, console)
    return _outcome(console, rerun_.pytest(target, console, args, rerun=rerun), policy)
