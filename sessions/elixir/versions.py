"""Elixir's ``Version`` requirements (``~> 1.14``, ``>= 1.14.0 and < 2.0.0``), in Python.

The doctor compares the installed Elixir with mix.exs's ``elixir:`` requirement without
booting the BEAM, so the rules here mirror ``Version.parse_requirement/1`` and
``Version.match?/3`` exactly: SemVer precedence (build metadata ignored), ``~>`` with an
upper bound that excludes that bound's pre-releases (``~> 2.1`` is ``>= 2.1.0 and
< 3.0.0-0``), ``and`` binding tighter than ``or``, and ``allow_pre`` (default true, as Mix
uses it) that, when false, keeps pre-releases out unless the operand is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Operator = Literal["==", "!=", ">", ">=", "<", "<=", "~>"]
PreId = int | str

# Longest first, as Elixir's lexer tries them; " or " / " and " need their spaces.
_OPERATORS: tuple[tuple[str, str], ...] = (
    (">=", ">="),
    ("<=", "<="),
    ("~>", "~>"),
    (">", ">"),
    ("<", "<"),
    ("==", "=="),
    ("!=", "!="),  # deprecated in Elixir 1.14, still accepted
    ("!", "!="),
    (" or ", "or"),
    (" and ", "and"),
)
_DIGITS = re.compile(r"[0-9]+")
_IDENTIFIER = re.compile(r"[0-9A-Za-z-]+")


class InvalidVersion(ValueError):
    """Not a version ``Version.parse/1`` accepts."""


class InvalidRequirement(ValueError):
    """Not a requirement ``Version.parse_requirement/1`` accepts."""


@dataclass(frozen=True)
class Version:
    """MAJOR.MINOR.PATCH[-pre][+build]; ``patch`` is None only inside ``~>`` operands."""

    major: int
    minor: int
    patch: int | None
    pre: tuple[PreId, ...] = ()
    build: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch if self.patch is not None else 0}"
        if self.pre:
            text += "-" + ".".join(str(part) for part in self.pre)
        if self.build:
            text += "+" + ".".join(self.build)
        return text


@dataclass(frozen=True)
class Clause:
    op: Operator
    version: Version


@dataclass(frozen=True)
class Requirement:
    """Disjunction of conjunctions: ``a and b or c`` is ``[[a, b], [c]]``."""

    source: str
    groups: tuple[tuple[Clause, ...], ...]


# --- parsing -------------------------------------------------------------------------


def _number(text: str | None) -> int | None:
    """Digits without a leading zero (``0`` itself is fine), as Elixir's require_digits."""
    if text is None or not _DIGITS.fullmatch(text):
        return None
    if len(text) > 1 and text[0] == "0":
        return None
    return int(text)


def _dot_separated(text: str | None) -> list[str] | None:
    if text is None:
        return []
    parts = text.split(".")
    if all(part and _IDENTIFIER.fullmatch(part) for part in parts):
        return parts
    return None


def _pre_parts(parts: list[str]) -> tuple[PreId, ...] | None:
    converted: list[PreId] = []
    for part in parts:
        if _DIGITS.fullmatch(part):
            if len(part) > 1 and part[0] == "0":
                return None  # numeric identifiers must not have leading zeros
            converted.append(int(part))
        else:
            converted.append(part)
    return tuple(converted)


def _parse(text: str, *, approximate: bool) -> Version | None:
    version_with_pre, _, build_text = text.partition("+")
    build: str | None = build_text if "+" in text else None
    core, _, pre_text = version_with_pre.partition("-")
    pre: str | None = pre_text if "-" in version_with_pre else None
    pieces = core.split(".")
    if len(pieces) > 3 or len(pieces) < 2:
        return None
    major, minor = _number(pieces[0]), _number(pieces[1])
    patch_text = pieces[2] if len(pieces) == 3 else None
    patch = _number(patch_text)
    if major is None or minor is None:
        return None
    if patch is None and not (patch_text is None and approximate):
        return None
    pre_parts = _dot_separated(pre)
    build_parts = _dot_separated(build)
    if pre_parts is None or build_parts is None:
        return None
    pre_ids = _pre_parts(pre_parts)
    if pre_ids is None:
        return None
    return Version(major, minor, patch, pre_ids, tuple(build_parts))


def parse_version(text: str) -> Version:
    """A full version (``Version.parse/1``); raises ``InvalidVersion``."""
    version = _parse(text, approximate=False)
    if version is None:
        raise InvalidVersion(f"invalid version: {text!r}")
    return version


def _lex(source: str) -> list[str]:
    """Tokens: operators and version strings; a bare version gets an implicit ``==``."""
    tokens: list[str] = []
    buffer = ""

    def flush() -> None:
        nonlocal buffer
        if buffer:
            if tokens and tokens[-1] not in ("and", "or") and _is_op(tokens[-1]):
                tokens.append(buffer)
            else:
                tokens.extend(["==", buffer])
        buffer = ""

    index = 0
    while index < len(source):
        for literal, op in _OPERATORS:
            if source.startswith(literal, index):
                flush()
                tokens.append(op)
                index += len(literal)
                break
        else:
            char = source[index]
            if char == " ":
                flush()
            else:
                buffer += char
            index += 1
    flush()
    return tokens


def _is_op(token: str) -> bool:
    return token in {"==", "!=", ">", ">=", "<", "<=", "~>", "and", "or"}


def parse_requirement(source: str) -> Requirement:
    """``Version.parse_requirement/1``; raises ``InvalidRequirement``."""
    tokens = _lex(source)
    groups: list[list[Clause]] = [[]]
    index = 0
    while True:
        if index + 1 >= len(tokens):
            raise InvalidRequirement(f"invalid requirement: {source!r}")
        op, operand = tokens[index], tokens[index + 1]
        if not _is_op(op) or op in ("and", "or") or _is_op(operand):
            raise InvalidRequirement(f"invalid requirement: {source!r}")
        version = _parse(operand, approximate=op == "~>")
        if version is None:
            raise InvalidRequirement(f"invalid requirement: {source!r}")
        groups[-1].append(Clause(op, version))  # type: ignore[arg-type]
        index += 2
        if index == len(tokens):
            break
        joiner = tokens[index]
        if joiner == "or":
            groups.append([])
        elif joiner != "and":
            raise InvalidRequirement(f"invalid requirement: {source!r}")
        index += 1
    return Requirement(source, tuple(tuple(group) for group in groups))


# --- matching ------------------------------------------------------------------------


def _pre_key(pre: tuple[PreId, ...]) -> tuple[tuple[int, int | str], ...]:
    # Erlang term order: every integer sorts before every binary.
    return tuple((0, part) if isinstance(part, int) else (1, part) for part in pre)


def compare(left: Version, right: Version) -> int:
    """-1, 0 or 1, as ``Version.compare/2`` (:lt/:eq/:gt); build metadata is ignored."""
    a = (left.major, left.minor, left.patch or 0)
    b = (right.major, right.minor, right.patch or 0)
    if a != b:
        return -1 if a < b else 1
    if not left.pre or not right.pre:
        if left.pre == right.pre:
            return 0
        return -1 if left.pre else 1  # a pre-release sorts before its release
    ka, kb = _pre_key(left.pre), _pre_key(right.pre)
    if ka == kb:
        return 0
    return -1 if ka < kb else 1


def _pre_allowed(clause: Clause, version: Version, allow_pre: bool) -> bool:
    return allow_pre or bool(clause.version.pre) or not version.pre


def _matches(clause: Clause, version: Version, allow_pre: bool) -> bool:
    operand = clause.version
    order = compare(version, operand)
    if clause.op == "==":
        return order == 0
    if clause.op == "!=":
        return order != 0
    if clause.op == "<":
        return order < 0
    if clause.op == "<=":
        return order <= 0
    if clause.op == ">":
        return order > 0 and _pre_allowed(clause, version, allow_pre)
    if clause.op == ">=":
        return order >= 0 and _pre_allowed(clause, version, allow_pre)
    # ~>: from the operand (patch 0 when omitted) up to, not including, the next
    # minor (patch given) or major (patch omitted) -- and none of that bound's pre-releases.
    lower = Version(operand.major, operand.minor, operand.patch or 0, operand.pre)
    if operand.patch is None:
        upper = Version(operand.major + 1, 0, 0, (0,))
    else:
        upper = Version(operand.major, operand.minor + 1, 0, (0,))
    return (
        compare(version, lower) >= 0
        and compare(version, upper) < 0
        and _pre_allowed(clause, version, allow_pre)
    )


def matches(
    version: str | Version, requirement: str | Requirement, *, allow_pre: bool = True
) -> bool:
    """``Version.match?/3``: raises ``InvalidVersion`` / ``InvalidRequirement`` on bad input."""
    parsed = parse_version(version) if isinstance(version, str) else version
    req = parse_requirement(requirement) if isinstance(requirement, str) else requirement
    return any(all(_matches(clause, parsed, allow_pre) for clause in group) for group in req.groups)
