"""Output people can scan: step lines, one summary table, colour only on a TTY.

Honours NO_COLOR / FORCE_COLOR, and on GitHub Actions (``GITHUB_ACTIONS``) also emits
workflow annotations and appends Markdown to the job's step summary.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

_COLOURS = {"green": "32", "red": "31", "yellow": "33", "dim": "2", "bold": "1"}
STATUS_COLOUR = {
    "ok": "green",
    "passed": "green",
    "failed": "red",
    "error": "red",
    "timeout": "red",
    "warn": "yellow",
    "skipped": "yellow",
    "skip": "yellow",
}


def use_colour(stream: TextIO, environ: Mapping[str, str]) -> bool:
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and environ.get("TERM") != "dumb"


def on_github(environ: Mapping[str, str]) -> bool:
    return environ.get("GITHUB_ACTIONS") == "true"


class Console:
    """Where sessions print: colour, annotations and step summary decided once."""

    def __init__(
        self, stream: TextIO | None = None, environ: Mapping[str, str] | None = None
    ) -> None:
        self.stream = stream or sys.stdout
        self.environ = os.environ if environ is None else environ
        self.colour = use_colour(self.stream, self.environ)
        self.github = on_github(self.environ)

    def paint(self, text: str, colour: str) -> str:
        if not self.colour or colour not in _COLOURS:
            return text
        return f"\033[{_COLOURS[colour]}m{text}\033[0m"

    def status(self, status: str) -> str:
        return self.paint(status, STATUS_COLOUR.get(status.lower(), ""))

    def line(self, text: str = "") -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def step(self, text: str) -> None:
        """One line per step, marked so it stands out from the children's output."""
        self.line(self.paint(f"noxpit > {text}", "bold"))

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], title: str = "") -> None:
        """A plain-text table for the terminal; also Markdown in the GitHub step summary."""
        widths = [len(h) for h in headers]
        for row in rows:
            widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
        if title:
            self.line(title)
        self.line("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
        self.line("  ".join("-" * w for w in widths))
        for row in rows:
            cells = [
                self.status(cell.ljust(w)) if cell.lower() in STATUS_COLOUR else cell.ljust(w)
                for cell, w in zip(row, widths, strict=True)
            ]
            self.line("  ".join(cells).rstrip())
        self.summary_markdown(markdown_table(headers, rows, title))

    def annotate(
        self,
        level: str,
        message: str,
        file: str | None = None,
        line: int | None = None,
        title: str | None = None,
    ) -> None:
        """A GitHub workflow annotation (``error``/``warning``/``notice``); no-op elsewhere."""
        if not self.github:
            return
        props = []
        if file:
            props.append(f"file={_escape_property(file)}")
        if line:
            props.append(f"line={line}")
        if title:
            props.append(f"title={_escape_property(title)}")
        prefix = f"::{level} {','.join(props)}" if props else f"::{level}"
        self.line(f"{prefix}::{_escape_data(message)}")

    def summary_markdown(self, markdown: str) -> None:
        path = self.environ.get("GITHUB_STEP_SUMMARY")
        if not self.github or not path:
            return
        try:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(markdown + "\n")
        except OSError:
            pass


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str = "") -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [f"### {title}", ""] if title else []
    lines.append("| " + " | ".join(cell(h) for h in headers) + " |")
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def seconds(value: float) -> str:
    return f"{value:.1f}s"
