"""Every session on one copy of the lab's snakepit with the config docs/adopting-snakepit.md
gives, against the same commands run by hand on the same checkout.

What a maintainer checks: the suites run as many tests as snakepit's CI steps by hand; a
failure only noxpit has must also fail when run again alone (the lab's load-flaky tests
pass alone); every example that fails in the parallel run fails alone too; and noxpit
leaves `git status` as the by-hand commands leave it.

The python_integration comparison runs on a subset (sessions.bench.lab's
PYTHON_INTEGRATION_SUBSET): by hand the whole tag takes about 4 minutes on this machine, and
both runs would pay it. The copy commits the removal of every other file that holds
python_integration tests, so `nox -s tests` (which takes no file list) and the by-hand
`mix test --only python_integration` run exactly the same tests. The subset keeps one file
on each Python (3.12's `.venv`, 3.13's `.venv-py313`) and one that is `:skip_ci` as a
whole, so the exclude is part of what is compared.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sessions.bench.lab import PYENV_VERSION, doc_config, trim_python_integration
from sessions.core import junit
from sessions.python.installer import bundled_uv
from tests.helpers import REPO, run_nox

pytestmark = pytest.mark.real_target

PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
ALONE_TRIES = 3
TEST_PYTHON_ENV = {"OTEL_TRACES_EXPORTER": "none", "SNAKEPIT_OTEL_CONSOLE": "false"}
EXUNIT = re.compile(
    r"(?:(\d+) doctests?, )?(\d+) tests?, (\d+) failures?(?:, (\d+) excluded)?"
    r"(?:, \d+ invalid)?(?:, (\d+) skipped)?"
)
EXUNIT_FAILURE = re.compile(r"^\s+\d+\) (?:test|doctest) .*\n\s+(\S+\.exs):(\d+)", re.MULTILINE)
PYTEST_SUMMARY = re.compile(r"^=+ (.*\d+ (?:passed|failed).*) in [\d.]+s.* =+$", re.MULTILINE)
PYTEST_FAILED = re.compile(r"^FAILED (\S+)", re.MULTILINE)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


@dataclass
class Suite:
    """Tests run, excluded, skipped, and the failures as stable keys (file:line, test name)."""

    run: int
    excluded: int = 0
    skipped: int = 0
    failures: set[str] = field(default_factory=set)


def exunit_by_hand(output: str) -> Suite:
    matches = EXUNIT.findall(output)
    assert matches, output[-3000:]
    doctests, tests, _failed, excluded, skipped = (int(g or 0) for g in matches[-1])
    failed = {f"{path}:{line}" for path, line in EXUNIT_FAILURE.findall(output)}
    return Suite(doctests + tests - excluded, excluded, skipped, failed)


def exunit_ours(report: junit.Report) -> Suite:
    counts = report.counts
    failed = {f"{case.file}:{case.line}" for case in report.failed}
    return Suite(counts.tests, 0, counts.skipped, failed)


def pytest_by_hand(output: str) -> Suite:
    line = PYTEST_SUMMARY.findall(output)[-1]
    counted = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", line)}
    failed = {node.rsplit("::", 1)[-1] for node in PYTEST_FAILED.findall(output)}
    return Suite(sum(counted.values()), 0, counted.get("skipped", 0), failed)


def pytest_ours(report: junit.Report) -> Suite:
    failed = {case.name for case in report.failed}  # the test's name: the class path differs
    return Suite(report.counts.tests, 0, report.counts.skipped, failed)


@dataclass
class Lab:
    root: Path
    env: dict[str, str]
    seconds: dict[str, float] = field(default_factory=dict)

    def nox(self, *args: str, timeout: float = 1200) -> subprocess.CompletedProcess[str]:
        started = time.monotonic()
        done = run_nox(self.root, *args, env=self.env, timeout=timeout)
        self.seconds[f"nox {' '.join(args)}"] = time.monotonic() - started
        return done

    def by_hand(
        self, label: str, command: list[str], cwd: Path | None = None, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        """A command as the maintainer runs it: `.venv/bin` first on PATH, as CI's setup-python."""
        env = {**self.env, "PATH": f"{self.root / '.venv' / 'bin'}{os.pathsep}{self.env['PATH']}"}
        started = time.monotonic()
        done = subprocess.run(
            command,
            cwd=cwd or self.root,
            env={**env, **extra},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=1200,
            check=False,
        )
        self.seconds[label] = time.monotonic() - started
        return done

    def restore(self) -> None:
        """Undo what snakepit's own bootstrap rewrote, so the next step starts clean."""
        git(self.root, "checkout", "--", ".")


def usable_uv(tmp: Path) -> dict[str, str]:
    """uv alone on PATH (as after `pip install uv`), not the rest of its bin directory."""
    found = shutil.which("uv") or bundled_uv()
    if not found:
        pytest.skip("snakepit starts its Python workers through uv, which is not installed")
    bin_dir = tmp / "uv-bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "uv").symlink_to(found)
    return {"uv_dir": str(bin_dir)}


@pytest.fixture(scope="module")
def lab(
    lab_copy: Path, lab_env: Mapping[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Lab]:
    for version, binary in (("3.12.1", "python3.12"), ("3.13.0", "python3.13")):
        if not (PYENV / version / "bin" / binary).is_file():
            pytest.skip(f"snakepit wants Python {version[:4]} ({PYENV / version} not found)")
    uv_dir = usable_uv(tmp_path_factory.mktemp("uv"))["uv_dir"]
    env = {
        **lab_env,
        "PATH": f"{uv_dir}{os.pathsep}{lab_env['PATH']}",
        "PYENV_VERSION": PYENV_VERSION,  # the remedy doctor gives behind pyenv shims
        "SNAKEPIT_EXAMPLE_DURATION_MS": "3000",
        "SNAKEPIT_DEMO_DURATION_MS": "3000",
    }
    (lab_copy / "noxpit.toml").write_text(doc_config(REPO))
    with (lab_copy / ".git" / "info" / "exclude").open("a") as exclude:
        exclude.write("noxpit.toml\n")
    assert trim_python_integration(lab_copy), "no python_integration file left to remove"
    the_lab = Lab(lab_copy, env)
    yield the_lab
    # Each step's wall time, for docs/adopting-snakepit.md (shown with -s).
    lines = [f"{seconds:7.1f} s  {label}" for label, seconds in the_lab.seconds.items()]
    (tmp_path_factory.getbasetemp() / "lab-session-timings.txt").write_text("\n".join(lines))
    print("\n" + "\n".join(lines))


@pytest.fixture(scope="module")
def prepared(lab: Lab) -> Lab:
    """setup then doctor, through nox: both must leave the checkout clean."""
    made = lab.nox("-s", "setup")
    assert made.returncode == 0, made.stdout
    assert git(lab.root, "status", "--porcelain") == ""
    return lab


def test_doctor_is_green_after_setup(prepared: Lab) -> None:
    done = prepared.nox("-s", "doctor", "--", "--json")
    start = done.stdout.index("[\n")
    report = json.loads(done.stdout[start : done.stdout.rindex("]") + 1])
    bad = {item["name"]: item["detail"] for item in report if item["status"] == "error"}
    assert bad == {}, done.stdout
    assert done.returncode == 0, done.stdout
    names = {item["name"] for item in report}
    assert {"venv .venv", "venv .venv-py313", "tool uv"} <= names
    assert git(prepared.root, "status", "--porcelain") == ""


@dataclass
class Compared:
    hand: dict[str, Suite]
    ours: dict[str, Suite]
    left_by_hand: str
    left_by_us: str
    output: str


@pytest.fixture(scope="module")
def compared(prepared: Lab) -> Compared:
    lab = prepared
    python_dir = lab.root / "priv" / "python"
    default = lab.by_hand(
        "mix test --exclude skip_ci", ["mix", "test", "--exclude", "skip_ci"], MIX_ENV="test"
    )
    integration = lab.by_hand(
        "mix test --only python_integration --exclude skip_ci",
        ["mix", "test", "--only", "python_integration", "--exclude", "skip_ci"],
        MIX_ENV="test",
    )
    pytest_run = lab.by_hand(  # test_python.sh, line for line
        "test_python.sh",
        [str(lab.root / ".venv" / "bin" / "python"), "-m", "pytest", "tests/", "-v"],
        cwd=python_dir,
        PYTHONPATH=str(python_dir),
        OTEL_TRACES_EXPORTER="none",
        SNAKEPIT_OTEL_CONSOLE="false",
    )
    hand = {
        "default": exunit_by_hand(default.stdout),
        "python_integration": exunit_by_hand(integration.stdout),
        "pytest": pytest_by_hand(pytest_run.stdout),
    }
    left_by_hand = git(lab.root, "status", "--porcelain")
    lab.restore()

    ours_run = lab.nox("-s", "tests")
    reports = lab.root / "_build" / "noxpit"
    ours = {
        "default": exunit_ours(junit.read(reports / "mix-test-default.xml")),
        "python_integration": exunit_ours(junit.read(reports / "mix-test-python_integration.xml")),
        "pytest": pytest_ours(junit.read(reports / "pytest.xml")),
    }
    left_by_us = git(lab.root, "status", "--porcelain")
    lab.restore()
    return Compared(hand, ours, left_by_hand, left_by_us, ours_run.stdout)


def test_suites_run_as_many_tests_as_by_hand(compared: Compared) -> None:
    for suite, hand in compared.hand.items():
        ours = compared.ours[suite]
        assert (suite, ours.run, ours.skipped) == (suite, hand.run, hand.skipped), compared.output


def test_no_failure_that_by_hand_lacks_unless_it_fails_alone(
    compared: Compared, prepared: Lab
) -> None:
    """A failure only noxpit's run has is run again alone, through noxpit and by hand: a
    load-flaky test passes (or fails) both ways; noxpit's fault fails only through it."""
    python_dir = prepared.root / "priv" / "python"
    for suite, ours in compared.ours.items():
        for key in sorted(ours.failures - compared.hand[suite].failures):
            if suite == "pytest":
                pattern = key.split("[", 1)[0]
                ours_alone = ["-s", "pytest", "--", "-k", pattern]
                venv_python = str(prepared.root / ".venv" / "bin" / "python")
                by_hand = [venv_python, "-m", "pytest", "tests/", "-k", pattern]
                where, extra = python_dir, TEST_PYTHON_ENV | {"PYTHONPATH": str(python_dir)}
            else:
                ours_alone = ["-s", "mix_test", "--", suite, key]
                only = [] if suite == "default" else ["--only", suite]
                by_hand = ["mix", "test", *only, "--exclude", "skip_ci", key]
                where, extra = prepared.root, {"MIX_ENV": "test"}
            alone = next(  # a race (ProcessKillerTest's /proc scan) can fail one run alone
                (
                    done
                    for _ in range(ALONE_TRIES)
                    if (done := prepared.nox(*ours_alone)).returncode == 0
                ),
                None,
            )
            hand = None if alone else prepared.by_hand(f"alone: {key}", by_hand, cwd=where, **extra)
            prepared.restore()
            assert alone or (hand and hand.returncode != 0), (
                f"{suite}: {key} fails alone {ALONE_TRIES} times through noxpit, passes by hand"
            )


def test_tests_leave_git_status_as_by_hand(compared: Compared) -> None:
    # snakepit's python_integration bootstrap regenerates its committed gRPC stubs; that is
    # all either run may leave behind.
    assert compared.left_by_us == compared.left_by_hand


def test_lint_agrees_with_the_by_hand_checks(prepared: Lab, compared: Compared) -> None:
    ours = prepared.nox("-s", "lint")
    formatted = prepared.by_hand(
        "mix format --check-formatted", ["mix", "format", "--check-formatted"]
    )
    assert git(prepared.root, "status", "--porcelain") == ""
    compiled = prepared.by_hand(
        "mix compile --force --warnings-as-errors",
        ["mix", "compile", "--force", "--warnings-as-errors"],
        MIX_ENV="test",
    )
    assert (ours.returncode == 0) == (formatted.returncode == 0 and compiled.returncode == 0), (
        ours.stdout + formatted.stdout + compiled.stdout
    )


def test_examples_failing_in_parallel_fail_alone(prepared: Lab, compared: Compared) -> None:
    parallel = prepared.nox("-s", "examples")
    manifest = json.loads((prepared.root / "_build" / "noxpit" / "examples.json").read_text())
    statuses = {name: item["status"] for name, item in manifest["examples"].items()}
    assert statuses, parallel.stdout
    failed = sorted(name for name, status in statuses.items() if status in ("failed", "timeout"))
    assert git(prepared.root, "status", "--porcelain") == ""
    if failed:  # once more in parallel: a load spike is not a collision
        prepared.nox("-s", "examples", "--", *failed)
        again = json.loads((prepared.root / "_build" / "noxpit" / "examples.json").read_text())
        failed = [n for n in failed if again["examples"][n]["status"] in ("failed", "timeout")]
    venv_python = str(prepared.root / ".venv" / "bin" / "python3")
    passes_alone = [
        name
        for name in failed
        if prepared.by_hand(
            f"example {name}",
            ["mix", "run", "--no-start", f"examples/{name}.exs"],
            MIX_ENV="test",
            SNAKEPIT_PYTHON=venv_python,
        ).returncode
        == 0
    ]
    assert passes_alone == [], parallel.stdout


def test_docs_check_reports_without_changing_anything(prepared: Lab, compared: Compared) -> None:
    done = prepared.nox("-s", "docs_check")
    assert "Traceback" not in done.stdout
    assert done.returncode == 0 or "docs_check found" in done.stdout, done.stdout
    assert git(prepared.root, "status", "--porcelain") == ""
