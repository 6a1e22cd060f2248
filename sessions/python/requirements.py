"""Requirements files as pip reads them: lines, comments, continuations, ``-r``/``-c`` includes.

``setup`` fingerprints every file that takes part (an edit to an included file must
trigger a reinstall) and ``doctor`` needs the requirement lines to compare them with what
is installed, so both read them here, the same way. Each requirement is parsed with
``packaging`` (what pip itself uses), so a typo is one line naming the file and line, before
any installer runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from sessions.core.errors import NoxpitError
from sessions.core.files import first_line

_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=\S))(\S+)$")
_COMMENT = re.compile(r"(^|\s+)#.*$")
_LINE_OPTION = re.compile(r"\s+--?[A-Za-z]")  # per-requirement options: --hash=...
_NOT_PEP508 = re.compile(r"^(\.|/|~|[\w+.-]+://|file:)|\$\{|\.(whl|zip|tar\.gz|tgz|tar\.bz2)$")


class RequirementsFileError(NoxpitError):
    """A requirements file is missing, cannot be read, or has a line pip would reject."""


@dataclass(frozen=True)
class RequirementLine:
    """One requirement (``pytest>=7``, ``pkg[extra]; python_version<'3.12'``) and its origin."""

    text: str
    file: Path
    lineno: int
    constraint: bool = False  # from a ``-c`` file: limits versions, installs nothing
    requirement: Requirement | None = None  # None: a path or URL pip installs as is


@dataclass(frozen=True)
class Requirements:
    files: tuple[tuple[Path, bytes], ...]  # every file read, in order, with its bytes
    lines: tuple[RequirementLine, ...]

    def digest_input(self, rel: Callable[[Path], str]) -> bytes:
        """Names and contents of every file: what the fingerprint hashes."""
        return b"\0\0".join(rel(path).encode() + b"\0" + data for path, data in self.files)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Comments stripped and backslash continuations joined, with 1-based line numbers."""
    out: list[tuple[int, str]] = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        joined = (pending + line).strip()
        pending = ""
        if joined:
            out.append((start, joined))
    if pending.strip():
        out.append((start, pending.strip()))
    return out


def parse_requirement(text: str, where: str) -> Requirement | None:
    """``text`` as a PEP 508 requirement; None for a local path or URL (pip takes those as
    they are); a one-line error naming ``where`` (``file:line``) for anything else."""
    spec = _LINE_OPTION.split(text, maxsplit=1)[0].strip()
    try:
        return Requirement(spec)
    except InvalidRequirement as exc:
        if _NOT_PEP508.search(spec):
            return None
        raise RequirementsFileError(
            f"{where}: `{text}` is not a valid requirement ({first_line(str(exc))}); "
            "fix the line (e.g. `pytest>=7`)"
        ) from None


def read(
    paths: Sequence[Path],
    rel: Callable[[Path], str],
    *,
    missing_hint: str = "create it",
) -> Requirements:
    """Read requirement files and what they include; one-line errors for missing files."""
    files: list[tuple[Path, bytes]] = []
    lines: list[RequirementLine] = []
    seen: set[Path] = set()

    def visit(path: Path, constraint: bool, included_from: str | None) -> None:
        resolved = path.resolve()
        if resolved in seen:
            return
        seen.add(resolved)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            where = f" (included from {included_from})" if included_from else ""
            raise RequirementsFileError(
                f"requirements file {rel(path)} is missing{where}; {missing_hint}"
            ) from None
        except IsADirectoryError:
            raise RequirementsFileError(
                f"requirements file {rel(path)} is a directory; point it at a file"
            ) from None
        except OSError as exc:
            raise RequirementsFileError(
                f"cannot read requirements file {rel(path)}: {exc.strerror}; fix its permissions"
            ) from None
        files.append((path, data))
        text = data.decode("utf-8", "replace")
        for lineno, line in _logical_lines(text):
            include = _INCLUDE.match(line)
            if include:
                flag, target = include.groups()
                visit(path.parent / target, flag in ("-c", "--constraint"), rel(path))
            elif not line.startswith("-"):
                parsed = parse_requirement(line, f"{rel(path)}:{lineno}")
                lines.append(RequirementLine(line, path, lineno, constraint, parsed))

    for path in paths:
        visit(path, False, None)
    return Requirements(tuple(files), tuple(lines))
