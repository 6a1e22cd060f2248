"""Fault table: the target and its environment (NOXPIT_PROJECT, NOXPIT_REPORTS, mix.exs,
the config file and its top-level keys), each met by a different session's function."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.faults.support import Fault, call_session, faulted, ids, mount, umount

pytestmark = pytest.mark.unit

MIX = (Path(__file__).resolve().parents[2] / "sample" / "mix.exs").read_text()
SESSIONS = ("setup", "pytest", "tests", "mix_test", "examples", "lint", "dialyzer", "docs_check")


def toml(text: str) -> dict[str, str]:
    base = (Path(__file__).resolve().parents[2] / "sample" / "noxpit.toml").read_text()
    return {"noxpit.toml": base + "\n" + text + "\n"}


def top(text: str) -> dict[str, str]:
    """A top-level key: it must come before the first table."""
    base = (Path(__file__).resolve().parents[2] / "sample" / "noxpit.toml").read_text()
    return {"noxpit.toml": text + "\n" + base}


CASES = [
    # --- NOXPIT_PROJECT
    Fault("project-empty", "is set but empty", env={"NOXPIT_PROJECT": ""}),
    Fault("project-blank", "is set but empty", env={"NOXPIT_PROJECT": "  "}),
    Fault("project-missing", "does not exist", env={"NOXPIT_PROJECT": "/nonexistent/noxpit"}),
    Fault("project-not-mix", "is not a Mix project", env={"NOXPIT_PROJECT": "{root}/lib"}),
    Fault("project-file", "is not a Mix project", env={"NOXPIT_PROJECT": "{root}/mix.exs"}),
    # --- NOXPIT_REPORTS
    Fault("reports-empty", "is set but empty", env={"NOXPIT_REPORTS": ""}),
    Fault("reports-file", "is a file, not a directory", env={"NOXPIT_REPORTS": "{root}/mix.exs"}),
    Fault(
        "reports-under-file",
        "is a file, not a directory",
        env={"NOXPIT_REPORTS": "{root}/mix.exs/reports"},
    ),
    Fault("reports-proc", "not a place for files", env={"NOXPIT_REPORTS": "/proc/noxpit"}),
    Fault("reports-proc-self", "not a place for files", env={"NOXPIT_REPORTS": "/proc/self"}),
    Fault("reports-sys", "not a place for files", env={"NOXPIT_REPORTS": "/sys/noxpit"}),
    Fault("reports-dev", "not a place for files", env={"NOXPIT_REPORTS": "/dev/noxpit"}),
    Fault("reports-read-only", "is not writable", env={"NOXPIT_REPORTS": "{ro}/reports"}),
    Fault("reports-read-only-root", "is not writable", env={"NOXPIT_REPORTS": "{ro}"}),
    Fault("reports-immutable", "is not writable", env={"NOXPIT_REPORTS": "{immutable}"}),
    Fault("reports-full", "no space left on", env={"NOXPIT_REPORTS": "{full}/reports"}),
    # --- mix.exs
    Fault("mix-no-app", "no `app: :name`", files={"mix.exs": MIX.replace("app:", "ap:")}),
    Fault(
        "mix-no-version",
        "no readable version",
        files={"mix.exs": MIX.replace("version:", "vsn:")},
    ),
    Fault(
        "mix-version-not-semver",
        "is not SemVer",
        files={"mix.exs": MIX.replace('@version "', '@version "1.')},
    ),
    Fault("mix-not-utf8", "cannot read", files={"mix.exs": b"\xff\xfe\x00garbage"}),
    Fault("mix-empty", "no `app: :name`", files={"mix.exs": ""}),
    Fault("mix-deleted", "is not a Mix project", files={"mix.exs": None}),
    # --- the config file and its top-level keys
    Fault("toml-invalid", "invalid TOML", files=toml("[examples")),
    Fault("toml-not-utf8", "invalid TOML", files={"noxpit.toml": b"\xff = 1\n"}),
    Fault("toml-unknown-key", "unknown key(s)", files=top("colour = true")),
    Fault("toml-python-dir-number", "must be a non-empty string", files=top("python_dir = 3")),
    Fault("toml-venv-empty", "must be a non-empty string", files=top('venv = ""')),
    Fault("toml-requirements-number", "must be a list of strings", files=top("requirements = 5")),
    Fault(
        "toml-requirements-mixed", "must be a list of strings", files=top('requirements = ["a", 1]')
    ),
    Fault("toml-python-number", "must be an interpreter name or path", files=top("python = 3")),
    Fault("toml-test-tags-empty-name", "must be a list of strings", files=top('test_tags = [""]')),
    Fault("toml-section-not-table", "must be a table", files=top("lint = 3"), session="lint"),
    Fault("toml-docs-not-table", "must be a table", files=top("docs = 3"), session="docs_check"),
]


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A read-only mount, a full one and an immutable directory (root ignores modes)."""
    base = tmp_path_factory.mktemp("disks")
    ro, full, immutable = base / "ro", base / "full", base / "immutable"
    for path in (ro, full, immutable):
        path.mkdir()
    if not mount("-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(ro)):
        yield {}  # not root, or a sandbox without mounts: those cases are skipped
        return
    mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", str(full))
    with (full / "fill").open("wb") as handle, pytest.raises(OSError):
        handle.write(b"\0" * (1 << 20))
    chattr = subprocess.run(["chattr", "+i", str(immutable)], capture_output=True, check=False)
    try:
        yield {"ro": ro, "full": full} | ({"immutable": immutable} if not chattr.returncode else {})
    finally:
        subprocess.run(["chattr", "-i", str(immutable)], capture_output=True, check=False)
        (full / "fill").unlink(missing_ok=True)
        umount(ro)
        umount(full)


@pytest.mark.parametrize("fault", CASES, ids=ids(CASES))
def test_one_line_and_nothing_changed(
    fault: Fault,
    sample_copy: Path,
    places: dict[str, Path],
    nf: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    session = fault.session or SESSIONS[CASES.index(fault) % len(SESSIONS)]
    needed = {name for name in ("ro", "full", "immutable") if "{" + name + "}" in str(fault.env)}
    if needed - set(places):
        pytest.skip(f"needs {', '.join(sorted(needed))}: mounts or chattr not permitted here")
    watched = {p: sorted(x.name for x in p.iterdir()) for p in places.values()}
    with faulted(sample_copy, fault) as before:
        call_session(nf, session, sample_copy, fault, monkeypatch, capfd, places)
        from tests.faults.support import snapshot

        assert snapshot(sample_copy) == before
    assert not (sample_copy / "_build").exists(), "a failed start must write nothing"
    assert {p: sorted(x.name for x in p.iterdir()) for p in places.values()} == watched
