"""The release's steps in order: plan, check git, show the lists and the diff, then write,
commit and tag. ``cli`` is the child's entry; tests call ``run`` in-process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sessions.core.console import Console
from sessions.core.target import Target
from sessions.release import diff, files
from sessions.release import git as gitrepo
from sessions.release.mentions import Mention
from sessions.release.options import Request
from sessions.release.plan import Plan, plan_release
from sessions.release.settings import ReleaseError


def _section(console: Console, title: str, mentions: Sequence[Mention], extra: str = "") -> None:
    console.step(f"{title}: {len(mentions)}{extra}")
    for mention in mentions:
        console.line(mention.render())


def run(
    target: Target, request: Request, console: Console, environ: Mapping[str, str] | None = None
) -> Plan:
    """The whole release: plan, check git, then diff or write, commit and tag."""
    plan = plan_release(target, request, environ=environ)
    repo = gitrepo.check_repo(
        target.root,
        plan.paths,
        plan.tag,
        allow_dirty=request.allow_dirty,
        commit=request.commit,
        tag_it=request.tag,
    )
    console.step(f"release {plan.app} {plan.current} -> {plan.new} ({plan.date})")
    warnings = list(plan.warnings)
    if repo is not None and plan.linked_tags:
        existing = repo.tags()
        missing = [t for t in plan.linked_tags if t not in existing and t != plan.tag]
        if missing:
            warnings.append(
                f"{len(missing)} CHANGELOG link reference(s) point at tags missing in this "
                f"git ({', '.join(missing)}); fetch them (git fetch --tags) or fix the links"
            )
    for warning in warnings:
        console.step(f"warning: {warning}")
        console.annotate("warning", warning, title="release")
    _section(console, "bumped", plan.bumped)
    _section(console, "kept (history)", plan.kept)
    silenced = f"; {plan.ignored} more silenced by review_ignore" if plan.ignored else ""
    _section(console, "not changed", plan.unchanged, f" (mentions of {plan.current}{silenced})")
    rows: list[list[str]] = []
    for change in plan.changes:
        lines = diff.unified_diff(change.source.text, change.text, change.source.label)
        if request.dry_run:
            diff.print_diff(console, lines)
        rows.append([change.source.label, diff.counts(lines)])
    verb = "would change" if request.dry_run else "changed"
    console.table(["File", "Lines"], rows, title=f"release {plan.new}: files {verb}")
    if request.strict and plan.unchanged:
        raise ReleaseError(
            f"--strict: {len(plan.unchanged)} mention(s) of {plan.current} not changed (listed "
            "above); update them, or keep or silence them in [release]"
        )
    if request.dry_run:
        target_notes = f"; notes would go to {plan.notes[0]}" if plan.notes else ""
        console.step(
            f"dry run: {len(plan.changes)} files would change; nothing written{target_notes}"
        )
        return plan
    extra = (plan.notes[0], plan.notes[1].encode("utf-8")) if plan.notes else None
    files.write_all(plan.changes, extra)
    console.step(f"wrote {len(plan.changes)} files for {plan.new}")
    if plan.notes:
        console.step(f"notes: {plan.notes[0]} (gh release create {plan.tag} --notes-file ...)")
    if repo is not None:
        _commit_and_tag(repo, plan, request, console)
    return plan


def _commit_and_tag(repo: gitrepo.Repo, plan: Plan, request: Request, console: Console) -> None:
    message = f"Release {plan.tag}"
    if request.commit:
        try:
            repo.commit(plan.paths, message)
        except gitrepo.GitError as exc:
            repo.unstage(plan.paths)
            note = files.restored_note(files.restore(plan.changes))
            raise ReleaseError(f"{exc}; {note}") from None
        console.step(f'committed "{message}" ({len(plan.paths)} files)')
    if request.tag:
        try:
            repo.tag(plan.tag, message)
        except gitrepo.GitError as exc:
            raise ReleaseError(f"{exc}; the release commit stays, tag it by hand") from None
        console.step(f"tagged {plan.tag} (not pushed: git push origin {plan.tag})")
