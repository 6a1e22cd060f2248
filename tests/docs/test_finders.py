"""Each check's finder on small documents: what it reports, at which line."""

from __future__ import annotations

import re

import pytest

from sessions.docs import check as docs_check
from sessions.docs import finders
from sessions.docs.model import Deprecation, Document
from tests.docs.support import context, findings

pytestmark = pytest.mark.unit


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
    assert (finders.requirement_problem(requirement, "0.2.1") is not None) is stale


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
    rule = Deprecation(re.compile("SNAKEPIT_OLD"), "gone; use X", ("docs/*",))
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
