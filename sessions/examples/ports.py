"""Fixed TCP ports the target's examples will bind, read from its config files as text.

Nothing is executed: a ``*port`` key with a literal number (``grpc_port: 50051``,
``http: [port: 4000]``, ``config :app, :port, 4000``) in ``config/config.exs``, the Mix
env's ``config/<env>.exs``, ``config/runtime.exs`` or a file they ``import_config`` by name.
A port in a map or keyword list that also says ``enabled: false`` is not bound and is left
out, as is port 0 (the OS picks one). Which examples claim these ports: see
``starts_app``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sessions.examples.config import ExamplesError

# `grpc_port: 50051`, `port: 4000`, `"port" => 4000`, `:grpc_port, 50051` (config/3).
_PORT = re.compile(
    r"""(?:\b(?P<kw>(?:\w+_)?port)\s*:\s*|"(?P<str>(?:\w+_)?port)"\s*=>\s*
      |:(?P<atom>(?:\w+_)?port)\s*,\s*)
    (?P<n>\d{1,5})\b""",
    re.VERBOSE | re.IGNORECASE,
)
_IMPORT = re.compile(r"""\bimport_config\s*\(?\s*"(?P<name>[^"#]+\.exs)"\s*\)?""")
_DISABLED = re.compile(r"\benabled\s*:\s*false\b")
_OPEN, _CLOSE = "{[(", "}])"


@dataclass(frozen=True, order=True)
class Port:
    number: int
    file: str  # relative to the target root
    line: int
    key: str

    @property
    def resource(self) -> str:
        return f"port {self.number}"


def strip_comments(source: str) -> str:
    """Comments blanked to spaces (offsets kept); a ``#`` inside a string is kept."""
    out: list[str] = []
    for line in source.splitlines(keepends=True):
        body = line.rstrip("\n")
        end = line[len(body) :]
        quoted = False
        for index, char in enumerate(body):
            if char == '"' and (index == 0 or body[index - 1] != "\\"):
                quoted = not quoted
            elif char == "#" and not quoted:
                body = body[:index] + " " * (len(body) - index)
                break
        out.append(body + end)
    return "".join(out)


def _enclosing(source: str, position: int) -> str:
    """The innermost ``%{...}`` / ``[...]`` / ``(...)`` around ``position`` (or the line)."""
    depth = 0
    start = None
    for index in range(position, -1, -1):
        char = source[index]
        if char in _CLOSE:
            depth += 1
        elif char in _OPEN:
            if depth == 0:
                start = index
                break
            depth -= 1
    if start is None:
        line_start = source.rfind("\n", 0, position) + 1
        line_end = source.find("\n", position)
        return source[line_start : line_end if line_end != -1 else len(source)]
    depth = 0
    for index in range(start, len(source)):
        char = source[index]
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
            if depth == 0:
                return source[start : index + 1]
    return source[start:]


def ports_in(source: str, label: str) -> list[Port]:
    """Every fixed port in one config file's text."""
    text = strip_comments(source)
    found = []
    for match in _PORT.finditer(text):
        number = int(match.group("n"))
        if not 0 < number < 65536:
            continue
        scope = _enclosing(text, match.start())
        if _DISABLED.search(scope) and scope.lstrip()[:1] in _OPEN:
            continue
        key = match.group("kw") or match.group("str") or match.group("atom")
        found.append(Port(number, label, text.count("\n", 0, match.start()) + 1, key))
    return found


def _read(path: Path, root: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        label = path.relative_to(root).as_posix()
        raise ExamplesError(
            f"cannot read {label} ({exc.strerror}) to find the ports the examples bind; "
            "fix its permissions"
        ) from None


def config_files(root: Path, mix_env: str) -> list[Path]:
    """The config files a run in ``mix_env`` reads, with those imported by literal name."""
    config = root / "config"
    queue = [config / "config.exs", config / f"{mix_env}.exs", config / "runtime.exs"]
    seen: list[Path] = []
    while queue:
        path = queue.pop(0)
        if path in seen or not path.is_file():
            continue
        seen.append(path)
        text = strip_comments(_read(path, root))
        queue.extend(path.parent / match.group("name") for match in _IMPORT.finditer(text))
    return seen


def detect(root: Path, mix_env: str) -> list[Port]:
    """Fixed ports from the target's config, one entry per port number (first mention)."""
    by_number: dict[int, Port] = {}
    for path in config_files(root, mix_env):
        label = path.relative_to(root).as_posix()
        for port in ports_in(_read(path, root), label):
            by_number.setdefault(port.number, port)
    return sorted(by_number.values())


def app_module(app: str) -> str:
    """``:my_app`` -> ``MyApp``: the top module an app's code usually lives under."""
    return "".join(part[:1].upper() + part[1:] for part in app.split("_"))


def starts_app(sources: Iterable[str], app: str) -> bool:
    """Whether an example (with the helpers it loads) may start the app, and so bind its
    ports: it starts it (``Application.ensure_all_started(:app)``, ``Application.start``,
    ``Mix.Task.run("app.start")``) or calls into the app's top module (``Snakepit.``), whose
    functions may start it (``Snakepit.run_as_script``). Examples that never touch the app
    do not claim its ports."""
    starts = re.compile(
        rf"""Application\.(?:ensure_all_started|ensure_started|start)\s*\(?\s*:{re.escape(app)}\b
        |Mix\.Task\.run\s*\(?\s*"app\.start"
        |\b{re.escape(app_module(app))}\.[A-Za-z_]""",
        re.VERBOSE,
    )
    return any(starts.search(strip_comments(source)) for source in sources)
