"""Preparing the Mix build: deps fetched only when missing, and the compile step skips
`mix compile` only when nothing it reads has changed."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from sessions.core.console import Console
from sessions.core.target import build_target
from sessions.elixir import build as mix_build
from tests.elixir.test_exunit import MIX_EXS as SCRATCH_MIX_EXS
from tests.elixir.test_exunit import scratch_project, target_at

pytestmark = pytest.mark.unit

WITH_JASON = SCRATCH_MIX_EXS.replace("deps, do: []", 'deps, do: [{:jason, "~> 1.4"}]')


MIX_EXS = 'defmodule D.MixProject do\n def project, do: [app: :demo, version: "0.1.0"]\nend\n'
FAKE_MIX = """#!/bin/sh
echo "$MIX_ENV" >> "$(dirname "$0")/calls"
mkdir -p _build/"$MIX_ENV"/lib/demo/.mix
touch _build/"$MIX_ENV"/lib/demo/.mix/compile.elixir
echo "Compiling 1 file (.ex)"
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "demo"
    for rel in ("lib/demo.ex", "config/config.exs", "examples/hello.exs", "priv/python/w.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x\n")
    (root / "mix.exs").write_text(MIX_EXS)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mix").write_text(FAKE_MIX)
    (bin_dir / "mix").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return root


def compile_once(root: Path) -> int:
    target = build_target(root, {})
    return mix_build.compile_project(
        target, Console(io.StringIO(), {}), "dev", dict(os.environ)
    ).files


def calls(root: Path) -> int:
    log = root.parent / "bin" / "calls"
    return len(log.read_text().split()) if log.exists() else 0


def bump(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def edit(path: Path) -> None:
    path.write_text(path.read_text() + "edited\n")
    bump(path)


def test_second_compile_is_skipped_until_a_source_changes(project: Path) -> None:
    assert compile_once(project) == 1
    assert compile_once(project) == 0
    assert calls(project) == 1
    edit(project / "lib" / "demo.ex")
    compile_once(project)
    assert calls(project) == 2


def test_a_source_rewritten_with_the_same_bytes_does_not_recompile(project: Path) -> None:
    compile_once(project)
    bump(project / "lib" / "demo.ex")  # a test rewrote it, or git checked it out again
    compile_once(project)
    compile_once(project)
    assert calls(project) == 1


def test_a_same_size_edit_recompiles(project: Path) -> None:
    compile_once(project)
    source = project / "lib" / "demo.ex"
    source.write_text("y\n")
    bump(source)
    compile_once(project)
    assert calls(project) == 2


@pytest.mark.parametrize(
    "rel",
    [
        "priv/data/process_registry_demo_1__run_42.dets",  # a DETS table the app writes
        "priv/demo/python/venv/lib/site.py",  # a venv the app manages at run time
        "erl_crash.dump",
    ],
)
def test_what_a_running_app_writes_does_not_recompile(project: Path, rel: str) -> None:
    compile_once(project)
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if "venv" in rel:
        (project / "priv/demo/python/venv/pyvenv.cfg").write_text("home = /usr/bin\n")
    path.write_text("runtime\n")
    compile_once(project)
    assert calls(project) == 1


@pytest.mark.parametrize("rel", ["config/config.exs", "mix.exs", "lib/new.ex"])
def test_config_mix_exs_and_new_files_recompile(project: Path, rel: str) -> None:
    compile_once(project)
    path = project / rel
    if path.exists():
        edit(path)
    else:
        path.write_text("new\n")
    compile_once(project)
    assert calls(project) == 2


@pytest.mark.parametrize("rel", ["examples/hello.exs", "priv/python/w.py"])
def test_examples_and_python_code_do_not_recompile(project: Path, rel: str) -> None:
    compile_once(project)
    bump(project / rel)
    compile_once(project)
    assert calls(project) == 1


def test_a_compile_by_someone_else_or_mix_clean_is_noticed(project: Path) -> None:
    compile_once(project)
    manifest = project / "_build/dev/lib/demo/.mix/compile.elixir"
    bump(manifest)  # e.g. `mix compile` run by hand
    compile_once(project)
    assert calls(project) == 2
    (project / "_build/dev/lib/demo/.mix" / mix_build.STAMP).unlink()  # `mix clean`
    compile_once(project)
    assert calls(project) == 3


def test_mix_environment_variables_are_part_of_the_snapshot(project: Path) -> None:
    target = build_target(project, {})
    plain = mix_build.source_snapshot(target, "dev", {"PATH": os.environ["PATH"]})
    other = mix_build.source_snapshot(target, "dev", {"PATH": os.environ["PATH"], "MIX_X": "1"})
    assert plain != other
    assert plain != mix_build.source_snapshot(target, "test", {"PATH": os.environ["PATH"]})


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
    (root / "mix.exs").write_text(
        SCRATCH_MIX_EXS.replace("deps, do: []", 'deps, do: [{:jason, "~> 1.4"}]')
    )
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
    (root / "mix.exs").write_text(
        SCRATCH_MIX_EXS.replace("deps, do: []", 'deps, do: [{:jason, "~> 1.4"}]')
    )
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
