"""The [docs] table: bad config is one line naming the file and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sessions.docs import config as docs_config
from sessions.docs import sources
from sessions.docs.config import DocsError

pytestmark = pytest.mark.unit


# --- config --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"pathz": []}, r"\[docs\] unknown key\(s\) pathz; use "),
        ({"paths": 3}, r"\[docs\] paths must be a list of strings"),
        ({"deprecated": [{"pattern": "("}]}, r"needs a non-empty `pattern` and `message`"),
        ({"deprecated": [{"pattern": "(", "message": "m"}]}, r"deprecated\[1\]\.pattern is not"),
        ({"deprecated": [{"pattern": "x", "message": "m", "when": 1}]}, r"unknown key\(s\) when"),
        ({"default_deprecations": "no"}, r"must be true or false"),
    ],
)
def test_bad_config_is_one_line_naming_the_file_and_key(
    section: dict[str, Any], message: str
) -> None:
    with pytest.raises(DocsError, match=message) as error:
        docs_config.parse_config(section, "/t/noxpit.toml", "examples")
    assert str(error.value).startswith("/t/noxpit.toml: ") and "\n" not in str(error.value)


def test_configured_paths_must_exist(tmp_path: Path) -> None:
    config = docs_config.parse_config({"paths": ["README.md", "manual"]}, "cfg", "examples")
    (tmp_path / "README.md").write_text("# x\n")
    with pytest.raises(DocsError, match="manual does not exist"):
        sources.discover(tmp_path, config)
