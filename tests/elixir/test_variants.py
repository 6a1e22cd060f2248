"""Which mix test variants a target has: read from its test_helper.exs and noxpit config."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.core.target import Target, build_target
from sessions.elixir import exunit, variants

pytestmark = pytest.mark.unit

MIX_EXS = 'defmodule P.MixProject do\n def project, do: [app: :p, version: "0.1.0"]\nend\n'

# snakepit v0.13.0's test/test_helper.exs, lines 99-120: the list is bound to a variable.
SNAKEPIT_HELPER = """
include_tags_from_args =
  System.argv()
  |> Enum.chunk_every(2, 1, :discard)
  |> Enum.reduce([], fn
    ["--include", tags], acc -> acc ++ String.split(tags, ",")
    ["--only", tags], acc -> acc ++ String.split(tags, ",")
    _pair, acc -> acc
  end)

serial_run? = Enum.any?(include_tags_from_args, &(&1 in ["python_integration", "performance"]))

exunit_opts = [exclude: [:performance, :python_integration, :slow]]
exunit_opts = if serial_run?, do: Keyword.put(exunit_opts, :max_cases, 1), else: exunit_opts

# Start ExUnit with performance tests excluded by default.
ExUnit.start(exunit_opts)
"""


def project(tmp_path: Path, helper: str | None, config: str = "") -> Target:
    root = tmp_path / "p"
    (root / "test").mkdir(parents=True)
    (root / "mix.exs").write_text(MIX_EXS)
    if helper is not None:
        (root / "test" / "test_helper.exs").write_text(helper)
    if config:
        (root / "noxpit.toml").write_text(config)
    return build_target(root, {})


@pytest.mark.parametrize(
    ("helper", "excluded"),
    [
        (
            "ExUnit.start(exclude: [:integration, :python_integration])\n",
            ["integration", "python_integration"],
        ),
        (SNAKEPIT_HELPER, ["performance", "python_integration", "slow"]),
        ("ExUnit.start()\nExUnit.configure(exclude: :slow)\n", ["slow"]),
        ("ExUnit.configure(exclude: [slow: true, db: true])\nExUnit.start()\n", ["slow", "db"]),
        (
            "# ExUnit.start(exclude: [:old])\nExUnit.start(exclude: [\n  :a, # why\n  :b\n])\n",
            ["a", "b"],
        ),
        ("ExUnit.start()\n", []),
    ],
)
def test_default_excludes_are_read_from_the_helper_text(helper: str, excluded: list[str]) -> None:
    assert variants.default_excludes(helper) == excluded


def test_configured_tags_the_default_run_includes_are_not_run_again(tmp_path: Path) -> None:
    target = project(
        tmp_path, SNAKEPIT_HELPER
    )  # test_tags default: python_integration, integration
    plan = variants.plan(target)
    assert plan.runs == ("default", "python_integration")
    assert plan.in_default == ("integration",)
    assert plan.why_not_run("integration") == (
        "already in the default variant (test/test_helper.exs does not exclude :integration)"
    )


def test_without_a_helper_every_tag_is_in_the_default_run(tmp_path: Path) -> None:
    plan = variants.plan(project(tmp_path, None))
    assert plan.runs == ("default",)
    assert plan.in_default == ("python_integration", "integration")


def test_a_custom_tag_is_a_variant_when_the_default_run_excludes_it(tmp_path: Path) -> None:
    target = project(tmp_path, SNAKEPIT_HELPER, 'test_tags = ["slow", "python_integration"]\n')
    plan = variants.plan(target)
    assert plan.runs == ("default", "slow", "python_integration")
    assert variants.split_posargs(plan, ["slow", "--seed", "0"]) == ("slow", ["--seed", "0"])


@pytest.mark.parametrize(
    ("posargs", "expected"),
    [
        ([], ("default", [])),
        (["--failed"], ("default", ["--failed"])),
        (["test/x_test.exs:12"], ("default", ["test/x_test.exs:12"])),
        (["test"], ("default", ["test"])),
        (["default", "--trace"], ("default", ["--trace"])),
        (["python_integration", "--failed"], ("python_integration", ["--failed"])),
    ],
)
def test_posargs_name_the_variant_first(
    tmp_path: Path, posargs: list[str], expected: tuple[str, list[str]]
) -> None:
    plan = variants.plan(project(tmp_path, SNAKEPIT_HELPER))
    assert variants.split_posargs(plan, posargs) == expected


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        (
            "integration",
            r"`integration` is already in the default variant .* run `nox -s mix_test`",
        ),
        (
            "perf",
            r"`perf` is not a mix test variant .*; use one of default, python_integration \(",
        ),
    ],
)
def test_a_variant_the_target_does_not_have_is_one_line(
    tmp_path: Path, arg: str, message: str
) -> None:
    plan = variants.plan(project(tmp_path, SNAKEPIT_HELPER))
    with pytest.raises(variants.MixTestError, match=message):
        variants.split_posargs(plan, [arg])


def test_mix_test_table_excludes_and_env_apply_to_every_variant(tmp_path: Path) -> None:
    config = '[mix_test]\nexclude = ["skip_ci"]\nenv = { SNAKEPIT_OTEL_CONSOLE = "false" }\n'
    target = project(tmp_path, SNAKEPIT_HELPER, config)
    plan = variants.plan(target)
    assert plan.exclude == ("skip_ci",)
    for variant in plan.runs:
        args = exunit.command(variant, ["--failed"], plan.exclude)
        assert args[-3:] == ["--exclude", "skip_ci", "--failed"]
    env = exunit.run_environment(target, "default", {"PATH": "/usr/bin"}, plan.env)
    assert env["SNAKEPIT_OTEL_CONSOLE"] == "false"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("exclude = [1]", r"\[mix_test\] exclude must be a tag name like skip_ci"),
        ('exclude = ["skip ci"]', r"\[mix_test\] exclude: `skip ci` is not a tag name"),
        ("env = { A = 1 }", r"\[mix_test\] env must be a table of strings"),
        ("envs = {}", r"\[mix_test\] unknown key\(s\) envs; use env, exclude"),
    ],
)
def test_bad_mix_test_table_is_one_line(tmp_path: Path, table: str, message: str) -> None:
    target = project(tmp_path, SNAKEPIT_HELPER, f"[mix_test]\n{table}\n")
    with pytest.raises(variants.MixTestError, match=message):
        variants.plan(target)


def test_the_venv_bin_goes_first_on_path_when_it_exists(tmp_path: Path) -> None:
    target = project(tmp_path, None)
    assert exunit.environment(target, {"PATH": "/usr/bin"})["PATH"] == "/usr/bin"
    (target.venv_dir / "bin").mkdir(parents=True)
    path = exunit.environment(target, {"PATH": "/usr/bin"})["PATH"]
    assert path == f"{target.venv_dir / 'bin'}:/usr/bin"


def test_an_empty_env_value_removes_the_variable(tmp_path: Path) -> None:
    """snakepit treats SNAKEPIT_PYTHON as an override: its tests want it unset."""
    target = project(tmp_path, None, '[mix_test]\nenv = { SNAKEPIT_PYTHON = "", X = "1" }\n')
    plan = variants.plan(target)
    env = exunit.environment(target, {"PATH": "/usr/bin", "SNAKEPIT_PYTHON": "/p"}, plan.env)
    assert "SNAKEPIT_PYTHON" not in env
    assert env["X"] == "1"
