"""Fault table, real ``python -m nox`` runs: PATH without the Elixir tools, the target on a
read-only mount (root ignores file modes: a read-only bind mount), and the target on a full
disk (a small tmpfs). Each fails before compiling, with one line and the copy unchanged."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.support import Fault, check_run, ids, mount, snapshot, umount
from tests.helpers import IGNORED, SAMPLE, run_nox

pytestmark = pytest.mark.e2e

NOT_FOUND = "not found on PATH"
RO = "read-only file system"
FULL = "No space left on device"
RELEASE = ("--", "0.2.0", "--date", "2025-12-20")

PATH_CASES = [
    Fault("path-mix-test", NOT_FOUND, session="mix_test"),
    Fault("path-lint", NOT_FOUND, session="lint"),
    Fault("path-examples", NOT_FOUND, session="examples"),
    Fault("path-dialyzer", NOT_FOUND, session="dialyzer"),
]
READ_ONLY = [
    Fault("ro-setup", RO, session="setup"),
    Fault("ro-setup-force", RO, ("--", "--force"), session="setup"),
    Fault("ro-tests", RO, session="tests"),
    Fault("ro-examples", RO, session="examples"),
    Fault("ro-release", "read-only", RELEASE, session="release"),
]
FULL_DISK = [
    Fault("full-setup", FULL, session="setup"),
    Fault("full-pytest", FULL, session="pytest"),
    Fault("full-release", "every file was restored", RELEASE, session="release"),
]
CASES = PATH_CASES + READ_ONLY + FULL_DISK


@pytest.fixture(scope="module")
def disks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    base = tmp_path_factory.mktemp("disks")
    copy = base / "sample"
    shutil.copytree(SAMPLE, copy, ignore=IGNORED)
    ro, full, tools = base / "ro", base / "full", base / "bin"
    for path in (ro, full, tools):
        path.mkdir()
    mounted = mount("--bind", "-o", "ro", str(copy), str(ro))  # not root: cases skipped
    if mounted and mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", str(full)):
        shutil.copytree(SAMPLE, full / "sample", ignore=IGNORED)
        with (full / "fill").open("wb") as handle, pytest.raises(OSError):
            handle.write(b"\0" * (8 << 20))
    for name, where in (("python3", sys.executable), ("setsid", shutil.which("setsid"))):
        if where:
            (tools / name).symlink_to(where)
    try:
        yield {
            "copy": copy,
            "ro": ro,
            "full": full / "sample",
            "tools": tools,
            "envdir": base / "nox",
        }
    finally:
        umount(ro)
        umount(full)


@pytest.mark.parametrize("fault", CASES, ids=ids(CASES))
def test_disk_or_path_fault(fault: Fault, disks: dict[str, Path]) -> None:
    project = disks["full"] if fault in FULL_DISK else disks["ro"]
    if fault in PATH_CASES:
        project = disks["copy"]
    elif not (project / "mix.exs").is_file():
        pytest.skip("mounts are not permitted here")
    env = {"PATH": str(disks["tools"])} if fault in PATH_CASES else {}
    before = snapshot(project)
    result = run_nox(
        project, "--envdir", str(disks["envdir"]), "-s", fault.session, *fault.args, env=env
    )
    check_run(result, fault)
    assert snapshot(project) == before
