"""Which ``mix test`` variants a target has, read from the target itself.

The default run, then ``--only TAG`` for each configured tag (``test_tags``) that the
default run excludes. Which tags it excludes is read from ``test/test_helper.exs`` as text
(``ExUnit.start(exclude: [...])``, ``ExUnit.configure(exclude: ...)``, or an ``exclude:``
list bound to a variable first, as snakepit does); no code is executed. A configured tag
the default run already includes is not run again: its tests are in the default variant.
``[mix_test] exclude`` applies to every variant, ``[mix_test] env`` is added to the
environment of the compile and every run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sessions.core.config import read_section, rule
from sessions.core.errors import NoxpitError
from sessions.core.target import Target

DEFAULT_VARIANT = "default"
TEST_HELPER = Path("test") / "test_helper.exs"
TAG_PATTERN = r"[a-z_][a-zA-Z0-9_]*"
USAGE = "nox -s mix_test -- [VARIANT] [mix test args]"

# `exclude: [:a, :b]`, `exclude: [a: true]`, `exclude: :a` (keyword or map style).
_EXCLUDE_LIST = re.compile(r"\bexclude:\s*\[(?P<items>[^\]]*)\]")
_EXCLUDE_ONE = re.compile(r"\bexclude:\s*:(?P<tag>\w+)")
_ATOM = re.compile(r"(?<![\w:]):(?P<tag>[a-z_]\w*)\b(?!\s*[:=])")
_TRUE_KEY = re.compile(r"\b(?P<tag>[a-z_]\w*):\s*true\b")
_COMMENT = re.compile(r"#[^\n\"]*$", re.MULTILINE)


class MixTestError(NoxpitError):
    """A variant the target does not have, or a bad ``[mix_test]`` table."""


@dataclass(frozen=True)
class MixTestConfig:
    exclude: tuple[str, ...] = field(
        default=(), metadata=rule(pattern=TAG_PATTERN, what="a tag name like skip_ci")
    )
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """The variants to run, and the configured tags that need no run of their own."""

    runs: tuple[str, ...]  # DEFAULT_VARIANT first, then tags
    in_default: tuple[str, ...]  # configured tags the default run does not exclude
    default_excludes: tuple[str, ...]  # what test_helper.exs excludes
    exclude: tuple[str, ...]  # [mix_test] exclude, for every variant
    env: Mapping[str, str]

    def why_not_run(self, tag: str) -> str:
        return f"already in the default variant ({TEST_HELPER} does not exclude :{tag})"


def default_excludes(helper_text: str) -> list[str]:
    """The tags ``test_helper.exs`` excludes from the default run (in the order written)."""
    text = _COMMENT.sub("", helper_text)
    tags: list[str] = []
    for match in _EXCLUDE_LIST.finditer(text):
        items = match.group("items")
        tags += [m.group("tag") for m in _ATOM.finditer(items)]
        tags += [m.group("tag") for m in _TRUE_KEY.finditer(items)]
    tags += [m.group("tag") for m in _EXCLUDE_ONE.finditer(text)]
    return list(dict.fromkeys(tags))


def read_default_excludes(root: Path) -> list[str]:
    try:
        return default_excludes((root / TEST_HELPER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return []  # no helper: ExUnit excludes nothing by default


def load_config(target: Target) -> MixTestConfig:
    where = f"{target.config_label}: [mix_test]"
    return read_section(MixTestConfig, target.section("mix_test"), where, MixTestError)


def plan(target: Target) -> Plan:
    config = load_config(target)
    excluded = read_default_excludes(target.root)
    tags = [tag for tag in target.test_tags if tag in excluded]
    in_default = [tag for tag in target.test_tags if tag not in excluded]
    return Plan(
        (DEFAULT_VARIANT, *tags),
        tuple(in_default),
        tuple(excluded),
        config.exclude,
        dict(config.env),
    )


def check_variant(the_plan: Plan, variant: str) -> None:
    if variant in the_plan.runs:
        return
    if variant in the_plan.in_default:
        raise MixTestError(
            f"`{variant}` is {the_plan.why_not_run(variant)}: run `nox -s mix_test`, or "
            f"`nox -s mix_test -- --only {variant}` for those tests alone"
        )
    raise MixTestError(
        f"`{variant}` is not a mix test variant of this target; use one of "
        f"{', '.join(the_plan.runs)} (`{USAGE}`; a tag {TEST_HELPER} excludes becomes a "
        "variant when listed in test_tags)"
    )


def _looks_like_variant(arg: str) -> bool:
    return re.fullmatch(TAG_PATTERN, arg) is not None and arg != "test"


def split_posargs(the_plan: Plan, posargs: Sequence[str]) -> tuple[str, list[str]]:
    """``[VARIANT] [mix test args]``: the variant, then what goes to ``mix test``.

    Without a variant (no args, an option or a test file first) it is the default run."""
    if not posargs or not _looks_like_variant(posargs[0]):
        return DEFAULT_VARIANT, list(posargs)
    check_variant(the_plan, posargs[0])
    return posargs[0], list(posargs[1:])
