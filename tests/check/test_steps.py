"""The steps of `check` as the target declares them: one compile per Mix env used, the
fixed ports held by the steps that bind them, and what a subset of steps needs."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from sessions.check.scheduler import run_graph
from sessions.check.steps import MAIN_STEPS, CheckConfigError, Outcome, Step, chosen, plan
from sessions.core.status import Status
from tests.check.support import demo_target

pytestmark = pytest.mark.unit


def test_one_compile_per_mix_env_before_the_steps_of_that_env(tmp_path: Path) -> None:
    steps = plan(demo_target(tmp_path), 2)
    names = [s.name for s in steps]
    assert names == [
        "setup",
        "doctor",
        "compile (test)",
        "compile (dev)",
        *MAIN_STEPS,
    ]
    needs = {s.name: s.needs for s in steps}
    assert needs["tests"] == ("compile (test)",) and needs["lint"] == ("compile (test)",)
    assert needs["dialyzer"] == ("compile (dev)",) and needs["examples"] == ("compile (dev)",)
    holds = {s.name: s.holds for s in steps}
    assert holds["compile (test)"] == {"build:test"}
    assert holds["lint"] == {"build:noxpit-lint-test"}  # lint's own build dir


def test_a_configured_mix_env_gets_its_own_compile(tmp_path: Path) -> None:
    steps = plan(demo_target(tmp_path, config='[dialyzer]\nmix_env = "ci"\n'), 2)
    dialyzer = next(s for s in steps if s.name == "dialyzer")
    assert dialyzer.needs == ("compile (ci)",)
    assert "build:ci" in dialyzer.reads
    assert [s.name for s in steps if s.name.startswith("compile")] == [
        "compile (test)",
        "compile (ci)",
        "compile (dev)",
    ]


def test_tests_and_examples_hold_the_fixed_ports_of_the_target(tmp_path: Path) -> None:
    steps = {s.name: s for s in plan(demo_target(tmp_path, grpc_port=50051), 2)}
    assert "port:50051" in steps["tests"].holds
    assert "port:50051" in steps["examples"].holds
    assert not any(h.startswith("port:") for h in steps["lint"].holds)


def test_without_fixed_ports_tests_and_examples_may_run_together(tmp_path: Path) -> None:
    steps = {s.name: s for s in plan(demo_target(tmp_path), 2)}
    assert not steps["tests"].holds & steps["examples"].holds


def test_examples_run_two_jobs_on_one_cpu_but_never_more_jobs_than_the_budget(
    tmp_path: Path,
) -> None:
    one = {s.name: s for s in plan(demo_target(tmp_path), 1)}["examples"]
    four = {s.name: s for s in plan(demo_target(tmp_path), 4)}["examples"]
    assert (one.cpu, one.args[-2:]) == (1, ("--jobs", "1"))
    assert (four.cpu, four.args[-2:]) == (1, ("--jobs", "2"))


def test_a_retry_reruns_only_the_failures_inside_tests_and_examples(tmp_path: Path) -> None:
    steps = {s.name: s for s in plan(demo_target(tmp_path), 2, retry=["tests", "examples"])}
    assert steps["tests"].shown == "nox -s tests -- --failed"
    assert steps["examples"].args[0] == "--failed"
    assert steps["lint"].shown == "nox -s lint"


def test_a_subset_brings_what_it_needs_and_nothing_else(tmp_path: Path) -> None:
    steps = plan(demo_target(tmp_path), 2)
    assert chosen(steps, ["lint"]) == {"setup", "doctor", "compile (test)", "lint"}
    assert chosen(steps, []) == {s.name for s in steps}


def test_a_step_the_target_runs_alone_has_nothing_beside_it(tmp_path: Path) -> None:
    steps = plan(demo_target(tmp_path, config='[check]\nalone = ["tests"]\n'), 2)
    spans: dict[str, tuple[float, float]] = {}

    def run(step: Step) -> Outcome:
        start = time.monotonic()
        time.sleep(0.05)
        spans[step.name] = (start, time.monotonic())
        return Outcome(step.name, Status.PASSED)

    run_graph(steps, {s.name for s in steps}, 2, run)
    t0, t1 = spans["tests"]
    beside = [n for n, (a, b) in spans.items() if n != "tests" and a < t1 and t0 < b]
    assert beside == []
    others = plan(demo_target(tmp_path / "plain"), 2)
    assert {s.name: s.cpu for s in others}["tests"] == 1  # without the setting it shares


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('alone = ["test"]', "[check] alone: unknown step(s) test; use lint, dialyzer, tests"),
        ("alone = [1]", "[check] alone must be a non-empty string"),
        ("beside = []", "[check] unknown key(s) beside; use alone"),
    ],
)
def test_a_bad_check_table_is_one_line_naming_the_key(
    tmp_path: Path, table: str, message: str
) -> None:
    with pytest.raises(CheckConfigError, match=re.escape(message)):
        plan(demo_target(tmp_path, config=f"[check]\n{table}\n"), 2)
