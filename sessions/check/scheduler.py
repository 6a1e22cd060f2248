"""One generic scheduler for a graph of steps: each runs once what it needs has passed and
its resources are free, within a CPU budget.

It knows nothing about nox or Mix: a step is a name, what it needs, its CPU units and
the resources it holds alone or reads with others (``steps.Step``); running one is the
caller's ``run`` function. A step whose need did not pass, or that comes after a failed
gate, is ``skipped`` with the reason, never run and never ``passed``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from sessions.check.steps import Outcome, Step
from sessions.core.status import Status

GOOD = frozenset({Status.PASSED, Status.WARN, Status.FLAKY})
NOT_SELECTED = "not selected"


class Resources:
    """CPU units, exclusive holds and shared reads currently taken."""

    def __init__(self, budget: int) -> None:
        self.budget = max(1, budget)
        self.cpu = 0
        self.held: set[str] = set()
        self.readers: dict[str, int] = {}

    def claim(self, step: Step) -> int:
        return min(max(step.cpu, 0), self.budget)

    def free_for(self, step: Step) -> bool:
        if self.cpu + self.claim(step) > self.budget:
            return False
        if any(r in self.held or self.readers.get(r) for r in step.holds):
            return False
        return not any(r in self.held for r in step.reads)

    def take(self, step: Step) -> None:
        self.cpu += self.claim(step)
        self.held.update(step.holds)
        for name in step.reads:
            self.readers[name] = self.readers.get(name, 0) + 1

    def give_back(self, step: Step) -> None:
        self.cpu -= self.claim(step)
        self.held.difference_update(step.holds)
        for name in step.reads:
            self.readers[name] -= 1


def _blocked(step: Step, done: dict[str, Outcome], gates_failed: list[str]) -> str | None:
    """Why ``step`` will never run, or None if it still may."""
    if gates_failed:
        return f"not run: {gates_failed[0]} failed"
    for need in step.needs:
        outcome = done.get(need)
        if outcome is not None and outcome.status not in GOOD:
            return f"not run: {need} {outcome.status}"
    return None


def run_graph(
    steps: Sequence[Step],
    selected: Collection[str],
    budget: int,
    run: Callable[[Step], Outcome],
    on_start: Callable[[Step], None] = lambda step: None,
    on_end: Callable[[Outcome], None] = lambda outcome: None,
    priority: Mapping[str, float] | None = None,
) -> list[Outcome]:
    """Run the selected steps; outcomes in the order of ``steps`` (unselected: skipped).

    Of the steps ready at once, the one with the highest ``priority`` (the caller passes
    last run's durations: longest first) starts first; ties keep the order of ``steps``."""
    resources = Resources(budget)
    done: dict[str, Outcome] = {
        s.name: Outcome(s.name, Status.SKIPPED, detail=NOT_SELECTED)
        for s in steps
        if s.name not in selected
    }
    rank = priority or {}
    pending = sorted((s for s in steps if s.name in selected), key=lambda s: -rank.get(s.name, 0.0))
    gates_failed: list[str] = []
    changed = threading.Condition()
    running: dict[str, Future[Outcome]] = {}

    def finish(step: Step, outcome: Outcome) -> None:
        with changed:
            resources.give_back(step)
            done[step.name] = outcome
            if step.gate and outcome.status not in GOOD:
                gates_failed.append(step.name)
            running.pop(step.name, None)
            changed.notify_all()
        on_end(outcome)

    def work(step: Step) -> Outcome:
        start = time.monotonic()
        try:
            outcome = run(step)
        except Exception as exc:  # a bug in one step must not hang the graph
            outcome = Outcome(step.name, Status.ERROR, time.monotonic() - start, str(exc))
        finish(step, outcome)
        return outcome

    # Not a `with` block: on Ctrl-C the caller must kill the children first (procs.kill_all),
    # so the pool is shut down without waiting for the steps still running.
    pool = ThreadPoolExecutor(max_workers=max(1, len(pending)))
    interrupted = True
    try:
        with changed:
            while pending or running:
                progressed = False
                for step in list(pending):
                    why = _blocked(step, done, gates_failed)
                    if why is not None:
                        pending.remove(step)
                        done[step.name] = Outcome(step.name, Status.SKIPPED, detail=why)
                        progressed = True
                        changed.release()
                        try:
                            on_end(done[step.name])
                        finally:
                            changed.acquire()
                        continue
                    ready = all(need in done for need in step.needs)
                    if ready and resources.free_for(step):
                        pending.remove(step)
                        resources.take(step)
                        on_start(step)
                        running[step.name] = pool.submit(work, step)
                        progressed = True
                if not progressed:
                    if not running and pending:  # a need that is never selected nor run
                        for step in pending:
                            done[step.name] = Outcome(step.name, Status.SKIPPED, detail="not run")
                        pending.clear()
                        break
                    changed.wait(timeout=1.0)
        interrupted = False
    finally:
        pool.shutdown(wait=not interrupted, cancel_futures=interrupted)
    return [done[s.name] for s in steps]
