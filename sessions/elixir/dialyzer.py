"""Dialyzer with zero warnings as the gate, through dialyxir when the target uses it, else OTP's
``dialyzer`` directly (its PLTs: ``dialyzer_plt``; its warnings and ignore file:
``dialyzer_warnings``).

The OTP engine analyses only the app's ebin against PLTs named by their inputs
(``--no_check_plt``), so a warm run does no PLT work.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sessions.core import findings, procs
from sessions.core.config import read_section, rule
from sessions.core.console import Console, on_github
from sessions.core.findings import Finding
from sessions.core.options import PosargsParser
from sessions.core.target import Target
from sessions.elixir import build as mix_build
from sessions.elixir import dialyzer_plt, dialyzer_warnings

# Re-exported: the session's error, and where PLTs are cached (the bench drops them).
from sessions.elixir.dialyzer_plt import DialyzerError as DialyzerError

ENGINES = ("auto", "dialyxir", "otp")
DEFAULT_IGNORE_FILE = ".dialyzer_ignore"
DEFAULT_MIX_ENV = "dev"

_DIALYXIR_TOTAL = re.compile(r"Total errors: (\d+)")


@dataclass(frozen=True)
class DialyzerConfig:
    engine: Literal["auto", "dialyxir", "otp"] = "auto"
    apps: tuple[str, ...] = field(
        default=(), metadata=rule(pattern=r"[a-z][a-z0-9_]*", what="an OTP app name")
    )
    flags: tuple[str, ...] = field(
        default=(), metadata=rule(pattern=r"-.*", what="a dialyzer option")
    )
    ignore_file: str = field(default=DEFAULT_IGNORE_FILE, metadata=rule(what="a path string"))
    mix_env: str = field(
        default=DEFAULT_MIX_ENV,
        metadata=rule(pattern=mix_build.MIX_ENV_PATTERN, what="a Mix env name like dev"),
    )


@dataclass(frozen=True)
class DialyzerResult:
    engine: str
    count: int  # warnings that count against the gate
    warnings: tuple[Finding, ...] = ()  # located warnings (the OTP engine parses them)
    ignored: int = 0
    seconds: float = 0.0
    ignore_label: str = DEFAULT_IGNORE_FILE

    @property
    def ok(self) -> bool:
        return self.count == 0


# --- config ----------------------------------------------------------------------------


def load_config(target: Target) -> DialyzerConfig:
    where = f"{target.config_label}: [dialyzer]"
    return read_section(DialyzerConfig, target.section("dialyzer"), where, DialyzerError)


def choose_engine(target: Target, config: DialyzerConfig, requested: str | None) -> str:
    """dialyxir when the target depends on it (unless told otherwise), else OTP's dialyzer."""
    engine = requested or config.engine
    if engine == "auto":
        return "dialyxir" if "dialyxir" in target.deps else "otp"
    if engine == "dialyxir" and "dialyxir" not in target.deps:
        raise DialyzerError(
            "--engine dialyxir: mix.exs has no :dialyxir dep; add it or use --engine otp"
        )
    return engine


# --- dialyxir --------------------------------------------------------------------------


def dialyxir_commands(environ: Mapping[str, str]) -> list[list[str]]:
    """PLTs first, then the analysis; the project's own ``dialyzer:`` config is left alone."""
    output = "github" if on_github(environ) else "short"
    return [["mix", "dialyzer", "--plt"], ["mix", "dialyzer", "--format", output]]


def dialyxir_warning_count(output: str) -> int | None:
    """dialyxir's own count (``Total errors: N, Skipped: ...``), when it printed one."""
    counts = _DIALYXIR_TOTAL.findall(output)
    return int(counts[-1]) if counts else None


def run_dialyxir(target: Target, console: Console) -> DialyzerResult:
    env = dict(os.environ)
    mix_build.ensure_deps(target, console, env)
    start = time.monotonic()
    plt_command, check_command = dialyxir_commands(env)
    console.step("dialyzer (dialyxir): " + " ".join(plt_command))
    built = procs.run(plt_command, cwd=target.root, env=env)
    if not built.ok:
        raise DialyzerError("`mix dialyzer --plt` failed (see above); fix it and rerun")
    console.step("dialyzer (dialyxir): " + " ".join(check_command))
    checked = procs.run(check_command, cwd=target.root, env=env, capture=True)
    elapsed = time.monotonic() - start
    if checked.ok:
        return DialyzerResult("dialyxir", 0, seconds=elapsed, ignore_label="dialyxir's ignore file")
    count = dialyxir_warning_count(checked.output)
    if count is None:
        raise DialyzerError("`mix dialyzer` failed without a warning count (see above)")
    return DialyzerResult(
        "dialyxir", max(count, 1), seconds=elapsed, ignore_label="dialyxir's ignore file"
    )


# --- OTP dialyzer: analysis ----------------------------------------------------------------


def analysis_command(
    plt: Path, elixir_ebin: Path, app_ebin: Path, flags: Sequence[str], output: Path
) -> list[str]:
    """Analyse the app's beams against a PLT known to be current (named by its inputs)."""
    return [
        "dialyzer",
        "--plt",
        str(plt),
        "--no_check_plt",
        "-pa",
        str(elixir_ebin),
        "--fullpath",
        "--no_indentation",
        "-o",
        str(output),
        *flags,
        str(app_ebin),
    ]


def prepare_plts(
    target: Target,
    console: Console,
    config: DialyzerConfig,
    runtime: dialyzer_plt.Runtime,
    apps: Sequence[str],
    dep_ebins: Sequence[Path],
) -> list[Path]:
    """The core PLT, then the deps PLT on top of it when there are deps; the last is the one
    to analyse against."""
    elixir_ebin = runtime.ebins["elixir"]
    core = dialyzer_plt.plt_dir(os.environ) / dialyzer_plt.core_plt_name(runtime, apps)
    core_ebins = [runtime.ebins[app] for app in apps]
    dialyzer_plt.ensure_plt(
        console,
        core,
        f"core ({', '.join(apps)})",
        lambda out: dialyzer_plt.build_plt_command(out, elixir_ebin, core_ebins),
        target.root,
    )
    if not dep_ebins:
        return [core]
    deps_dir = target.root / "_build" / config.mix_env / "noxpit-dialyzer"
    deps = deps_dir / f"deps-{core.stem}-{dialyzer_plt.beams_digest(dep_ebins)}.plt"
    if dialyzer_plt.ensure_plt(
        console,
        deps,
        f"deps ({', '.join(d.parent.name for d in dep_ebins)})",
        lambda out: dialyzer_plt.build_plt_command(out, elixir_ebin, dep_ebins, base=core),
        target.root,
        base=core,
    ):
        for stale in deps_dir.glob("deps-*.plt"):
            if stale != deps:
                stale.unlink(missing_ok=True)
    return [core, deps]


def analyse(
    target: Target,
    console: Console,
    config: DialyzerConfig,
    plts: Sequence[Path],
    ebins: tuple[Path, Path],
) -> str:
    """The warnings text of one analysis of the app's ebin against the last of ``plts``
    (``ebins``: Elixir's own, the app's)."""
    elixir_ebin, ebin = ebins
    console.step(f"dialyzer: analysing {target.rel(ebin)}")
    with tempfile.TemporaryDirectory(prefix="noxpit-dialyzer-") as scratch:
        output = Path(scratch) / "warnings.txt"
        analysed = procs.run(
            analysis_command(plts[-1], elixir_ebin, ebin, config.flags, output),
            cwd=target.root,
            echo=False,
            capture=True,
        )
        # 0: no warnings, 2: warnings (in the -o file), 1: dialyzer itself failed.
        if analysed.returncode not in (0, 2):
            dialyzer_plt.check_bad_plt(analysed.output, plts)
            raise DialyzerError(
                f"dialyzer failed: {mix_build.last_error_line(analysed.output)[:300]}"
            )
        text = output.read_text(encoding="utf-8", errors="replace") if output.exists() else ""
    console.step(f"dialyzer: analysis took {analysed.duration:.1f}s")
    return text


def run_otp(target: Target, console: Console, config: DialyzerConfig) -> DialyzerResult:
    if shutil.which("dialyzer") is None:
        raise DialyzerError(
            "`dialyzer` not found on PATH; install it (Debian/Ubuntu: apt-get install "
            "erlang-dialyzer)"
        )
    start = time.monotonic()
    ignore_path = target.root / config.ignore_file
    ignore_label = target.rel(ignore_path)
    entries = dialyzer_warnings.read_ignore(ignore_path, ignore_label)  # bad file: fail early
    mix_build.compile_project(target, console, config.mix_env, dict(os.environ))
    lib = target.root / "_build" / config.mix_env / "lib"
    ebin = lib / target.app / "ebin"
    if not ebin.is_dir():
        raise DialyzerError(f"no {target.rel(ebin)} after `mix compile`; is `app:` right?")
    dep_ebins = sorted(
        d / "ebin" for d in lib.iterdir() if d.name != target.app and (d / "ebin").is_dir()
    )
    apps = dialyzer_plt.core_apps(target, config.apps, ebin, [d.parent.name for d in dep_ebins])
    runtime = dialyzer_plt.probe_runtime(target, apps)
    removed: set[Path] = set()
    while True:  # a corrupt cached PLT heals: each one dialyzer refuses is rebuilt once
        try:
            plts = prepare_plts(target, console, config, runtime, apps, dep_ebins)
            text = analyse(target, console, config, plts, (runtime.ebins["elixir"], ebin))
            break
        except dialyzer_plt.BadPltError as bad:
            if removed.issuperset(bad.plts):
                raise DialyzerError(f"{bad.reason} (even after rebuilding it)") from None
            names = ", ".join(plt.name for plt in bad.plts)
            console.step(f"dialyzer: {bad.reason}; removing {names} to rebuild it")
            for plt in bad.plts:
                plt.unlink(missing_ok=True)
            removed.update(bad.plts)
    filtered = dialyzer_warnings.apply_ignore(dialyzer_warnings.parse(text, target.root), entries)
    for entry in filtered.unused:
        console.line(
            f"noxpit > dialyzer: {ignore_label}:{entry.source_line} matches no warning "
            f"(`{entry.text}`); remove it"
        )
    return DialyzerResult(
        "otp",
        len(filtered.kept),
        tuple(filtered.kept),
        len(filtered.ignored),
        time.monotonic() - start,
        ignore_label,
    )


# --- the session ---------------------------------------------------------------------------


def options_parser() -> PosargsParser:
    parser = PosargsParser("dialyzer", "Dialyzer with zero warnings as the gate.")
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        help="dialyxir (when in mix.exs deps) or OTP's dialyzer; default: [dialyzer] engine, "
        "else auto",
    )
    return parser


def run(target: Target, console: Console, engine: str | None = None) -> DialyzerResult:
    config = load_config(target)
    if choose_engine(target, config, engine) == "dialyxir":
        return run_dialyxir(target, console)
    return run_otp(target, console, config)


def report(console: Console, result: DialyzerResult) -> bool:
    """The warnings, one line each, then the count; True when there are none."""
    findings.report(console, result.warnings, "dialyzer")
    noun = "warning" if result.count == 1 else "warnings"
    waived = f" ({result.ignored} ignored via {result.ignore_label})" if result.ignored else ""
    console.step(f"dialyzer: {result.count} {noun}{waived}, {result.seconds:.1f}s")
    return result.ok


def failure_message(result: DialyzerResult) -> str:
    noun = "warning" if result.count == 1 else "warnings"
    return f"dialyzer: {result.count} {noun}; fix them or waive them in {result.ignore_label}"
