"""Every `nox` command the README and docs show names a real session, and its posargs are
accepted by that session's own parser: the docs cannot drift from the code unnoticed."""

from __future__ import annotations

import argparse
import re
import shlex
from collections.abc import Callable

import pytest

from sessions.bench import scenarios as bench_scenarios
from sessions.core.options import UsageError
from sessions.coverage import session as coverage_session
from sessions.docs import check as docs_check
from sessions.docs import markdown
from sessions.doctor import session as doctor
from sessions.elixir import dialyzer
from sessions.examples import options as examples
from sessions.python import env as python_env
from sessions.release import options as release_options
from sessions.report import merge as report_merge
from sessions.suite import options as suite_options
from tests.helpers import REPO
from tests.test_ci_workflow import nox_sessions

pytestmark = pytest.mark.unit

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SPAN = re.compile(r"`((?:[A-Z_]+=\S+ )*nox [^`]+)`")
PARAMETRIZED = re.compile(r"^(\w+)\((\w+)='(\w+)'\)$")

# Sessions whose posargs go through a parser of ours; the others pass posargs through.
PARSERS: dict[str, Callable[[], argparse.ArgumentParser]] = {
    "setup": python_env.options_parser,
    "doctor": doctor.options_parser,
    "tests": suite_options.parser,
    "dialyzer": dialyzer.options_parser,
    "examples": examples.options_parser,
    "release": release_options.parser,
    "bench": bench_scenarios.options_parser,
    "report": report_merge.options_parser,
    "coverage": coverage_session.options_parser,
    "docs_check": docs_check.options_parser,
}


def commands() -> list[tuple[str, str]]:
    """(where, command) for each nox command in shell blocks and inline code."""
    found: list[tuple[str, str]] = []
    for path in DOCS:
        text = path.read_text()
        name = str(path.relative_to(REPO))
        for match in FENCE.finditer(text):
            if match.group(1) not in ("", "sh", "bash", "console", "shell"):
                continue
            for line in match.group(2).splitlines():
                line = line.split(" #", 1)[0].strip().removeprefix("$ ")
                if re.match(r"^(?:[A-Z_]+=\S+ )*nox\b", line):
                    found.append((name, line))
        found.extend((name, m.group(1)) for m in SPAN.finditer(text))
    return found


COMMANDS = commands()


def test_the_docs_show_commands() -> None:
    assert len(COMMANDS) > 30
    shown = {cmd for _, cmd in COMMANDS}
    assert "nox -s tests" in shown and "nox -s selftest" in shown


@pytest.mark.parametrize(("where", "command"), COMMANDS, ids=[c for _, c in COMMANDS])
def test_command_names_a_session_and_its_arguments_parse(where: str, command: str) -> None:
    # A synopsis (`nox -s release -- VERSION [--dry-run]`) is checked for its session only;
    # shell plumbing after the command (`| jq`, `2>/dev/null`) is not nox's.
    synopsis = " [" in command or "VERSION" in command or "<" in command
    command = re.split(r" \[| [|>]| 2>", command, maxsplit=1)[0]
    words = shlex.split(command)
    words = words[next(i for i, w in enumerate(words) if w == "nox") + 1 :]
    if "-s" not in words:
        assert words in (["-l"], []), f"{where}: unexpected nox invocation {command!r}"
        return
    index = words.index("-s")
    names = []
    for word in words[index + 1 :]:
        if word.startswith("-"):
            break
        names.append(word)
    posargs = words[words.index("--") + 1 :] if "--" in words else []
    sessions = nox_session_names()
    for name in (n for n in names if not n.startswith("<")):  # `<session>`: a placeholder
        param = PARAMETRIZED.match(name)
        base = param.group(1) if param else name
        assert base in sessions, f"{where}: `{command}` names no session {base!r}"
        if base in PARSERS and posargs and not synopsis:
            try:
                PARSERS[base]().parse_args(posargs)
            except UsageError as exc:
                pytest.fail(f"{where}: `{command}`: {exc}")
            except SystemExit as exc:  # --help
                assert exc.code == 0, f"{where}: `{command}` exits {exc.code}"


_SESSIONS: set[str] = set()


def nox_session_names() -> set[str]:
    if not _SESSIONS:
        _SESSIONS.update(nox_sessions())
    return _SESSIONS


def own_links() -> list[tuple[str, int, str]]:
    found = []
    for path in DOCS:
        for link in markdown.parse(path.read_text()).links:
            if not re.match(r"^[a-z]+:", link.target):
                found.append((str(path.relative_to(REPO)), link.line, link.target))
    return found


@pytest.mark.parametrize(("where", "line", "target"), own_links())
def test_noxpits_own_links_and_anchors_resolve(where: str, line: int, target: str) -> None:
    source = REPO / where
    path, _, fragment = target.partition("#")
    dest = (source.parent / path).resolve() if path else source
    if dest == REPO / "docs" / "benchmarks.md" and not dest.exists():
        pytest.skip("docs/benchmarks.md is written by `nox -s bench`")
    assert dest.exists(), f"{where}:{line}: link to {target}: no such file"
    if fragment and dest.suffix == ".md":
        anchors = markdown.parse(dest.read_text()).anchors
        assert fragment in anchors, f"{where}:{line}: no heading for #{fragment} in {dest.name}"


def test_troubleshooting_is_keyed_by_the_doctors_check_names() -> None:
    from sessions.core.target import load_target
    from sessions.doctor import checks as doctor_checks

    names = {check.name for check in doctor_checks.checks_for(load_target(REPO, {}))}
    text = (REPO / "docs" / "installation.md").read_text()
    troubleshooting = text.split("## Troubleshooting", 1)[1]
    headings = re.findall(r"^### (.+)$", troubleshooting, re.MULTILINE)
    assert len(headings) >= 10
    assert set(headings) <= names, set(headings) - names
