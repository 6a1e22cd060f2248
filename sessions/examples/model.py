"""What the examples session works on: an example found in the target, and what discovery
found. Shared by discovery, planning and reporting, so none of them imports another."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sessions.examples.config import Settings


@dataclass(frozen=True)
class Example:
    name: str  # path under the examples dir, without `.exs`: what users type
    path: Path
    settings: Settings = field(default_factory=Settings)
    loads: tuple[Path, ...] = ()  # helpers it loads (directly or through others)


@dataclass(frozen=True)
class Discovery:
    examples: tuple[Example, ...]
    helpers: tuple[str, ...]  # names left out because they are helpers
