"""SemVer 2.0 parsing, precedence and the next-version rules the release relies on."""

from __future__ import annotations

import itertools

import pytest

from sessions.core import semver
from sessions.core.semver import VersionError, bump, next_version, parse

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text",
    [
        "0.0.0",
        "1.2.3",
        "10.20.30",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-0.3.7",
        "1.0.0-x.7.z.92",
        "1.0.0-x-y-z.--",
        "1.0.0+20130313144700",
        "1.0.0-beta+exp.sha.5114f85",
        "1.0.0+21AF26D3----117B344092BD",
    ],
)
def test_valid_versions_round_trip(text: str) -> None:
    assert str(parse(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "1",
        "1.2",
        "1.2.3.4",
        "01.2.3",
        "1.02.3",
        "1.2.03",
        "1.2.3-",
        "1.2.3-01",
        "1.2.3+",
        "1.2.3-a..b",
        "1.2.3 ",
        " 1.2.3",
        "a.b.c",
        "",
        "1.2.3-é",
    ],
)
def test_invalid_versions_are_rejected_with_one_line(text: str) -> None:
    with pytest.raises(VersionError) as info:
        parse(text)
    assert "\n" not in str(info.value)
    assert "not SemVer" in str(info.value)


def test_leading_v_gets_a_hint() -> None:
    with pytest.raises(VersionError, match=r"write 1\.2\.3 \(no leading v\)"):
        parse("v1.2.3")


def test_precedence_follows_the_spec_example_chain() -> None:
    chain = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "2.0.0",
    ]
    versions = [parse(text) for text in chain]
    assert sorted(reversed(versions)) == versions
    for lower, higher in itertools.pairwise(versions):
        assert lower < higher


def test_build_metadata_does_not_count_for_precedence() -> None:
    assert parse("1.0.0+a") == parse("1.0.0+b")
    assert not parse("1.0.0+a") < parse("1.0.0")


@pytest.mark.parametrize(
    ("current", "part", "expected"),
    [
        ("0.1.0", "patch", "0.1.1"),
        ("0.1.0", "minor", "0.2.0"),
        ("0.1.0", "major", "1.0.0"),
        ("1.9.9", "minor", "1.10.0"),
        ("1.2.3-rc.1", "patch", "1.2.3"),
        ("1.2.0-rc.1", "minor", "1.2.0"),
        ("1.2.3-rc.1", "minor", "1.3.0"),
        ("2.0.0-rc.1", "major", "2.0.0"),
        ("2.1.0-rc.1", "major", "3.0.0"),
        ("1.2.3+build.5", "patch", "1.2.4"),
    ],
)
def test_bump_parts(current: str, part: str, expected: str) -> None:
    assert str(bump(parse(current), part)) == expected
    assert str(next_version(current, part)) == expected


def test_explicit_prerelease_above_current_is_accepted() -> None:
    assert str(next_version("0.1.0", "0.2.0-rc.1")) == "0.2.0-rc.1"
    assert str(next_version("0.2.0-rc.1", "0.2.0")) == "0.2.0"


@pytest.mark.parametrize(
    ("current", "requested", "message"),
    [
        ("0.1.0", "0.1.0", "equal to the current version 0.1.0"),
        ("0.1.0", "0.0.9", "lower than the current version 0.1.0"),
        ("0.1.0", "0.1.0-rc.1", "lower than the current version 0.1.0"),
        ("0.1.0", "0.1.0+build", "same precedence"),
        ("0.2.0-rc.2", "0.2.0-rc.1", "lower than"),
    ],
)
def test_not_strictly_greater_is_refused(current: str, requested: str, message: str) -> None:
    with pytest.raises(VersionError, match=message):
        next_version(current, requested)


def test_unknown_bump_part() -> None:
    with pytest.raises(VersionError, match="unknown bump"):
        bump(parse("1.0.0"), "micro")
    assert semver.BUMP_PARTS == ("major", "minor", "patch")
