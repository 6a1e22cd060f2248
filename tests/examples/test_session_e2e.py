"""`nox -s examples` end to end on a copy of the sample: all pass in parallel, --list and
subsets, then a planted failure and a planted hang (with a setsid'd sleeper) and --failed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import REPO, nox_env, run_nox

pytestmark = pytest.mark.e2e

SAMPLE_EXAMPLES = (
    "concurrent_calls",
    "crash_recovery",
    "greeting",
    "hello",
    "pool_size",
    "timeouts",
)
SKIPPED = "interactive"

PLANTED_FAILURE = """
IO.puts("planted: about to fail")
raise "planted failure from noxpit's tests"
"""

PLANTED_FIXED = 'IO.puts("planted: fixed")\n'

# Leaves a sleeper in its own session (so not in our process group), then hangs.
PLANTED_HANG = """
{out, 0} = System.cmd("sh", ["-c", "setsid sleep 300 > /dev/null 2>&1 & echo $!"])
File.write!(System.fetch_env!("PLANTED_PIDFILE"), String.trim(out))
IO.puts("planted: left a setsid'd sleeper, now hanging")
Process.sleep(:infinity)
"""


def progress(output: str, name: str) -> str:
    lines = [line for line in output.splitlines() if f"] {name} ... " in line]
    assert len(lines) == 1, f"expected one progress line for {name!r} in:\n{output}"
    return lines[0]


def marked_processes(marker: str) -> list[int]:
    needle = marker.encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


# Runs argv with SIGINT at its default, as from a terminal (a background shell ignores it).
AS_FROM_A_TERMINAL = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def interrupt_when(
    project: Path, ready: Path, *names: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run the session, press Ctrl-C once ``ready`` exists; it must end within seconds."""
    nox = [sys.executable, "-m", "nox", "-f", str(REPO / "noxfile.py"), "-s", "examples"]
    process = subprocess.Popen(
        [sys.executable, "-c", AS_FROM_A_TERMINAL, *nox, "--", *names],
        cwd=project,
        env=nox_env(project, env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ready.exists(), "the planted example never started"
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, out, None)


def test_list_and_unknown_names(sample_copy: Path) -> None:
    listed = run_nox(sample_copy, "-s", "examples", "--", "--list", timeout=120)
    assert listed.returncode == 0, listed.stdout
    rows = {line.split()[0]: line for line in listed.stdout.splitlines() if line.strip()}
    for name in (*SAMPLE_EXAMPLES, SKIPPED):
        assert name in rows, listed.stdout
    assert "skipped: " in rows[SKIPPED]
    assert "helpers, not run: bootstrap" in listed.stdout
    assert "ERL_CRASH_DUMP" not in listed.stdout  # noxpit's own dump path is no setting
    assert not (sample_copy / "_build" / "noxpit" / "examples").exists()  # nothing ran

    unknown = run_nox(sample_copy, "-s", "examples", "--", "hello", "nope", timeout=120)
    assert unknown.returncode != 0
    errors = [line for line in unknown.stdout.splitlines() if "unknown example" in line]
    assert len(errors) == 1
    assert "unknown example `nope`; valid names: " in errors[0]
    assert "hello" in errors[0] and "Traceback" not in unknown.stdout

    helper = run_nox(sample_copy, "-s", "examples", "--", "bootstrap", timeout=120)
    assert helper.returncode != 0
    assert "`bootstrap` is a helper that other examples load" in helper.stdout
    assert "unknown example" not in helper.stdout and "Traceback" not in helper.stdout

    missing = sample_copy / "nonexistent" / "dir"
    no_dir = run_nox(
        sample_copy, "-s", "examples", "--", "--report", str(missing / "r.md"), timeout=120
    )
    assert no_dir.returncode != 0
    assert f"the directory {missing} does not exist; create it or choose" in no_dir.stdout
    assert not missing.parent.exists() and "Traceback" not in no_dir.stdout

    bad_flag = run_nox(sample_copy, "-s", "examples", "--", "--jobs", "0", timeout=120)
    assert bad_flag.returncode != 0
    assert "Usage: nox -s examples -- " in bad_flag.stdout
    assert "--jobs/-j: must be at least 1" in bad_flag.stdout


def test_all_examples_pass_in_parallel_with_reports(sample_copy: Path, tmp_path: Path) -> None:
    page = tmp_path / "status" / "examples.md"
    page.parent.mkdir()
    result = run_nox(sample_copy, "-s", "examples", "--", "--report", str(page))
    assert result.returncode == 0, result.stdout
    for name in SAMPLE_EXAMPLES:
        assert " ... ok " in progress(result.stdout, name)
    assert " ... skipped: " in progress(result.stdout, SKIPPED)
    assert "noxpit examples summary" in result.stdout

    reports = sample_copy / "_build" / "noxpit"
    for name in SAMPLE_EXAMPLES:
        log = (reports / "examples" / f"{name}.log").read_text()
        header = log.splitlines()[0]  # the command as run, so a log can be replayed
        assert " mix run " in header
        assert f" --no-start --no-compile examples/{name}.exs" in header
    suite = ET.parse(reports / "examples.xml").getroot().find("testsuite")
    assert suite is not None
    assert suite.attrib["failures"] == "0" and suite.attrib["errors"] == "0"
    assert suite.attrib["skipped"] == "1"

    text = page.read_text()
    assert text.startswith("# Examples: pitpool ")
    for name in SAMPLE_EXAMPLES:
        assert f"| {name} | ok | " in text
    assert f"| {SKIPPED} | skipped | - | " in text


def test_a_subset_runs_only_the_named_examples(sample_copy: Path) -> None:
    result = run_nox(sample_copy, "-s", "examples", "--", "hello", "examples/pool_size.exs")
    assert result.returncode == 0, result.stdout
    assert "[1/2]" in result.stdout and "[2/2]" in result.stdout
    assert " ... ok " in progress(result.stdout, "pool_size")
    assert "] crash_recovery ... " not in result.stdout


def test_a_crash_dump_goes_next_to_the_examples_log(sample_copy: Path) -> None:
    crashing = sample_copy / "examples" / "zz_planted_crash.exs"
    crashing.write_text(':erlang.halt(~c"planted crash from noxpit tests")\n')
    try:
        result = run_nox(sample_copy, "-s", "examples", "--", "zz_planted_crash")
    finally:
        crashing.unlink()
    assert " ... FAILED " in progress(result.stdout, "zz_planted_crash"), result.stdout
    dump = sample_copy / "_build" / "noxpit" / "examples" / "zz_planted_crash.erl_crash.dump"
    assert "planted crash from noxpit tests" in dump.read_text(errors="replace")
    assert not (sample_copy / "erl_crash.dump").exists()


def test_planted_failure_and_hang_then_failed_reruns_only_them(
    sample_copy: Path, tmp_path: Path
) -> None:
    examples = sample_copy / "examples"
    failing, hanging = examples / "zz_planted_failure.exs", examples / "zz_planted_hang.exs"
    failing.write_text(PLANTED_FAILURE)
    hanging.write_text(PLANTED_HANG)
    pidfile = tmp_path / "sleeper.pid"
    marker = f"NOXPIT_E2E_EXAMPLES={uuid.uuid4().hex}"
    key, value = marker.split("=")
    env = {"PLANTED_PIDFILE": str(pidfile), key: value}
    try:
        started = time.monotonic()
        result = run_nox(
            sample_copy,
            "-s",
            "examples",
            "--",
            "--timeout",
            "5",
            "hello",
            "zz_planted_failure",
            "zz_planted_hang",
            env=env,
        )
        elapsed = time.monotonic() - started
        assert result.returncode != 0
        out = result.stdout
        assert " ... ok " in progress(out, "hello")
        assert " ... FAILED " in progress(out, "zz_planted_failure")
        assert " ... TIMEOUT " in progress(out, "zz_planted_hang")
        # The failure's log tail is shown.
        assert "--- zz_planted_failure: FAILED, exit 1; last lines of" in out
        assert "planted failure from noxpit's tests" in out
        assert (
            "2 of 3 examples failed: zz_planted_failure (FAILED), zz_planted_hang (TIMEOUT)" in out
        )
        # Reported within a few seconds of the limit, and nothing from it is left.
        manifest = json.loads((sample_copy / "_build" / "noxpit" / "examples.json").read_text())
        assert 5 <= manifest["examples"]["zz_planted_hang"]["seconds"] < 5 + 4
        assert elapsed < 60
        assert pidfile.read_text().strip().isdigit()
        assert not Path(f"/proc/{pidfile.read_text().strip()}/cmdline").exists() or (
            b"sleep" not in Path(f"/proc/{pidfile.read_text().strip()}/cmdline").read_bytes()
        )
        assert marked_processes(marker) == []

        failing.write_text(PLANTED_FIXED)
        rerun = run_nox(sample_copy, "-s", "examples", "--", "--failed", "--timeout", "8", env=env)
        assert rerun.returncode != 0
        assert " ... ok " in progress(rerun.stdout, "zz_planted_failure")
        assert " ... TIMEOUT " in progress(rerun.stdout, "zz_planted_hang")
        assert "] hello ... " not in rerun.stdout
        assert "[2/2]" in rerun.stdout
        assert marked_processes(marker) == []

        # Ctrl-C while the hang runs: the session stops at once and leaves nothing behind.
        pidfile.unlink()
        interrupted = interrupt_when(sample_copy, pidfile, "zz_planted_hang", env=env)
        assert interrupted.returncode != 0
        assert pidfile.exists()
        assert marked_processes(marker) == []
    finally:
        failing.unlink()
        hanging.unlink()
    # The failed examples are gone: nothing to rerun, and this run's JUnit file says so
    # (the last run's failures are not reported again, e.g. by `check`).
    gone = run_nox(sample_copy, "-s", "examples", "--", "--failed", env=env)
    assert gone.returncode == 0 and "nothing to rerun" in gone.stdout
    xml = (sample_copy / "_build" / "noxpit" / "examples.xml").read_text()
    assert 'tests="0"' in xml and "<failure" not in xml
