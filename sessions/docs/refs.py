"""What documents say: the shell commands they show (with the directory each runs in), the
project paths those commands and code spans name, and the targets of relative links."""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterator
from urllib.parse import unquote

from sessions.docs import commands as sh
from sessions.docs import markdown
from sessions.docs.model import Context, Document

SHELL_LANGS = sh.word_set(
    "sh bash shell zsh fish console shell-session sh-session terminal shellsession"
)
PROMPT_LANGS = frozenset({"console", "shell-session", "sh-session", "terminal", "shellsession"})
# Fences that may hold a transcript: their `$ ` lines are commands, the rest is output.
PLAIN_LANGS = sh.word_set("text txt plain plaintext output")
# Words that start a command: an untagged block is shell only when every line starts so.
KNOWN_COMMANDS = sh.COMMAND_WORDS | sh.word_set(
    "git make docker curl wget export uv npm npx yarn brew apt apt-get sudo env mkdir cp mv "
    "rm echo asdf mise pyenv poetry pipx ./ . kill ps grep tail head chmod time cargo"
)
KNOWN_SPAN_START = sh.COMMAND_WORDS | sh.WRAPPERS
_PROMPTED = re.compile(r"^\s*\$\s+\S")
_COMMAND_NAME = re.compile(r"^(?:\.{0,2}/)?[A-Za-z0-9_][\w./+-]*$")
_COMMENT_COMMAND = re.compile(
    r"^\s*#+\s*(?:[A-Za-z][\w ]{0,30}:\s*)?"
    r"(?P<command>(?:[A-Z_][A-Z0-9_]*=\S+\s+)*(?:mix|elixir|iex)\s.*?)\s*$"
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@functools.cache
def commands(doc: Document) -> list[sh.Command]:
    """The shell commands a document shows, with the directory each runs in: shell-tagged
    fences, `$ ` prompts, untagged blocks whose every line is a command, code spans that
    start with a known command, and ``# Run: mix ...`` comments in Elixir files."""
    found: list[sh.Command] = []
    if doc.kind == "shell":
        found = sh.commands_of(doc.numbered(), script_dir=doc.directory)
    elif doc.kind == "markdown":
        for block in doc.markdown.code_blocks:
            mode = block_mode(block)
            if mode is not None:
                found.extend(sh.commands_of(block.lines, prompts_only=mode == "prompts"))
        spans = [(span.line, span.text) for span in doc.markdown.code_spans]
    else:
        spans = elixir_spans(doc)
        found.extend(_comment_commands(doc, {line for line, _ in spans}))
    if doc.kind != "shell":
        for line, text in spans:
            if is_command_span(text):
                found.extend(sh.commands_of([(line, text)]))
    return [c for c in found if _COMMAND_NAME.match(c.words[0])]


def block_mode(block: markdown.CodeBlock) -> str | None:
    """How a code block holds commands: "all" lines, only "prompts", or None (not shell)."""
    lines = [text for _, text in block.lines if text.strip()]
    prompted = any(_PROMPTED.match(text) for text in lines)
    if block.lang in SHELL_LANGS:
        return "prompts" if block.lang in PROMPT_LANGS or prompted else "all"
    if block.lang and block.lang not in PLAIN_LANGS:
        return None
    if prompted:
        return "prompts"
    if block.lang or not lines:
        return None
    commands = [t for t in lines if not t.lstrip().startswith("#")]
    return "all" if commands and all(_looks_like_command(t) for t in commands) else None


def _looks_like_command(text: str) -> bool:
    words = sh.unwrap(sh.split_words(text.strip().removesuffix("\\").strip()))
    if not words:
        return False
    first = words[0]
    return first in KNOWN_COMMANDS or (first.startswith("./") and len(first) > 2)


def elixir_spans(doc: Document) -> list[tuple[int, str]]:
    return [
        (number, span)
        for number, line in doc.numbered()
        if "`" in line
        for span in markdown.split_code_spans(line)[0]
    ]


def _comment_commands(doc: Document, skip: set[int]) -> list[sh.Command]:
    found: list[sh.Command] = []
    for number, line in doc.numbered():
        match = _COMMENT_COMMAND.match(line)
        if match and number not in skip:
            found.extend(sh.commands_of([(number, match.group("command"))]))
    return found


def is_command_span(text: str) -> bool:
    first = text.split(None, 1)[0] if text.strip() else ""
    if not (first in KNOWN_SPAN_START or "=" in first or first.startswith("./")):
        return False  # the common case, decided without a shell parse
    words = sh.unwrap(sh.split_words(text))
    return bool(words) and (words[0] in sh.COMMAND_WORDS or words[0].startswith("./"))


def path_refs(doc: Document, ctx: Context) -> list[sh.PathRef]:
    """Paths named by commands, and bare code spans that are plainly project paths."""
    extra = (doc.directory,) if doc.directory else ()
    refs = sh.refs_of(commands(doc), extra_bases=extra, script=doc.kind == "shell")
    spans = (
        [(s.line, s.text) for s in doc.markdown.code_spans]
        if doc.kind == "markdown"
        else elixir_spans(doc)
        if doc.kind == "elixir"
        else []
    )
    for line, text in spans:
        if is_command_span(text) or " " in text.strip() or not sh.looks_like_path(text):
            continue
        path = sh.clean_path(text.strip())
        top = path.split("/", 1)[0]
        if not sh.has_known_extension(path):
            continue  # a folder named in prose is often made at run time or proposed
        if "/" in path and (top in ctx.span_roots or top in {".", ".."}):
            refs.append(sh.PathRef(line, path, ("", *extra), prose=True))
    return refs


def resolve(base: str, path: str) -> str | None:
    """``path`` relative to ``base`` (both relative to the root); None outside the root."""
    joined = posixpath.normpath(posixpath.join(base or ".", path))
    if joined == ".." or joined.startswith("../"):
        return None
    return "" if joined == "." else joined


def links(doc: Document) -> Iterator[tuple[int, str | None, str]]:
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
