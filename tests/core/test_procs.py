"""Children never outlive the run: timeouts kill the whole tree, setsid'd strays included."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from sessions.core import procs

pytestmark = pytest.mark.unit

SPAWN_SETSID_SLEEPER = """
import os, subprocess, sys, time

pid = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                       start_new_session=True).pid
open(sys.argv[1], "w").write(str(pid))
time.sleep(120)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def wait_for_file(path: Path) -> str:
    for _ in range(100):
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} never written")


def test_timeout_kills_group_and_setsid_descendants(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    start = time.monotonic()
    result = procs.run(
        [sys.executable, "-c", SPAWN_SETSID_SLEEPER, str(pidfile)],
        cwd=tmp_path,
        timeout=1.5,
        echo=False,
    )
    assert result.timed_out and result.returncode is None and not result.ok
    assert time.monotonic() - start < 1.5 + procs.GRACE_SECONDS + 2
    stray = int(wait_for_file(pidfile))
    time.sleep(0.1)
    assert not alive(stray)


def test_normal_exit_sweeps_background_strays(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    script = (
        "import subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'],"
        " start_new_session=True)\n"
        "open(sys.argv[1], 'w').write(str(p.pid))\n"
    )
    result = procs.run([sys.executable, "-c", script, str(pidfile)], cwd=tmp_path, echo=False)
    assert result.ok
    assert not alive(int(wait_for_file(pidfile)))


def test_output_is_captured_and_logged(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "x.log"
    result = procs.run(
        [sys.executable, "-c", "print('hello'); import sys; sys.exit(3)"],
        cwd=tmp_path,
        log=log,
        echo=False,
        capture=True,
    )
    assert result.returncode == 3
    assert result.output.strip() == "hello"
    assert log.read_text().strip() == "hello"


def test_stdin_is_closed(tmp_path: Path) -> None:
    result = procs.output_of(
        [sys.executable, "-c", "import sys; print(repr(sys.stdin.read()))"],
        cwd=tmp_path,
        timeout=10,
    )
    assert result.output.strip() == "''"


def test_missing_binary_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(procs.ProcessError, match="`no-such-binary-xyz` not found on PATH"):
        procs.run(["no-such-binary-xyz"], cwd=tmp_path)


def test_a_sink_receives_the_output_instead_of_our_stdout(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    received: list[bytes] = []
    done = procs.run(
        [sys.executable, "-c", "print('one'); print('two')"], cwd=tmp_path, sink=received.append
    )
    assert done.ok
    assert b"".join(received) == b"one\ntwo\n"
    assert "one" not in capfd.readouterr().out


def test_stop_threads_kills_the_children_of_other_threads(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        sleeping = pool.submit(
            procs.run, [sys.executable, "-c", "import time; time.sleep(60)"], cwd=tmp_path
        )
        while not procs._live:
            time.sleep(0.01)
        start = time.monotonic()
        procs.stop_threads([sleeping])
        assert sleeping.done() and time.monotonic() - start < 10
        assert sleeping.result().returncode != 0
