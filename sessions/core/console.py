"""Output people can scan: step lines, one summary table, colour only on a TTY.

Honours NO_COLOR / FORCE_COLOR, and on GitHub Actions (``GITHUB_ACTIONS``) also emits
workflow annotations and appends Markdown to the job's step summary. Every annotation goes
through ``Console.annotate``: paths relative to ``GITHUB_WORKSPACE``, at most
``ANNOTATION_CAP`` per kind per process (GitHub shows no more per step; the rest are counted
in one notice at exit), and under ``nox -s check`` (``NOXPIT_ANNOTATIONS``) recorded to a
file instead, so the check emits them once for the whole run.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
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
    "flaky": "yellow",
}
ANNOTATION_CAP = 10  # GitHub shows at most 10 errors and 10 warnings per step
RECORD_VAR = "NOXPIT_ANNOTATIONS"  # set by `check` for its children: record, do not print


def use_colour(stream: TextIO, environ: Mapping[str, str]) -> bool:
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and environ.get("TERM") != "dumb"


def on_github(environ: Mapping[str, str]) -> bool:
    return environ.get("GITHUB_ACTIONS") == "true"


@dataclass(frozen=True)
class Annotation:
    """One workflow annotation as GitHub receives it (``file`` already workspace-relative)."""

    level: str  # error, warning or notice
    message: str
    file: str | None = None
    line: int | None = None
    title: str | None = None

    def command(self) -> str:
        props = []
        if self.file:
            props.append(f"file={_escape_property(self.file)}")
        if self.line:
            props.append(f"line={self.line}")
        if self.title:
            props.append(f"title={_escape_property(self.title)}")
        prefix = f"::{self.level} {','.join(props)}" if props else f"::{self.level}"
        return f"{prefix}::{_escape_data(self.message)}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def read_recorded(path: Path) -> list[Annotation]:
    """The annotations a child recorded (one JSON object a line); bad lines are skipped."""
    found: list[Annotation] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return found
    for text in lines:
        try:
            data = json.loads(text)
            found.append(
                Annotation(
                    str(data["level"]),
                    str(data["message"]),
                    data.get("file"),
                    data.get("line"),
                    data.get("title"),
                )
            )
        except (ValueError, KeyError, TypeError):
            continue
    return found


class AnnotationCap:
    """How many annotations of each kind were shown and held back, for one process."""

    def __init__(self, cap: int = ANNOTATION_CAP) -> None:
        self.cap = cap
        self.shown: Counter[str] = Counter()
        self.hidden: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.reported = False

    def admit(self, level: str) -> bool:
        with self.lock:
            if self.shown[level] < self.cap:
                self.shown[level] += 1
                return True
            self.hidden[level] += 1
            return False

    def notice(self) -> str | None:
        """The one notice counting what was held back (once), or None."""
        with self.lock:
            if self.reported or not self.hidden:
                return None
            self.reported = True
            parts = [f"{n} {level}(s)" for level, n in sorted(self.hidden.items())]
        return (
            f"::notice title=noxpit::{' and '.join(parts)} more not annotated "
            f"(GitHub shows {self.cap} per kind); see the log and the step summary"
        )


_PROCESS_CAP = AnnotationCap()
_process_root: list[Path] = []  # the target root the first rooted Console was given


def workspace_path(file: str, root: Path | None, environ: Mapping[str, str]) -> str:
    """``file`` (relative to ``root``, or absolute) as GitHub wants it: relative to
    ``GITHUB_WORKSPACE`` when inside it. A relative path that is not a file under ``root``
    is taken as already relative to the workspace and kept."""
    workspace = environ.get("GITHUB_WORKSPACE")
    candidate = Path(file)
    if not candidate.is_absolute():
        if root is None or not (root / candidate).exists():
            return file
        candidate = root / candidate
    if workspace:
        try:
            return candidate.resolve().relative_to(Path(workspace).resolve()).as_posix()
        except ValueError:
            pass
    if root is not None:
        try:
            return candidate.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return file


class Console:
    """Where sessions print: colour, annotations and step summary decided once.

    ``root`` is the target's root, which reported paths are relative to; a Console made
    without one (an area's console for held output) uses the first root of the process.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
        *,
        root: Path | None = None,
        cap: AnnotationCap | None = None,
    ) -> None:
        self.stream = stream or sys.stdout
        self.environ = os.environ if environ is None else environ
        self.colour = use_colour(self.stream, self.environ)
        self.github = on_github(self.environ)
        if root is not None and not _process_root:
            _process_root.append(root)
        self.root = root if root is not None else (_process_root[0] if _process_root else None)
        self.cap = cap or _PROCESS_CAP
        self.record_to = self.environ.get(RECORD_VAR) or None
        self.sink: Callable[[bytes], None] | None = None  # where children echo, if not stdout

    def held(self) -> Console:
        """A console that keeps its output, children's included, to be shown later as one
        block (``show``): a suite running beside another must not interleave with it."""
        kept = io.StringIO()
        console = Console(kept, self.environ, root=self.root, cap=self.cap)
        console.colour = self.colour

        def keep(chunk: bytes) -> None:
            kept.write(chunk.decode("utf-8", "replace"))

        console.sink = keep
        return console

    def show(self, held: Console) -> None:
        """Print what ``held`` kept, once."""
        if isinstance(held.stream, io.StringIO):
            self.stream.write(held.stream.getvalue())
            self.stream.flush()
            held.stream.seek(0)
            held.stream.truncate()

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

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        title: str = "",
        *,
        markdown: bool = True,
    ) -> None:
        """A plain-text table for the terminal; also Markdown in the GitHub step summary
        (unless ``markdown=False``: a caller that writes the summary itself)."""
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
        if markdown:
            self.summary_markdown(markdown_table(headers, rows, title))

    def annotate(
        self,
        level: str,
        message: str,
        file: str | None = None,
        line: int | None = None,
        title: str | None = None,
    ) -> None:
        """A GitHub workflow annotation (``error``/``warning``/``notice``); no-op elsewhere,
        except under ``check``, which records it to emit once for the whole run."""
        if not self.github and not self.record_to:
            return
        where = self.workspace(file) if file else None
        self.emit(Annotation(level, message, where, line, title))

    def workspace(self, file: str) -> str:
        """A reported path as annotations name it (see ``workspace_path``)."""
        return workspace_path(file, self.root, self.environ)

    def emit(self, annotation: Annotation) -> None:
        """An annotation whose path is already what GitHub wants: recorded, or printed
        within the per-kind cap (the first one held back arranges the notice at exit)."""
        if self.record_to:
            try:
                with open(self.record_to, "a", encoding="utf-8") as handle:
                    handle.write(annotation.to_json() + "\n")
            except OSError:
                pass
            return
        if not self.github:
            return
        if self.cap.admit(annotation.level):
            self.line(annotation.command())
        elif sum(self.cap.hidden.values()) == 1:
            atexit.register(self.flush_annotations)

    def flush_annotations(self) -> None:
        """The notice counting annotations held back by the cap (once per process)."""
        notice = self.cap.notice()
        if notice:
            self.line(notice)

    @contextmanager
    def fenced(self) -> Iterator[None]:
        """Output that could contain ``::`` commands (a child's log) is inert on GitHub:
        wrapped in ``::stop-commands::<token>`` ... ``::<token>::``."""
        if not self.github:
            yield
            return
        token = uuid.uuid4().hex
        self.line(f"::stop-commands::{token}")
        try:
            yield
        finally:
            self.line(f"::{token}::")

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
