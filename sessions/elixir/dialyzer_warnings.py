"""Dialyzer's warnings as ``file:line: message`` findings, and the ignore file that waives some.

The ignore file (``.dialyzer_ignore`` by default) holds one entry per line:

* ``lib/x.ex:12: text`` waives warnings at that file and line whose message contains text;
* ``lib/x.ex: text`` the same on any line of that file;
* ``/regex/`` waives warnings whose rendered ``file:line: message`` matches (``re.search``).

Blank lines and lines starting with ``#`` are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sessions.core import findings
from sessions.core.errors import NoxpitError
from sessions.core.findings import Finding

_WARNING = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+)(?::\d+)?: (?P<message>.*)$")
_UNKNOWN_HEADER = re.compile(r"^Unknown (?P<what>functions|types):\s*$")
_UNKNOWN_ENTRY = re.compile(r"^\s+(?P<name>\S+) \((?P<file>[^():]+):(?P<line>\d+)(?::\d+)?\)\s*$")
_ELIXIR_MFA = re.compile(r"'Elixir\.(?P<module>[\w.]+)':(?P<fun>'[^']+'|[\w?!]+)/(?P<arity>\d+)")
_ELIXIR_MODULE = re.compile(r"'Elixir\.(?P<module>[\w.]+)'")
_ENTRY = re.compile(r"^(?P<file>[^\s:][^:]*?)(?::(?P<line>\d+))?: (?P<text>.+)$")


class DialyzerWarningsError(NoxpitError):
    """The ignore file has a line noxpit cannot read."""


def elixir_names(text: str) -> str:
    """``'Elixir.Pitpool.Pool':call/3`` reads ``Pitpool.Pool.call/3``, as Elixir users write it."""
    text = _ELIXIR_MFA.sub(
        lambda m: f"{m.group('module')}.{m.group('fun').strip(chr(39))}/{m.group('arity')}", text
    )
    return _ELIXIR_MODULE.sub(lambda m: m.group("module"), text)


def parse(output: str, root: Path) -> list[Finding]:
    """Warnings from dialyzer's ``-o`` file: located warnings, then Unknown functions/types."""
    result: list[Finding] = []
    unknown: str | None = None
    for raw in output.splitlines():
        if not raw.strip():
            continue
        header = _UNKNOWN_HEADER.match(raw)
        if header:
            unknown = "function" if header.group("what") == "functions" else "type"
            continue
        if unknown is not None:
            entry = _UNKNOWN_ENTRY.match(raw)
            if entry:
                result.append(
                    Finding(
                        findings.relative_to(root, entry.group("file")),
                        int(entry.group("line")),
                        f"Unknown {unknown} {elixir_names(entry.group('name'))}",
                    )
                )
                continue
            unknown = None
        warning = _WARNING.match(raw)
        if warning:
            result.append(
                Finding(
                    findings.relative_to(root, warning.group("file")),
                    int(warning.group("line")),
                    elixir_names(warning.group("message").strip()),
                )
            )
        elif result and raw[:1].isspace():  # a continuation of the previous message
            last = result[-1]
            result[-1] = Finding(
                last.file, last.line, f"{last.message} {elixir_names(raw.strip())}"
            )
    return result


@dataclass(frozen=True)
class IgnoreEntry:
    source_line: int
    text: str
    file: str | None = None
    line: int | None = None
    substring: str | None = None
    pattern: re.Pattern[str] | None = None

    def matches(self, finding: Finding) -> bool:
        if self.pattern is not None:
            return self.pattern.search(finding.render()) is not None
        if finding.file != self.file:
            return False
        if self.line is not None and finding.line != self.line:
            return False
        return self.substring is not None and self.substring in finding.message


def parse_ignore(text: str, label: str) -> list[IgnoreEntry]:
    entries: list[IgnoreEntry] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if len(line) > 2 and line.startswith("/") and line.endswith("/"):
            try:
                entries.append(IgnoreEntry(number, line, pattern=re.compile(line[1:-1])))
            except re.error as exc:
                raise DialyzerWarningsError(
                    f"{label}:{number}: invalid regex ({exc}); fix or remove the line"
                ) from None
            continue
        match = _ENTRY.match(line)
        if match is None:
            raise DialyzerWarningsError(
                f"{label}:{number}: expected `file:line: text`, `file: text` or `/regex/`"
            )
        entries.append(
            IgnoreEntry(
                number,
                line,
                file=match.group("file").removeprefix("./"),
                line=int(match.group("line")) if match.group("line") else None,
                substring=match.group("text").strip(),
            )
        )
    return entries


def read_ignore(path: Path, label: str) -> list[IgnoreEntry]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise DialyzerWarningsError(f"{label}: cannot read ({exc})") from None
    return parse_ignore(text, label)


@dataclass(frozen=True)
class Filtered:
    kept: list[Finding]
    ignored: list[Finding]
    unused: list[IgnoreEntry]  # entries that matched nothing: stale waivers


def apply_ignore(found: list[Finding], entries: list[IgnoreEntry]) -> Filtered:
    kept: list[Finding] = []
    ignored: list[Finding] = []
    used: set[int] = set()
    for finding in found:
        hits = [entry for entry in entries if entry.matches(finding)]
        if hits:
            ignored.append(finding)
            used.update(entry.source_line for entry in hits)
        else:
            kept.append(finding)
    unused = [entry for entry in entries if entry.source_line not in used]
    return Filtered(kept, ignored, unused)
