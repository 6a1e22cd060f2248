"""Markdown structure for the docs checks: fences, spans, headings, links, GitHub slugs."""

from __future__ import annotations

import pytest

from sessions.docs import markdown

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
