"""`nox -s release`, the child side: ``python -m sessions.release.cli ARGS`` in the venv.

bump-my-version is imported once and used as a library (see ``sessions.core.child``). The
parent already checked the usage with the same parser (``options``) and passes the target
root it resolved in ``NOXPIT_PROJECT``; the child reads that target, nothing else. Only
``core.child`` is imported before ``child_main`` runs, so a Ctrl-C while the rest is
imported still ends as exit 130 without a traceback.
"""

from __future__ import annotations

import sys

try:
    from sessions.core import child
except KeyboardInterrupt:  # Ctrl-C while Python is still importing: same quiet exit
    sys.exit(130)


def main(argv: list[str]) -> None:
    """Parse once, read the target the parent resolved, release."""
    import os
    from pathlib import Path

    from sessions.core.console import Console
    from sessions.core.target import ENV_PROJECT, build_target
    from sessions.release.flow import run
    from sessions.release.options import parse

    request = parse(argv)
    root = os.environ.get(ENV_PROJECT)
    if not root:
        raise child.ChildError(f"{ENV_PROJECT} is not set; run the release as `nox -s release`")
    target = build_target(Path(root), os.environ)
    run(target, request, Console())


if __name__ == "__main__":
    sys.exit(child.child_main(main))
