"""Just enough Markdown structure for docs checks: fences, headings, links, code spans.

Not a renderer: it finds the parts a check needs, each with its 1-based line number, and
computes heading anchors the way GitHub does, so a table of contents can be verified.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

_FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_ATX = re.compile(r"^\s{0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_REF_DEF = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+.*)?$")
# Inline link or image targets: every `](target)`, so nested `[![img](a)](b)` yields a and b.
_INLINE_TARGET = re.compile(
    r"\]\(\s*<?(?P<target>[^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
_HTML_ANCHOR = re.compile(r"<a\s[^>]*\b(?:name|id)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block: its info-string language and its body lines."""

    lang: str
    start: int  # line number of the opening fence
    lines: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    text: str


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
    def anchors(self) -> frozenset[str]:
        """Every fragment a link to this document may use."""
        return frozenset(heading_slugs(h.text for h in self.headings)) | self.html_anchors


def parse(text: str) -> Markdown:
    """Split a document into code blocks and prose, then read the prose's structure."""
    blocks: list[CodeBlock] = []
    prose: list[tuple[int, str]] = []
    lines = text.splitlines()
    index = 0
    in_comment = False
    while index < len(lines):
        number, line = index + 1, lines[index]
        if in_comment:
            if "-->" in line:
                in_comment = False
                prose.append((number, line.split("-->", 1)[1]))
            index += 1
            continue
        opened = _FENCE_OPEN.match(line)
        if opened:
            fence = opened.group("fence")
            info = opened.group("info").strip()
            body: list[tuple[int, str]] = []
            index += 1
            while index < len(lines):
                closing = lines[index].strip()
                if closing.startswith(fence[0] * len(fence)) and not closing.strip(fence[0]):
                    break
                body.append((index + 1, lines[index]))
                index += 1
            lang = info.split()[0].lower() if info else ""
            blocks.append(CodeBlock(lang=lang.strip("{}."), start=number, lines=tuple(body)))
            index += 1
            continue
        visible = _strip_html_comments(line)
        if "<!--" in visible:
            visible = visible.split("<!--", 1)[0]
            in_comment = True
        prose.append((number, visible))
        index += 1
    return _read_prose(prose, tuple(blocks))


def _strip_html_comments(line: str) -> str:
    return re.sub(r"<!--.*?-->", "", line)


def _read_prose(prose: list[tuple[int, str]], blocks: tuple[CodeBlock, ...]) -> Markdown:
    headings: list[Heading] = []
    links: list[Link] = []
    spans: list[CodeSpan] = []
    anchors: set[str] = set()
    previous: tuple[int, str] | None = None
    for number, line in prose:
        line_spans, without_code = split_code_spans(line)
        spans.extend(CodeSpan(number, span) for span in line_spans)
        atx = _ATX.match(line)
        if atx:
            headings.append(Heading(number, len(atx.group(1)), (atx.group(2) or "").strip()))
        elif (
            _SETEXT.match(line)
            and previous is not None
            and previous[0] == number - 1
            and previous[1].strip()
            and not _is_structural(previous[1])
        ):
            level = 1 if line.strip().startswith("=") else 2
            headings.append(Heading(previous[0], level, previous[1].strip()))
        definition = _REF_DEF.match(without_code)
        if definition:
            links.append(Link(number, definition.group(2)))
        else:
            links.extend(
                Link(number, m.group("target")) for m in _INLINE_TARGET.finditer(without_code)
            )
        anchors.update(a.lower() for a in _HTML_ANCHOR.findall(without_code))
        previous = (number, line)
    return Markdown(
        code_blocks=blocks,
        headings=tuple(headings),
        links=tuple(links),
        code_spans=tuple(spans),
        html_anchors=frozenset(anchors),
    )


def _is_structural(line: str) -> bool:
    """Lines that cannot be a setext heading's text (lists, tables, quotes, rules)."""
    stripped = line.strip()
    return stripped.startswith(("-", "*", "+", ">", "|", "#")) or bool(
        re.match(r"^\d+[.)]\s", stripped)
    )


def split_code_spans(line: str) -> tuple[list[str], str]:
    """The inline code spans of a line, and the line with each span blanked out."""
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

_LINK_TEXT = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|(?<![\w])_)(?=\S)(.+?)(?<=\S)\1(?![\w])")


def heading_text(raw: str) -> str:
    """What a heading renders to as plain text: markup gone, code and link text kept."""
    spans, _ = split_code_spans(raw)
    text = raw
    for span in spans:
        text = text.replace(f"`{span}`", "\0" + span + "\1", 1)
    text = _IMAGE.sub("", text)
    text = _LINK_TEXT.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    previous = None
    while previous != text:
        previous, text = text, _EMPHASIS.sub(r"\2", text)
    return text.replace("\0", "").replace("\1", "")


def slug(text: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens."""
    kept = []
    for char in heading_text(text).lower():
        category = unicodedata.category(char)
        if char in " -_" or char.isalnum() or category.startswith("M") or category == "Pc":
            kept.append(char)
    return "".join(kept).strip("\t\n").replace(" ", "-")


def heading_slugs(texts: Iterable[str]) -> Iterator[str]:
    """Slugs in document order, repeated headings suffixed ``-1``, ``-2`` like GitHub."""
    seen: dict[str, int] = {}
    for text in texts:
        base = slug(text)
        count = seen.get(base, 0)
        seen[base] = count + 1
        yield base if count == 0 else f"{base}-{count}"
