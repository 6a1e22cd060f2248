"""Target resolution and mix.exs parsing, including the bad inputs users hit."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.core.target import (
    ProjectError,
    build_target,
    load_target,
    parse_mix_exs,
    resolve_root,
)

pytestmark = pytest.mark.unit


MIX_ATTR = """
defmodule Demo.MixProject do
  use Mix.Project

  # @version "9.9.9" is an old comment and must not be read
  @version "0.6.10"
  @source_url "https://example.com/demo#readme"

  def project do
    [
      app: :demo,
      version: @version,
      elixir: "~> 1.18",
      deps: deps()
    ]
  end

  defp deps do
    [
      {:jason, "~> 1.4"},
      # {:commented, "~> 1.0"},
      {:dialyxir, "~> 1.4", only: [:dev, :test], runtime: false}
    ]
  end
end
"""


def write_mix(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mix.exs").write_text(text)
    return root


def test_parse_attribute_version_requirement_and_deps() -> None:
    info = parse_mix_exs(MIX_ATTR)
    assert (info.app, info.version, info.elixir) == ("demo", "0.6.10", "~> 1.18")
    assert info.deps == ("jason", "dialyxir")


def test_parse_literal_version_and_no_deps() -> None:
    text = 'defmodule X.MixProject do\n def project, do: [app: :x, version: "1.2.3-rc.1"]\nend\n'
    info = parse_mix_exs(text)
    assert (info.app, info.version, info.elixir, info.deps) == ("x", "1.2.3-rc.1", None, ())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("def project, do: [app: :x]", "no readable version"),
        ("def project, do: [app: :x, version: @missing]", "no readable version"),
        ('def project, do: [app: :x, version: "1.2"]', 'version "1.2" is not SemVer'),
        ('def project, do: [version: "1.2.3"]', "no `app: :name`"),
        ('# version: "1.2.3"\ndef project, do: [app: :x]', "no readable version"),
    ],
)
def test_parse_rejects_unreadable_mix_exs(text: str, expected: str) -> None:
    with pytest.raises(ProjectError, match=expected):
        parse_mix_exs(text)


def test_resolution_order(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    assert resolve_root(suite, {}) == (suite / "sample").resolve()
    (suite / "pyproject.toml").write_text('[tool.noxpit]\nproject = "../other"\n')
    assert resolve_root(suite, {}) == (tmp_path / "other").resolve()
    assert resolve_root(suite, {"NOXPIT_PROJECT": str(tmp_path / "env")}) == tmp_path / "env"


def test_relative_env_path_is_relative_to_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_root(tmp_path / "suite", {"NOXPIT_PROJECT": "proj"}) == tmp_path / "proj"


def test_target_defaults(tmp_path: Path) -> None:
    root = write_mix(tmp_path / "demo", MIX_ATTR)
    target = build_target(root, {})
    assert target.app == "demo" and target.version == "0.6.10"
    assert target.python_dir == root / "priv/python"
    assert target.venv_python == root / ".venv/bin/python3"
    assert target.requirements == (root / "priv/python/requirements.txt",)
    assert target.proto_dir == root / "priv/proto"
    assert target.test_tags == ("python_integration", "integration")
    assert target.reports_dir == root / "_build/noxpit"
    assert target.python_env_var == "SNAKEPIT_PYTHON"


def test_noxpit_toml_and_reports_env(tmp_path: Path) -> None:
    root = write_mix(tmp_path / "demo", MIX_ATTR)
    (root / "noxpit.toml").write_text(
        'python_dir = "py"\nvenv = ".env"\npython_env = "DEMO_PY"\ntest_tags = ["slow"]\n'
        "[examples]\ntimeout = 5\n"
    )
    target = build_target(root, {"NOXPIT_REPORTS": str(tmp_path / "reports")})
    assert target.python_dir == root / "py"
    assert target.venv_dir == root / ".env"
    assert target.requirements == (root / "py/requirements.txt",)
    assert target.python_env_var == "DEMO_PY"
    assert target.test_tags == ("slow",)
    assert target.reports_dir == tmp_path / "reports"
    assert target.section("examples") == {"timeout": 5}
    assert target.section("docs") == {}


def test_pyproject_tool_noxpit_table(tmp_path: Path) -> None:
    root = write_mix(tmp_path / "demo", MIX_ATTR)
    (root / "pyproject.toml").write_text('[tool.noxpit]\nvenv = ".venv-x"\n')
    assert build_target(root, {}).venv_dir == root / ".venv-x"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ('venv = ""', "`venv` must be a non-empty string"),
        ("test_tags = [1]", "`test_tags` must be a list of strings"),
        ('pyhton_dir = "x"', "unknown key\\(s\\) pyhton_dir"),
        ("venv = [", "invalid TOML"),
        ('examples = "x"', "\\[examples\\] must be a table"),
    ],
)
def test_bad_config_is_one_line(tmp_path: Path, config: str, expected: str) -> None:
    root = write_mix(tmp_path / "demo", MIX_ATTR)
    (root / "noxpit.toml").write_text(config + "\n")
    with pytest.raises(ProjectError, match=expected) as info:
        build_target(root, {}).section("examples")
    assert "\n" not in str(info.value)


def test_not_a_mix_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"is not a Mix project \(no mix.exs\)"):
        load_target(tmp_path, {"NOXPIT_PROJECT": str(tmp_path)})
    with pytest.raises(ProjectError, match="does not exist"):
        load_target(tmp_path, {"NOXPIT_PROJECT": str(tmp_path / "nope")})


def test_undecodable_mix_exs(tmp_path: Path) -> None:
    (tmp_path / "mix.exs").write_bytes(b"\xff\xfe@version")
    with pytest.raises(ProjectError, match="cannot read"):
        build_target(tmp_path, {})
