"""The benchmark harness: each performance target from the issues, measured the same way.

Two-sided scenarios run their sides interleaved (A B B A ...) so machine drift cancels;
each side reports median, min and max of at least five runs. Results go to
``bench/results.json`` and a Markdown table in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sessions.core import procs
from sessions.core.errors import NoxpitError

MIN_RUNS = 5


class BenchError(NoxpitError):
    """A benchmark could not run, or a results file could not be read."""


@dataclass(frozen=True)
class Side:
    """One command to time; ``before`` runs untimed before every timed run, ``after`` checks
    its results (raising BenchError when they are wrong). ``accept`` are the exit codes that
    mean the command ran (docs_check exits 1 when it finds problems)."""

    label: str
    command: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)
    before: Callable[[], None] | None = None
    after: Callable[[], None] | None = None
    accept: tuple[int, ...] = (0,)
    cwd: Path | None = None


@dataclass(frozen=True)
class Scenario:
    """A measured claim: ``a`` alone (``max_seconds``) or ``a`` against ``b`` (``max_ratio``,
    or ``max_delta``: at most that many seconds slower). ``runs`` fixes the runs per side
    for scenarios too slow for the usual five (a cold selftest, the lab's whole suite)."""

    name: str
    claim: str
    a: Side
    b: Side | None = None
    max_ratio: float | None = None
    max_seconds: float | None = None
    prepare: Callable[[], None] | None = None
    max_delta: float | None = None
    runs: int | None = None


@dataclass(frozen=True)
class Stats:
    median: float
    minimum: float
    maximum: float
    runs: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Stats:
        if not samples:
            raise BenchError("no samples to summarise")
        return cls(statistics.median(samples), min(samples), max(samples), len(samples))


@dataclass(frozen=True)
class Outcome:
    name: str
    claim: str
    a_label: str
    a: Stats
    b_label: str | None
    b: Stats | None
    ratio: float | None
    max_ratio: float | None
    max_seconds: float | None
    passed: bool
    max_delta: float | None = None


def judge(scenario: Scenario, a: Stats, b: Stats | None) -> Outcome:
    """Whether the medians meet the scenario's targets."""
    ratio = a.median / b.median if b is not None and b.median > 0 else None
    passed = True
    if scenario.max_ratio is not None:
        passed = ratio is not None and ratio <= scenario.max_ratio
    if scenario.max_seconds is not None:
        passed = passed and a.median <= scenario.max_seconds
    if scenario.max_delta is not None:
        passed = passed and b is not None and a.median - b.median <= scenario.max_delta
    return Outcome(
        name=scenario.name,
        claim=scenario.claim,
        a_label=scenario.a.label,
        a=a,
        b_label=scenario.b.label if scenario.b else None,
        b=b,
        ratio=ratio,
        max_ratio=scenario.max_ratio,
        max_seconds=scenario.max_seconds,
        passed=passed,
        max_delta=scenario.max_delta,
    )


def time_side(side: Side, cwd: Path, base_env: Mapping[str, str]) -> float:
    if side.before is not None:
        side.before()
    result = procs.run(side.command, cwd=side.cwd or cwd, env={**base_env, **side.env}, echo=False)
    if result.timed_out or result.returncode not in side.accept:
        tail = "\n".join(result.output.splitlines()[-15:])
        raise BenchError(f"`{' '.join(side.command)}` failed (exit {result.returncode}):\n{tail}")
    if side.after is not None:
        side.after()
    return result.duration


def measure(
    scenario: Scenario,
    cwd: Path,
    base_env: Mapping[str, str],
    runs: int = MIN_RUNS,
    progress: Callable[[str], None] = lambda _: None,
) -> Outcome:
    """Run the scenario ``runs`` times per side (its own ``runs`` when set), interleaving
    A B B A A B ...: each side goes first as often as the other, so a load that rises or
    falls during the measurement (other jobs on a shared machine) favours neither."""
    runs = scenario.runs or runs
    if scenario.prepare is not None:
        scenario.prepare()
    a_samples: list[float] = []
    b_samples: list[float] = []
    for index in range(runs):
        if scenario.b is not None and index % 2:
            b_samples.append(time_side(scenario.b, cwd, base_env))
            a_samples.append(time_side(scenario.a, cwd, base_env))
        else:
            a_samples.append(time_side(scenario.a, cwd, base_env))
            if scenario.b is not None:
                b_samples.append(time_side(scenario.b, cwd, base_env))
        last_b = f" / {b_samples[-1]:.2f}s" if b_samples else ""
        progress(f"{scenario.name}: run {index + 1}/{runs} {a_samples[-1]:.2f}s{last_b}")
    b_stats = Stats.of(b_samples) if scenario.b is not None else None
    return judge(scenario, Stats.of(a_samples), b_stats)


# --- rendering and results files -------------------------------------------------------


def _stats_cell(stats: Stats | None) -> str:
    if stats is None:
        return "-"
    cell = f"{stats.median:.2f}s ({stats.minimum:.2f}-{stats.maximum:.2f})"
    return cell if stats.runs >= MIN_RUNS else f"{cell}, {stats.runs} run(s)"


def target_text(outcome: Outcome) -> str:
    parts = []
    if outcome.max_ratio is not None:
        parts.append(f"ratio <= {outcome.max_ratio:g}")
    if outcome.max_seconds is not None:
        parts.append(f"<= {outcome.max_seconds:g}s")
    if outcome.max_delta is not None:
        parts.append(f"within {outcome.max_delta:g}s of the baseline")
    return ", ".join(parts)


def table_rows(outcomes: Sequence[Outcome]) -> list[list[str]]:
    return [
        [
            o.name,
            f"{o.a_label}: {_stats_cell(o.a)}",
            f"{o.b_label}: {_stats_cell(o.b)}" if o.b_label else "-",
            f"{o.ratio:.3f}" if o.ratio is not None else "-",
            target_text(o) or "(reference)",
            "ok" if o.passed and target_text(o) else "info" if o.passed else "failed",
        ]
        for o in outcomes
    ]


HEADERS = ["benchmark", "measured (median, min-max)", "baseline", "ratio", "target", "result"]


def machine_description() -> str:
    cpus = _cpu_count()
    model = _cpu_model()
    return f"{platform.system()} {platform.machine()}, {cpus} cores ({model}), Python " + (
        platform.python_version()
    )


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def results_document(outcomes: Sequence[Outcome], machine: str, when: str) -> dict[str, Any]:
    return {
        "machine": machine,
        "date": when,
        "results": [asdict(o) for o in outcomes],
    }


def parse_results(text: str, source: str = "bench/results.json") -> list[Outcome]:
    """Read a results file back (selftest checks this round-trips)."""
    try:
        data = json.loads(text)
        outcomes = []
        for item in data["results"]:
            fields = dict(item)
            fields["a"] = Stats(**fields["a"])
            fields["b"] = Stats(**fields["b"]) if fields.get("b") else None
            outcomes.append(Outcome(**fields))
    except (ValueError, KeyError, TypeError) as exc:
        raise BenchError(f"{source}: not a noxpit benchmark results file ({exc})") from None
    return outcomes


def markdown_table(outcomes: Sequence[Outcome]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines.extend("| " + " | ".join(row) + " |" for row in table_rows(outcomes))
    return "\n".join(lines)


BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"


def render_benchmarks_md(
    existing: str, outcomes: Sequence[Outcome], machine: str, when: str
) -> str:
    """Replace the generated block in docs/benchmarks.md, keeping the hand-written rest."""
    runs = sorted({o.a.runs for o in outcomes}) or [MIN_RUNS]
    counted = f"{runs[0]}" if len(runs) == 1 else f"{runs[0]}-{runs[-1]} (see each row)"
    block = (
        f"{BEGIN}\nMeasured {when} on {machine}; {counted} runs per side, sides interleaved.\n\n"
        f"{markdown_table(outcomes)}\n{END}"
    )
    if BEGIN in existing and END in existing:
        head, rest = existing.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        return head + block + tail
    return existing.rstrip("\n") + "\n\n" + block + "\n"


def now_text() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
