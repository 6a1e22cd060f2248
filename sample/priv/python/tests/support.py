"""Run the worker as a real subprocess, the way the Port does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pitpool_worker import decode, encode, read_frame, write_frame

PACKAGE_DIR = Path(__file__).resolve().parents[1]


class WorkerProcess:
    """A ``python -m pitpool_worker`` child with helpers to talk to it."""

    def __init__(self, argv: list[str] | None = None) -> None:
        env = dict(os.environ, PYTHONPATH=str(PACKAGE_DIR), PYTHONDONTWRITEBYTECODE="1")
        self.proc = subprocess.Popen(
            argv or [sys.executable, "-m", "pitpool_worker"],
            cwd=PACKAGE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.ready = self.receive()  # the worker announces itself before any request

    def send(self, term: Any) -> None:
        assert self.proc.stdin is not None
        write_frame(self.proc.stdin, encode(term))

    def receive(self) -> Any:
        assert self.proc.stdout is not None
        payload = read_frame(self.proc.stdout)
        assert payload is not None, "worker closed stdout"
        return decode(payload)

    def request(self, request_id: int, command: str, args: list[Any]) -> Any:
        self.send((request_id, command, args))
        return self.receive()

    def close_stdin(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()

    def wait(self, timeout: float = 5.0) -> int:
        return self.proc.wait(timeout=timeout)

    def stderr_text(self) -> str:
        """Everything the worker wrote on stderr; call once it has exited."""
        assert self.proc.stderr is not None
        return self.proc.stderr.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
