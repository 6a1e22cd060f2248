"""SemVer 2.0 versions: parse, order by precedence, compute the next release.

Pure and dependency-free so the release plan can validate versions before anything else
runs. ``major``/``minor``/``patch`` follow npm's rule for pre-releases: bumping the part a
pre-release is already heading for just drops the pre-release (``1.2.0-rc.1`` minor ->
``1.2.0``), since that is the release it was a candidate for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

from sessions.core.errors import NoxpitError

_IDENT = r"[0-9A-Za-z-]+"
_NUM = r"0|[1-9]\d*"
_PRE_IDENT = rf"(?:{_NUM}|\d*[A-Za-z-][0-9A-Za-z-]*)"
SEMVER_RE = re.compile(
    rf"^(?P<major>{_NUM})\.(?P<minor>{_NUM})\.(?P<patch>{_NUM})"
    rf"(?:-(?P<pre>{_PRE_IDENT}(?:\.{_PRE_IDENT})*))?"
    rf"(?:\+(?P<build>{_IDENT}(?:\.{_IDENT})*))?$",
    re.ASCII,
)
BUMP_PARTS = ("major", "minor", "patch")


class VersionError(NoxpitError):
    """A version string that is not SemVer, or a version that does not move forward."""


@total_ordering
@dataclass(frozen=True)
class Version:
    """One SemVer version; ordering is SemVer precedence (build metadata ignored)."""

    major: int
    minor: int
    patch: int
    pre: tuple[str, ...] = ()
    build: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            text += "-" + ".".join(self.pre)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    @property
    def core(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def _key(self) -> tuple[tuple[int, int, int], int, tuple[tuple[int, int, str], ...]]:
        # A release sorts after all its pre-releases; numeric identifiers sort before
        # alphanumeric ones and compare as numbers; a longer identifier list wins a tie.
        pre_key = tuple((0, int(i), "") if i.isdigit() else (1, 0, i) for i in self.pre)
        return (self.core, 0 if self.pre else 1, pre_key)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()


def parse(text: str, *, what: str = "version") -> Version:
    """A ``Version`` from ``X.Y.Z[-pre][+build]``, or one line saying what is wrong."""
    match = SEMVER_RE.match(text)
    if match is None:
        hint = ""
        if text[:1] in ("v", "V") and SEMVER_RE.match(text[1:]):
            hint = f"; write {text[1:]} (no leading v)"
        raise VersionError(
            f'{what} "{text}" is not SemVer 2.0 (X.Y.Z with optional -pre and +build){hint}'
        )
    pre = match.group("pre")
    build = match.group("build")
    return Version(
        major=int(match.group("major")),
        minor=int(match.group("minor")),
        patch=int(match.group("patch")),
        pre=tuple(pre.split(".")) if pre else (),
        build=tuple(build.split(".")) if build else (),
    )


def is_semver(text: str) -> bool:
    return SEMVER_RE.match(text) is not None


def bump(current: Version, part: str) -> Version:
    """The next ``major``/``minor``/``patch`` release after ``current``."""
    major, minor, patch = current.core
    if part == "major":
        if current.pre and minor == 0 and patch == 0:
            return Version(major, 0, 0)
        return Version(major + 1, 0, 0)
    if part == "minor":
        if current.pre and patch == 0:
            return Version(major, minor, 0)
        return Version(major, minor + 1, 0)
    if part == "patch":
        if current.pre:
            return Version(major, minor, patch)
        return Version(major, minor, patch + 1)
    raise VersionError(f"unknown bump {part!r}; use one of {', '.join(BUMP_PARTS)}")


def next_version(current_text: str, requested: str) -> Version:
    """Resolve the requested VERSION (explicit SemVer or a bump part) against the current
    one, and insist that it moves strictly forward."""
    current = parse(current_text, what="current version in mix.exs")
    if requested in BUMP_PARTS:
        return bump(current, requested)
    new = parse(requested)
    if new == current and str(new) != str(current):
        raise VersionError(
            f"{new} has the same precedence as the current version {current} (build metadata "
            "does not count); choose a higher version"
        )
    if new <= current:
        relation = "equal to" if new == current else "lower than"
        raise VersionError(
            f"{new} is {relation} the current version {current}; choose a higher version "
            f"(e.g. {bump(current, 'patch')})"
        )
    return new
