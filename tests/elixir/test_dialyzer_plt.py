"""OTP dialyzer PLTs: which apps go in, names, where they are cached, atomic builds."""

from __future__ import annotations

import io
import os
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


# A `dialyzer` that behaves like OTP's where PLTs are concerned: builds write "plt", and a
# PLT that does not read "plt" is refused with dialyzer's own words (dialyzer_plt.erl,
# dialyzer_cl.erl). BROKEN_BUILDS=1 makes every build write garbage.
FAKE_DIALYZER = """#!{python}
import os, sys
args = sys.argv[1:]
def opt(name):
    return args[args.index(name) + 1] if name in args else None
def valid(path):
    return open(path).read() == "plt"
if "--output_plt" in args:
    base = opt("--plt")
    if base and not valid(base):
        print("dialyzer: The file: " + base + " is not a valid PLT file")
        print("Use the options:")
        print("   --output_plt " + opt("--output_plt"))
        sys.exit(1)
    open(opt("--output_plt"), "w").write("garbage" if os.environ.get("BROKEN_BUILDS") else "plt")
    sys.exit(0)
plt = opt("--plt")
if not valid(plt):
    print("dialyzer: Could not read PLT file " + plt + ": not_valid")
    sys.exit(1)
sys.exit(0)
"""


@pytest.fixture
def otp_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dialyzer.Target:
    """A compiled app with one dep, a fake `dialyzer` and no Elixir needed."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dialyzer").write_text(FAKE_DIALYZER.format(python=sys.executable))
    (bin_dir / "dialyzer").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    target = project(tmp_path, config='[dialyzer]\nengine = "otp"\n')
    for app in ("lib", "jason"):
        ebin = target.root / "_build" / "dev" / "lib" / app / "ebin"
        ebin.mkdir(parents=True)
        (ebin / f"{app}.beam").write_bytes(b"beam")
    runtime = dialyzer_plt.Runtime(
        "25", "1.14.0", {"elixir": tmp_path / "e", "erts": tmp_path / "k"}
    )
    monkeypatch.setattr(dialyzer_plt, "probe_runtime", lambda _target, _apps: runtime)
    monkeypatch.setattr(dialyzer_plt, "BASE_APPS", ("erts",))
    monkeypatch.setattr(dialyzer.mix_build, "compile_project", lambda *_a, **_k: None)
    return target


def plts(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "noxpit" / "plts").glob("*.plt")) + sorted(
        (tmp_path / "lib" / "_build" / "dev" / "noxpit-dialyzer").glob("*.plt")
    )


def test_a_corrupt_cached_plt_is_rebuilt_and_the_run_goes_on(
    otp_project: dialyzer.Target, tmp_path: Path
) -> None:
    console = Console(io.StringIO(), {})
    assert dialyzer.run(otp_project, console).ok
    core, deps = plts(tmp_path)
    core.write_text("truncated by a full disk")  # the deps PLT is built from it: both unusable
    deps.write_text("truncated")

    assert dialyzer.run(otp_project, console).ok
    assert [plt.read_text() for plt in plts(tmp_path)] == ["plt", "plt"]
    out = console.stream.getvalue()  # type: ignore[attr-defined]
    assert f"Could not read PLT file {deps}: not_valid" in out

    core.write_text("corrupt again")  # now only the base of a deps PLT still to build
    deps.unlink()
    assert dialyzer.run(otp_project, console).ok
    assert f"The file: {core} is not a valid PLT file" in console.stream.getvalue()  # type: ignore[attr-defined]


def test_a_plt_that_stays_unreadable_is_one_line_with_dialyzers_reason(
    otp_project: dialyzer.Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROKEN_BUILDS", "1")
    with pytest.raises(dialyzer.DialyzerError) as raised:
        dialyzer.run(otp_project, Console(io.StringIO(), {}))
    message = str(raised.value)
    assert "is not a valid PLT file" in message and "(even after rebuilding it)" in message
    assert ".tmp" not in message  # never the name of a temporary file that is already gone
