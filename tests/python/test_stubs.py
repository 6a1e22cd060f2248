"""gRPC stubs without protoc: which are stale, the protoc command, its messages.

Moved from the old tests/test_python_env.py (stubs.py belongs to the doctor area's owner).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sessions.core import procs
from sessions.python import stubs
from tests.python.support import make_target, quiet

pytestmark = pytest.mark.unit


def test_stub_staleness(tmp_path: Path) -> None:
    proto_dir, python_dir = tmp_path / "proto", tmp_path / "py"
    proto_dir.mkdir()
    python_dir.mkdir()
    (proto_dir / "pool.proto").write_text('syntax = "proto3";\n')
    (proto_dir / "notes.txt").write_text("not a proto")
    [stub] = stubs.find(proto_dir, python_dir)
    assert [p.name for p in stub.outputs] == ["pool_pb2.py", "pool_pb2.pyi", "pool_pb2_grpc.py"]
    assert stub.stale()
    for path in stub.outputs:
        path.write_text("")
    assert not stub.stale()
    later = time.time() + 5
    os.utime(stub.proto, (later, later))
    assert stub.stale()
    assert stubs.find(tmp_path / "nope", python_dir) == []


def test_protoc_command_and_messages() -> None:
    command = stubs.protoc_command(
        Path("/v/bin/python3"), Path("/t/proto"), Path("/t/py"), [Path("/t/proto/a.proto")]
    )
    assert command == [
        "/v/bin/python3",
        "-m",
        "grpc_tools.protoc",
        "-I/t/proto",
        "--python_out=/t/py",
        "--pyi_out=/t/py",
        "--grpc_python_out=/t/py",
        "/t/proto/a.proto",
    ]
    said = 'warning: x\nbad.proto:3:1: Expected top-level statement (e.g. "message").\n'
    assert (
        stubs.protoc_message(said)
        == 'bad.proto:3:1: Expected top-level statement (e.g. "message").'
    )


NO_GRPC_TOOLS = (
    "/v/python3: Error while finding module specification for 'grpc_tools.protoc' "
    "(ModuleNotFoundError: No module named 'grpc_tools')\n"
)


def test_stubs_without_grpc_tools_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = make_target(tmp_path)
    target.proto_dir.mkdir(parents=True)
    (target.proto_dir / "pool.proto").write_text('syntax = "proto3";\n')

    def no_grpc_tools(command: Sequence[str], **_kwargs: Any) -> procs.Completed:
        return procs.Completed(
            tuple(command),
            1,
            0.1,
            output=NO_GRPC_TOOLS,
        )

    monkeypatch.setattr(procs, "run", no_grpc_tools)
    console, _ = quiet()
    with pytest.raises(stubs.StubError) as caught:
        stubs.ensure(target, console, target.venv_python)
    assert str(caught.value) == (
        "priv/proto/pool.proto need grpc_tools, which is not installed in .venv; add "
        "grpcio-tools to priv/python/requirements.txt and run `nox -s setup`"
    )


def test_generated_versions_are_read(tmp_path: Path) -> None:
    (tmp_path / "p.proto").write_text("")
    [stub] = stubs.find(tmp_path, tmp_path)
    stub.outputs[0].write_text("# Protobuf Python Version: 5.27.2\n")
    stub.outputs[2].write_text("GRPC_GENERATED_VERSION = '1.66.1'\n")
    assert stubs.generated_versions(stub) == {"protobuf": "5.27.2", "grpcio": "1.66.1"}
