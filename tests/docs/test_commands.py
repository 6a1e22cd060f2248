"""Shell commands in docs: the Mix tasks they run and the paths they name, precisely."""

from __future__ import annotations

import pytest

from sessions.docs import commands as sh

pytestmark = pytest.mark.unit


def lines(*texts: str) -> list[tuple[int, str]]:
    return list(enumerate(texts, start=1))


@pytest.mark.parametrize(
    ("command", "tasks"),
    [
        ("mix test --only integration", ["test"]),
        ("MIX_ENV=test mix compile --warnings-as-errors", ["compile"]),
        ("mix do compile, protobuf.compile", ["compile", "protobuf.compile"]),
        ("mix do deps.get + compile", ["deps.get", "compile"]),
        ("iex -S mix phx.server", ["phx.server"]),
        ("sudo -E mix hex.publish", ["hex.publish"]),
        ("mix", []),
        ("mix --version", []),
        ("mix <task>", []),
        ("echo mix test", []),
    ],
)
def test_mix_tasks_invoked(command: str, tasks: list[str]) -> None:
    found = [t for c in sh.commands_of(lines(command)) for t in sh.mix_tasks(c.words)]
    assert found == tasks


@pytest.mark.parametrize(
    ("command", "paths"),
    [
        ("./scripts/setup.sh --force", ["./scripts/setup.sh"]),
        ("mix run --no-start examples/hello.exs arg", ["examples/hello.exs"]),
        ("mix test test/pitpool_test.exs:12", ["test/pitpool_test.exs:12"]),
        ("python3 -m pytest priv/python/tests", ["priv/python/tests"]),
        (
            "pip install -r priv/python/requirements.txt grpcio==1.6",
            ["priv/python/requirements.txt"],
        ),
        ("cp config/dev.exs config/local.exs", ["config/dev.exs"]),
        # URLs, globs, options, variables, placeholders, host:port are not paths
        ("curl -L https://example.com/install.sh", []),
        ("mix format 'lib/**/*.ex'", []),
        ("mix test --only python_integration", []),
        ("bash $ROOT/scripts/x.sh", []),
        ("mix run examples/<name>.exs", []),
        ("grep -r foo/bar lib/", []),
        ("git checkout -b feature/docs", []),
        ("mkdir -p tmp/work", []),
        ("mix new my_app/sub", []),
        ("open localhost:4000/dashboard", []),
        ("mix run -e 'IO.puts(1)'", []),
    ],
)
def test_path_arguments(command: str, paths: list[str]) -> None:
    (parsed,) = sh.commands_of(lines(command))
    assert sh.path_args(parsed.words) == paths


def test_cd_is_followed_within_a_block_and_recorded_as_a_directory_reference() -> None:
    commands = sh.commands_of(lines("cd priv/python && pip install -r requirements.txt"))
    refs = sh.refs_of(commands)
    assert [(r.path, r.bases, r.want_dir) for r in refs] == [
        ("priv/python", ("",), True),
        ("requirements.txt", ("priv/python", ""), False),
    ]


def test_things_a_block_creates_are_known_to_later_commands() -> None:
    commands = sh.commands_of(
        lines(
            "git clone https://github.com/acme/snakepit.git",
            "mkdir -p out && ls out/sub",
            "mix test > reports/test.log",
            "cat reports/test.log",
        )
    )
    created = commands[-1].created
    assert {"snakepit", "out", "reports/test.log"} <= created


def test_cd_into_a_fresh_clone_makes_the_directory_unknown() -> None:
    commands = sh.commands_of(
        lines("git clone https://github.com/acme/snakepit.git && cd snakepit", "./run.sh")
    )
    assert commands[-1].cwd is None
    assert sh.refs_of(commands)[-1].path == "snakepit"  # only the cd itself is checked


def test_cd_to_the_scripts_parent_is_understood() -> None:
    commands = sh.commands_of(
        lines('cd "$(dirname "$0")/.."', "mix run examples/x.exs"), script_dir="scripts"
    )
    assert commands[-1].cwd == ""


def test_shell_lines_join_continuations_and_drop_comments_heredocs_and_output() -> None:
    text = lines(
        "# a comment",
        "mix run \\",
        "  --no-start examples/a.exs",
        "cat <<EOF",
        "mix protobuf.compile",
        "EOF",
        "$ mix test",
        "output line",
    )
    assert list(sh.shell_lines(text)) == [
        (2, "mix run --no-start examples/a.exs"),
        (4, "cat <<EOF"),
        (7, "mix test"),
        (8, "output line"),
    ]
    assert list(sh.shell_lines(text, prompts_only=True)) == [(7, "mix test")]


@pytest.mark.parametrize(
    ("token", "is_path"),
    [
        ("examples/hello.exs", True),
        ("mix.exs", True),
        ("lib/", True),
        ("hello", False),
        ("--only", False),
        ("https://x.y/a.sh", False),
        ("/usr/bin/python3", False),
        ("~/.bashrc", False),
        ("*.exs", False),
        ("localhost:4000", False),
        ("{:pitpool, ", False),
        ("Pitpool.Worker", False),
        ("GRPCWorker.terminate/2", False),
        ("terminate/2", False),
        ("159/159", False),
        ("HTTP/2", False),
        ("TLS/1.3", False),
        ("path/to/changed_test.exs", False),
        ("docs/20251229/...", False),
        ("priv/python/my_adapter", False),
        ("jobs/hour", True),  # only if `jobs` is a folder: see path_needs_prefix
    ],
)
def test_looks_like_path(token: str, is_path: bool) -> None:
    assert sh.looks_like_path(token) is is_path


def test_slashed_words_without_an_extension_need_an_existing_first_folder() -> None:
    assert sh.path_needs_prefix("jobs/hour") and sh.path_needs_prefix("lib/nope")
    assert not sh.path_needs_prefix("lib/x.ex") and not sh.path_needs_prefix("./bin/setup")
