"""The ``real_target`` group: issue 11-13 and 17's targets on a copy of the lab's snakepit.

The lab (``../shared/lab/prepare``) leaves a compiled snakepit checkout under
``$XDG_CACHE_HOME/noxpit-lab``; without it the group is skipped with one reason. Each run
copies it (the cached checkout is never touched) and configures the copy with the
``noxpit.toml`` of ``docs/adopting-snakepit.md``, so what is measured is what is documented.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sessions.bench.harness import BenchError, Scenario, Side
from sessions.bench.workspace import Workspace, must, warm

DOC = Path("docs") / "adopting-snakepit.md"
CONFIG_MARKER = "<!-- adopting-snakepit:config -->"
PYENV_VERSION = "3.11.7:3.12.1:3.13.0"  # doctor's remedy behind pyenv shims on the lab machine
# snakepit's python_integration run takes about 4 minutes here: comparisons keep a subset,
# one file per Python venv and one that is :skip_ci as a whole (docs/adopting-snakepit.md).
PYTHON_INTEGRATION_SUBSET = (
    "test/snakepit/streaming_regression_test.exs",
    "test/snakepit/thread_profile_python313_test.exs",
    "test/snakepit/pool/application_cleanup_test.exs",
)
_TAGGED = re.compile(r"@(?:module)?tag :python_integration\b")


def lab_cache(environ: Mapping[str, str]) -> Path:
    xdg = environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache") / (
        "noxpit-lab"
    )


def absent_reason(environ: Mapping[str, str]) -> str | None:
    """Why the group cannot run here, or None when the prepared lab is present."""
    cache = lab_cache(environ)
    if not (cache / "snakepit" / "_build" / "test").is_dir() or not (cache / "env.sh").is_file():
        return f"the lab is not prepared ({cache}/snakepit absent): run ../shared/lab/prepare"
    if not shutil.which("uv"):
        return "uv is not on PATH (snakepit starts its Python workers through it)"
    return None


def doc_config(suite_root: Path) -> str:
    """The TOML block right after the marker in docs/adopting-snakepit.md."""
    text = (suite_root / DOC).read_text()
    block = re.search(r"```toml\n(.*?)```", text.split(CONFIG_MARKER, 1)[-1], re.DOTALL)
    if CONFIG_MARKER not in text or block is None:
        raise BenchError(f"{DOC}: no ```toml block after {CONFIG_MARKER}")
    return block.group(1)


def trim_python_integration(root: Path) -> list[str]:
    """Remove (and commit the removal of) every python_integration file outside the subset."""
    removed = [
        rel
        for path in sorted((root / "test").rglob("*_test.exs"))
        if (rel := str(path.relative_to(root))) not in PYTHON_INTEGRATION_SUBSET
        and _TAGGED.search(path.read_text())
    ]
    for rel in removed:
        (root / rel).unlink()
    identity = ["-c", "user.name=noxpit", "-c", "user.email=noxpit@invalid"]
    _git(root, "add", "-A", "test")
    _git(root, *identity, "commit", "-q", "-m", "keep the compared python_integration subset")
    return removed


def _git(root: Path, *args: str) -> str:
    return must(["git", *args], cwd=root)


def lab_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` plus what the lab's env.sh exports (its Elixir first, offline Hex)."""
    env_sh = lab_cache(environ) / "env.sh"
    dumped = must(["bash", "-c", '. "$1" && env -0', "bash", str(env_sh)], env_sh.parent, environ)
    env = dict(item.split("=", 1) for item in dumped.split("\0") if "=" in item)
    env.update(
        {
            "PYENV_VERSION": PYENV_VERSION,
            "SNAKEPIT_EXAMPLE_DURATION_MS": "3000",
            "SNAKEPIT_DEMO_DURATION_MS": "3000",
        }
    )
    return env


@dataclass(frozen=True)
class LabCopies:
    """Two configured copies: ``uv`` (every scenario) and ``pip`` (setup's baseline)."""

    uv: Path
    pip: Path


def copies_at(base: Path) -> LabCopies:
    return LabCopies(base / "lab", base / "lab-pip")


def make_copies(suite_root: Path, copies: LabCopies, environ: Mapping[str, str]) -> None:
    checkout = lab_cache(environ) / "snakepit"
    config = doc_config(suite_root)
    for root, installer in ((copies.uv, "uv"), (copies.pip, "pip")):
        shutil.rmtree(root, ignore_errors=True)
        must(["cp", "-a", str(checkout), str(root)], cwd=root.parent)
        (root / "noxpit.toml").write_text(f'{config}\n[setup]\ninstaller = "{installer}"\n')
        with (root / ".git" / "info" / "exclude").open("a") as exclude:
            exclude.write("noxpit.toml\n")
        trim_python_integration(root)


def restore(root: Path) -> Callable[[], None]:
    """Undo what snakepit's python_integration bootstrap rewrites (its gRPC stubs)."""

    def checkout() -> None:
        _git(root, "checkout", "--", ".")

    return checkout


def drop(*paths: Path) -> Callable[[], None]:
    def remove() -> None:
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)

    return remove


def in_turn(*steps: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        for step in steps:
            step()

    return run


def same_examples(root: Path) -> Callable[[], None]:
    """After each examples run: the same status per example as the first run had."""
    first: dict[str, str] = {}

    def check() -> None:
        manifest = json.loads((root / "_build" / "noxpit" / "examples.json").read_text())
        statuses = {name: item["status"] for name, item in manifest["examples"].items()}
        if not first:
            first.update(statuses)
        elif statuses != first:
            changed = sorted(n for n in statuses if statuses[n] != first.get(n))
            raise BenchError(f"examples differ between runs: {', '.join(changed)}")

    return check


def same_suites(root: Path) -> Callable[[], None]:
    """After each ``nox -s tests`` run: every suite ran as many tests as in the first run
    (the counts the plain script's steps give: 136 pytest, 641 default, 9 of the subset)."""
    first: dict[str, int] = {}

    def check() -> None:
        report = json.loads((root / "_build" / "noxpit" / "report.json").read_text())
        counts = {suite["name"]: suite["tests"] for suite in report["suites"]}
        if not first:
            first.update(counts)
        elif counts != first:
            raise BenchError(f"nox -s tests ran other tests than its first run: {counts}")

    return check


CHECK_STEPS = ("lint", "tests", "examples", "docs_check")


def scenarios(ws: Workspace, copies: LabCopies) -> list[Scenario]:
    """The group; ``ws`` carries the lab's environment (``lab_environment``)."""
    lab, pip_lab = copies.uv, copies.pip
    on, on_pip = ws.env(lab), ws.env(pip_lab)
    venv_bin = lab / ".venv" / "bin"
    by_hand = {**on, "MIX_ENV": "test", "PATH": f"{venv_bin}{os.pathsep}{on['PATH']}"}
    plain = ["bash", str(ws.suite_root / "bench" / "plain_lab_tests.sh"), str(lab)]
    setup = warm(ws, "-s", "setup", project=lab)
    both = (0, 1)  # a load-flaky failure must not end the measurement
    release = ("-s", "release", "--", "patch", "--dry-run", "--allow-empty")
    examples_same = same_examples(lab)
    return [
        Scenario(
            name="lab tests",
            claim="`nox -s tests` on the lab vs a plain script of snakepit's CI test steps",
            a=Side(
                "nox -s tests",
                ws.nox("-s", "tests"),
                on,
                before=restore(lab),
                after=same_suites(lab),
                accept=both,
            ),
            b=Side("snakepit CI steps", plain, by_hand, before=restore(lab), accept=both),
            max_ratio=0.9,
            # The first python_integration run makes snakepit's managed venv (uv, ~100 MB):
            # an untimed run pays it, so neither side does.
            prepare=in_turn(setup, warm(ws, "-s", "tests", project=lab, accept=both)),
            runs=3,  # about 2 minutes a pair; one run per side said 0.80x or 1.28x by the load
        ),
        Scenario(
            name="lab examples",
            claim="`nox -s examples` on the lab, default --jobs vs --jobs 1, same results",
            a=Side("default --jobs", ws.nox("-s", "examples"), on, after=examples_same),
            b=Side(
                "--jobs 1",
                ws.nox("-s", "examples", "--", "--jobs", "1"),
                on,
                after=examples_same,
            ),
            max_ratio=0.6,
            prepare=in_turn(setup, warm(ws, "-s", "examples", "--", "grpc_basic", project=lab)),
            runs=3,  # about 2.5 minutes a pair
        ),
        Scenario(
            name="lab check",
            claim="`nox -s check` on the lab vs the same steps as separate `nox` sessions "
            "one after another (dialyzer left out: its cold PLT takes 20 minutes here)",
            a=Side("nox -s check", ws.nox("-s", "check", "--", *CHECK_STEPS), on, accept=both),
            b=Side(
                "sequential sessions",
                ws.sequential_check("setup", "doctor", *CHECK_STEPS),
                on,
                accept=both,  # docs_check reports snakepit's own stale docs
            ),
            prepare=in_turn(
                setup, warm(ws, "-s", "check", "--", *CHECK_STEPS, project=lab, accept=both)
            ),
            runs=1,  # about 4 minutes a pair; no target yet (issue 14): measured and reported
        ),
        Scenario(
            name="lab lint",
            claim="`nox -s lint` (its build dir absent) vs in-place "
            "`mix compile --force --warnings-as-errors`",
            a=Side(
                "nox -s lint",
                ws.nox("-s", "lint"),
                on,
                before=drop(lab / "_build" / "noxpit-lint-test"),
            ),
            b=Side(
                "mix compile --force",
                ["mix", "compile", "--force", "--warnings-as-errors"],
                by_hand,
                cwd=lab,
            ),
            max_ratio=1.3,
            prepare=setup,
            runs=3,
        ),
        Scenario(
            name="lab docs_check",
            claim="`nox -s docs_check` warm on the lab's hundreds of Markdown files",
            a=Side("nox -s docs_check", ws.nox("-s", "docs_check"), on, accept=both),
            max_seconds=3.0,
            prepare=warm(ws, "-s", "docs_check", project=lab, accept=both),
        ),
        Scenario(
            name="lab release --dry-run",
            claim="`nox -s release -- patch --dry-run --allow-empty` warm on the lab",
            a=Side("release --dry-run", ws.nox(*release), on),
            max_seconds=1.5,
            prepare=in_turn(restore(lab), warm(ws, *release, project=lab)),  # a clean tree
        ),
        Scenario(
            name="lab setup cold",
            claim="cold `nox -s setup` on the lab (both venvs absent, caches warm), uv vs pip",
            a=Side(
                "uv", ws.nox("-s", "setup"), on, before=drop(lab / ".venv", lab / ".venv-py313")
            ),
            b=Side(
                "pip",
                ws.nox("-s", "setup"),
                on_pip,
                before=drop(pip_lab / ".venv", pip_lab / ".venv-py313"),
            ),
            max_ratio=0.35,
            prepare=in_turn(setup, warm(ws, "-s", "setup", project=pip_lab)),
            runs=3,
        ),
    ]
