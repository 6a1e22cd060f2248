"""``mix test`` variants: the default run and one ``--only <tag>`` run per configured tag."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from sessions import procs
from sessions.console import Console
from sessions.errors import NoxpitError
from sessions.project import Target

DEFAULT_VARIANT = "default"


class MixTestError(NoxpitError):
    """A variant that the target does not define."""


def variants(target: Target) -> list[str]:
    return [DEFAULT_VARIANT, *target.test_tags]


def environment(target: Target, base: Mapping[str, str]) -> dict[str, str]:
    """What the Elixir side needs to find the venv's Python."""
    return {**base, "MIX_ENV": "test", target.python_env_var: str(target.venv_python)}


def command(variant: str, posargs: Sequence[str]) -> list[str]:
    only = [] if variant == DEFAULT_VARIANT else ["--only", variant]
    return ["mix", "test", *only, *posargs]


def run(
    target: Target, console: Console, variant: str, posargs: Sequence[str] = ()
) -> procs.Completed:
    if variant not in variants(target):
        raise MixTestError(
            f"unknown mix test variant `{variant}`; use one of {', '.join(variants(target))}"
        )
    console.step("mix test" + ("" if variant == DEFAULT_VARIANT else f" --only {variant}"))
    return procs.run(
        command(variant, posargs), cwd=target.root, env=environment(target, os.environ)
    )
