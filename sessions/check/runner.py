"""Running one step and showing it: a nox child with its output kept, or an in-process
action with a console of its own; each ends as one block, with a live line on a TTY.

Children are ``python -m nox -f <noxfile> -s <session>``, so each step is exactly what a
user runs alone (its own process, target load and error mapping; nothing shared by
accident) and its output can be kept whole: in-process sessions write straight to fd 1.
"""

from __future__ import annotations

import io
import re
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from sessions.check.steps import Outcome, Step
from sessions.core import procs
from sessions.core.console import RECORD_VAR, Console, seconds
from sessions.core.errors import NoxpitError
from sessions.core.status import Status
from sessions.core.target import Target

_NOX_LINE = re.compile(r"^nox > (?P<text>.*)$")
_ENDED = re.compile(r"^Session \S+ (?P<how>was successful|failed|aborted|skipped)(?P<rest>.*)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def annotations_file(target: Target, step: str) -> Path:
    return target.reports_dir / "check" / f"annotations-{step.replace(' ', '_')}.jsonl"


def child_command(noxfile: Path, step: Step) -> list[str]:
    tail = ["--", *step.args] if step.args else []
    return [sys.executable, "-m", "nox", "-f", str(noxfile), "-s", step.session, *tail]


def child_env(target: Target, step: Step, environ: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment, pinned to this target; annotations recorded for the check
    to emit once, and no step summary of the child's own (the check writes one)."""
    env = {k: v for k, v in environ.items() if k != "GITHUB_STEP_SUMMARY"}
    env["NOXPIT_PROJECT"] = str(target.root)
    env["NOXPIT_REPORTS"] = str(target.reports_dir)
    env[RECORD_VAR] = str(annotations_file(target, step.name))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def ending(output: str) -> tuple[Status, str]:
    """How a nox child ended and the one line saying why, from nox's own last lines."""
    lines = [_ANSI.sub("", m.group("text")) for m in map(_NOX_LINE.match, output.splitlines()) if m]
    for index in range(len(lines) - 1, -1, -1):
        ended = _ENDED.match(lines[index])
        if ended is None:
            continue
        how, rest = ended.group("how"), ended.group("rest").strip(" .:")
        if how == "was successful":
            return Status.PASSED, ""
        before = lines[index - 1] if index else ""
        if how == "skipped":
            return Status.SKIPPED, rest or before
        reason = before if before and not before.startswith("Running session") else rest
        return (Status.ERROR if how == "aborted" else Status.FAILED), reason or rest
    return Status.ERROR, "nox ended without a result line"


def run_child(target: Target, noxfile: Path, step: Step, environ: Mapping[str, str]) -> Outcome:
    record = annotations_file(target, step.name)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.unlink(missing_ok=True)
    started = time.time()
    completed = procs.run(
        child_command(noxfile, step),
        cwd=target.root,
        env=child_env(target, step, environ),
        echo=False,
        capture=True,
    )
    if completed.timed_out:
        status, detail = Status.TIMEOUT, "timed out"
    else:
        status, detail = ending(completed.output)
        if status is Status.PASSED and not completed.ok:
            status, detail = Status.FAILED, f"exit {completed.returncode}"
    return Outcome(step.name, status, completed.duration, detail, completed.output, started)


def run_action(target: Target, step: Step, console: Console) -> Outcome:
    """An in-process step: its output (children's included) held for its block, its
    annotations recorded for the check to emit once, as a child's are."""
    assert step.action is not None
    record = annotations_file(target, step.name)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.unlink(missing_ok=True)
    base = Console(io.StringIO(), {**console.environ, RECORD_VAR: str(record)}, root=target.root)
    quiet = base.held()
    started, start = time.time(), time.monotonic()
    try:
        detail = step.action(quiet)
        status = Status.PASSED
    except NoxpitError as exc:
        status, detail = Status.FAILED, str(exc)
    output = quiet.stream.getvalue() if isinstance(quiet.stream, io.StringIO) else ""
    return Outcome(step.name, status, time.monotonic() - start, detail, output, started)


class Display:
    """Blocks as steps end; a live one-line status on a TTY, plain lines elsewhere."""

    def __init__(self, console: Console, total: int) -> None:
        self.console = console
        self.live = console.stream.isatty() and console.environ.get("TERM") != "dumb"
        self.lock = threading.Lock()
        self.running: dict[str, float] = {}
        self.total = total
        self.finished = 0
        self.stop = threading.Event()
        self.ticker: threading.Thread | None = None

    def __enter__(self) -> Display:
        if self.live:
            self.ticker = threading.Thread(target=self._tick, daemon=True)
            self.ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.ticker is not None:
            self.ticker.join(timeout=2)
        with self.lock:
            self._clear()

    def _tick(self) -> None:
        while not self.stop.wait(0.5):
            with self.lock:
                self._status_line()

    def _clear(self) -> None:
        if self.live:
            self.console.stream.write("\r\033[K")
            self.console.stream.flush()

    def _status_line(self) -> None:
        if not self.live or not self.running:
            return
        now = time.monotonic()
        parts = [f"{name} {now - start:.0f}s" for name, start in self.running.items()]
        text = f"check [{self.finished}/{self.total}] running: {', '.join(parts)}"
        width = 120
        self.console.stream.write("\r\033[K" + text[:width])
        self.console.stream.flush()

    def started(self, step: Step) -> None:
        with self.lock:
            self.running[step.name] = time.monotonic()
            if self.live:
                self._status_line()
            else:
                self.console.step(f"check: {step.name} started ({step.shown})")

    def ended(self, outcome: Outcome) -> None:
        with self.lock:
            self.running.pop(outcome.step, None)
            self.finished += 1
            self._clear()
            self.block(outcome)
            self._status_line()

    def block(self, outcome: Outcome) -> None:
        """The step's whole output, once, under a header saying how it ended."""
        c = self.console
        took = f", {seconds(outcome.seconds)}" if outcome.output or outcome.seconds else ""
        why = f": {outcome.detail}" if outcome.detail else ""
        c.line(
            c.paint(f"noxpit > check: {outcome.step} ", "bold")
            + c.status(outcome.status)
            + f"{took}{why}"
        )
        if outcome.output.strip():
            with c.fenced():
                c.stream.write(_indent(outcome.output))
                c.stream.flush()


def _indent(text: str) -> str:
    lines = text.rstrip("\n").splitlines()
    return "".join(f"  | {line}\n" for line in lines)
