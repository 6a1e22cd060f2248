"""The run report: one ``report.json`` per run (``tests``, ``check``, a CI shard), and the
merge of several into one, so CI can sum shards and tools read one file.

parse -> model -> render: ``RunReport.to_json`` / ``from_json`` are exact inverses, and
``merge`` is pure. Statuses are ``core.status.Status`` values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from sessions.core.errors import NoxpitError
from sessions.core.files import atomic_write
from sessions.core.findings import Finding
from sessions.core.status import Status

FORMAT = 1
FILE_NAME = "report.json"


class ReportError(NoxpitError):
    """A report file that is missing, unreadable or not a noxpit report."""


@dataclass(frozen=True)
class SuiteReport:
    """One test suite's outcome (a `mix test` variant, pytest, examples)."""

    name: str
    status: Status
    tests: int = 0
    failures: int = 0
    skipped: int = 0
    seconds: float = 0.0
    flaky: tuple[str, ...] = ()  # tests that failed, then passed when rerun
    detail: str = ""


@dataclass(frozen=True)
class StepReport:
    """One step of a run (lint, dialyzer, tests, ...): skipped steps say why."""

    name: str
    status: Status
    seconds: float = 0.0
    detail: str = ""


@dataclass(frozen=True)
class RunReport:
    target: str
    steps: tuple[StepReport, ...] = ()
    suites: tuple[SuiteReport, ...] = ()
    findings: tuple[Finding, ...] = ()
    shards: tuple[str, ...] = ()  # "K/N" of each shard this report holds; () when unsharded
    seconds: float = 0.0
    format: int = FORMAT

    @property
    def status(self) -> Status:
        statuses = [s.status for s in self.steps] + [s.status for s in self.suites]
        if any(s.bad for s in statuses):
            return Status.FAILED
        return Status.PASSED

    @property
    def totals(self) -> SuiteReport:
        return SuiteReport(
            "total",
            self.status,
            tests=sum(s.tests for s in self.suites),
            failures=sum(s.failures for s in self.suites),
            skipped=sum(s.skipped for s in self.suites),
            seconds=self.seconds,
            flaky=tuple(name for s in self.suites for name in s.flaky),
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, *, source: str = FILE_NAME) -> RunReport:
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError(f"not a noxpit report (format {FORMAT})")
            return cls(
                target=str(data["target"]),
                steps=tuple(_step(item) for item in data.get("steps", ())),
                suites=tuple(_suite(item) for item in data.get("suites", ())),
                findings=tuple(Finding(**item) for item in data.get("findings", ())),
                shards=tuple(str(s) for s in data.get("shards", ())),
                seconds=float(data.get("seconds", 0.0)),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ReportError(f"{source}: not a valid noxpit report ({exc})") from None


def _step(item: Mapping[str, Any]) -> StepReport:
    return StepReport(**{**item, "status": Status(item["status"])})


def _suite(item: Mapping[str, Any]) -> SuiteReport:
    return SuiteReport(
        **{**item, "status": Status(item["status"]), "flaky": tuple(item.get("flaky", ()))}
    )


def read(path: Path) -> RunReport:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(f"{path}: no report there; did the run (or shard) finish?") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: cannot read ({exc})") from None
    return RunReport.from_json(text, source=str(path))


def write(report: RunReport, reports_dir: Path) -> Path:
    path = reports_dir / FILE_NAME
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(path, report.to_json())
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror}; check NOXPIT_REPORTS") from None
    return path


def merge(reports: Sequence[RunReport], *, expected_shards: int | None = None) -> RunReport:
    """One report from several (e.g. CI shards): suites of the same name are summed, so N
    shards of `mix test (default)` give one row. With ``expected_shards``, a missing or
    doubled shard is an error: a merge must never look green because a shard is absent."""
    if not reports:
        raise ReportError("nothing to merge: give the report files or directories of each run")
    targets = {r.target for r in reports}
    if len(targets) > 1:
        raise ReportError(f"reports of different targets: {', '.join(sorted(targets))}")
    shards = [s for r in reports for s in r.shards]
    if expected_shards is not None:
        _check_shards(shards, expected_shards)
    return RunReport(
        target=reports[0].target,
        steps=tuple(_merged(s for r in reports for s in r.steps)),
        suites=tuple(_merged(s for r in reports for s in r.suites)),
        findings=tuple(dict.fromkeys(f for r in reports for f in r.findings)),
        shards=tuple(sorted(shards)),
        seconds=max(r.seconds for r in reports),
    )


def _check_shards(shards: Sequence[str], expected: int) -> None:
    wanted = {f"{k}/{expected}" for k in range(1, expected + 1)}
    missing = sorted(wanted - set(shards))
    doubled = sorted({s for s in shards if shards.count(s) > 1})
    extra = sorted(set(shards) - wanted)
    if missing or doubled or extra:
        parts = [
            f"missing {', '.join(missing)}" if missing else "",
            f"twice {', '.join(doubled)}" if doubled else "",
            f"not of {expected} {', '.join(extra)}" if extra else "",
        ]
        raise ReportError(f"shards do not add up: {'; '.join(p for p in parts if p)}")


def _worst(statuses: Iterable[Status]) -> Status:
    order = [Status.ERROR, Status.TIMEOUT, Status.FAILED, Status.FLAKY, Status.WARN]
    order += [Status.PASSED, Status.SKIPPED]
    present = set(statuses)
    return next((s for s in order if s in present), Status.SKIPPED)


def _merged(items: Iterable[Any]) -> list[Any]:
    """Items of the same name combined: counts and times summed, the worst status kept."""
    by_name: dict[str, Any] = {}
    for item in items:
        seen = by_name.get(item.name)
        if seen is None:
            by_name[item.name] = item
            continue
        changes: dict[str, Any] = {
            "status": _worst((seen.status, item.status)),
            "seconds": seen.seconds + item.seconds,
            "detail": "; ".join(d for d in dict.fromkeys((seen.detail, item.detail)) if d),
        }
        if isinstance(item, SuiteReport):
            changes.update(
                tests=seen.tests + item.tests,
                failures=seen.failures + item.failures,
                skipped=seen.skipped + item.skipped,
                flaky=tuple(dict.fromkeys((*seen.flaky, *item.flaky))),
            )
        by_name[item.name] = replace(seen, **changes)
    return list(by_name.values())
