"""Run example jobs in parallel. Each job declares the resources it holds (a fixed port,
say); jobs that hold the same resource never run at once, the rest fill up to ``--jobs``.
An exclusive job runs with nothing else alongside.

The main thread decides what starts (so after Ctrl-C nothing new starts) and starts each
child itself; one waiter thread per running child enforces its timeout through ``procs``,
which kills the process group and any marked descendant that left it.
"""

from __future__ import annotations

import os
import queue
import shlex
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.core import procs
from sessions.core.status import Status


@dataclass(frozen=True)
class Job:
    """One example, ready to run: what, where, how long, and where its output goes."""

    name: str
    command: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str]  # what noxpit sets on top of the session's environment
    timeout: float
    log: Path
    exclusive: bool = False
    skip: str | None = None
    resources: frozenset[str] = frozenset()  # e.g. "port 50051": held while it runs


@dataclass(frozen=True)
class Outcome:
    name: str
    status: Status  # PASSED, FAILED, TIMEOUT, SKIPPED
    seconds: float = 0.0
    returncode: int | None = None
    note: str = ""
    log: Path | None = None


def order(jobs: Sequence[Job], durations: Mapping[str, float]) -> list[Job]:
    """Skipped first (instant), then jobs holding a resource (they run one after another, so
    their chain is the longest path), then the rest, exclusive jobs at the end; within a
    group longest-known first so the slowest do not start last (unknown counts as longest)."""

    def key(job: Job) -> tuple[int, float, str]:
        group = 0 if job.skip is not None else 3 if job.exclusive else 1 if job.resources else 2
        return (group, -durations.get(job.name, float("inf")), job.name)

    return sorted(jobs, key=key)


def next_startable(pending: Sequence[Job], running: Sequence[Job], jobs: int) -> int | None:
    """Index in ``pending`` of the first job that may start now, or None.

    Nothing starts beside an exclusive job, and an exclusive job starts only when nothing
    runs; a job waits while another holds one of its resources; others fill free slots up
    to ``jobs``.
    """
    if len(running) >= jobs or any(job.exclusive for job in running):
        return None
    held = frozenset().union(*(job.resources for job in running))
    for index, job in enumerate(pending):
        if job.skip is not None:
            return index
        if job.exclusive:
            if not running:
                return index
            continue
        if not job.resources & held:
            return index
    return None


MIX_INSTALL = "Mix.install/2 cannot be used inside a Mix project"


def diagnose(job: Job) -> str:
    """A known cause of a failure, as one line with what to do (else "": the log tail says)."""
    try:
        text = job.log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    if MIX_INSTALL in text:
        script = next((part for part in job.command if part.endswith(".exs")), job.name)
        return (
            "calls Mix.install, which cannot run inside the project's `mix run`; run it "
            f"with `elixir {script}`, or set `skip` in [examples.settings.{job.name}]"
        )
    return ""


def log_header(job: Job) -> str:
    """The first log line: the command as a user would type it to reproduce the run."""
    env = " ".join(f"{key}={shlex.quote(value)}" for key, value in job.env.items())
    return f"$ cd {shlex.quote(str(job.cwd))} && {env} {shlex.join(job.command)}\n".replace(
        "&&  ", "&& "
    )


def _start(job: Job, environ: Mapping[str, str]) -> procs.Child:
    job.log.parent.mkdir(parents=True, exist_ok=True)
    with job.log.open("wb") as handle:
        handle.write(log_header(job).encode())
        handle.flush()
        # The child writes straight into the log; our handle is not needed after the fork.
        return procs.Child(job.command, cwd=job.cwd, env={**environ, **job.env}, stdout=handle)


def _await(job: Job, child: procs.Child, done: queue.Queue[Outcome]) -> None:
    outcome = Outcome(job.name, Status.FAILED, note="noxpit could not wait for it", log=job.log)
    try:
        code = child.wait(job.timeout)
        if code is None:
            child.kill_tree()
            elapsed = time.monotonic() - child.started  # until it is gone, not until the limit
            with job.log.open("ab") as handle:
                message = f"\nnoxpit: timed out after {job.timeout:g}s; killed (with descendants)\n"
                handle.write(message.encode())
            outcome = Outcome(job.name, Status.TIMEOUT, elapsed, None, "", job.log)
        else:
            elapsed = time.monotonic() - child.started
            child.sweep()
            status = Status.PASSED if code == 0 else Status.FAILED
            why = diagnose(job) if code != 0 else ""
            outcome = Outcome(job.name, status, elapsed, code, why, job.log)
    finally:
        done.put(outcome)


def run_all(
    jobs: Sequence[Job],
    max_jobs: int,
    on_done: Callable[[Outcome], None],
    environ: Mapping[str, str] | None = None,
) -> list[Outcome]:
    """Run every job, at most ``max_jobs`` at once; ``on_done`` sees each outcome as it ends.

    On any exception (Ctrl-C included) every running child tree is killed before it
    propagates.
    """
    base = dict(os.environ if environ is None else environ)
    pending = list(jobs)
    running: dict[str, Job] = {}
    done: queue.Queue[Outcome] = queue.Queue()
    outcomes: list[Outcome] = []
    try:
        while pending or running:
            while (index := next_startable(pending, list(running.values()), max_jobs)) is not None:
                job = pending.pop(index)
                if job.skip is not None:
                    outcome = Outcome(job.name, Status.SKIPPED, note=job.skip)
                    outcomes.append(outcome)
                    on_done(outcome)
                    continue
                child = _start(job, base)
                running[job.name] = job
                threading.Thread(
                    target=_await, args=(job, child, done), name=f"example {job.name}", daemon=True
                ).start()
            if not running:
                continue
            try:
                outcome = done.get(timeout=0.5)
            except queue.Empty:
                continue
            running.pop(outcome.name, None)
            outcomes.append(outcome)
            on_done(outcome)
    except BaseException:
        procs.kill_all()
        raise
    return outcomes
