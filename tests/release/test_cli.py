"""`nox -s release` for real, on one copy of the sample with a note under [Unreleased].

The tests run in file order: the failing and dry runs first (nothing may change), the real
release last.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import copy_sample, run_nox

# e2e except the in-process checks of the child's entry (marked unit one by one)

NOTE = "### Fixed\n\n- Workers restart after a timeout.\n"


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_sample(tmp_path_factory.mktemp("release") / "sample")
    log = project / "CHANGELOG.md"
    head, rest = log.read_text().split("## [Unreleased]\n", 1)
    released_part = rest[rest.index("## [0.1.0]") :]  # whatever notes the sample has, just NOTE
    log.write_text(f"{head}## [Unreleased]\n\n{NOTE}\n{released_part}")
    return project


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def session_error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "Session release aborted" in line]


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["0.0.1"], "0.0.1 is lower than the current version 0.1.0"),
        (["0.2.0", "--date", "2025-13-01"], '--date "2025-13-01" is not a real date'),
        (["0.2.0", "--bogus"], "Usage: nox -s release -- "),
        (["0.2.0", "--date", "2025-10-31"], "[0.1.0] is dated 2025-11-01, after 2025-10-31"),
        (["0.2.0", "--strict"], "--strict: "),
    ],
)
def test_bad_input_fails_with_one_line_and_changes_nothing(
    released: Path, args: list[str], message: str
) -> None:
    before = snapshot(released)
    result = run_nox(released, "-s", "release", "--", *args)
    assert result.returncode != 0
    errors = session_error_lines(result.stdout)
    assert len(errors) == 1, result.stdout
    assert message in errors[0]
    assert "Traceback" not in result.stdout
    assert snapshot(released) == before


@pytest.mark.e2e
def test_dry_run_shows_the_diff_and_changes_nothing(released: Path) -> None:
    before = snapshot(released)
    result = run_nox(released, "-s", "release", "--", "0.2.0", "--date", "2025-12-20", "--dry-run")
    assert result.returncode == 0, result.stdout
    for expected in (
        '-  @version "0.1.0"\n+  @version "0.2.0"\n',
        '-    {:pitpool, "~> 0.1.0"}\n+    {:pitpool, "~> 0.2.0"}\n',
        "+## [0.2.0] - 2025-12-20\n",
        "+[0.2.0]: https://github.com/noxpit/pitpool/compare/v0.1.0...v0.2.0\n",
    ):
        assert expected in result.stdout
    assert snapshot(released) == before


@pytest.mark.e2e
def test_patch_computes_the_next_version(released: Path) -> None:
    result = run_nox(released, "-s", "release", "--", "patch", "--dry-run")
    assert result.returncode == 0, result.stdout
    assert "release pitpool 0.1.0 -> 0.1.1" in result.stdout
    assert '+  @version "0.1.1"' in result.stdout


@pytest.mark.e2e
def test_release_updates_exactly_mix_exs_snippets_and_changelog(released: Path) -> None:
    before = snapshot(released)
    notes = released.parent / "notes.md"
    result = run_nox(
        released, "-s", "release", "--", "0.2.0", "--date", "2025-12-20", "--notes", str(notes)
    )
    assert result.returncode == 0, result.stdout
    after = snapshot(released)
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed == {"mix.exs", "README.md", "CHANGELOG.md"}
    assert set(after) == set(before)

    assert b'@version "0.2.0"' in after["mix.exs"]
    readme = after["README.md"].decode()
    assert '{:pitpool, "~> 0.2.0"}' in readme
    assert '{:pitpool, "~> 0.1.0"}' not in readme
    log = after["CHANGELOG.md"].decode()
    assert f"## [Unreleased]\n\n## [0.2.0] - 2025-12-20\n\n{NOTE}\n## [0.1.0]" in log
    assert "[Unreleased]: https://github.com/noxpit/pitpool/compare/v0.2.0...HEAD\n" in log
    assert "[0.2.0]: https://github.com/noxpit/pitpool/compare/v0.1.0...v0.2.0\n" in log
    assert "[0.1.0]: https://github.com/noxpit/pitpool/releases/tag/v0.1.0\n" in log
    assert notes.read_text() == NOTE


@pytest.mark.unit
def test_the_child_reads_the_target_it_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sessions.release import cli
    from tests.release.pitpool import make_project

    project = make_project(tmp_path / "pitpool")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NOXPIT_PROJECT", str(project))
    monkeypatch.setenv("NO_COLOR", "1")
    cli.main(["0.2.0", "--date", "2025-12-20", "--dry-run"])
    assert "release pitpool 0.1.0 -> 0.2.0 (2025-12-20)" in capsys.readouterr().out


@pytest.mark.unit
def test_the_child_without_a_target_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from sessions.core import child
    from sessions.release import cli

    monkeypatch.delenv("NOXPIT_PROJECT", raising=False)
    monkeypatch.delenv(child.ERROR_FILE_ENV, raising=False)
    assert child.child_main(cli.main, ["0.2.0"]) == child.USER_ERROR
