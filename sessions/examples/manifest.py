"""The manifest (``examples.json``): the latest result per example, merged run by run;
``--failed`` reads it and the scheduler takes the last durations from it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sessions.core.errors import NoxpitError
from sessions.core.status import Status
from sessions.core.target import Target
from sessions.examples.runner import Outcome

MANIFEST_FORMAT = 1
BAD = (Status.FAILED, Status.TIMEOUT)


class ReportError(NoxpitError):
    """The manifest cannot be read, or a report cannot be written."""


def logs_dir(reports_dir: Path) -> Path:
    return reports_dir / "examples"


CRASH_DUMP = "ERL_CRASH_DUMP"


def crash_dump(reports_dir: Path, name: str) -> Path:
    """Where an example's BEAM writes its crash dump: next to its log, never the project's
    own ``erl_crash.dump`` (one per example, so a later run does not overwrite it)."""
    return logs_dir(reports_dir) / f"{name}.erl_crash.dump"


def manifest_path(reports_dir: Path) -> Path:
    return reports_dir / "examples.json"


def junit_path(reports_dir: Path) -> Path:
    return reports_dir / "examples.xml"


def read_manifest(path: Path, *, strict: bool) -> dict[str, dict[str, Any]]:
    """The latest result per example. ``strict`` (for ``--failed``): a missing or broken
    manifest is an error instead of an empty history."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        examples = data["examples"]
        if not isinstance(examples, dict) or not all(
            isinstance(v, dict) for v in examples.values()
        ):
            raise TypeError
    except FileNotFoundError:
        if strict:
            raise ReportError(
                f"no previous run recorded ({path} is missing); run `nox -s examples` first"
            ) from None
        return {}
    except (OSError, ValueError, KeyError, TypeError):
        if strict:
            raise ReportError(
                f"{path} is not a noxpit examples manifest; delete it and run `nox -s examples`"
            ) from None
        return {}
    return examples


def failed_names(manifest: Mapping[str, Mapping[str, Any]], known: Sequence[str]) -> list[str]:
    """Examples whose latest result was FAILED or TIMEOUT and which still exist."""
    return [name for name in known if manifest.get(name, {}).get("status") in BAD]


def durations(manifest: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    found: dict[str, float] = {}
    for name, record in manifest.items():
        value = record.get("seconds")
        if isinstance(value, int | float) and record.get("status") != Status.SKIPPED:
            found[name] = float(value)
    return found


def updated_manifest(
    previous: Mapping[str, Mapping[str, Any]],
    outcomes: Sequence[Outcome],
    known: Sequence[str],
    target: Target,
    now: datetime,
) -> dict[str, Any]:
    """Merge this run into the history: examples not run keep their last result, removed
    examples are dropped."""
    examples = {name: dict(previous[name]) for name in known if name in previous}
    for outcome in outcomes:
        examples[outcome.name] = {
            "status": str(outcome.status),
            "seconds": round(outcome.seconds, 3),
            "returncode": outcome.returncode,
            "note": outcome.note,
            "finished": now.isoformat(timespec="seconds"),
        }
    return {
        "format": MANIFEST_FORMAT,
        "app": target.app,
        "version": target.version,
        "updated": now.isoformat(timespec="seconds"),
        "examples": dict(sorted(examples.items())),
    }


def render(manifest: Mapping[str, Any]) -> str:
    return json.dumps(manifest, indent=2) + "\n"
