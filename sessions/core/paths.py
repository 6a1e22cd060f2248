"""Where noxpit itself lives: the suite root holds noxfile.py, sessions/ and the sample."""

from __future__ import annotations

from pathlib import Path

SUITE_ROOT = Path(__file__).resolve().parents[2]
