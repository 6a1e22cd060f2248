"""The Keep a Changelog editor: moved notes, link styles, byte-for-byte preservation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions.core import semver
from sessions.release import changelog
from sessions.release.changelog import ChangelogError

pytestmark = pytest.mark.unit


REPO_URL = "https://github.com/acme/pitpool"

BASE = f"""# Changelog

All notable changes to this project will be documented in this file.

## [Unreleased]

### Added
- Pool resizing at runtime.

## [0.1.0] - 2025-01-01

### Added
- First release.

[Unreleased]: {REPO_URL}/compare/v0.1.0...HEAD
[0.1.0]: {REPO_URL}/releases/tag/v0.1.0
"""


def release(text: str, new: str = "0.2.0", **kwargs: object) -> str:
    options: dict[str, object] = {"old": "0.1.0", "date": "2025-12-20"} | kwargs
    return changelog.release(text, new=semver.parse(new), **options)  # type: ignore[arg-type]


def test_notes_move_under_a_new_dated_heading_below_an_empty_unreleased() -> None:
    out = release(BASE)
    assert (
        out
        == f"""# Changelog

All notable changes to this project will be documented in this file.

## [Unreleased]

## [0.2.0] - 2025-12-20

### Added
- Pool resizing at runtime.

## [0.1.0] - 2025-01-01

### Added
- First release.

[Unreleased]: {REPO_URL}/compare/v0.2.0...HEAD
[0.2.0]: {REPO_URL}/compare/v0.1.0...v0.2.0
[0.1.0]: {REPO_URL}/releases/tag/v0.1.0
"""
    )
    parsed = changelog.parse(out)
    assert parsed.notes("Unreleased") == ""
    assert parsed.notes("0.2.0") == "### Added\n- Pool resizing at runtime.\n"


def test_release_tag_style_adds_a_release_tag_link() -> None:
    text = BASE.replace(f"[Unreleased]: {REPO_URL}/compare/v0.1.0...HEAD\n", "")
    out = release(text)
    assert out.endswith(
        f"[0.2.0]: {REPO_URL}/releases/tag/v0.2.0\n[0.1.0]: {REPO_URL}/releases/tag/v0.1.0\n"
    )


def test_compare_style_without_unreleased_link_follows_the_newest_link() -> None:
    text = BASE.replace(
        f"[Unreleased]: {REPO_URL}/compare/v0.1.0...HEAD\n[0.1.0]: {REPO_URL}/releases/tag/v0.1.0",
        f"[0.1.0]: {REPO_URL}/compare/v0.0.9...v0.1.0",
    )
    out = release(text)
    assert out.endswith(
        f"[0.2.0]: {REPO_URL}/compare/v0.1.0...v0.2.0\n"
        f"[0.1.0]: {REPO_URL}/compare/v0.0.9...v0.1.0\n"
    )


def test_no_links_means_no_links_added() -> None:
    text = BASE.split("[Unreleased]:")[0].rstrip("\n") + "\n"
    out = release(text)
    assert "]: " not in out
    assert out.endswith("- First release.\n")


def test_tag_prefix_is_taken_from_the_existing_links() -> None:
    text = BASE.replace("v0.1.0", "pitpool-0.1.0")
    out = release(text)
    assert f"[Unreleased]: {REPO_URL}/compare/pitpool-0.2.0...HEAD\n" in out
    assert f"[0.2.0]: {REPO_URL}/compare/pitpool-0.1.0...pitpool-0.2.0\n" in out


def test_crlf_file_stays_crlf() -> None:
    text = BASE.replace("\n", "\r\n")
    out = release(text)
    assert out == release(BASE).replace("\n", "\r\n")


def test_missing_final_newline_is_kept() -> None:
    out = release(BASE.rstrip("\n"))
    assert out == release(BASE).rstrip("\n")


def test_unreleased_as_last_section_without_links() -> None:
    text = "# Changelog\n\n## [Unreleased]\n\n- A note.\n"
    assert (
        release(text) == "# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2025-12-20\n\n- A note.\n"
    )


def test_headings_inside_code_fences_are_not_sections() -> None:
    text = BASE.replace(
        "- Pool resizing at runtime.\n",
        "- Pool resizing at runtime:\n\n```markdown\n## [0.2.0] - not a heading\n```\n",
    )
    out = release(text)
    assert "```markdown\n## [0.2.0] - not a heading\n```\n\n## [0.1.0]" in out


def test_allow_empty_releases_an_empty_unreleased() -> None:
    text = BASE.replace("### Added\n- Pool resizing at runtime.\n\n", "")
    with pytest.raises(ChangelogError, match=r"\[Unreleased\] has no notes.*--allow-empty"):
        release(text)
    out = release(text, allow_empty=True)
    assert "## [Unreleased]\n\n## [0.2.0] - 2025-12-20\n\n## [0.1.0]" in out


def test_template_subheadings_alone_count_as_empty() -> None:
    text = BASE.replace("- Pool resizing at runtime.\n", "\n### Fixed\n")
    with pytest.raises(ChangelogError, match="has no notes"):
        release(text)


@pytest.mark.parametrize(
    ("text", "new", "message"),
    [
        (BASE.replace("## [Unreleased]\n", ""), "0.2.0", "no `## \\[Unreleased\\]` heading"),
        (BASE.replace("## [0.1.0]", "## [Unreleased]\n\n## [0.1.0]"), "0.2.0", "2 `## \\["),
        (BASE, "0.1.0", "heading for 0.1.0 already exists"),
        (BASE.replace("## [0.1.0]", "## [0.3.0]"), "0.2.0", "release \\[0.3.0\\] is not lower"),
        (BASE + "[0.2.0]: https://x/y\n", "0.2.0", "link reference \\[0.2.0\\] already"),
    ],
)
def test_structural_problems_are_one_line_errors(text: str, new: str, message: str) -> None:
    with pytest.raises(ChangelogError, match=message) as info:
        release(text, new=new)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("CHANGELOG.md")


def test_unreleased_below_a_release_is_refused() -> None:
    text = "# Changelog\n\n## [0.1.0] - 2025-01-01\n\n- x\n\n## [Unreleased]\n\n- y\n"
    with pytest.raises(ChangelogError, match="must come before the first release"):
        release(text)


@pytest.mark.parametrize("date", ["2025-02-30", "2025-13-01", "20251220", "2025-1-2", "today", ""])
def test_bad_dates(date: str) -> None:
    with pytest.raises(ChangelogError, match="not a real date"):
        changelog.validate_date(date)


# --- property: only [Unreleased] and the link block change ----------------------------

_WORDS = st.text(
    alphabet=st.characters(
        whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters=" .,:;()`*_-/'!?"
    ),
    min_size=1,
    max_size=30,
)
_NOTE = st.one_of(
    _WORDS.map(lambda words: f"- {words}"),
    st.sampled_from(["### Added", "### Fixed", "### Changed", ""]),
    _WORDS.map(lambda words: f"  continued {words}"),
)


@st.composite
def changelogs(draw: st.DrawFn) -> tuple[str, str]:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    preamble = ["# Changelog", "", *draw(st.lists(_WORDS, max_size=3)), ""]
    notes = [*draw(st.lists(_NOTE, max_size=6)), f"- {draw(_WORDS)}"]
    notes += draw(st.lists(_NOTE, max_size=3))
    blank_after_heading = draw(st.lists(st.just(""), max_size=2))
    lines = [*preamble, "## [Unreleased]", *blank_after_heading, *notes, ""]
    count = draw(st.integers(min_value=0, max_value=4))
    versions = [f"0.{count - index}.0" for index in range(count)]
    for version in versions:
        lines.append(f"## [{version}] - 2025-0{1 + len(lines) % 9}-1{len(lines) % 10}")
        lines.append("")
        lines.extend(draw(st.lists(_NOTE, max_size=4)))
        if draw(st.booleans()):
            lines.extend(["```", "## [9.9.9] - inside a fence", "```"])
        lines.append("")
    style = draw(st.sampled_from(["compare", "tag", "none"]))
    current = versions[0] if versions else "0.0.1"
    if style != "none":
        if style == "compare":
            lines.append(f"[Unreleased]: {REPO_URL}/compare/v{current}...HEAD")
        for version in versions:
            lines.append(f"[{version}]: {REPO_URL}/releases/tag/v{version}")
    text = newline.join(lines)
    if draw(st.booleans()):
        text += newline
    return text, current


@settings(max_examples=200, deadline=None)
@given(changelogs())
def test_release_preserves_everything_outside_unreleased_and_links(
    case: tuple[str, str],
) -> None:
    text, current = case
    new = str(semver.bump(semver.parse(current), "minor"))
    before = changelog.parse(text)
    head = before.heading("Unreleased")
    assert head is not None
    end = before.section_end(head)

    out = changelog.release(text, old=current, new=semver.parse(new), date="2025-12-20")
    after = changelog.parse(out)

    prefix = "".join(before.lines[: head.index])
    releases = "".join(before.lines[end : before.links_start])
    assert out.startswith(prefix)
    new_head = after.heading(new)
    assert new_head is not None
    assert "".join(after.lines[after.section_end(new_head) : after.links_start]) == releases
    kept_links = [
        before.lines[link.index].rstrip("\r\n")
        for link in before.links
        if link.label != "Unreleased"
    ]
    after_links = [after.lines[link.index].rstrip("\r\n") for link in after.links]
    assert [
        line
        for line in after_links
        if not line.startswith(f"[{new}]") and not line.startswith("[Unreleased]")
    ] == kept_links
    assert after.notes("Unreleased") == ""
    moved = before.notes("Unreleased") or ""
    assert (after.notes(new) or "").rstrip("\r\n") == moved.rstrip("\r\n")
    assert out.endswith("\n") == text.endswith("\n")
