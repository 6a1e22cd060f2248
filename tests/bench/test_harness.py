"""The benchmark harness loads, judges targets correctly, and its results round-trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sessions.bench import harness as bench
from sessions.bench import scenarios as bench_scenarios
from sessions.bench.harness import BenchError, Scenario, Side, Stats
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
    assert order.read_text().split() == ["a", "b"] * 5
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


def test_scenarios_cover_every_target(tmp_path: Path) -> None:
    workspace = bench_scenarios.Workspace(REPO, tmp_path)
    names = [s.name for s in bench_scenarios.scenarios(workspace)]
    expected = [
        "tests",
        "setup",
        "nox start-up",
        "examples",
        "dialyzer",
        "release --dry-run",
        "release",
        "doctor",
    ]
    assert names == expected
    with pytest.raises(BenchError, match="unknown benchmark"):
        bench_scenarios.select(bench_scenarios.scenarios(workspace), ["nope"])


def test_generated_changelog_is_a_megabyte() -> None:
    text = bench_scenarios.big_changelog("0.1.0")
    assert len(text.encode()) >= bench_scenarios.CHANGELOG_BYTES
    assert text.count("## [") > 50 and "## [Unreleased]" in text
