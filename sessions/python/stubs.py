"""gRPC stubs for the target's ``.proto`` files, generated with the venv's ``grpc_tools``.

Each ``<proto dir>/name.proto`` yields ``name_pb2.py``, ``name_pb2.pyi`` and
``name_pb2_grpc.py`` in the python dir. Whether stubs are current is decided by content,
never by file times (git sets those at checkout): the protos are compiled into a temporary
directory and each stub is compared with what the generator makes now. Lines that only
name the generator's version do not count, nor does generator style when the serialized
descriptor (the proto's compiled content) is the same, so committed stubs that are current
are left byte for byte. Only missing or stale files are written; nothing is ever deleted.
A verified state is remembered in the venv (``.noxpit-stubs``), so a second run compares
file digests and starts no process.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.core import procs
from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.files import atomic_write
from sessions.core.target import Target

SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")
STAMP_FILE = ".noxpit-stubs"
_PROTOBUF_VERSION = re.compile(r"^# Protobuf Python Version: (\S+)", re.MULTILINE)
_GRPC_VERSION = re.compile(r"""^GRPC_GENERATED_VERSION\s*=\s*['"]([^'"]+)['"]""", re.MULTILINE)
# What changes with the generator's version alone: the header, the runtime version check's
# arguments, and grpc's generated-version constant.
_VERSION_LINES = (
    (_PROTOBUF_VERSION, "# Protobuf Python Version: *"),
    (
        re.compile(r"ValidateProtobufRuntimeVersion\([^)]*\)", re.DOTALL),
        "ValidateProtobufRuntimeVersion(*)",
    ),
    (_GRPC_VERSION, "GRPC_GENERATED_VERSION = *"),
)


class StubError(NoxpitError):
    """gRPC stubs could not be generated (no grpc_tools, or protoc rejected a .proto)."""


class NoGrpcTools(StubError):
    """The venv has no grpc_tools: stubs can be neither generated nor compared."""


@dataclass(frozen=True)
class Stub:
    proto: Path
    outputs: tuple[Path, ...]

    def missing(self) -> list[Path]:
        return [path for path in self.outputs if not path.exists()]


@dataclass(frozen=True)
class Drift:
    """A stub whose files differ from what its .proto generates now (``files``: to write)."""

    stub: Stub
    files: tuple[Path, ...]
    reason: str


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


# --- comparing by content ------------------------------------------------------------


def without_version_lines(text: str) -> str:
    for pattern, placeholder in _VERSION_LINES:
        text = pattern.sub(placeholder, text)
    return text


def serialized_descriptor(source: str) -> bytes | None:
    """The compiled proto inside a ``_pb2.py``: ``AddSerializedFile(b'...')`` (or the older
    ``serialized_pb=b'...'``); None when there is none or the file does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        values = [*node.args[:1]] if name == "AddSerializedFile" else []
        values += [kw.value for kw in node.keywords if kw.arg == "serialized_pb"]
        for value in values:
            if isinstance(value, ast.Constant) and isinstance(value.value, bytes):
                return value.value
    return None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def compare(stub: Stub, generated_dir: Path, rel: str) -> Drift | None:
    """How ``stub`` differs from the files generated into ``generated_dir`` (None: current).
    A file counts as current when it equals the new one but for version lines, or when the
    ``_pb2.py`` pair carries the same descriptor (the rest is the generator's style)."""
    fresh = [generated_dir / path.name for path in stub.outputs]
    ours = stub.outputs[0]
    same_descriptor = False
    committed_pb2, new_pb2 = _read(ours), _read(fresh[0])
    if committed_pb2 is not None and new_pb2 is not None:
        descriptor = serialized_descriptor(committed_pb2)
        same_descriptor = descriptor is not None and descriptor == serialized_descriptor(new_pb2)
    stale: list[Path] = []
    missing: list[Path] = []
    for path, new in zip(stub.outputs, fresh, strict=True):
        text, wanted = _read(path), _read(new)
        if text is None:
            missing.append(path)
        elif (
            wanted is not None
            and not same_descriptor
            and without_version_lines(text) != without_version_lines(wanted)
        ):
            stale.append(path)
    if missing:
        names = ", ".join(p.name for p in missing)
        return Drift(stub, tuple(missing + stale), f"{rel}: missing {names}")
    if stale:
        return Drift(stub, tuple(stale), f"{rel} changed since its stubs were generated")
    return None


def generate(target: Target, venv_python: Path, out_dir: Path, protos: Sequence[Path]) -> None:
    """protoc (the venv's grpc_tools) into ``out_dir``; one-line errors."""
    command = protoc_command(venv_python, target.proto_dir, out_dir, protos)
    result = procs.run(command, cwd=target.root, capture=True, echo=False)
    if result.ok:
        return
    names = ", ".join(target.rel(proto) for proto in protos)
    if re.search(r"No module named '?grpc_tools", result.output):
        raise NoGrpcTools(
            f"{names} need grpc_tools, which is not installed in "
            f"{target.rel(venv_python.parent.parent)}; add grpcio-tools to "
            f"{', '.join(target.rel(p) for p in target.requirements)} and run `nox -s setup`"
        )
    message = protoc_message(
        result.output, proto_dir=target.proto_dir, rel=target.rel(target.proto_dir)
    )
    raise StubError(f"protoc failed: {message}")


def digest(stubs: Sequence[Stub], target: Target) -> str:
    """What the stamp records: every proto and stub file, by name and content."""
    hashed = hashlib.sha256()
    for stub in stubs:
        for path in (stub.proto, *stub.outputs):
            hashed.update(target.rel(path).encode() + b"\0")
            try:
                hashed.update(path.read_bytes())
            except OSError:
                hashed.update(b"\0missing\0")
            hashed.update(b"\0")
    return hashed.hexdigest()


def _stamp(venv_python: Path) -> Path:
    return venv_python.parent.parent / STAMP_FILE


def known_current(stubs: Sequence[Stub], target: Target, venv_python: Path) -> bool:
    """Whether these exact files were found (or made) current before: no process needed."""
    try:
        data = json.loads(_stamp(venv_python).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("digest") == digest(stubs, target)


def remember(stubs: Sequence[Stub], target: Target, venv_python: Path) -> None:
    if venv_python.parent.parent.is_dir():
        atomic_write(_stamp(venv_python), json.dumps({"digest": digest(stubs, target)}))


def drift(target: Target, venv_python: Path, stubs: Sequence[Stub], work_dir: Path) -> list[Drift]:
    """Each stub that differs from what its .proto generates now (generated into
    ``work_dir``); raises ``NoGrpcTools`` or ``StubError`` when protoc cannot run."""
    generate(target, venv_python, work_dir, [stub.proto for stub in stubs])
    found = [compare(stub, work_dir, target.rel(stub.proto)) for stub in stubs]
    return [item for item in found if item is not None]


def ensure(
    target: Target,
    console: Console,
    venv_python: Path,
    *,
    force: bool = False,
    dry_run: bool = False,
) -> list[Path]:
    """Write missing or stale stubs; returns the files written (empty when all are current).
    ``force`` compares again instead of trusting the remembered state, but still writes
    only what differs: a current stub is never rewritten for its version lines."""
    stubs = find(target.proto_dir, target.python_dir)
    if not stubs:
        return []
    up_to_date = f"setup: gRPC stubs for {len(stubs)} .proto file(s) are up to date"
    if not force and known_current(stubs, target, venv_python):
        console.step(up_to_date)
        return []
    if dry_run and not venv_python.exists():
        console.step("setup: would check the gRPC stubs (and generate what is missing)")
        return []
    with tempfile.TemporaryDirectory(prefix="noxpit-stubs-") as work:
        try:
            stale = drift(target, venv_python, stubs, Path(work))
        except NoGrpcTools:
            if any(stub.missing() for stub in stubs):
                raise
            console.step(
                "setup: warning: cannot check the gRPC stubs (no grpc_tools in the venv); "
                "left as they are"
            )
            return []
        if not stale:
            if not dry_run:
                remember(stubs, target, venv_python)
            console.step(up_to_date)
            return []
        files = [path for item in stale for path in item.files]
        if dry_run:
            console.step("setup: would generate " + ", ".join(target.rel(p) for p in files))
            return []
        target.python_dir.mkdir(parents=True, exist_ok=True)
        for path in files:
            new = Path(work) / path.name
            if not new.exists():
                raise StubError(
                    f"protoc wrote no {path.name} for {target.rel(path)}; upgrade grpcio-tools "
                    "in the venv"
                )
            atomic_write(path, new.read_bytes())
    remember(stubs, target, venv_python)
    console.step("setup: generated " + ", ".join(target.rel(path) for path in files))
    return files


def generated_versions(stub: Stub) -> dict[str, str]:
    """Versions the stubs were generated for: ``protobuf`` and ``grpcio``, when stated."""
    found: dict[str, str] = {}
    for path, pattern, package in (
        (stub.outputs[0], _PROTOBUF_VERSION, "protobuf"),
        (stub.outputs[2], _GRPC_VERSION, "grpcio"),
    ):
        text = _read(path)
        match = pattern.search(text) if text is not None else None
        if match:
            found[package] = match.group(1)
    return found
