"""``docs_check``: the README, guides, examples and scripts must tell one true story.

One generic runner applies the declarative checks (``finders.CHECKS``) to every document
they apply to and collects ``Finding(path, line, message, id)``; silenced findings
(``[docs] ignore`` tables) are dropped with their reason on record. Reading files, running
``mix help`` and printing happen here, at the edge.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.core.console import Console
from sessions.core.findings import Finding
from sessions.core.options import PosargsParser, UsageError
from sessions.core.status import Status
from sessions.core.target import Target
from sessions.docs import commands as sh
from sessions.docs import config as docs_config
from sessions.docs import mix_tasks, parse_cache, projects, refs, sources
from sessions.docs.config import DocsConfig, Silence
from sessions.docs.finders import CHECKS
from sessions.docs.model import Check, Context, Document


def run_checks(
    documents: Iterable[Document], ctx: Context, checks: Sequence[Check] = CHECKS
) -> list[Finding]:
    """Every check on every document it applies to; findings sorted and deduplicated."""
    findings = {
        Finding(doc.rel, line, message, check.id)
        for doc in documents
        for check in checks
        if check.applies_to(doc)
        for line, message in check.find(doc, ctx)
    }
    return sorted(findings, key=Finding.sort_key)


def silenced(
    finding: Finding, silences: Iterable[Silence], documents: Mapping[str, Document]
) -> bool:
    """Whether a ``[docs] ignore`` entry covers the finding (same id and file, and the same
    line or a line containing the entry's text)."""
    for entry in silences:
        if entry.id != finding.code or entry.file != finding.file:
            continue
        if entry.line is not None and entry.line == finding.line:
            return True
        if entry.text is not None and finding.line:
            doc = documents.get(finding.file)
            lines = doc.lines if doc else ()
            if 0 < finding.line <= len(lines) and entry.text in lines[finding.line - 1]:
                return True
    return False


@dataclass(frozen=True)
class Report:
    documents: int
    findings: tuple[Finding, ...]
    task_source: str
    silenced: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings


def options_parser() -> PosargsParser:
    parser = PosargsParser("docs_check", "Check the docs; PATHs limit the check to those files.")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check")
    parser.add_argument(
        "--explain", metavar="ID", help="say what a finding id means and how to fix it"
    )
    return parser


def explain(check_id: str) -> str:
    """What a finding id checks and what to do about it (``docs_check -- --explain ID``)."""
    for check in CHECKS:
        if check.id == check_id:
            history = "" if check.in_history else " Off in `[docs] history` documents."
            return f"{check.id} ({check.name}): {check.remedy}{history}"
    known = ", ".join(check.id for check in CHECKS)
    raise UsageError(f"--explain: no check `{check_id}`; the ids are {known}")


def config_of(target: Target) -> DocsConfig:
    return docs_config.parse_config(
        target.section("docs"), target.config_label, target.rel(target.examples_dir)
    )


def run(target: Target, console: Console, args: argparse.Namespace | None = None) -> Report:
    """Scan the target's docs (or the PATHs given, relative to the target root) and print
    each finding; ``--explain ID`` only prints what the id means."""
    if args is not None and args.explain:
        console.line(explain(args.explain))
        return Report(0, (), "not needed")
    config = config_of(target)
    only = [target.root / p for p in (args.paths if args else [])]
    where = ", ".join(args.paths) if args and args.paths else ", ".join(config.paths)
    console.step(f"docs_check: {where}")
    cache = parse_cache.ParseCache(target.reports_dir / "docs_check" / "markdown.json")
    documents = sources.discover(target.root, config, only, cache.parse)
    tree = sources.FsTree(target.root)
    uses_mix = any(sh.mix_tasks(c.words) for doc in documents for c in refs.commands(doc))
    tasks = (
        mix_tasks.load(target, console, configured=config.tasks)
        if uses_mix
        else mix_tasks.TaskList(frozenset(), (), "not needed")
    )
    ctx = Context(
        app=target.app,
        version=target.version,
        tree=tree,
        tasks=tasks,
        parse=cache.parse,
        deprecations=projects.with_helpers_exempt(target, config.deprecations),
        allow_missing=(*config.allow_missing, target.rel(target.venv_dir)),
        projects=projects.nested(target, tree, config.tasks, tasks.names) if uses_mix else {},
    )
    by_rel = {doc.rel: doc for doc in documents}
    found = run_checks(documents, ctx)
    cache.save()
    kept = [f for f in found if not silenced(f, config.silences, by_rel)]
    report = Report(len(documents), tuple(kept), tasks.source, len(found) - len(kept))
    render(report, console, target)
    return report


def annotation_path(target: Target, rel: str, environ: Mapping[str, str]) -> str:
    """Annotations name files relative to the repository (the workspace) on GitHub."""
    workspace = environ.get("GITHUB_WORKSPACE")
    if workspace:
        try:
            return (target.root / rel).resolve().relative_to(Path(workspace).resolve()).as_posix()
        except ValueError:
            pass
    return rel


def render(report: Report, console: Console, target: Target) -> None:
    for finding in report.findings:
        console.line(finding.render())
        console.annotate(
            "error",
            f"{finding.message} [{finding.code}]",
            file=annotation_path(target, finding.file, console.environ),
            line=finding.line,
            title="docs_check",
        )
    counts = {check.id: 0 for check in CHECKS}
    for finding in report.findings:
        counts[finding.code] = counts.get(finding.code, 0) + 1
    rows = []
    for check in CHECKS:
        status = Status.FAILED if counts[check.id] else Status.PASSED
        shown = "ok" if status is Status.PASSED else str(status)
        rows.append([check.name, check.id, str(counts[check.id]), shown])
    console.table(["check", "id", "problems", "status"], rows, title="docs_check")
    files = len({f.file for f in report.findings})
    quiet = f", {report.silenced} silenced by [docs] ignore" if report.silenced else ""
    if report.ok:
        console.line(f"docs_check: {report.documents} file(s) scanned, no problems{quiet}")
    else:
        console.line(
            f"docs_check: {len(report.findings)} problem(s) in {files} file(s) "
            f"({report.documents} scanned{quiet})"
        )
        console.line("docs_check: `nox -s docs_check -- --explain ID` says what an id means")


def failure_message(report: Report) -> str:
    return f"docs_check found {len(report.findings)} problem(s)"
