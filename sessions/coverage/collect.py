"""From the raw data a run left to line data: the exported ``.coverdata`` files through
noxpit's Elixir script to LCOV, and coverage.py's parallel data files through
``coverage combine`` and ``coverage json`` (and its HTML report)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sessions.core import procs
from sessions.core.files import last_line
from sessions.core.target import Target
from sessions.coverage import lcov
from sessions.coverage.lcov import FileLines
from sessions.coverage.python_tool import CoverageError, Tool

LCOV_SCRIPT = Path(__file__).resolve().parent / "noxpit_cover_lcov.exs"


def ebin_dir(target: Target) -> Path:
    return target.root / "_build" / "test" / "lib" / target.app / "ebin"


def elixir_lines(target: Target, coverdata: list[Path], out: Path) -> list[FileLines]:
    """Every exported ``.coverdata`` imported together: hits summed per file and line."""
    if not coverdata:
        return []
    completed = procs.run(
        [
            "elixir",
            str(LCOV_SCRIPT),
            str(ebin_dir(target)),
            str(target.root),
            str(out),
            *map(str, coverdata),
        ],
        cwd=target.root,
        capture=True,
        echo=False,
        timeout=600,
    )
    if not completed.ok or not out.is_file():
        raise CoverageError(
            f"could not read the ExUnit coverage data: {last_line(completed.output)}"
        )
    return lcov.read(out.read_text(encoding="utf-8"), str(out))


def _coverage(tool: Tool, target: Target, rcfile: Path, *args: str) -> procs.Completed:
    env = {**tool.environment(os.environ), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("COVERAGE_PROCESS_START", None)
    return procs.run(
        tool.command(args[0], f"--rcfile={rcfile}", *args[1:]),
        cwd=target.root,
        env=env,
        capture=True,
        echo=False,
    )


def has_data(directory: Path) -> bool:
    return directory.is_dir() and any(p.name.startswith(".coverage") for p in directory.iterdir())


def combine(tool: Tool, target: Target, rcfile: Path, sources: list[Path], data_file: Path) -> bool:
    """``coverage combine --keep`` of the directories that hold data; False when none did."""
    present = [str(s) for s in sources if has_data(s)]
    data_file.unlink(missing_ok=True)
    data_file.parent.mkdir(parents=True, exist_ok=True)
    if not present:
        return False
    completed = _coverage(
        tool, target, rcfile, "combine", "--keep", "-q", f"--data-file={data_file}", *present
    )
    if not completed.ok:
        raise CoverageError(f"coverage combine failed: {last_line(completed.output)}")
    return True


def python_lines(
    tool: Tool, target: Target, rcfile: Path, data_file: Path | None, out: Path
) -> list[FileLines]:
    """Executed and missing statements per file, paths relative to the target root. With no
    data, every file of the python dir counts as not run (coverage needs data to list them,
    so an empty data file is combined from nothing)."""
    if data_file is None:
        return []
    completed = _coverage(
        tool, target, rcfile, "json", "-q", f"--data-file={data_file}", "-o", str(out)
    )
    if not completed.ok or not out.is_file():
        raise CoverageError(f"coverage json failed: {last_line(completed.output)}")
    report = json.loads(out.read_text(encoding="utf-8"))
    files = []
    for name, data in report.get("files", {}).items():
        path = Path(name)
        rel = (
            path.relative_to(target.root)
            if path.is_absolute() and path.is_relative_to(target.root)
            else path
        )
        files.append(lcov.from_sets(rel.as_posix(), data["executed_lines"], data["missing_lines"]))
    return files


def python_html(tool: Tool, target: Target, rcfile: Path, data_file: Path, out: Path) -> None:
    completed = _coverage(
        tool, target, rcfile, "html", "-q", f"--data-file={data_file}", "-d", str(out)
    )
    if not completed.ok:
        raise CoverageError(f"coverage html failed: {last_line(completed.output)}")
