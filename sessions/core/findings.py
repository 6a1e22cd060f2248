"""A problem at a place in the target: what lint, dialyzer and docs_check report.

Rendered as ``file:line: message`` (what editors and terminals turn into links) and, on
GitHub Actions, as an error annotation on that line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sessions.core.console import Console


@dataclass(frozen=True)
class Finding:
    file: str  # relative to the target root when inside it
    line: int | None
    message: str
    code: str = ""  # which check found it, when a session runs several (docs_check)

    def render(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}" + (f" [{self.code}]" if self.code else "")

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line or 0, self.code, self.message)


def relative_to(root: Path, path: str) -> str:
    """A reported path as users see it: relative to the target root when inside it."""
    candidate = Path(path)
    if not candidate.is_absolute():
        return path.removeprefix("./")
    try:
        return str(candidate.resolve().relative_to(root.resolve()))
    except ValueError:
        return path


def report(console: Console, findings: Iterable[Finding], title: str) -> None:
    """Each finding on its own line, and as a GitHub annotation when on Actions."""
    for finding in findings:
        console.line(f"noxpit > {title}: {finding.render()}")
        console.annotate(
            "error", finding.message, file=finding.file, line=finding.line, title=title
        )
