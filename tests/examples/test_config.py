"""The ``[examples]`` table: defaults, settings, one line per bad value."""

from __future__ import annotations

from typing import Any

import pytest

from sessions.examples.config import ExamplesConfig, ExamplesError, Settings, parse_config
from tests.examples.support import LABEL

pytestmark = pytest.mark.unit


def test_config_defaults() -> None:
    config = parse_config({}, LABEL)
    assert config == ExamplesConfig()
    assert config.timeout == 60 and config.mix_env == "dev" and config.globs == ("*.exs",)


def test_config_settings_are_read_with_numbers_as_text() -> None:
    config = parse_config(
        {
            "timeout": 30,
            "settings": {
                "pool_size": {"args": ["--size", 4], "timeout": 5.5},
                "greeting": {"env": {"DEMO_MS": 3000, "NAME": "x"}, "exclusive": True},
                "interactive": {"skip": "  reads a terminal "},
            },
        },
        LABEL,
    )
    assert config.timeout == 30.0
    assert config.settings["pool_size"] == Settings(timeout=5.5, args=("--size", "4"))
    assert config.settings["greeting"].env == {"DEMO_MS": "3000", "NAME": "x"}
    assert config.settings["greeting"].exclusive
    assert config.settings["interactive"].skip == "reads a terminal"


def test_a_single_glob_is_a_one_item_list() -> None:
    assert parse_config({"globs": "demo_*.exs"}, LABEL).globs == ("demo_*.exs",)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"timout": 5}, "[examples] unknown key(s) timout; use "),
        ({"timeout": 0}, "[examples] timeout must be a positive number of seconds"),
        ({"timeout": "60"}, "[examples] timeout must be a number"),
        ({"timeout": True}, "[examples] timeout must be a number"),
        ({"globs": []}, "[examples] globs must not be empty"),
        ({"recursive": "yes"}, "[examples] recursive must be true or false"),
        ({"helpers": [1]}, "[examples] helpers must be a non-empty string"),
        ({"mix_env": "Dev env"}, '[examples] mix_env: `Dev env` is not a Mix env name, e.g. "dev"'),
        ({"isolation_env": "A-B"}, "[examples] isolation_env: `A-B` is not a variable name"),
        ({"exclusive": True}, "[examples] exclusive must be a list of strings"),
        ({"settings": []}, "[examples] settings must be tables"),
        ({"settings": {"a": 1}}, "[examples.settings.a] must be a table"),
        ({"settings": {"a": {"arg": []}}}, "[examples.settings.a] unknown key(s) arg; use "),
        ({"settings": {"a": {"args": "4"}}}, "[examples.settings.a] args must be a list"),
        ({"settings": {"a": {"args": [True]}}}, "[examples.settings.a] args must be"),
        ({"settings": {"a": {"env": ["X=1"]}}}, "[examples.settings.a] env must be a table"),
        ({"settings": {"a": {"env": {"X": [1]}}}}, "[examples.settings.a] env must be a table"),
        ({"settings": {"a": {"skip": True}}}, "[examples.settings.a] skip must be the reason"),
        ({"settings": {"a": {"skip": " "}}}, "[examples.settings.a] skip must be the reason"),
        ({"settings": {"a": {"exclusive": 1}}}, "[examples.settings.a] exclusive must be"),
        (
            {"settings": {"a": {"timeout": -1}}},
            "[examples.settings.a] timeout must be a positive number",
        ),
    ],
)
def test_bad_config_is_one_line_naming_file_and_key(section: dict[str, Any], expected: str) -> None:
    with pytest.raises(ExamplesError) as caught:
        parse_config(section, LABEL)
    message = str(caught.value)
    assert message.startswith(f"{LABEL}: ")
    assert expected in message
    assert "\n" not in message
