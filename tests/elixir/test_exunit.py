"""mix test variants: the commands built, deps/compile preparation, and the JUnit formatter
on a real (small) Mix project: counts that match ExUnit's own, --failed, one compile."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from sessions.core.console import Console
from sessions.core.target import Target, build_target
from sessions.elixir import exunit as mix_test

pytestmark = pytest.mark.unit


MIX_EXS = """defmodule Scratch.MixProject do
  use Mix.Project

  def project, do: [app: :scratch, version: "0.1.0", elixir: "~> 1.14", deps: deps()]
  def application, do: [extra_applications: [:logger]]
  defp deps, do: []
end
"""

TESTS = """defmodule ScratchTest do
  use ExUnit.Case, async: true

  test "passes" do
    assert Scratch.hello() == :world
  end

  test "fails with <xml> & \\"quotes\\"" do
    assert Scratch.hello() == :mars
  end

  @tag :skip
  test "skipped" do
    :ok
  end

  @tag :integration
  test "integration only" do
    :ok
  end

  describe "group" do
    test "inside" do
      assert is_atom(Scratch.hello())
    end
  end
end

defmodule ScratchSetupAllTest do
  use ExUnit.Case

  setup_all do
    raise "setup_all exploded"
  end

  test "never runs" do
    :ok
  end
end
"""


def scratch_project(root: Path) -> Path:
    (root / "lib").mkdir(parents=True)
    (root / "test").mkdir()
    (root / "mix.exs").write_text(MIX_EXS)
    (root / "lib" / "scratch.ex").write_text("defmodule Scratch do\n  def hello, do: :world\nend\n")
    (root / "test" / "test_helper.exs").write_text(
        "ExUnit.start(exclude: [:integration, :python_integration])\n"
    )
    (root / "test" / "scratch_test.exs").write_text(TESTS)
    return root


def target_at(root: Path) -> Target:
    return build_target(root, {})


# --- commands -------------------------------------------------------------------------


def test_default_and_tag_variants_pass_posargs_through() -> None:
    default = mix_test.command("default", ["--failed"])
    assert default[:5] == ["elixir", "-r", str(mix_test.FORMATTER_LOADER), "-S", "mix"]
    assert default[5:] == [
        "test",
        "--no-compile",
        "--formatter",
        "ExUnit.CLIFormatter",
        "--formatter",
        "NoxpitJUnitFormatter",
        "--failed",
    ]
    tagged = mix_test.command("integration", ["test/x_test.exs:12"])
    assert tagged[-3:] == ["--only", "integration", "test/x_test.exs:12"]
    # Loaded by path before Mix starts: nothing relies on code paths Mix 1.15+ prunes.
    assert "-pa" not in tagged
    assert mix_test.FORMATTER_LOADER.is_file() and mix_test.FORMATTER_SOURCE.is_file()


def test_run_environment_points_the_formatter_at_the_variant_report(tmp_path: Path) -> None:
    target = target_at(scratch_project(tmp_path / "scratch"))
    env = mix_test.run_environment(target, "integration", {"XDG_CACHE_HOME": str(tmp_path / "c")})
    assert env["MIX_ENV"] == "test"
    assert env["NOXPIT_JUNIT_FILE"] == str(target.reports_dir / "mix-test-integration.xml")
    assert env["NOXPIT_JUNIT_SUITE"] == "mix test (integration)"
    assert env[target.python_env_var] == str(target.venv_python)
    assert Path(env["NOXPIT_FORMATTER_CACHE"]).parent == tmp_path / "c" / "noxpit" / "formatter"
    dump = target.reports_dir / "mix-test-integration.erl_crash.dump"
    assert env["ERL_CRASH_DUMP"] == str(dump)  # not erl_crash.dump in the project
    mine = mix_test.run_environment(target, "integration", {"ERL_CRASH_DUMP": "/tmp/mine"})
    assert mine["ERL_CRASH_DUMP"] == "/tmp/mine"


def test_unknown_variant_is_one_line(tmp_path: Path) -> None:
    target = target_at(scratch_project(tmp_path / "scratch"))
    with pytest.raises(
        mix_test.MixTestError, match="use one of default, python_integration, integration "
    ):
        mix_test.run_variant(target, Console(io.StringIO(), {}), "slow")


# --- deps and compile -------------------------------------------------------------------


# --- the formatter on a real project -------------------------------------------------------
