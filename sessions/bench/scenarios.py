"""The performance targets of the issues, as benchmark scenarios on a copy of the sample.

Each scenario is data: the commands to time, what must hold, and the untimed preparation.
Everything runs in a private workspace (a copy of ``sample/`` and its own cache dir), so
the benchmark never touches the user's checkout or PLT cache.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from sessions.bench import cold, lab
from sessions.bench.harness import (
    HEADERS,
    MIN_RUNS,
    BenchError,
    Outcome,
    Scenario,
    Side,
    machine_description,
    measure,
    now_text,
    parse_results,
    render_benchmarks_md,
    results_document,
    table_rows,
)
from sessions.bench.workspace import Workspace, default_base, warm
from sessions.core.console import Console
from sessions.core.files import atomic_write
from sessions.core.options import PosargsParser
from sessions.elixir.dialyzer_plt import plt_dir

SNIPPETS = 50
CHANGELOG_BYTES = 1_000_000


def populate(workspace: Workspace) -> None:
    """Fresh copies of the sample (the venv is made by the first warm-up run)."""
    if workspace.base.exists():
        shutil.rmtree(workspace.base)
    workspace.base.mkdir(parents=True)
    ignore = shutil.ignore_patterns("_build", "deps", ".venv*", "__pycache__", ".pytest_cache")
    for copy in (workspace.project, workspace.release_project):
        shutil.copytree(workspace.suite_root / "sample", copy, ignore=ignore)
    generate_release_inputs(workspace.release_project)


def big_changelog(version: str, size: int = CHANGELOG_BYTES) -> str:
    """A Keep a Changelog file of about ``size`` bytes, newest release ``version``."""
    major, minor, patch = (int(part) for part in version.split("."))
    header = (
        "# Changelog\n\nAll notable changes to this project are documented here.\n\n"
        "## [Unreleased]\n\n### Added\n\n- A note waiting for the next release.\n\n"
    )
    sections: list[str] = []
    links: list[str] = []
    total = len(header)
    index = 0
    while total < size:
        number = f"{major}.{minor}.{patch - index}" if patch - index >= 0 else f"0.0.{index}"
        body = "".join(
            f"- Change {line} of release {index}: tightened the worker pool's restart logic.\n"
            for line in range(40)
        )
        section = f"## [{number}-r{index}] - 2025-01-01\n\n### Changed\n\n{body}\n"
        sections.append(section)
        links.append(f"[{number}-r{index}]: https://example.com/releases/tag/v{number}-r{index}")
        total += len(section) + len(links[-1]) + 1
        index += 1
    unreleased = f"[Unreleased]: https://example.com/compare/v{version}...HEAD"
    return header + "".join(sections) + "\n".join([unreleased, *links]) + "\n"


def generate_release_inputs(project: Path) -> None:
    """A 1 MB CHANGELOG and a README with 50 dependency snippets, some stale."""
    version = _sample_version(project)
    (project / "CHANGELOG.md").write_text(big_changelog(version))
    readme = project / "README.md"
    snippets = "".join(
        f'\nInstall, variant {n}:\n\n```elixir\n{{:pitpool, "~> 0.{n % 3}.{n % 7}"}}\n```\n'
        for n in range(SNIPPETS - 1)
    )
    readme.write_text(readme.read_text() + snippets)
    (project / ".pristine").mkdir(exist_ok=True)
    for name in ("CHANGELOG.md", "README.md", "mix.exs"):
        shutil.copy2(project / name, project / ".pristine" / name)


def _sample_version(project: Path) -> str:
    from sessions.core.target import parse_mix_exs

    return parse_mix_exs((project / "mix.exs").read_text()).version


def restore_release_inputs(project: Path) -> Callable[[], None]:
    def restore() -> None:
        for name in ("CHANGELOG.md", "README.md", "mix.exs"):
            shutil.copy2(project / ".pristine" / name, project / name)

    return restore


def drop_plts(workspace: Workspace) -> Callable[[], None]:
    """Cold dialyzer: the workspace's PLTs gone (the rest of its cache stays warm)."""

    def drop() -> None:
        shutil.rmtree(plt_dir(workspace.env()), ignore_errors=True)

    return drop


def scenarios(workspace: Workspace) -> list[Scenario]:
    ws = workspace
    env = ws.env()
    project = ws.project
    plain_tests = [
        "bash",
        str(ws.suite_root / "bench" / "plain_tests.sh"),
        str(project),
        "PITPOOL_PYTHON",
    ]
    pip_install = [
        str(project / ".venv" / "bin" / "python3"),
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "-q",
        "-r",
        str(project / "priv" / "python" / "requirements.txt"),
    ]
    release_env = ws.env(ws.release_project)
    restore = restore_release_inputs(ws.release_project)
    return [
        Scenario(
            name="tests",
            claim="warm `nox -s tests` vs a plain shell script running the same commands",
            a=Side("nox -s tests", ws.nox("-s", "tests"), env),
            b=Side("plain_tests.sh", plain_tests, env),
            max_ratio=1.15,
            prepare=warm(ws, "-s", "tests"),
        ),
        Scenario(
            name="setup",
            claim="`nox -s setup` with nothing changed vs `pip install -r` on the satisfied venv",
            a=Side("nox -s setup", ws.nox("-s", "setup"), env),
            b=Side("pip install -r", pip_install, env),
            max_ratio=0.1,
            max_seconds=0.5,
            prepare=warm(ws, "-s", "setup"),
        ),
        Scenario(
            name="nox start-up",
            claim="`nox -l`: nox importing the noxfile, no session (the floor under every row)",
            a=Side("nox -l", ws.nox("-l"), env),
        ),
        Scenario(
            name="examples",
            claim="`nox -s examples` (default --jobs) vs `--jobs 1`",
            a=Side("default --jobs", ws.nox("-s", "examples"), env),
            b=Side("--jobs 1", ws.nox("-s", "examples", "--", "--jobs", "1"), env),
            max_ratio=0.6,
            prepare=warm(ws, "-s", "examples"),
        ),
        Scenario(
            name="dialyzer",
            claim="`nox -s dialyzer` warm (PLTs cached, nothing changed) vs cold",
            a=Side("warm", ws.nox("-s", "dialyzer"), env),
            b=Side("cold", ws.nox("-s", "dialyzer"), env, before=drop_plts(ws)),
            max_ratio=0.15,
            prepare=warm(ws, "-s", "dialyzer"),
        ),
        Scenario(
            name="release --dry-run",
            claim="`nox -s release -- patch --dry-run` on a 1 MB CHANGELOG and 50 snippets",
            a=Side(
                "release --dry-run",
                ws.nox("-s", "release", "--", "patch", "--dry-run"),
                release_env,
            ),
            max_seconds=1.5,
            prepare=warm(
                ws, "-s", "release", "--", "patch", "--dry-run", project=ws.release_project
            ),
        ),
        Scenario(
            name="release",
            claim="`nox -s release -- patch` (real write) on the same inputs",
            a=Side(
                "release",
                ws.nox("-s", "release", "--", "patch"),
                release_env,
                before=restore,
            ),
            max_seconds=1.5,
            prepare=warm(
                ws, "-s", "release", "--", "patch", "--dry-run", project=ws.release_project
            ),
        ),
        Scenario(
            name="check",
            claim="`nox -s check` vs the same steps as separate `nox` sessions one after another",
            a=Side("nox -s check", ws.nox("-s", "check"), env),
            b=Side(
                "sequential sessions",
                ws.sequential_check(),
                env,
            ),
            max_ratio=0.7,
            prepare=warm(ws, "-s", "check"),
        ),
        Scenario(
            name="doctor",
            claim="`nox -s doctor` warm on the sample",
            a=Side("nox -s doctor", ws.nox("-s", "doctor"), env),
            max_seconds=3.0,
            prepare=warm(ws, "-s", "setup", "doctor"),  # a venv to diagnose
        ),
    ]


GROUPS = {"real_target": "the lab's snakepit (issues 11-13, 17)", "cold": "issues 17 and 18"}


def options_parser() -> PosargsParser:
    parser = PosargsParser(
        "bench", "Benchmark noxpit's sessions on copies of the sample and the lab."
    )
    parser.add_argument(
        "names",
        nargs="*",
        help=f"scenarios or groups ({', '.join(GROUPS)}) to run (default: all, and save)",
    )
    parser.add_argument("--runs", type=int, default=MIN_RUNS, help="runs per side (at least 5)")
    parser.add_argument(
        "--save", action="store_true", help="with NAMEs: update their rows in the saved results"
    )
    return parser


def select(groups: dict[str, list[Scenario]], names: list[str]) -> list[Scenario]:
    """The named scenarios (a group name stands for its members), in the order given."""
    every = [s for group in groups.values() for s in group]
    if not names:
        return every
    known = {s.name: [s] for s in every} | {
        g: members for g, members in groups.items() if g != "sample"
    }
    unknown = [n for n in names if n not in known]
    if unknown:
        raise BenchError(
            f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(known)}"
        )
    chosen: list[Scenario] = []
    for name in names:
        chosen.extend(s for s in known[name] if s not in chosen)
    return chosen


def all_groups(workspace: Workspace, lab_ws: Workspace) -> dict[str, list[Scenario]]:
    return {
        "sample": scenarios(workspace),
        "cold": cold.scenarios(workspace),
        "real_target": lab.scenarios(lab_ws, lab.copies_at(workspace.base)),
    }


def run_benchmarks(
    suite_root: Path,
    console: Console,
    names: list[str],
    runs: int,
    base: Path | None = None,
    save: bool = False,
) -> list[Outcome]:
    """Measure, print the table, and write bench/results.json and docs/benchmarks.md."""
    if runs < MIN_RUNS:
        raise BenchError(f"--runs must be at least {MIN_RUNS} (medians need enough runs)")
    workspace = Workspace(suite_root, base or default_base())
    absent = lab.absent_reason(os.environ)
    lab_ws = workspace
    if absent is None:
        lab_ws = dataclasses.replace(workspace, base_env=lab.lab_environment(os.environ))
    try:
        groups = all_groups(workspace, lab_ws)
        chosen = select(groups, names)  # before the (slow) copies
        on_lab = [s for s in chosen if s in groups["real_target"]]
        if absent is not None and on_lab:
            console.step(f"bench: {len(on_lab)} real_target scenario(s) skipped: {absent}")
            chosen = [s for s in chosen if s not in on_lab]
        populate(workspace)
        if on_lab and absent is None:
            lab.make_copies(suite_root, lab.copies_at(workspace.base), os.environ)
        return _run_chosen(workspace, chosen, suite_root, console, not names or save, runs)
    finally:
        if base is None:
            shutil.rmtree(workspace.base, ignore_errors=True)


def _run_chosen(
    workspace: Workspace,
    chosen: list[Scenario],
    suite_root: Path,
    console: Console,
    save: bool,
    runs: int,
) -> list[Outcome]:
    console.step(f"bench: workspace {workspace.base}, {len(chosen)} scenario(s), {runs} runs each")
    outcomes, broken = [], []
    for scenario in chosen:
        console.step(f"bench: {scenario.name}: {scenario.claim}")
        try:
            outcomes.append(
                measure(scenario, suite_root, workspace.env(), runs, progress=console.step)
            )
        except BenchError as exc:  # one broken scenario does not cost the others' numbers
            console.step(f"bench: {scenario.name} could not be measured: {exc}")
            broken.append(scenario.name)
    machine, when = machine_description(), now_text()
    console.line()
    console.table(HEADERS, table_rows(outcomes), title=f"noxpit benchmarks ({machine})")
    if save:
        results = suite_root / "bench" / "results.json"
        saved = merged(results, outcomes)
        atomic_write(results, json.dumps(results_document(saved, machine, when), indent=2) + "\n")
        doc = suite_root / "docs" / "benchmarks.md"
        existing = doc.read_text() if doc.exists() else "# Benchmarks\n"
        atomic_write(doc, render_benchmarks_md(existing, saved, machine, when))
        console.step(f"bench: wrote {results.relative_to(suite_root)} and docs/benchmarks.md")
    if broken:
        raise BenchError(f"could not measure: {', '.join(broken)} (the reason is above)")
    return outcomes


def merged(results: Path, outcomes: list[Outcome]) -> list[Outcome]:
    """The saved rows with these outcomes in place of (or after) the rows of the same name."""
    old = parse_results(results.read_text(), str(results)) if results.exists() else []
    fresh = {o.name: o for o in outcomes}
    kept = [fresh.pop(o.name, o) for o in old]
    return kept + list(fresh.values())
