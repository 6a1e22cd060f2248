"""The doctor's runner and output: checks run at once, a crash is that check's error, one
line per check with remedies, the JSON list, and a healthy target end to end."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest

from sessions.core.console import Console
from sessions.core.status import Status
from sessions.core.target import Target
from sessions.doctor import session as doctor
from sessions.doctor.model import Check, Outcome, Probe, Result, error, ok
from tests.doctor.fakes import FakeMachine, make_target, probe_for

pytestmark = pytest.mark.unit


@pytest.fixture
def healthy(tmp_path: Path) -> Target:
    return make_target(
        tmp_path / "demo",
        toml='imports = ["demo_worker", "json"]\n[doctor]\nports = [50051]\n',
    )


def test_a_healthy_target_has_no_errors(healthy: Target, tmp_path: Path) -> None:
    stream = Stream("utf-8")
    results = doctor.diagnose(
        healthy, Console(stream, {"NO_COLOR": "1"}), machine=FakeMachine(tmp_path)
    )
    assert doctor.failed(results) == []
    assert all(r.remedy == "" for r in results if r.status in (Status.PASSED, Status.SKIPPED))
    assert stream.getvalue().splitlines()[-1].endswith("0 error(s), 2 skipped")


def test_a_crashing_check_is_that_checks_error(healthy: Target, tmp_path: Path) -> None:
    def boom(_probe: Probe) -> Outcome:
        raise KeyError("surprise")

    results = doctor.run_checks(
        [
            Check("boom", "crashes", "report it", boom),
            Check("fine", "ok", "", lambda _p: ok("yes")),
        ],
        probe_for(healthy, FakeMachine(tmp_path)),
    )
    assert [(r.name, r.status) for r in results] == [
        ("boom", Status.ERROR),
        ("fine", Status.PASSED),
    ]
    assert results[0].detail == "the check itself failed: KeyError: 'surprise'"
    assert results[0].remedy == "report it"


def test_an_outcome_may_bring_its_own_remedy(healthy: Target, tmp_path: Path) -> None:
    own = Check("own", "", "the usual", lambda _p: error("bad", "something else"))
    [result] = doctor.run_checks([own], probe_for(healthy, FakeMachine(tmp_path)))
    assert result.remedy == "something else"


def test_checks_run_concurrently(healthy: Target, tmp_path: Path) -> None:
    barrier = threading.Barrier(3, timeout=5)

    def meet(_probe: Probe) -> Outcome:
        barrier.wait()  # breaks (and errors) unless all three run at once
        return ok("met")

    checks = [Check(f"c{i}", "", "", meet) for i in range(3)]
    results = doctor.run_checks(checks, probe_for(healthy, FakeMachine(tmp_path)))
    assert [r.status for r in results] == [Status.PASSED] * 3


class Stream(io.StringIO):
    def __init__(self, encoding: str) -> None:
        super().__init__()
        self._encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


RESULTS = [
    Result("python", Status.PASSED, "Python 3.11.7", ""),
    Result("ports", Status.ERROR, "127.0.0.1: 50051 (in use)", "stop it"),
    Result("deps", Status.SKIPPED, "mix.exs declares no deps", ""),
    Result("venv .venv", Status.WARN, "changed", "run `nox -s setup`"),
]


@pytest.mark.parametrize(
    ("encoding", "marks"),
    [("utf-8", ("✅", "❌", "⏭️", "⚠️")), ("ascii", ("[ok]", "[FAIL]", "[skip]", "[warn]"))],
)
def test_render_marks_and_remedies(encoding: str, marks: tuple[str, ...]) -> None:
    stream = Stream(encoding)
    doctor.render(RESULTS, Console(stream, {"NO_COLOR": "1"}))
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith(marks[0]) and "python" in lines[0]
    assert lines[1].startswith(marks[1]) and lines[1].endswith("127.0.0.1: 50051 (in use)")
    assert lines[2].strip() == "-> stop it"
    assert lines[3].startswith(marks[2])
    assert lines[4].startswith(marks[3])
    assert lines[5].strip() == "-> run `nox -s setup`"
    assert lines[-1] == "doctor: 1 ok, 1 warning(s), 1 error(s), 1 skipped"
    if encoding == "ascii":
        stream.getvalue().encode("ascii")  # nothing the terminal cannot show


def test_json_output_keeps_the_printed_words(healthy: Target, tmp_path: Path) -> None:
    stream = Stream("utf-8")
    results = doctor.diagnose(
        healthy,
        Console(stream, {}),
        as_json=True,
        machine=FakeMachine(tmp_path, busy={50051: "in use"}),
    )
    parsed = json.loads(stream.getvalue())
    assert [item["name"] for item in parsed] == [r.name for r in results]
    assert set(parsed[0]) == {"name", "status", "detail", "remedy"}
    assert {item["status"] for item in parsed} <= {"ok", "warn", "error", "skip"}
    ports = next(item for item in parsed if item["name"] == "ports")
    assert ports["status"] == "error" and "sport" in ports["remedy"]
    assert doctor.failed(results) == ["ports"]
