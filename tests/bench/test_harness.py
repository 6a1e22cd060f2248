"""The benchmark harness loads, judges targets correctly, and its results round-trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sessions.bench import harness as bench
from sessions.bench import scenarios as bench_scenarios
from sessions.bench.harness import BenchError, Scenario, Side, Stats
from sessions.bench.workspace import Workspace
from tests.helpers import REPO

pytestmark = pytest.mark.unit


def scenario(**kwargs: float) -> Scenario:
    return Scenario("x", "claim", Side("a", ["true"]), Side("b", ["true"]), **kwargs)  # type: ignore[arg-type]


def test_stats_median_min_max() -> None:
    stats = Stats.of([3.0, 1.0, 2.0, 10.0, 2.5])
    assert (stats.median, stats.minimum, stats.maximum, stats.runs) == (2.5, 1.0, 10.0, 5)
    with pytest.raises(BenchError):
        Stats.of([])


def test_judge_ratio_and_seconds() -> None:
    fast, slow = Stats.of([1.0] * 5), Stats.of([10.0] * 5)
    assert bench.judge(scenario(max_ratio=0.15), fast, slow).passed
    assert not bench.judge(scenario(max_ratio=0.05), fast, slow).passed
    both = scenario(max_ratio=0.2, max_seconds=0.5)
    assert not bench.judge(both, fast, slow).passed  # ratio ok, seconds not
    assert bench.judge(scenario(max_seconds=1.0), fast, None).passed


def test_measure_interleaves_sides(tmp_path: Path) -> None:
    order = tmp_path / "order"
    side_a = Side("a", ["sh", "-c", f"echo a >> {order}"])
    side_b = Side("b", ["sh", "-c", f"echo b >> {order}"])
    outcome = bench.measure(Scenario("x", "c", side_a, side_b, max_ratio=100), tmp_path, {}, runs=5)
    # Each side goes first in turn, so a rising or falling load favours neither.
    assert order.read_text().split() == ["a", "b", "b", "a", "a", "b", "b", "a", "a", "b"]
    assert outcome.a.runs == outcome.b.runs == 5  # type: ignore[union-attr]


def test_a_failing_command_is_one_error(tmp_path: Path) -> None:
    side = Side("a", ["sh", "-c", "echo boom; exit 3"])
    with pytest.raises(BenchError, match="failed \\(exit 3\\)"):
        bench.measure(Scenario("x", "c", side, max_seconds=1), tmp_path, {}, runs=5)


def test_results_round_trip_and_markdown() -> None:
    outcome = bench.judge(scenario(max_ratio=1.15), Stats.of([1.0] * 5), Stats.of([1.0] * 5))
    text = json.dumps(bench.results_document([outcome], "machine", "today"))
    assert bench.parse_results(text) == [outcome]
    with pytest.raises(BenchError, match="not a noxpit benchmark results file"):
        bench.parse_results('{"results": [{"name": 1}]}')
    doc = bench.render_benchmarks_md("# Benchmarks\n\nintro\n", [outcome], "machine", "today")
    again = bench.render_benchmarks_md(doc + "\nafter\n", [outcome], "m2", "later")
    assert again.count(bench.BEGIN) == 1 and "intro" in again and "after" in again
    assert "m2" in again and "| x |" in again


def test_committed_results_parse() -> None:
    results = REPO / "bench" / "results.json"
    if not results.exists():
        pytest.skip("no benchmark results committed yet")
    assert bench.parse_results(results.read_text())


def test_a_group_name_selects_its_members(tmp_path: Path) -> None:
    workspace = Workspace(REPO, tmp_path)
    groups = bench_scenarios.all_groups(workspace, workspace)
    lab_names = [s.name for s in bench_scenarios.select(groups, ["real_target"])]
    assert lab_names == [s.name for s in groups["real_target"]]
    assert all(name.startswith("lab ") for name in lab_names)
    both = bench_scenarios.select(groups, ["lab lint", "real_target"])
    assert both[0].name == "lab lint" and len(both) == len(lab_names)
    with pytest.raises(BenchError, match="unknown benchmark"):
        bench_scenarios.select(groups, ["nope"])
    with pytest.raises(BenchError, match="unknown benchmark"):
        bench_scenarios.select(groups, ["sample"])  # not a group a user names


def test_saving_a_subset_keeps_the_other_rows(tmp_path: Path) -> None:
    def outcome(name: str, seconds: float) -> bench.Outcome:
        scen = Scenario(name, "claim", Side("a", ["true"]), max_seconds=1.0)
        return bench.judge(scen, Stats.of([seconds] * 5), None)

    results = tmp_path / "results.json"
    old = [outcome("x", 0.5), outcome("y", 0.5)]
    results.write_text(json.dumps(bench.results_document(old, "m", "then")))
    saved = bench_scenarios.merged(results, [outcome("y", 2.0), outcome("z", 0.1)])
    assert [(o.name, o.a.median, o.passed) for o in saved] == [
        ("x", 0.5, True),
        ("y", 2.0, False),
        ("z", 0.1, True),
    ]


def test_max_delta_and_accepted_exit_codes(tmp_path: Path) -> None:
    base = Stats.of([0.20] * 5)
    near = Scenario("s", "c", Side("a", ["true"]), Side("b", ["true"]), max_delta=0.05)
    assert bench.judge(near, Stats.of([0.24] * 5), base).passed
    assert not bench.judge(near, Stats.of([0.30] * 5), base).passed
    assert bench.time_side(Side("one", ["sh", "-c", "exit 1"], accept=(0, 1)), tmp_path, {}) >= 0
    with pytest.raises(BenchError, match="exit 2"):
        bench.time_side(Side("two", ["sh", "-c", "exit 2"], accept=(0, 1)), tmp_path, {})


def test_generated_changelog_is_a_megabyte() -> None:
    text = bench_scenarios.big_changelog("0.1.0")
    assert len(text.encode()) >= bench_scenarios.CHANGELOG_BYTES
    assert text.count("## [") > 50 and "## [Unreleased]" in text
