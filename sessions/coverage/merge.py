"""Coverage from several runs (CI shards, or separate runs) as one: each run's
``coverage.json`` read back and merged line by line, then written like a single run's.
For ``report -- merge``: ``read_dirs`` (None when no run measured coverage; an error when
only some did), then ``write``; ``merge_dirs`` does both."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sessions.coverage import lcov, report
from sessions.coverage.lcov import FileLines
from sessions.coverage.model import Measured
from sessions.coverage.python_tool import CoverageError

JSON_NAME = "coverage.json"


def _lines(path: str, lines: Sequence[int], covered: Sequence[int]) -> FileLines:
    return lcov.from_sets(path, covered, set(lines) - set(covered))


def from_json(document: Mapping[str, Any]) -> Measured:
    elixir = [_lines(p, d["lines"], d["covered"]) for p, d in document["elixir"].items()]
    python = document["python"].items()
    return Measured(
        elixir,
        [_lines(p, d["lines"], d["by_pytest"]) for p, d in python],
        [_lines(p, d["lines"], d["by_mix_test"]) for p, d in python],
        str(document.get("python_prefix", "")),
    )


def read(path: Path) -> Measured:
    try:
        return from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise CoverageError(
            f"{path}: not found; run `nox -s coverage` (or tests -- --cover)"
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CoverageError(f"{path}: not a noxpit coverage.json ({exc})") from None


def merge(runs: Sequence[Measured]) -> Measured:
    prefixes = {r.python_prefix for r in runs}
    if len(prefixes) > 1:
        raise CoverageError(
            f"the runs measured different python dirs: {', '.join(sorted(prefixes))}"
        )
    return Measured(
        lcov.merge(*(r.elixir for r in runs)),
        lcov.merge(*(r.python_pytest for r in runs)),
        lcov.merge(*(r.python_mix for r in runs)),
        prefixes.pop() if prefixes else "",
    )


def json_path(reports_dir: Path) -> Path:
    return reports_dir / "coverage" / JSON_NAME


def read_dirs(reports_dirs: Sequence[Path]) -> Measured | None:
    """The runs' coverage merged; None when none of them measured any. A run without
    coverage next to runs with it is an error: its lines would silently count as missed."""
    measured = [d for d in reports_dirs if json_path(d).is_file()]
    if not measured:
        return None
    missing = [d for d in reports_dirs if d not in measured]
    if missing:
        raise CoverageError(
            f"{json_path(missing[0])}: not found, but {len(measured)} other report(s) have "
            "coverage; run every shard with `nox -s coverage` (or tests -- --cover), or merge "
            "only runs without it"
        )
    return merge([read(json_path(d)) for d in reports_dirs])


def write(merged: Measured, out_dir: Path) -> None:
    """``coverage.lcov`` and ``coverage.json`` in ``out_dir`` (a run's layout)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report.write_lcov(out_dir / "coverage.lcov", merged)
    report.write_json(out_dir / JSON_NAME, merged)


def merge_dirs(reports_dirs: Sequence[Path], out_dir: Path) -> Measured:
    """``<reports>/coverage/coverage.json`` of each run merged into ``out_dir``."""
    merged = merge([read(json_path(d)) for d in reports_dirs])
    write(merged, out_dir)
    return merged
