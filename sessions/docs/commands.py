"""Shell commands as docs show them: which Mix tasks they run and which paths they name.

Pure text in, plain data out. The rules lean to precision: a token counts as a path only
when it plainly is one (``./x``, ``a/b``, ``name.exs``), never a URL, glob, option, variable
or placeholder; commands that create or fetch things (``mkdir``, ``git clone``,
``mix new``, redirections) make their outputs known instead of checking them.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import shlex
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one string, to keep long vocabularies readable."""
    return frozenset(text.split())


OPERATORS = frozenset({";", "&&", "||", "|", "&", "(", ")", "|&", ";;"})
REDIRECT_OUT = frozenset({">", ">>", ">|", "&>", ">&", "&>>"})
WRAPPERS = frozenset({"sudo", "env", "time", "exec", "nohup", "command", "builtin"})
# Commands whose arguments are not files to read in the project (fetch, create, search).
NO_PATH_ARGS = word_set(
    "git docker podman brew apt apt-get dnf yum apk pacman port curl wget gh npm npx yarn "
    "pnpm pipx echo printf export unset mkdir touch rm rmdir ln tee kill pkill killall asdf "
    "mise open xdg-open ssh scp rsync tar unzip zip gzip sed awk grep rg perl find xargs "
    "which type alias set trap read test [ [[ true false exit return wait sleep kubectl "
    "helm psql redis-cli systemctl launchctl pip pip3 uv poetry conda mamba nix nix-shell"
)
# Words that start a command when they open an inline code span.
COMMAND_WORDS = word_set(
    "mix elixir iex cd bash sh zsh source python python3 pytest nox cat ls chmod pip pip3"
)
MIX_CREATING = word_set(
    "new *.new *.gen *.gen.* gen.* archive.build escript.build release help deps.* hex.* "
    "local.* archive.install escript.install"
)
OPTION_VALUE_SKIPPED = word_set(
    "-e --eval --only --exclude --include -o --output --out -m -c -k -s --name --sname "
    "--cookie --app --module -t --tag"
)
SCRIPT_RUNNERS = word_set("elixir python python3 bash sh zsh source")
# Placeholders: `path/to/x`, `docs/2025/...`, `priv/python/my_adapter`, `your_app/...`.
_PLACEHOLDER_PATH = re.compile(r"(?:^|/)(?:\.\.\.|\u2026|(?:my|your|some)_[^/]*)(?:/|$)|^path/to/")
OPTION_VALUE_CREATED = frozenset({"-o", "--output", "--out"})
KNOWN_EXTENSIONS = word_set(
    ".exs .ex .eex .heex .erl .hrl .sh .bash .py .md .toml .txt .proto .lock .json .yml "
    ".yaml .cfg .ini .livemd .csv"
)
_NOT_PATH_CHARS = frozenset("$*?[]{}<>~|;&=@`'\"%!^,()#\\")
_LINE_SUFFIX = re.compile(r"(?::\d+)+$")
_TASK = re.compile(r"^[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*$")
_DIRNAME_0 = re.compile(r"^\$\(dirname \$\{?(?:0|BASH_SOURCE(?:\[0\])?)\}?\)(?P<rest>/.*)?$")
_PROMPT = re.compile("^\\s*(?:\\$|%|\u276f)\\s+")  # $, % and U+276F
_PLACEHOLDER = re.compile(r"<([A-Za-z][\w.-]*)>")
_HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?")


@dataclass(frozen=True)
class Command:
    """One simple command, with where it runs and what earlier commands created."""

    line: int
    words: tuple[str, ...]
    cwd: str | None  # relative to the target root; None when it cannot be known
    created: frozenset[str] = frozenset()
    moved: bool = False  # an earlier `cd` set cwd: bare file names there are meant literally


@dataclass(frozen=True)
class PathRef:
    """A path a command or code span names, and the directories it may be relative to."""

    line: int
    path: str
    bases: tuple[str, ...]
    created: frozenset[str] = frozenset()
    want_dir: bool = False  # `cd x`: x must be a directory
    # A path only if its first folder exists (`lib/x`, not `jobs/hour`): no extension, no ./
    needs_prefix: bool = False
    prose: bool = False  # named in prose (a code span), not by a command


# --- lines -> commands ---------------------------------------------------------------


def shell_lines(
    lines: Iterable[tuple[int, str]], *, prompts_only: bool = False
) -> Iterator[tuple[int, str]]:
    """Logical command lines: continuations joined, prompts stripped, comments and
    heredoc bodies dropped. ``prompts_only`` keeps only ``$ ``-prompted lines (console
    transcripts, where the rest is output)."""
    pending: tuple[int, str] | None = None
    heredoc_end: str | None = None
    for number, raw in lines:
        if heredoc_end is not None:
            if raw.strip() == heredoc_end:
                heredoc_end = None
            continue
        if pending is None:
            prompted = _PROMPT.match(raw)
            if prompts_only and not prompted:
                continue
            text = raw[prompted.end() :] if prompted else raw
            start = number
        else:
            start, text = pending[0], pending[1].rstrip() + " " + raw.strip()
            pending = None
        if text.rstrip().endswith("\\"):
            pending = (start, text.rstrip()[:-1])
            continue
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        heredoc = _HEREDOC.search(stripped)
        if heredoc:
            heredoc_end = heredoc.group(1)
        yield start, stripped
    if pending is not None and pending[1].strip():
        yield pending[0], pending[1].strip()


def split_words(text: str) -> list[str]:
    """Shell words and operators; a line that is not valid shell falls back to spaces."""
    text = _PLACEHOLDER.sub(r"{\1}", text)  # `<name>` is a placeholder, not redirections
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:
        return text.split()


def simple_commands(words: Sequence[str]) -> Iterator[list[str]]:
    current: list[str] = []
    for word in words:
        if word in OPERATORS:
            if current:
                yield current
            current = []
        else:
            current.append(word)
    if current:
        yield current


def unwrap(words: Sequence[str]) -> list[str]:
    """The command proper: leading ``VAR=value`` and ``sudo``/``env``/``time`` dropped."""
    rest = list(words)
    while rest and (rest[0] in WRAPPERS or _is_assignment(rest[0])):
        rest.pop(0)
        while rest and rest[0].startswith("-") and rest[0] != "--":
            rest.pop(0)  # sudo -E, env -i
    return rest


def _is_assignment(word: str) -> bool:
    return bool(re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", word))


def commands_of(
    lines: Iterable[tuple[int, str]],
    *,
    cwd: str | None = "",
    script_dir: str = "",
    prompts_only: bool = False,
) -> list[Command]:
    """Commands of one script or code block, following ``cd`` and what gets created."""
    out: list[Command] = []
    created: set[str] = set()
    moved = False
    for number, text in shell_lines(lines, prompts_only=prompts_only):
        for words in simple_commands(split_words(text)):
            command = unwrap(words)
            if not command:
                continue
            out.append(Command(number, tuple(command), cwd, frozenset(created), moved))
            created.update(_created_by(command, cwd))
            if command[0] == "cd":
                cwd = _cd(command, cwd, script_dir, created)
                moved = True
    return out


def _cd(command: Sequence[str], cwd: str | None, script_dir: str, created: set[str]) -> str | None:
    args = [word for word in command[1:] if not word.startswith("-")]
    if not args or cwd is None:
        return None
    target = args[0]
    dirname = _DIRNAME_0.match(target)
    if dirname:
        return _join(script_dir, (dirname.group("rest") or "/")[1:])
    if not looks_like_dir(target):
        return None
    joined = _join(cwd, target)
    if joined is None or any(_under(joined, made) for made in created):
        return None  # into something just cloned or generated: we cannot know what is there
    return joined


def _join(base: str, path: str) -> str | None:
    joined = posixpath.normpath(posixpath.join(base or ".", path))
    if joined == ".." or joined.startswith("../"):
        return None
    return "" if joined == "." else joined


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def _created_by(command: Sequence[str], cwd: str | None) -> set[str]:
    """Paths a command brings into being, relative to the root."""
    base = cwd or ""
    made: list[str] = []
    name, args = command[0], [w for w in command[1:] if not w.startswith("-")]
    for index, word in enumerate(command[:-1]):
        if word in REDIRECT_OUT or word in OPTION_VALUE_CREATED:
            made.append(command[index + 1])
    if name in {"mkdir", "touch", "tee"}:
        made.extend(args)
    elif name in {"cp", "mv", "ln", "install"} and args:
        made.append(args[-1])
    elif name == "git" and args[:1] == ["clone"] and len(args) >= 2:
        made.append(args[2] if len(args) >= 3 else posixpath.basename(args[1]).removesuffix(".git"))
    elif name == "mix" and args and _matches(args[0], ("new", "*.new")) and len(args) >= 2:
        made.append(args[1])
    elif name.startswith("python") and "venv" in command and args:
        made.append(args[-1])
    return {joined for path in made if (joined := _join(base, path)) is not None}


# --- commands -> what they use -------------------------------------------------------


def mix_tasks(command: Sequence[str]) -> list[str]:
    """The Mix tasks a command invokes (``mix x``, ``mix do a, b``, ``iex -S mix x``)."""
    words = list(command)
    if words[:1] in (["iex"], ["elixir"]) and "-S" in words:
        at = words.index("-S")
        words = words[at + 1 :]
    if words[:1] != ["mix"]:
        return []
    rest = words[1:]
    while rest and rest[0].startswith("-"):
        rest.pop(0)
    if not rest:
        return []
    if rest[0] == "do":
        tasks: list[str] = []
        expect = True
        for word in rest[1:]:
            if word in {"+", ","}:
                expect = True
                continue
            if expect and _TASK.match(word.rstrip(",")):
                tasks.append(word.rstrip(","))
            expect = word.endswith(",")
        return tasks
    return [rest[0]] if _TASK.match(rest[0]) else []


def path_args(command: Sequence[str]) -> list[str]:
    """Arguments of a command that name existing files or directories in the project."""
    if not command:
        return []
    name = command[0]
    found: list[str] = []
    if looks_like_path(name) and "/" in name:
        found.append(name)  # ./scripts/run.sh, bin/setup
    if name in NO_PATH_ARGS or name == "cd":
        return found + _requirement_files(command)
    if name == "mix":
        tasks = mix_tasks(command)
        if not tasks or _matches(tasks[0], MIX_CREATING):
            return found
    args = list(command[1:])
    if name in {"cp", "mv", "ln", "install"}:
        positional = [w for w in args if not w.startswith("-")]
        args = positional[:-1]
    runs_script = name in SCRIPT_RUNNERS or (name == "mix" and mix_tasks(command)[:1] == ["run"])
    skip_next = False
    for word in args:
        if skip_next:
            skip_next = False
            continue
        if word in OPTION_VALUE_SKIPPED or word in REDIRECT_OUT:
            skip_next = True
            continue
        if looks_like_path(word):
            found.append(word)
            if runs_script and has_known_extension(word):
                break  # what follows is the script's own arguments (often its outputs)
    return found


def _requirement_files(command: Sequence[str]) -> list[str]:
    """``pip install -r requirements.txt``: the files pip would read must exist."""
    if command[0] not in {"pip", "pip3", "uv"}:
        return []
    return [
        command[i + 1]
        for i, word in enumerate(command[:-1])
        if word in {"-r", "--requirement", "-c", "--constraint"} and looks_like_path(command[i + 1])
    ]


# Slashes that are not paths: `Mod.fun/2`, `fun/1`, `159/159`, `HTTP/2`, `TLS/1.3`.
_NOT_A_PATH = re.compile(r"^(?:[\w.]*[\w!?]/\d+|\d[\d.,]*/\d[\d.,]*|[A-Za-z]+/\d+(?:\.\d+)*)$")


def looks_like_path(token: str) -> bool:
    """Possibly a relative path: a slash or a known file extension, and nothing that makes
    it a URL, glob, option, variable, placeholder, ``host:port``, ``Mod.fun/arity``, a ratio
    or a protocol version. See ``path_needs_prefix`` for slashes without an extension."""
    if not token or token.startswith(("-", "/")) or "://" in token:
        return False
    if any(char in _NOT_PATH_CHARS for char in token):
        return False
    token = _LINE_SUFFIX.sub("", token)
    if ":" in token or token in {".", ".."} or not re.search(r"[A-Za-z0-9]", token):
        return False
    if _NOT_A_PATH.match(token) or _PLACEHOLDER_PATH.search(token):
        return False
    if "/" in token:
        return True
    return has_known_extension(token)


def has_known_extension(token: str) -> bool:
    return posixpath.splitext(_LINE_SUFFIX.sub("", token).rstrip("/"))[1] in KNOWN_EXTENSIONS


def path_needs_prefix(token: str) -> bool:
    """``jobs/hour``, ``req/s``: a path only when its first folder exists in the project.
    A known extension or a leading ``./``/``../`` makes it plainly a path."""
    return not has_known_extension(token) and not token.startswith(("./", "../"))


def looks_like_dir(token: str) -> bool:
    if not token or token.startswith(("-", "/")) or "://" in token:
        return False
    return not any(char in _NOT_PATH_CHARS for char in token) and token not in {"-"}


def clean_path(token: str) -> str:
    """``test/x_test.exs:12`` -> ``test/x_test.exs``; ``lib/`` -> ``lib``."""
    return _LINE_SUFFIX.sub("", token).rstrip("/") or token


def refs_of(
    commands: Iterable[Command], *, extra_bases: Sequence[str] = (), script: bool = False
) -> list[PathRef]:
    """Every path a list of commands names, to be checked against the project. Bare file
    names count only in scripts and after a ``cd`` (where the doc says which folder)."""
    refs: list[PathRef] = []
    visited: list[str] = []
    for command in commands:
        if command.cwd is None:
            continue
        bases = tuple(dict.fromkeys([command.cwd, "", *extra_bases, *visited]))
        if command.words[0] == "cd":
            target = next((w for w in command.words[1:] if not w.startswith("-")), "")
            if looks_like_dir(target) and not _DIRNAME_0.match(target):
                refs.append(PathRef(command.line, target, (command.cwd,), command.created, True))
                joined = _join(command.cwd, target)
                if joined:
                    visited.append(joined)
            continue
        for word in path_args(command.words):
            if "/" not in word.rstrip("/") and not (command.moved or script):
                continue  # `mix run my_script.exs`: a bare name may be the reader's own file
            refs.append(
                PathRef(
                    command.line,
                    clean_path(word),
                    bases,
                    command.created,
                    needs_prefix=path_needs_prefix(word),
                )
            )
    return refs


def _matches(task: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(task, pattern) for pattern in patterns)


def is_task_name(word: str) -> bool:
    return bool(_TASK.match(word))
