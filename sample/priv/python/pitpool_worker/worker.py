"""The worker process: read framed requests on stdin, write replies on stdout.

The worker lives exactly as long as its Port. When Elixir closes the Port (worker
stopped, request timed out, VM exited) stdin reaches end of file; a reader thread sees
that even while a command is still running and ends the process.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
from typing import IO

from pitpool_worker.protocol import READY, ProtocolError, handle_frame, read_frame, write_frame

# How long a running command may finish after stdin closed; nobody reads its reply.
EOF_GRACE_SECONDS = 1.0


def serve(
    instream: IO[bytes], outstream: IO[bytes], *, eof_grace: float | None = EOF_GRACE_SECONDS
) -> int:
    """Answer requests until end of input. Returns the process exit status.

    With ``eof_grace`` set, a command still running that long after end of input is cut
    short by ending the process; ``None`` waits for it (for in-process use).
    """
    requests: queue.Queue[bytes | None] = queue.Queue()
    done = threading.Event()
    reader = threading.Thread(
        target=_read_requests,
        args=(instream, requests, done, eof_grace),
        name="pitpool-reader",
        daemon=True,
    )
    reader.start()
    try:
        while True:
            payload = requests.get()
            if payload is None:
                return 0
            reply = handle_frame(payload)
            if reply is None:
                _log("dropped a request whose id could not be decoded")
                continue
            write_frame(outstream, reply)
    except BrokenPipeError:
        return 0
    finally:
        done.set()


def _read_requests(
    instream: IO[bytes],
    requests: queue.Queue[bytes | None],
    done: threading.Event,
    eof_grace: float | None,
) -> None:
    try:
        while (payload := read_frame(instream)) is not None:
            requests.put(payload)
    except (ProtocolError, OSError) as exc:
        _log(f"input closed: {exc}")
    requests.put(None)
    if eof_grace is not None and not done.wait(eof_grace):
        os._exit(0)


def _log(message: str) -> None:
    sys.stderr.write(f"pitpool_worker[{os.getpid()}]: {message}\n")
    sys.stderr.flush()


def main() -> int:
    instream, outstream = sys.stdin.buffer, sys.stdout.buffer
    # stdout carries frames; stray prints from commands must not corrupt them.
    sys.stdout = sys.stderr
    # Ctrl-C in a terminal reaches the whole process group; the BEAM decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        write_frame(outstream, READY)
    except BrokenPipeError:
        return 0
    return serve(instream, outstream)
