"""Which files are examples, which are helpers, and picking examples by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.examples.config import ExamplesError, parse_config
from sessions.examples.discovery import discover, loaded_files, select
from sessions.examples.model import Example
from tests.examples.support import LABEL, make_target, names

pytestmark = pytest.mark.unit


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


EXAMPLES = [Example(name, Path(f"/x/examples/{name}.exs")) for name in ("a", "b", "c")]


def test_select_accepts_names_and_paths_in_the_given_order() -> None:
    chosen = select(EXAMPLES, ["c", "examples/a.exs", "c", "./b.exs"])
    assert [e.name for e in chosen] == ["c", "a", "b"]
    assert select(EXAMPLES, []) == EXAMPLES


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(ExamplesError, match=r"^unknown example `nope`; valid names: a, b, c$"):
        select(EXAMPLES, ["a", "nope"])


def test_a_helpers_name_says_it_is_a_helper_and_what_to_do() -> None:
    with pytest.raises(ExamplesError) as caught:
        select(EXAMPLES, ["examples/bootstrap.exs"], "examples", ("bootstrap",))
    message = str(caught.value)
    assert message.startswith("`examples/bootstrap.exs` is a helper that other examples load")
    assert "run an example instead, or set [examples] `helpers`" in message
    assert "unknown example" not in message


def test_subfolders_are_searched_by_default_but_not_sub_projects_or_builds(
    tmp_path: Path,
) -> None:
    target = make_target(
        tmp_path / "demo",
        {
            "examples/basic.exs": 'Code.require_file("mix_bootstrap.exs", __DIR__)\n',
            "examples/mix_bootstrap.exs": "defmodule Demo.Examples.Bootstrap do end\n",
            "examples/dual_mode/hybrid.exs": 'Code.require_file("../mix_bootstrap.exs", __DIR__)\n',
            "examples/lifecycle/ttl.exs": "",
            "examples/showcase/mix.exs": "defmodule Showcase.MixProject do end\n",
            "examples/showcase/config/config.exs": "",
            "examples/showcase/test/showcase_test.exs": "",
            "examples/_build/dev/x.exs": "",
            "examples/.hidden/y.exs": "",
        },
    )
    found = discover(target, parse_config({}, LABEL))
    assert [e.name for e in found.examples] == ["basic", "dual_mode/hybrid", "lifecycle/ttl"]
    assert found.helpers == ("mix_bootstrap",)
    bootstrap = (target.root / "examples" / "mix_bootstrap.exs").resolve()
    assert {e.name: e.loads for e in found.examples}["dual_mode/hybrid"] == (bootstrap,)


def test_recursive_false_keeps_to_the_top_folder(tmp_path: Path) -> None:
    target = make_target(
        tmp_path / "demo",
        {"examples/top.exs": "", "examples/sub/deep.exs": ""},
        "[examples]\nrecursive = false\n",
    )
    assert names(target) == ["top"]


def test_helpers_loaded_through_a_helper_are_followed(tmp_path: Path) -> None:
    target = make_target(
        tmp_path / "demo",
        {
            "examples/a.exs": 'Code.require_file("one.exs", __DIR__)\n',
            "examples/one.exs": 'Code.require_file("two.exs", __DIR__)\n',
            "examples/two.exs": "defmodule Two do end\n",
        },
    )
    [example] = discover(target, parse_config({}, LABEL)).examples
    here = (target.root / "examples").resolve()
    assert example.loads == (here / "one.exs", here / "two.exs")


def test_exclusive_names_and_globs_make_examples_run_alone(tmp_path: Path) -> None:
    target = make_target(
        tmp_path / "demo",
        {"examples/a.exs": "", "examples/web/b.exs": "", "examples/c.exs": ""},
        '[examples]\nexclusive = ["a", "web/*"]\n',
    )
    config = parse_config(target.section("examples"), target.config_label)
    found = discover(target, config)
    assert {e.name: e.settings.exclusive for e in found.examples} == {
        "a": True,
        "c": False,
        "web/b": True,
    }


def test_a_helpers_name_lists_the_examples_that_load_it(tmp_path: Path) -> None:
    files = {f"examples/e{n}.exs": 'Code.require_file("boot.exs", __DIR__)\n' for n in range(7)}
    files["examples/boot.exs"] = "defmodule Boot do end\n"
    files["examples/alone.exs"] = ""
    target = make_target(tmp_path / "demo", files)
    found = discover(target, parse_config({}, LABEL))
    with pytest.raises(ExamplesError) as caught:
        select(found.examples, ["boot"], "examples", found.helpers)
    assert "run one that uses it (e0, e1, e2, e3, e4 and 2 more), or set" in str(caught.value)
