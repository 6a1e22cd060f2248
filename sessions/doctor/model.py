"""The doctor's model: what a check is, what it may look at, and how it ends.

A ``Check`` is data (name, what it looks at, when it applies, remedy) plus a small
function of a ``Probe``: the target, the ``[doctor]`` config and a ``Machine`` (PATH
lookups, child processes, ports) that tests replace with a fake.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from sessions.core import procs
from sessions.core.config import reject_unknown_keys
from sessions.core.errors import NoxpitError
from sessions.core.target import Target
from sessions.python import env as python_env

Status = Literal["ok", "warn", "error", "skip"]
STATUSES: tuple[Status, ...] = ("ok", "warn", "error", "skip")
DOCTOR_KEYS = {"min_python", "ports", "min_otp", "timeout"}


class DoctorError(NoxpitError):
    """The doctor's configuration is wrong (it never raises for what it diagnoses)."""


# --- the machine ---------------------------------------------------------------------


@dataclass(frozen=True)
class Ran:
    """How a probe command ended: ``code`` None when it timed out, 127 when not found."""

    code: int | None
    output: str

    @property
    def ok(self) -> bool:
        return self.code == 0

    def first_line(self) -> str:
        lines = [line.strip() for line in self.output.splitlines() if line.strip()]
        if self.code is None:
            return "timed out"
        return lines[0][:200] if lines else f"exit {self.code}, no output"


class Machine(Protocol):
    """What checks may look at besides files: PATH, child processes and ports."""

    @property
    def environ(self) -> Mapping[str, str]: ...

    def which(self, name: str) -> str | None: ...

    def run(
        self,
        command: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> Ran: ...

    def port_busy(self, port: int) -> str | None: ...


class RealMachine:
    """This machine: ``shutil.which`` on the environment's PATH, ``procs`` for children."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = dict(os.environ if environ is None else environ)

    def which(self, name: str) -> str | None:
        return shutil.which(name, path=self.environ.get("PATH", os.defpath))

    def run(
        self,
        command: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> Ran:
        try:
            done = procs.output_of(
                command, cwd=cwd, env=self.environ if env is None else env, timeout=timeout
            )
        except procs.ProcessError as exc:
            return Ran(127, str(exc))
        return Ran(done.returncode, done.output)

    def port_busy(self, port: int) -> str | None:
        """Why 127.0.0.1:port cannot be bound (what a worker listening there would hit)."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return "in use"
                return exc.strerror or str(exc)
        return None


# --- configuration -------------------------------------------------------------------


@dataclass(frozen=True)
class DoctorConfig:
    min_python: tuple[int, ...] = (3, 9)
    ports: tuple[int, ...] = ()
    min_otp: int | None = None
    timeout: float = 60.0
    imports: tuple[str, ...] = ()


_MODULE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def load_config(target: Target) -> DoctorConfig:
    """``[doctor]`` and the top-level ``imports``, validated: one line per mistake."""
    section = target.section("doctor")
    label = f"{target.config_label}: [doctor]"
    reject_unknown_keys(section, DOCTOR_KEYS, label, DoctorError)
    min_python = section.get("min_python", "3.9")
    if not isinstance(min_python, str) or not re.fullmatch(r"\d+(\.\d+){0,2}", min_python):
        raise DoctorError(f'{label} `min_python` must be a version string like "3.9"')
    ports = section.get("ports", [])
    if not isinstance(ports, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) and 0 < p < 65536 for p in ports
    ):
        raise DoctorError(f"{label} `ports` must be a list of TCP port numbers like [50051]")
    min_otp = section.get("min_otp")
    if min_otp is not None and (not isinstance(min_otp, int) or isinstance(min_otp, bool)):
        raise DoctorError(f"{label} `min_otp` must be an OTP release number like 25")
    timeout = section.get("timeout", 60)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise DoctorError(f"{label} `timeout` must be a positive number of seconds")
    imports = target.config.get("imports", [])
    if isinstance(imports, str):
        imports = [imports]
    if not isinstance(imports, list) or not all(
        isinstance(m, str) and _MODULE.match(m) for m in imports
    ):
        raise DoctorError(
            f'{target.config_label}: `imports` must be a list of module names like ["my_worker"]'
        )
    return DoctorConfig(
        min_python=tuple(int(part) for part in min_python.split(".")),
        ports=tuple(ports),
        min_otp=min_otp,
        timeout=float(timeout),
        imports=tuple(imports),
    )


# --- checks as data ------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: Status
    detail: str
    remedy: str | None = None  # None: the check's own remedy


@dataclass(frozen=True)
class Result:
    name: str
    status: Status
    detail: str
    remedy: str


@dataclass(frozen=True)
class Check:
    name: str
    what: str
    remedy: str
    run: Callable[[Probe], Outcome]
    applies: Callable[[Probe], str | None] = lambda _probe: None  # a skip reason, or None


T = TypeVar("T")


@dataclass
class Probe:
    """What checks look at: the target, the doctor config and the machine, plus facts that
    several checks share (``elixir --version``, whether a venv runs), computed once even
    when checks ask for them from several threads at the same time."""

    target: Target
    config: DoctorConfig
    machine: Machine
    _memo: dict[str, Any] = field(default_factory=dict)
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def once(self, key: str, compute: Callable[[], T]) -> T:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]  # type: ignore[no-any-return]

    def run(self, command: Sequence[str], env: Mapping[str, str] | None = None) -> Ran:
        return self.machine.run(command, cwd=self.target.root, env=env, timeout=self.config.timeout)

    # shared facts

    def venv_ran(self, spec: python_env.VenvSpec) -> Ran | None:
        """The venv's python run once, or None when it does not exist."""

        def compute() -> Ran | None:
            if not spec.python_bin.exists():
                return None
            return self.run([str(spec.python_bin), "-c", "import sys; print(sys.version)"])

        return self.once(f"venv:{spec.path}", compute)

    def elixir(self) -> tuple[str | None, str]:
        """(Elixir version, detail): version None when elixir is missing or broken."""

        def compute() -> tuple[str | None, str]:
            path = self.machine.which("elixir")
            if path is None:
                return None, "elixir not found on PATH"
            ran = self.run([path, "--version"])
            match = re.search(r"^Elixir (\S+)", ran.output, re.MULTILINE)
            if not ran.ok or match is None:
                return None, f"`elixir --version` failed: {ran.first_line()}"
            return match.group(1), path

        return self.once("elixir", compute)
