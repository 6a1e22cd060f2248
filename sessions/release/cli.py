"""`nox -s release`: one exact, complete, all-or-nothing version bump and changelog entry.

plan -> validate -> write: every new file content is computed in memory first
(bump-my-version for version mentions, ``sessions.changelog`` for CHANGELOG.md), checked,
then written by temp file + rename; if any write fails every file already written is put
back. Runs in the session venv as ``python -m sessions.release.cli`` (see ``sessions.core.child``)
so bump-my-version is imported once and used as a library: no subprocess per file.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import difflib
import os
import re
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from sessions.core import child, semver
from sessions.core.config import reject_unknown_keys
from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.paths import SUITE_ROOT
from sessions.core.target import (
    ProjectError,
    Target,
    load_target,
    parse_mix_exs,
)
from sessions.release import bump, changelog
from sessions.release import git as gitrepo

DEFAULT_CONFIG = SUITE_ROOT / ".bumpversion.toml"
RELEASE_KEYS = {"changelog", "doc_globs", "extra_patterns"}
PATTERN_KEYS = {"files", "search", "replace"}
DESCRIPTION = (
    "Bump the version in mix.exs and every configured file, and move the CHANGELOG's "
    "[Unreleased] notes under a dated heading. See docs/release.md."
)


class ReleaseError(NoxpitError):
    """The release cannot go ahead; nothing was written."""


# --- arguments -----------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What the user asked for on the command line."""

    version: str
    date: str | None = None
    dry_run: bool = False
    allow_dirty: bool = False
    allow_empty: bool = False
    commit: bool = False
    tag: bool = False


def add_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The release flags, on whichever parser the caller uses (nox side or child side)."""
    parser.description = DESCRIPTION
    parser.add_argument(
        "version", metavar="VERSION", help="the new SemVer version, or major / minor / patch"
    )
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help="the release date in the CHANGELOG (default: today)"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print a unified diff of every file and write nothing",
    )
    parser.add_argument(
        "--allow-dirty",
        action="store_true",
        help="go ahead even if git has uncommitted changes in those files",
    )
    parser.add_argument(
        "--allow-empty", action="store_true", help="release even if [Unreleased] has no notes"
    )
    parser.add_argument(
        "--commit",
        action="store_true",
        help='commit exactly the released files as "Release vX.Y.Z"',
    )
    parser.add_argument(
        "--tag",
        action="store_true",
        help="add an annotated tag vX.Y.Z (needs --commit); never pushed",
    )
    return parser


def to_request(args: argparse.Namespace) -> Request:
    return Request(
        version=args.version,
        date=args.date,
        dry_run=args.dry_run,
        allow_dirty=args.allow_dirty,
        allow_empty=args.allow_empty,
        commit=args.commit,
        tag=args.tag,
    )


class _ChildParser(argparse.ArgumentParser):
    """The child's parser: the nox side already checked usage, but stay one line."""

    def error(self, message: str) -> NoReturn:
        usage = " ".join(self.format_usage().split()).removeprefix("usage: ")
        raise ReleaseError(f"Usage: {usage} ({message})")


# --- settings ------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The target's ``[release]`` table, validated, plus the config file to use."""

    changelog: Path
    doc_globs: tuple[str, ...]
    extra_patterns: tuple[bump.ExtraPattern, ...]
    config_file: Path


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ReleaseError(f"{where} must be a list of non-empty strings")
    return tuple(value)


def _pattern(item: Any, where: str) -> bump.ExtraPattern:
    if not isinstance(item, Mapping):
        raise ReleaseError(f"{where} must be a table {{ files, search, replace }}")
    unknown = sorted(set(item) - PATTERN_KEYS)
    missing = sorted(PATTERN_KEYS - set(item))
    if unknown or missing:
        problem = f"unknown key {unknown[0]}" if unknown else f"missing key {missing[0]}"
        raise ReleaseError(f"{where}: {problem}; it takes files, search and replace")
    for key in ("search", "replace"):
        if not isinstance(item[key], str) or not item[key]:
            raise ReleaseError(f"{where}.{key} must be a non-empty string")
    return bump.ExtraPattern(
        files=_strings(item["files"], f"{where}.files"),
        search=item["search"],
        replace=item["replace"],
    )


def settings_for(target: Target) -> Settings:
    """Read ``[release]``: ``changelog``, ``doc_globs``, ``extra_patterns``."""
    table = target.section("release")
    label = f"{target.config_label}: [release]"
    reject_unknown_keys(table, RELEASE_KEYS, label, ReleaseError)
    name = table.get("changelog", "CHANGELOG.md")
    if not isinstance(name, str) or not name:
        raise ReleaseError(f"{label} changelog must be a path string")
    patterns = table.get("extra_patterns", [])
    if not isinstance(patterns, list):
        raise ReleaseError(f"{label} extra_patterns must be a list of tables")
    own_config = target.root / ".bumpversion.toml"
    return Settings(
        changelog=target.root / name,
        doc_globs=_strings(table.get("doc_globs", []), f"{label} doc_globs"),
        extra_patterns=tuple(
            _pattern(item, f"{label} extra_patterns[{index}]")
            for index, item in enumerate(patterns)
        ),
        config_file=own_config if own_config.is_file() else DEFAULT_CONFIG,
    )


# --- files ---------------------------------------------------------------------------

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class TextFile:
    """A file as read: its bytes and what is needed to write it back faithfully."""

    path: Path
    label: str
    raw: bytes
    text: str
    bom: bool
    mode: int
    uid: int
    gid: int

    def encode(self, text: str) -> bytes:
        return (_BOM if self.bom else b"") + text.encode("utf-8")


def read_text_file(path: Path, label: str) -> TextFile:
    """Read and decode as UTF-8 (a BOM is kept); one line on any problem."""
    real = path.resolve()
    try:
        raw = real.read_bytes()
        info = real.stat()
    except FileNotFoundError:
        raise ReleaseError(f"{label}: not found; create it or fix the release config") from None
    except IsADirectoryError:
        raise ReleaseError(f"{label}: is a directory, expected a text file") from None
    except OSError as exc:
        raise ReleaseError(f"{label}: cannot read ({exc.strerror})") from None
    bom = raw.startswith(_BOM)
    try:
        text = raw[3 if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if bom else 0)
        raise ReleaseError(
            f"{label}: not UTF-8 (byte 0x{raw[offset]:02x} at offset {offset}); convert it "
            "to UTF-8 and run again"
        ) from None
    return TextFile(
        real, label, raw, text, bom, stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid
    )


def check_writable(source: TextFile) -> None:
    """Refuse read-only files up front (even as root: read-only means "leave it")."""
    if not source.mode & stat.S_IWUSR or not os.access(source.path, os.W_OK):
        raise ReleaseError(
            f"{source.label}: read-only; make it writable (chmod u+w) or take it out of the "
            "release config"
        )
    if not os.access(source.path.parent, os.W_OK | os.X_OK):
        raise ReleaseError(
            f"{source.label}: its directory is not writable (the release writes a temp file "
            "beside it and renames it)"
        )


def atomic_write(path: Path, data: bytes, mode: int, owner: tuple[int, int]) -> None:
    """Write via a temp file in the same directory and rename it over ``path``: readers
    see the old file or the new one, never half of one. (No fsync: it can cost more than
    the whole release on a busy disk, and git holds the previous versions anyway.)"""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".noxpit")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        tmp.chmod(mode)
        if owner != (os.getuid(), os.getgid()):
            with contextlib.suppress(OSError):
                os.chown(tmp, *owner)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --- plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One file's new content, with what it was."""

    source: TextFile
    text: str

    @property
    def data(self) -> bytes:
        return self.source.encode(self.text)


@dataclass(frozen=True)
class Plan:
    """Everything a release will do, computed and validated before any write."""

    app: str
    current: str
    new: str
    date: str
    changes: tuple[Change, ...]

    @property
    def tag(self) -> str:
        return f"v{self.new}"

    @property
    def paths(self) -> list[Path]:
        return [change.source.path for change in self.changes]


class _Reader:
    """Each file read once, labelled as users see it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[Path, TextFile] = {}

    def label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def file(self, path: Path) -> TextFile:
        real = path.resolve()
        if real not in self.files:
            self.files[real] = read_text_file(real, self.label(path))
        return self.files[real]

    def text(self, path: Path) -> str:
        return self.file(path).text


def plan_release(
    target: Target,
    request: Request,
    *,
    environ: Mapping[str, str] | None = None,
    today: datetime.date | None = None,
) -> Plan:
    """Compute and validate every change; raises before anything is written."""
    env = os.environ if environ is None else environ
    new = str(semver.next_version(target.version, request.version))
    date = changelog.validate_date(request.date or (today or datetime.date.today()).isoformat())
    if request.tag and not request.commit:
        raise ReleaseError("--tag needs --commit (the tag must point at the release commit)")
    settings = settings_for(target)
    reader = _Reader(target.root.resolve())

    log = reader.file(settings.changelog)
    log_text = changelog.release(
        log.text,
        old=target.version,
        new=semver.parse(new),
        date=date,
        allow_empty=request.allow_empty,
        name=log.label,
    )
    spec = bump.BumpSpec(
        config_file=settings.config_file,
        root=target.root,
        app=target.app,
        doc_globs=settings.doc_globs,
        extra_patterns=settings.extra_patterns,
        extras_label=f"{target.config_label}: [release]",
        changelog=log.path,
    )
    config_label = reader.label(settings.config_file)
    edits = bump.plan_edits(spec, target.version, new, reader.text, env, config_label)
    mix_exs = (target.root / "mix.exs").resolve()
    _check_mix_exs(edits.get(mix_exs), new, config_label)

    changes = [Change(reader.file(path), text) for path, text in edits.items()]
    changes.append(Change(log, log_text))
    for change in changes:
        check_writable(change.source)
    return Plan(target.app, target.version, new, date, tuple(changes))


def _check_mix_exs(text: str | None, new: str, config_label: str) -> None:
    """The edited mix.exs must itself say the new version (the one source of truth)."""
    if text is None:
        raise ReleaseError(
            f"{config_label}: no entry changes the version in mix.exs; add one for mix.exs"
        )
    try:
        version = parse_mix_exs(text).version
    except ProjectError as exc:
        raise ReleaseError(f"mix.exs would become unreadable: {exc}") from None
    if version != new:
        raise ReleaseError(
            f"{config_label}: after the edits mix.exs reads {version}, not {new}; fix the "
            "mix.exs search pattern"
        )


# --- git -----------------------------------------------------------------------------


def check_git(target: Target, plan: Plan, request: Request) -> gitrepo.Repo | None:
    """Refuse a dirty tree in the released files; check what --commit/--tag will need."""
    repo = gitrepo.find_repo(target.root)
    if repo is None:
        if request.commit or request.tag:
            raise ReleaseError(
                f"--commit/--tag need a git repository, and {target.root} is not in one "
                "(or git is not installed)"
            )
        return None
    if not request.allow_dirty:
        dirty = repo.dirty(plan.paths)
        if dirty:
            names = ", ".join(_label(target, path) for path in dirty)
            raise ReleaseError(
                f"uncommitted changes in {names}; commit or stash them, or pass --allow-dirty"
            )
    if request.commit and not repo.has_identity():
        raise ReleaseError(
            "git has no committer identity; set user.name and user.email, then run again"
        )
    if request.tag and repo.has_tag(plan.tag):
        raise ReleaseError(f"tag {plan.tag} already exists; choose another version")
    return repo


def _label(target: Target, path: Path) -> str:
    try:
        return str(path.relative_to(target.root.resolve()))
    except ValueError:
        return str(path)


# --- write ---------------------------------------------------------------------------


def _verify_unchanged(plan: Plan) -> None:
    for change in plan.changes:
        try:
            same = change.source.path.read_bytes() == change.source.raw
        except OSError:
            same = False
        if not same:
            raise ReleaseError(
                f"{change.source.label} changed or disappeared while the release ran; nothing "
                "was written, run it again"
            )


def _restore(written: Sequence[Change]) -> list[str]:
    """Put back every written file; the labels of those that could not be."""
    failed: list[str] = []
    for change in reversed(written):
        source = change.source
        try:
            atomic_write(source.path, source.raw, source.mode, (source.uid, source.gid))
        except OSError:
            failed.append(source.label)
    return failed


def _restored_note(failed: list[str]) -> str:
    if failed:
        return f"could not restore {', '.join(failed)}: check it with git diff"
    return "every file was restored"


def write_all(plan: Plan) -> None:
    """All or nothing: a failed write puts back every file written before it."""
    _verify_unchanged(plan)
    written: list[Change] = []
    for change in plan.changes:
        source = change.source
        try:
            atomic_write(source.path, change.data, source.mode, (source.uid, source.gid))
        except OSError as exc:
            note = _restored_note(_restore(written))
            reason = exc.strerror or str(exc)
            raise ReleaseError(f"{source.label}: write failed ({reason}); {note}") from None
        written.append(change)


def commit_and_tag(repo: gitrepo.Repo, plan: Plan, request: Request, console: Console) -> None:
    message = f"Release {plan.tag}"
    if request.commit:
        try:
            repo.commit(plan.paths, message)
        except gitrepo.GitError as exc:
            repo.unstage(plan.paths)
            note = _restored_note(_restore(plan.changes))
            raise ReleaseError(f"{exc}; {note}") from None
        console.step(f'committed "{message}" ({len(plan.paths)} files)')
    if request.tag:
        try:
            repo.tag(plan.tag, message)
        except gitrepo.GitError as exc:
            raise ReleaseError(f"{exc}; the release commit stays, tag it by hand") from None
        console.step(f"tagged {plan.tag} (not pushed: git push origin {plan.tag})")


# --- output --------------------------------------------------------------------------

_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def unified_diff(before: str, after: str, label: str, context: int = 3) -> list[str]:
    """A unified diff; the common head and tail are skipped before difflib sees them, so
    a one-line change in a 1 MB changelog costs almost nothing."""
    a = changelog.split_lines(before)
    b = changelog.split_lines(after)
    head = 0
    limit = min(len(a), len(b))
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    # Keep twice the context: difflib may place an insertion a few equal lines earlier.
    start = max(0, head - 2 * context)
    keep_tail = max(0, tail - 2 * context)
    out: list[str] = []
    for line in difflib.unified_diff(
        a[start : len(a) - keep_tail],
        b[start : len(b) - keep_tail],
        f"a/{label}",
        f"b/{label}",
        n=context,
    ):
        hunk = _HUNK.match(line)
        if hunk:
            old, old_len, new, new_len = hunk.groups()
            line = (
                f"@@ -{int(old) + start}{old_len or ''} +{int(new) + start}{new_len or ''} "
                f"@@{line[hunk.end() :]}"
            )
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return out


def _counts(diff: list[str]) -> str:
    added = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
    return f"+{added} -{removed}"


def _print_diff(console: Console, diff: list[str]) -> None:
    colours = {"+": "green", "-": "red", "@": "dim"}
    lines = []
    for line in "".join(diff).splitlines():
        colour = "" if line.startswith(("+++", "---")) else colours.get(line[:1], "")
        lines.append(console.paint(line, colour) if colour else line)
    console.line("\n".join(lines))


def run(
    target: Target, request: Request, console: Console, environ: Mapping[str, str] | None = None
) -> Plan:
    """The whole release: plan, check git, then diff or write, commit and tag."""
    plan = plan_release(target, request, environ=environ)
    repo = check_git(target, plan, request)
    console.step(f"release {plan.app} {plan.current} -> {plan.new} ({plan.date})")
    rows: list[list[str]] = []
    for change in plan.changes:
        diff = unified_diff(change.source.text, change.text, change.source.label)
        if request.dry_run:
            _print_diff(console, diff)
        rows.append([change.source.label, _counts(diff)])
    verb = "would change" if request.dry_run else "changed"
    console.table(["File", "Lines"], rows, title=f"release {plan.new}: files {verb}")
    if request.dry_run:
        console.step(f"dry run: {len(plan.changes)} files would change; nothing written")
        return plan
    write_all(plan)
    console.step(f"wrote {len(plan.changes)} files for {plan.new}")
    if repo is not None:
        commit_and_tag(repo, plan, request, console)
    return plan


def main(argv: list[str]) -> None:
    """The child entry: parse, read the target, release."""
    args = add_options(_ChildParser(prog="nox -s release --")).parse_args(argv)
    target = load_target(SUITE_ROOT)
    run(target, to_request(args), Console())


if __name__ == "__main__":
    raise SystemExit(child.child_main(main))
