"""Nested Mix projects and the examples' helpers, read from the files of a project."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.core.target import build_target
from sessions.docs import projects, sources
from tests.docs.support import FIXTURES

pytestmark = pytest.mark.unit


def test_a_nested_project_has_its_own_aliases_and_name() -> None:
    root = FIXTURES / "docs_clean"
    found = projects.nested(
        build_target(root, {}), sources.FsTree(root), (), frozenset({"compile"})
    )
    assert set(found) == {"examples/showcase"}
    showcase = found["examples/showcase"]
    assert showcase.app == "showcase"
    assert showcase.has("setup") and showcase.has("loadtest.basic") and showcase.has("compile")
    assert not showcase.has("nope") and showcase.has("hex.publish")


def test_the_examples_helpers_come_from_the_examples_session(tmp_path: Path) -> None:
    (tmp_path / "examples").mkdir()
    (tmp_path / "mix.exs").write_text(
        'defmodule A.MixProject do\n  def project, do: [app: :a, version: "0.1.0"]\nend\n'
    )
    (tmp_path / "examples" / "hello.exs").write_text("IO.puts(1)\n")
    (tmp_path / "examples" / "mix_bootstrap.exs").write_text("Mix.install([])\n")
    assert projects.helper_files(build_target(tmp_path, {})) == {"examples/mix_bootstrap.exs"}
