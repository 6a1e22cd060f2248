"""Child processes that cannot outlive the run.

Every child gets its own process group (so a timeout or Ctrl-C reaches its whole tree)
and an environment marker that descendants inherit: processes that left the group
(``setsid``) are found by the marker and killed too. Commands are argument lists only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sessions.core.errors import NoxpitError

MARKER = "NOXPIT_RUN_TOKEN"
GRACE_SECONDS = 3.0


class ProcessError(NoxpitError):
    """A command could not be started at all (missing binary, bad cwd)."""


@dataclass(frozen=True)
class Completed:
    """How a command ended. ``returncode`` is None when it was killed by us."""

    command: tuple[str, ...]
    returncode: int | None
    duration: float
    timed_out: bool = False
    output: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0


_live: set[Child] = set()
_live_lock = threading.Lock()


def _marked_pids(token: str) -> list[int]:
    """Live processes whose environment carries this run's marker."""
    needle = f"{MARKER}={token}".encode()
    found: list[int] = []
    me = os.getpid()
    try:
        entries = [entry.name for entry in Path("/proc").iterdir()]
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry))
    return found


def _signal_all(pgid: int, pids: Sequence[int], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


class Child:
    """A started command in its own process group, registered until it is reaped."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        stdout: IO[bytes] | int | None = None,
    ) -> None:
        self.command = tuple(command)
        self.token = uuid.uuid4().hex
        child_env = dict(os.environ if env is None else env)
        child_env[MARKER] = self.token
        self.started = time.monotonic()
        try:
            self.popen = subprocess.Popen(
                self.command,
                cwd=cwd,
                env=child_env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=subprocess.STDOUT if stdout is not None else None,
                start_new_session=True,
            )
        except FileNotFoundError:
            raise ProcessError(
                f"`{self.command[0]}` not found on PATH; install it or fix PATH"
            ) from None
        except NotADirectoryError:
            raise ProcessError(f"cannot run in {cwd}: not a directory") from None
        except PermissionError:
            raise ProcessError(f"`{self.command[0]}` is not executable") from None
        with _live_lock:
            _live.add(self)

    def wait(self, timeout: float | None) -> int | None:
        """The exit code, or None if it is still running after ``timeout`` seconds."""
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill_tree(self, grace: float = GRACE_SECONDS) -> None:
        """SIGTERM the group and marked strays, SIGKILL whatever is left after ``grace``."""
        pgid = self.popen.pid
        _signal_all(pgid, _marked_pids(self.token), signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            self.popen.poll()
            if self.popen.returncode is not None and not _marked_pids(self.token):
                break
            time.sleep(0.05)
        _signal_all(pgid, _marked_pids(self.token), signal.SIGKILL)
        self.popen.wait()
        self.forget()

    def sweep(self) -> None:
        """After a normal exit: kill anything the command left running in the background."""
        strays = _marked_pids(self.token)
        deadline = time.monotonic() + 1.0
        while strays and time.monotonic() < deadline:
            _signal_all(self.popen.pid, strays, signal.SIGKILL)
            time.sleep(0.02)
            strays = _marked_pids(self.token)
        self.forget()

    def forget(self) -> None:
        with _live_lock:
            _live.discard(self)


def kill_all() -> None:
    """Ctrl-C: take down every child still registered, from any thread."""
    with _live_lock:
        children = list(_live)
    for child in children:
        child.kill_tree()


def stop_threads(futures: Sequence[Future[Any]]) -> None:
    """Ctrl-C while other threads run children: kill until every thread has ended (a thread
    may start its next command just after a kill), so no child outlives the run."""
    while not all(future.done() for future in futures):
        kill_all()
        wait(futures, timeout=0.1)


Sink = Callable[[bytes], None]


def _writer(stream: IO[bytes]) -> Sink:
    def write(chunk: bytes) -> None:
        stream.write(chunk)
        stream.flush()

    return write


def _pump(source: IO[bytes], sinks: list[Sink], captured: list[bytes]) -> None:
    for chunk in iter(lambda: source.readline(), b""):
        captured.append(chunk)
        for sink in sinks:
            sink(chunk)


def run(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    log: Path | None = None,
    echo: bool = True,
    capture: bool = False,
    sink: Sink | None = None,
) -> Completed:
    """Run to completion (or timeout), echoing and/or logging its combined output. The echo
    goes to ``sink`` when given (output held to be shown later), else to our stdout."""
    piped = capture or log is not None or not echo or sink is not None
    log_handle = None
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log_handle = log.open("wb")
    try:
        child = Child(command, cwd=cwd, env=env, stdout=subprocess.PIPE if piped else None)
        captured: list[bytes] = []
        pump = None
        if piped:
            assert child.popen.stdout is not None
            sinks: list[Sink] = []
            if echo:
                sinks.append(sink or _writer(sys.stdout.buffer))
            if log_handle is not None:
                sinks.append(_writer(log_handle))
            pump = threading.Thread(
                target=_pump, args=(child.popen.stdout, sinks, captured), daemon=True
            )
            pump.start()
        try:
            code = child.wait(timeout)
        except BaseException:
            child.kill_tree()
            raise
        timed_out = code is None
        if timed_out:
            child.kill_tree()
        else:
            child.sweep()
        if pump is not None:
            pump.join(timeout=5)
        if child.popen.stdout is not None:
            child.popen.stdout.close()
        duration = time.monotonic() - child.started
    finally:
        if log_handle is not None:
            log_handle.close()
    return Completed(
        command=child.command,
        returncode=None if timed_out else code,
        duration=duration,
        timed_out=timed_out,
        output=b"".join(captured).decode("utf-8", "replace"),
    )


def output_of(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 60
) -> Completed:
    """A short command whose output we parse (versions, task lists)."""
    return run(command, cwd=cwd, env=env, timeout=timeout, echo=False, capture=True)
