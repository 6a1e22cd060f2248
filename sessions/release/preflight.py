"""Checks before a release that are about the history, not the files: the date must not
go back before the newest dated release, and the CHANGELOG's link references should point
at tags that exist (a missing older tag is a warning: the links 404 on GitHub)."""

from __future__ import annotations

from sessions.core import semver
from sessions.release import changelog
from sessions.release.settings import ReleaseError


def check_date(log: changelog.Changelog, date: str, name: str, allow_backdate: bool) -> None:
    """Refuse a date earlier than the newest dated release (unless ``--allow-backdate``)."""
    dated = [h for h in log.headings if h.version is not None and h.date is not None]
    if not dated or allow_backdate:
        return
    newest = max(dated, key=lambda h: h.date or "")
    if newest.date is not None and date < newest.date:
        raise ReleaseError(
            f"{name}:{newest.index + 1}: [{newest.label}] is dated {newest.date}, after "
            f"{date}; pass a later --date, or --allow-backdate if that is intended"
        )


def linked_tags(log: changelog.Changelog) -> list[str]:
    """The tags the version link references point at (``…/compare/a...TAG``,
    ``…/releases/tag/TAG``, ``…/tree/TAG``), newest first as written."""
    tags: list[str] = []
    for link in log.links:
        if not semver.is_semver(link.label.lstrip("vV")):
            continue
        tag = changelog.link_tag(link.url)
        if tag is not None:
            tags.append(tag)
    return list(dict.fromkeys(tags))
