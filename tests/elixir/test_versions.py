"""Elixir's Version requirements in Python: the documented table, and the real Elixir as oracle."""

from __future__ import annotations

import itertools

import pytest

from sessions.elixir.versions import (
    InvalidRequirement,
    InvalidVersion,
    compare,
    matches,
    parse_requirement,
    parse_version,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("version", "requirement", "expected"),
    [
        # ~> with and without patch (Elixir's Version docs)
        ("1.14.0", "~> 1.14", True),
        ("1.99.9", "~> 1.14", True),
        ("2.0.0", "~> 1.14", False),
        ("1.13.9", "~> 1.14", False),
        ("1.14.2", "~> 1.14.2", True),
        ("1.14.9", "~> 1.14.2", True),
        ("1.15.0", "~> 1.14.2", False),
        ("1.14.1", "~> 1.14.2", False),
        # pre-releases: in range when above the lower bound, never of the upper bound
        ("2.1.3-dev", "~> 2.1.2", True),
        ("2.2.0-dev", "~> 2.1", True),
        ("2.2.0-dev", "~> 2.1.0", False),
        ("3.0.0-rc.0", "~> 2.1", False),
        ("2.1.0-dev", "~> 2.1", False),
        ("2.1.0-dev", "~> 2.1-dev", True),
        ("1.0.0-rc.10", "> 1.0.0-rc.9", True),
        ("1.0.0-rc.a", "> 1.0.0-rc.9", True),  # alphanumeric sorts after numeric
        ("1.0.0-rc", "< 1.0.0-rc.0", True),  # shorter pre-release sorts first
        ("1.0.0-rc.1", "< 1.0.0", True),
        # other operators, build metadata ignored, implicit ==
        ("1.0.0+build.5", "== 1.0.0", True),
        ("1.0.0", "1.0.0", True),
        ("1.0.0", ">=1.0.0", True),
        ("1.0.1", "<= 1.0.0", False),
        # and binds tighter than or
        ("1.0.0", "== 1.0.0 or == 2.0.0 and == 3.0.0", True),
        ("3.0.0", "== 1.0.0 or == 2.0.0 and == 3.0.0", False),
        ("1.5.0", ">= 1.0.0 and < 2.0.0", True),
        ("2.5.0", ">= 1.0.0 and < 2.0.0 or ~> 2.5", True),
    ],
)
def test_matches_like_elixir(version: str, requirement: str, expected: bool) -> None:
    assert matches(version, requirement) is expected


def test_allow_pre_false_keeps_prereleases_out_unless_the_operand_is_one() -> None:
    assert matches("2.1.3-dev", "~> 2.1.2", allow_pre=True)
    assert not matches("2.1.3-dev", "~> 2.1.2", allow_pre=False)
    assert matches("2.2.0-dev", "~> 2.1-dev", allow_pre=False)
    assert not matches("2.2.0-dev", ">= 2.1.0", allow_pre=False)
    assert matches("2.2.3-dev", ">= 2.1.0-dev", allow_pre=False)


@pytest.mark.parametrize(
    "requirement",
    ["~> 1", "> 1.0", "== 01.0.0", ">= 1.0.0 and", "and >= 1.0.0", ">= >= 1.0.0", "", "1.0. 0"],
)
def test_invalid_requirements_are_rejected(requirement: str) -> None:
    with pytest.raises(InvalidRequirement):
        parse_requirement(requirement)


@pytest.mark.parametrize("version", ["1.0", "1.0.0.0", "1.0.0-", "1.0.0-01", "1.0.0+a+b", "v1.0.0"])
def test_invalid_versions_are_rejected(version: str) -> None:
    with pytest.raises(InvalidVersion):
        parse_version(version)


def test_compare_orders_prereleases_before_release() -> None:
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2", "1.0.0-beta.11"]
    ordered += ["1.0.0-rc.1", "1.0.0"]
    versions = [parse_version(v) for v in ordered]
    for left, right in itertools.pairwise(versions):
        assert compare(left, right) == -1
        assert compare(right, left) == 1


# --- the real Elixir as oracle -------------------------------------------------------
