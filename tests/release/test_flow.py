"""The release: exact, complete, all or nothing. Most cases call the release in-process on a
small Mix project in a tmp dir; ``test_cli.py`` drives the real ``nox -s release``."""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from sessions.core.errors import NoxpitError
from sessions.core.target import build_target
from sessions.release import files as release_files
from sessions.release.options import Request
from sessions.release.plan import plan_release
from sessions.release.settings import ReleaseError
from tests.helpers import REPO
from tests.release.pitpool import (
    CHANGELOG,
    MIX_EXS,
    README,
    changed_files,
    do_release,
    listed,
    make_project,
    snapshot,
)

pytestmark = pytest.mark.unit


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "pitpool")


# --- what a release does ---------------------------------------------------------------


def test_release_updates_mix_exs_every_snippet_and_the_changelog_and_nothing_else(
    project: Path,
) -> None:
    before = snapshot(project)
    output = do_release(project, "0.2.0", "--date", "2025-12-20")
    after = snapshot(project)

    assert changed_files(before, after) == {"mix.exs", "README.md", "CHANGELOG.md"}
    assert (project / "mix.exs").read_text() == MIX_EXS.replace('"0.1.0"', '"0.2.0"')
    readme = (project / "README.md").read_text()
    assert readme == README.replace('{:pitpool, "~> 0.1.0"}', '{:pitpool, "~> 0.2.0"}').replace(
        '{:pitpool, "~> 0.0.3"}', '{:pitpool, "~> 0.2.0"}'
    )
    assert '{:other, "~> 0.1.0"}' in readme
    log = (project / "CHANGELOG.md").read_text()
    assert "## [Unreleased]\n\n## [0.2.0] - 2025-12-20\n\n### Added\n- Pool resizing" in log
    assert "[Unreleased]: https://github.com/acme/pitpool/compare/v0.2.0...HEAD\n" in log
    assert "[0.2.0]: https://github.com/acme/pitpool/compare/v0.1.0...v0.2.0\n" in log
    assert "wrote 3 files for 0.2.0" in output


def test_dry_run_prints_the_diff_and_writes_nothing(project: Path) -> None:
    before = snapshot(project)
    output = do_release(project, "0.2.0", "--date", "2025-12-20", "--dry-run")
    assert snapshot(project) == before
    assert "--- a/mix.exs\n+++ b/mix.exs\n" in output
    assert '-  @version "0.1.0"\n+  @version "0.2.0"\n' in output
    assert '+    {:pitpool, "~> 0.2.0"}\n' in output
    assert "+## [0.2.0] - 2025-12-20\n" in output
    assert "nothing written" in output


def test_dry_run_diff_applies_with_patch(project: Path, tmp_path: Path) -> None:
    """The printed diff is a real unified diff: `patch` turns the tree into the release."""
    output = do_release(project, "0.2.0", "--date", "2025-12-20", "--dry-run")
    lines = output.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("--- a/"))
    last = next(i for i, line in enumerate(lines) if line.startswith("release 0.2.0: files"))
    diff = "".join(line + "\n" for line in lines[first:last])
    expected = make_project(tmp_path / "expected")
    do_release(expected, "0.2.0", "--date", "2025-12-20")
    subprocess.run(["patch", "-p1", "-s"], input=diff, text=True, cwd=project, check=True)
    assert snapshot(project) == snapshot(expected)


@pytest.mark.parametrize(
    ("part", "expected"), [("patch", "0.1.1"), ("minor", "0.2.0"), ("major", "1.0.0")]
)
def test_bump_parts_compute_the_version(project: Path, part: str, expected: str) -> None:
    do_release(project, part, "--date", "2025-12-20")
    assert f'@version "{expected}"' in (project / "mix.exs").read_text()
    assert f"## [{expected}] - 2025-12-20" in (project / "CHANGELOG.md").read_text()


def test_date_defaults_to_today(project: Path) -> None:
    import datetime

    do_release(project, "patch")
    today = datetime.date.today().isoformat()
    assert f"## [0.1.1] - {today}" in (project / "CHANGELOG.md").read_text()


def test_prerelease_versions_are_written_verbatim(project: Path) -> None:
    do_release(project, "1.0.0-rc.1", "--date", "2025-12-20")
    assert '{:pitpool, "~> 1.0.0-rc.1"}' in (project / "README.md").read_text()
    do_release(project, "minor", "--date", "2025-12-21", "--allow-empty")
    assert '@version "1.0.0"' in (project / "mix.exs").read_text()


def test_literal_version_in_project_keyword(project: Path) -> None:
    mix = MIX_EXS.replace('  @version "0.1.0"\n\n', "").replace("@version", '"0.1.0"')
    (project / "mix.exs").write_text(mix)
    do_release(project, "0.2.0", "--date", "2025-12-20")
    assert 'version: "0.2.0",' in (project / "mix.exs").read_text()


def test_line_endings_bom_and_permissions_are_kept(project: Path) -> None:
    readme = project / "README.md"
    readme.write_bytes(b"\xef\xbb\xbf" + README.replace("\n", "\r\n").encode())
    log = project / "CHANGELOG.md"
    log.write_bytes(CHANGELOG.replace("\n", "\r\n").rstrip(b"\r\n".decode()).encode())
    readme.chmod(0o640)
    do_release(project, "0.2.0", "--date", "2025-12-20")
    data = readme.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b'{:pitpool, "~> 0.2.0"}\r\n' in data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert stat.S_IMODE(readme.stat().st_mode) == 0o640
    text = log.read_bytes()
    assert b"## [0.2.0] - 2025-12-20\r\n" in text
    assert b"\n" not in text.replace(b"\r\n", b"")
    assert text.endswith(b"releases/tag/v0.1.0")


STATUS = "# Status\n\n**Pitpool Version**: 0.0.9\n\nAll green.\n"

OWN_CONFIG = r"""
[tool.bumpversion]
regex = true
search = '(\{{:pitpool,\s*"~>\s*)\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?"'
replace = '\g<1>{new_version}"'

[[tool.bumpversion.files]]
filename = "mix.exs"
search = '@version "{current_version}"'
replace = '@version "{new_version}"'

[[tool.bumpversion.files]]
filename = "README.md"

[[tool.bumpversion.files]]
glob = "guides/**/*.md"

[[tool.bumpversion.files]]
glob = "docs/*STATUS*.md"
search = '\*\*Pitpool Version\*\*: \d+\.\d+\.\d+'
replace = '**Pitpool Version**: {new_version}'
"""


def _guides(project: Path) -> None:
    (project / "guides" / "deep").mkdir(parents=True)
    (project / "guides" / "deep" / "INSTALL.md").write_text('Use {:pitpool, "~> 0.0.1"}.\n')
    (project / "guides" / "OTHER.md").write_text("No snippet here.\n")
    (project / "docs").mkdir()
    (project / "docs" / "POOL_STATUS.md").write_text(STATUS)


def test_projects_own_config_is_used(project: Path) -> None:
    """A snakepit-style .bumpversion.toml: snippets in guides and a status-doc line."""
    _guides(project)
    (project / ".bumpversion.toml").write_text(OWN_CONFIG)
    before = snapshot(project)
    do_release(project, "0.2.0", "--date", "2025-12-20")
    assert changed_files(before, snapshot(project)) == {
        "mix.exs",
        "README.md",
        "CHANGELOG.md",
        "guides/deep/INSTALL.md",
        "docs/POOL_STATUS.md",
    }
    assert (project / "guides/deep/INSTALL.md").read_text() == 'Use {:pitpool, "~> 0.2.0"}.\n'
    assert "**Pitpool Version**: 0.2.0\n" in (project / "docs/POOL_STATUS.md").read_text()


def test_release_table_adds_doc_globs_and_extra_patterns_to_the_default(project: Path) -> None:
    _guides(project)
    (project / "noxpit.toml").write_text(
        '[release]\ndoc_globs = ["guides/**/*.md"]\n'
        '[[release.extra_patterns]]\nfiles = ["docs/*STATUS*.md"]\n'
        "search = '\\*\\*Pitpool Version\\*\\*: \\d+\\.\\d+\\.\\d+'\n"
        "replace = '**Pitpool Version**: {new_version}'\n"
    )
    before = snapshot(project)
    do_release(project, "0.2.0", "--date", "2025-12-20")
    assert changed_files(before, snapshot(project)) == {
        "mix.exs",
        "README.md",
        "CHANGELOG.md",
        "guides/deep/INSTALL.md",
        "docs/POOL_STATUS.md",
    }


# --- bad input: one line, non-zero, every file byte-identical ---------------------------

Setup = Callable[[Path], None]


def _write(name: str, text: str) -> Setup:
    def setup(root: Path) -> None:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)

    return setup


def _write_bytes(name: str, data: bytes) -> Setup:
    return lambda root: (root / name).write_bytes(data)


def _remove(name: str) -> Setup:
    return lambda root: (root / name).unlink()


def _chmod(name: str, mode: int) -> Setup:
    return lambda root: (root / name).chmod(mode)


def _nothing(root: Path) -> None:
    return None


def _both(*setups: Setup) -> Setup:
    def setup(root: Path) -> None:
        for one in setups:
            one(root)

    return setup


_NO_NOTES = CHANGELOG.replace("### Added\n- Pool resizing at runtime.\n\n", "")
_CONFIG_HEAD = "[tool.bumpversion]\nregex = true\n"
_MIX_ENTRY = (
    '[[tool.bumpversion.files]]\nfilename = "mix.exs"\n'
    "search = '@version \"{current_version}\"'\nreplace = '@version \"{new_version}\"'\n"
)

BAD_INPUTS: list[tuple[str, Setup, tuple[str, ...], str]] = [
    ("not semver", _nothing, ("banana",), 'version "banana" is not SemVer'),
    ("leading v", _nothing, ("v0.2.0",), "no leading v"),
    ("equal version", _nothing, ("0.1.0",), "equal to the current version 0.1.0"),
    ("lower version", _nothing, ("0.0.1",), "0.0.1 is lower than the current version 0.1.0"),
    ("pre-release of current", _nothing, ("0.1.0-rc.1",), "lower than the current"),
    ("build metadata only", _nothing, ("0.1.0+b7",), "same precedence"),
    ("impossible date", _nothing, ("0.2.0", "--date", "2025-02-30"), "not a real date"),
    ("date format", _nothing, ("0.2.0", "--date", "20/12/2025"), "YYYY-MM-DD"),
    (
        "mix.exs without version",
        _write(
            "mix.exs", MIX_EXS.replace('@version "0.1.0"', "").replace("version: @version,", "")
        ),
        ("0.2.0",),
        "no readable version",
    ),
    ("no changelog", _remove("CHANGELOG.md"), ("0.2.0",), "CHANGELOG.md: not found"),
    (
        "no unreleased",
        _write("CHANGELOG.md", CHANGELOG.replace("## [Unreleased]\n\n", "")),
        ("0.2.0",),
        "no `## [Unreleased]` heading",
    ),
    (
        "duplicate heading",
        _write("CHANGELOG.md", CHANGELOG.replace("## [0.1.0]", "## [0.2.0]")),
        ("0.2.0",),
        "a heading for 0.2.0 already exists",
    ),
    (
        "newer release listed",
        _write("CHANGELOG.md", CHANGELOG.replace("[0.1.0] -", "[0.3.0] -")),
        ("0.2.0",),
        "[0.3.0] is not lower than 0.2.0",
    ),
    ("empty unreleased", _write("CHANGELOG.md", _NO_NOTES), ("0.2.0",), "has no notes"),
    (
        "unreleased below a release",
        _write(
            "CHANGELOG.md",
            "# Changelog\n\n## [0.1.0] - 2025-01-01\n\n- a\n\n## [Unreleased]\n\n- b\n",
        ),
        ("0.2.0",),
        "must come before the first release",
    ),
    (
        "link already there",
        _write("CHANGELOG.md", CHANGELOG + "[0.2.0]: https://x.test/0.2.0\n"),
        ("0.2.0",),
        "link reference [0.2.0] already exists",
    ),
    (
        "crlf duplicate heading",
        _write_bytes(
            "CHANGELOG.md",
            CHANGELOG.replace("## [0.1.0]", "## [0.2.0]").replace("\n", "\r\n").encode(),
        ),
        ("0.2.0",),
        "a heading for 0.2.0 already exists",
    ),
    (
        "readme without snippet",
        _write("README.md", "# Pitpool\n\nNo install section.\n"),
        ("0.2.0",),
        "[README.md]: search",
    ),
    ("readme missing", _remove("README.md"), ("0.2.0",), "README.md does not exist"),
    (
        "readme not utf-8",
        _write_bytes("README.md", README.encode().replace(b"Pools", b"Pools\xe9")),
        ("0.2.0",),
        "README.md: not UTF-8 (byte 0xe9",
    ),
    (
        "changelog not utf-8",
        _write_bytes("CHANGELOG.md", CHANGELOG.encode("utf-16")),
        ("0.2.0",),
        "CHANGELOG.md: not UTF-8",
    ),
    ("read-only readme", _chmod("README.md", 0o444), ("0.2.0",), "README.md: read-only"),
    (
        "doc glob matches nothing",
        _write("noxpit.toml", '[release]\ndoc_globs = ["guides/*.md"]\n'),
        ("0.2.0",),
        "glob guides/*.md matches no file",
    ),
    (
        "extra pattern matches nothing",
        _both(
            _write("docs/STATUS.md", "# Status\n\nAll green.\n"),
            _write(
                "noxpit.toml",
                '[[release.extra_patterns]]\nfiles = ["docs/STATUS.md"]\n'
                "search = 'Version: {current_version}'\nreplace = 'Version: {new_version}'\n",
            ),
        ),
        ("0.2.0",),
        "[docs/STATUS.md]: search 'Version: {current_version}' matches nothing",
    ),
    (
        "release table unknown key",
        _write("noxpit.toml", '[release]\ndocs = ["x"]\n'),
        ("0.2.0",),
        "[release] unknown key(s) docs; use bump, changelog, doc_globs, extra_patterns, history, "
        "keep, review_ignore",
    ),
    (
        "extra pattern missing key",
        _write("noxpit.toml", '[[release.extra_patterns]]\nfiles = "x"\n'),
        ("0.2.0",),
        "extra_patterns[1]: missing key search",
    ),
    (
        "config stores current_version",
        _write(".bumpversion.toml", '[tool.bumpversion]\ncurrent_version = "0.1.0"\n' + _MIX_ENTRY),
        ("0.2.0",),
        "remove `current_version`",
    ),
    (
        "config invalid toml",
        _write(".bumpversion.toml", "[tool.bumpversion\n"),
        ("0.2.0",),
        ".bumpversion.toml: invalid TOML",
    ),
    (
        "config invalid regex",
        _write(
            ".bumpversion.toml",
            _CONFIG_HEAD + _MIX_ENTRY + "[[tool.bumpversion.files]]\n"
            "filename = \"README.md\"\nsearch = '(unclosed {current_version}'\n",
        ),
        ("0.2.0",),
        "is not a valid regex",
    ),
    (
        "config unknown template name",
        _write(
            ".bumpversion.toml",
            _CONFIG_HEAD + _MIX_ENTRY + "[[tool.bumpversion.files]]\n"
            'filename = "README.md"\nsearch = \'{{:{app}, "~> {current_version}"\'\n',
        ),
        ("0.2.0",),
        "uses undefined {app}",
    ),
    (
        "config skips mix.exs",
        _write(
            ".bumpversion.toml",
            _CONFIG_HEAD + '[[tool.bumpversion.files]]\nfilename = "README.md"\n'
            "search = '~> \\d+\\.\\d+\\.\\d+'\nreplace = '~> {new_version}'\n",
        ),
        ("0.2.0",),
        "no entry changes the version in mix.exs",
    ),
    (
        "config edits the changelog",
        _write(
            ".bumpversion.toml",
            _CONFIG_HEAD + _MIX_ENTRY + "[[tool.bumpversion.files]]\n"
            "filename = \"CHANGELOG.md\"\nsearch = 'Unreleased'\nreplace = 'Unreleased'\n",
        ),
        ("0.2.0",),
        "[CHANGELOG.md]: the changelog is edited by noxpit's own parser",
    ),
    ("tag without commit", _nothing, ("0.2.0", "--tag"), "--tag needs --commit"),
    ("commit outside git", _nothing, ("0.2.0", "--commit"), "need a git repository"),
    (
        "date before the newest release",
        _nothing,
        ("0.2.0", "--date", "2024-12-31"),
        "CHANGELOG.md:10: [0.1.0] is dated 2025-01-01, after 2024-12-31; pass a later --date, "
        "or --allow-backdate",
    ),
    (
        "strict with a mention left",
        _nothing,
        ("0.2.0", "--strict"),
        "--strict: 1 mention(s) of 0.1.0 not changed",
    ),
    (
        "notes into a missing folder",
        _nothing,
        ("0.2.0", "--notes", "no/such/dir/notes.md"),
        "--notes no/such/dir/notes.md: folder",
    ),
    ("notes onto a folder", _nothing, ("0.2.0", "--notes", "lib"), "--notes lib: is a directory"),
    (
        "keep rule without text",
        _write("noxpit.toml", '[[release.keep]]\nfile = "README.md"\n'),
        ("0.2.0",),
        "[release] keep[1]: give both file (a path or glob) and text",
    ),
    (
        "history not a list of strings",
        _write("noxpit.toml", "[release]\nhistory = [1]\n"),
        ("0.2.0",),
        "[release] history must be a non-empty string",
    ),
    (
        "legacy .bumpversion.cfg",
        _write(".bumpversion.cfg", "[bumpversion]\ncurrent_version = 0.1.0\n"),
        ("0.2.0",),
        ".bumpversion.cfg: noxpit reads bump-my-version's TOML config only",
    ),
    (
        "pyproject bumpversion table without mix.exs",
        _write(
            "pyproject.toml",
            '[tool.bumpversion]\n[[tool.bumpversion.files]]\nfilename = "README.md"\n',
        ),
        ("0.2.0",),
        "pyproject.toml: no entry changes the version in mix.exs",
    ),
    (
        "pyproject invalid TOML",
        _write("pyproject.toml", "[tool.bumpversion\n"),
        ("0.2.0",),
        "pyproject.toml: invalid TOML",
    ),
]


@pytest.mark.parametrize(
    ("setup", "argv", "message"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_is_one_line_and_leaves_every_file_untouched(
    project: Path, setup: Setup, argv: tuple[str, ...], message: str
) -> None:
    setup(project)
    before = snapshot(project)
    with pytest.raises(NoxpitError) as info:
        do_release(project, *argv)
    text = " ".join(str(info.value).split())
    assert "\n" not in str(info.value)
    assert message in text
    assert snapshot(project) == before


def test_file_removed_after_planning_stops_before_any_write(project: Path) -> None:
    target = build_target(project, {})
    plan = plan_release(target, Request("0.2.0", "2025-12-20"), environ={})
    (project / "README.md").unlink()
    before = snapshot(project)
    with pytest.raises(ReleaseError, match=r"README\.md changed or disappeared"):
        release_files.write_all(plan.changes)
    assert snapshot(project) == before


def test_failed_write_restores_every_file_already_written(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(project)
    real_write = release_files.atomic_write

    def failing_on_changelog(path: Path, data: bytes | str, *, mode: int | None = None) -> None:
        if path.name == "CHANGELOG.md" and b"0.2.0" in data:
            raise OSError(28, "No space left on device")
        real_write(path, data, mode=mode)

    monkeypatch.setattr(release_files, "atomic_write", failing_on_changelog)
    with pytest.raises(ReleaseError) as info:
        do_release(project, "0.2.0", "--date", "2025-12-20")
    assert str(info.value) == (
        "CHANGELOG.md: write failed (No space left on device); every file was restored"
    )
    assert snapshot(project) == before
    assert not [p for p in project.iterdir() if p.name.endswith(".noxpit")]


# --- the documented snakepit configurations work as documented ---------------------------

DOCS = REPO / "docs" / "release.md"


def _toml_blocks() -> list[str]:
    parts = DOCS.read_text().split("```toml\n")[1:]
    return [part.split("```")[0] for part in parts]


SNAKEPIT_LOG = CHANGELOG.replace("0.1.0", "0.13.0").replace("2025-01-01", "2026-02-06")


def _snakepit(root: Path) -> Path:
    """The version mentions of snakepit v0.13.0, where they are in its tree."""
    files = {
        "mix.exs": MIX_EXS.replace("Pitpool", "Snakepit")
        .replace(":pitpool", ":snakepit")
        .replace('"0.1.0"', '"0.13.0"'),
        "README.md": '```elixir\n    {:snakepit, "~> 0.13.0"}\n```\n',
        "guides/getting-started.md": 'deps: [\n    {:snakepit, "~> 0.13.0"}\n]\n',
        "docs/20251230/streaming/IMPLEMENTATION_PROMPT.md": '{:snakepit, "~> 0.8.5"}\n',
        "docs/archive/analysis/20251009.md": '    {:snakepit, "~> 1.0"}\n',
        "docs/diagrams.md": "# Diagrams\n",
        "CHANGELOG.md": SNAKEPIT_LOG,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize("where", ["noxpit.toml", ".bumpversion.toml", "pyproject.toml"])
def test_documented_snakepit_configs_list_and_update_every_mention(
    tmp_path: Path, where: str
) -> None:
    release_block, bump_block = (
        next(b for b in _toml_blocks() if b.startswith(start))
        for start in ("# noxpit.toml at the root of snakepit", "[tool.bumpversion]")
    )
    root = _snakepit(tmp_path / "snakepit")
    (root / where).write_text(release_block if where == "noxpit.toml" else bump_block)
    before = snapshot(root)
    lists = listed(do_release(root, "patch", "--date", "2026-03-01", "--dry-run"))
    assert snapshot(root) == before
    assert sorted(lists["bumped"]) == [
        "CHANGELOG.md:15",
        "README.md:2",
        "guides/getting-started.md:2",
        "mix.exs:4",
    ]
    assert sorted(lists["kept (history)"]) == [
        "CHANGELOG.md:10",
        "CHANGELOG.md:16",
        "docs/20251230/streaming/IMPLEMENTATION_PROMPT.md:1",
        "docs/archive/analysis/20251009.md:1",
    ]
    assert lists["not changed"] == []
    do_release(root, "patch", "--date", "2026-03-01")
    after = snapshot(root)
    assert changed_files(before, after) == {
        "mix.exs",
        "README.md",
        "guides/getting-started.md",
        "CHANGELOG.md",
    }
    assert after["README.md"] == b'```elixir\n    {:snakepit, "~> 0.13.1"}\n```\n'


def test_doc_globs_that_also_match_the_changelog_leave_it_to_the_parser(project: Path) -> None:
    (project / "CHANGELOG.md").write_text(
        CHANGELOG.replace("- First release.", '- First release: `{:pitpool, "~> 0.1.0"}`.')
    )
    (project / "noxpit.toml").write_text('[release]\ndoc_globs = ["*.md"]\n')
    do_release(project, "0.2.0", "--date", "2025-12-20")
    log = (project / "CHANGELOG.md").read_text()
    assert '- First release: `{:pitpool, "~> 0.1.0"}`.' in log  # history is not rewritten
    assert "## [0.2.0] - 2025-12-20" in log


# --- notes, dates, config in pyproject.toml ------------------------------------------------


def test_notes_file_gets_the_released_section_without_its_heading(project: Path) -> None:
    output = do_release(project, "0.2.0", "--date", "2025-12-20", "--notes", "notes.md")
    assert (project / "notes.md").read_text() == "### Added\n- Pool resizing at runtime.\n"
    assert "notes:" in output


def test_dry_run_writes_no_notes(project: Path) -> None:
    output = do_release(project, "0.2.0", "--dry-run", "--notes", "notes.md")
    assert not (project / "notes.md").exists()
    assert "notes would go to" in output


def test_backdate_is_allowed_when_asked(project: Path) -> None:
    do_release(project, "0.2.0", "--date", "2024-12-31", "--allow-backdate")
    assert "## [0.2.0] - 2024-12-31" in (project / "CHANGELOG.md").read_text()


def test_same_date_as_the_newest_release_is_fine(project: Path) -> None:
    do_release(project, "0.2.0", "--date", "2025-01-01")
    assert "## [0.2.0] - 2025-01-01" in (project / "CHANGELOG.md").read_text()


def test_tool_bumpversion_in_pyproject_is_the_config(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n[tool.bumpversion]\nregex = true\n"
        '[[tool.bumpversion.files]]\nfilename = "mix.exs"\n'
        "search = '@version \"{current_version}\"'\nreplace = '@version \"{new_version}\"'\n"
    )
    before = (project / "README.md").read_bytes()
    do_release(project, "0.2.0", "--date", "2025-12-20")
    assert '@version "0.2.0"' in (project / "mix.exs").read_text()
    assert (project / "README.md").read_bytes() == before  # only what that config names


def test_bumpversion_toml_comes_before_pyproject(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.bumpversion]\nregex = true\n")
    (project / ".bumpversion.toml").write_text((REPO / ".bumpversion.toml").read_text())
    do_release(project, "0.2.0", "--date", "2025-12-20")
    assert '{:pitpool, "~> 0.2.0"}' in (project / "README.md").read_text()


def test_pyproject_without_a_bumpversion_table_is_not_a_config(project: Path) -> None:
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '9.9.9'\n")
    do_release(project, "0.2.0", "--date", "2025-12-20")
    assert '{:pitpool, "~> 0.2.0"}' in (project / "README.md").read_text()


def test_a_file_on_a_read_only_file_system_is_refused_with_the_right_remedy(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chmod cannot help on a read-only mount (the mode bits still say writable)."""
    source = release_files.read_text_file(project / "README.md", "README.md")
    real_statvfs = release_files.os.statvfs

    class ReadOnly:
        def __init__(self, path: object) -> None:
            self.f_flag = real_statvfs(path).f_flag | release_files.os.ST_RDONLY  # type: ignore[arg-type]

    monkeypatch.setattr(release_files.os, "statvfs", ReadOnly)
    with pytest.raises(ReleaseError, match=r"README.md: on a read-only file system; run"):
        release_files.check_writable(source)
