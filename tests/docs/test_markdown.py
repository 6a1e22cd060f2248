"""Markdown structure for the docs checks: fences, spans, headings, links, GitHub slugs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sessions.docs import markdown, parse_cache

pytestmark = pytest.mark.unit


DOC = """\
# Title

- [Install](#install)
- [Badge in a link][![ci](img/ci.svg)](docs/ci.md#caches)
<!-- [hidden](gone.md) -->

## Install `pitpool`

```bash
cd priv/python
```

~~~
[not a link](inside-a-fence.md)
~~~

Setup notes
-----------

Use `examples/hello.exs` and ``a `tick` span``; see [the guide](guide.md "Guide").

[ref]: ./docs/ref.md
"""


def test_code_blocks_keep_their_language_and_line_numbers() -> None:
    parsed = markdown.parse(DOC)
    assert [(b.lang, b.start, b.lines) for b in parsed.code_blocks] == [
        ("bash", 9, ((10, "cd priv/python"),)),
        ("", 13, ((14, "[not a link](inside-a-fence.md)"),)),
    ]


def test_links_come_from_prose_only_with_their_lines() -> None:
    links = [(link.line, link.target) for link in markdown.parse(DOC).links]
    assert links == [
        (3, "#install"),
        (4, "docs/ci.md#caches"),
        (4, "img/ci.svg"),
        (20, "guide.md"),
        (22, "./docs/ref.md"),
    ]


def test_headings_atx_and_setext_give_github_anchors() -> None:
    parsed = markdown.parse(DOC)
    assert [(h.line, h.level, h.text) for h in parsed.headings] == [
        (1, 1, "Title"),
        (7, 2, "Install pitpool"),
        (17, 2, "Setup notes"),
    ]
    assert parsed.anchors == {"title", "install-pitpool", "setup-notes"}


def test_code_spans_are_found_and_blanked_out() -> None:
    spans, rest = markdown.split_code_spans("Use `a/b.exs` and ``x `y` z`` but not `open")
    assert spans == ["a/b.exs", "x `y` z"]
    assert "a/b.exs" not in rest and rest.endswith("`open")


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Quick start", "quick-start"),
        ("The `mix` task", "the-mix-task"),
        ("1. Install (Debian/Ubuntu)", "1-install-debianubuntu"),
        ("What's **new** in _0.2_?", "whats-new-in-02"),
        ("snake_case_name", "snake_case_name"),
        ("[Linked](https://x.y) text", "linked-text"),
        ("Ünïcode — dash", "ünïcode--dash"),
    ],
)
def test_slug_follows_github(heading: str, slug: str) -> None:
    assert markdown.parse(f"## {heading}\n").slugs == (slug,)


def test_repeated_headings_get_numbered_like_github() -> None:
    assert list(markdown.heading_slugs(["Intro", "Usage", "Intro", "Intro"])) == [
        "intro",
        "usage",
        "intro-1",
        "intro-2",
    ]


def test_html_anchors_count_as_link_targets() -> None:
    parsed = markdown.parse('<a name="Custom-Anchor"></a>\n# Title\n')
    assert parsed.anchors == {"custom-anchor", "title"}


def test_commonmark_cases_the_line_scanner_got_wrong() -> None:
    text = (
        "1. Step\n\n   ```bash\n   mix test\n   ```\n\n"  # a fence inside a list item
        "Code:\n\n    [not a link](indented.md)\n\n"  # an indented code block
        "See [notes](<path with spaces.md>) and [ref][r].\n\n"
        "[r]: ./docs/ref.md\n"
    )
    parsed = markdown.parse(text)
    assert [(b.lang, b.lines, b.fenced) for b in parsed.code_blocks] == [
        ("bash", ((4, "mix test"),), True),
        ("", ((9, "[not a link](indented.md)"),), False),
    ]
    assert [(link.line, link.target) for link in parsed.links] == [
        (11, "path%20with%20spaces.md"),
        (13, "./docs/ref.md"),  # a reference is reported where it is defined
    ]


def test_emoji_headings_keep_githubs_leading_hyphen() -> None:
    parsed = markdown.parse("## 🚀 Quick Start\n## :rocket: Launch\n## Quick Start\n")
    assert parsed.slugs == ("-quick-start", "-launch", "quick-start")


def test_parsed_documents_survive_the_cache_unchanged(tmp_path: Path) -> None:
    cache = parse_cache.ParseCache(tmp_path / "markdown.json")
    first = cache.parse(DOC)
    cache.save()
    again = parse_cache.ParseCache(tmp_path / "markdown.json")
    assert again.entries and again.parse(DOC) == first == markdown.parse(DOC)
    assert not again.dirty


def test_without_markdown_it_the_error_is_one_line_saying_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "markdown_it", None)  # import fails as if not installed
    markdown._parser.cache_clear()
    try:
        with pytest.raises(markdown.ParserMissing, match=r"pip install markdown-it-py"):
            markdown.parse("# Title\n")
    finally:
        markdown._parser.cache_clear()
