"""One reader for every config table: an area declares its settings as a frozen dataclass,
and ``read_section`` checks types, choices and patterns and names the key when one is wrong.

Field types understood: ``str``, ``bool``, ``int``, ``float``, ``Literal[...]``,
``X | None``, ``tuple[str, ...]`` (a string alone is a one-item list), ``tuple[int, ...]``,
``Mapping[str, str]``, and ``tuple[SomeDataclass, ...]`` for arrays of tables. A field's
``metadata`` may add ``pattern`` (a regex every string must match, with ``what`` saying what
it should look like), ``minimum`` for numbers, and ``key`` when the TOML key differs.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeVar

from sessions.core.errors import NoxpitError

T = TypeVar("T")


def rule(
    *, pattern: str | None = None, what: str = "", minimum: float | None = None, key: str = ""
) -> dict[str, Any]:
    """Field metadata for ``read_section``: ``field(default=..., metadata=rule(...))``."""
    return {"pattern": pattern, "what": what, "minimum": minimum, "key": key}


def reject_unknown_keys(
    table: Mapping[str, Any], allowed: Iterable[str], where: str, error: type[NoxpitError]
) -> None:
    """One wording for every config table: ``<file>: [area] unknown key(s) x; use a, b``."""
    known = sorted(allowed)
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise error(f"{where} unknown key(s) {', '.join(unknown)}; use {', '.join(known)}")


def keys_of(cls: type[Any]) -> list[str]:
    """The TOML keys a settings dataclass accepts."""
    return [_key(f) for f in dataclasses.fields(cls)]


def _key(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get("key") or f.name)


def read_section(
    cls: type[T], table: object, where: str, error: type[NoxpitError], **fixed: Any
) -> T:
    """``table`` read into ``cls``; ``where`` is how messages name it (``file: [area]``).
    ``fixed`` values are passed through unchecked (settings that do not come from TOML)."""
    if not isinstance(table, Mapping):
        raise error(f"{where} must be a table")
    fields = [f for f in dataclasses.fields(cls) if f.name not in fixed]  # type: ignore[arg-type]
    reject_unknown_keys(table, [_key(f) for f in fields], where, error)
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = dict(fixed)
    for f in fields:
        key = _key(f)
        if key in table:
            values[f.name] = _convert(
                table[key], hints[f.name], f.metadata, f"{where} {key}", error
            )
    return cls(**values)


def _convert(
    value: object, hint: Any, meta: Mapping[str, Any], label: str, error: type[NoxpitError]
) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union) and type(None) in args:
        inner = [a for a in args if a is not type(None)]
        return _convert(value, inner[0], meta, label, error)
    if origin is Literal:
        if value not in args:
            raise error(f"{label} must be one of {', '.join(map(str, args))}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise error(f"{label} must be true or false")
        return value
    if hint is int or hint is float:
        return _number(value, hint, meta, label, error)
    if hint is str:
        return _string(value, meta, label, error)
    if origin is tuple:
        item = args[0]
        if isinstance(value, str) and item is str:
            value = [value]
        if not isinstance(value, list):
            raise error(f"{label} must be a list{_of(item)}")
        if dataclasses.is_dataclass(item):
            return tuple(
                read_section(item, entry, f"{label}[{index}]", error)  # type: ignore[arg-type]
                for index, entry in enumerate(value, 1)
            )
        return tuple(_convert(entry, item, meta, label, error) for entry in value)
    if origin in (Mapping, dict) or hint is Mapping:
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise error(f"{label} must be a table of strings")
        return dict(value)
    raise TypeError(f"read_section cannot read {hint!r}")  # a programming error, not a user one


def _of(item: Any) -> str:
    if dataclasses.is_dataclass(item):
        return " of tables"
    return {str: " of strings", int: " of whole numbers"}.get(item, "")


def _string(value: object, meta: Mapping[str, Any], label: str, error: type[NoxpitError]) -> str:
    what = meta.get("what") or "a non-empty string"
    if not isinstance(value, str) or not value:
        raise error(f"{label} must be {what}")
    pattern = meta.get("pattern")
    if pattern and not re.fullmatch(pattern, value):
        raise error(f"{label}: `{value}` is not {what}")
    return value


def _number(
    value: object, hint: type, meta: Mapping[str, Any], label: str, error: type[NoxpitError]
) -> float:
    whole = hint is int
    ok = isinstance(value, int) if whole else isinstance(value, int | float)
    if isinstance(value, bool) or not ok or not math.isfinite(float(value)):  # type: ignore[arg-type]
        raise error(f"{label} must be a {'whole number' if whole else 'number'}")
    minimum = meta.get("minimum")
    if minimum is not None and value < minimum:
        raise error(f"{label} must be at least {minimum}")
    return value  # type: ignore[return-value]
