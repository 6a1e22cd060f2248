"""The Mix tasks a target has, from its own ``mix help`` (cached: it costs ~1s a run).

``mix help`` only lists what is loaded: tasks defined in the project's ``lib/`` appear
once compiled, tasks without a ``@shortdoc`` never, and tasks of deps not yet fetched are
missing. So the list is ``mix help`` plus the project's task modules and aliases read
from source, Mix's hidden built-ins, the Hex archive's tasks and those of well-known deps
the project declares.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sessions.core import procs
from sessions.core.console import Console
from sessions.core.files import atomic_write, last_line
from sessions.core.target import Target
from sessions.docs.commands import word_set

CACHE_VERSION = 1
HELP_TIMEOUT = 120.0
# Built-ins without @shortdoc: valid to run, never listed by `mix help`.
HIDDEN_BUILTINS = word_set(
    "compile.all compile.app compile.elixir compile.erlang compile.leex compile.yecc "
    "compile.protocols deps.loadpaths deps.precompile loadpaths archive.check "
    "will_recompile deps.partition"
)
# The Hex archive is on nearly every Elixir machine (setup-beam installs it).
ARCHIVE_PATTERNS = ("hex", "hex.*", "local.hex")
DEP_TASKS: Mapping[str, tuple[str, ...]] = {
    "dialyxir": ("dialyzer", "dialyzer.*"),
    "ex_doc": ("docs",),
    "credo": ("credo", "credo.*"),
    "excoveralls": ("coveralls", "coveralls.*"),
    "mix_audit": ("deps.audit",),
    "sobelow": ("sobelow",),
    "phoenix": ("phx.*",),
    "ecto": ("ecto.*",),
    "ecto_sql": ("ecto.*",),
    "mix_test_watch": ("test.watch",),
    "ex_check": ("check",),
}

_HELP_LINE = re.compile(r"^mix\s+([a-z_][\w.]*)\s+#", re.MULTILINE)
_TASK_MODULE = re.compile(r"\bdefmodule\s+Mix\.Tasks\.([A-Z][\w.]*)\s+do\b")
_ALIASES_FN = re.compile(r"\bdefp?\s+aliases\b(?:\s*\(\s*\))?\s*(?:do\b|,\s*do:)")
_ALIAS_KEY = re.compile(r'(?:^|[\[,])\s*(?:"([a-z_][\w.]*)"|([a-z_]\w*)):\s', re.MULTILINE)


@dataclass(frozen=True)
class TaskList:
    """Known task names and name patterns (``hex.*``); ``source`` says where from."""

    names: frozenset[str]
    patterns: tuple[str, ...] = ()
    source: str = "mix help"
    app: str = ""  # the project's app, for messages; empty for the target itself

    def has(self, task: str) -> bool:
        return task in self.names or any(fnmatch.fnmatchcase(task, p) for p in self.patterns)


# --- pure ----------------------------------------------------------------------------


def parse_help(output: str) -> frozenset[str]:
    """Task names from ``mix help`` lines like ``mix compile  # Compiles source files``."""
    return frozenset(_HELP_LINE.findall(output))


def underscore(segment: str) -> str:
    """Elixir's ``Macro.underscore`` for one alias segment: ``GenProto`` -> ``gen_proto``."""
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", segment)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return text.lower()


def task_name(module: str) -> str:
    """``Pitpool.GenProto`` (after ``Mix.Tasks.``) -> ``pitpool.gen_proto``."""
    return ".".join(underscore(part) for part in module.split("."))


def tasks_defined_in(sources: Iterable[str]) -> frozenset[str]:
    return frozenset(task_name(m) for text in sources for m in _TASK_MODULE.findall(text))


def aliases_in(mix_exs: str) -> frozenset[str]:
    """Alias names from ``aliases: [...]`` or ``defp aliases do [...] end`` in mix.exs."""
    match = _ALIASES_FN.search(mix_exs)
    start = mix_exs.find("[", match.end()) if match else -1
    if start < 0:
        inline = re.search(r"\baliases:\s*\[", mix_exs)
        start = inline.end() - 1 if inline else -1
    if start < 0:
        return frozenset()
    depth, top = 0, []
    for index in range(start, len(mix_exs)):
        char = mix_exs[index]
        if char in "[{(":
            depth += 1
        elif char in "]})":
            depth -= 1
            if depth == 0:
                break
        if depth == 1 and char not in "[":
            top.append(char)
        elif depth > 1:
            top.append(" ")
    body = "[" + "".join(top)
    return frozenset(quoted or bare for quoted, bare in _ALIAS_KEY.findall(body))


def extra_patterns(deps: Iterable[str], configured: Iterable[str]) -> tuple[str, ...]:
    patterns = list(ARCHIVE_PATTERNS)
    for dep in deps:
        patterns.extend(DEP_TASKS.get(dep, ()))
    patterns.extend(configured)
    return tuple(dict.fromkeys(patterns))


# --- IO ------------------------------------------------------------------------------


def _stamp(path: Path) -> list[object]:
    try:
        stat = path.stat()
    except OSError:
        return [str(path.name), None]
    return [str(path.name), stat.st_mtime_ns, stat.st_size]


def cache_key(target: Target, environ: Mapping[str, str]) -> str:
    """What the ``mix help`` output depends on: mix.exs, mix.lock, deps, the project's task
    sources and the Elixir install (resolved ``mix`` and a ``.tool-versions`` pin)."""
    root = target.root
    parts: list[object] = [CACHE_VERSION, environ.get("MIX_ENV", "")]
    for name in ("mix.exs", "mix.lock", "deps", ".tool-versions"):
        parts.append(_stamp(root / name))
    tasks_dir = root / "lib" / "mix" / "tasks"
    if tasks_dir.is_dir():
        parts.extend(_stamp(p) for p in sorted(tasks_dir.rglob("*")) if p.is_file())
    mix = shutil.which("mix", path=environ.get("PATH"))
    parts.append([os.path.realpath(mix), _stamp(Path(os.path.realpath(mix)))] if mix else None)
    tool_versions = root / ".tool-versions"
    if tool_versions.is_file():
        parts.append(tool_versions.read_text(encoding="utf-8", errors="replace"))
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def cache_file(target: Target) -> Path:
    return target.reports_dir / "docs_check" / "mix-tasks.json"


def _read_cache(path: Path, key: str) -> frozenset[str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    tasks = data.get("tasks")
    if not isinstance(tasks, list) or not all(isinstance(t, str) for t in tasks):
        return None
    return frozenset(tasks)


def _write_cache(path: Path, key: str, tasks: frozenset[str]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps({"key": key, "tasks": sorted(tasks)}))
    except OSError:
        pass  # a cache that cannot be written only costs time


def _mix_help(cwd: Path, environ: Mapping[str, str]) -> procs.Completed:
    return procs.output_of(["mix", "help"], cwd=cwd, env=environ, timeout=HELP_TIMEOUT)


def _source_tasks(target: Target) -> frozenset[str]:
    sources: list[str] = []
    lib = target.root / "lib"
    if lib.is_dir():
        for path in sorted(lib.rglob("*.ex")):
            try:
                sources.append(path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
    try:
        mix_exs = (target.root / "mix.exs").read_text(encoding="utf-8", errors="replace")
    except OSError:
        mix_exs = ""
    return tasks_defined_in(sources) | aliases_in(mix_exs)


def load(
    target: Target,
    console: Console,
    *,
    configured: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
) -> TaskList:
    """The target's tasks: cached ``mix help`` output when its inputs are unchanged."""
    env = dict(os.environ if environ is None else environ)
    patterns = extra_patterns(target.deps, configured)
    static = _source_tasks(target) | HIDDEN_BUILTINS
    key = cache_key(target, env)
    path = cache_file(target)
    cached = _read_cache(path, key)
    if cached is not None:
        return TaskList(cached | static, patterns, "cache")
    result = _mix_help(target.root, env)
    listed = parse_help(result.output)
    if result.ok and listed:
        _write_cache(path, key, listed)
        return TaskList(listed | static, patterns, "mix help")
    reason = last_line(result.output)
    console.line(
        f"warning: `mix help` failed in {target.root} ({reason}); checking against Mix's "
        "built-in tasks and the project's own task modules and aliases"
    )
    with tempfile.TemporaryDirectory(prefix="noxpit-mix-help-") as neutral:
        builtin = _mix_help(Path(neutral), env)
    return TaskList(parse_help(builtin.output) | static, patterns, "fallback")
