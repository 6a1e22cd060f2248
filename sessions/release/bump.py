"""Version edits through bump-my-version, used as a library in one process.

bump-my-version owns the config format (``.bumpversion.toml``: parse/serialize, per-file
search/replace, regex, globs) and the search-and-replace itself; noxpit adds what it lacks:
the current version comes from mix.exs (never stored in the config), every configured
file or glob must match at least once (bump-my-version would skip a miss silently when
told to ignore it, or stop half-way), and every edit is made in memory so the release
can validate all of them before it writes anything.
"""

from __future__ import annotations

import datetime
import importlib.util
import logging
import re
import string
import tomllib
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sessions.core.errors import NoxpitError
from sessions.release.settings import ExtraPattern

APP_ENV = "NOXPIT_APP"  # `{$NOXPIT_APP}` in search/replace templates: the Mix app name


class VersionFilesError(NoxpitError):
    """The bump-my-version config is wrong, or a configured file did not match."""


@dataclass(frozen=True)
class BumpSpec:
    """What to edit: the config file plus noxpit's own additions."""

    config_file: Path
    root: Path
    app: str
    doc_globs: tuple[str, ...] = ()
    extra_patterns: tuple[ExtraPattern, ...] = ()
    extras_label: str = "[release]"  # where doc_globs/extra_patterns come from
    changelog: Path | None = None  # edited by noxpit's changelog parser, never by a pattern


@dataclass(frozen=True)
class Source:
    """Where a file entry was configured, for error messages."""

    where: str  # the config file (or the target's [release] table)
    name: str  # the filename or glob as written there

    def __str__(self) -> str:
        return f"{self.where} [{self.name}]"


@dataclass(frozen=True)
class Entry:
    """One configured file or glob and the files it resolved to."""

    source: Source
    paths: tuple[Path, ...]
    file_change: Any


def _quiet_library_logging() -> None:
    # bump-my-version logs through "bumpversion"; its output would break our one-line rule.
    library = logging.getLogger("bumpversion")
    library.addHandler(logging.NullHandler())
    library.propagate = False


def _read_config(spec: BumpSpec, label: str) -> dict[str, Any]:
    """The ``[tool.bumpversion]`` table, read only to add noxpit's entries to its files."""
    try:
        data = tomllib.loads(spec.config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise VersionFilesError(f"{label}: cannot read ({exc}); fix the file") from None
    except tomllib.TOMLDecodeError as exc:
        raise VersionFilesError(f"{label}: invalid TOML ({exc}); fix the file") from None
    tool = data.get("tool")
    parsed = tool.get("bumpversion") if isinstance(tool, dict) else None
    if not isinstance(parsed, dict) or not parsed:
        raise VersionFilesError(f"{label}: no [tool.bumpversion] table; add one (docs/release.md)")
    if "current_version" in parsed:
        raise VersionFilesError(
            f"{label}: remove `current_version`; noxpit reads the current version from "
            "mix.exs so it is stored only once"
        )
    return parsed


def _extra_entries(spec: BumpSpec) -> list[dict[str, Any]]:
    """noxpit's additions as bump-my-version file tables (globs relative to the root)."""
    entries: list[dict[str, Any]] = [{"glob": pattern} for pattern in spec.doc_globs]
    for extra in spec.extra_patterns:
        entries.extend(
            {"glob": pattern, "search": extra.search, "replace": extra.replace, "regex": True}
            for pattern in extra.files
        )
    return entries


def _sources(own: list[Any], spec: BumpSpec, label: str) -> list[Source]:
    def name(table: Any) -> str:
        if not isinstance(table, dict):
            return "?"
        return str(table.get("glob") or table.get("filename") or "?")

    sources = [Source(label, name(table)) for table in own]
    sources += [Source(f"{spec.extras_label} doc_globs", glob) for glob in spec.doc_globs]
    for extra in spec.extra_patterns:
        sources += [Source(f"{spec.extras_label} extra_patterns", glob) for glob in extra.files]
    return sources


def _rooted(table: Any, root: Path) -> Any:
    """A file table with relative paths made absolute from the target root: the default
    config lives in the suite, yet its paths name the target's files."""
    from wcmatch import glob

    if not isinstance(table, dict):
        return table  # bump-my-version reports it
    base = glob.escape(root.as_posix())

    def rooted(value: Any, pattern: bool) -> Any:
        if not isinstance(value, str) or value.startswith(("/", "{repo_root}")):
            return value
        if not pattern:
            return str(root / value)
        negated = value.startswith("!")
        return ("!" if negated else "") + f"{base}/{value.removeprefix('!')}"

    out = dict(table)
    if "filename" in out:
        out["filename"] = rooted(out["filename"], pattern=False)
    if "glob" in out:
        out["glob"] = rooted(out["glob"], pattern=True)
    if isinstance(out.get("glob_exclude"), list):
        out["glob_exclude"] = [rooted(item, pattern=True) for item in out["glob_exclude"]]
    return out


def load_config(spec: BumpSpec, current: str, label: str) -> tuple[Any, list[Source]]:
    """bump-my-version's ``Config`` through its public ``get_configuration``, with
    current_version from mix.exs and noxpit's entries added to the config's files."""
    from bumpversion.config import get_configuration
    from bumpversion.exceptions import BumpVersionError
    from pydantic import ValidationError

    _quiet_library_logging()
    parsed = _read_config(spec, label)
    own = list(parsed.get("files", []))
    sources = _sources(own, spec, label)
    files = [_rooted(table, spec.root) for table in own + _extra_entries(spec)]
    try:
        return get_configuration(spec.config_file, current_version=current, files=files), sources
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise VersionFilesError(f"{label}: invalid setting {where}: {first['msg']}") from None
    except (BumpVersionError, ValueError, TypeError, re.error) as exc:
        raise VersionFilesError(f"{label}: {_one_line(exc)}") from None


def _short(pattern: str, limit: int = 60) -> str:
    return repr(pattern if len(pattern) <= limit else pattern[: limit - 3] + "...")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _entries(config: Any, sources: list[Source], spec: BumpSpec) -> list[Entry]:
    """Each configured file or glob with the files it names (a glob that names none is an
    error: a doc that moved would otherwise drop out of every release unnoticed)."""
    from wcmatch import glob

    flags = glob.GLOBSTAR | glob.FORCEUNIX | glob.SPLIT | glob.EXTGLOB
    entries: list[Entry] = []
    for file_change, source in zip(config.files, sources, strict=True):
        if file_change.glob:
            exclude = file_change.glob_exclude or ()
            found = glob.glob(file_change.glob, flags=flags, exclude=exclude)
            paths = tuple(sorted((spec.root / name).resolve() for name in found))
            paths = tuple(path for path in paths if path.is_file())
            if paths and set(paths) <= {spec.changelog}:
                raise _changelog_entry(source)
            paths = tuple(path for path in paths if path != spec.changelog)
            if not paths and not file_change.ignore_missing_file:
                raise VersionFilesError(
                    f"{source.where}: glob {source.name} matches no file; fix the pattern or "
                    "remove it"
                )
        else:
            path = (spec.root / (file_change.filename or "")).resolve()
            if not path.is_file():
                if file_change.ignore_missing_file:
                    continue
                raise VersionFilesError(
                    f"{source.where}: {source.name} does not exist; create it or remove it from "
                    "the config"
                )
            if path == spec.changelog:
                raise _changelog_entry(source)
            paths = (path,)
        entries.append(Entry(source=source, paths=paths, file_change=file_change))
    return entries


def _changelog_entry(source: Source) -> VersionFilesError:
    return VersionFilesError(
        f"{source}: the changelog is edited by noxpit's own parser, not by a pattern; remove "
        "this entry"
    )


def _require_library() -> None:
    if importlib.util.find_spec("bumpversion") is None:
        raise VersionFilesError(
            "bump-my-version is not installed in this Python; run the release through "
            "`nox -s release`"
        )


def context(app: str, environ: Mapping[str, str], current: Any, new: Any) -> dict[str, Any]:
    """What search/replace templates may use: bump-my-version's names (``current_version``,
    ``new_version``, ``current_major``..., ``{$ENV}``) plus ``{$NOXPIT_APP}``."""
    ctx: dict[str, Any] = {f"${key}": value for key, value in environ.items()}
    ctx[f"${APP_ENV}"] = app
    ctx.update({"#": "#", ";": ";", "now": datetime.datetime.now()})
    ctx["utcnow"] = datetime.datetime.now(datetime.UTC)
    ctx.update({f"current_{part}": current[part].value for part in current})
    ctx.update({f"new_{part}": new[part].value for part in new})
    return ctx


def _check_template(template: str, ctx: Mapping[str, Any], where: str) -> None:
    """Catch unknown ``{names}`` before bump-my-version would raise a bare KeyError."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    except ValueError as exc:
        raise VersionFilesError(f"{where}: bad template {template!r} ({exc})") from None
    fields = [re.split(r"[.\[]", name, maxsplit=1)[0] for name in fields]
    known = set(ctx) | {"current_version", "new_version"}
    unknown = sorted({name for name in fields if name not in known})
    if unknown:
        raise VersionFilesError(
            f"{where}: {template!r} uses undefined {{{unknown[0]}}}; use {{current_version}}, "
            f"{{new_version}} or {{${APP_ENV}}} (braces in a regex are written {{{{ }}}})"
        )


def _check_regex(file_change: Any, ctx: Mapping[str, Any], where: str) -> None:
    if not file_change.regex:
        return
    escaped = {key: re.escape(str(value)) for key, value in ctx.items()}
    escaped.update(current_version="0", new_version="0")
    try:
        re.compile(file_change.search.format(**escaped), re.MULTILINE | re.DOTALL)
    except (re.error, KeyError, IndexError, ValueError) as exc:
        raise VersionFilesError(
            f"{where}: search {file_change.search!r} is not a valid regex ({exc})"
        ) from None


@dataclass(frozen=True)
class Found:
    """One match of an entry's search in a file: kept (with the reason) or bumped."""

    path: Path
    start: int  # offset in the text the match was found in
    text: str  # that text (to find the line)
    before: str  # what matched
    after: str  # what it becomes (== before when kept)
    kept: str | None


# Why a match is kept (None: bump it); given the file, its text and the match.
Decide = Callable[[Path, str, "re.Match[str]"], "str | None"]


def plan_edits(
    spec: BumpSpec,
    current: str,
    new: str,
    read: Callable[[Path], str],
    environ: Mapping[str, str],
    config_label: str,
    decide: Decide | None = None,
) -> tuple[dict[Path, str], list[Found]]:
    """The new text of every file bump-my-version would change, computed in memory, and
    every match found (bumped or kept as history by ``decide``).

    ``read`` supplies file texts (the caller reads each file once and owns decoding).
    Raises when an entry matches nowhere, so a release is complete or does not happen.
    """
    _require_library()
    from bumpversion.exceptions import BumpVersionError
    from bumpversion.files import ConfiguredFile

    config, sources = load_config(spec, current, config_label)
    version_config = config.version_config
    current_v = version_config.parse(current)
    new_v = version_config.parse(new)
    for text, parsed in ((current, current_v), (new, new_v)):
        if parsed is None:
            raise VersionFilesError(f"{config_label}: its `parse` regex cannot read {text}")
    ctx = context(spec.app, environ, current_v, new_v)

    texts: dict[Path, str] = {}
    originals: dict[Path, str] = {}
    found: dict[tuple[Path, int], Found] = {}
    for entry in _entries(config, sources, spec):
        where = str(entry.source)
        _check_template(entry.file_change.search, ctx, where)
        _check_template(entry.file_change.replace, ctx, where)
        _check_regex(entry.file_change, ctx, where)
        matched = False
        for path in entry.paths:
            if path not in texts:
                texts[path] = originals[path] = read(path)
            change = entry.file_change.model_copy(
                update={"filename": str(path), "glob": None, "ignore_missing_version": True}
            )
            configured = ConfiguredFile(change, version_config)
            run_ctx: MutableMapping[str, Any] = dict(ctx)
            try:
                changed = configured.get_changed_contents(
                    current_v, new_v, run_ctx, file_contents=texts[path]
                )
                if changed is None:
                    continue
                search, _ = change.get_search_pattern(run_ctx)
                replace = configured.version_config.replace.format(**run_ctx)
            except (BumpVersionError, KeyError, IndexError, ValueError, re.error) as exc:
                raise VersionFilesError(f"{where}: {_one_line(exc)}") from None
            _check_round_trip(run_ctx, current, new, where)
            matched = True
            texts[path] = _apply(path, texts[path], changed, search, replace, decide, found)
        if not matched and not entry.file_change.ignore_missing_version:
            count = len(entry.paths)
            scope = f" in {count} file{'s' * (count != 1)}" if entry.file_change.glob else ""
            raise VersionFilesError(
                f"{where}: search {_short(entry.file_change.search)} matches nothing{scope}; "
                "fix the file or the pattern"
            )
    edits = {path: text for path, text in texts.items() if text != originals[path]}
    return edits, list(found.values())


def _apply(
    path: Path,
    text: str,
    changed: str,
    search: re.Pattern[str],
    replace: str,
    decide: Decide | None,
    found: dict[tuple[Path, int], Found],
) -> str:
    """bump-my-version's result, unless a match is kept: then every match but the kept
    ones is replaced as bump-my-version replaces it (``Pattern.sub`` with its template)."""
    kept: set[int] = set()
    for match in search.finditer(text):
        reason = decide(path, text, match) if decide else None
        after = match.group(0) if reason else match.expand(replace)
        if reason:
            kept.add(match.start())
        if reason or after != match.group(0):
            found.setdefault(
                (path, match.start()),
                Found(path, match.start(), text, match.group(0), after, reason),
            )
    if not kept:
        return changed
    return search.sub(lambda m: m.group(0) if m.start() in kept else m.expand(replace), text)


def _check_round_trip(ctx: Mapping[str, Any], current: str, new: str, where: str) -> None:
    for key, wanted in (("current_version", current), ("new_version", new)):
        got = ctx.get(key)
        if got is not None and got != wanted:
            raise VersionFilesError(
                f"{where}: `serialize` turns {wanted} into {got}; fix parse/serialize so "
                "versions survive a round trip"
            )
