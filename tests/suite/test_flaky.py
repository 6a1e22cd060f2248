"""A rerun's JUnit file folded into the first run's: flaky tests pass with their first
failure kept, tests that failed again stay failed, and the counts add up; the policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.core import junit
from sessions.core.status import Status
from sessions.core.target import build_target
from sessions.suite import flaky

pytestmark = pytest.mark.unit

FIRST = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="mix test (default)" tests="3" failures="2" errors="0" skipped="0">
  <testsuite name="PoolTest" tests="3" failures="2" errors="0" skipped="0">
    <testcase classname="PoolTest" name="test ok" file="test/pool_test.exs" line="3"/>
    <testcase classname="PoolTest" name="test races" file="test/pool_test.exs" line="7">
      <failure message="port in use" type="ExUnit.AssertionError">1) test races</failure>
    </testcase>
    <testcase classname="PoolTest" name="test broken" file="test/pool_test.exs" line="9">
      <failure message="1 + 1 == 3" type="ExUnit.AssertionError">2) test broken</failure>
    </testcase>
  </testsuite>
</testsuites>
"""

RERUN = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="mix test (default)" tests="2" failures="1" errors="0" skipped="0">
  <testsuite name="PoolTest" tests="2" failures="1" errors="0" skipped="0">
    <testcase classname="PoolTest" name="test races" file="test/pool_test.exs" line="7"/>
    <testcase classname="PoolTest" name="test broken" file="test/pool_test.exs" line="9">
      <failure message="1 + 1 == 3 again" type="ExUnit.AssertionError">1) again</failure>
    </testcase>
  </testsuite>
</testsuites>
"""


def test_a_test_that_passes_when_rerun_is_flaky_and_the_file_holds_each_test_once() -> None:
    combined = flaky.combine(FIRST, RERUN)
    assert combined.flaky == ("test races (PoolTest)",)
    assert combined.failed == ("test broken (PoolTest)",)
    report = junit.parse(combined.xml)
    assert [(c.name, c.outcome) for c in report.cases] == [
        ("test ok", Status.PASSED),
        ("test races", Status.PASSED),
        ("test broken", Status.FAILED),
    ]
    assert report.counts == junit.Counts(tests=3, failures=1, skipped=0)
    assert 'tests="3" failures="1"' in combined.xml.split("<testsuite ", 1)[0]
    assert '<flakyFailure message="port in use"' in combined.xml
    assert '<rerunFailure message="1 + 1 == 3 again"' in combined.xml


def test_without_a_rerun_file_every_failure_stays_a_failure() -> None:
    combined = flaky.combine(FIRST, None)
    assert combined.flaky == ()
    assert len(combined.failed) == 2
    assert junit.parse(combined.xml).counts.failures == 2


def test_flaky_policy_defaults_to_fail_on_ci_and_warn_locally(tmp_path: Path) -> None:
    (tmp_path / "mix.exs").write_text('def project, do: [app: :p, version: "0.1.0"]\n')
    target = build_target(tmp_path, {})
    assert flaky.flaky_policy(target, {}) == "warn"
    assert flaky.flaky_policy(target, {"CI": "true"}) == "fail"
    assert flaky.flaky_policy(target, {"GITHUB_ACTIONS": "true"}) == "fail"
    assert flaky.flaky_policy(target, {"CI": "false"}) == "warn"
    (tmp_path / "noxpit.toml").write_text('[tests]\nflaky = "warn"\n')
    assert flaky.flaky_policy(build_target(tmp_path, {}), {"CI": "1"}) == "warn"


def test_a_bad_flaky_setting_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "mix.exs").write_text('def project, do: [app: :p, version: "0.1.0"]\n')
    (tmp_path / "noxpit.toml").write_text('[tests]\nflaky = "retry"\n')
    with pytest.raises(flaky.TestsConfigError, match=r"\[tests\] flaky must be one of fail, warn"):
        flaky.flaky_policy(build_target(tmp_path, {}), {})
