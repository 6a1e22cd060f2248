"""Entry point: ``python3 -m pitpool_worker``, started by ``Pitpool.Worker`` on a Port."""

from __future__ import annotations

import sys

from pitpool_worker.worker import main

if __name__ == "__main__":
    sys.exit(main())
