"""The review list: every mention of the current version (and every install snippet of
another version) in the target's text files that the release leaves as it is.

A maintainer wants to see what is left before committing, not a release later. History
(``[release] history`` globs, "before (vX)" context) is listed as kept; ``review_ignore``
silences known ones (``glob`` or ``glob:text``). Files are found through git when the
target is in git (so ``_build``, ``deps`` and ignored files are skipped), else by a walk.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sessions.release import git as gitrepo
from sessions.release.diff import unchanged_lines
from sessions.release.history import glob_match
from sessions.release.mentions import Decider, Mention

SKIP_DIRS = {".git", "_build", "deps", "node_modules", "__pycache__", ".elixir_ls", "cover"}
MAX_BYTES = 4 * 1024 * 1024


@dataclass
class Review:
    kept: list[Mention] = field(default_factory=list)
    unchanged: list[Mention] = field(default_factory=list)
    ignored: int = 0


def version_pattern(version: str) -> re.Pattern[str]:
    """``version`` as a whole version (not inside 10.13.0, 0.13.0.1 or 0.13.0-rc.1)."""
    return re.compile(rf"(?<![\w.+-])[vV]?{re.escape(version)}(?![\w+]|[.-][0-9A-Za-z])")


def snippet_pattern(app: str) -> re.Pattern[str]:
    return re.compile(
        rf'\{{:{re.escape(app)},\s*"(?:~>|==|>=|<=|>|<)?\s*(\d+\.\d+(?:\.\d+)?[0-9A-Za-z.+-]*)"'
    )


def target_files(root: Path) -> list[Path]:
    repo = gitrepo.find_repo(root)
    listed = repo.files(root) if repo is not None else None
    if listed is not None:
        return sorted(path for path in listed if path.is_file())
    return sorted(_walk(root))


def _walk(root: Path) -> Iterator[Path]:
    for current, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".venv")]
        for name in files:
            yield Path(current) / name


def _read(path: Path, needles: tuple[bytes, ...]) -> str | None:
    """The text of a UTF-8 file that contains one of ``needles``; None for anything else."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if not any(needle in data for needle in needles) or b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _ignored(rel: str, line: str, ignore: tuple[str, ...]) -> bool:
    for entry in ignore:
        pattern, sep, text = entry.partition(":")
        if glob_match(rel, pattern) and (not sep or text.strip() in line):
            return True
    return False


def review(
    root: Path,
    *,
    app: str,
    current: str,
    new: str,
    changed: Mapping[Path, tuple[str, str]],
    already: set[tuple[str, int]],
    decider: Decider,
    ignore: tuple[str, ...],
    files: list[Path] | None = None,
) -> Review:
    """Scan every text file; ``changed`` maps released files to (before, after) texts and
    ``already`` holds the ``(label, line)`` of mentions listed as bumped or kept."""
    result = Review()
    mention = version_pattern(current)
    snippet = snippet_pattern(app)
    needles = (current.encode(), f"{{:{app},".encode())
    quick = re.compile("|".join(re.escape(n.decode()) for n in needles))
    for path in target_files(root) if files is None else files:
        rel = decider.rel(path)
        pair = changed.get(path)
        if pair is None:
            text = _read(path, needles)
            if text is None:
                continue
            same: set[int] | None = None
        else:
            text, same = pair[0], unchanged_lines(*pair)
        lines = text.split("\n")
        for index in _candidate_lines(text, quick):
            line = lines[index]
            version = _mentioned(line, mention, snippet, current, new)
            if version is None or (same is not None and index not in same):
                continue
            if (rel, index + 1) in already:
                continue
            reason = decider.reason(path, text, index, version, same_line=True)
            if reason is not None:
                result.kept.append(Mention(rel, index + 1, line, reason))
            elif _ignored(rel, line, ignore):
                result.ignored += 1
            else:
                result.unchanged.append(Mention(rel, index + 1, line))
    return result


def _candidate_lines(text: str, quick: re.Pattern[str]) -> list[int]:
    """The 0-based lines holding a needle: only those are looked at closely."""
    found: list[int] = []
    line, position = 0, 0
    for match in quick.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        if not found or found[-1] != line:
            found.append(line)
    return found


def _mentioned(
    line: str, mention: re.Pattern[str], snippet: re.Pattern[str], current: str, new: str
) -> str | None:
    """The version this line mentions that the review cares about, or None."""
    if mention.search(line):
        return current
    for match in snippet.finditer(line):
        if match.group(1) != new:
            return match.group(1)
    return None


def rewritten(before: str, after: str, version: str) -> list[tuple[int, str]]:
    """Lines of ``before`` that mention ``version`` and that the release rewrites, as
    (0-based line, what it becomes): how the CHANGELOG's own edits are listed as bumped."""
    a, b = before.split("\n"), after.split("\n")
    pattern = version_pattern(version)
    same = unchanged_lines(before, after)
    out: list[tuple[int, str]] = []
    for index in _candidate_lines(before, re.compile(re.escape(version))):
        line = a[index]
        if index in same or not pattern.search(line):
            continue
        key = line.split(":", 1)[0]  # a link reference keeps its label: find it again
        new = next((c for c in b if c.split(":", 1)[0] == key and c != line), line)
        out.append((index, new))
    return out
