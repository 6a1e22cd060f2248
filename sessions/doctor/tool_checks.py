"""Checks of programs and ports: erl/mix on PATH, poetry's export plugin, the tools the
target declares (``[doctor] tools``), and the TCP ports its workers will bind."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from sessions.core.files import last_line
from sessions.doctor.model import Outcome, Probe, error, ok
from sessions.doctor.python_checks import pyenv_remedy, unselected_pyenv_version

# Remedies for tools targets commonly need; others get a generic one.
TOOL_REMEDIES = {
    "uv": "install uv where PATH finds it: `pipx install uv`, or `python3 -m pip install uv` "
    "into a venv whose bin/ is on PATH (e.g. `.venv/bin/pip install uv` and "
    '`export PATH="$PWD/.venv/bin:$PATH"`)',
    "rebar3": "install rebar3 (Debian/Ubuntu: `apt-get install rebar3`) or fix PATH",
    "protoc": "install protoc (Debian/Ubuntu: `apt-get install protobuf-compiler`) or fix PATH",
    "git": "install git (Debian/Ubuntu: `apt-get install git`) or fix PATH",
}


def found_on_path(binary: str) -> Callable[[Probe], Outcome]:
    def run(probe: Probe) -> Outcome:
        path = probe.machine.which(binary)
        if path is None:
            return error(f"{binary} not found on PATH")
        return ok(path)

    return run


def check_tool(tool: str) -> Callable[[Probe], Outcome]:
    """On PATH, and, when PATH finds a pyenv shim, runnable: a shim exists for every tool
    any pyenv version has, and fails when that version is not selected."""

    def run(probe: Probe) -> Outcome:
        path = probe.machine.which(tool)
        if path is None:
            return error(f"{tool} not found on PATH")
        if Path(path).parent.name != "shims":
            return ok(path)
        ran = probe.run([path, "--version"])
        if ran.ok:
            return ok(f"{path} ({ran.first_line()})")
        version = unselected_pyenv_version(ran.output)
        if version is None:
            return error(f"{path} does not run: {ran.first_line()}")
        return error(
            f"`{tool}` is a pyenv shim and pyenv does not select {version}",
            pyenv_remedy(probe, Path(path).parent.parent, tool, version),
        )

    return run


def tool_remedy(tool: str, config_label: str) -> str:
    return TOOL_REMEDIES.get(tool, f"install `{tool}` and put it on PATH") + (
        f" (the target needs it: [doctor] tools in {config_label})"
    )


# --- poetry --------------------------------------------------------------------------


def poetry_interpreter(probe: Probe, poetry: str) -> str | None:
    """The Python that runs poetry, from its script's shebang (through a pyenv shim when
    needed)."""
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
        script = last_line(ran.output)
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
        return error(
            "poetry not found on PATH",
            "install the bootstrap tools: `python3 -m pip install poetry poetry-plugin-export`",
        )
    python = poetry_interpreter(probe, poetry)
    if python is not None:
        # Not isolated: poetry may live in the user's site-packages.
        ran, report = probe.program(python, "poetry_plugins", isolated=False)
        if ran.ok and isinstance(report, dict):
            if "export" in report.get("plugins", []):
                return ok(f"poetry {report.get('poetry')} with the export plugin")
            return error(f"poetry {report.get('poetry')} at {poetry} has no export plugin")
    ran = probe.run([poetry, "export", "--help"])  # poetry's own answer, when we cannot ask
    if not ran.ok:
        return error(f"`poetry export` is not available: {ran.first_line()}")
    return ok(f"{poetry} export")


# --- ports ---------------------------------------------------------------------------

# Fixed listener ports in config/*.exs, read as text: `grpc_port: 50051`,
# `grpc_port, 50051` and an external listener `%{mode: :external, port: 50051}`.
_PORT_SETTINGS = (
    re.compile(r"\bgrpc_port\s*(?::|,)\s*(\d+)"),
    re.compile(r"mode:\s*:external\s*,[^}]*?\bport:\s*(\d+)"),
    re.compile(r"\bport:\s*(\d+)\s*,[^}]*?mode:\s*:external"),
)


def config_ports(root: Path) -> dict[int, str]:
    """Fixed TCP ports the target's config files set (port -> ``config/x.exs:line``);
    commented-out lines do not count, and 0 (an ephemeral port) is not fixed."""
    found: dict[int, str] = {}
    for path in sorted((root / "config").glob("*.exs")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
        for pattern in _PORT_SETTINGS:
            for match in pattern.finditer(code):
                port = int(match.group(1))
                if 0 < port < 65536:
                    line = code.count("\n", 0, match.start(1)) + 1
                    found.setdefault(port, f"config/{path.name}:{line}")
    return found


def wanted_ports(probe: Probe) -> dict[int, str]:
    """``[doctor] ports`` and the ports in the target's config, with where each comes from."""
    ports = {port: "[doctor] ports" for port in probe.config.ports}
    for port, where in config_ports(probe.target.root).items():
        ports.setdefault(port, where)
    return dict(sorted(ports.items()))


def check_ports(probe: Probe) -> Outcome:
    wanted = wanted_ports(probe)
    busy = []
    for port, where in wanted.items():
        why = probe.machine.port_busy(port)
        if why:
            busy.append(
                f"{port} ({why}; {where})" if where != "[doctor] ports" else f"{port} ({why})"
            )
    if busy:
        return error(f"127.0.0.1: {', '.join(busy)}")
    return ok(f"free on 127.0.0.1: {', '.join(str(p) for p in wanted)}")


def has_ports(probe: Probe) -> str | None:
    if wanted_ports(probe):
        return None
    return "no `ports` in [doctor] and no fixed port in config/*.exs"
