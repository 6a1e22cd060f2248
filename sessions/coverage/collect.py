"""From the raw data a run left to line data: the LCOV each ``mix test`` wrote as it ended
(or its exported ``.coverdata`` through noxpit's Elixir script), and coverage.py's parallel
data files through one process that combines them and writes the JSON and HTML reports."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sessions.core import procs
from sessions.core.files import atomic_write, last_line
from sessions.core.target import Target
from sessions.coverage import lcov
from sessions.coverage.lcov import FileLines
from sessions.coverage.python_tool import CoverageError, Tool

LCOV_SCRIPT = Path(__file__).resolve().parent / "noxpit_cover_lcov.exs"
REPORT_SCRIPT = Path(__file__).resolve().parent / "noxpit_cover_report.py"


def ebin_dir(target: Target) -> Path:
    return target.root / "_build" / "test" / "lib" / target.app / "ebin"


def elixir_lines(
    target: Target, written: list[Path], coverdata: list[Path], out: Path
) -> list[FileLines]:
    """The LCOV each test run wrote when it ended (``written``), plus the exports of runs
    that wrote none, imported together by noxpit's script: hits summed per file and line."""
    files = [lcov.read(p.read_text(encoding="utf-8"), str(p)) for p in written]
    if coverdata:
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
        files.append(lcov.read(out.read_text(encoding="utf-8"), str(out)))
    return lcov.merge(*files)


@dataclass(frozen=True)
class Group:
    """Data directories combined into one data file and read back as line data."""

    sources: list[Path]
    data_file: Path  # named ``.coverage``: combine takes the files that start with its name
    json: Path


def python_reports(
    tool: Tool, target: Target, rcfile: Path, groups: Mapping[str, Group], html: Path
) -> dict[str, bool]:
    """Each group combined and written as coverage's JSON report, then every group's data
    combined once more (``python-all``) for the HTML report: all in one process
    (``noxpit_cover_report.py``). Which groups had data."""
    spec = {
        "tool": str(tool.directory),
        "rcfile": str(rcfile),
        "groups": {
            name: {
                "sources": [str(s) for s in g.sources],
                "data_file": str(g.data_file),
                "json": str(g.json),
            }
            for name, g in groups.items()
        },
        "html": {
            "directory": str(html),
            "data_file": str(rcfile.parent / "python-all" / ".coverage"),
        },
    }
    spec_file = rcfile.with_name("report-spec.json")
    atomic_write(spec_file, json.dumps(spec, indent=1))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("COVERAGE_PROCESS_START", None)
    completed = procs.run(
        [str(tool.python), "-I", "-B", str(REPORT_SCRIPT), str(spec_file)],
        cwd=target.root,
        env=env,
        capture=True,
        echo=False,
        timeout=600,
    )
    try:
        present = json.loads(last_line(completed.output))
    except ValueError:
        present = None
    if not completed.ok or not isinstance(present, dict):
        raise CoverageError(f"coverage could not report: {last_line(completed.output)}")
    return {name: bool(present.get(name)) for name in groups}


def python_lines(target: Target, report_json: Path | None) -> list[FileLines]:
    """Executed and missing statements per file from coverage's JSON report, paths
    relative to the target root; nothing when the group had no data."""
    if report_json is None:
        return []
    try:
        report = json.loads(report_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CoverageError(f"coverage wrote no JSON report at {report_json} ({exc})") from None
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
