"""The generic scheduler on fake steps: the budget, exclusive holds and shared reads are
never exceeded, needs come first, and a step that never ran is skipped with its reason."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

import pytest

from sessions.check.scheduler import NOT_SELECTED, run_graph
from sessions.check.steps import Outcome, Step
from sessions.core.status import Status

pytestmark = pytest.mark.unit


class Recorder:
    """Runs fake steps for a short while, recording when each ran."""

    def __init__(self, results: Mapping[str, Status] | None = None, pause: float = 0.05) -> None:
        self.results = results or {}
        self.pause = pause
        self.spans: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def __call__(self, step: Step) -> Outcome:
        start = time.monotonic()
        time.sleep(self.pause)
        with self.lock:
            self.spans[step.name] = (start, time.monotonic())
        return Outcome(step.name, self.results.get(step.name, Status.PASSED), self.pause)

    def overlap(self, a: str, b: str) -> bool:
        (a0, a1), (b0, b1) = self.spans[a], self.spans[b]
        return a0 < b1 and b0 < a1

    def most_at_once(self, names: list[str], weight: Callable[[str], int]) -> int:
        points = sorted({t for n in names for t in self.spans[n]})
        return max(
            sum(weight(n) for n in names if self.spans[n][0] <= t < self.spans[n][1])
            for t in points
        )


def statuses(outcomes: list[Outcome]) -> dict[str, tuple[Status, str]]:
    return {o.step: (o.status, o.detail) for o in outcomes}


def test_the_cpu_budget_is_never_exceeded() -> None:
    steps = [Step(f"s{n}", cpu=1 + n % 2) for n in range(6)]
    run = Recorder()
    run_graph(steps, {s.name for s in steps}, 2, run)
    cpu = {s.name: s.cpu for s in steps}
    assert run.most_at_once(list(cpu), cpu.__getitem__) <= 2
    assert run.overlap("s0", "s2")  # two 1-CPU steps do share a 2-CPU budget


def test_a_step_wanting_more_than_the_budget_still_runs_alone() -> None:
    steps = [Step("big", cpu=8), Step("small")]
    outcomes = run_graph(steps, {"big", "small"}, 2, run := Recorder())
    assert all(o.status is Status.PASSED for o in outcomes)
    assert not run.overlap("big", "small")


def test_an_exclusive_hold_never_overlaps_a_holder_or_a_reader() -> None:
    steps = [
        Step("compile", holds=frozenset({"build:test"})),
        Step("writer", holds=frozenset({"build:test"})),
        Step("reader1", reads=frozenset({"build:test"})),
        Step("reader2", reads=frozenset({"build:test"})),
    ]
    run = Recorder()
    run_graph(steps, {s.name for s in steps}, 8, run)
    for a, b in [("compile", "writer"), ("compile", "reader1"), ("writer", "reader2")]:
        assert not run.overlap(a, b)
    assert run.overlap("reader1", "reader2")  # readers share


def test_a_port_is_held_by_one_step_at_a_time() -> None:
    steps = [
        Step("tests", holds=frozenset({"port:50051"})),
        Step("examples", holds=frozenset({"port:50051"})),
    ]
    run = Recorder()
    run_graph(steps, {"tests", "examples"}, 4, run)
    assert not run.overlap("tests", "examples")


def test_needs_run_first_and_a_failed_need_skips_its_dependents_with_the_reason() -> None:
    steps = [
        Step("compile (test)"),
        Step("lint", needs=("compile (test)",)),
        Step("compile (dev)"),
        Step("dialyzer", needs=("compile (dev)",)),
    ]
    run = Recorder({"compile (dev)": Status.FAILED})
    outcomes = statuses(run_graph(steps, {s.name for s in steps}, 4, run))
    assert run.spans["compile (test)"][1] <= run.spans["lint"][0]
    assert outcomes["lint"] == (Status.PASSED, "")
    assert outcomes["dialyzer"] == (Status.SKIPPED, "not run: compile (dev) failed")
    assert "dialyzer" not in run.spans


def test_a_failed_gate_stops_everything_after_it() -> None:
    steps = [
        Step("setup"),
        Step("doctor", needs=("setup",), gate=True),
        Step("docs_check"),  # needs nothing, but comes after the gate in the run
        Step("lint", needs=("doctor",)),
    ]
    run = Recorder({"doctor": Status.FAILED})
    # docs_check is ready at once; give it a low priority so the gate decides first
    outcomes = statuses(
        run_graph(steps, {s.name for s in steps}, 1, run, priority={"setup": 3, "doctor": 2})
    )
    assert outcomes["doctor"][0] is Status.FAILED
    assert outcomes["lint"] == (Status.SKIPPED, "not run: doctor failed")
    assert outcomes["docs_check"] == (Status.SKIPPED, "not run: doctor failed")


def test_unselected_steps_are_skipped_never_passed() -> None:
    steps = [Step("lint"), Step("tests")]
    outcomes = statuses(run_graph(steps, {"lint"}, 2, Recorder()))
    assert outcomes["tests"] == (Status.SKIPPED, NOT_SELECTED)
    assert outcomes["lint"][0] is Status.PASSED


def test_a_step_that_raises_is_an_error_and_the_graph_goes_on() -> None:
    def run(step: Step) -> Outcome:
        if step.name == "bad":
            raise RuntimeError("boom")
        return Outcome(step.name, Status.PASSED)

    steps = [Step("bad"), Step("good"), Step("after", needs=("bad",))]
    outcomes = statuses(run_graph(steps, {"bad", "good", "after"}, 1, run))
    assert outcomes["bad"] == (Status.ERROR, "boom")
    assert outcomes["good"][0] is Status.PASSED
    assert outcomes["after"] == (Status.SKIPPED, "not run: bad error")


def test_the_longest_step_starts_first() -> None:
    order: list[str] = []

    def run(step: Step) -> Outcome:
        order.append(step.name)
        return Outcome(step.name, Status.PASSED)

    steps = [Step("lint"), Step("docs_check"), Step("tests")]
    run_graph(steps, {"lint", "docs_check", "tests"}, 1, run, priority={"tests": 30.0, "lint": 3.0})
    assert order == ["tests", "lint", "docs_check"]


def test_outcomes_come_back_in_the_order_of_the_steps_and_callbacks_see_each() -> None:
    steps = [Step("a"), Step("b", needs=("a",)), Step("c")]
    started: list[str] = []
    ended: list[str] = []
    outcomes = run_graph(
        steps,
        {"a", "b"},
        2,
        Recorder(),
        lambda s: started.append(s.name),
        lambda o: ended.append(o.step),
    )
    assert [o.step for o in outcomes] == ["a", "b", "c"]
    assert sorted(started) == ["a", "b"] and sorted(ended) == ["a", "b"]
