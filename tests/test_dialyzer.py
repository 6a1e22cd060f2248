"""Dialyzer: engine choice, the dialyxir commands (hex is unreachable here, so a fake `mix`
records them), OTP commands and PLT naming, warnings parsing and the ignore file."""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path

import pytest

from sessions.core.console import Console
from sessions.core.findings import Finding
from sessions.core.target import Target, build_target
from sessions.elixir import build as mix_build
from sessions.elixir import dialyzer, dialyzer_warnings

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
        ('apps = "mix"', "apps must be a list of strings"),
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


def test_core_apps_come_from_the_app_file_and_config_but_not_deps(tmp_path: Path) -> None:
    target = project(tmp_path, config='[dialyzer]\napps = ["mix"]\n')
    ebin = tmp_path / "ebin"
    ebin.mkdir()
    (ebin / "lib.app").write_text(
        "{application,lib,\n [{applications,[kernel,stdlib,elixir,logger,jason]},\n"
        '  {description,"x"},{vsn,"0.1.0"}]}.\n'
    )
    apps = dialyzer.core_apps(target, dialyzer.load_config(target), ebin, ["jason"])
    assert apps == ["elixir", "erts", "kernel", "logger", "mix", "stdlib"]


def test_core_plt_name_changes_with_versions_and_apps() -> None:
    runtime = dialyzer.Runtime("25.2.3", "1.14.0", {})
    name = dialyzer.core_plt_name(runtime, ["erts", "kernel"])
    assert name.startswith("core-otp25.2.3-elixir1.14.0-") and name.endswith(".plt")
    assert dialyzer.core_plt_name(runtime, ["kernel", "erts"]) == name
    assert dialyzer.core_plt_name(runtime, ["erts", "kernel", "mix"]) != name
    assert (
        dialyzer.core_plt_name(dialyzer.Runtime("26.0", "1.14.0", {}), ["erts", "kernel"]) != name
    )


def test_plts_live_in_the_user_cache(tmp_path: Path) -> None:
    assert dialyzer.plt_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "noxpit" / "plts"
    assert dialyzer.plt_dir({"HOME": "/h"}).parts[-3:] == (".cache", "noxpit", "plts")


def test_probe_output_and_missing_apps() -> None:
    runtime = dialyzer.parse_probe(
        "otp=25.2.3\nelixir=1.14.0\nebin:elixir=/usr/lib/elixir/lib/elixir/ebin\n"
    )
    assert runtime.ebins["elixir"] == Path("/usr/lib/elixir/lib/elixir/ebin")
    with pytest.raises(dialyzer.DialyzerError, match="app\\(s\\) wx are not installed"):
        dialyzer.parse_probe("otp=25\nelixir=1.14.0\nmissing=wx\n")


def test_plt_and_analysis_commands() -> None:
    elixir = Path("/e/ebin")
    build = dialyzer.build_plt_command(Path("/c/x.plt.tmp"), elixir, [Path("/k/ebin")])
    assert build == [
        "dialyzer",
        "--build_plt",
        "--output_plt",
        "/c/x.plt.tmp",
        "-pa",
        "/e/ebin",
        "/k/ebin",
    ]
    add = dialyzer.build_plt_command(
        Path("/d.tmp"), elixir, [Path("/dep/ebin")], base=Path("/c.plt")
    )
    assert add[1:4] == ["--add_to_plt", "--plt", "/c.plt"]
    check = dialyzer.analysis_command(
        Path("/c.plt"), elixir, Path("/app/ebin"), ["-Wunmatched_returns"], Path("/o.txt")
    )
    assert check[:4] == ["dialyzer", "--plt", "/c.plt", "--no_check_plt"]
    assert check[-2:] == ["-Wunmatched_returns", "/app/ebin"]
    assert {"--fullpath", "-o", "/o.txt", "-pa", "/e/ebin"} <= set(check)


def test_plt_build_is_atomic(tmp_path: Path) -> None:
    plt = tmp_path / "plts" / "core.plt"
    console = Console(io.StringIO(), {})

    def failing(out: Path) -> list[str]:
        code = f"open({str(out)!r}, 'w').write('half'); print('dialyzer: out of memory'); exit(1)"
        return [sys.executable, "-c", code]

    with pytest.raises(dialyzer.DialyzerError, match="building the core PLT failed: dialyzer"):
        dialyzer.ensure_plt(console, plt, "core", failing, tmp_path)
    assert not plt.exists()
    assert list(plt.parent.glob("*.tmp")) == []  # no half-written PLT left behind

    def working(out: Path) -> list[str]:
        return [sys.executable, "-c", f"open({str(out)!r}, 'w').write('plt')"]

    assert dialyzer.ensure_plt(console, plt, "core", working, tmp_path) is True
    assert plt.read_text() == "plt"
    assert dialyzer.ensure_plt(console, plt, "core", failing, tmp_path) is False  # cached
    assert "building the core PLT" in console.stream.getvalue()  # type: ignore[attr-defined]


# --- warnings and the ignore file ------------------------------------------------------


DIALYZER_OUTPUT = """
lib/pitpool/planted.ex:4: Invalid type specification for function \
'Elixir.Pitpool.Planted':answer/0. The success typing is () -> 42
/abs/proj/lib/pitpool/pool.ex:12:7: The pattern
          'error' can never match the type 'ok'
Unknown functions:
  'Elixir.Mix':shell/0 (lib/pitpool/planted.ex:9)
Unknown types:
  'Elixir.Mix.Task':t/0 (lib/pitpool/task.ex:3:14)
"""


def test_warnings_parse_into_file_line_message() -> None:
    found = dialyzer_warnings.parse(DIALYZER_OUTPUT, Path("/abs/proj"))
    assert [f.render() for f in found] == [
        "lib/pitpool/planted.ex:4: Invalid type specification for function "
        "Pitpool.Planted.answer/0. The success typing is () -> 42",
        "lib/pitpool/pool.ex:12: The pattern 'error' can never match the type 'ok'",
        "lib/pitpool/planted.ex:9: Unknown function Mix.shell/0",
        "lib/pitpool/task.ex:3: Unknown type Mix.Task.t/0",
    ]


def test_ignore_entries_by_line_by_file_and_regex() -> None:
    found = dialyzer_warnings.parse(DIALYZER_OUTPUT, Path("/abs/proj"))
    entries = dialyzer_warnings.parse_ignore(
        "# known\n\nlib/pitpool/planted.ex:4: Invalid type specification\n"
        "lib/pitpool/pool.ex: can never match\n/Unknown type .*Mix/\n"
        "lib/pitpool/planted.ex:5: Invalid type specification\n",
        ".dialyzer_ignore",
    )
    filtered = dialyzer_warnings.apply_ignore(found, entries)
    assert filtered.kept == [Finding("lib/pitpool/planted.ex", 9, "Unknown function Mix.shell/0")]
    assert len(filtered.ignored) == 3
    assert [entry.source_line for entry in filtered.unused] == [6]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("just some words", r"\.dialyzer_ignore:2: expected `file:line: text`"),
        ("/([unclosed/", r"\.dialyzer_ignore:2: invalid regex"),
    ],
)
def test_bad_ignore_line_is_one_line(line: str, message: str) -> None:
    with pytest.raises(dialyzer_warnings.DialyzerWarningsError, match=message):
        dialyzer_warnings.parse_ignore(f"# header\n{line}\n", ".dialyzer_ignore")


def test_missing_ignore_file_waives_nothing(tmp_path: Path) -> None:
    assert dialyzer_warnings.read_ignore(tmp_path / ".dialyzer_ignore", ".dialyzer_ignore") == []


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
