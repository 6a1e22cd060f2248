"""The doctor's model: what a check is, what it may look at, and how it ends.

A ``Check`` is data (name, what it looks at, when it applies, remedy) plus a small
function of a ``Probe``: the target, the ``[doctor]`` config and a ``Machine`` (PATH
lookups, child processes, ports) that tests replace with a fake. Checks end in the one
``Status`` vocabulary: ``PASSED``, ``WARN``, ``ERROR`` or ``SKIPPED``.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sessions.core import procs
from sessions.core.config import read_section, rule
from sessions.core.errors import NoxpitError
from sessions.core.status import Status
from sessions.core.target import Target
from sessions.python import env as python_env

PROBES_DIR = Path(__file__).resolve().parent / "probes"
JSON_MARKER = "NOXPIT-JSON:"


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
    """What checks may look at besides files: PATH, child processes, ports, the network."""

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

    def unreachable(self, host: str, port: int) -> str | None: ...


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

    def unreachable(self, host: str, port: int) -> str | None:
        """Why a TCP connection to host:port fails within 5 s (None: it connects)."""
        try:
            with socket.create_connection((host, port), timeout=5):
                return None
        except OSError as exc:
            return exc.strerror or type(exc).__name__


# --- configuration -------------------------------------------------------------------

_VERSION = r"\d+(\.\d+){0,2}"
_MODULE = r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*"
_TOOL = r"[A-Za-z0-9][A-Za-z0-9._+-]*"


@dataclass(frozen=True)
class DoctorConfig:
    """``[doctor]``: what the checks compare with (see docs/doctor.md)."""

    min_python: str = field(
        default="3.9", metadata=rule(pattern=_VERSION, what='a version string like "3.9"')
    )
    ports: tuple[int, ...] = field(default=(), metadata=rule(minimum=1))
    min_otp: int | None = None
    timeout: float = field(default=60.0, metadata=rule(minimum=0.001))
    tools: tuple[str, ...] = field(
        default=(), metadata=rule(pattern=_TOOL, what='a program name like "uv"')
    )
    imports: tuple[str, ...] = ()


@dataclass(frozen=True)
class _TopLevel:
    imports: tuple[str, ...] = field(
        default=(), metadata=rule(pattern=_MODULE, what='a module name like "my_worker"')
    )


def load_config(target: Target) -> DoctorConfig:
    """``[doctor]`` and the top-level ``imports``, validated: one line per mistake."""
    label = target.config_label
    imports: tuple[str, ...] = ()
    if "imports" in target.config:
        table = {"imports": target.config["imports"]}
        imports = read_section(_TopLevel, table, f"{label}:", DoctorError).imports
    config = read_section(
        DoctorConfig, target.section("doctor"), f"{label}: [doctor]", DoctorError, imports=imports
    )
    for port in config.ports:
        if port > 65535:
            raise DoctorError(
                f"{label}: [doctor] ports: {port} is not a TCP port (1-65535), e.g. [50051]"
            )
    return config


# --- checks as data ------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: Status
    detail: str
    remedy: str | None = None  # None: the check's own remedy


def ok(detail: str) -> Outcome:
    return Outcome(Status.PASSED, detail)


def warn(detail: str, remedy: str | None = None) -> Outcome:
    return Outcome(Status.WARN, detail, remedy)


def error(detail: str, remedy: str | None = None) -> Outcome:
    return Outcome(Status.ERROR, detail, remedy)


def skip(detail: str) -> Outcome:
    return Outcome(Status.SKIPPED, detail)


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

    def program(
        self,
        python: str,
        name: str,
        argument: object = None,
        *,
        env: Mapping[str, str] | None = None,
        isolated: bool = True,
    ) -> tuple[Ran, Any]:
        """Run ``probes/<name>.py`` with ``python`` (``-I`` unless it needs PYTHONPATH or the
        user's site) and return how it ended with the JSON it printed (None when none)."""
        command = [python, *(["-I"] if isolated else []), str(PROBES_DIR / f"{name}.py")]
        if argument is not None:
            command.append(json.dumps(argument))
        ran = self.run(command, env)
        for line in ran.output.splitlines():
            if line.startswith(JSON_MARKER):
                try:
                    return ran, json.loads(line[len(JSON_MARKER) :])
                except ValueError:
                    break
        return ran, None

    # shared facts

    def venv_ran(self, spec: python_env.VenvSpec) -> Ran | None:
        """The venv's python run once, or None when it does not exist."""

        def compute() -> Ran | None:
            if not spec.python_bin.exists():
                return None
            return self.run([str(spec.python_bin), "-c", "import sys; print(sys.version)"])

        return self.once(f"venv:{spec.path}", compute)

    def interpreter(self, name: str) -> tuple[str | None, Ran | None]:
        """(path, how ``name --version`` ran): path None when it is not on PATH."""

        def compute() -> tuple[str | None, Ran | None]:
            path = self.machine.which(name)
            if path is None:
                return None, None
            script = "import sys; print('%d.%d.%d' % sys.version_info[:3])"
            return path, self.run([path, "-c", script])

        return self.once(f"interpreter:{name}", compute)

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
