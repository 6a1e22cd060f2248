"""Parsed Markdown kept between runs, keyed by each document's content hash: parsing a few
hundred documents costs seconds, reading their structure back costs milliseconds."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sessions.core.files import atomic_write
from sessions.docs import markdown

VERSION = 2


def key_of(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _to_json(parsed: markdown.Markdown) -> list[Any]:
    return [
        [
            [b.lang, b.start, [list(line) for line in b.lines], b.fenced, b.fence]
            for b in parsed.code_blocks
        ],
        [[h.line, h.level, h.text] for h in parsed.headings],
        [[link.line, link.target] for link in parsed.links],
        [[s.line, s.text] for s in parsed.code_spans],
        sorted(parsed.html_anchors),
    ]


def _from_json(data: list[Any]) -> markdown.Markdown:
    blocks, headings, links, spans, anchors = data
    return markdown.Markdown(
        code_blocks=tuple(
            markdown.CodeBlock(lang, start, tuple((n, t) for n, t in lines), fenced, fence)
            for lang, start, lines, fenced, fence in blocks
        ),
        headings=tuple(markdown.Heading(*h) for h in headings),
        links=tuple(markdown.Link(*link) for link in links),
        code_spans=tuple(markdown.CodeSpan(*s) for s in spans),
        html_anchors=frozenset(anchors),
    )


class ParseCache:
    """``parse(text)``: from the cache when this exact text was parsed before."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, markdown.Markdown] = {}
        self.used: set[str] = set()
        self.dirty = False
        if path is not None:
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != VERSION:
                return
            self.entries = {key: _from_json(value) for key, value in data["documents"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            self.entries = {}  # a cache that cannot be read only costs time

    def parse(self, text: str) -> markdown.Markdown:
        key = key_of(text)
        self.used.add(key)
        found = self.entries.get(key)
        if found is None:
            found = self.entries[key] = markdown.parse(text)
            self.dirty = True
        return found

    def save(self) -> None:
        """Keep what this run used (so the file does not grow with every edit)."""
        if self.path is None or not (self.dirty or set(self.entries) - self.used):
            return
        documents = {k: _to_json(v) for k, v in self.entries.items() if k in self.used}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps({"version": VERSION, "documents": documents}))
        except OSError:
            pass
