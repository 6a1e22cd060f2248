"""Keep a Changelog files: parse into a small model, release [Unreleased], render back.

Why not regex templates: the notes under ``## [Unreleased]`` must move as they are, the
rest of the file must stay byte for byte (line endings, odd spacing, code fences that
contain ``##``), and the link references at the bottom must follow the style the file
already uses. So the file is split into lines that keep their own endings; only the
[Unreleased] section and the trailing link block are rebuilt.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from sessions.core import semver
from sessions.core.errors import NoxpitError


class ChangelogError(NoxpitError):
    """The changelog cannot take a release entry as it is."""


_H2 = re.compile(r"^ {0,3}##(?!#)[ \t]+(?P<title>.*?)[ \t#]*$")
_BRACKETED = re.compile(r"^\[(?P<label>[^\]]+)\](?P<rest>.*)$")
_DATE_IN_REST = re.compile(r"\b(?P<date>\d{4}-\d{2}-\d{2})\b")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_LINK_DEF = re.compile(r"^ {0,3}\[(?P<label>[^\]]+)\]:[ \t]*(?P<url>\S+)")
_COMPARE = re.compile(r"^(?P<base>.+)/compare/(?P<old>.+?)\.\.\.(?P<new>.+)$")
_RELEASE_TAG = re.compile(r"^(?P<base>.+)/releases/tag/(?P<ref>.+)$")
_REF_VERSION = re.compile(r"^(?P<prefix>.*?)\d+\.\d+\.\d+\S*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Heading:
    """A level-2 heading: ``## [Unreleased]`` or ``## [1.2.3] - 2025-01-31``."""

    index: int
    label: str
    date: str | None

    @property
    def is_unreleased(self) -> bool:
        return self.label.lower() == "unreleased"

    @property
    def version(self) -> str | None:
        label = self.label[1:] if self.label[:1] in ("v", "V") else self.label
        return label if semver.is_semver(label) else None


@dataclass(frozen=True)
class LinkRef:
    """A link reference definition in the trailing link block."""

    index: int
    label: str
    url: str


@dataclass(frozen=True)
class Changelog:
    """Lines (each with its own ending), the level-2 headings and the trailing links."""

    lines: tuple[str, ...]
    headings: tuple[Heading, ...]
    links_start: int
    links: tuple[LinkRef, ...]
    newline: str

    def heading(self, label: str) -> Heading | None:
        wanted = label.lower()
        return next((h for h in self.headings if h.label.lower() == wanted), None)

    def section_end(self, heading: Heading) -> int:
        """Index just past the section: the next heading, else the link block."""
        later = [h.index for h in self.headings if h.index > heading.index]
        return later[0] if later else self.links_start

    def notes(self, label: str) -> str | None:
        """The text under a heading with surrounding blank lines trimmed (None: no heading)."""
        heading = self.heading(label)
        if heading is None:
            return None
        return "".join(_trim_blank(list(self.lines[heading.index + 1 : self.section_end(heading)])))

    def link(self, label: str) -> LinkRef | None:
        wanted = label.lower()
        return next((link for link in self.links if link.label.lower() == wanted), None)


# --- parse ---------------------------------------------------------------------------


def split_lines(text: str) -> list[str]:
    """Lines that keep their ending (only ``\\n`` ends a line; ``\\r`` stays with it)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def _content(line: str) -> str:
    return line.rstrip("\n").rstrip("\r")


def _is_blank(line: str) -> bool:
    return not _content(line).strip()


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and _is_blank(lines[start]):
        start += 1
    while end > start and _is_blank(lines[end - 1]):
        end -= 1
    return lines[start:end]


def detect_newline(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def _parse_heading(index: int, title: str) -> Heading:
    bracketed = _BRACKETED.match(title)
    if bracketed:
        label, rest = bracketed.group("label").strip(), bracketed.group("rest")
    else:
        label, _, rest = title.partition(" ")
    date = _DATE_IN_REST.search(rest)
    return Heading(index=index, label=label, date=date.group("date") if date else None)


def _link_block(lines: list[str], first_body: int) -> tuple[int, list[LinkRef]]:
    """The run of link definitions (and blank lines between them) that ends the file."""
    start = len(lines)
    links: list[LinkRef] = []
    index = len(lines) - 1
    while index >= first_body:
        content = _content(lines[index])
        match = _LINK_DEF.match(content)
        if match:
            links.append(LinkRef(index, match.group("label").strip(), match.group("url")))
            start = index
        elif content.strip():
            break
        index -= 1
    links.reverse()
    return start, links


def parse(text: str) -> Changelog:
    """The model of a changelog; total (any text parses), validation comes later."""
    lines = split_lines(text)
    headings: list[Heading] = []
    fence: str | None = None
    for index, line in enumerate(lines):
        content = _content(line)
        fence_match = _FENCE.match(content)
        if fence is not None:
            if (
                fence_match
                and fence_match.group("fence")[0] == fence[0]
                and len(fence_match.group("fence")) >= len(fence)
            ):
                fence = None
            continue
        if fence_match:
            fence = fence_match.group("fence")
            continue
        heading = _H2.match(content)
        if heading:
            headings.append(_parse_heading(index, heading.group("title")))
    first_body = headings[-1].index + 1 if headings else 0
    links_start, links = _link_block(lines, first_body)
    return Changelog(
        lines=tuple(lines),
        headings=tuple(headings),
        links_start=links_start,
        links=tuple(links),
        newline=detect_newline(text),
    )


# --- validate ------------------------------------------------------------------------


def validate_date(text: str) -> str:
    """A real calendar date written YYYY-MM-DD (what Keep a Changelog uses)."""
    try:
        if not _DATE.match(text):
            raise ValueError
        datetime.date.fromisoformat(text)
    except ValueError:
        raise ChangelogError(
            f'--date "{text}" is not a real date in YYYY-MM-DD form (e.g. 2025-12-20)'
        ) from None
    return text


def _check(log: Changelog, new: semver.Version, name: str, allow_empty: bool) -> Heading:
    unreleased = [h for h in log.headings if h.is_unreleased]
    if not unreleased:
        raise ChangelogError(
            f"{name}: no `## [Unreleased]` heading; add one above the releases with the "
            "notes for this release"
        )
    if len(unreleased) > 1:
        raise ChangelogError(
            f"{name}: {len(unreleased)} `## [Unreleased]` headings (lines "
            f"{', '.join(str(h.index + 1) for h in unreleased)}); keep one"
        )
    head = unreleased[0]
    new_text = str(new)
    for heading in log.headings:
        if heading.version is None:
            continue
        if heading.version == new_text:
            raise ChangelogError(
                f"{name}:{heading.index + 1}: a heading for {new_text} already exists; choose "
                "another version or remove that entry"
            )
        if semver.parse(heading.version) >= new:
            raise ChangelogError(
                f"{name}:{heading.index + 1}: release [{heading.label}] is not lower than "
                f"{new_text}; choose a version above every released one"
            )
        if heading.index < head.index:
            raise ChangelogError(
                f"{name}:{head.index + 1}: `## [Unreleased]` must come before the first "
                f"release ([{heading.label}] is above it); move it to the top"
            )
    if log.link(new_text) is not None:
        raise ChangelogError(
            f"{name}: a link reference [{new_text}] already exists; remove it or choose "
            "another version"
        )
    body = log.lines[head.index + 1 : log.section_end(head)]
    has_notes = any(
        not _is_blank(line) and not _content(line).lstrip().startswith("#") for line in body
    )
    if not has_notes and not allow_empty:
        raise ChangelogError(
            f"{name}: [Unreleased] has no notes; write what changed under it, or pass --allow-empty"
        )
    return head


# --- render --------------------------------------------------------------------------


def _ensure_newline(line: str, newline: str) -> str:
    return line if line.endswith("\n") else line + newline


def _released_section(log: Changelog, head: Heading, new: str, date: str) -> list[str]:
    nl = log.newline
    end = log.section_end(head)
    notes = _trim_blank(list(log.lines[head.index + 1 : end]))
    out = [_ensure_newline(log.lines[head.index], nl), nl, f"## [{new}] - {date}{nl}"]
    if notes:
        out.append(nl)
        out.extend(_ensure_newline(line, nl) for line in notes)
    if end < len(log.lines):
        out.append(nl)  # one blank line before whatever follows
    elif not log.lines[-1].endswith("\n"):
        out[-1] = out[-1][: -len(nl)]  # the file had no final newline: keep it that way
    return out


_TREE = re.compile(r"^(?P<base>.+)/tree/(?P<ref>[^/]+)$")


def link_tag(url: str) -> str | None:
    """The tag a version link points at, or None for another kind of link."""
    for pattern, group in ((_COMPARE, "new"), (_RELEASE_TAG, "ref"), (_TREE, "ref")):
        match = pattern.match(url)
        if match:
            return match.group(group)
    return None


def _tag_prefix(ref: str) -> str:
    match = _REF_VERSION.match(ref)
    return match.group("prefix") if match else "v"


def _links_plan(log: Changelog, old: str, new: str) -> tuple[dict[int, str], int | None, str]:
    """Line replacements, and where to insert which new link (None: add none)."""
    nl = log.newline
    unreleased = log.link("Unreleased")
    versions = [link for link in log.links if semver.is_semver(link.label.lstrip("vV"))]
    replace: dict[int, str] = {}
    if unreleased is not None:
        compare = _COMPARE.match(unreleased.url)
        if compare:
            prefix = _tag_prefix(compare.group("old"))
            base = compare.group("base")
            url = f"{base}/compare/{prefix}{new}...{compare.group('new')}"
            line = log.lines[unreleased.index]
            replace[unreleased.index] = line.replace(unreleased.url, url, 1)
            new_link = f"[{new}]: {base}/compare/{prefix}{old}...{prefix}{new}{nl}"
            return replace, unreleased.index + 1, new_link
    if not versions:
        return replace, None, ""
    newest = versions[0]
    anchor = unreleased.index + 1 if unreleased is not None else newest.index
    compare = _COMPARE.match(newest.url)
    if compare:
        prefix = _tag_prefix(compare.group("new"))
        url = f"{compare.group('base')}/compare/{prefix}{old}...{prefix}{new}"
        return replace, anchor, f"[{new}]: {url}{nl}"
    tag = _RELEASE_TAG.match(newest.url)
    if tag:
        prefix = _tag_prefix(tag.group("ref"))
        return replace, anchor, f"[{new}]: {tag.group('base')}/releases/tag/{prefix}{new}{nl}"
    return replace, None, ""


def _render_links(log: Changelog, old: str, new: str) -> list[str]:
    block = list(log.lines[log.links_start :])
    replace, insert_at, new_link = _links_plan(log, old, new)
    for index, line in replace.items():
        block[index - log.links_start] = line
    if insert_at is not None:
        position = insert_at - log.links_start
        if position > 0 and not block[position - 1].endswith("\n"):
            block[position - 1] += log.newline
            new_link = new_link[: -len(log.newline)]
        block.insert(position, new_link)
    return block


def release(
    text: str,
    *,
    old: str,
    new: semver.Version,
    date: str,
    allow_empty: bool = False,
    name: str = "CHANGELOG.md",
) -> str:
    """The changelog with [Unreleased]'s notes moved under a new ``## [new] - date``."""
    log = parse(text)
    validate_date(date)
    head = _check(log, new, name, allow_empty)
    end = log.section_end(head)
    out = list(log.lines[: head.index])
    out += _released_section(log, head, str(new), date)
    if log.links_start > end:
        out += log.lines[end : log.links_start]
    if log.links:
        out += _render_links(log, old, str(new))
    return "".join(out)
