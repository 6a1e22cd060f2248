"""noxpit: every Python report of a coverage run, in one process of the target's interpreter.

    python -I -B noxpit_cover_report.py SPEC.json

SPEC names noxpit's coverage directory (put on ``sys.path``), the rcfile, and groups of
data directories: each group's parallel data files are combined into its ``data_file`` and
written as coverage's JSON report; then the groups are combined once more into the HTML
report. One interpreter and one import of coverage instead of one per ``coverage``
command. Prints, as JSON, which groups had data. Standalone: stdlib and coverage only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _has_data(directory: str) -> bool:
    folder = Path(directory)
    return folder.is_dir() and any(p.name.startswith(".coverage") for p in folder.iterdir())


def _fresh(data_file: str) -> None:
    Path(data_file).unlink(missing_ok=True)
    Path(data_file).parent.mkdir(parents=True, exist_ok=True)


def main(spec: dict[str, Any]) -> dict[str, bool]:
    sys.path.insert(0, spec["tool"])
    import coverage  # type: ignore[import-not-found]  # noxpit's copy, from the spec

    def measured(data_file: str) -> Any:
        return coverage.Coverage(data_file=data_file, config_file=spec["rcfile"])

    present: dict[str, bool] = {}
    combined: list[str] = []
    for name, group in spec["groups"].items():
        _fresh(group["data_file"])
        sources = [s for s in group["sources"] if _has_data(s)]
        present[name] = bool(sources)
        if not sources:
            continue
        cov = measured(group["data_file"])
        cov.combine(sources, keep=True)
        cov.save()
        cov.json_report(outfile=group["json"])
        combined.append(group["data_file"])
    html = spec["html"]
    _fresh(html["data_file"])
    if combined:
        cov = measured(html["data_file"])
        cov.combine(combined, keep=True)
        cov.save()
        cov.html_report(directory=html["directory"])
    return present


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        print(json.dumps(main(json.load(handle))))
