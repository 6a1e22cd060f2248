"""Which venvs the target wants ([[venvs]], [setup]) and when one is intact: no process."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.python import venvs
from sessions.python.venvs import SetupError
from tests.python.support import fake_venv, make_target

pytestmark = pytest.mark.unit


def test_extra_venvs_from_config(tmp_path: Path) -> None:
    toml = (
        '[[venvs]]\npath = ".venv-py313"\npython = "python3.13"\n\n'
        '[[venvs]]\npath = ".venv-min"\npython = "python3.9"\nrequired = true\n'
        'requirements = ["priv/python/min.txt"]\n'
    )
    target = make_target(tmp_path, toml)
    specs = venvs.venv_specs(target)
    assert [(s.path.name, s.python, s.required, s.main) for s in specs] == [
        (".venv", None, True, True),
        (".venv-py313", "python3.13", False, False),
        (".venv-min", "python3.9", True, False),
    ]
    assert specs[1].requirements == target.requirements
    assert specs[2].requirements == (tmp_path / "priv/python/min.txt",)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("venvs = 3\n", ": venvs must be a list of tables"),
        ('[[venvs]]\npython = "python3"\n', 'venvs[1] path is missing; add path = ".venv-py313"'),
        ('[[venvs]]\npath = ".v"\n', 'venvs[1] python is missing; add python = "python3.13"'),
        ('[[venvs]]\npath = 3\npython = "p"\n', "venvs[1] path must be a directory name"),
        ('[[venvs]]\npath = ".v"\npython = "p"\nrequired = "yes"\n', "required must be true"),
        ('[[venvs]]\npath = ".v"\npython = "p"\npyhton = "x"\n', "unknown key(s) pyhton; use"),
        ('[[venvs]]\npath = ".venv"\npython = "p"\n', "venv .venv is listed twice"),
        ('[[venvs]]\npath = ".v"\npython = "p"\nrequirements = []\n', "requirements is empty"),
        (
            '[[venvs]]\npath = ".v"\npython = "p"\nrequirements = [1]\n',
            "requirements must be a list of file paths like",
        ),
        ("requirements = []\n", "`requirements` is empty; list at least one file"),
    ],
)
def test_bad_venvs_config_is_one_line(tmp_path: Path, toml: str, message: str) -> None:
    target = make_target(tmp_path, toml)
    with pytest.raises(SetupError) as caught:
        venvs.venv_specs(target)
    said = str(caught.value)
    assert message in said
    assert said.startswith(f"{target.config_file}:")
    assert "\n" not in said


def test_setup_installer_setting(tmp_path: Path) -> None:
    assert venvs.setup_settings(make_target(tmp_path / "a")).installer == "auto"
    pip = make_target(tmp_path / "b", '[setup]\ninstaller = "pip"\n')
    assert venvs.setup_settings(pip).installer == "pip"
    bad = make_target(tmp_path / "c", '[setup]\ninstaller = "conda"\n')
    with pytest.raises(SetupError) as caught:
        venvs.setup_settings(bad)
    assert str(caught.value) == (
        f"{bad.config_file}: [setup] installer must be one of auto, uv, pip"
    )


def test_intact_needs_both_interpreter_names_and_a_version(tmp_path: Path) -> None:
    spec = venvs.venv_specs(make_target(tmp_path))[0]
    assert not venvs.intact(spec)
    fake_venv(spec)
    assert venvs.intact(spec)
    (spec.path / "bin" / "python").unlink()
    assert not venvs.intact(spec)


def test_venv_version_from_pyvenv_cfg(tmp_path: Path) -> None:
    (tmp_path / "pyvenv.cfg").write_text(
        "home = /x\nimplementation = CPython\nversion_info = 3.12.1\n"
    )
    assert venvs.venv_version(tmp_path) == "3.12.1"
    assert venvs.venv_version(tmp_path / "absent") is None
