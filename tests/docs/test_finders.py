"""Each check's finder on small documents: what it reports, at which line."""

from __future__ import annotations

import re

import pytest

from sessions.core.options import UsageError
from sessions.docs import check as docs_check
from sessions.docs import config as docs_config
from sessions.docs import finders, mix_tasks
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


# --- where commands are read ---------------------------------------------------------


def test_untagged_blocks_are_commands_only_when_every_line_is_one() -> None:
    diagram = "```\nClient -> GRPCWorker.terminate/2\n6. Install: mix protobuf.compile\n```\n"
    assert findings("README.md", diagram) == []
    commands = "```\nmix deps.get\nmix protobuf.compile\n```\n"
    assert findings("README.md", commands) == [(3, "unknown-task")]
    transcript = "```text\n$ mix protobuf.compile\nmix nope-this-is-output\n```\n"
    assert findings("README.md", transcript) == [(2, "unknown-task")]
    assert findings("README.md", "```elixir\nmix = :protobuf\n```\n") == []


def test_indented_code_is_code_and_list_item_fences_are_fences() -> None:
    text = (
        "1. Run:\n\n   ```bash\n   mix protobuf.compile\n   ```\n\n"  # 4: in a list item
        "Code:\n\n    [not a link](gone.md)\n"  # 9: an indented code block
    )
    assert findings("README.md", text) == [(4, "unknown-task")]


def test_slashes_that_are_not_paths_are_not_checked() -> None:
    text = (
        "```bash\n"
        "mix run GRPCWorker.terminate/2 HTTP/2 159/159 jobs/hour req/s TLS/1.3\n"
        "mix run --no-start script_a.exs\n"  # a placeholder for the reader's own script
        "mix test path/to/changed_test.exs docs/2025/.../x.md priv/python/my_adapter/a.py\n"
        "mix run lib/nope\n"  # lib exists: a path, and missing
        "```\n"
    )
    files = {**PROJECT, "lib/pitpool.ex": ""}
    assert findings("README.md", text, context(files)) == [(5, "missing-path")]


def test_bare_names_are_checked_after_a_cd_and_script_arguments_are_not() -> None:
    text = (
        "```bash\n"
        "cd priv/python\n"
        "cat requirements.txt missing.txt\n"  # 3: after a cd, bare names are meant
        "elixir ../../examples/hello.exs out.json\n"  # the script's own output argument
        "```\n"
    )
    assert findings("README.md", text, context(PROJECT)) == [(3, "missing-path")]


def test_mix_tasks_are_those_of_the_project_the_command_runs_in() -> None:
    nested = mix_tasks.TaskList(frozenset({"setup", "compile"}), app="showcase")
    files = {**PROJECT, "examples/showcase/mix.exs": ""}
    ctx = context(files, projects={"examples/showcase": nested})
    root_doc = "```bash\ncd examples/showcase\nmix setup\nmix pitpool.gen\n```\nRun `mix setup`.\n"
    assert findings("README.md", root_doc, ctx) == [(4, "unknown-task"), (6, "unknown-task")]
    assert findings("examples/showcase/README.md", "`mix setup`\n", ctx) == []
    found = docs_check.run_checks(
        [Document("examples/showcase/guide.md", "markdown", "`mix gone`\n")], ctx
    )
    assert [f.message for f in found] == [
        "mix gone: showcase has no such Mix task (see `mix help` in examples/showcase)"
    ]


# --- history, helpers, anchors -------------------------------------------------------


def test_history_documents_drop_versions_deprecations_and_code_named_in_prose() -> None:
    text = (
        '{:pitpool, "~> 0.1.0"}\n'
        "`elixir examples/hello.exs` and `scripts/old.sh`\n"
        "See `docs/moved.md` and [the guide](docs/missing.md); run `mix gone.task`.\n"
    )
    assert findings("docs/archive/a.md", text, context(PROJECT), history=True) == [
        (3, "broken-link"),
        (3, "missing-path"),
        (3, "unknown-task"),
    ]
    assert findings("docs/a.md", text, context(PROJECT)) == [
        (1, "dep-version"),
        (2, "deprecated"),
        (2, "missing-path"),
        (3, "broken-link"),
        (3, "missing-path"),
        (3, "unknown-task"),
    ]


def test_the_examples_helpers_are_exempt_from_the_default_deprecations() -> None:
    helper = docs_config.default_deprecations("examples")
    exempt = tuple(
        Deprecation(r.pattern, r.message, r.files, frozenset({"examples/mix_bootstrap.exs"}))
        for r in helper
    )
    text = 'Mix.install([{:pitpool, "~> 0.2.1"}])\n'
    assert findings("examples/mix_bootstrap.exs", text, context(deprecations=helper)) == [
        (1, "deprecated")
    ]
    assert findings("examples/mix_bootstrap.exs", text, context(deprecations=exempt)) == []


def test_anchor_messages_name_the_anchor_github_makes() -> None:
    text = "[a](#quick-start) [b](#design-goals) [c](#nowhere)\n"
    text += "## 🚀 Quick Start\n## 1. Design Goals\n"
    found = docs_check.run_checks([Document("README.md", "markdown", text)], context())
    assert sorted(f.message for f in found) == [
        'link to #design-goals: GitHub\'s anchor for "1. Design Goals" (line 3) is '
        "#1-design-goals; link to that",
        "link to #nowhere: no such heading in this file",
        'link to #quick-start: GitHub\'s anchor for "🚀 Quick Start" (line 2) is #-quick-start; '
        "link to that",
    ]


def test_a_fence_opened_inside_a_block_is_reported_once() -> None:
    text = "```\nOutput:\n```bash\nmix test\n```\n\n````markdown\n```bash\nok\n```\n````\n"
    assert findings("README.md", text) == [(3, "nested-fence")]


def test_explain_says_what_an_id_means_and_rejects_unknown_ids() -> None:
    assert docs_check.explain("missing-path").startswith("missing-path (paths in commands): ")
    assert "Off in `[docs] history`" in docs_check.explain("dep-version")
    with pytest.raises(UsageError, match="no check `nope`; the ids are dep-version, "):
        docs_check.explain("nope")


def test_an_unknown_option_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"^Usage: nox -s docs_check -- .*unrecognized"):
        docs_check.options_parser().parse_args(["--bogus"])
