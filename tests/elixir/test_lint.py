"""Reading `mix format --check-formatted` and the compiler (Elixir 1.14 to 1.18 output) into
file:line findings, and the [lint] config."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sessions.core.findings import Finding
from sessions.core.target import build_target
from sessions.elixir import lint

pytestmark = pytest.mark.unit


WARNINGS_1_14 = """Compiling 9 files (.ex)
warning: variable "x" is unused (if the variable is not meant to be used, prefix it with an \
underscore)
  lib/pitpool/warn.ex:4: Pitpool.Warn.ok/1

warning: Pitpool.Nope.missing/0 is undefined (module Pitpool.Nope is not available)
Found at 2 locations:
  lib/pitpool/warn.ex:9: Pitpool.Warn.call/0
  lib/pitpool/warn.ex:11: Pitpool.Warn.other/0

Compilation failed due to warnings while using the --warnings-as-errors option
"""

WARNINGS_1_18 = """Compiling 9 files (.ex)
     warning: variable "x" is unused (if the variable is not meant to be used, prefix it)
     │
   4 │   def ok(x) do
     │          ~
     │
     └─ lib/pitpool/warn.ex:4:10: Pitpool.Warn.ok/1

    error: undefined variable "y"
    │
  5 │     y + 1
    │     ^
    │
    └─ /abs/project/lib/pitpool/bad.ex:5:5: Pitpool.Bad.f/0

** (CompileError) /abs/project/lib/pitpool/bad.ex: cannot compile module Pitpool.Bad (errors \
have been logged)
"""

ERRORS_1_14 = """Compiling 1 file (.ex)

== Compilation error in file lib/pitpool/bad.ex ==
** (CompileError) lib/pitpool/bad.ex:5: undefined function y/0 (expected Pitpool.Bad to \
define such a function or for it to be imported, but none are available)
    (elixir 1.14.0) lib/kernel/parallel_compiler.ex:346: Kernel.ParallelCompiler.x/4
"""

SYNTAX_1_14 = """mix format failed for file: lib/pitpool/bad.ex
** (SyntaxError) lib/pitpool/bad.ex:3:7: syntax error before: ')'
    (elixir 1.14.0) lib/code.ex:1162: Code.format_string!/2
"""


def test_compiler_warnings_1_14_first_location_each() -> None:
    found = lint.compiler_findings(WARNINGS_1_14, Path("/abs/project"))
    assert found == [
        Finding(
            "lib/pitpool/warn.ex",
            4,
            'warning: variable "x" is unused (if the variable is not meant to be used, '
            "prefix it with an underscore)",
        ),
        Finding(
            "lib/pitpool/warn.ex",
            9,
            "warning: Pitpool.Nope.missing/0 is undefined (module Pitpool.Nope is not available)",
        ),
    ]


def test_compiler_diagnostics_1_18_boxes_and_absolute_paths() -> None:
    found = lint.compiler_findings(WARNINGS_1_18, Path("/abs/project"))
    assert [f.render() for f in found] == [
        'lib/pitpool/warn.ex:4: warning: variable "x" is unused (if the variable is not meant '
        "to be used, prefix it)",
        'lib/pitpool/bad.ex:5: error: undefined variable "y"',
    ]


def test_compile_error_and_syntax_error_carry_their_location() -> None:
    (error,) = lint.compiler_findings(ERRORS_1_14, Path("/p"))
    assert (error.file, error.line) == ("lib/pitpool/bad.ex", 5)
    assert error.message.startswith("CompileError: undefined function y/0")
    (syntax,) = lint.compiler_findings(SYNTAX_1_14, Path("/p"))
    assert syntax.render() == "lib/pitpool/bad.ex:3: SyntaxError: syntax error before: ')'"


def test_unformatted_files_from_1_14_bullets_and_1_17_headers(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "a.ex").write_text("x")
    (tmp_path / "lib" / "b.ex").write_text("x")
    old = (
        "** (Mix) mix format failed due to --check-formatted.\n"
        "The following files are not formatted:\n\n  * lib/a.ex\n  * lib/b.ex\n\n"
    )
    assert lint.unformatted_files(old, tmp_path) == ["lib/a.ex", "lib/b.ex"]
    new = (
        "** (Mix) mix format failed due to --check-formatted.\n"
        "The following files are not formatted:\n\n"
        f"\x1b[1m\x1b[31m{tmp_path}/lib/a.ex\n\x1b[0m\n"
        "  3 3   |\n  4   - |  def  ok,   do: :ok\n    4 + |  def ok, do: :ok\n"
    )
    assert lint.unformatted_files(new, tmp_path) == ["lib/a.ex"]
    assert lint.unformatted_files("all good\n", tmp_path) == []


def test_first_changed_line() -> None:
    original = "defmodule A do\n  def  ok,   do: :ok\nend\n"
    assert lint.first_changed_line(original, "defmodule A do\n  def ok, do: :ok\nend\n") == 2
    assert lint.first_changed_line("a\n", "a\n\n") == 2


def test_lint_config(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "mix.exs").write_text('def project, do: [app: :p, version: "0.1.0"]\n')
    assert lint.load_config(build_target(root, {})).mix_env == "test"
    (root / "noxpit.toml").write_text('[lint]\nmix_env = "dev"\n')
    assert lint.load_config(build_target(root, {})).mix_env == "dev"
    (root / "noxpit.toml").write_text('[lint]\nmix_env = "Not An Env"\n')
    with pytest.raises(
        lint.LintError, match=r"\[lint\] mix_env: `Not An Env` is not a Mix env name like test"
    ):
        lint.load_config(build_target(root, {}))
    (root / "noxpit.toml").write_text("[lint]\nstrict = true\n")
    with pytest.raises(lint.LintError, match=r"\[lint\] unknown key\(s\) strict; use mix_env"):
        lint.load_config(build_target(root, {}))


def test_lint_build_gets_copies_of_the_compiled_deps_but_not_the_app(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "mix.exs").write_text('def project, do: [app: :p, version: "0.1.0"]\n')
    lib = root / "_build" / "test" / "lib"
    for app in ("p", "jason", "grpc"):
        (lib / app / "ebin").mkdir(parents=True)
        (lib / app / "ebin" / f"{app}.app").write_text(app)
    (root / "deps" / "grpc" / "priv").mkdir(parents=True)
    (lib / "grpc" / "priv").symlink_to("../../../../deps/grpc/priv")
    target = build_target(root, {})
    config = lint.load_config(target)
    dest = lint.lint_build_path(target, config) / "lib"

    assert lint.seed_deps(target, config) == 2
    assert sorted(p.name for p in dest.iterdir()) == ["grpc", "jason"]
    copy = dest / "jason" / "ebin" / "jason.app"
    original = lib / "jason" / "ebin" / "jason.app"
    assert copy.stat().st_ino != original.stat().st_ino  # a copy: Mix may rewrite it
    assert copy.stat().st_mtime_ns == original.stat().st_mtime_ns  # Mix sees it up to date
    assert (dest / "grpc" / "priv").resolve() == (root / "deps" / "grpc" / "priv").resolve()

    assert lint.seed_deps(target, config) == 0  # unchanged: nothing copied again
    original.write_text("jason 2")
    (dest / "grpc" / "ebin" / "extra.beam").write_text("left by an old copy")
    assert lint.seed_deps(target, config) == 2
    assert copy.read_text() == "jason 2"
    assert not (dest / "grpc" / "ebin" / "extra.beam").exists()
    shutil.rmtree(lib / "grpc")
    lint.seed_deps(target, config)
    assert sorted(p.name for p in dest.iterdir()) == ["jason"]
