"""Every doctor check: what it looks at, when it applies, its remedy, and how it decides.

``checks_for(target)`` lists them in the order they are printed; each is a ``Check``
(``sessions/doctor_model.py``) whose function only talks to the ``Probe``, so tests run
it against a fake machine.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sessions.core.target import Target
from sessions.doctor.model import Check, Outcome, Probe
from sessions.elixir import versions as elixir_version
from sessions.python import env as python_env
from sessions.python import pytest_run, stubs
from sessions.python import requirements as requirements_files

JSON_MARKER = "NOXPIT-JSON:"
SETUP = "`nox -s setup`"

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


def _specs(target: Target) -> list[python_env.VenvSpec]:
    return python_env.venv_specs(target)


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = re.findall(r"\d+", text.split("+")[0])[:3]
    return tuple(int(part) for part in parts)


def _dotted(version: Sequence[int]) -> str:
    return ".".join(str(part) for part in version)


# python


def check_python(probe: Probe) -> Outcome:
    configured = probe.target.python
    path = probe.machine.which(configured) if configured else sys.executable
    if path is None:
        return Outcome("error", f"interpreter `{configured}` not found on PATH")
    ran = probe.run([path, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
    if not ran.ok:
        return Outcome("error", f"`{configured or path}` does not run: {ran.first_line()}")
    version = ran.output.strip().splitlines()[-1]
    minimum = probe.config.min_python
    if _version_tuple(version) < minimum:
        return Outcome("error", f"Python {version} at {path} is older than {_dotted(minimum)}")
    return Outcome("ok", f"Python {version} at {path} (>= {_dotted(minimum)})")


# venvs


def check_venv(spec: python_env.VenvSpec) -> Callable[[Probe], Outcome]:
    def run(probe: Probe) -> Outcome:
        target = probe.target
        rel = target.rel(spec.path)
        ran = probe.venv_ran(spec)
        if ran is None:
            if spec.required:
                return Outcome("error", f"{rel} does not exist (no {target.rel(spec.python_bin)})")
            interpreter = spec.python or ""
            found = probe.machine.which(interpreter)
            # A pyenv shim is on PATH even when its version is not installed: it must run.
            if found is None or not probe.run([found, "-c", "import sys"]).ok:
                return Outcome("skip", f"optional, and `{interpreter}` is not installed")
            return Outcome("warn", f"{rel} does not exist yet (optional, `{interpreter}` runs)")
        if not ran.ok:
            return Outcome(
                "error",
                f"{target.rel(spec.python_bin)} does not run: {ran.first_line()}",
                f"recreate it: `nox -s setup -- --force` (or delete {rel} and run {SETUP})",
            )
        version = ran.output.strip().split()[0] if ran.output.strip() else "?"
        if not python_env.up_to_date(spec, target):
            return Outcome(
                "warn",
                f"Python {version}; requirements or interpreter changed since the last setup",
            )
        return Outcome("ok", f"Python {version}, up to date with its requirements")

    return run


REQUIREMENTS_SCRIPT = r"""
import json, re, sys
try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:
    try:
        from pip._vendor.packaging.requirements import Requirement
        from pip._vendor.packaging.utils import canonicalize_name
    except ImportError:
        Requirement = None
from importlib import metadata

def installed(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None

out = {"packaging": Requirement is not None, "rows": []}
for text, constraint in json.loads(sys.argv[1]):
    text = re.split(r"\s+--?[a-z]", text)[0].strip()
    row = {"line": text, "constraint": constraint}
    if Requirement is None:
        name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", text)
        if not name:
            row["state"] = "unchecked"
        else:
            row["name"] = name.group(0)
            row["installed"] = installed(name.group(0))
            row["state"] = "unverified" if row["installed"] else "missing"
        out["rows"].append(row)
        continue
    try:
        req = Requirement(text)
    except Exception as exc:
        row["state"] = "unchecked" if re.match(r"^[./~]|^\w+://", text) else "invalid"
        row["error"] = str(exc).splitlines()[0][:160]
        out["rows"].append(row)
        continue
    row["name"] = req.name
    if req.marker is not None and not req.marker.evaluate():
        row["state"] = "not for this python"
        out["rows"].append(row)
        continue
    version = installed(req.name)
    row["installed"] = version
    if version is None:
        row["state"] = "not installed" if constraint else "missing"
    elif req.specifier and not req.specifier.contains(version, prereleases=True):
        row["state"] = "mismatch"
        row["specifier"] = str(req.specifier)
    else:
        row["state"] = "ok"
    out["rows"].append(row)
print("NOXPIT-JSON:" + json.dumps(out))
"""


def _marked_json(output: str) -> Any:
    for line in output.splitlines():
        if line.startswith(JSON_MARKER):
            return json.loads(line[len(JSON_MARKER) :])
    return None


def check_requirements(spec: python_env.VenvSpec) -> Callable[[Probe], Outcome]:
    def run(probe: Probe) -> Outcome:
        target = probe.target
        ran = probe.venv_ran(spec)
        if ran is None or not ran.ok:
            return Outcome("skip", f"venv {target.rel(spec.path)} is not usable")
        try:
            reqs = requirements_files.read(spec.requirements, target.rel)
        except requirements_files.RequirementsFileError as exc:
            return Outcome(
                "error",
                str(exc),
                f"fix `requirements` in {target.config_label} or the file itself",
            )
        rows = [[line.text, line.constraint] for line in reqs.lines]
        checked = probe.run([str(spec.python_bin), "-c", REQUIREMENTS_SCRIPT, json.dumps(rows)])
        try:
            report = _marked_json(checked.output)
        except ValueError:
            report = None
        if not checked.ok or not isinstance(report, dict):
            return Outcome("error", f"the requirements check failed: {checked.first_line()}")
        return _requirements_outcome(report, len(reqs.lines))

    return run


def _requirements_outcome(report: Mapping[str, Any], total: int) -> Outcome:
    problems: list[str] = []
    notes: list[str] = []
    for row in report.get("rows", []):
        state, line = row.get("state"), row.get("line", "?")
        if state == "missing":
            problems.append(f"{line} (not installed)")
        elif state == "mismatch":
            problems.append(f"{line} (installed {row.get('installed')})")
        elif state == "invalid":
            problems.append(f"{line} (invalid: {row.get('error', '')})")
        elif state in ("unchecked", "unverified"):
            notes.append(line)
    if problems:
        return Outcome("error", f"{len(problems)} unsatisfied: " + "; ".join(problems))
    if not report.get("packaging"):
        return Outcome(
            "warn",
            f"{total} present, versions not compared (no `packaging` or pip in the venv)",
            "add `packaging` to the requirements so versions can be compared",
        )
    detail = f"{total} requirement(s) satisfied"
    if notes:
        detail += f" ({len(notes)} not checkable: {', '.join(notes[:3])})"
    return Outcome("ok", detail)


# imports

IMPORTS_SCRIPT = r"""
import importlib, json, sys
failed = {}
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except BaseException as exc:
        failed[name] = (type(exc).__name__ + ": " + str(exc)).splitlines()[0][:200]
print("NOXPIT-JSON:" + json.dumps(failed))
"""


def check_imports(probe: Probe) -> Outcome:
    spec = _specs(probe.target)[0]
    ran = probe.venv_ran(spec)
    if ran is None or not ran.ok:
        return Outcome("skip", f"venv {probe.target.rel(spec.path)} is not usable")
    env = pytest_run.environment(probe.target, probe.machine.environ)
    env["PYTHONPATH"] = str(probe.target.python_dir)
    modules = list(probe.config.imports)
    checked = probe.run([str(spec.python_bin), "-c", IMPORTS_SCRIPT, json.dumps(modules)], env)
    try:
        failed = _marked_json(checked.output)
    except ValueError:
        failed = None
    if not isinstance(failed, dict):
        return Outcome("error", f"the import check did not finish: {checked.first_line()}")
    if failed:
        return Outcome("error", "; ".join(f"{name}: {why}" for name, why in failed.items()))
    return Outcome(
        "ok",
        f"{', '.join(modules)} import with PYTHONPATH={probe.target.rel(probe.target.python_dir)}",
    )


# gRPC stubs


def installed_distributions(venv: Path) -> dict[str, str]:
    """Installed packages from the venv's ``*.dist-info`` names: no process needed."""
    found: dict[str, str] = {}
    for site in sorted(venv.glob("lib/python*/site-packages")):
        for info in site.glob("*.dist-info"):
            name, _, version = info.name.removesuffix(".dist-info").partition("-")
            found[re.sub(r"[-_.]+", "-", name).lower()] = version
    return found


def check_stubs(probe: Probe) -> Outcome:
    target = probe.target
    found = stubs.find(target.proto_dir, target.python_dir)
    installed = installed_distributions(target.venv_dir)
    problems: list[str] = []
    for stub in found:
        proto = target.rel(stub.proto)
        missing = stub.missing()
        if missing:
            problems.append(f"{proto}: missing {', '.join(p.name for p in missing)}")
            continue
        if stub.stale():
            problems.append(f"{proto} is newer than its stubs")
            continue
        for package, generated in stubs.generated_versions(stub).items():
            have = installed.get(package)
            if have is None:
                problems.append(f"{proto}: stubs need {package} {generated}, not installed")
            elif _version_tuple(generated) > _version_tuple(have):
                problems.append(
                    f"{proto}: stubs generated by {package} {generated}, venv has {have}"
                )
    if problems:
        return Outcome("error", "; ".join(problems))
    return Outcome("ok", f"{len(found)} .proto file(s) with fresh stubs")


def has_protos(probe: Probe) -> str | None:
    if stubs.find(probe.target.proto_dir, probe.target.python_dir):
        return None
    return f"no .proto files in {probe.target.rel(probe.target.proto_dir)}"


# Elixir / OTP


def check_elixir(probe: Probe) -> Outcome:
    version, detail = probe.elixir()
    if version is None:
        return Outcome("error", detail)
    return Outcome("ok", f"Elixir {version} at {detail}")


def check_elixir_requirement(probe: Probe) -> Outcome:
    requirement = probe.target.elixir_requirement or ""
    try:
        parsed = elixir_version.parse_requirement(requirement)
    except elixir_version.InvalidRequirement:
        return Outcome(
            "error",
            f'mix.exs `elixir: "{requirement}"` is not a valid requirement',
            'fix `elixir:` in mix.exs (e.g. "~> 1.14")',
        )
    version, detail = probe.elixir()
    if version is None:
        return Outcome("skip", detail)
    try:
        ok = elixir_version.matches(version, parsed)
    except elixir_version.InvalidVersion:
        return Outcome("warn", f"cannot read Elixir's version {version!r}")
    if ok:
        return Outcome("ok", f"Elixir {version} satisfies {requirement!r}")
    return Outcome("error", f"Elixir {version} does not satisfy mix.exs's {requirement!r}")


def needs_elixir_requirement(probe: Probe) -> str | None:
    return None if probe.target.elixir_requirement else "mix.exs sets no `elixir:` requirement"


def found_on_path(binary: str) -> Callable[[Probe], Outcome]:
    def run(probe: Probe) -> Outcome:
        path = probe.machine.which(binary)
        if path is None:
            return Outcome("error", f"{binary} not found on PATH")
        return Outcome("ok", path)

    return run


OTP_SCRIPT = (
    "R = erlang:system_info(otp_release), "
    'F = filename:join([code:root_dir(), "releases", R, "OTP_VERSION"]), '
    "V = case file:read_file(F) of {ok, B} -> string:trim(B); _ -> R end, "
    'io:format("OTP ~s ~s~n", [R, V]), halt().'
)


def check_otp(probe: Probe) -> Outcome:
    erl = probe.machine.which("erl")
    if erl is None:
        return Outcome("skip", "erl not found on PATH")
    ran = probe.run([erl, "-noshell", "-eval", OTP_SCRIPT])
    match = re.search(r"^OTP (\d+) (\S+)", ran.output, re.MULTILINE)
    if not ran.ok or match is None:
        return Outcome("error", f"erl does not run: {ran.first_line()}")
    release, full = int(match.group(1)), match.group(2)
    detail = f"OTP {release} ({full})"
    minimum = probe.config.min_otp
    if minimum is not None and release < minimum:
        return Outcome("error", f"{detail} is older than min_otp {minimum}")
    version, _ = probe.elixir()
    if version is not None:
        key = _version_tuple(version)[:2]
        supported = OTP_SUPPORT.get((key[0], key[1])) if len(key) == 2 else None
        if supported and not supported[0] <= release <= supported[1]:
            return Outcome(
                "warn",
                f"{detail}; Elixir {version} supports OTP {supported[0]}-{supported[1]}",
                "install an OTP release that this Elixir supports (or a matching Elixir)",
            )
    return Outcome("ok", detail)


def _deps_dir(probe: Probe) -> Path:
    return probe.target.root / probe.machine.environ.get("MIX_DEPS_PATH", "deps")


def hex_installed(environ: Mapping[str, str]) -> bool:
    """Hex as an archive in MIX_ARCHIVES, MIX_HOME/archives or ~/.mix/archives."""
    home = Path(environ.get("HOME", "~")).expanduser()
    candidates = [
        environ.get("MIX_ARCHIVES"),
        str(Path(environ["MIX_HOME"]) / "archives") if environ.get("MIX_HOME") else None,
        str(home / ".mix" / "archives"),
    ]
    return any(candidate and any(Path(candidate).glob("hex-*")) for candidate in candidates)


def check_deps(probe: Probe) -> Outcome:
    deps_dir = _deps_dir(probe)
    missing = [dep for dep in probe.target.deps if not (deps_dir / dep).is_dir()]
    if not missing:
        return Outcome("ok", f"{len(probe.target.deps)} dep(s) in {probe.target.rel(deps_dir)}")
    detail = f"not fetched: {', '.join(missing)}"
    if hex_installed(probe.machine.environ):
        return Outcome("error", detail)
    return Outcome(
        "error",
        f"{detail}; hex is not installed",
        "`mix local.hex --force`, then `mix deps.get`",
    )


def declares_deps(probe: Probe) -> str | None:
    return None if probe.target.deps else "mix.exs declares no deps"


def check_dialyzer(probe: Probe) -> Outcome:
    if "dialyxir" in probe.target.deps:
        return Outcome("ok", "dialyxir in mix.exs deps")
    path = probe.machine.which("dialyzer")
    if path is None:
        return Outcome("error", "no dialyxir in deps and OTP's dialyzer not on PATH")
    return Outcome("ok", f"OTP's dialyzer at {path}")


def check_ports(probe: Probe) -> Outcome:
    busy = []
    for port in probe.config.ports:
        why = probe.machine.port_busy(port)
        if why:
            busy.append(f"{port} ({why})")
    if busy:
        return Outcome("error", f"127.0.0.1: {', '.join(busy)}")
    return Outcome("ok", f"free on 127.0.0.1: {', '.join(str(p) for p in probe.config.ports)}")


def has_ports(probe: Probe) -> str | None:
    return None if probe.config.ports else "no `ports` in [doctor]"


POETRY_PLUGINS_SCRIPT = r"""
import json
from importlib import metadata
names = sorted(e.name for e in metadata.entry_points(group="poetry.application.plugin"))
print("NOXPIT-JSON:" + json.dumps({"poetry": metadata.version("poetry"), "plugins": names}))
"""


def poetry_interpreter(probe: Probe, poetry: str) -> str | None:
    """The Python that runs poetry, from its script's shebang (through a pyenv shim when
    needed): asking it for poetry's plugins takes ~50 ms where ``poetry export --help``
    takes a second or two."""
    script = poetry
    head = _first_line(script)
    if head is None or not head.startswith("#!"):
        return None
    if "python" not in head:
        pyenv = probe.machine.which("pyenv")
        if "bash" not in head or pyenv is None:
            return None
        ran = probe.run([pyenv, "which", "poetry"])
        if not ran.ok:
            return None
        script = ran.output.strip().splitlines()[-1]
        head = _first_line(script)
        if head is None or not head.startswith("#!") or "python" not in head:
            return None
    words = head[2:].split()
    if not words:
        return None
    if Path(words[0]).name == "env" and len(words) > 1:
        return probe.machine.which(words[1])
    return words[0]


def _first_line(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return handle.readline(512).decode("utf-8", "replace").strip()
    except OSError:
        return None


def check_poetry_export(probe: Probe) -> Outcome:
    poetry = probe.machine.which("poetry")
    if poetry is None:
        return Outcome(
            "error",
            "poetry not found on PATH",
            "install the bootstrap tools: `python3 -m pip install poetry poetry-plugin-export`",
        )
    python = poetry_interpreter(probe, poetry)
    if python is not None:
        ran = probe.run([python, "-c", POETRY_PLUGINS_SCRIPT])
        try:
            report = _marked_json(ran.output) if ran.ok else None
        except ValueError:
            report = None
        if isinstance(report, dict):
            if "export" in report.get("plugins", []):
                return Outcome("ok", f"poetry {report.get('poetry')} with the export plugin")
            return Outcome(
                "error", f"poetry {report.get('poetry')} at {poetry} has no export plugin"
            )
    ran = probe.run([poetry, "export", "--help"])  # poetry's own answer, when we cannot ask
    if not ran.ok:
        return Outcome("error", f"`poetry export` is not available: {ran.first_line()}")
    return Outcome("ok", f"{poetry} export")


def has_imports(probe: Probe) -> str | None:
    return None if probe.config.imports else "no `imports` configured"


def checks_for(target: Target) -> list[Check]:
    """Every check, in the order they are printed."""
    config = target.config_label
    found: list[Check] = [
        Check(
            "poetry export",
            "`poetry export` works (nox-poetry installs noxpit's own tools with it)",
            "install the plugin beside poetry: `python3 -m pip install poetry-plugin-export` "
            "(pipx: `pipx inject poetry poetry-plugin-export`)",
            check_poetry_export,
        ),
        Check(
            "python",
            "the interpreter that creates the venv exists, runs, and is new enough",
            f"install Python >= [doctor] min_python, or point `python` in {config} at one",
            check_python,
        ),
    ]
    for spec in _specs(target):
        rel = target.rel(spec.path)
        found.append(
            Check(
                f"venv {rel}",
                "the venv exists and its python runs",
                f"run {SETUP}" if spec.required else f"install `{spec.python}`, then {SETUP}",
                check_venv(spec),
            )
        )
        found.append(
            Check(
                f"requirements {rel}",
                "every requirement is installed in the venv at a matching version",
                f"run `nox -s setup -- --force`; if it fails, fix the requirement in "
                f"{', '.join(target.rel(p) for p in spec.requirements)}",
                check_requirements(spec),
            )
        )
    found += [
        Check(
            "imports",
            "the configured `imports` import with PYTHONPATH=<python dir>",
            f"add the missing package to the requirements and run {SETUP}, or fix the module",
            check_imports,
            has_imports,
        ),
        Check(
            "grpc stubs",
            "each .proto has stubs, newer than it, from no newer grpcio/protobuf than the venv's",
            "regenerate them: `nox -s setup -- --force` (add grpcio-tools to the requirements)",
            check_stubs,
            has_protos,
        ),
        Check(
            "elixir",
            "elixir is on PATH and runs",
            "install Elixir (Debian/Ubuntu: `apt-get install elixir`) or fix PATH",
            check_elixir,
        ),
        Check(
            "elixir requirement",
            "the installed Elixir satisfies mix.exs's `elixir:` requirement",
            "install an Elixir that satisfies mix.exs's `elixir:` (asdf/mise, or your "
            "distribution), or change the requirement",
            check_elixir_requirement,
            needs_elixir_requirement,
        ),
        Check(
            "erl",
            "erl (Erlang/OTP) is on PATH",
            "install Erlang/OTP (Debian/Ubuntu: `apt-get install erlang-dev`) or fix PATH",
            found_on_path("erl"),
        ),
        Check(
            "otp",
            "the OTP release runs, is >= [doctor] min_otp and is supported by this Elixir",
            "install a newer Erlang/OTP, or lower `min_otp` in [doctor]",
            check_otp,
        ),
        Check(
            "mix",
            "mix is on PATH",
            "mix ships with Elixir: install Elixir or fix PATH",
            found_on_path("mix"),
        ),
        Check(
            "deps",
            "every dep mix.exs declares is fetched into deps/ (hex present to fetch them)",
            "`mix deps.get`",
            check_deps,
            declares_deps,
        ),
        Check(
            "dialyzer",
            "dialyxir is a dep, or OTP's dialyzer is on PATH",
            "install OTP's dialyzer (Debian/Ubuntu: `apt-get install erlang-dialyzer`) or add "
            '{:dialyxir, "~> 1.4", only: [:dev, :test], runtime: false} to deps',
            check_dialyzer,
        ),
        Check(
            "ports",
            "every port in [doctor] ports is free on 127.0.0.1 (same-node workers listen there)",
            f"stop what listens there (`ss -ltnp 'sport = :PORT'` shows it) or change "
            f"`ports` in [doctor] of {config}",
            check_ports,
            has_ports,
        ),
    ]
    return found
