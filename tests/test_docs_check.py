"""docs_check: each finder on small documents, the planted-problem fixture, the session."""

from __future__ import annotations

import io
import os
import re
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from sessions.core import procs
from sessions.core.console import Console
from sessions.core.findings import Finding
from sessions.core.target import build_target
from sessions.docs import check as docs_check
from sessions.docs import mix_tasks
from sessions.docs.check import Context, DocsError, Document
from tests.helpers import run_nox

pytestmark = pytest.mark.unit


FIXTURE = Path(__file__).parent / "fixtures" / "docs_broken"
TASKS = mix_tasks.TaskList(
    frozenset({"run", "test", "compile", "deps.get", "pitpool.gen"}), ("hex.*",)
)


class MemoryTree:
    """A target's files as a dict, for finders tested on strings."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = dict(files)
        self.dirs = {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}

    def exists(self, rel: str) -> bool:
        return rel in self.files or rel in self.dirs

    def is_dir(self, rel: str) -> bool:
        return rel in self.dirs

    def read(self, rel: str) -> str | None:
        return self.files.get(rel)


def context(files: Mapping[str, str] = {}, **overrides: Any) -> Context:
    settings: dict[str, Any] = {
        "app": "pitpool",
        "version": "0.2.1",
        "tree": MemoryTree(files),
        "tasks": TASKS,
        "deprecations": docs_check.default_deprecations("examples"),
    }
    settings.update(overrides)
    return Context(**settings)


def findings(rel: str, text: str, ctx: Context | None = None) -> list[tuple[int, str]]:
    kind = docs_check.kind_of(Path(rel)) or "shell"
    found = docs_check.run_checks([Document(rel, kind, text)], ctx or context())
    return [(f.line, f.code) for f in found]


# --- dependency snippets -------------------------------------------------------------


@pytest.mark.parametrize(
    ("requirement", "stale"),
    [
        ("~> 0.2.1", False),
        ("~> 0.2", False),  # two-part, admits 0.2.1
        ("~> 0.1", False),  # two-part ~> 0.1 is >= 0.1.0 and < 1.0.0: admits 0.2.1
        ("0.2.1", False),
        ("== 0.2.1", False),
        (">= 0.2.0", False),
        ("~> 0.2.0", True),  # three-part: must name the current version
        ("~> 0.3", True),
        ("~> 1.0", True),
        ("0.2.0", True),
        (">= 0.3.0", True),
        ("~> 0.1.0 or ~> 0.2", False),  # either side may admit it
        ("~> 0.1.0 or ~> 0.3", True),
        ("0.2.1-rc.1", True),
        ("not a requirement", False),  # git refs and placeholders are not judged
    ],
)
def test_requirement_problem(requirement: str, stale: bool) -> None:
    assert (docs_check.requirement_problem(requirement, "0.2.1") is not None) is stale


def test_dep_snippets_of_the_app_only_are_checked_and_the_fix_is_named() -> None:
    text = '{:pitpool, "~> 0.1.9"}\n{:jason, "~> 0.1.9"}\n`{:pitpool, "~> 0.2"}`\n'
    found = docs_check.run_checks([Document("README.md", "markdown", text)], context())
    assert [f.render() for f in found] == [
        'README.md:1: {:pitpool, "~> 0.1.9"}: not the current version 0.2.1; '
        'write "~> 0.2.1" [dep-version]'
    ]


# --- paths ---------------------------------------------------------------------------

PROJECT = {
    "mix.exs": "",
    "scripts/setup.sh": "",
    "examples/hello.exs": "",
    "priv/python/requirements.txt": "",
    "docs/guide.md": "# Guide\n## Intro\n",
}


def test_missing_paths_in_code_blocks_are_found_and_existing_ones_pass() -> None:
    text = (
        "```bash\n"
        "./scripts/setup.sh\n"  # 2 ok
        "./scripts/bootstrap.sh\n"  # 3 missing
        "mix run --no-start examples/hello.exs\n"  # 4 ok
        "mix run --no-start examples/nope.exs\n"  # 5 missing
        "cd priv/python && pip install -r requirements.txt\n"  # 6 ok (relative to the cd)
        "cd some/dir\n"  # 7 missing directory
        "cat _build/dev/lib/pitpool/ebin/pitpool.app .venv/bin/python3\n"  # 8 generated
        "```\n"
    )
    assert findings("README.md", text, context(PROJECT)) == [
        (3, "missing-path"),
        (5, "missing-path"),
        (7, "missing-path"),
    ]


def test_paths_in_prose_urls_globs_and_options_are_not_checked() -> None:
    text = (
        "The file docs/missing.md in prose is not formatted as code.\n"
        "See https://example.com/scripts/x.sh and `examples/*.exs`.\n"
        "Pass `--only integration`, or edit `config/config.exs` in your app.\n"
        "Then `scripts/missing.sh` is a dead reference.\n"
    )
    assert findings("README.md", text, context(PROJECT)) == [(4, "missing-path")]


def test_allow_missing_from_config_covers_paths_created_later() -> None:
    text = "```sh\ncat reports/summary.txt\n```\n"
    assert findings("README.md", text, context(PROJECT)) == [(2, "missing-path")]
    assert findings("README.md", text, context(PROJECT, allow_missing=("reports",))) == []


def test_shell_scripts_and_example_comments_are_read_as_commands() -> None:
    script = '#!/bin/sh\ncd "$(dirname "$0")/.."\nbash scripts/setup.sh\nsh scripts/gone.sh\n'
    assert findings("scripts/run.sh", script, context(PROJECT)) == [(4, "missing-path")]
    example = "# Run: mix run --no-start examples/nope.exs\nIO.puts(1)\n"
    assert findings("examples/a.exs", example, context(PROJECT)) == [(1, "missing-path")]


# --- Mix tasks -----------------------------------------------------------------------


def test_unknown_mix_tasks_are_found_in_blocks_spans_scripts_and_comments() -> None:
    text = (
        "```console\n"
        "$ mix test\n"
        "$ mix protobuf.compile\n"
        "mix not-a-command-because-this-is-output\n"
        "```\n"
        "Run `mix pitpool.gen`, `mix hex.publish` and `mix grpc.gen`.\n"
        "We mix things up in prose.\n"
    )
    assert findings("README.md", text) == [(3, "unknown-task"), (6, "unknown-task")]
    assert findings("scripts/x.sh", "mix deps.get\nmix credo\n") == [(2, "unknown-task")]


# --- deprecated flows ----------------------------------------------------------------


def test_default_deprecations_elixir_examples_and_mix_install_in_examples() -> None:
    assert findings("README.md", "```sh\nelixir examples/hello.exs\n```\n", context(PROJECT)) == [
        (2, "deprecated")
    ]
    example = 'Mix.install([{:pitpool, "~> 0.2.1"}])\n'
    assert findings("examples/a.exs", example) == [(1, "deprecated")]
    assert findings("guides/scripting.md", example) == []  # fine outside the examples


def test_configured_deprecations_apply_to_their_files() -> None:
    rule = docs_check.Deprecation(re.compile("SNAKEPIT_OLD"), "gone; use X", ("docs/*",))
    ctx = context(deprecations=(rule,))
    assert findings("docs/a.md", "set `SNAKEPIT_OLD=1`\n", ctx) == [(1, "deprecated")]
    assert findings("README.md", "set `SNAKEPIT_OLD=1`\n", ctx) == []


# --- links ---------------------------------------------------------------------------


def test_links_and_anchors_to_missing_files_and_headings() -> None:
    text = (
        "# Pitpool\n"
        "- [Setup](#setup)\n"  # 2 no such heading here
        "- [Usage](#usage)\n"
        "- [Guide](docs/guide.md#intro)\n"
        "- [Gone](docs/guide.md#outro)\n"  # 5 no such heading there
        "- [Missing](docs/missing.md)\n"  # 6 no such file
        "- [Web](https://example.com/x.md#nope) [Mail](mailto:a@b.c) [Line](mix.exs#L3)\n"
        "## Usage\n"
    )
    assert findings("README.md", text, context(PROJECT)) == [
        (2, "missing-anchor"),
        (5, "missing-anchor"),
        (6, "broken-link"),
    ]


def test_links_resolve_relative_to_the_document() -> None:
    files = {**PROJECT, "README.md": "# Pitpool\n## Usage\n"}
    text = "[back](../README.md#usage) [gone](../README.md#nope) [img](img/x.png)\n"
    assert findings("docs/guide.md", text, context(files)) == [
        (1, "broken-link"),
        (1, "missing-anchor"),
    ]


# --- config --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"pathz": []}, r"\[docs\] unknown key\(s\) pathz; use "),
        ({"paths": "README.md"}, r"`paths` must be a list of strings"),
        ({"deprecated": [{"pattern": "("}]}, r"needs a non-empty `pattern` and `message`"),
        ({"deprecated": [{"pattern": "(", "message": "m"}]}, r"deprecated\[0\]\.pattern is not"),
        ({"deprecated": [{"pattern": "x", "message": "m", "when": 1}]}, r"unknown key\(s\) when"),
        ({"default_deprecations": "no"}, r"must be true or false"),
    ],
)
def test_bad_config_is_one_line_naming_the_file_and_key(
    section: dict[str, Any], message: str
) -> None:
    with pytest.raises(DocsError, match=message) as error:
        docs_check.parse_config(section, "/t/noxpit.toml", "examples")
    assert str(error.value).startswith("/t/noxpit.toml: ") and "\n" not in str(error.value)


def test_configured_paths_must_exist(tmp_path: Path) -> None:
    config = docs_check.parse_config({"paths": ["README.md", "manual"]}, "cfg", "examples")
    (tmp_path / "README.md").write_text("# x\n")
    with pytest.raises(DocsError, match="manual does not exist"):
        docs_check.discover(tmp_path, config)


# --- the planted-problem fixture, with the real `mix help` ---------------------------

PLANTED = {
    ("README.md", 5, "missing-anchor"),
    ("README.md", 8, "broken-link"),
    ("README.md", 9, "missing-anchor"),
    ("README.md", 18, "dep-version"),
    ("README.md", 24, "dep-version"),
    ("README.md", 30, "missing-path"),
    ("README.md", 32, "missing-path"),
    ("README.md", 33, "unknown-task"),
    ("README.md", 37, "missing-path"),
    ("README.md", 38, "deprecated"),
    ("README.md", 46, "unknown-task"),
    ("README.md", 48, "broken-link"),
    ("README.md", 49, "missing-path"),
    ("docs/guide.md", 6, "missing-anchor"),
    ("docs/guide.md", 7, "broken-link"),
    ("docs/guide.md", 13, "unknown-task"),
    ("docs/guide.md", 18, "missing-anchor"),
    ("examples/legacy.exs", 1, "deprecated"),
    ("examples/legacy.exs", 2, "dep-version"),
    ("examples/legacy.exs", 2, "deprecated"),
    ("guides/advanced.md", 11, "deprecated"),
    ("scripts/run-examples", 6, "missing-path"),
    ("scripts/setup.sh", 8, "unknown-task"),
    ("scripts/setup.sh", 9, "missing-path"),
}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "docs_broken"))


def test_every_planted_problem_is_found_at_its_line_and_nothing_else(broken: Path) -> None:
    target = build_target(broken, {})
    out = io.StringIO()
    report = docs_check.run(target, Console(out, {}))
    assert {(f.file, f.line, f.code) for f in report.findings} == PLANTED
    assert not report.ok
    text = out.getvalue()
    assert "README.md:33: mix protobuf.compile: brokenapp has no such Mix task" in text
    assert f"docs_check: {len(PLANTED)} problem(s) in 6 file(s) (7 scanned)" in text


def test_mix_help_is_cached_until_mix_exs_changes(broken: Path) -> None:
    target = build_target(broken, {})
    console = Console(io.StringIO(), {})
    first = mix_tasks.load(target, console)
    assert first.source == "mix help" and first.has("compile") and first.has("setup")
    assert first.has("brokenapp.gen_proto") and not first.has("protobuf.compile")
    started = time.monotonic()
    again = mix_tasks.load(target, console)
    assert again.source == "cache" and again.names == first.names
    assert time.monotonic() - started < 0.5
    mix_exs = broken / "mix.exs"
    os.utime(mix_exs, ns=(mix_exs.stat().st_atime_ns, mix_exs.stat().st_mtime_ns + 10**9))
    assert mix_tasks.load(target, console).source == "mix help"


def test_when_mix_help_fails_the_builtins_and_source_tasks_are_used(
    broken: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_help(cwd: Path, environ: Mapping[str, str]) -> procs.Completed:
        if cwd == broken:
            return procs.Completed(("mix", "help"), 1, 0.1, output="** (Mix) Could not find Hex")
        return procs.Completed(("mix", "help"), 0, 0.1, output="mix compile  # Compiles\n")

    monkeypatch.setattr(mix_tasks, "_mix_help", fake_help)
    out = io.StringIO()
    tasks = mix_tasks.load(build_target(broken, {}), Console(out, {}))
    assert tasks.source == "fallback"
    assert tasks.has("compile") and tasks.has("setup") and tasks.has("brokenapp.gen_proto")
    assert "warning: `mix help` failed" in out.getvalue() and "Could not find Hex" in out.getvalue()


def test_findings_become_github_annotations_relative_to_the_workspace(broken: Path) -> None:
    target = build_target(broken, {})
    report = docs_check.Report(1, (Finding("README.md", 33, "mix x: no", "unknown-task"),), "")
    out = io.StringIO()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(broken.parent)}
    docs_check.render(report, Console(out, env), target)
    assert (
        "::error file=docs_broken/README.md,line=33,title=docs_check::mix x: no [unknown-task]"
        in out.getvalue()
    )


# --- the session, end to end ---------------------------------------------------------


@pytest.mark.e2e
def test_session_passes_on_the_sample_and_fails_on_a_planted_problem(fresh_sample: Path) -> None:
    clean = run_nox(fresh_sample, "-s", "docs_check")
    assert clean.returncode == 0, clean.stdout
    assert "no problems" in clean.stdout

    readme = fresh_sample / "README.md"
    lines = readme.read_text().splitlines()
    readme.write_text("\n".join([*lines, "", "Run `mix protobuf.compile` first.", ""]))
    broken = run_nox(
        fresh_sample,
        "-s",
        "docs_check",
        env={"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(fresh_sample.parent)},
    )
    assert broken.returncode != 0
    line = len(lines) + 2
    assert f"README.md:{line}: mix protobuf.compile: pitpool has no such Mix task" in broken.stdout
    assert f"::error file=sample/README.md,line={line},title=docs_check::" in broken.stdout
    assert "docs_check found 1 problem(s)" in broken.stdout
