"""The per-user cache directory: things worth keeping across targets and runs (PLTs, the
compiled ExUnit formatter). ``$XDG_CACHE_HOME/noxpit``, else ``~/.cache/noxpit``; CI caches
``~/.cache/noxpit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def cache_dir(environ: Mapping[str, str]) -> Path:
    xdg = environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says relative values are invalid and must be ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "noxpit"
