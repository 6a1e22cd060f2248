"""The checks, as data: each ``Check`` names its id, what it looks at, where it applies and
what to do about a finding; its finder is a pure function of a document and a context."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from sessions.docs import commands as sh
from sessions.docs import refs
from sessions.docs.model import KINDS, Check, Context, Document, Problem
from sessions.elixir import versions as elixir_version

MARKDOWN_EXTS = frozenset({".md", ".markdown", ".livemd"})
_DEP = r'\{\s*:APP\s*,\s*"(?P<req>[^"]+)"'
_LINE_ANCHOR = re.compile(r"^L\d+(?:-L\d+)?$")


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


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def find_missing_paths(doc: Document, ctx: Context) -> Iterator[Problem]:
    for ref in refs.path_refs(doc, ctx):
        candidates = [
            joined for base in ref.bases if (joined := refs.resolve(base, ref.path)) is not None
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


def find_unknown_tasks(doc: Document, ctx: Context) -> Iterator[Problem]:
    for command in refs.commands(doc):
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


def find_broken_links(doc: Document, ctx: Context) -> Iterator[Problem]:
    for line, path, _ in refs.links(doc):
        if path is not None and not ctx.tree.exists(path) and not ctx.generated(path):
            yield line, f"link to {path}: no such file or directory"


def find_missing_anchors(doc: Document, ctx: Context) -> Iterator[Problem]:
    for line, path, fragment in refs.links(doc):
        if not fragment or _LINE_ANCHOR.match(fragment):
            continue
        where = doc.rel if path is None else path
        if posixpath.splitext(where)[1].lower() not in MARKDOWN_EXTS:
            continue
        parsed = doc.markdown if path is None else ctx.markdown_of(where)
        if parsed is not None and fragment.lower() not in parsed.anchors:
            yield line, f"link to {where}#{fragment}: no such heading in {where}"


CHECKS: tuple[Check, ...] = (
    Check(
        "dep-version",
        "dependency snippets",
        KINDS,
        "Write the current version, as the message says; a dated or archived document that "
        "shows an old version on purpose belongs under `[docs] history`.",
        find_dep_versions,
        in_history=False,
    ),
    Check(
        "missing-path",
        "paths in commands",
        KINDS,
        "Fix the path, or create the file; a path that a build or install creates belongs "
        "in `[docs] allow_missing`.",
        find_missing_paths,
    ),
    Check(
        "unknown-task",
        "Mix tasks",
        KINDS,
        "Use a task the project has (`mix help` in the project the command runs in), or add "
        "the task's name to `[docs] tasks` when it comes from an archive or a dep.",
        find_unknown_tasks,
    ),
    Check(
        "deprecated",
        "deprecated flows",
        KINDS,
        "Show the current flow the message names; `[docs] deprecated` holds the rules.",
        find_deprecated,
        in_history=False,
    ),
    Check(
        "broken-link",
        "relative links",
        frozenset({"markdown"}),
        "Point the link at a file that exists (paths are relative to the document).",
        find_broken_links,
    ),
    Check(
        "missing-anchor",
        "link anchors",
        frozenset({"markdown"}),
        "Use the anchor GitHub makes for the heading, as the message gives it.",
        find_missing_anchors,
    ),
)
