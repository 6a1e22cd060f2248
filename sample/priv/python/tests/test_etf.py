"""The codec against bytes produced by :erlang.term_to_binary/1 (OTP 25)."""

from __future__ import annotations

import math
import zlib

import pytest
from pitpool_worker.etf import Atom, DecodeError, EncodeError, decode, decode_tuple_head, encode

# (Elixir term, its term_to_binary bytes, the Python value)
ERLANG_SAMPLES = [
    ('{1, :ok, "hi"}', bytes([131, 104, 3, 97, 1, 100, 0, 2, 111, 107, 109, 0, 0, 0, 2, 104, 105]),
     (1, Atom("ok"), "hi")),
    ("[1, 2, 3] (STRING_EXT)", bytes([131, 107, 0, 3, 1, 2, 3]), [1, 2, 3]),
    ("300", bytes([131, 98, 0, 0, 1, 44]), 300),
    ("-5", bytes([131, 98, 255, 255, 255, 251]), -5),
    ("2 ** 70", bytes([131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64]), 2**70),
    ("-(2 ** 70)", bytes([131, 110, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 64]), -(2**70)),
    ("1.5", bytes([131, 70, 63, 248, 0, 0, 0, 0, 0, 0]), 1.5),
    ('%{"a" => [nil, true, false]}',
     bytes([131, 116, 0, 0, 0, 1, 109, 0, 0, 0, 1, 97, 108, 0, 0, 0, 3, 100, 0, 3, 110, 105,
            108, 100, 0, 4, 116, 114, 117, 101, 100, 0, 5, 102, 97, 108, 115, 101, 106]),
     {"a": [None, True, False]}),
    (":atom", bytes([131, 100, 0, 4, 97, 116, 111, 109]), Atom("atom")),
    ("[]", bytes([131, 106]), []),
    ("{}", bytes([131, 104, 0]), ()),
    ('"é"', bytes([131, 109, 0, 0, 0, 2, 195, 169]), "é"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "expected"),
    [pytest.param(data, value, id=label) for label, data, value in ERLANG_SAMPLES],
)
def test_decodes_what_erlang_encodes(data: bytes, expected: object) -> None:
    assert decode(data) == expected


@pytest.mark.parametrize(
    "value",
    [
        0,
        255,
        256,
        -1,
        2**31 - 1,
        -(2**31),
        2**31,
        -(2**31) - 1,
        2**64,
        -(2**2100),
        0.0,
        -2.5,
        1e300,
        "",
        "hello",
        "naïve ☃",
        b"\xff\x00",
        None,
        True,
        False,
        Atom("ok"),
        Atom("é" * 200),
        [],
        [1, [2, [3]]],
        (),
        (1, "two", Atom("three")),
        tuple(range(300)),
        {},
        {"k": {"nested": [1.5, None]}, 1: (2,), Atom("a"): b"\x80"},
    ],
)
def test_round_trip(value: object) -> None:
    decoded = decode(encode(value))
    assert decoded == value
    assert type(decoded) is type(value)


def test_booleans_and_none_are_atoms() -> None:
    assert encode(None) == bytes([131, 119, 3]) + b"nil"
    assert encode(True) == bytes([131, 119, 4]) + b"true"
    assert decode(bytes([131, 100, 0, 5]) + b"false") is False


def test_encodes_integers_and_binaries_like_erlang() -> None:
    for label, data, value in ERLANG_SAMPLES:
        if label in {"300", "-5", "2 ** 70", "-(2 ** 70)", "1.5", '"é"', "[]", "{}"}:
            assert encode(value) == data, label


def test_invalid_utf8_binary_decodes_to_bytes() -> None:
    assert decode(bytes([131, 109, 0, 0, 0, 2, 255, 0])) == b"\xff\x00"


def test_decodes_compressed_terms() -> None:
    inner = encode("a" * 100)[1:]
    data = bytes([131, 80]) + len(inner).to_bytes(4, "big") + zlib.compress(inner)
    assert decode(data) == "a" * 100


def test_decodes_old_float_ext() -> None:
    text = b"1.50000000000000000000e+00".ljust(31, b"\x00")
    assert decode(bytes([131, 99]) + text) == 1.5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty data"),
        (bytes([130, 106]), "unknown format version 130"),
        (bytes([131, 109, 0, 0, 0, 9, 1]), "unexpected end of data"),
        (bytes([131, 106, 106]), "1 trailing byte"),
        (bytes([131, 108, 0, 0, 0, 1, 97, 1, 97, 2]), "improper lists"),
        (bytes([131, 88, 119, 0]), "unsupported pid (tag 88)"),
        (bytes([131, 116, 0, 0, 0, 1, 106, 97, 1]), "unhashable map key"),
    ],
)
def test_rejects_bad_data(data: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decode(data)


@pytest.mark.parametrize("value", [math.nan, math.inf, {1, 2}, object(), Atom("a" * 256)])
def test_rejects_values_erlang_cannot_hold(value: object) -> None:
    with pytest.raises(EncodeError):
        encode(value)


def test_tuple_head_reads_only_the_first_element() -> None:
    data = bytes([131, 104, 3, 97, 7, 109, 0, 0, 0, 1, 120, 88])  # {7, "x", <pid...>}
    assert decode_tuple_head(data) == 7
    with pytest.raises(DecodeError):
        decode(data)
    with pytest.raises(DecodeError, match="not a tuple"):
        decode_tuple_head(encode([1]))
