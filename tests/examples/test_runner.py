"""The scheduler, and the parallel runner with Python children as examples."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from sessions.core import procs
from sessions.core.status import Status
from sessions.examples.runner import Job, Outcome, next_startable, order, run_all
from tests.examples.support import job

OK, FAILED, TIMEOUT, SKIPPED = Status.PASSED, Status.FAILED, Status.TIMEOUT, Status.SKIPPED

pytestmark = pytest.mark.unit


def test_order_skipped_first_then_slowest_known_then_exclusive() -> None:
    jobs = [job("fast"), job("slow"), job("new"), job("port", exclusive=True), job("s", skip="x")]
    ordered = order(jobs, {"fast": 1.0, "slow": 9.0, "port": 5.0})
    assert [j.name for j in ordered] == ["s", "new", "slow", "fast", "port"]


def test_next_startable_respects_jobs_and_exclusive() -> None:
    a, b, port = job("a"), job("b"), job("port", exclusive=True)
    assert next_startable([a, b], [], 2) == 0
    assert next_startable([b], [a], 2) == 0
    assert next_startable([b], [a], 1) is None
    assert next_startable([port, b], [a], 2) == 1  # the exclusive one waits; b may go
    assert next_startable([port], [a], 4) is None
    assert next_startable([port, b], [], 4) == 0
    assert next_startable([a, b], [port], 4) is None  # nothing beside an exclusive job


def test_jobs_holding_the_same_resource_never_start_together() -> None:
    a = Job("a", ("true",), Path("/"), {}, 60, Path("/a.log"), resources=frozenset({"port 1"}))
    b = Job("b", ("true",), Path("/"), {}, 60, Path("/b.log"), resources=frozenset({"port 1"}))
    c = Job("c", ("true",), Path("/"), {}, 60, Path("/c.log"), resources=frozenset({"port 2"}))
    free = job("free")
    assert next_startable([b, c, free], [a], 4) == 1  # b waits for a; c holds another port
    assert next_startable([b, free], [a, c], 4) == 1
    assert next_startable([b], [a], 4) is None
    assert next_startable([b], [free], 4) == 0


def test_order_puts_resource_holders_first_so_their_chain_starts_early() -> None:
    holder = Job("h", ("true",), Path("/"), {}, 60, Path("/h.log"), resources=frozenset({"p"}))
    jobs = [job("free"), holder, job("alone", exclusive=True), job("s", skip="x")]
    assert [j.name for j in order(jobs, {})] == ["s", "h", "free", "alone"]


# --- the runner, with Python children ------------------------------------------------

RECORD = """
import sys, time, pathlib
out = pathlib.Path(sys.argv[1])
start = time.time()
time.sleep(float(sys.argv[2]))
out.write_text(f"{start} {time.time()}")
"""


def python_job(
    tmp_path: Path, name: str, script: str, *args: str, timeout: float = 30, exclusive: bool = False
) -> Job:
    return Job(
        name=name,
        command=(sys.executable, "-c", script, *args),
        cwd=tmp_path,
        env={"EXAMPLE_NAME": name},
        timeout=timeout,
        log=tmp_path / "logs" / f"{name}.log",
        exclusive=exclusive,
    )


def test_runner_runs_in_parallel_and_an_exclusive_job_alone(tmp_path: Path) -> None:
    spans = {name: tmp_path / f"{name}.span" for name in ("a", "b", "c", "port")}
    jobs = [
        python_job(tmp_path, name, RECORD, str(spans[name]), "0.6", exclusive=name == "port")
        for name in ("port", "a", "b", "c")
    ]
    seen: list[str] = []
    started = time.monotonic()
    outcomes = run_all(order(jobs, {}), 3, lambda o: seen.append(o.name))
    wall = time.monotonic() - started
    assert sorted(seen) == ["a", "b", "c", "port"]
    assert all(o.status == OK for o in outcomes)
    times = {name: tuple(map(float, path.read_text().split())) for name, path in spans.items()}
    # a, b and c overlapped; port overlapped none of them.
    assert max(times[n][0] for n in "abc") < min(times[n][1] for n in "abc")
    for name in "abc":
        assert times[name][1] <= times["port"][0] or times["port"][1] <= times[name][0]
    assert wall < 4 * 0.6 + 1.5  # parallel, not 4 x sequential plus overhead


def test_runner_logs_output_and_reports_failure_with_exit_code(tmp_path: Path) -> None:
    script = "import os, sys; print('about to fail', os.environ['EXAMPLE_NAME']); sys.exit(3)"
    [outcome] = run_all([python_job(tmp_path, "boom", script)], 2, lambda o: None)
    assert (outcome.status, outcome.returncode) == (FAILED, 3)
    log = (tmp_path / "logs" / "boom.log").read_text()
    assert log.startswith(f"$ cd {tmp_path} && EXAMPLE_NAME=boom ")
    assert "about to fail boom" in log


def test_a_failure_with_a_known_cause_says_it_in_one_line(tmp_path: Path) -> None:
    script = (
        "import sys; print('** (Mix) Mix.install/2 cannot be used inside a Mix project', "
        "file=sys.stderr); sys.exit(1)"
    )
    failing = python_job(tmp_path, "installs", script)
    failing = Job(**{**failing.__dict__, "command": (*failing.command, "examples/installs.exs")})
    [outcome] = run_all([failing], 1, lambda o: None)
    assert outcome.status == FAILED
    assert outcome.note == (
        "calls Mix.install, which cannot run inside the project's `mix run`; run it with "
        "`elixir examples/installs.exs`, or set `skip` in [examples.settings.installs]"
    )


def test_runner_skips_without_starting(tmp_path: Path) -> None:
    skipped = Job("s", ("/nonexistent/binary",), tmp_path, {}, 5, tmp_path / "s.log", skip="why")
    [outcome] = run_all([skipped], 1, lambda o: None)
    assert (outcome.status, outcome.note) == (SKIPPED, "why")
    assert not (tmp_path / "s.log").exists()


def test_runner_closes_stdin(tmp_path: Path) -> None:
    script = "import sys; data = sys.stdin.read(); print('eof' if data == '' else 'data')"
    [outcome] = run_all([python_job(tmp_path, "reads", script, timeout=10)], 1, lambda o: None)
    assert outcome.status == OK
    assert "eof" in (tmp_path / "logs" / "reads.log").read_text()


SETSID_HANG = """
import subprocess, sys, time

child = subprocess.Popen(["sleep", "300"], start_new_session=True)
open(sys.argv[1], "w").write(str(child.pid))
time.sleep(300)
"""


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_runner_timeout_kills_the_tree_including_setsid_strays(tmp_path: Path) -> None:
    pidfile = tmp_path / "stray.pid"
    hang = python_job(tmp_path, "hang", SETSID_HANG, str(pidfile), timeout=1.0)
    ok = python_job(tmp_path, "ok", "print('fine')")
    started = time.monotonic()
    outcomes = {o.name: o for o in run_all([hang, ok], 2, lambda o: None)}
    assert time.monotonic() - started < 1.0 + procs.GRACE_SECONDS + 1.5
    assert outcomes["hang"].status == TIMEOUT and outcomes["ok"].status == OK
    assert 1.0 <= outcomes["hang"].seconds < 1.0 + procs.GRACE_SECONDS + 1
    stray = int(pidfile.read_text())
    time.sleep(0.1)
    assert not alive(stray)
    assert "timed out after 1s" in (tmp_path / "logs" / "hang.log").read_text()


def test_runner_kills_everything_when_interrupted(tmp_path: Path) -> None:
    pidfile = tmp_path / "stray.pid"
    hang = python_job(tmp_path, "hang", SETSID_HANG, str(pidfile), timeout=60)

    def interrupt(outcome: Outcome) -> None:
        raise KeyboardInterrupt

    quick = python_job(tmp_path, "quick", "import time; time.sleep(0.5)")
    with pytest.raises(KeyboardInterrupt):
        run_all([hang, quick], 2, interrupt)
    stray = int(pidfile.read_text())
    time.sleep(0.1)
    assert not alive(stray)
    assert not procs._live
