"""What the coverage summary says: per language and top-level package, lines and percent;
which Python lines and modules only the Elixir tests reach; and ``[coverage] fail_under``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from sessions.core.config import read_section, reject_unknown_keys, rule
from sessions.core.target import Target
from sessions.coverage.lcov import FileLines, by_path, merge
from sessions.coverage.python_tool import CoverageError

ELIXIR, PYTHON = "elixir", "python"


@dataclass(frozen=True)
class FailUnder:
    elixir: float | None = field(default=None, metadata=rule(minimum=0))
    python: float | None = field(default=None, metadata=rule(minimum=0))


@dataclass(frozen=True)
class Settings:
    """``[coverage]``: ``fail_under = { elixir = N, python = N }`` (percent, each optional)."""

    fail_under: FailUnder = FailUnder()


def settings(target: Target) -> Settings:
    where = f"{target.config_label}: [coverage]"
    table = target.section("coverage")
    reject_unknown_keys(table, ["fail_under"], where, CoverageError)
    limits = read_section(
        FailUnder, table.get("fail_under", {}), f"{where} fail_under", CoverageError
    )
    return Settings(limits)


@dataclass(frozen=True)
class Measured:
    """Line data for one run: Elixir, and Python split by who started the process."""

    elixir: Sequence[FileLines]
    python_pytest: Sequence[FileLines]  # the pytest process (and what it started)
    python_mix: Sequence[FileLines]  # processes started by `mix test`
    python_prefix: str  # the python dir, relative to the target root ("priv/python")

    @property
    def python(self) -> list[FileLines]:
        return merge(self.python_pytest, self.python_mix)

    def only_mix_lines(self) -> dict[str, set[int]]:
        """Per Python file, the lines the Elixir tests' workers ran and pytest never did."""
        pytest = by_path(self.python_pytest)
        found: dict[str, set[int]] = {}
        for f in self.python_mix:
            seen = pytest.get(f.path, FileLines(f.path)).hits
            lines = {n for n, hits in f.hits.items() if hits and not seen.get(n)}
            if lines:
                found[f.path] = lines
        return found

    def only_mix_modules(self) -> list[str]:
        """Python modules run by the Elixir tests' workers and not at all under pytest."""
        pytest = by_path(self.python_pytest)
        return sorted(
            self.module_name(f.path)
            for f in self.python_mix
            if f.hit and not (f.path in pytest and pytest[f.path].hit)
        )

    def module_name(self, path: str) -> str:
        inner = (
            PurePosixPath(path).relative_to(self.python_prefix)
            if self.python_prefix
            else PurePosixPath(path)
        )
        parts = list(inner.with_suffix("").parts)
        if parts and parts[-1] == "__init__" and len(parts) > 1:
            parts.pop()
        return ".".join(parts)


def percent(hit: int, found: int) -> float | None:
    """None when no line was measured: there is nothing to be 100% of."""
    return 100.0 * hit / found if found else None


def shown_percent(hit: int, found: int) -> str:
    """``82.3%``, or ``-`` when no line was measured."""
    value = percent(hit, found)
    return "-" if value is None else f"{value:.1f}%"


def total(files: Iterable[FileLines]) -> tuple[int, int]:
    listed = list(files)
    return sum(f.hit for f in listed), sum(f.found for f in listed)


def _group(path: str, prefix: str) -> str:
    """The top-level package a file belongs to: ``lib/app`` for ``lib/app.ex`` and
    ``lib/app/x.ex``; ``priv/python/pkg`` for ``priv/python/pkg/mod.py``."""
    pure = PurePosixPath(path)
    base = PurePosixPath(prefix) if prefix and pure.is_relative_to(prefix) else PurePosixPath()
    inner = pure.relative_to(base).parts
    if not inner:
        return path
    head = inner[0] if len(inner) > 1 else PurePosixPath(inner[0]).stem
    return str(base / head)


def _rows(
    language: str, files: Sequence[FileLines], prefix: str, only: Mapping[str, set[int]]
) -> list[list[str]]:
    groups: dict[str, list[FileLines]] = {}
    for f in files:
        groups.setdefault(_group(f.path, prefix), []).append(f)
    rows = []
    for name in sorted(groups):
        hit, found = total(groups[name])
        extra = sum(len(only.get(f.path, ())) for f in groups[name])
        rows.append(
            [
                language,
                name,
                str(found),
                str(hit),
                shown_percent(hit, found),
                _only(language, extra),
            ]
        )
    hit, found = total(files)
    extra = sum(len(v) for v in only.values())
    rows.append(
        [
            language,
            "total",
            str(found),
            str(hit),
            shown_percent(hit, found),
            _only(language, extra),
        ]
    )
    return rows


def _only(language: str, lines: int) -> str:
    return str(lines) if language == PYTHON else "-"


HEADERS = ["language", "package", "lines", "covered", "percent", "only via mix test"]


def summary_rows(measured: Measured) -> list[list[str]]:
    only = measured.only_mix_lines()
    return [
        *_rows(ELIXIR, measured.elixir, "lib", {}),
        *_rows(PYTHON, measured.python, measured.python_prefix, only),
    ]


def percents(measured: Measured) -> dict[str, float | None]:
    """Per language; None when no line of it was measured."""
    totals = {ELIXIR: total(measured.elixir), PYTHON: total(measured.python)}
    return {lang: percent(hit, found) for lang, (hit, found) in totals.items()}


def unmeasured(measured: Measured) -> list[str]:
    """The languages of which no line was measured."""
    return [lang for lang, value in percents(measured).items() if value is None]


def below_threshold(measured: Measured, limits: FailUnder) -> list[str]:
    """One line per language under its ``fail_under`` (no line measured is under it)."""
    lines = []
    for language, value in percents(measured).items():
        limit = getattr(limits, language)
        if limit is None:
            continue
        if value is None:
            lines.append(
                f"{language} coverage: no line was measured, so "
                f"[coverage] fail_under {language} = {limit:g} is not met"
            )
        elif value < limit:
            lines.append(
                f"{language} coverage {value:.1f}% is below "
                f"[coverage] fail_under {language} = {limit:g}"
            )
    return lines
