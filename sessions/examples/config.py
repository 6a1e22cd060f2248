"""The target's ``[examples]`` table and its per-example settings, read by the one config
reader (``core.config.read_section``): every bad value is one line naming the file and key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sessions.core.config import read_section, reject_unknown_keys, rule
from sessions.core.errors import NoxpitError
from sessions.elixir.build import MIX_ENV_PATTERN

DEFAULT_TIMEOUT = 60.0
DEFAULT_GLOBS = ("*.exs",)
DEFAULT_MIX_ENV = "dev"
MIX_ENV_RULE = rule(pattern=MIX_ENV_PATTERN, what='a Mix env name, e.g. "dev"')
ENV_NAME_RULE = rule(pattern=r"[A-Za-z_][A-Za-z0-9_]*", what='a variable name, e.g. "APP_TOKEN"')


class ExamplesError(NoxpitError):
    """Bad ``[examples]`` config, an unknown example name, or a build that does not compile."""


@dataclass(frozen=True)
class Settings:
    """How one example runs; the defaults suit an example that needs nothing."""

    timeout: float | None = None
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    skip: str | None = field(default=None, metadata=rule(what='the reason, e.g. "needs a TTY"'))
    exclusive: bool = False


@dataclass(frozen=True)
class ExamplesConfig:
    """The target's ``[examples]`` table, validated."""

    globs: tuple[str, ...] = DEFAULT_GLOBS
    recursive: bool = True
    helpers: tuple[str, ...] | None = None  # None: detect them
    timeout: float = DEFAULT_TIMEOUT
    mix_env: str = field(default=DEFAULT_MIX_ENV, metadata=MIX_ENV_RULE)
    exclusive: tuple[str, ...] = ()  # names or globs of examples that run alone
    isolation_env: str | None = field(default=None, metadata=ENV_NAME_RULE)
    settings: Mapping[str, Settings] = field(default_factory=dict)


def _as_text(value: Any) -> Any:
    """Numbers written without quotes (``3000``) are meant as text in ``args`` and ``env``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _texts(table: Mapping[str, Any]) -> dict[str, Any]:
    fixed = dict(table)
    if isinstance(fixed.get("args"), list):
        fixed["args"] = [_as_text(arg) for arg in fixed["args"]]
    if isinstance(fixed.get("env"), Mapping):
        fixed["env"] = {key: _as_text(value) for key, value in fixed["env"].items()}
    return fixed


def _positive(value: float | None, where: str) -> None:
    if value is not None and not value > 0:
        raise ExamplesError(f"{where} timeout must be a positive number of seconds")


def parse_settings(name: str, table: Any, label: str) -> Settings:
    where = f"{label}: [examples.settings.{name}]"
    if isinstance(table, Mapping) and isinstance(table.get("args"), str):
        raise ExamplesError(f'{where} args must be a list of strings, e.g. ["--size", "4"]')
    raw = _texts(table) if isinstance(table, Mapping) else table
    settings = read_section(Settings, raw, where, ExamplesError)
    _positive(settings.timeout, where)
    if settings.skip is not None:
        if not settings.skip.strip():
            raise ExamplesError(f'{where} skip must be the reason, e.g. "needs a TTY"')
        settings = dataclasses.replace(settings, skip=settings.skip.strip())
    return settings


def parse_config(section: Mapping[str, Any], label: str) -> ExamplesConfig:
    """Validate ``[examples]``: every problem is one line naming the file and the key."""
    where = f"{label}: [examples]"
    keys = [name for name in ExamplesConfig.__dataclass_fields__ if name != "settings"]
    reject_unknown_keys(section, [*keys, "settings"], where, ExamplesError)
    rest = {key: value for key, value in section.items() if key != "settings"}
    settings = section.get("settings", {})
    if not isinstance(settings, Mapping):
        raise ExamplesError(f"{where} settings must be tables, e.g. [examples.settings.hello]")
    config = read_section(
        ExamplesConfig,
        rest,
        where,
        ExamplesError,
        settings={name: parse_settings(name, table, label) for name, table in settings.items()},
    )
    if not config.globs:
        raise ExamplesError(f"{where} globs must not be empty")
    _positive(config.timeout, where)
    return config
