"""The one config reader: what a user sees for each kind of wrong value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest

from sessions.core.config import keys_of, read_section, rule
from sessions.core.errors import NoxpitError

pytestmark = pytest.mark.unit


class AreaError(NoxpitError):
    pass


@dataclass(frozen=True)
class Port:
    name: str
    port: int = field(default=0, metadata=rule(minimum=1))


@dataclass(frozen=True)
class Area:
    engine: Literal["auto", "otp"] = "auto"
    mix_env: str = field(default="dev", metadata=rule(pattern=r"[a-z_]+", what="a Mix env name"))
    timeout: float = field(default=60.0, metadata=rule(minimum=0.1))
    jobs: int = 2
    strict: bool = False
    globs: tuple[str, ...] = ("*.exs",)
    env: Mapping[str, str] = field(default_factory=dict)
    python: str | None = None
    ports: tuple[Port, ...] = ()
    ignore_file: str = field(default=".ignore", metadata=rule(key="ignore-file"))


WHERE = "noxpit.toml: [area]"


def read(table: Any) -> Area:
    return read_section(Area, table, WHERE, AreaError)


def test_defaults_when_absent() -> None:
    assert read({}) == Area()


def test_values_are_read() -> None:
    area = read(
        {
            "engine": "otp",
            "mix_env": "test",
            "timeout": 5,
            "jobs": 4,
            "strict": True,
            "globs": "*.ex",
            "env": {"A": "1"},
            "python": "python3.12",
            "ports": [{"name": "grpc", "port": 50051}],
            "ignore-file": "x",
        }
    )
    assert area == Area(
        "otp", "test", 5, 4, True, ("*.ex",), {"A": "1"}, "python3.12", (Port("grpc", 50051),), "x"
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"engin": "otp"}, "[area] unknown key(s) engin; use engine,"),
        ({"engine": "fast"}, "[area] engine must be one of auto, otp"),
        ({"mix_env": "Dev!"}, "[area] mix_env: `Dev!` is not a Mix env name"),
        ({"mix_env": ""}, "[area] mix_env must be a Mix env name"),
        ({"timeout": 0}, "[area] timeout must be at least 0.1"),
        ({"timeout": float("inf")}, "[area] timeout must be a number"),
        ({"jobs": 1.5}, "[area] jobs must be a whole number"),
        ({"jobs": True}, "[area] jobs must be a whole number"),
        ({"strict": "yes"}, "[area] strict must be true or false"),
        ({"globs": [1]}, "[area] globs must be a non-empty string"),
        ({"globs": {"a": 1}}, "[area] globs must be a list of strings"),
        ({"env": {"A": 1}}, "[area] env must be a table of strings"),
        ({"ports": [{"name": "x", "port": 0}]}, "[area] ports[1] port must be at least 1"),
        ({"ports": [{"nam": "x"}]}, "[area] ports[1] unknown key(s) nam"),
        ({"ports": {"name": "x"}}, "[area] ports must be a list of tables"),
        ("nope", "[area] must be a table"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_key(table: Any, message: str) -> None:
    with pytest.raises(AreaError) as caught:
        read(table)
    text = str(caught.value)
    assert message in text
    assert text.startswith(WHERE)
    assert "\n" not in text


def test_fixed_values_are_not_config_keys() -> None:
    area = read_section(Area, {}, WHERE, AreaError, jobs=7)
    assert area.jobs == 7
    with pytest.raises(AreaError, match="unknown key"):
        read_section(Area, {"jobs": 3}, WHERE, AreaError, jobs=7)


def test_keys_of_uses_the_toml_names() -> None:
    assert "ignore-file" in keys_of(Area)
    assert "ignore_file" not in keys_of(Area)
