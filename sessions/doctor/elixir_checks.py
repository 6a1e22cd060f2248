"""The Elixir side's checks: elixir, its requirement in mix.exs, OTP, deps (and Hex), dialyzer.

Versions are compared with ``packaging``; the ``elixir:`` requirement is decided exactly as
Elixir's ``Version.match?/2`` does (``sessions.elixir.versions``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from packaging.version import InvalidVersion, Version

from sessions.doctor.model import Outcome, Probe, error, ok, skip, warn
from sessions.elixir import versions as elixir_version

# Elixir minor -> the OTP releases it supports (Elixir's compatibility table).
OTP_SUPPORT: dict[tuple[int, int], tuple[int, int]] = {
    (1, 12): (22, 24),
    (1, 13): (22, 25),
    (1, 14): (23, 26),
    (1, 15): (24, 26),
    (1, 16): (24, 26),
    (1, 17): (25, 27),
    (1, 18): (25, 28),
    (1, 19): (26, 28),
}
HEX_REPO = "https://repo.hex.pm"
TRUE = ("1", "true", "yes")


def check_elixir(probe: Probe) -> Outcome:
    version, detail = probe.elixir()
    if version is None:
        return error(detail)
    return ok(f"Elixir {version} at {detail}")


def check_elixir_requirement(probe: Probe) -> Outcome:
    requirement = probe.target.elixir_requirement or ""
    try:
        parsed = elixir_version.parse_requirement(requirement)
    except elixir_version.InvalidRequirement:
        return error(
            f'mix.exs `elixir: "{requirement}"` is not a valid requirement',
            'fix `elixir:` in mix.exs (e.g. "~> 1.14")',
        )
    version, detail = probe.elixir()
    if version is None:
        return skip(detail)
    try:
        matches = elixir_version.matches(version, parsed)
    except elixir_version.InvalidVersion:
        return warn(f"cannot read Elixir's version {version!r}")
    if matches:
        return ok(f"Elixir {version} satisfies {requirement!r}")
    return error(f"Elixir {version} does not satisfy mix.exs's {requirement!r}")


def needs_elixir_requirement(probe: Probe) -> str | None:
    return None if probe.target.elixir_requirement else "mix.exs sets no `elixir:` requirement"


OTP_SCRIPT = (
    "R = erlang:system_info(otp_release), "
    'F = filename:join([code:root_dir(), "releases", R, "OTP_VERSION"]), '
    "V = case file:read_file(F) of {ok, B} -> string:trim(B); _ -> R end, "
    'io:format("OTP ~s ~s~n", [R, V]), halt().'
)


def check_otp(probe: Probe) -> Outcome:
    erl = probe.machine.which("erl")
    if erl is None:
        return skip("erl not found on PATH")
    ran = probe.run([erl, "-noshell", "-eval", OTP_SCRIPT])
    match = re.search(r"^OTP (\d+) (\S+)", ran.output, re.MULTILINE)
    if not ran.ok or match is None:
        return error(f"erl does not run: {ran.first_line()}")
    release, full = int(match.group(1)), match.group(2)
    detail = f"OTP {release} ({full})"
    minimum = probe.config.min_otp
    if minimum is not None and release < minimum:
        return error(f"{detail} is older than min_otp {minimum}")
    supported = _otp_range(probe.elixir()[0])
    if supported and not supported[0] <= release <= supported[1]:
        return warn(
            f"{detail}; Elixir {probe.elixir()[0]} supports OTP {supported[0]}-{supported[1]}",
            "install an OTP release that this Elixir supports (or a matching Elixir)",
        )
    return ok(detail)


def _otp_range(elixir: str | None) -> tuple[int, int] | None:
    try:
        release = Version(elixir or "").release
    except InvalidVersion:
        return None
    return OTP_SUPPORT.get((release[0], release[1])) if len(release) >= 2 else None


# --- deps and Hex --------------------------------------------------------------------


def hex_installed(environ: Mapping[str, str]) -> bool:
    """Hex as an archive (``hex`` or ``hex-<version>``, as ``mix archive.install`` names it)
    in MIX_ARCHIVES, MIX_HOME/archives or ~/.mix/archives."""
    home = Path(environ.get("HOME", "~")).expanduser()
    candidates = [
        environ.get("MIX_ARCHIVES"),
        str(Path(environ["MIX_HOME"]) / "archives") if environ.get("MIX_HOME") else None,
        str(home / ".mix" / "archives"),
    ]
    return any(
        candidate and any(any(Path(candidate).glob(pattern)) for pattern in ("hex", "hex-*"))
        for candidate in candidates
    )


def hex_unreachable(probe: Probe) -> str | None:
    """Why Hex's repository cannot be reached (HEX_OFFLINE, or no connection), or None."""
    environ = probe.machine.environ
    if environ.get("HEX_OFFLINE", "").lower() in TRUE:
        return "HEX_OFFLINE is set"
    url = urlsplit(environ.get("HEX_MIRROR") or environ.get("HEX_REPO_URL") or HEX_REPO)
    host = url.hostname or "repo.hex.pm"
    port = url.port or (80 if url.scheme == "http" else 443)
    why = probe.once("hex-reachable", lambda: probe.machine.unreachable(host, port))
    return f"{host} is unreachable ({why})" if why else None


def check_deps(probe: Probe) -> Outcome:
    deps_dir = probe.target.root / probe.machine.environ.get("MIX_DEPS_PATH", "deps")
    missing = [dep for dep in probe.target.deps if not (deps_dir / dep).is_dir()]
    if not missing:
        return ok(f"{len(probe.target.deps)} dep(s) in {probe.target.rel(deps_dir)}")
    detail = f"not fetched: {', '.join(missing)}"
    offline = hex_unreachable(probe)
    if not hex_installed(probe.machine.environ):
        if offline is None:
            return error(
                f"{detail}; Hex is not installed", "`mix local.hex --force`, then `mix deps.get`"
            )
        return error(
            f"{detail}; Hex is not installed and {offline}",
            "install Hex from a file: `mix archive.install ./hex-<version>.ez` (built or "
            "copied where hex.pm is reachable), then fetch deps from Hex's offline cache "
            "(`HEX_OFFLINE=1 mix deps.get`)",
        )
    if offline is None:
        return error(detail, "`mix deps.get`")
    cache = f"{probe.machine.environ.get('HEX_HOME', '~/.hex')}/packages/hexpm"
    return error(
        f"{detail}; {offline}",
        f"offline, `HEX_OFFLINE=1 mix deps.get` reads packages only from {cache}/"
        "<name>-<version>.tar: copy those (or the deps/ folder) from a machine that "
        "reaches hex.pm, or set HEX_MIRROR to a mirror you can reach",
    )


def declares_deps(probe: Probe) -> str | None:
    return None if probe.target.deps else "mix.exs declares no deps"


def check_dialyzer(probe: Probe) -> Outcome:
    if "dialyxir" in probe.target.deps:
        return ok("dialyxir in mix.exs deps")
    path = probe.machine.which("dialyzer")
    if path is None:
        return error("no dialyxir in deps and OTP's dialyzer not on PATH")
    return ok(f"OTP's dialyzer at {path}")
