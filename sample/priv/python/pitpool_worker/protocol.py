"""Frames and requests: the contract with ``Pitpool.Protocol`` on the Elixir side.

Each frame is a 4-byte big-endian length followed by that many bytes (Erlang's
``{:packet, 4}``). A request is ``{id, command, args}``; the reply is
``{id, :ok, result}`` or ``{id, :error, message}``. Before any request, the worker
announces itself with ``READY`` (``{0, :ok, "ready"}``): the Elixir side waits for it
instead of writing to a process that may already have exited.
"""

from __future__ import annotations

import struct
from typing import IO, Any

from pitpool_worker.commands import COMMANDS, CommandError
from pitpool_worker.etf import Atom, DecodeError, EncodeError, decode, decode_tuple_head, encode

HEADER = struct.Struct(">I")
OK = Atom("ok")
ERROR = Atom("error")


READY = encode((0, OK, "ready"))


class ProtocolError(Exception):
    """The peer broke the framing; the stream cannot be trusted any more."""


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next frame's payload, or ``None`` on a clean end of stream."""
    header = _read_exactly(stream, HEADER.size)
    if header is None:
        return None
    (length,) = HEADER.unpack(header)
    payload = _read_exactly(stream, length)
    if payload is None:
        raise ProtocolError(f"stream ended inside a {length}-byte frame")
    return payload


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def _read_exactly(stream: IO[bytes], count: int) -> bytes | None:
    chunks: list[bytes] = []
    remaining = count
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            if remaining == count:
                return None
            raise ProtocolError(f"stream ended after {count - remaining} of {count} bytes")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def handle_frame(payload: bytes) -> bytes | None:
    """Run one request and return the encoded reply.

    ``None`` means the request was so damaged that not even its id could be read, so
    there is no one to answer.
    """
    try:
        request = decode(payload)
    except DecodeError as exc:
        try:
            request_id = decode_tuple_head(payload)
        except DecodeError:
            return None
        return _reply(request_id, ERROR, f"cannot decode request: {exc}")

    if not isinstance(request, tuple) or not request:
        return None
    if len(request) != 3 or not isinstance(request[1], str) or not isinstance(request[2], list):
        return _reply(request[0], ERROR, "a request must be {id, command, args} with args a list")
    request_id, command, args = request
    status, result = run_command(command, args)
    return _reply(request_id, status, result)


def run_command(command: str, args: list[Any]) -> tuple[Atom, Any]:
    handler = COMMANDS.get(command)
    if handler is None:
        return ERROR, f"unknown command {command!r}; known: {', '.join(sorted(COMMANDS))}"
    try:
        return OK, handler(*args)
    except CommandError as exc:
        return ERROR, str(exc)
    except Exception as exc:  # any failure becomes an error reply
        return ERROR, f"{type(exc).__name__}: {exc}"


def _reply(request_id: Any, status: Atom, result: Any) -> bytes:
    try:
        return encode((request_id, status, result))
    except EncodeError as exc:
        return encode((request_id, ERROR, f"cannot encode result: {exc}"))
