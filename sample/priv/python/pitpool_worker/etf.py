"""Erlang External Term Format, the subset Pitpool exchanges with Elixir.

The Elixir side speaks ``:erlang.term_to_binary/1``; Python's standard library has no
codec for it, and the worker must stay dependency-free, so this is a small one.

Mapping (Elixir -> Python -> Elixir):

* integers of any size <-> ``int``
* floats <-> ``float`` (non-finite floats cannot be encoded: Erlang has none)
* ``nil`` / ``true`` / ``false`` <-> ``None`` / ``True`` / ``False``
* other atoms <-> ``Atom`` (a ``str`` subclass, so ``{"key": ...}`` lookups still work)
* binaries -> ``str`` when valid UTF-8, else ``bytes``; ``str`` / ``bytes`` -> binary
* lists <-> ``list`` (charlists arrive as lists of ints); tuples <-> ``tuple``
* maps <-> ``dict``
"""

from __future__ import annotations

import math
import struct
import zlib
from typing import Any

VERSION = 131

COMPRESSED = 80
NEW_FLOAT_EXT = 70
SMALL_INTEGER_EXT = 97
INTEGER_EXT = 98
FLOAT_EXT = 99
ATOM_EXT = 100
SMALL_TUPLE_EXT = 104
LARGE_TUPLE_EXT = 105
NIL_EXT = 106
STRING_EXT = 107
LIST_EXT = 108
BINARY_EXT = 109
SMALL_BIG_EXT = 110
LARGE_BIG_EXT = 111
SMALL_ATOM_EXT = 115
MAP_EXT = 116
ATOM_UTF8_EXT = 118
SMALL_ATOM_UTF8_EXT = 119

_INT32_MIN = -(2**31)
_INT32_MAX = 2**31 - 1
_MAX_ATOM_CHARS = 255


class Atom(str):
    """An Erlang atom that is not ``nil``, ``true`` or ``false``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Atom({str.__repr__(self)})"


class DecodeError(ValueError):
    """The bytes are not a term this codec understands."""


class EncodeError(ValueError):
    """The Python value has no External Term Format equivalent here."""


# Terms that only mean something inside the VM; named so the error says what was sent.
_UNSUPPORTED = {
    77: "bitstring",
    88: "pid",
    103: "pid",
    89: "port",
    102: "port",
    120: "port",
    90: "reference",
    101: "reference",
    114: "reference",
    112: "function",
    113: "function",
    117: "function",
}

_SPECIAL_ATOMS: dict[str, Any] = {"nil": None, "true": True, "false": False}


def encode(term: Any) -> bytes:
    """Encode ``term`` as External Term Format (with the version byte)."""
    out = bytearray([VERSION])
    _encode(term, out)
    return bytes(out)


def decode(data: bytes) -> Any:
    """Decode one whole External Term Format binary."""
    decoder = _Decoder(data)
    term = decoder.term_with_version()
    if decoder.pos != len(decoder.data):
        raise DecodeError(f"{len(decoder.data) - decoder.pos} trailing byte(s) after the term")
    return term


def decode_tuple_head(data: bytes) -> Any:
    """Decode only the first element of a top-level tuple.

    A request whose arguments cannot be decoded can still be answered if its id (the
    first element) can be read.
    """
    decoder = _Decoder(data)
    decoder.version()
    tag = decoder.u8()
    if tag == SMALL_TUPLE_EXT:
        arity = decoder.u8()
    elif tag == LARGE_TUPLE_EXT:
        arity = decoder.u32()
    else:
        raise DecodeError("not a tuple")
    if arity == 0:
        raise DecodeError("empty tuple")
    return decoder.term()


# --- encoding --------------------------------------------------------------------------


def _encode(term: Any, out: bytearray) -> None:
    if term is None:
        _encode_atom("nil", out)
    elif term is True:
        _encode_atom("true", out)
    elif term is False:
        _encode_atom("false", out)
    elif isinstance(term, Atom):
        _encode_atom(str(term), out)
    elif isinstance(term, int):
        _encode_int(term, out)
    elif isinstance(term, float):
        if not math.isfinite(term):
            raise EncodeError(f"cannot encode non-finite float {term!r}")
        out.append(NEW_FLOAT_EXT)
        out += struct.pack(">d", term)
    elif isinstance(term, str):
        _encode_binary(term.encode("utf-8"), out)
    elif isinstance(term, (bytes, bytearray, memoryview)):
        _encode_binary(bytes(term), out)
    elif isinstance(term, tuple):
        if len(term) <= 0xFF:
            out += bytes([SMALL_TUPLE_EXT, len(term)])
        else:
            out.append(LARGE_TUPLE_EXT)
            out += struct.pack(">I", len(term))
        for item in term:
            _encode(item, out)
    elif isinstance(term, list):
        if term:
            out.append(LIST_EXT)
            out += struct.pack(">I", len(term))
            for item in term:
                _encode(item, out)
        out.append(NIL_EXT)
    elif isinstance(term, dict):
        out.append(MAP_EXT)
        out += struct.pack(">I", len(term))
        for key, value in term.items():
            _encode(key, out)
            _encode(value, out)
    else:
        raise EncodeError(f"cannot encode value of type {type(term).__name__}")


def _encode_atom(name: str, out: bytearray) -> None:
    if len(name) > _MAX_ATOM_CHARS:
        raise EncodeError(f"atom longer than {_MAX_ATOM_CHARS} characters")
    raw = name.encode("utf-8")
    if len(raw) <= 0xFF:
        out += bytes([SMALL_ATOM_UTF8_EXT, len(raw)])
    else:
        out.append(ATOM_UTF8_EXT)
        out += struct.pack(">H", len(raw))
    out += raw


def _encode_int(value: int, out: bytearray) -> None:
    if 0 <= value <= 0xFF:
        out += bytes([SMALL_INTEGER_EXT, value])
    elif _INT32_MIN <= value <= _INT32_MAX:
        out.append(INTEGER_EXT)
        out += struct.pack(">i", value)
    else:
        magnitude = abs(value)
        digits = magnitude.to_bytes((magnitude.bit_length() + 7) // 8, "little")
        sign = 1 if value < 0 else 0
        if len(digits) <= 0xFF:
            out += bytes([SMALL_BIG_EXT, len(digits), sign])
        else:
            out.append(LARGE_BIG_EXT)
            out += struct.pack(">I", len(digits))
            out.append(sign)
        out += digits


def _encode_binary(raw: bytes, out: bytearray) -> None:
    out.append(BINARY_EXT)
    out += struct.pack(">I", len(raw))
    out += raw


# --- decoding --------------------------------------------------------------------------


class _Decoder:
    def __init__(self, data: bytes) -> None:
        self.data = bytes(data)
        self.pos = 0

    def take(self, count: int) -> bytes:
        end = self.pos + count
        if end > len(self.data):
            raise DecodeError("unexpected end of data")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        value: int = struct.unpack(">H", self.take(2))[0]
        return value

    def u32(self) -> int:
        value: int = struct.unpack(">I", self.take(4))[0]
        return value

    def version(self) -> None:
        if not self.data:
            raise DecodeError("empty data")
        version = self.u8()
        if version != VERSION:
            raise DecodeError(f"unknown format version {version} (expected {VERSION})")

    def term_with_version(self) -> Any:
        self.version()
        if self.pos < len(self.data) and self.data[self.pos] == COMPRESSED:
            self.pos += 1
            size = self.u32()
            try:
                inflated = zlib.decompress(self.data[self.pos :])
            except zlib.error as exc:
                raise DecodeError(f"bad compressed term: {exc}") from None
            if len(inflated) != size:
                raise DecodeError("compressed term has the wrong size")
            self.data, self.pos = inflated, 0
        return self.term()

    def term(self) -> Any:
        tag = self.u8()
        if tag == SMALL_INTEGER_EXT:
            return self.u8()
        if tag == INTEGER_EXT:
            value: int = struct.unpack(">i", self.take(4))[0]
            return value
        if tag in (SMALL_BIG_EXT, LARGE_BIG_EXT):
            count = self.u8() if tag == SMALL_BIG_EXT else self.u32()
            sign = self.u8()
            magnitude = int.from_bytes(self.take(count), "little")
            return -magnitude if sign else magnitude
        if tag == NEW_FLOAT_EXT:
            number: float = struct.unpack(">d", self.take(8))[0]
            return number
        if tag == FLOAT_EXT:
            text = self.take(31).split(b"\x00", 1)[0]
            return float(text.decode("ascii"))
        if tag in (ATOM_UTF8_EXT, SMALL_ATOM_UTF8_EXT, ATOM_EXT, SMALL_ATOM_EXT):
            return self.atom(tag)
        if tag == BINARY_EXT:
            raw = self.take(self.u32())
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                return raw
        if tag == NIL_EXT:
            return []
        if tag == STRING_EXT:
            return list(self.take(self.u16()))
        if tag == LIST_EXT:
            items = [self.term() for _ in range(self.u32())]
            if self.u8() != NIL_EXT:
                raise DecodeError("improper lists are not supported")
            return items
        if tag in (SMALL_TUPLE_EXT, LARGE_TUPLE_EXT):
            arity = self.u8() if tag == SMALL_TUPLE_EXT else self.u32()
            return tuple(self.term() for _ in range(arity))
        if tag == MAP_EXT:
            result: dict[Any, Any] = {}
            for _ in range(self.u32()):
                key = self.term()
                value = self.term()
                try:
                    result[key] = value
                except TypeError:
                    raise DecodeError(f"unhashable map key {key!r}") from None
            return result
        kind = _UNSUPPORTED.get(tag, "term")
        raise DecodeError(f"unsupported {kind} (tag {tag}) at byte {self.pos - 1}")

    def atom(self, tag: int) -> Any:
        short = tag in (SMALL_ATOM_UTF8_EXT, SMALL_ATOM_EXT)
        raw = self.take(self.u8() if short else self.u16())
        encoding = "utf-8" if tag in (ATOM_UTF8_EXT, SMALL_ATOM_UTF8_EXT) else "latin-1"
        try:
            name = raw.decode(encoding)
        except UnicodeDecodeError:
            raise DecodeError("atom is not valid UTF-8") from None
        if name in _SPECIAL_ATOMS:
            return _SPECIAL_ATOMS[name]
        return Atom(name)
