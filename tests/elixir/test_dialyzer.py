"""Dialyzer: engine choice, the dialyxir commands (hex is unreachable here, so a fake `mix`
records them), OTP commands and PLT naming, warnings parsing and the ignore file."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from sessions.core.console import Console
from sessions.core.findings import Finding
from sessions.core.target import Target, build_target
from sessions.elixir import build as mix_build
from sessions.elixir import dialyzer, dialyzer_plt

pytestmark = pytest.mark.unit


MIX_EXS = """defmodule Lib.MixProject do
  use Mix.Project

  def project do
    [app: :lib, version: "0.1.0", deps: deps(), dialyzer: [flags: [:unmatched_returns]]]
  end

  defp deps do
    [{:dialyxir, "~> 1.4", only: [:dev], runtime: false}]
  end
end
"""


def project(tmp_path: Path, mix_exs: str = MIX_EXS, config: str = "") -> Target:
    root = tmp_path / "lib"
    root.mkdir(exist_ok=True)
    (root / "mix.exs").write_text(mix_exs)
    if config:
        (root / "noxpit.toml").write_text(config)
    return build_target(root, {})


def fake_mix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    """A `mix` first on PATH that logs its arguments, then runs ``script``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "mix.log"
    mix = bin_dir / "mix"
    mix.write_text(f'#!/bin/sh\necho "$@" >> {log}\n{script}')
    mix.chmod(mix.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


# --- engine and dialyxir ---------------------------------------------------------------


def test_engine_follows_the_deps_unless_told(tmp_path: Path) -> None:
    with_dialyxir = project(tmp_path)
    config = dialyzer.load_config(with_dialyxir)
    assert dialyzer.choose_engine(with_dialyxir, config, None) == "dialyxir"
    assert dialyzer.choose_engine(with_dialyxir, config, "otp") == "otp"
    plain = project(
        tmp_path, MIX_EXS.replace('{:dialyxir, "~> 1.4", only: [:dev], runtime: false}', "")
    )
    assert dialyzer.choose_engine(plain, dialyzer.load_config(plain), None) == "otp"
    with pytest.raises(dialyzer.DialyzerError, match=r"mix\.exs has no :dialyxir dep"):
        dialyzer.choose_engine(plain, dialyzer.load_config(plain), "dialyxir")


def test_dialyxir_commands_pick_the_output_format_for_the_place() -> None:
    assert dialyzer.dialyxir_commands({}) == [
        ["mix", "dialyzer", "--plt"],
        ["mix", "dialyzer", "--format", "short"],
    ]
    assert dialyzer.dialyxir_commands({"GITHUB_ACTIONS": "true"})[1] == [
        "mix",
        "dialyzer",
        "--format",
        "github",
    ]


def test_dialyxir_run_builds_plts_then_checks_and_counts_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = project(tmp_path)
    (target.root / "deps").mkdir()
    log = fake_mix(
        tmp_path,
        monkeypatch,
        'case "$*" in *format*) echo "lib/a.ex:3:no_return Function f/0 has no local return."\n'
        '  echo "Total errors: 2, Skipped: 1, Unnecessary Skips: 0"; exit 2;; esac\n',
    )
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = dialyzer.run(target, Console(io.StringIO(), {}))
    # No MIX_ENV, flags or paths of ours: the project's `dialyzer:` config decides.
    assert log.read_text().splitlines() == ["dialyzer --plt", "dialyzer --format github"]
    assert (result.engine, result.count, result.ok) == ("dialyxir", 2, False)


def test_dialyxir_run_fetches_missing_deps_first_and_explains_offline_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = project(tmp_path)
    log = fake_mix(tmp_path, monkeypatch, 'echo "** (Mix) Could not fetch Hex"; exit 1\n')
    with pytest.raises(mix_build.MixBuildError) as raised:
        dialyzer.run(target, Console(io.StringIO(), {}))
    assert log.read_text().splitlines() == ["deps.get"]
    assert "mix deps.get failed (** (Mix) Could not fetch Hex)" in str(raised.value)


def test_a_clean_dialyxir_run_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = project(tmp_path)
    (target.root / "deps").mkdir()
    fake_mix(tmp_path, monkeypatch, "exit 0\n")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    result = dialyzer.run(target, Console(io.StringIO(), {}))
    assert result.ok and result.count == 0


# --- config ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('engine = "fast"', "engine must be one of auto, dialyxir, otp"),
        ("apps = 3", "apps must be a list of strings"),
        ('apps = ["Mix"]', "`Mix` is not an OTP app name"),
        ('flags = ["unmatched_returns"]', "`unmatched_returns` is not a dialyzer option"),
        ("ignore_file = 3", "ignore_file must be a path string"),
        ("plt = 1", r"\[dialyzer\] unknown key\(s\) plt; use "),
    ],
)
def test_bad_config_is_one_line(tmp_path: Path, table: str, message: str) -> None:
    target = project(tmp_path, config=f"[dialyzer]\n{table}\n")
    with pytest.raises(dialyzer.DialyzerError, match=message):
        dialyzer.load_config(target)


def test_config_values(tmp_path: Path) -> None:
    target = project(
        tmp_path,
        config='[dialyzer]\napps = ["mix", "ex_unit"]\nflags = ["-Wunmatched_returns"]\n'
        'ignore_file = "dialyzer.ignore"\nengine = "otp"\n',
    )
    config = dialyzer.load_config(target)
    assert config.apps == ("mix", "ex_unit")
    assert config.flags == ("-Wunmatched_returns",)
    assert (config.ignore_file, config.engine, config.mix_env) == ("dialyzer.ignore", "otp", "dev")


# --- OTP engine: apps, PLTs, commands --------------------------------------------------------


def test_plt_and_analysis_commands() -> None:
    elixir = Path("/e/ebin")
    build = dialyzer_plt.build_plt_command(Path("/c/x.plt.tmp"), elixir, [Path("/k/ebin")])
    assert build == [
        "dialyzer",
        "--build_plt",
        "--output_plt",
        "/c/x.plt.tmp",
        "-pa",
        "/e/ebin",
        "/k/ebin",
    ]
    add = dialyzer_plt.build_plt_command(
        Path("/d.tmp"), elixir, [Path("/dep/ebin")], base=Path("/c.plt")
    )
    assert add[1:4] == ["--add_to_plt", "--plt", "/c.plt"]
    check = dialyzer.analysis_command(
        Path("/c.plt"), elixir, Path("/app/ebin"), ["-Wunmatched_returns"], Path("/o.txt")
    )
    assert check[:4] == ["dialyzer", "--plt", "/c.plt", "--no_check_plt"]
    assert check[-2:] == ["-Wunmatched_returns", "/app/ebin"]
    assert {"--fullpath", "-o", "/o.txt", "-pa", "/e/ebin"} <= set(check)


# --- warnings and the ignore file ------------------------------------------------------


def test_count_and_failure_message() -> None:
    result = dialyzer.DialyzerResult(
        "otp", 1, (Finding("lib/a.ex", 4, "Invalid type specification"),), ignored=2
    )
    out = io.StringIO()
    assert dialyzer.report(Console(out, {}), result) is False
    assert "noxpit > dialyzer: lib/a.ex:4: Invalid type specification" in out.getvalue()
    assert "dialyzer: 1 warning (2 ignored via .dialyzer_ignore)" in out.getvalue()
    assert dialyzer.failure_message(result) == (
        "dialyzer: 1 warning; fix them or waive them in .dialyzer_ignore"
    )
