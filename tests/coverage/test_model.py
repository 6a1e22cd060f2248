"""The coverage summary: per language and package, what only mix test reaches, fail_under."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.core.target import load_target
from sessions.coverage import model
from sessions.coverage.lcov import FileLines
from sessions.coverage.model import FailUnder, Measured
from sessions.coverage.python_tool import CoverageError

pytestmark = pytest.mark.unit

MEASURED = Measured(
    elixir=[FileLines("lib/app.ex", {1: 1, 2: 0}), FileLines("lib/app/pool.ex", {1: 1, 2: 1})],
    python_pytest=[
        FileLines("priv/python/pkg/__main__.py", {1: 0}),
        FileLines("priv/python/pkg/core.py", {1: 1, 2: 0, 3: 0}),
    ],
    python_mix=[
        FileLines("priv/python/pkg/__main__.py", {1: 1}),
        FileLines("priv/python/pkg/core.py", {1: 1, 2: 1, 3: 0}),
    ],
    python_prefix="priv/python",
)


def test_rows_per_language_and_top_level_package() -> None:
    rows = model.summary_rows(MEASURED)
    assert rows == [
        ["elixir", "lib/app", "4", "3", "75.0%", "-"],
        ["elixir", "total", "4", "3", "75.0%", "-"],
        ["python", "priv/python/pkg", "4", "3", "75.0%", "2"],
        ["python", "total", "4", "3", "75.0%", "2"],
    ]


def test_modules_only_the_elixir_tests_reach() -> None:
    assert MEASURED.only_mix_modules() == ["pkg.__main__"]
    assert MEASURED.only_mix_lines() == {
        "priv/python/pkg/__main__.py": {1},
        "priv/python/pkg/core.py": {2},
    }


def test_fail_under_gives_one_line_per_language_below() -> None:
    lines = model.below_threshold(MEASURED, FailUnder(elixir=80, python=70))
    assert lines == ["elixir coverage 75.0% is below [coverage] fail_under elixir = 80"]
    assert model.below_threshold(MEASURED, FailUnder()) == []


def test_a_language_with_no_line_measured_is_not_shown_as_covered() -> None:
    nothing = Measured([], MEASURED.python_pytest, [], "priv/python")
    assert model.summary_rows(nothing)[0] == ["elixir", "total", "0", "0", "-", "-"]
    assert model.unmeasured(nothing) == ["elixir"] and model.unmeasured(MEASURED) == []
    assert model.below_threshold(nothing, FailUnder(elixir=1)) == [
        "elixir coverage: no line was measured, so [coverage] fail_under elixir = 1 is not met"
    ]


def _target(tmp_path: Path, toml: str) -> Path:
    (tmp_path / "mix.exs").write_text(
        'defmodule A.MixProject do\n  def project, do: [app: :a, version: "0.1.0"]\nend\n'
    )
    (tmp_path / "noxpit.toml").write_text(toml)
    return tmp_path


def test_fail_under_is_read_from_the_coverage_table(tmp_path: Path) -> None:
    root = _target(tmp_path, "[coverage]\nfail_under = { elixir = 80, python = 72.5 }\n")
    target = load_target(root, {"NOXPIT_PROJECT": str(root)})
    assert model.settings(target).fail_under == FailUnder(80, 72.5)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[coverage]\nfail_under = { elixir = "high" }\n', "fail_under elixir"),
        ("[coverage]\nfail_under = { ruby = 3 }\n", "unknown key"),
        ("[coverage]\nthreshold = 3\n", "unknown key"),
    ],
)
def test_bad_coverage_settings_name_the_key(tmp_path: Path, toml: str, message: str) -> None:
    root = _target(tmp_path, toml)
    target = load_target(root, {"NOXPIT_PROJECT": str(root)})
    with pytest.raises(CoverageError, match=message):
        model.settings(target)
