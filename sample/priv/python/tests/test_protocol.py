"""Requests handled in-process: framing, dispatch and error replies."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pitpool_worker import COMMANDS, decode, encode, handle_frame, read_frame, write_frame
from pitpool_worker.etf import Atom
from pitpool_worker.protocol import ProtocolError
from pitpool_worker.worker import serve

OK = Atom("ok")
ERROR = Atom("error")


def run(request: object) -> Any:
    reply = handle_frame(encode(request))
    assert reply is not None
    return decode(reply)


@pytest.mark.parametrize(
    ("command", "args", "result"),
    [
        ("ping", [], "pong"),
        ("echo", [{"a": [1, 2.5, None]}], {"a": [1, 2.5, None]}),
        ("add", [2, 40], 42),
        ("add", [0.5, 1], 1.5),
        ("sum", [[1, 2, 3, 2**70]], 6 + 2**70),
        ("upper", ["snake pit"], "SNAKE PIT"),
        ("sleep", [1], 1),
    ],
)
def test_commands_reply_ok(command: str, args: list[object], result: object) -> None:
    assert run((1, command, args)) == (1, OK, result)


def test_info_and_pid_describe_this_interpreter() -> None:
    _, status, info = run((2, "info", []))
    assert status == OK
    assert set(info) == {"python", "implementation", "executable", "pid"}
    assert run((3, "pid", [])) == (3, OK, info["pid"])


def test_every_documented_command_exists() -> None:
    documented = {"ping", "echo", "add", "sum", "upper", "sleep", "crash", "pid", "info"}
    assert set(COMMANDS) == documented


def test_unknown_command_is_an_error_reply() -> None:
    request_id, status, message = run((4, "nope", []))
    assert (request_id, status) == (4, ERROR)
    assert message.startswith("unknown command 'nope'")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([1], "TypeError: add() missing 1 required positional argument"),
        (["1", 2], "add expects two numbers"),
        ([True, 2], "add expects two numbers"),
    ],
)
def test_bad_arguments_are_error_replies(args: list[object], message: str) -> None:
    request_id, status, reply = run((5, "add", args))
    assert (request_id, status) == (5, ERROR)
    assert reply.startswith(message)


def test_malformed_request_keeps_its_id() -> None:
    assert run((6, "ping")) == (6, ERROR, "a request must be {id, command, args} with args a list")
    assert run((7, "ping", "not a list"))[1] == ERROR


def test_undecodable_args_still_get_an_answer() -> None:
    payload = bytes([131, 104, 3, 97, 8, 109, 0, 0, 0, 4]) + b"echo" + bytes([88, 0])
    request_id, status, message = decode(handle_frame(payload) or b"")
    assert (request_id, status) == (8, ERROR)
    assert "cannot decode request: unsupported pid" in message


def test_garbage_gets_no_reply() -> None:
    assert handle_frame(b"garbage") is None
    assert handle_frame(encode([1, 2])) is None


def test_unencodable_result_becomes_an_error() -> None:
    COMMANDS["bad_result"] = set
    try:
        assert run((9, "bad_result", [])) == (
            9,
            ERROR,
            "cannot encode result: cannot encode value of type set",
        )
    finally:
        del COMMANDS["bad_result"]


def test_frames_round_trip() -> None:
    stream = io.BytesIO()
    write_frame(stream, b"abc")
    write_frame(stream, b"")
    assert stream.getvalue() == b"\x00\x00\x00\x03abc\x00\x00\x00\x00"
    stream.seek(0)
    assert read_frame(stream) == b"abc"
    assert read_frame(stream) == b""
    assert read_frame(stream) is None


@pytest.mark.parametrize("data", [b"\x00\x00", b"\x00\x00\x00\x05ab"])
def test_truncated_frames_are_protocol_errors(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        read_frame(io.BytesIO(data))


def test_serve_answers_in_order_until_end_of_input() -> None:
    requests = io.BytesIO()
    for request_id, command, args in [(1, "ping", []), (2, "upper", ["x"]), (3, "nope", [])]:
        write_frame(requests, encode((request_id, command, args)))
    requests.seek(0)
    replies = io.BytesIO()

    assert serve(requests, replies, eof_grace=None) == 0

    replies.seek(0)
    answers = []
    while (payload := read_frame(replies)) is not None:
        answers.append(decode(payload))
    assert [(a[0], a[1]) for a in answers] == [(1, OK), (2, OK), (3, ERROR)]
    assert answers[1][2] == "X"
