"""The examples session's logic without mix: config, discovery, selection, flags,
scheduling, the parallel runner (with Python children) and what it writes."""

from __future__ import annotations

import json
import os
import sys
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from sessions.core import procs
from sessions.core.console import Console
from sessions.core.options import UsageError
from sessions.core.target import Target, build_target
from sessions.examples import report
from sessions.examples.runner import (
    FAILED,
    OK,
    SKIPPED,
    TIMEOUT,
    Job,
    Outcome,
    next_startable,
    order,
    run_all,
)
from sessions.examples.session import (
    Example,
    ExamplesConfig,
    ExamplesError,
    Settings,
    discover,
    loaded_files,
    parse_config,
    parse_options,
    plan,
    select,
)

pytestmark = pytest.mark.unit

LABEL = "demo/noxpit.toml"
MIX_EXS = 'defmodule Demo.MixProject do\n  def project, do: [app: :demo, version: "1.2.3"]\nend\n'


def make_target(root: Path, files: dict[str, str], config: str = "") -> Target:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mix.exs").write_text(MIX_EXS)
    if config:
        (root / "noxpit.toml").write_text(config)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return build_target(root, {})


def names(target: Target) -> list[str]:
    config = parse_config(target.section("examples"), target.config_label)
    return [example.name for example in discover(target, config).examples]


# --- config --------------------------------------------------------------------------


def test_config_defaults() -> None:
    config = parse_config({}, LABEL)
    assert config == ExamplesConfig()
    assert config.timeout == 60 and config.mix_env == "dev" and config.globs == ("*.exs",)


def test_config_settings_are_read_with_numbers_as_text() -> None:
    config = parse_config(
        {
            "timeout": 30,
            "settings": {
                "pool_size": {"args": ["--size", 4], "timeout": 5.5},
                "greeting": {"env": {"DEMO_MS": 3000, "NAME": "x"}, "exclusive": True},
                "interactive": {"skip": "  reads a terminal "},
            },
        },
        LABEL,
    )
    assert config.timeout == 30.0
    assert config.settings["pool_size"] == Settings(timeout=5.5, args=("--size", "4"))
    assert config.settings["greeting"].env == {"DEMO_MS": "3000", "NAME": "x"}
    assert config.settings["greeting"].exclusive
    assert config.settings["interactive"].skip == "reads a terminal"


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"timout": 5}, "[examples] unknown key(s) timout; use "),
        ({"timeout": 0}, "[examples] `timeout` must be a positive number"),
        ({"timeout": "60"}, "[examples] `timeout` must be a positive number"),
        ({"timeout": True}, "[examples] `timeout` must be a positive number"),
        ({"globs": "*.exs"}, "[examples] `globs` must be a list of strings"),
        ({"globs": []}, "[examples] `globs` must not be empty"),
        ({"recursive": "yes"}, "[examples] `recursive` must be true or false"),
        ({"helpers": [1]}, "[examples] `helpers` must be a list of strings"),
        ({"mix_env": "Dev env"}, "[examples] `mix_env` must be a Mix env name"),
        ({"settings": []}, "[examples] `settings` must be tables"),
        ({"settings": {"a": 1}}, "[examples.settings.a] must be a table"),
        ({"settings": {"a": {"arg": []}}}, "[examples.settings.a]: unknown key(s) arg; use "),
        ({"settings": {"a": {"args": "4"}}}, "[examples.settings.a]: `args` must be a list"),
        ({"settings": {"a": {"args": [True]}}}, "[examples.settings.a]: `args` must be a list"),
        ({"settings": {"a": {"env": ["X=1"]}}}, "[examples.settings.a]: `env` must be a table"),
        ({"settings": {"a": {"env": {"X": [1]}}}}, "[examples.settings.a]: `env` must be a table"),
        ({"settings": {"a": {"skip": True}}}, "[examples.settings.a]: `skip` must be the reason"),
        ({"settings": {"a": {"skip": " "}}}, "[examples.settings.a]: `skip` must be the reason"),
        ({"settings": {"a": {"exclusive": 1}}}, "[examples.settings.a]: `exclusive` must be"),
        ({"settings": {"a": {"timeout": -1}}}, "[examples.settings.a]: `timeout` must be"),
    ],
)
def test_bad_config_is_one_line_naming_file_and_key(section: dict[str, Any], expected: str) -> None:
    with pytest.raises(ExamplesError) as caught:
        parse_config(section, LABEL)
    message = str(caught.value)
    assert message.startswith(f"{LABEL}: ")
    assert expected in message
    assert "\n" not in message


# --- discovery -----------------------------------------------------------------------


def test_loaded_files_understands_the_usual_forms(tmp_path: Path) -> None:
    root = tmp_path
    example = root / "examples" / "demo.exs"
    source = "\n".join(
        [
            'Code.require_file("bootstrap.exs", __DIR__)',
            'Code.require_file "support/a.exs", __DIR__',
            'Code.require_file("examples/from_root.exs")',
            'Code.require_file(Path.join(__DIR__, "joined.exs"))',
            'Code.eval_file(Path.expand("expanded.exs", __DIR__))',
            '# Code.require_file("commented.exs", __DIR__)',
            'x = 1  # Code.require_file("trailing_comment.exs", __DIR__)',
            'Code.require_file("#{dir}/interpolated.exs")',
        ]
    )
    found = loaded_files(source, example, root)
    here = root / "examples"
    assert found == {
        (here / "bootstrap.exs").resolve(),
        (here / "support" / "a.exs").resolve(),
        (here / "from_root.exs").resolve(),
        (here / "joined.exs").resolve(),
        (here / "expanded.exs").resolve(),
    }


def test_default_helpers_are_left_out(tmp_path: Path) -> None:
    target = make_target(
        tmp_path / "demo",
        {
            "examples/hello.exs": 'Code.require_file("shared.exs", __DIR__)\nIO.puts(1)\n',
            "examples/second.exs": 'Code.require_file("examples/common.exs")\n',
            "examples/shared.exs": "defmodule Shared do end\n",
            "examples/common.exs": "defmodule Common do end\n",
            "examples/my_bootstrap.exs": "",
            "examples/run_examples.exs": "",
            "examples/nested/deep.exs": "",
            "examples/notes.md": "",
        },
    )
    config = parse_config({}, LABEL)
    found = discover(target, config)
    assert [e.name for e in found.examples] == ["hello", "second"]
    assert set(found.helpers) == {"shared", "common", "my_bootstrap", "run_examples"}


def test_configured_helpers_replace_detection_and_recursion_finds_subdirs(tmp_path: Path) -> None:
    target = make_target(
        tmp_path / "demo",
        {
            "examples/a.exs": 'Code.require_file("bootstrap.exs", __DIR__)\n',
            "examples/bootstrap.exs": "",
            "examples/support/util.exs": "",
            "examples/nested/deep.exs": "",
        },
        '[examples]\nrecursive = true\nhelpers = ["support/*"]\n',
    )
    assert names(target) == ["a", "bootstrap", "nested/deep"]


def test_globs_choose_the_files(tmp_path: Path) -> None:
    target = make_target(
        tmp_path / "demo",
        {"examples/demo_one.exs": "", "examples/other.exs": ""},
        '[examples]\nglobs = ["demo_*.exs"]\n',
    )
    assert names(target) == ["demo_one"]


def test_settings_for_a_missing_example_is_an_error(tmp_path: Path) -> None:
    target = make_target(
        tmp_path / "demo",
        {"examples/hello.exs": ""},
        '[examples.settings.helo]\nargs = ["1"]\n',
    )
    with pytest.raises(
        ExamplesError,
        match=r"\[examples.settings.helo\] names no example; "
        r"examples are: hello",
    ):
        names(target)


def test_missing_dir_and_empty_dir_are_one_line(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", {})
    with pytest.raises(ExamplesError, match="no examples directory at examples; create it"):
        names(target)
    (target.root / "examples").mkdir()
    (target.root / "examples" / "bootstrap.exs").write_text("")
    with pytest.raises(ExamplesError, match=r"no examples in examples match \*\.exs"):
        names(target)


# --- selection and flags -------------------------------------------------------------

EXAMPLES = [Example(name, Path(f"/x/examples/{name}.exs")) for name in ("a", "b", "c")]


def test_select_accepts_names_and_paths_in_the_given_order() -> None:
    chosen = select(EXAMPLES, ["c", "examples/a.exs", "c", "./b.exs"])
    assert [e.name for e in chosen] == ["c", "a", "b"]
    assert select(EXAMPLES, []) == EXAMPLES


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(ExamplesError, match=r"^unknown example `nope`; valid names: a, b, c$"):
        select(EXAMPLES, ["a", "nope"])


def test_options_parse_and_report_is_relative_to_where_nox_ran(tmp_path: Path) -> None:
    options = parse_options(["-j", "3", "--timeout", "2.5", "--report", "out/x.md", "a"], tmp_path)
    assert options.jobs == 3 and options.timeout == 2.5
    assert options.report == tmp_path / "out" / "x.md"
    assert options.names == ("a",)
    assert parse_options(["--list", "--failed"], tmp_path).failed


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--jobs", "0"], "must be at least 1"),
        (["--jobs", "two"], "not a whole number"),
        (["--timeout", "0"], "must be more than 0"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--failed", "a"], "give example names or --failed, not both"),
    ],
)
def test_bad_flags_give_one_usage_line(argv: list[str], reason: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        parse_options(argv, tmp_path)
    message = str(caught.value)
    assert message.startswith("Usage: nox -s examples -- ")
    assert "[--jobs N]" in message and reason in message
    assert "\n" not in message


# --- planning and scheduling ---------------------------------------------------------


def job(name: str, *, exclusive: bool = False, skip: str | None = None) -> Job:
    return Job(name, ("true",), Path("/"), {}, 60, Path(f"/logs/{name}.log"), exclusive, skip)


def test_plan_builds_the_mix_command_env_and_timeouts(tmp_path: Path) -> None:
    target = make_target(
        tmp_path / "demo",
        {"examples/hello.exs": "", "examples/size.exs": ""},
        'python_env = "DEMO_PYTHON"\n'
        '[examples.settings.size]\nargs = ["3"]\ntimeout = 9\nenv = { N = "1" }\n',
    )
    config = parse_config(target.section("examples"), target.config_label)
    jobs = {j.name: j for j in plan(target, discover(target, config).examples, config, 42)}
    assert jobs["size"].command == (
        "mix",
        "run",
        "--no-deps-check",
        "--no-archives-check",
        "--no-elixir-version-check",
        "--no-start",
        "--no-compile",
        "examples/size.exs",
        "3",
    )
    assert jobs["size"].env == {
        "MIX_ENV": "dev",
        "DEMO_PYTHON": str(target.venv_python),
        "N": "1",
    }
    assert (jobs["size"].timeout, jobs["hello"].timeout) == (9, 42)
    assert jobs["hello"].log == target.reports_dir / "examples" / "hello.log"
    assert jobs["hello"].cwd == target.root


def test_order_skipped_first_then_slowest_known_then_exclusive() -> None:
    jobs = [job("fast"), job("slow"), job("new"), job("port", exclusive=True), job("s", skip="x")]
    ordered = order(jobs, {"fast": 1.0, "slow": 9.0, "port": 5.0})
    assert [j.name for j in ordered] == ["s", "new", "slow", "fast", "port"]


def test_next_startable_respects_jobs_and_exclusive() -> None:
    a, b, port = job("a"), job("b"), job("port", exclusive=True)
    assert next_startable([a, b], [], 2) == 0
    assert next_startable([b], [a], 2) == 0
    assert next_startable([b], [a], 1) is None
    assert next_startable([port, b], [a], 2) == 1  # the exclusive one waits; b may go
    assert next_startable([port], [a], 4) is None
    assert next_startable([port, b], [], 4) == 0
    assert next_startable([a, b], [port], 4) is None  # nothing beside an exclusive job


# --- the runner, with Python children ------------------------------------------------

RECORD = """
import sys, time, pathlib
out = pathlib.Path(sys.argv[1])
start = time.time()
time.sleep(float(sys.argv[2]))
out.write_text(f"{start} {time.time()}")
"""


def python_job(
    tmp_path: Path, name: str, script: str, *args: str, timeout: float = 30, exclusive: bool = False
) -> Job:
    return Job(
        name=name,
        command=(sys.executable, "-c", script, *args),
        cwd=tmp_path,
        env={"EXAMPLE_NAME": name},
        timeout=timeout,
        log=tmp_path / "logs" / f"{name}.log",
        exclusive=exclusive,
    )


def test_runner_runs_in_parallel_and_an_exclusive_job_alone(tmp_path: Path) -> None:
    spans = {name: tmp_path / f"{name}.span" for name in ("a", "b", "c", "port")}
    jobs = [
        python_job(tmp_path, name, RECORD, str(spans[name]), "0.6", exclusive=name == "port")
        for name in ("port", "a", "b", "c")
    ]
    seen: list[str] = []
    started = time.monotonic()
    outcomes = run_all(order(jobs, {}), 3, lambda o: seen.append(o.name))
    wall = time.monotonic() - started
    assert sorted(seen) == ["a", "b", "c", "port"]
    assert all(o.status == OK for o in outcomes)
    times = {name: tuple(map(float, path.read_text().split())) for name, path in spans.items()}
    # a, b and c overlapped; port overlapped none of them.
    assert max(times[n][0] for n in "abc") < min(times[n][1] for n in "abc")
    for name in "abc":
        assert times[name][1] <= times["port"][0] or times["port"][1] <= times[name][0]
    assert wall < 4 * 0.6 + 1.5  # parallel, not 4 x sequential plus overhead


def test_runner_logs_output_and_reports_failure_with_exit_code(tmp_path: Path) -> None:
    script = "import os, sys; print('about to fail', os.environ['EXAMPLE_NAME']); sys.exit(3)"
    [outcome] = run_all([python_job(tmp_path, "boom", script)], 2, lambda o: None)
    assert (outcome.status, outcome.returncode) == (FAILED, 3)
    log = (tmp_path / "logs" / "boom.log").read_text()
    assert log.startswith(f"$ cd {tmp_path} && EXAMPLE_NAME=boom ")
    assert "about to fail boom" in log


def test_runner_skips_without_starting(tmp_path: Path) -> None:
    skipped = Job("s", ("/nonexistent/binary",), tmp_path, {}, 5, tmp_path / "s.log", skip="why")
    [outcome] = run_all([skipped], 1, lambda o: None)
    assert (outcome.status, outcome.note) == (SKIPPED, "why")
    assert not (tmp_path / "s.log").exists()


def test_runner_closes_stdin(tmp_path: Path) -> None:
    script = "import sys; data = sys.stdin.read(); print('eof' if data == '' else 'data')"
    [outcome] = run_all([python_job(tmp_path, "reads", script, timeout=10)], 1, lambda o: None)
    assert outcome.status == OK
    assert "eof" in (tmp_path / "logs" / "reads.log").read_text()


SETSID_HANG = """
import subprocess, sys, time

child = subprocess.Popen(["sleep", "300"], start_new_session=True)
open(sys.argv[1], "w").write(str(child.pid))
time.sleep(300)
"""


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_runner_timeout_kills_the_tree_including_setsid_strays(tmp_path: Path) -> None:
    pidfile = tmp_path / "stray.pid"
    hang = python_job(tmp_path, "hang", SETSID_HANG, str(pidfile), timeout=1.0)
    ok = python_job(tmp_path, "ok", "print('fine')")
    started = time.monotonic()
    outcomes = {o.name: o for o in run_all([hang, ok], 2, lambda o: None)}
    assert time.monotonic() - started < 1.0 + procs.GRACE_SECONDS + 1.5
    assert outcomes["hang"].status == TIMEOUT and outcomes["ok"].status == OK
    assert 1.0 <= outcomes["hang"].seconds < 1.0 + procs.GRACE_SECONDS + 1
    stray = int(pidfile.read_text())
    time.sleep(0.1)
    assert not alive(stray)
    assert "timed out after 1s" in (tmp_path / "logs" / "hang.log").read_text()


def test_runner_kills_everything_when_interrupted(tmp_path: Path) -> None:
    pidfile = tmp_path / "stray.pid"
    hang = python_job(tmp_path, "hang", SETSID_HANG, str(pidfile), timeout=60)

    def interrupt(outcome: Outcome) -> None:
        raise KeyboardInterrupt

    quick = python_job(tmp_path, "quick", "import time; time.sleep(0.5)")
    with pytest.raises(KeyboardInterrupt):
        run_all([hang, quick], 2, interrupt)
    stray = int(pidfile.read_text())
    time.sleep(0.1)
    assert not alive(stray)
    assert not procs._live


# --- report --------------------------------------------------------------------------

NOW = datetime(2025, 3, 4, 5, 6, tzinfo=UTC)


def outcomes_and_jobs(tmp_path: Path) -> tuple[list[Outcome], dict[str, Job]]:
    log = tmp_path / "boom.log"
    log.write_text("$ cmd\n" + "".join(f"line {n}\n" for n in range(40)))
    outcomes = [
        Outcome("hello", OK, 1.25, 0),
        Outcome("boom", FAILED, 0.5, 1, log=log),
        Outcome("hang", TIMEOUT, 6.0, None, log=tmp_path / "hang.log"),
        Outcome("tty", SKIPPED, note="reads a terminal"),
    ]
    jobs = {"hang": job("hang"), "port": job("port", exclusive=True)}
    return outcomes, jobs


def test_progress_lines() -> None:
    assert report.progress_line(1, 4, Outcome("hello", OK, 1.25, 0)) == "[1/4] hello ... ok 1.2s"
    assert (
        report.progress_line(2, 4, Outcome("boom", FAILED, 0.5, 1))
        == "[2/4] boom ... FAILED 0.5s (exit 1)"
    )
    assert report.progress_line(3, 4, Outcome("h", TIMEOUT, 6.0)) == "[3/4] h ... TIMEOUT 6.0s"
    assert (
        report.progress_line(4, 4, Outcome("t", SKIPPED, note="reads a terminal"))
        == "[4/4] t ... skipped: reads a terminal"
    )


def test_summary_rows_and_counts(tmp_path: Path) -> None:
    outcomes, jobs = outcomes_and_jobs(tmp_path)
    assert report.summary_rows(outcomes, jobs) == [
        ["hello", "ok", "1.2s", ""],
        ["boom", "FAILED", "0.5s", "exit 1"],
        ["hang", "TIMEOUT", "6.0s", "killed at the 60s limit"],
        ["tty", "skipped", "-", "reads a terminal"],
    ]
    assert report.counts_line(outcomes) == "4 examples: 1 ok, 1 FAILED, 1 TIMEOUT, 1 skipped"


def test_junit_xml_counts_and_carries_the_log_tail(tmp_path: Path) -> None:
    outcomes, jobs = outcomes_and_jobs(tmp_path)
    xml = report.junit_xml(outcomes, jobs, {"boom": "line 39"})
    suite = ET.fromstring(xml)
    assert suite.attrib["tests"] == "4"
    assert (suite.attrib["failures"], suite.attrib["errors"], suite.attrib["skipped"]) == (
        "1",
        "1",
        "1",
    )
    cases = {case.attrib["name"]: case for case in suite}
    failure = cases["boom"].find("failure")
    assert failure is not None and failure.text == "line 39"
    assert cases["tty"].find("skipped") is not None
    assert cases["hello"].find("failure") is None


def test_markdown_page_has_date_version_and_a_row_per_example(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", {})
    outcomes, jobs = outcomes_and_jobs(tmp_path)
    page = report.markdown_page(outcomes, jobs, target, NOW, "dev")
    lines = page.splitlines()
    assert lines[0] == "# Examples: demo 1.2.3"
    assert "on 2025-03-04 05:06 UTC (MIX_ENV=dev)" in lines[2]
    assert "| example | status | time | notes |" in lines
    assert "| boom | FAILED | 0.5s | exit 1 |" in lines
    assert "| tty | skipped | - | reads a terminal |" in lines


def test_manifest_merges_runs_and_failed_names_come_from_it(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", {})
    outcomes, _ = outcomes_and_jobs(tmp_path)
    first = report.updated_manifest({}, outcomes, ["hello", "boom", "hang", "tty"], target, NOW)
    assert report.failed_names(first["examples"], ["hello", "boom", "hang", "tty"]) == [
        "boom",
        "hang",
    ]
    # Rerun only boom, which now passes; hang keeps its last result; a removed example goes.
    second = report.updated_manifest(
        first["examples"], [Outcome("boom", OK, 0.4, 0)], ["boom", "hang", "tty"], target, NOW
    )
    assert set(second["examples"]) == {"boom", "hang", "tty"}
    assert report.failed_names(second["examples"], ["boom", "hang", "tty"]) == ["hang"]
    assert report.durations(second["examples"]) == {"boom": 0.4, "hang": 6.0}
    assert second["version"] == "1.2.3"


def test_read_manifest_missing_or_broken(tmp_path: Path) -> None:
    path = tmp_path / "examples.json"
    assert report.read_manifest(path, strict=False) == {}
    with pytest.raises(report.ReportError, match="no previous run recorded"):
        report.read_manifest(path, strict=True)
    path.write_text("{not json")
    assert report.read_manifest(path, strict=False) == {}
    with pytest.raises(report.ReportError, match="is not a noxpit examples manifest"):
        report.read_manifest(path, strict=True)


def test_finish_prints_tails_table_and_writes_files(tmp_path: Path) -> None:
    target = make_target(tmp_path / "demo", {})
    outcomes, jobs = outcomes_and_jobs(tmp_path)
    stream = StringIO()
    console = Console(stream, {"NO_COLOR": "1"})
    page = tmp_path / "site" / "examples.md"
    known = [o.name for o in outcomes]
    report.finish(console, target, outcomes, list(jobs.values()), known, page, "dev", NOW)
    out = stream.getvalue()
    assert "--- boom: FAILED, exit 1; last lines of" in out
    assert "    line 39" in out and "    line 14" not in out  # only the tail
    assert "noxpit examples summary: 4 examples: 1 ok, 1 FAILED, 1 TIMEOUT, 1 skipped" in out
    manifest = json.loads(report.manifest_path(target.reports_dir).read_text())
    assert manifest["examples"]["boom"]["status"] == FAILED
    assert ET.parse(report.junit_path(target.reports_dir)).getroot().attrib["tests"] == "4"
    assert page.read_text().startswith("# Examples: demo 1.2.3")
    leftovers = [p.name for p in target.reports_dir.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_write_to_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(report.ReportError, match=r"^cannot write .*; check the path$"):
        report._write_atomic(blocker / "x.md", "text")


def test_default_jobs_is_the_cpu_count() -> None:
    from sessions.examples.session import default_jobs

    assert default_jobs() == len(os.sched_getaffinity(0))
