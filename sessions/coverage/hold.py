"""Run a command, then wait (bounded) for the Python processes it started to save their
coverage data before exiting with the command's status.

When ``mix test`` ends, the BEAM closes its Ports and the workers exit on end of input a
moment later; noxpit's process runner sweeps whatever is left as soon as the command
returns. This wrapper keeps the command "running" until every process that marked itself
alive in the directory (see noxpit_sitecustomize.py) is gone. Standalone: stdlib only.

    python3 hold.py ALIVE_DIR SECONDS -- COMMAND...
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def _running(pid: int) -> bool:
    """Still running: not gone (ended without saving, e.g. SIGKILL) and not a zombie
    (an orphan whose exit the container's init has not reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return stat.rpartition(")")[2].split()[:1] not in (["Z"], ["X"])


def alive(directory: str) -> list[int]:
    pids = []
    folder = Path(directory)
    for name in [p.name for p in folder.iterdir()] if folder.is_dir() else []:
        if not name.isdigit():
            continue
        if _running(int(name)):
            pids.append(int(name))
    return pids


def main(argv: list[str]) -> int:
    directory, limit, separator, *command = argv
    if separator != "--" or not command:
        sys.stderr.write("usage: hold.py ALIVE_DIR SECONDS -- COMMAND...\n")
        return 2
    try:
        code = subprocess.call(command)
    except FileNotFoundError:
        sys.stderr.write(f"`{command[0]}` not found on PATH; install it or fix PATH\n")
        return 127
    deadline = time.monotonic() + float(limit)
    while alive(directory) and time.monotonic() < deadline:
        time.sleep(0.05)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
