"""OTP dialyzer's PLTs: which apps go in, where they are cached, and building them safely.

The core PLT (erts, kernel, stdlib, elixir, the Elixir/OTP apps the target's ``.app`` lists,
plus configured ``apps``) lives in the user cache, named by the OTP and Elixir versions and
the app list: a warm run finds it by name and skips the PLT check. Deps go into a second PLT
in the target's ``_build`` named by a hash of their beams. PLTs are written to a temporary
file and renamed, under a lock, so an interrupted or concurrent build never leaves a broken
one.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.core import procs
from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.files import exclusive_lock
from sessions.core.target import Target
from sessions.core.user_cache import cache_dir
from sessions.elixir.build import last_error_line

BASE_APPS = ("erts", "kernel", "stdlib", "elixir")
PLT_FORMAT = "1"  # bump when the way PLTs are built changes, so old ones are not reused

_APPLICATIONS = re.compile(r"\{\s*applications\s*,\s*\[(?P<apps>[^\]]*)\]")
# dialyzer's own words for a PLT it cannot use (dialyzer_cl.erl, dialyzer_plt.erl).
_BAD_PLT = re.compile(
    r"^.*(?:is not a valid PLT file|Could not read (?:the )?PLT|Could not find the PLT).*$",
    re.MULTILINE,
)

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


class BadPltError(DialyzerError):
    """A cached PLT dialyzer cannot read (truncated, corrupt): rebuilt once, then reported."""

    def __init__(self, plts: Sequence[Path], reason: str) -> None:
        super().__init__(reason)
        self.plts = tuple(plts)
        self.reason = reason


def check_bad_plt(output: str, plts: Sequence[Path]) -> None:
    """Raise ``BadPltError`` when dialyzer failed because one of ``plts`` is unusable: the
    ones its message names, else all of them."""
    match = _BAD_PLT.search(output)
    if match is None:
        return
    named = [plt for plt in plts if str(plt) in output] or list(plts)
    raise BadPltError(named, "dialyzer: " + match.group(0).strip().removeprefix("dialyzer: "))


@dataclass(frozen=True)
class Runtime:
    """The installed Erlang/OTP and Elixir, and where each app's ebin is."""

    otp: str
    elixir: str
    ebins: Mapping[str, Path]


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


def core_apps(target: Target, extra: Sequence[str], ebin: Path, built: Sequence[str]) -> list[str]:
    """Base apps, the runtime apps the target's ``.app`` lists, configured apps (``extra``);
    not the app itself nor anything Mix built beside it (``built``: deps, in their own PLT)."""
    listed = app_file_apps(ebin / f"{target.app}.app")
    apps = set(BASE_APPS) | set(listed) | set(extra)
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
        raise DialyzerError(f"`elixir` does not run: {last_error_line(result.output)}")
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
    base: Path | None = None,
) -> bool:
    """Build ``plt`` atomically unless it exists (from ``base`` when given); True when it
    had to be built. A failure shows dialyzer's reason, never the temporary file's name."""
    if plt.is_file():
        return False
    # One builder per PLT: a second run waits, then finds it built.
    with exclusive_lock(plt.parent / f".{plt.name}.lock"):
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
                check_bad_plt(built.output, [base] if base else [])
                reason = last_error_line(built.output.replace(str(tmp), str(plt)))
                raise DialyzerError(f"building the {what} PLT failed: {reason[:300]}")
            tmp.replace(plt)
        finally:
            tmp.unlink(missing_ok=True)
        console.step(f"dialyzer: {what} PLT built in {built.duration:.1f}s ({plt})")
        return True
