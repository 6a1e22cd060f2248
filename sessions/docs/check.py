"""``docs_check``: the README, guides, examples and scripts must tell one true story.

Checks are data (``CHECKS``: a code, a title, the kinds of file it reads, a finder); one
runner applies them to every document and collects ``Finding(path, line, code, message)``.
Finders are pure functions of a ``Document`` and a ``Context``; reading files, running
``mix help`` and printing happen at the edges (``load_context``, ``discover``, ``report``).
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote

from sessions.core.config import reject_unknown_keys
from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.findings import Finding
from sessions.core.target import Target
from sessions.docs import commands as sh
from sessions.docs import markdown, mix_tasks
from sessions.elixir import versions as elixir_version


class DocsError(NoxpitError):
    """The ``[docs]`` config is wrong, or a configured docs path does not exist."""


MARKDOWN_EXTS = frozenset({".md", ".markdown", ".livemd"})
SHELL_EXTS = frozenset({".sh", ".bash", ".zsh"})
ELIXIR_EXTS = frozenset({".ex", ".exs"})
SHELL_LANGS = sh.word_set(
    "sh bash shell zsh console shell-session sh-session terminal shellsession"
) | {""}
PROMPT_LANGS = frozenset({"console", "shell-session", "sh-session", "terminal", "shellsession"})
# Created by builds, installs and test runs: a doc may name them before they exist.
GENERATED_NAMES = sh.word_set(
    "_build deps .venv venv cover doc node_modules .elixir_ls __pycache__ .pytest_cache "
    ".nox .git tmp .mypy_cache .ruff_cache"
)
# Top-level directories whose files a bare code span (`examples/x.exs`) refers to.
SPAN_ROOTS = frozenset({"scripts", "examples", "docs", "guides", "priv", "bin", ".github"})
CONFIG_KEYS = frozenset(
    {"paths", "ignore", "allow_missing", "tasks", "deprecated", "default_deprecations"}
)
_COMMAND_NAME = re.compile(r"^(?:\.{0,2}/)?[A-Za-z0-9_][\w./+-]*$")
_COMMENT_COMMAND = re.compile(
    r"^\s*#+\s*(?:[A-Za-z][\w ]{0,30}:\s*)?"
    r"(?P<command>(?:[A-Z_][A-Z0-9_]*=\S+\s+)*(?:mix|elixir|iex)\s.*?)\s*$"
)
_LINE_ANCHOR = re.compile(r"^L\d+(?:-L\d+)?$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


# --- model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Deprecation:
    """A flow the docs must no longer show: a regex, what to do instead, where it applies."""

    pattern: re.Pattern[str]
    message: str
    files: tuple[str, ...] = ()  # globs relative to the target root; empty = every file

    def applies_to(self, rel: str) -> bool:
        return not self.files or any(fnmatch.fnmatchcase(rel, glob) for glob in self.files)


@dataclass(frozen=True)
class DocsConfig:
    paths: tuple[str, ...]
    ignore: tuple[str, ...] = ()
    allow_missing: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    deprecations: tuple[Deprecation, ...] = ()
    explicit_paths: bool = False


class Tree(Protocol):
    """The target's files as the checks see them (the filesystem, or a dict in tests)."""

    def exists(self, rel: str) -> bool: ...

    def is_dir(self, rel: str) -> bool: ...

    def read(self, rel: str) -> str | None: ...


@dataclass(frozen=True)
class Document:
    """One scanned file: its path relative to the target root, its kind and its text."""

    rel: str
    kind: str  # "markdown" | "shell" | "elixir"
    text: str

    @cached_property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.text.splitlines())

    @cached_property
    def markdown(self) -> markdown.Markdown:
        return markdown.parse(self.text)

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.rel)

    def numbered(self) -> Iterator[tuple[int, str]]:
        return enumerate(self.lines, start=1)


@dataclass(frozen=True)
class Context:
    """What the finders compare documents against."""

    app: str
    version: str
    tree: Tree
    tasks: mix_tasks.TaskList
    deprecations: tuple[Deprecation, ...] = ()
    allow_missing: tuple[str, ...] = ()
    span_roots: frozenset[str] = SPAN_ROOTS
    _anchors: dict[str, frozenset[str] | None] = field(default_factory=dict, compare=False)

    def anchors_of(self, rel: str) -> frozenset[str] | None:
        if rel not in self._anchors:
            text = self.tree.read(rel)
            self._anchors[rel] = None if text is None else markdown.parse(text).anchors
        return self._anchors[rel]

    def generated(self, rel: str) -> bool:
        """Paths that builds and installs create, or that the config allows to be missing."""
        parts = rel.split("/")
        if any(part in GENERATED_NAMES for part in parts):
            return True
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        return any(
            fnmatch.fnmatchcase(prefix, pattern.rstrip("/"))
            for pattern in self.allow_missing
            for prefix in prefixes
        )


Problem = tuple[int, str]
Finder = Callable[[Document, Context], Iterable[Problem]]


@dataclass(frozen=True)
class Check:
    """A declarative check: which files it reads and the finder that reads them."""

    code: str
    title: str
    kinds: frozenset[str]
    find: Finder


# --- what documents say: commands, path references -----------------------------------


def commands(doc: Document) -> list[sh.Command]:
    """The shell commands a document shows, with the directory each runs in."""
    if doc.kind == "shell":
        return sh.commands_of(doc.numbered(), script_dir=doc.directory)
    found: list[sh.Command] = []
    if doc.kind == "markdown":
        for block in doc.markdown.code_blocks:
            if block.lang in SHELL_LANGS:
                found.extend(sh.commands_of(block.lines, prompts_only=block.lang in PROMPT_LANGS))
        spans = [(span.line, span.text) for span in doc.markdown.code_spans]
    else:
        spans = _elixir_spans(doc)
        found.extend(_comment_commands(doc, {line for line, _ in spans}))
    for line, text in spans:
        if _is_command_span(text):
            found.extend(sh.commands_of([(line, text)]))
    return [c for c in found if _COMMAND_NAME.match(c.words[0])]


def _elixir_spans(doc: Document) -> list[tuple[int, str]]:
    return [
        (number, span)
        for number, line in doc.numbered()
        for span in markdown.split_code_spans(line)[0]
    ]


def _comment_commands(doc: Document, skip: set[int]) -> list[sh.Command]:
    found: list[sh.Command] = []
    for number, line in doc.numbered():
        match = _COMMENT_COMMAND.match(line)
        if match and number not in skip:
            found.extend(sh.commands_of([(number, match.group("command"))]))
    return found


def _is_command_span(text: str) -> bool:
    words = sh.unwrap(sh.split_words(text))
    return bool(words) and (words[0] in sh.COMMAND_WORDS or words[0].startswith("./"))


def path_refs(doc: Document, ctx: Context) -> list[sh.PathRef]:
    """Paths named by commands, and bare code spans that are plainly project paths."""
    extra = (doc.directory,) if doc.directory else ()
    refs = sh.refs_of(commands(doc), extra_bases=extra)
    spans = (
        [(s.line, s.text) for s in doc.markdown.code_spans]
        if doc.kind == "markdown"
        else _elixir_spans(doc)
        if doc.kind == "elixir"
        else []
    )
    for line, text in spans:
        if _is_command_span(text) or " " in text.strip() or not sh.looks_like_path(text):
            continue
        path = sh.clean_path(text.strip())
        top = path.split("/", 1)[0]
        if "/" in path and (top in ctx.span_roots or top in {".", ".."}):
            refs.append(sh.PathRef(line, path, ("", *extra)))
    return refs


def resolve(base: str, path: str) -> str | None:
    """``path`` relative to ``base`` (both relative to the root); None outside the root."""
    joined = posixpath.normpath(posixpath.join(base or ".", path))
    if joined == ".." or joined.startswith("../"):
        return None
    return "" if joined == "." else joined


# --- finders -------------------------------------------------------------------------

_DEP = r'\{\s*:APP\s*,\s*"(?P<req>[^"]+)"'


def requirement_problem(requirement: str, current: str) -> str | None:
    """Why a dependency requirement in the docs is stale for the current version, or None.

    A pinned version or a three-part ``~> X.Y.Z`` must name the current version; anything
    else (``~> X.Y``, ranges, ``or``) is fine when it admits it, by Elixir's own rules."""
    try:
        required = elixir_version.parse_requirement(requirement)
        version = elixir_version.parse_version(current)
    except (elixir_version.InvalidRequirement, elixir_version.InvalidVersion):
        return None  # not a version requirement (a git ref, a placeholder): not ours to judge
    clauses = [clause for group in required.groups for clause in group]
    if len(clauses) == 1 and clauses[0].op in ("==", "~>") and clauses[0].version.patch is not None:
        if elixir_version.compare(clauses[0].version, version) == 0:
            return None
        return f'not the current version {current}; write "~> {current}"'
    if elixir_version.matches(version, required):
        return None
    return (
        f'does not admit the current version {current}; write "~> {version.major}.{version.minor}"'
    )


def find_dep_versions(doc: Document, ctx: Context) -> Iterator[Problem]:
    pattern = re.compile(_DEP.replace("APP", re.escape(ctx.app)))
    for number, line in doc.numbered():
        for match in pattern.finditer(line):
            problem = requirement_problem(match.group("req"), ctx.version)
            if problem:
                yield number, f'{{:{ctx.app}, "{match.group("req")}"}}: {problem}'


def find_missing_paths(doc: Document, ctx: Context) -> Iterator[Problem]:
    for ref in path_refs(doc, ctx):
        candidates = [
            joined for base in ref.bases if (joined := resolve(base, ref.path)) is not None
        ]
        if not candidates:
            continue  # outside the target: not ours to check
        if any(
            ctx.generated(c) or any(_under(c, made) for made in ref.created) for c in candidates
        ):
            continue
        if ref.want_dir:
            if not any(ctx.tree.is_dir(c) for c in candidates):
                yield ref.line, f"cd {ref.path}: no such directory"
        elif not any(ctx.tree.exists(c) for c in candidates):
            yield ref.line, f"{ref.path} does not exist"


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def find_unknown_tasks(doc: Document, ctx: Context) -> Iterator[Problem]:
    for command in commands(doc):
        for task in sh.mix_tasks(command.words):
            if not ctx.tasks.has(task):
                yield command.line, f"mix {task}: {ctx.app} has no such Mix task (see `mix help`)"


def find_deprecated(doc: Document, ctx: Context) -> Iterator[Problem]:
    rules = [rule for rule in ctx.deprecations if rule.applies_to(doc.rel)]
    for number, line in doc.numbered():
        for rule in rules:
            match = rule.pattern.search(line)
            if match:
                yield number, f"{match.group(0).strip()}: {rule.message}"


def _links(doc: Document) -> Iterator[tuple[int, str | None, str]]:
    """Relative link targets: (line, resolved path or None for this file, fragment)."""
    for link in doc.markdown.links:
        target = link.target.strip()
        if not target or _SCHEME.match(target) or target.startswith("//"):
            continue
        path, _, fragment = target.partition("#")
        path = unquote(path.split("?", 1)[0])
        if not path:
            yield link.line, None, unquote(fragment)
            continue
        resolved = (
            resolve("", path.lstrip("/")) if path.startswith("/") else resolve(doc.directory, path)
        )
        if resolved is not None:
            yield link.line, resolved, unquote(fragment)


def find_broken_links(doc: Document, ctx: Context) -> Iterator[Problem]:
    for line, path, _ in _links(doc):
        if path is not None and not ctx.tree.exists(path) and not ctx.generated(path):
            yield line, f"link to {path}: no such file or directory"


def find_missing_anchors(doc: Document, ctx: Context) -> Iterator[Problem]:
    for line, path, fragment in _links(doc):
        if not fragment or _LINE_ANCHOR.match(fragment):
            continue
        where = doc.rel if path is None else path
        if posixpath.splitext(where)[1].lower() not in MARKDOWN_EXTS:
            continue
        anchors = doc.markdown.anchors if path is None else ctx.anchors_of(where)
        if anchors is not None and fragment.lower() not in anchors:
            yield line, f"link to {where}#{fragment}: no such heading in {where}"


CHECKS: tuple[Check, ...] = (
    Check(
        "dep-version",
        "dependency snippets",
        frozenset({"markdown", "elixir", "shell"}),
        find_dep_versions,
    ),
    Check(
        "missing-path",
        "paths in commands",
        frozenset({"markdown", "elixir", "shell"}),
        find_missing_paths,
    ),
    Check(
        "unknown-task", "Mix tasks", frozenset({"markdown", "elixir", "shell"}), find_unknown_tasks
    ),
    Check(
        "deprecated",
        "deprecated flows",
        frozenset({"markdown", "elixir", "shell"}),
        find_deprecated,
    ),
    Check("broken-link", "relative links", frozenset({"markdown"}), find_broken_links),
    Check("missing-anchor", "link anchors", frozenset({"markdown"}), find_missing_anchors),
)


def run_checks(
    documents: Iterable[Document], ctx: Context, checks: Sequence[Check] = CHECKS
) -> list[Finding]:
    """Every check on every document it applies to; findings sorted and deduplicated."""
    findings = {
        Finding(doc.rel, line, message, check.code)
        for doc in documents
        for check in checks
        if doc.kind in check.kinds
        for line, message in check.find(doc, ctx)
    }
    return sorted(findings, key=Finding.sort_key)


# --- config --------------------------------------------------------------------------


def default_deprecations(examples: str) -> tuple[Deprecation, ...]:
    """Same-node defaults: examples run inside the project, with its deps."""
    folder = re.escape(examples.rstrip("/"))
    return (
        Deprecation(
            re.compile(rf"(?<![\w./-])elixir\s+(?:\./)?{folder}/\S*"),
            f"examples run inside the project: use `mix run --no-start {examples}/...`",
        ),
        Deprecation(
            re.compile(r"\bMix\.install\b(?=\s*\()"),
            "an example of a Mix project uses the project's own deps: drop Mix.install and "
            "run it with `mix run --no-start`",
            (f"{examples}/*",),
        ),
    )


def _strings(section: Mapping[str, Any], key: str, label: str) -> tuple[str, ...]:
    value = section.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise DocsError(f"{label}: [docs] `{key}` must be a list of strings")
    return tuple(value)


def _compile(pattern: str, label: str, index: int) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise DocsError(
            f"{label}: [docs] deprecated[{index}].pattern is not a valid regex ({exc}); fix it"
        ) from None


def _deprecations(section: Mapping[str, Any], label: str) -> list[Deprecation]:
    raw = section.get("deprecated", [])
    if not isinstance(raw, list):
        raise DocsError(f"{label}: [docs] `deprecated` must be a list of tables")
    rules = []
    for index, entry in enumerate(raw):
        where = f"{label}: [docs] deprecated[{index}]"
        if not isinstance(entry, Mapping):
            raise DocsError(f"{where} must be a table with `pattern` and `message`")
        reject_unknown_keys(entry, ("pattern", "message", "files"), f"{where}:", DocsError)
        pattern, message = entry.get("pattern"), entry.get("message")
        if (
            not isinstance(pattern, str)
            or not pattern
            or not isinstance(message, str)
            or not message
        ):
            raise DocsError(f"{where} needs a non-empty `pattern` and `message`")
        files = entry.get("files", [])
        if isinstance(files, str):
            files = [files]
        if not isinstance(files, list) or not all(isinstance(f, str) and f for f in files):
            raise DocsError(f"{where}.files must be a list of globs")
        rules.append(Deprecation(_compile(pattern, label, index), message, tuple(files)))
    return rules


def parse_config(section: Mapping[str, Any], label: str, examples: str) -> DocsConfig:
    """The ``[docs]`` table, validated; every error names the file and the key."""
    reject_unknown_keys(section, CONFIG_KEYS, f"{label}: [docs]", DocsError)
    defaults = section.get("default_deprecations", True)
    if not isinstance(defaults, bool):
        raise DocsError(f"{label}: [docs] `default_deprecations` must be true or false")
    explicit = "paths" in section
    paths = (
        _strings(section, "paths", label)
        if explicit
        else ("README.md", "docs", "guides", examples, "scripts")
    )
    rules = [*(default_deprecations(examples) if defaults else ()), *_deprecations(section, label)]
    return DocsConfig(
        paths=tuple(dict.fromkeys(paths)),
        ignore=_strings(section, "ignore", label),
        allow_missing=_strings(section, "allow_missing", label),
        tasks=_strings(section, "tasks", label),
        deprecations=tuple(rules),
        explicit_paths=explicit,
    )


# --- IO edges ------------------------------------------------------------------------


class FsTree:
    """The target directory on disk; answers are cached for the run."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._stat: dict[str, os.stat_result | None] = {}

    def _lookup(self, rel: str) -> os.stat_result | None:
        if rel not in self._stat:
            try:
                self._stat[rel] = (self.root / rel).stat()
            except (OSError, ValueError):
                self._stat[rel] = None
        return self._stat[rel]

    def exists(self, rel: str) -> bool:
        return self._lookup(rel) is not None

    def is_dir(self, rel: str) -> bool:
        found = self._lookup(rel)
        return found is not None and stat.S_ISDIR(found.st_mode)

    def read(self, rel: str) -> str | None:
        try:
            return (self.root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            return None


def kind_of(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_EXTS:
        return "markdown"
    if suffix in SHELL_EXTS:
        return "shell"
    if suffix in ELIXIR_EXTS:
        return "elixir"
    if not suffix:
        try:
            with path.open("rb") as handle:
                first = handle.readline(200)
        except OSError:
            return None
        if first.startswith(b"#!") and re.search(rb"\b(?:ba|z|da)?sh\b", first):
            return "shell"
    return None


def discover(root: Path, config: DocsConfig) -> list[Document]:
    """The files to scan, in a stable order; unreadable or binary files are skipped."""
    found: dict[str, Path] = {}
    for entry in config.paths:
        path = root / entry
        if not path.exists():
            if config.explicit_paths:
                raise DocsError(
                    f"[docs] paths: {entry} does not exist in {root}; fix `paths` in the config"
                )
            continue
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            rel = file.relative_to(root).as_posix()
            if any(part in GENERATED_NAMES for part in rel.split("/")[:-1]):
                continue
            if any(fnmatch.fnmatchcase(rel, glob) for glob in config.ignore):
                continue
            found.setdefault(rel, file)
    documents = []
    for rel, file in found.items():
        kind = kind_of(file)
        if kind is None:
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        documents.append(Document(rel, kind, text))
    return documents


@dataclass(frozen=True)
class Report:
    documents: int
    findings: tuple[Finding, ...]
    task_source: str

    @property
    def ok(self) -> bool:
        return not self.findings


def config_of(target: Target) -> DocsConfig:
    return parse_config(
        target.section("docs"), target.config_label, target.rel(target.examples_dir)
    )


def run(target: Target, console: Console) -> Report:
    """Scan the target's docs and print each finding; the caller decides the exit."""
    config = config_of(target)
    console.step(f"docs_check: {', '.join(config.paths)}")
    documents = discover(target.root, config)
    uses_mix = any(sh.mix_tasks(c.words) for doc in documents for c in commands(doc))
    tasks = (
        mix_tasks.load(target, console, configured=config.tasks)
        if uses_mix
        else mix_tasks.TaskList(frozenset(), (), "not needed")
    )
    venv = target.rel(target.venv_dir)
    ctx = Context(
        app=target.app,
        version=target.version,
        tree=FsTree(target.root),
        tasks=tasks,
        deprecations=config.deprecations,
        allow_missing=(*config.allow_missing, venv),
    )
    findings = run_checks(documents, ctx)
    report = Report(len(documents), tuple(findings), tasks.source)
    render(report, console, target)
    return report


def annotation_path(target: Target, rel: str, environ: Mapping[str, str]) -> str:
    """Annotations name files relative to the repository (the workspace) on GitHub."""
    workspace = environ.get("GITHUB_WORKSPACE")
    if workspace:
        try:
            return (target.root / rel).resolve().relative_to(Path(workspace).resolve()).as_posix()
        except ValueError:
            pass
    return rel


def render(report: Report, console: Console, target: Target) -> None:
    for finding in report.findings:
        console.line(finding.render())
        console.annotate(
            "error",
            f"{finding.message} [{finding.code}]",
            file=annotation_path(target, finding.file, console.environ),
            line=finding.line,
            title="docs_check",
        )
    counts = {check.code: 0 for check in CHECKS}
    for finding in report.findings:
        counts[finding.code] = counts.get(finding.code, 0) + 1
    rows = [
        [
            check.title,
            check.code,
            str(counts[check.code]),
            "ok" if not counts[check.code] else "failed",
        ]
        for check in CHECKS
    ]
    console.table(["check", "code", "problems", "status"], rows, title="docs_check")
    files = len({f.file for f in report.findings})
    if report.ok:
        console.line(f"docs_check: {report.documents} file(s) scanned, no problems")
    else:
        console.line(
            f"docs_check: {len(report.findings)} problem(s) in {files} file(s) "
            f"({report.documents} scanned)"
        )


def failure_message(report: Report) -> str:
    return f"docs_check found {len(report.findings)} problem(s)"
