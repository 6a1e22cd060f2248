"""The ``tests`` session's options, parsed before anything heavy is imported (``--help``
and a usage error come back as fast as ``nox -l``)."""

from __future__ import annotations

from dataclasses import dataclass

from sessions.core import shard as shard_
from sessions.core.options import PosargsParser
from sessions.core.shard import Shard


@dataclass(frozen=True)
class Options:
    failed_only: bool = False
    rerun: bool = True
    shard: Shard | None = None
    policy: str = "warn"  # [tests] flaky


def parser() -> PosargsParser:
    parser = PosargsParser("tests", "setup, pytest and every mix test variant, one summary.")
    parser.add_argument(
        "--failed",
        action="store_true",
        help="rerun only what failed last time (`mix test --failed`, pytest --last-failed)",
    )
    parser.add_argument(
        "--no-rerun",
        dest="rerun",
        action="store_false",
        help="do not rerun failed tests once (a test that fails is then never flaky)",
    )
    parser.add_argument(
        "--shard",
        type=shard_.parse,
        metavar="K/N",
        help="run shard K of N: mix test --partitions N, pytest by a stable split of test ids",
    )
    parser.add_argument(
        "--cover",
        action="store_true",
        help="measure coverage too: the coverage session (docs/coverage.md)",
    )
    return parser
