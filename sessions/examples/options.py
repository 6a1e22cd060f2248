"""The session's flags, parsed by the nox-free ``PosargsParser``: a bad flag is one
``Usage:`` line."""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sessions.core import shard as shard_
from sessions.core.options import PosargsParser
from sessions.core.shard import Shard
from sessions.examples.config import ExamplesError


@dataclass(frozen=True)
class Options:
    jobs: int | None = None
    timeout: float | None = None
    list_only: bool = False
    failed: bool = False
    report: Path | None = None
    names: tuple[str, ...] = ()
    shard: Shard | None = None  # run only the examples whose names hash to this shard


def _int_at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number of seconds: {text!r}")
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def options_parser() -> PosargsParser:
    parser = PosargsParser("examples", "Run every example with `mix run --no-start`.")
    parser.add_argument(
        "--jobs", "-j", type=_int_at_least_one, metavar="N", help="parallel runs (CPU count)"
    )
    parser.add_argument(
        "--timeout", type=_seconds, metavar="S", help="default per-example timeout in seconds"
    )
    parser.add_argument(
        "--list", action="store_true", dest="list_only", help="show what would run; run nothing"
    )
    parser.add_argument("--failed", action="store_true", help="rerun the last run's failures")
    parser.add_argument("--report", type=Path, metavar="PATH", help="write a Markdown page")
    parser.add_argument(
        "--shard",
        type=shard_.parse,
        metavar="K/N",
        help="run shard K of N (a stable split of the example names, for CI runners)",
    )
    parser.add_argument("names", nargs="*", help="examples to run (default: all)")
    return parser


def to_options(parsed: argparse.Namespace, base: Path) -> Options:
    """The parsed flags; a relative ``--report`` is relative to where nox was run."""
    if parsed.failed and parsed.names:
        options_parser().error("give example names or --failed, not both")
    report_path = parsed.report
    if report_path is not None:
        report_path = (base / report_path.expanduser()).resolve()
        if not report_path.parent.is_dir():
            raise ExamplesError(
                f"--report {parsed.report}: the directory {report_path.parent} does not exist; "
                "create it or choose another path"
            )
    return Options(
        jobs=parsed.jobs,
        timeout=parsed.timeout,
        list_only=parsed.list_only,
        failed=parsed.failed,
        report=report_path,
        names=tuple(parsed.names),
        shard=parsed.shard,
    )


def parse_options(argv: Sequence[str], base: Path) -> Options:
    return to_options(options_parser().parse_args(list(argv)), base)
