"""Dialyzer with zero warnings as the gate, through dialyxir when the target uses it, else OTP's
``dialyzer`` directly.

The OTP engine keeps a core PLT (erts, kernel, stdlib, elixir, the Elixir/OTP apps the
target's ``.app`` lists, plus configured ``apps``) in the user cache, named by the OTP and
Elixir versions and the app list: a warm run finds it by name and skips the PLT check
(``--no_check_plt``), so it only analyses the app's ebin. Deps go into a second PLT in the
target's ``_build`` named by a hash of their beams. PLTs are written to a temporary file
and renamed, under a lock, so an interrupted or concurrent build never leaves a broken one.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sessions.core import findings, procs
from sessions.core.config import reject_unknown_keys
from sessions.core.console import Console, on_github
from sessions.core.errors import NoxpitError
from sessions.core.findings import Finding
from sessions.core.options import PosargsParser
from sessions.core.target import Target
from sessions.core.user_cache import cache_dir
from sessions.elixir import build as mix_build
from sessions.elixir import dialyzer_warnings

ENGINES = ("auto", "dialyxir", "otp")
BASE_APPS = ("erts", "kernel", "stdlib", "elixir")
CONFIG_KEYS = {"engine", "apps", "flags", "ignore_file", "mix_env"}
DEFAULT_IGNORE_FILE = ".dialyzer_ignore"
DEFAULT_MIX_ENV = "dev"
PLT_FORMAT = "1"  # bump when the way PLTs are built changes, so old ones are not reused

_APP_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_APPLICATIONS = re.compile(r"\{\s*applications\s*,\s*\[(?P<apps>[^\]]*)\]")
_DIALYXIR_TOTAL = re.compile(r"Total errors: (\d+)")

PROBE = """
otp = List.to_string(:erlang.system_info(:otp_release))
file = Path.join([List.to_string(:code.root_dir()), "releases", otp, "OTP_VERSION"])
IO.puts("otp=" <> case File.read(file) do {:ok, v} -> String.trim(v); _ -> otp end)
IO.puts("elixir=" <> System.version())
for app <- String.split(System.get_env("NOXPIT_DIALYZER_APPS", ""), ",", trim: true) do
  case :code.lib_dir(String.to_atom(app)) do
    {:error, _} -> IO.puts("missing=" <> app)
    dir -> IO.puts("ebin:" <> app <> "=" <> Path.join(Path.expand(List.to_string(dir)), "ebin"))
  end
end
"""


class DialyzerError(NoxpitError):
    """Dialyzer could not run: bad config, a PLT that cannot be built, a crash."""


@dataclass(frozen=True)
class DialyzerConfig:
    engine: str = "auto"
    apps: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    ignore_file: str = DEFAULT_IGNORE_FILE
    mix_env: str = DEFAULT_MIX_ENV


@dataclass(frozen=True)
class Runtime:
    """The installed Erlang/OTP and Elixir, and where each app's ebin is."""

    otp: str
    elixir: str
    ebins: Mapping[str, Path]


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


def _names(value: object, key: str, label: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise DialyzerError(f"{label}: [dialyzer] {key} must be a list of strings")
    return tuple(value)


def load_config(target: Target) -> DialyzerConfig:
    section = target.section("dialyzer")
    label = target.config_label
    reject_unknown_keys(section, CONFIG_KEYS, f"{label}: [dialyzer]", DialyzerError)
    engine = section.get("engine", "auto")
    if engine not in ENGINES:
        raise DialyzerError(f"{label}: [dialyzer] engine must be one of {', '.join(ENGINES)}")
    apps = _names(section.get("apps", []), "apps", label)
    bad = [app for app in apps if not _APP_NAME.match(app)]
    if bad:
        raise DialyzerError(f"{label}: [dialyzer] apps: `{bad[0]}` is not an OTP app name")
    flags = _names(section.get("flags", []), "flags", label)
    bad = [flag for flag in flags if not flag.startswith("-")]
    if bad:
        raise DialyzerError(f"{label}: [dialyzer] flags: `{bad[0]}` is not a dialyzer option")
    ignore_file = section.get("ignore_file", DEFAULT_IGNORE_FILE)
    if not isinstance(ignore_file, str) or not ignore_file:
        raise DialyzerError(f"{label}: [dialyzer] ignore_file must be a path string")
    mix_env = section.get("mix_env", DEFAULT_MIX_ENV)
    if not isinstance(mix_env, str) or not _APP_NAME.match(mix_env):
        raise DialyzerError(f"{label}: [dialyzer] mix_env must be a Mix env name like dev")
    return DialyzerConfig(engine, apps, flags, ignore_file, mix_env)


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


# --- OTP dialyzer: runtime and PLTs ---------------------------------------------------------


def app_file_apps(app_file: Path) -> list[str]:
    """The ``applications`` of a compiled ``.app`` file (what the app calls at runtime)."""
    try:
        text = app_file.read_text(encoding="utf-8")
    except OSError:
        return []
    match = _APPLICATIONS.search(text)
    if match is None:
        return []
    return [name.strip().strip("'") for name in match.group("apps").split(",") if name.strip()]


def core_apps(
    target: Target, config: DialyzerConfig, ebin: Path, built: Sequence[str]
) -> list[str]:
    """Base apps, the runtime apps the target's ``.app`` lists, configured apps; not the app
    itself nor anything Mix built beside it (``built``: deps, which get their own PLT)."""
    listed = app_file_apps(ebin / f"{target.app}.app")
    apps = set(BASE_APPS) | set(listed) | set(config.apps)
    return sorted(app for app in apps if app != target.app and app not in built)


def parse_probe(output: str) -> Runtime:
    values: dict[str, str] = {}
    ebins: dict[str, Path] = {}
    missing: list[str] = []
    for line in output.splitlines():
        if line.startswith("ebin:") and "=" in line:
            app, path = line[len("ebin:") :].split("=", 1)
            ebins[app] = Path(path)
        elif line.startswith("missing="):
            missing.append(line.removeprefix("missing="))
        elif "=" in line:
            key, value = line.split("=", 1)
            values[key] = value.strip()
    if missing:
        raise DialyzerError(
            f"app(s) {', '.join(missing)} are not installed with this Erlang/Elixir; "
            "install them or remove them from [dialyzer] apps"
        )
    if "otp" not in values or "elixir" not in values:
        raise DialyzerError("could not read the Erlang/OTP and Elixir versions from `elixir`")
    return Runtime(values["otp"], values["elixir"], ebins)


def probe_runtime(target: Target, apps: Sequence[str]) -> Runtime:
    env = {**os.environ, "NOXPIT_DIALYZER_APPS": ",".join(apps)}
    result = procs.output_of(["elixir", "-e", PROBE], cwd=target.root, env=env)
    if not result.ok:
        raise DialyzerError(f"`elixir` does not run: {mix_build.last_error_line(result.output)}")
    return parse_probe(result.output)


def plt_dir(environ: Mapping[str, str]) -> Path:
    return cache_dir(environ) / "plts"


def core_plt_name(runtime: Runtime, apps: Sequence[str]) -> str:
    """Everything that makes a core PLT different is in its name: a match needs no check."""
    digest = hashlib.sha256(f"{PLT_FORMAT}\0{','.join(sorted(apps))}".encode()).hexdigest()[:12]
    return f"core-otp{runtime.otp}-elixir{runtime.elixir}-{digest}.plt"


def beams_digest(ebins: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for ebin in sorted(ebins):
        for beam in sorted(ebin.glob("*.beam")):
            digest.update(beam.name.encode() + b"\0" + beam.read_bytes())
    return digest.hexdigest()[:16]


@contextmanager
def plt_lock(plt: Path) -> Iterator[None]:
    """One builder per PLT: a second run waits, then finds it built."""
    plt.parent.mkdir(parents=True, exist_ok=True)
    with (plt.parent / f".{plt.name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_plt_command(
    output: Path, elixir_ebin: Path, ebins: Sequence[Path], base: Path | None = None
) -> list[str]:
    """A fresh PLT of ``ebins``, or ``base`` plus ``ebins`` when a base PLT is given."""
    start = ["--add_to_plt", "--plt", str(base)] if base else ["--build_plt"]
    return [
        "dialyzer",
        *start,
        "--output_plt",
        str(output),
        "-pa",
        str(elixir_ebin),
        *map(str, ebins),
    ]


def ensure_plt(
    console: Console,
    plt: Path,
    what: str,
    command_for: Callable[[Path], list[str]],
    root: Path,
) -> bool:
    """Build ``plt`` atomically unless it exists; True when it had to be built."""
    if plt.is_file():
        return False
    with plt_lock(plt):
        if plt.is_file():  # built by a concurrent run while we waited
            return False
        console.step(f"dialyzer: building the {what} PLT (first run; this takes a while)")
        fd, tmp_name = tempfile.mkstemp(prefix=f".{plt.name}.", suffix=".tmp", dir=plt.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            built = procs.run(command_for(tmp), cwd=root, echo=False, capture=True)
            # 2 means "warnings were emitted" (unknown functions in OTP itself): still a PLT.
            if built.returncode not in (0, 2) or tmp.stat().st_size == 0:
                raise DialyzerError(
                    f"building the {what} PLT failed: "
                    f"{mix_build.last_error_line(built.output)[:300]}"
                )
            tmp.replace(plt)
        finally:
            tmp.unlink(missing_ok=True)
        console.step(f"dialyzer: {what} PLT built in {built.duration:.1f}s ({plt})")
        return True


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


def run_otp(target: Target, console: Console, config: DialyzerConfig) -> DialyzerResult:
    if shutil.which("dialyzer") is None:
        raise DialyzerError(
            "`dialyzer` not found on PATH; install it (Debian/Ubuntu: apt-get install "
            "erlang-dialyzer)"
        )
    start = time.monotonic()
    env = dict(os.environ)
    ignore_path = target.root / config.ignore_file
    ignore_label = target.rel(ignore_path)
    entries = dialyzer_warnings.read_ignore(ignore_path, ignore_label)  # bad file: fail early
    mix_build.compile_project(target, console, config.mix_env, env)
    lib = target.root / "_build" / config.mix_env / "lib"
    ebin = lib / target.app / "ebin"
    if not ebin.is_dir():
        raise DialyzerError(f"no {target.rel(ebin)} after `mix compile`; is `app:` right?")
    dep_ebins = sorted(
        d / "ebin" for d in lib.iterdir() if d.name != target.app and (d / "ebin").is_dir()
    )
    apps = core_apps(target, config, ebin, [d.parent.name for d in dep_ebins])
    runtime = probe_runtime(target, apps)
    elixir_ebin = runtime.ebins["elixir"]

    plt = plt_dir(env) / core_plt_name(runtime, apps)
    core_ebins = [runtime.ebins[app] for app in apps]
    ensure_plt(
        console,
        plt,
        f"core ({', '.join(apps)})",
        lambda out: build_plt_command(out, elixir_ebin, core_ebins),
        target.root,
    )
    if dep_ebins:
        base = plt
        deps_dir = target.root / "_build" / config.mix_env / "noxpit-dialyzer"
        plt = deps_dir / f"deps-{base.stem}-{beams_digest(dep_ebins)}.plt"
        if ensure_plt(
            console,
            plt,
            f"deps ({', '.join(d.parent.name for d in dep_ebins)})",
            lambda out: build_plt_command(out, elixir_ebin, dep_ebins, base=base),
            target.root,
        ):
            for stale in deps_dir.glob("deps-*.plt"):
                if stale != plt:
                    stale.unlink(missing_ok=True)

    console.step(f"dialyzer: analysing {target.rel(ebin)}")
    with tempfile.TemporaryDirectory(prefix="noxpit-dialyzer-") as scratch:
        output = Path(scratch) / "warnings.txt"
        analysed = procs.run(
            analysis_command(plt, elixir_ebin, ebin, config.flags, output),
            cwd=target.root,
            env=env,
            echo=False,
            capture=True,
        )
        # 0: no warnings, 2: warnings (in the -o file), 1: dialyzer itself failed.
        if analysed.returncode not in (0, 2):
            raise DialyzerError(
                f"dialyzer failed: {mix_build.last_error_line(analysed.output)[:300]}"
            )
        text = output.read_text(encoding="utf-8", errors="replace") if output.exists() else ""
    console.step(f"dialyzer: analysis took {analysed.duration:.1f}s")
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
