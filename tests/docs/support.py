"""Small documents and trees for the docs checks' unit tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sessions.docs import check as docs_check
from sessions.docs import config as docs_config
from sessions.docs import mix_tasks, sources
from sessions.docs.model import Context, Document

FIXTURES = Path(__file__).parent / "fixtures"
TASKS = mix_tasks.TaskList(
    frozenset({"run", "test", "compile", "deps.get", "pitpool.gen"}), ("hex.*",)
)


class MemoryTree:
    """A target's files as a dict, for finders tested on strings."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = dict(files)
        self.dirs = {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}

    def exists(self, rel: str) -> bool:
        return rel in self.files or rel in self.dirs

    def is_dir(self, rel: str) -> bool:
        return rel in self.dirs

    def read(self, rel: str) -> str | None:
        return self.files.get(rel)


def context(files: Mapping[str, str] | None = None, **overrides: Any) -> Context:
    settings: dict[str, Any] = {
        "app": "pitpool",
        "version": "0.2.1",
        "tree": MemoryTree(files or {}),
        "tasks": TASKS,
        "deprecations": docs_config.default_deprecations("examples"),
    }
    settings.update(overrides)
    return Context(**settings)


def findings(
    rel: str, text: str, ctx: Context | None = None, *, history: bool = False
) -> list[tuple[int, str]]:
    kind = sources.kind_of(Path(rel)) or "shell"
    found = docs_check.run_checks([Document(rel, kind, text, history)], ctx or context())
    return [(f.line, f.code) for f in found]
