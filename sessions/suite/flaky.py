"""Flaky tests: a test that failed and then passed when rerun once, told apart from a failure.

``combine`` folds a rerun's JUnit file (only the rerun tests) into the first run's, so the
file CI collects holds every test once with its final outcome: a flaky test is a passed
``<testcase>`` carrying the first failure as ``<flakyFailure>``, a test that failed again
keeps its failure and gains a ``<rerunFailure>`` (Maven Surefire's names, which JUnit
viewers know). ``[tests] flaky`` says whether flaky tests fail the run.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from sessions.core.config import read_section
from sessions.core.errors import NoxpitError
from sessions.core.target import Target

BAD_TAGS = ("failure", "error")


class TestsConfigError(NoxpitError):
    """A bad ``[tests]`` table."""


@dataclass(frozen=True)
class TestsConfig:
    """``[tests]``: ``flaky`` is "fail" or "warn"; unset, it is "fail" on CI, "warn" locally."""

    flaky: Literal["fail", "warn"] | None = None


def on_ci(environ: Mapping[str, str]) -> bool:
    return any(
        environ.get(name, "").lower() not in ("", "0", "false") for name in ("CI", "GITHUB_ACTIONS")
    )


def flaky_policy(target: Target, environ: Mapping[str, str]) -> str:
    where = f"{target.config_label}: [tests]"
    config = read_section(TestsConfig, target.section("tests"), where, TestsConfigError)
    return config.flaky or ("fail" if on_ci(environ) else "warn")


@dataclass(frozen=True)
class Combined:
    xml: str
    flaky: tuple[str, ...]  # failed, then passed when rerun
    failed: tuple[str, ...]  # failed in the first run and were not rescued by the rerun


def test_id(element: ElementTree.Element) -> str:
    """How a test is named in summaries and the history: ExUnit's ``name (Module)``."""
    classname, name = element.get("classname", ""), element.get("name", "")
    return f"{name} ({classname})" if classname else name


def _bad(element: ElementTree.Element) -> ElementTree.Element | None:
    return next((c for c in element if c.tag in BAD_TAGS), None)


def failed_ids(xml: str) -> list[str]:
    root = ElementTree.fromstring(xml)  # noqa: S314 - our own reports
    return [test_id(case) for case in root.iter("testcase") if _bad(case) is not None]


def combine(first_xml: str, rerun_xml: str | None) -> Combined:
    """The first run's document with the rerun's outcomes folded in (counts recomputed)."""
    root = ElementTree.fromstring(first_xml)  # noqa: S314 - our own reports
    again: dict[str, ElementTree.Element] = {}
    if rerun_xml:
        for case in ElementTree.fromstring(rerun_xml).iter("testcase"):  # noqa: S314
            again[test_id(case)] = case
    flaky: list[str] = []
    failed: list[str] = []
    for case in root.iter("testcase"):
        first = _bad(case)
        if first is None:
            continue
        key = test_id(case)
        rerun = again.get(key)
        if rerun is not None and _bad(rerun) is None and rerun.find("skipped") is None:
            case.remove(first)
            marker = ElementTree.SubElement(case, "flakyFailure", first.attrib)
            marker.text = first.text
            flaky.append(key)
            continue
        failed.append(key)
        second = _bad(rerun) if rerun is not None else None
        if second is not None:
            marker = ElementTree.SubElement(case, "rerunFailure", second.attrib)
            marker.text = second.text
    _recount(root)
    text = ElementTree.tostring(root, encoding="unicode")
    return Combined(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n", tuple(flaky), tuple(failed)
    )


def _recount(root: ElementTree.Element) -> None:
    """``tests``/``failures``/``errors``/``skipped`` of every suite element from its cases."""
    holders = [root, *root.iter("testsuite")] if root.tag == "testsuites" else [root]
    for holder in holders:
        cases = list(holder.iter("testcase"))
        holder.set("tests", str(len(cases)))
        holder.set("failures", str(sum(c.find("failure") is not None for c in cases)))
        holder.set("errors", str(sum(c.find("error") is not None for c in cases)))
        holder.set("skipped", str(sum(c.find("skipped") is not None for c in cases)))
