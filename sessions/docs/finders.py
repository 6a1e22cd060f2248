"""The checks, as data: each ``Check`` names its id, what it looks at, where it applies and
what to do about a finding; its finder is a pure function of a document and a context."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from sessions.docs import commands as sh
from sessions.docs import markdown, refs
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


def _is_markdown(path: str) -> bool:
    return posixpath.splitext(path)[1].lower() in MARKDOWN_EXTS


def _first_folder_exists(path: str, bases: tuple[str, ...], ctx: Context) -> bool:
    first = path.split("/", 1)[0]
    if first in {".", ".."}:
        return True
    return any(
        (joined := refs.resolve(base, first)) is not None and ctx.tree.is_dir(joined)
        for base in bases
    )


def find_missing_paths(doc: Document, ctx: Context) -> Iterator[Problem]:
    for ref in refs.path_refs(doc, ctx):
        candidates = [
            joined for base in ref.bases if (joined := refs.resolve(base, ref.path)) is not None
        ]
        if not candidates:
            continue  # outside the target: not ours to check
        if doc.history and ref.prose and not _is_markdown(ref.path):
            continue  # code a dated document mentions is the code of its date
        if ref.needs_prefix and not _first_folder_exists(ref.path, ref.bases, ctx):
            continue  # `jobs/hour`, `req/s`: not a path in this project
        if any(
            ctx.generated(c) or any(_under(c, made) for made in ref.created) for c in candidates
        ):
            continue
        if ref.want_dir:
            if ref.path.rstrip("/") == ctx.app:
                continue  # `cd snakepit`: the reader's own checkout of the project
            if not any(ctx.tree.is_dir(c) for c in candidates):
                yield ref.line, f"cd {ref.path}: no such directory"
        elif not any(ctx.tree.exists(c) for c in candidates):
            yield ref.line, f"{ref.path} does not exist"


def run_directory(doc: Document, command: sh.Command, ctx: Context) -> str | None:
    """Where a command runs: the document's folder, or where an earlier ``cd`` went
    (relative to the root or to the document, whichever exists); None when unknown."""
    if command.cwd is None:
        return None
    if not command.moved:
        return doc.directory
    inside = refs.resolve(doc.directory, command.cwd)
    if doc.directory and inside is not None and ctx.tree.is_dir(inside):
        return inside
    return command.cwd


def find_unknown_tasks(doc: Document, ctx: Context) -> Iterator[Problem]:
    for command in refs.commands(doc):
        tasks = sh.mix_tasks(command.words)
        directory = run_directory(doc, command, ctx) if tasks else None
        if directory is None:
            continue
        app, known = ctx.project_of(directory)
        for task in tasks:
            if not known.has(task):
                where = f" in {directory}" if known is not ctx.tasks else ""
                yield (
                    command.line,
                    f"mix {task}: {app} has no such Mix task (see `mix help`{where})",
                )


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
            yield line, anchor_problem("" if path is None else where, fragment, parsed)


def _same_letters(fragment: str, anchor: str) -> bool:
    wanted = markdown.loose(fragment)
    return bool(wanted) and markdown.loose(anchor) == wanted


def _same_without_numbering(fragment: str, anchor: str) -> bool:
    """``#design-goals`` for "1. Design Goals" (GitHub: ``#1-design-goals``)."""
    wanted = markdown.loose(fragment).lstrip("0123456789")
    return bool(wanted) and markdown.loose(anchor).lstrip("0123456789") == wanted


def anchor_problem(where: str, fragment: str, parsed: markdown.Markdown) -> str:
    """The message for a fragment GitHub would not find: the anchor GitHub makes for the
    heading the link means (same letters and digits), or that there is no such heading.
    ``where`` is empty for a link within the document."""
    pairs = list(zip(parsed.headings, parsed.slugs, strict=True))
    for same in (_same_letters, _same_without_numbering):
        for heading, anchor in pairs:
            if same(fragment, anchor):
                return (
                    f'link to {where}#{fragment}: GitHub\'s anchor for "{heading.text}" '
                    f"(line {heading.line}) is #{anchor}; link to that"
                )
    return f"link to {where}#{fragment}: no such heading in {where or 'this file'}"


_INNER_OPENER = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>[^`\s][^`]*)$")


def find_nested_fences(doc: Document, ctx: Context) -> Iterator[Problem]:
    """A fence with a language inside a code block opened by the same fence: the author
    meant a new block, but it is text, and its closing fence closes the outer block."""
    for block in doc.markdown.code_blocks:
        if not block.fence:
            continue
        for number, text in block.lines:
            match = _INNER_OPENER.match(text)
            if (
                match
                and match.group("fence")[0] == block.fence[0]
                and len(match.group("fence")) >= len(block.fence)
            ):
                yield (
                    number,
                    f"{match.group('fence')}{match.group('info').strip()} opens no code block: "
                    f"it is inside the block opened at line {block.start}, which GitHub closes "
                    "at the next bare fence",
                )
                break


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
        "in `[docs] allow_missing`. In `[docs] history` documents, code files named in prose "
        "are not checked (they describe the code of their date); commands and documents are.",
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
    Check(
        "nested-fence",
        "code fences",
        frozenset({"markdown"}),
        "Close the open code block before starting another; to show Markdown source with "
        "fences inside, open the outer block with a longer fence (````) or with ~~~.",
        find_nested_fences,
    ),
)
