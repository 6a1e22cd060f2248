"""The worker as the Port runs it: a subprocess speaking frames on stdio."""

from __future__ import annotations

import sys
import time

from pitpool_worker.etf import Atom
from support import WorkerProcess

OK = Atom("ok")
ERROR = Atom("error")


def test_answers_requests_over_stdio(worker: WorkerProcess) -> None:
    assert worker.request(0, "ping", []) == (0, OK, "pong")
    assert worker.request(1, "echo", [[1, "two", (3.0,)]]) == (1, OK, [1, "two", (3.0,)])
    assert worker.request(2, "pid", []) == (2, OK, worker.proc.pid)


def test_pipelined_requests_come_back_in_order(worker: WorkerProcess) -> None:
    for request_id in range(20):
        worker.send((request_id, "add", [request_id, 1]))
    assert [worker.receive() for _ in range(20)] == [(i, OK, i + 1) for i in range(20)]


def test_unknown_command_does_not_stop_the_worker(worker: WorkerProcess) -> None:
    request_id, status, message = worker.request(1, "explode", [])
    assert (request_id, status) == (1, ERROR)
    assert "unknown command 'explode'" in message
    assert worker.request(2, "ping", []) == (2, OK, "pong")


def test_crash_exits_with_the_requested_status(worker: WorkerProcess) -> None:
    worker.send((1, "crash", [3]))
    assert worker.wait() == 3
    assert "crash requested, exiting with status 3" in worker.stderr_text()


def test_end_of_input_stops_the_worker(worker: WorkerProcess) -> None:
    assert worker.request(1, "ping", []) == (1, OK, "pong")
    worker.close_stdin()
    assert worker.wait() == 0


def test_end_of_input_stops_a_busy_worker_soon(worker: WorkerProcess) -> None:
    worker.send((1, "sleep", [30_000]))
    time.sleep(0.2)
    started = time.monotonic()
    worker.close_stdin()
    assert worker.wait(timeout=10) == 0
    assert time.monotonic() - started < 5


NOISY_WORKER = """
from pitpool_worker import COMMANDS
from pitpool_worker.worker import main
COMMANDS["noisy"] = lambda: print("noise from a command") or "quiet"
raise SystemExit(main())
"""


def test_stray_prints_go_to_stderr_not_into_frames() -> None:
    worker = WorkerProcess([sys.executable, "-c", NOISY_WORKER])
    try:
        assert worker.request(1, "noisy", []) == (1, OK, "quiet")
        assert worker.request(2, "ping", []) == (2, OK, "pong")
        worker.close_stdin()
        assert worker.wait() == 0
        assert "noise from a command" in worker.stderr_text()
    finally:
        worker.stop()


def test_the_worker_announces_itself_before_any_request(worker: WorkerProcess) -> None:
    assert worker.ready == (0, OK, "ready")
    assert worker.request(5, "ping", []) == (5, OK, "pong")
