"""gRPC stubs for the target's ``.proto`` files, generated with the venv's ``grpc_tools``.

Each ``<proto dir>/name.proto`` yields ``name_pb2.py``, ``name_pb2.pyi`` and
``name_pb2_grpc.py`` in the python dir. Only protos newer than their stubs (or without
them) are regenerated, and nothing is ever deleted: the python dir holds sources too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.core import procs
from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.target import Target

SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")
_PROTOBUF_VERSION = re.compile(r"^# Protobuf Python Version: (\S+)", re.MULTILINE)
_GRPC_VERSION = re.compile(r"""^GRPC_GENERATED_VERSION\s*=\s*['"]([^'"]+)['"]""", re.MULTILINE)


class StubError(NoxpitError):
    """gRPC stubs could not be generated (no grpc_tools, or protoc rejected a .proto)."""


@dataclass(frozen=True)
class Stub:
    proto: Path
    outputs: tuple[Path, ...]

    def missing(self) -> list[Path]:
        return [path for path in self.outputs if not path.exists()]

    def stale(self) -> bool:
        """Missing outputs, or an output older than its .proto."""
        try:
            proto_time = self.proto.stat().st_mtime
            return any(path.stat().st_mtime < proto_time for path in self.outputs)
        except FileNotFoundError:
            return True


def find(proto_dir: Path, python_dir: Path) -> list[Stub]:
    """One ``Stub`` per ``<proto dir>/*.proto``, sorted; empty when the dir does not exist."""
    if not proto_dir.is_dir():
        return []
    return [
        Stub(proto, tuple(python_dir / f"{proto.stem}{suffix}" for suffix in SUFFIXES))
        for proto in sorted(proto_dir.glob("*.proto"))
        if proto.is_file()
    ]


def protoc_command(
    venv_python: Path, proto_dir: Path, python_dir: Path, protos: Sequence[Path]
) -> list[str]:
    out = str(python_dir)
    return [
        str(venv_python),
        "-m",
        "grpc_tools.protoc",
        f"-I{proto_dir}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        *(str(proto) for proto in protos),
    ]


_PROTOC_ERROR = re.compile(r"\.proto:\d+:\d+: ")
_LOG_LINE = re.compile(r"^[WIEF]\d{4} ")  # absl log lines protoc prints before its errors


def protoc_message(output: str, *, proto_dir: Path | None = None, rel: str = "") -> str:
    """protoc's own complaint, on one line (``file.proto:line:col: message``)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    located = [line for line in lines if _PROTOC_ERROR.search(line)]
    useful = located or [
        line
        for line in lines
        if not _LOG_LINE.match(line) and not line.lower().startswith("warning")
    ]
    message = "; ".join((useful or lines)[:3])
    if proto_dir is not None:
        message = message.replace(f"{proto_dir}/", f"{rel}/" if rel else "")
    return message[:400] or "no message"


def ensure(
    target: Target,
    console: Console,
    venv_python: Path,
    *,
    force: bool = False,
    dry_run: bool = False,
) -> list[Path]:
    """Regenerate stale stubs; returns the files written (empty when all are fresh)."""
    stubs = find(target.proto_dir, target.python_dir)
    if not stubs:
        return []
    todo = [stub for stub in stubs if force or stub.stale()]
    if not todo:
        console.step(f"setup: gRPC stubs for {len(stubs)} .proto file(s) are up to date")
        return []
    names = ", ".join(target.rel(stub.proto) for stub in todo)
    if dry_run:
        console.step(f"setup: would generate gRPC stubs for {names}")
        return []
    target.python_dir.mkdir(parents=True, exist_ok=True)
    command = protoc_command(
        venv_python, target.proto_dir, target.python_dir, [stub.proto for stub in todo]
    )
    result = procs.run(command, cwd=target.root, capture=True, echo=False)
    if not result.ok:
        if re.search(r"No module named '?grpc_tools", result.output):
            raise StubError(
                f"{names} need grpc_tools, which is not installed in "
                f"{target.rel(venv_python.parent.parent)}; add grpcio-tools to "
                f"{', '.join(target.rel(p) for p in target.requirements)} and run `nox -s setup`"
            )
        message = protoc_message(
            result.output, proto_dir=target.proto_dir, rel=target.rel(target.proto_dir)
        )
        raise StubError(f"protoc failed: {message}")
    written = [path for stub in todo for path in stub.outputs if path.exists()]
    for stub in todo:
        missing = stub.missing()
        if missing:
            raise StubError(
                f"protoc wrote no {', '.join(p.name for p in missing)} for "
                f"{target.rel(stub.proto)}; upgrade grpcio-tools in the venv"
            )
    console.step("setup: generated " + ", ".join(target.rel(path) for path in written))
    return written


def generated_versions(stub: Stub) -> dict[str, str]:
    """Versions the stubs were generated for: ``protobuf`` and ``grpcio``, when stated."""
    found: dict[str, str] = {}
    for path, pattern, package in (
        (stub.outputs[0], _PROTOBUF_VERSION, "protobuf"),
        (stub.outputs[2], _GRPC_VERSION, "grpcio"),
    ):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        match = pattern.search(text)
        if match:
            found[package] = match.group(1)
    return found
