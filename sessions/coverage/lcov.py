"""LCOV, the line-coverage format Codecov, Coveralls and editors read: a reader (to merge
shards and check what was written), a writer, and a merge that sums hits per file and line.
Only what noxpit writes is kept: ``SF``, ``DA``, ``LF``, ``LH``, ``end_of_record``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sessions.core.errors import NoxpitError


class LcovError(NoxpitError):
    """An LCOV file that does not parse."""


@dataclass
class FileLines:
    """One source file: executable line -> hits (0 = not run)."""

    path: str
    hits: dict[int, int] = field(default_factory=dict)

    @property
    def found(self) -> int:
        return len(self.hits)

    @property
    def hit(self) -> int:
        return sum(1 for n in self.hits.values() if n > 0)


def read(text: str, where: str = "LCOV") -> list[FileLines]:
    files: list[FileLines] = []
    current: FileLines | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        key, _, value = line.partition(":")
        if key == "SF":
            if current is not None:
                raise LcovError(f"{where}:{number}: SF before end_of_record")
            current = FileLines(value)
        elif key == "end_of_record":
            if current is None:
                raise LcovError(f"{where}:{number}: end_of_record without SF")
            files.append(current)
            current = None
        elif current is None:
            raise LcovError(f"{where}:{number}: {key} outside a record")
        elif key == "DA":
            parts = value.split(",")
            if len(parts) < 2 or not parts[0].isdigit() or not parts[1].lstrip("-").isdigit():
                raise LcovError(f"{where}:{number}: DA must be LINE,HITS")
            current.hits[int(parts[0])] = current.hits.get(int(parts[0]), 0) + int(parts[1])
    if current is not None:
        raise LcovError(f"{where}: the last record has no end_of_record")
    return files


def write(files: Iterable[FileLines]) -> str:
    out: list[str] = []
    for f in sorted(files, key=lambda f: f.path):
        out.append(f"SF:{f.path}")
        out.extend(f"DA:{line},{n}" for line, n in sorted(f.hits.items()))
        out.extend([f"LF:{f.found}", f"LH:{f.hit}", "end_of_record"])
    return "\n".join(out) + "\n" if out else ""


def merge(*groups: Iterable[FileLines]) -> list[FileLines]:
    merged: dict[str, FileLines] = {}
    for group in groups:
        for f in group:
            into = merged.setdefault(f.path, FileLines(f.path))
            for line, n in f.hits.items():
                into.hits[line] = into.hits.get(line, 0) + n
    return [merged[p] for p in sorted(merged)]


def from_sets(path: str, executed: Iterable[int], missing: Iterable[int]) -> FileLines:
    """coverage.py's view (executed and missing statements) as LCOV lines, 1 hit each."""
    hits = {line: 0 for line in missing}
    hits.update({line: 1 for line in executed})
    return FileLines(path, hits)


def by_path(files: Iterable[FileLines]) -> Mapping[str, FileLines]:
    return {f.path: f for f in files}
