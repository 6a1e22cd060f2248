"""bump-my-version through its public API only: the exact names noxpit uses exist in the
installed version (pyproject.toml's lower bound must have them too)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit


def test_the_bump_my_version_api_noxpit_calls_exists() -> None:
    from bumpversion.config import get_configuration
    from bumpversion.config.models import FileChange
    from bumpversion.exceptions import BumpVersionError
    from bumpversion.files import ConfiguredFile
    from pydantic import ValidationError
    from wcmatch import glob

    assert issubclass(BumpVersionError, Exception)
    assert issubclass(ValidationError, Exception)
    assert {"config_file", "overrides"} <= set(inspect.signature(get_configuration).parameters)
    changed = inspect.signature(ConfiguredFile.get_changed_contents).parameters
    assert {"current_version", "new_version", "context", "file_contents"} <= set(changed)
    assert callable(FileChange.get_search_pattern)
    assert callable(glob.escape) and callable(glob.glob)
    for flag in ("GLOBSTAR", "FORCEUNIX", "SPLIT", "EXTGLOB"):
        assert hasattr(glob, flag)


def test_get_configuration_takes_files_and_current_version_as_overrides(tmp_path: Path) -> None:
    from bumpversion.config import get_configuration

    config_file = tmp_path / ".bumpversion.toml"
    config_file.write_text('[tool.bumpversion]\nsearch = "v{current_version}"\n')
    target = tmp_path / "README.md"
    target.write_text("v1.2.3\n")
    config = get_configuration(
        config_file, current_version="1.2.3", files=[{"filename": str(target)}]
    )
    assert config.current_version == "1.2.3"
    assert [f.filename for f in config.files] == [str(target)]
    assert config.files[0].search == "v{current_version}"
    assert config.version_config.parse("1.2.4") is not None
