"""The release's command line: one parser, used by the nox side to check usage and by the
child to read the request. Light on purpose (argparse only): the noxfile imports it."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sessions.core.options import PosargsParser

P = TypeVar("P", bound=argparse.ArgumentParser)

DESCRIPTION = (
    "Bump the version in mix.exs and every configured file, keep historical mentions, list "
    "the rest, and move the CHANGELOG's [Unreleased] notes under a dated heading. "
    "See docs/release.md."
)


@dataclass(frozen=True)
class Request:
    """What the user asked for on the command line."""

    version: str
    date: str | None = None
    dry_run: bool = False
    allow_dirty: bool = False
    allow_empty: bool = False
    allow_backdate: bool = False
    strict: bool = False
    notes: Path | None = None
    commit: bool = False
    tag: bool = False


def parser() -> PosargsParser:
    """``nox -s release -- VERSION [options]``; a usage error is one ``Usage:`` line."""
    return add_options(PosargsParser("release", DESCRIPTION))


def add_options(p: P) -> P:
    """The release's arguments, on ``p``."""
    p.description = DESCRIPTION
    p.add_argument(
        "version", metavar="VERSION", help="the new SemVer version, or major / minor / patch"
    )
    p.add_argument(
        "--date", metavar="YYYY-MM-DD", help="the release date in the CHANGELOG (default: today)"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="print a unified diff of every file; write nothing"
    )
    p.add_argument(
        "--allow-dirty",
        action="store_true",
        help="go ahead even if git has uncommitted changes in those files",
    )
    p.add_argument(
        "--allow-empty", action="store_true", help="release even if [Unreleased] has no notes"
    )
    p.add_argument(
        "--allow-backdate",
        action="store_true",
        help="allow a date earlier than the newest dated release in the CHANGELOG",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="fail when mentions of the version are left unchanged (the `not changed` list)",
    )
    p.add_argument(
        "--notes",
        metavar="FILE",
        type=Path,
        help="write the released notes (Markdown, no heading) to FILE for `gh release create`",
    )
    p.add_argument(
        "--commit",
        action="store_true",
        help='commit exactly the released files as "Release vX.Y.Z"',
    )
    p.add_argument(
        "--tag",
        action="store_true",
        help="add an annotated tag vX.Y.Z (needs --commit); never pushed",
    )
    return p


def to_request(args: argparse.Namespace) -> Request:
    return Request(
        version=args.version,
        date=args.date,
        dry_run=args.dry_run,
        allow_dirty=args.allow_dirty,
        allow_empty=args.allow_empty,
        allow_backdate=args.allow_backdate,
        strict=args.strict,
        notes=args.notes,
        commit=args.commit,
        tag=args.tag,
    )


def parse(argv: list[str]) -> Request:
    return to_request(parser().parse_args(argv))
