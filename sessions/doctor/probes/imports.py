"""Import each given module with the target's PYTHONPATH and report the ones that fail
(an import that raises, or even exits, is that module's failure, not the probe's)."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    here = Path(__file__).resolve().parent
    # Python put this directory first on sys.path: a target module must never find us.
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != here]
    failed = {}
    for name in json.loads(argv[1]):
        try:
            importlib.import_module(name)
        except BaseException as exc:  # SystemExit too
            failed[name] = (type(exc).__name__ + ": " + str(exc)).splitlines()[0][:200]
    print("NOXPIT-JSON:" + json.dumps(failed))


if __name__ == "__main__":
    main(sys.argv)
