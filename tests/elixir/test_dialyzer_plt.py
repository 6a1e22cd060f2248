"""OTP dialyzer PLTs: which apps go in, names, where they are cached, atomic builds."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from sessions.core.console import Console
from sessions.elixir import dialyzer, dialyzer_plt
from tests.elixir.test_dialyzer import project

pytestmark = pytest.mark.unit


def test_core_apps_come_from_the_app_file_and_config_but_not_deps(tmp_path: Path) -> None:
    target = project(tmp_path, config='[dialyzer]\napps = ["mix"]\n')
    ebin = tmp_path / "ebin"
    ebin.mkdir()
    (ebin / "lib.app").write_text(
        "{application,lib,\n [{applications,[kernel,stdlib,elixir,logger,jason]},\n"
        '  {description,"x"},{vsn,"0.1.0"}]}.\n'
    )
    apps = dialyzer_plt.core_apps(target, dialyzer.load_config(target).apps, ebin, ["jason"])
    assert apps == ["elixir", "erts", "kernel", "logger", "mix", "stdlib"]


def test_core_plt_name_changes_with_versions_and_apps() -> None:
    runtime = dialyzer_plt.Runtime("25.2.3", "1.14.0", {})
    name = dialyzer_plt.core_plt_name(runtime, ["erts", "kernel"])
    assert name.startswith("core-otp25.2.3-elixir1.14.0-") and name.endswith(".plt")
    assert dialyzer_plt.core_plt_name(runtime, ["kernel", "erts"]) == name
    assert dialyzer_plt.core_plt_name(runtime, ["erts", "kernel", "mix"]) != name
    assert (
        dialyzer_plt.core_plt_name(dialyzer_plt.Runtime("26.0", "1.14.0", {}), ["erts", "kernel"])
        != name
    )


def test_plts_live_in_the_user_cache(tmp_path: Path) -> None:
    assert dialyzer_plt.plt_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "noxpit" / "plts"
    assert dialyzer_plt.plt_dir({"HOME": "/h"}).parts[-3:] == (".cache", "noxpit", "plts")


def test_probe_output_and_missing_apps() -> None:
    runtime = dialyzer_plt.parse_probe(
        "otp=25.2.3\nelixir=1.14.0\nebin:elixir=/usr/lib/elixir/lib/elixir/ebin\n"
    )
    assert runtime.ebins["elixir"] == Path("/usr/lib/elixir/lib/elixir/ebin")
    with pytest.raises(dialyzer_plt.DialyzerError, match="app\\(s\\) wx are not installed"):
        dialyzer_plt.parse_probe("otp=25\nelixir=1.14.0\nmissing=wx\n")


def test_plt_build_is_atomic(tmp_path: Path) -> None:
    plt = tmp_path / "plts" / "core.plt"
    console = Console(io.StringIO(), {})

    def failing(out: Path) -> list[str]:
        code = f"open({str(out)!r}, 'w').write('half'); print('dialyzer: out of memory'); exit(1)"
        return [sys.executable, "-c", code]

    with pytest.raises(dialyzer_plt.DialyzerError, match="building the core PLT failed: dialyzer"):
        dialyzer_plt.ensure_plt(console, plt, "core", failing, tmp_path)
    assert not plt.exists()
    assert list(plt.parent.glob("*.tmp")) == []  # no half-written PLT left behind

    def working(out: Path) -> list[str]:
        return [sys.executable, "-c", f"open({str(out)!r}, 'w').write('plt')"]

    assert dialyzer_plt.ensure_plt(console, plt, "core", working, tmp_path) is True
    assert plt.read_text() == "plt"
    assert dialyzer_plt.ensure_plt(console, plt, "core", failing, tmp_path) is False  # cached
    assert "building the core PLT" in console.stream.getvalue()  # type: ignore[attr-defined]
