"""mix test variants: the commands built, deps/compile preparation, and the JUnit formatter
on a real (small) Mix project: counts that match ExUnit's own, --failed, one compile."""

from __future__ import annotations

import io
import os
import re
import stat
from pathlib import Path

import pytest

from sessions.core import junit
from sessions.core.console import Console
from sessions.core.target import Target, build_target
from sessions.elixir import build as mix_build
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

EXUNIT_SUMMARY = re.compile(r"(\d+) tests?, (\d+) failures?(?:, (\d+) excluded)?")


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


def test_unknown_variant_is_one_line(tmp_path: Path) -> None:
    target = target_at(scratch_project(tmp_path / "scratch"))
    with pytest.raises(mix_test.MixTestError, match="use one of default, python_integration"):
        mix_test.run_variant(target, Console(io.StringIO(), {}), "slow")


# --- deps and compile -------------------------------------------------------------------


def fake_mix(bin_dir: Path, script: str) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    mix = bin_dir / "mix"
    mix.write_text("#!/bin/sh\n" + script)
    mix.chmod(mix.stat().st_mode | stat.S_IEXEC)


def test_compiled_files_counts_every_compiling_line() -> None:
    output = "Compiling 7 files (.ex)\nGenerated pitpool app\nCompiling 1 file (.erl)\n"
    assert mix_build.compiled_files(output) == 8
    assert mix_build.compiled_files("==> up to date\n") == 0


def test_deps_get_runs_only_when_declared_deps_are_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = scratch_project(tmp_path / "scratch")
    (root / "mix.exs").write_text(MIX_EXS.replace("deps, do: []", 'deps, do: [{:jason, "~> 1.4"}]'))
    log = tmp_path / "mix.log"
    fake_mix(tmp_path / "bin", f'echo "$@" >> {log}\n')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    target = target_at(root)
    assert mix_build.needs_deps(target)
    mix_build.ensure_deps(target, Console(io.StringIO(), {}), os.environ)
    assert log.read_text().splitlines() == ["deps.get"]
    (root / "deps").mkdir()
    assert not mix_build.needs_deps(target)


def test_offline_deps_get_is_one_line_with_the_remedy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = scratch_project(tmp_path / "scratch")
    (root / "mix.exs").write_text(MIX_EXS.replace("deps, do: []", 'deps, do: [{:jason, "~> 1.4"}]'))
    fake_mix(
        tmp_path / "bin",
        'echo "Could not find Hex, which is needed to build dependency :jason"\n'
        'echo "** (Mix) Could not fetch Hex: connection refused" >&2\nexit 1\n',
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(mix_build.MixBuildError) as raised:
        mix_build.ensure_deps(target_at(root), Console(io.StringIO(), {}), os.environ)
    message = str(raised.value)
    assert "\n" not in message
    assert "mix deps.get failed (** (Mix) Could not fetch Hex: connection refused)" in message
    assert "where hex.pm is reachable" in message


# --- the formatter on a real project -------------------------------------------------------


def exunit_counts(output: str) -> tuple[int, int, int]:
    match = EXUNIT_SUMMARY.search(output)
    assert match, output
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def test_formatter_writes_junit_matching_exunit_and_reruns_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    target = target_at(scratch_project(tmp_path / "scratch"))
    console = Console(io.StringIO(), {})
    assert mix_test.compile_for_tests(target, console).files == 1

    report_file = mix_test.junit_path(target, "default")
    report_file.parent.mkdir(parents=True)
    report_file.write_text("stale report from an earlier run")
    default = mix_test.run_variant(target, console, "default")
    assert not default.ok
    assert "Compiling" not in default.completed.output  # the variant reused the build
    tests, _failures, excluded = exunit_counts(default.completed.output)
    assert default.report is not None
    assert default.report == junit.read(report_file)
    # Excluded tests are not part of this variant; skipped and invalid ones are.
    assert default.report.counts == junit.Counts(tests=tests - excluded, failures=2, skipped=1)
    outcomes = {case.name: case.outcome for case in default.report.cases}
    assert outcomes == {
        "test passes": junit.PASSED,
        'test fails with <xml> & "quotes"': junit.FAILED,
        "test skipped": junit.SKIPPED,
        "test group inside": junit.PASSED,
        "test never runs": junit.ERROR,
    }
    failure = next(c for c in default.report.cases if c.outcome == junit.FAILED)
    assert (failure.file, failure.line) == ("test/scratch_test.exs", 8)
    assert failure.message == "Assertion with == failed"
    beams = list((tmp_path / "cache" / "noxpit" / "formatter").glob("*/elixir-*/*.beam"))
    assert [beam.name for beam in beams] == ["Elixir.NoxpitJUnitFormatter.beam"]

    tagged = mix_test.run_variant(target, console, "integration")
    assert tagged.ok and tagged.report is not None
    assert [case.name for case in tagged.report.cases] == ["test integration only"]

    rerun = mix_test.run_variant(target, console, "default", ["--failed"])
    assert rerun.report is not None
    rerun_names = {case.name for case in rerun.report.cases}
    assert 'test fails with <xml> & "quotes"' in rerun_names
    assert "test passes" not in rerun_names
    assert {case.outcome for case in rerun.report.cases} <= {junit.FAILED, junit.ERROR}
