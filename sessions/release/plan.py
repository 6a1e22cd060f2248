"""The plan: every file's new content, every version mention sorted into bumped, kept
(history) and not changed, computed and validated before anything is written."""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sessions.core import semver
from sessions.core.files import rel_label
from sessions.core.target import ProjectError, Target, parse_mix_exs
from sessions.release import bump, changelog, preflight
from sessions.release.files import Change, TextFile, check_writable, read_text_file
from sessions.release.mentions import Decider, Mention, from_found
from sessions.release.options import Request
from sessions.release.review import review, rewritten
from sessions.release.settings import ReleaseError, settings_for


@dataclass(frozen=True)
class Plan:
    """Everything a release will do."""

    app: str
    current: str
    new: str
    date: str
    changes: tuple[Change, ...]
    bumped: tuple[Mention, ...] = ()
    kept: tuple[Mention, ...] = ()
    unchanged: tuple[Mention, ...] = ()
    ignored: int = 0
    linked_tags: tuple[str, ...] = ()
    notes: tuple[Path, str] | None = None  # where to write the released notes, and them
    warnings: tuple[str, ...] = ()

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

    def file(self, path: Path) -> TextFile:
        real = path.resolve()
        if real not in self.files:
            self.files[real] = read_text_file(real, rel_label(path, self.root))
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
    root = target.root.resolve()
    reader = _Reader(root)
    notes_path = _notes_path(root, request.notes)

    log = reader.file(settings.changelog)
    model = changelog.parse(log.text)
    preflight.check_date(model, date, log.label, request.allow_backdate)
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
        root=root,
        app=target.app,
        doc_globs=settings.table.doc_globs,
        extra_patterns=settings.table.extra_patterns,
        extras_label=settings.label,
        changelog=log.path,
    )
    config_label = rel_label(settings.config_file, root)
    decider = Decider(root, settings.table, Path(rel_label(log.path, root)).as_posix())
    edits, found = bump.plan_edits(
        spec, target.version, new, reader.text, env, config_label, decide=decider
    )
    _check_mix_exs(edits.get(root / "mix.exs"), new, config_label)

    changes = [Change(reader.file(path), text) for path, text in edits.items()]
    changes.append(Change(log, log_text))
    for change in changes:
        check_writable(change.source)
    bumped, kept = from_found(found, {p: f.label for p, f in reader.files.items()})
    bumped += [
        Mention(log.label, index + 1, line)
        for index, line in rewritten(log.text, log_text, target.version)
    ]
    listed = {(m.label, m.line) for m in (*bumped, *kept)}
    scan = review(
        root,
        app=target.app,
        current=target.version,
        new=new,
        changed={c.source.path: (c.source.text, c.text) for c in changes},
        already=listed,
        decider=decider,
        ignore=settings.table.review_ignore,
    )
    notes = None
    if notes_path is not None:
        notes = (notes_path, changelog.parse(log_text).notes(new) or "")
    return Plan(
        app=target.app,
        current=target.version,
        new=new,
        date=date,
        changes=tuple(changes),
        bumped=tuple(bumped),
        kept=tuple(sorted(kept + scan.kept)),
        unchanged=tuple(scan.unchanged),
        ignored=scan.ignored,
        linked_tags=tuple(preflight.linked_tags(model)),
        notes=notes,
        warnings=tuple(f"{rule} matched no mention" for rule in decider.unused_rules()),
    )


def _notes_path(root: Path, notes: Path | None) -> Path | None:
    """``--notes FILE`` (relative to the target root); its folder must exist."""
    if notes is None:
        return None
    path = notes if notes.is_absolute() else root / notes
    if path.is_dir():
        raise ReleaseError(f"--notes {notes}: is a directory; give a file name")
    if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
        raise ReleaseError(f"--notes {notes}: folder {path.parent} is missing or not writable")
    return path


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
