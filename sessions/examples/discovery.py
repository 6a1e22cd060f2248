"""Which files are examples: the globs in the examples directory minus helpers (files other
examples load, ``*bootstrap*``, the old runner script), and picking examples by name."""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from sessions.core.target import Target
from sessions.examples.config import ExamplesConfig, ExamplesError, Settings
from sessions.examples.model import Discovery, Example

RUNNER_SCRIPT = "run_examples.exs"
HELPER_WORD = "bootstrap"

# `Code.require_file("x.exs", __DIR__)`, `Code.require_file("examples/x.exs")`,
# `Code.require_file(Path.join(__DIR__, "x.exs"))`, `Path.expand("x.exs", __DIR__)`;
# eval_file/compile_file load helpers the same way.
_LOAD = re.compile(
    r"""Code\.(?:require_file|eval_file|compile_file)\s*\(?\s*
    (?:
        "(?P<plain>[^"\\]+)"
        (?P<dir>\s*,\s*(?:__DIR__|Path\.dirname\(\s*__ENV__\.file\s*\)))?
      | Path\.join\(\s*__DIR__\s*,\s*"(?P<joined>[^"\\]+)"\s*\)
      | Path\.expand\(\s*"(?P<expanded>[^"\\]+)"\s*,\s*__DIR__\s*\)
    )""",
    re.VERBOSE,
)


def loaded_files(source: str, file: Path, root: Path) -> set[Path]:
    """Files an example loads with ``Code.require_file`` & co (commented-out calls ignored).

    Without ``__DIR__`` the path is relative to the working directory: the target root.
    """
    found: set[Path] = set()
    for match in _LOAD.finditer(source):
        line_start = source.rfind("\n", 0, match.start()) + 1
        if "#" in source[line_start : match.start()]:
            continue
        plain, joined, expanded = match.group("plain", "joined", "expanded")
        relative = plain or joined or expanded
        if relative is None or "#{" in relative:
            continue
        base = root if plain is not None and match.group("dir") is None else file.parent
        found.add((base / relative).resolve())
    return found


def example_name(path: Path, examples_dir: Path) -> str:
    return path.relative_to(examples_dir).with_suffix("").as_posix()


# Never examples: build output, dependencies, hidden folders. A folder with its own mix.exs
# is a sub-project (its config/, lib/ and test/ files are not examples).
PRUNED = frozenset({"_build", "deps", "node_modules"})


def _walk(examples_dir: Path, recursive: bool) -> list[Path]:
    if not recursive:
        return [path for path in examples_dir.iterdir() if path.is_file()]
    found: list[Path] = []
    for folder, dirs, files in os.walk(examples_dir):
        here = Path(folder)
        dirs[:] = sorted(
            name
            for name in dirs
            if name not in PRUNED
            and not name.startswith(".")
            and not (here / name / "mix.exs").is_file()
        )
        found.extend(here / name for name in files)
    return found


def candidate_files(examples_dir: Path, config: ExamplesConfig) -> list[Path]:
    found: set[Path] = set()
    for path in _walk(examples_dir, config.recursive):
        relative = PurePosixPath(path.relative_to(examples_dir).as_posix())
        if any(relative.match(pattern) for pattern in config.globs) and path.is_file():
            found.add(path.resolve())
    return sorted(found)


def loads(path: Path, root: Path) -> tuple[Path, ...]:
    """Every file ``path`` loads, directly or through the files it loads."""
    seen: list[Path] = []
    queue = [path]
    while queue:
        current = queue.pop(0)
        try:
            source = current.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for loaded in sorted(loaded_files(source, current, root)):
            if loaded != path and loaded not in seen:
                seen.append(loaded)
                queue.append(loaded)
    return tuple(seen)


def is_default_helper(path: Path) -> bool:
    return HELPER_WORD in path.name.lower() or path.name == RUNNER_SCRIPT


def _matches(patterns: Sequence[str], name: str, path: Path, examples_dir: Path) -> bool:
    relative = path.relative_to(examples_dir).as_posix()
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(relative, p) for p in patterns)


def helper_files(
    files: Sequence[Path], examples_dir: Path, root: Path, config: ExamplesConfig
) -> set[Path]:
    """Configured helpers, or by default: loaded by an example, `*bootstrap*`, the runner."""
    if config.helpers is not None:
        return {
            path
            for path in files
            if _matches(config.helpers, example_name(path, examples_dir), path, examples_dir)
        }
    helpers = {path for path in files if is_default_helper(path)}
    for path in files:
        try:
            source = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise ExamplesError(f"cannot read {path}: {exc.strerror}") from None
        helpers |= loaded_files(source, path, root) - {path}
    return helpers & set(files)


def discover(target: Target, config: ExamplesConfig) -> Discovery:
    examples_dir = target.examples_dir.resolve()
    if not examples_dir.is_dir():
        raise ExamplesError(
            f"no examples directory at {target.rel(target.examples_dir)}; create it or set "
            f"`examples_dir` in {target.config_label}"
        )
    files = candidate_files(examples_dir, config)
    helpers = helper_files(files, examples_dir, target.root.resolve(), config)
    runnable = [path for path in files if path not in helpers]
    names = [example_name(path, examples_dir) for path in runnable]
    unknown = sorted(set(config.settings) - set(names))
    if unknown:
        raise ExamplesError(
            f"{target.config_label}: [examples.settings.{unknown[0]}] names no example; "
            f"examples are: {', '.join(names) or '(none)'}"
        )
    if not runnable:
        raise ExamplesError(
            f"no examples in {target.rel(target.examples_dir)} match "
            f"{', '.join(config.globs)}; add some or set `globs` in [examples]"
        )
    root = target.root.resolve()
    return Discovery(
        examples=tuple(
            Example(name, path, _settings(name, path, examples_dir, config), loads(path, root))
            for name, path in zip(names, runnable, strict=True)
        ),
        helpers=tuple(example_name(path, examples_dir) for path in sorted(helpers)),
    )


def _settings(name: str, path: Path, examples_dir: Path, config: ExamplesConfig) -> Settings:
    """The example's settings; ``[examples] exclusive`` (names or globs) makes it run alone."""
    settings = config.settings.get(name, Settings())
    if config.exclusive and _matches(config.exclusive, name, path, examples_dir):
        settings = dataclasses.replace(settings, exclusive=True)
    return settings


def normalize_name(raw: str, examples_dir_name: str) -> str:
    """Accept what users paste: ``hello``, ``hello.exs`` or ``examples/hello.exs``."""
    name = raw.strip().removeprefix("./")
    name = name.removeprefix(examples_dir_name.rstrip("/") + "/")
    return name.removesuffix(".exs")


def _helper_message(raw: str, name: str, examples: Sequence[Example]) -> str:
    users = [
        e.name for e in examples if any(p.as_posix().endswith(f"/{name}.exs") for p in e.loads)
    ]
    shown = ", ".join(users[:5]) + (f" and {len(users) - 5} more" if len(users) > 5 else "")
    which = f"one that uses it ({shown})" if users else "an example instead"
    return (
        f"`{raw}` is a helper that other examples load, not an example; run {which}, or set "
        "[examples] `helpers` if it should run on its own"
    )


def select(
    examples: Sequence[Example],
    names: Sequence[str],
    examples_dir_name: str = "examples",
    helpers: Sequence[str] = (),
) -> list[Example]:
    """The named examples in the order given; a helper's name says it is one."""
    if not names:
        return list(examples)
    by_name = {example.name: example for example in examples}
    chosen: list[Example] = []
    for raw in names:
        name = normalize_name(raw, examples_dir_name)
        if name not in by_name and name in helpers:
            raise ExamplesError(_helper_message(raw, name, examples))
        if name not in by_name:
            raise ExamplesError(
                f"unknown example `{raw}`; valid names: {', '.join(sorted(by_name))}"
            )
        if by_name[name] not in chosen:
            chosen.append(by_name[name])
    return chosen
