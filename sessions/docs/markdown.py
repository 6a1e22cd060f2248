"""Markdown structure for the docs checks, read by a CommonMark parser (markdown-it-py).

The parser decides what is code, prose, a heading or a link (fences inside list items,
indented code blocks, ``[a](<path with spaces.md>)``, HTML comments); this module keeps
each part's 1-based line number and computes heading anchors the way GitHub does.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import unquote

from sessions.core.errors import NoxpitError

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_HTML_ANCHOR = re.compile(r"<a\s[^>]*\b(?:name|id)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_HEADING_ID = re.compile(r"<h[1-6]\s[^>]*\bid\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
# GitHub renders `:rocket:` as an emoji, which its anchors drop like any other symbol.
_SHORTCODE = re.compile(r":[a-z0-9_+-]+:")


@dataclass(frozen=True)
class CodeBlock:
    """A fenced or indented code block: its info-string language and its body lines."""

    lang: str
    start: int  # line number of the opening fence (first line for an indented block)
    lines: tuple[tuple[int, str], ...]
    fenced: bool = True
    fence: str = ""  # the opening fence (```, ~~~~), empty for an indented block


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    text: str  # as rendered: markup gone, code and link text kept


@dataclass(frozen=True)
class Link:
    """A link or image target as written (``path``, ``path#frag``, ``#frag``, URL)."""

    line: int
    target: str


@dataclass(frozen=True)
class CodeSpan:
    line: int
    text: str


@dataclass(frozen=True)
class Markdown:
    """The parts of one Markdown document the checks look at."""

    code_blocks: tuple[CodeBlock, ...]
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]
    code_spans: tuple[CodeSpan, ...]
    html_anchors: frozenset[str] = field(default_factory=frozenset)

    @property
    def slugs(self) -> tuple[str, ...]:
        """GitHub's anchor for each heading, in order."""
        return tuple(heading_slugs(h.text for h in self.headings))

    @property
    def anchors(self) -> frozenset[str]:
        """Every fragment a link to this document may use."""
        return frozenset(self.slugs) | self.html_anchors


class ParserMissing(NoxpitError):
    """markdown-it-py is not installed in the Python that runs nox."""


@cache
def _parser() -> MarkdownIt:
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        raise ParserMissing(
            "docs_check needs markdown-it-py in the Python that runs nox: "
            "`python3 -m pip install markdown-it-py` (noxpit's .ci/requirements.txt pins it)"
        ) from None
    # Its per-rule debug logging costs time on every block, and nox logs at debug level.
    logging.getLogger("markdown_it").setLevel(logging.WARNING)
    return MarkdownIt("commonmark").enable("table").enable("strikethrough")


def parse(text: str) -> Markdown:
    env: dict[str, object] = {}
    tokens = _parser().parse(text, env)
    reader = _Reader(text.splitlines())
    reader.read(tokens)
    references = env.get("references")
    if isinstance(references, dict):
        reader.references(references)
    return Markdown(
        code_blocks=tuple(reader.blocks),
        headings=tuple(reader.headings),
        links=tuple(sorted(dict.fromkeys(reader.links), key=lambda link: link.line)),
        code_spans=tuple(reader.spans),
        html_anchors=frozenset(reader.anchors),
    )


class _Reader:
    def __init__(self, lines: Sequence[str]) -> None:
        self.source = lines
        self.blocks: list[CodeBlock] = []
        self.headings: list[Heading] = []
        self.links: list[Link] = []
        self.spans: list[CodeSpan] = []
        self.anchors: set[str] = set()

    def read(self, tokens: Sequence[Token]) -> None:
        heading_level = 0
        for token in tokens:
            first = token.map[0] + 1 if token.map else 0
            if token.type == "heading_open":
                heading_level = int(token.tag[1:])
            elif token.type == "inline":
                text = self.inline(token.children or [], first)
                if heading_level:
                    self.headings.append(Heading(first, heading_level, text))
                    heading_level = 0
            elif token.type in ("fence", "code_block") and token.map:
                fenced = token.type == "fence"
                body_start = first + 1 if fenced else first
                body = token.content.splitlines()
                lang = (
                    token.info.strip().split()[0].lower().strip("{}.") if token.info.strip() else ""
                )
                self.blocks.append(
                    CodeBlock(
                        lang,
                        first,
                        tuple((body_start + i, line) for i, line in enumerate(body)),
                        fenced,
                        token.markup if fenced else "",
                    )
                )
            elif token.type == "html_block":
                self.html(token.content)

    def inline(self, children: Sequence[Token], line: int) -> str:
        """Collect links and code spans of one inline run; return its plain text."""
        text: list[str] = []
        for child in children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
                text.append(" ")
            elif child.type == "text":
                text.append(child.content)
            elif child.type == "code_inline":
                self.spans.append(CodeSpan(line, child.content))
                text.append(child.content)
            elif child.type in ("link_open", "image"):
                target = child.attrs.get("href" if child.type == "link_open" else "src")
                if isinstance(target, str):
                    self.links.append(Link(line, target))
                if child.type == "image":
                    for sub in child.children or []:
                        if sub.type in ("softbreak", "hardbreak"):
                            line += 1
            elif child.type == "html_inline":
                self.html(child.content)
        return "".join(text)

    def html(self, content: str) -> None:
        if content.lstrip().startswith("<!--"):
            return
        self.anchors.update(a.lower() for a in _HTML_ANCHOR.findall(content))
        self.anchors.update(a.lower() for a in _HEADING_ID.findall(content))

    def references(self, references: dict[object, object]) -> None:
        """Reference definitions (``[x]: path``) are reported at their own line; their uses
        are dropped, so each broken reference is one finding where it can be fixed."""
        targets: set[str] = set()
        for entry in references.values():
            if not isinstance(entry, dict):
                continue
            href, where = entry.get("href"), entry.get("map")
            if isinstance(href, str) and isinstance(where, list) and where:
                targets.add(href)
                self.links.append(Link(int(where[0]) + 1, href))
        if targets:
            self.links = [
                link
                for link in self.links
                if link.target not in targets or self._written_inline(link)
            ]

    def _written_inline(self, link: Link) -> bool:
        """Whether the link is written on its line as ``](target)`` or is the definition."""
        line = self.source[link.line - 1] if 0 < link.line <= len(self.source) else ""
        stripped = line.lstrip()
        if stripped.startswith("[") and "]:" in stripped:
            return True  # the definition itself
        raw = unquote(link.target)
        return f"]({raw}" in line or f"](<{raw}" in line or f"]({link.target}" in line


def split_code_spans(line: str) -> tuple[list[str], str]:
    """The inline code spans of one line of non-Markdown text (an Elixir comment), and the
    line with each span blanked out."""
    spans: list[str] = []
    out: list[str] = []
    index = 0
    while index < len(line):
        if line[index] != "`":
            out.append(line[index])
            index += 1
            continue
        rest = line[index:]
        run = len(rest) - len(rest.lstrip("`"))
        ticks = line[index : index + run]
        close = _find_closing(line, index + run, ticks)
        if close < 0:
            out.append(ticks)
            index += run
            continue
        body = line[index + run : close]
        if body.startswith(" ") and body.endswith(" ") and body.strip():
            body = body[1:-1]
        spans.append(body)
        out.append(" " * (close + run - index))
        index = close + run
    return spans, "".join(out)


def _find_closing(line: str, start: int, ticks: str) -> int:
    index = line.find(ticks, start)
    while index >= 0:
        end = index + len(ticks)
        if (end >= len(line) or line[end] != "`") and line[index - 1] != "`":
            return index
        index = line.find(ticks, end)
    return -1


# --- anchors -------------------------------------------------------------------------


def slug(text: str) -> str:
    """GitHub's anchor for a heading's rendered text: lowercase; everything but letters,
    marks, digits, ``_``, ``-`` and spaces dropped (emoji too, so a leading emoji leaves a
    leading ``-``); spaces to hyphens."""
    kept = []
    for char in _SHORTCODE.sub("", text).lower():
        category = unicodedata.category(char)
        if char in " -" or category[0] in "LMN" or category == "Pc":
            kept.append(char)
    return "".join(kept).replace(" ", "-")


def heading_slugs(texts: Iterable[str]) -> Iterator[str]:
    """Slugs in document order, repeated headings suffixed ``-1``, ``-2`` like GitHub."""
    seen: dict[str, int] = {}
    for text in texts:
        base = slug(text)
        count = seen.get(base, 0)
        seen[base] = count + 1
        yield base if count == 0 else f"{base}-{count}"


def loose(anchor: str) -> str:
    """An anchor with only its letters and digits: to find the heading a link meant."""
    return "".join(char for char in anchor.lower() if char.isalnum())
