"""The outputs of a coverage run, under ``<reports>/coverage``: ``coverage.lcov`` (both
languages), ``coverage.json`` (per file: lines, and who ran them), ``html/elixir`` and
``html/python``, the summary table, and the GitHub step summary."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path

from sessions.core.console import Console, markdown_table
from sessions.core.files import atomic_write
from sessions.core.target import Target
from sessions.coverage import lcov, model
from sessions.coverage.lcov import FileLines
from sessions.coverage.model import Measured


def write_lcov(path: Path, measured: Measured) -> None:
    atomic_write(path, lcov.write([*measured.elixir, *measured.python]))


def write_json(path: Path, measured: Measured) -> None:
    """Line data by language; Python lines also by who ran them (for shard merges and tests)."""
    pytest = lcov.by_path(measured.python_pytest)
    mix = lcov.by_path(measured.python_mix)

    def lines(f: FileLines) -> dict[str, list[int]]:
        return {"lines": sorted(f.hits), "covered": sorted(n for n, h in f.hits.items() if h)}

    def by(source: dict[str, FileLines], path: str) -> list[int]:
        found = source.get(path)
        return sorted(n for n, h in found.hits.items() if h) if found else []

    document = {
        "elixir": {f.path: lines(f) for f in measured.elixir},
        "python": {
            f.path: {
                **lines(f),
                "by_pytest": by(dict(pytest), f.path),
                "by_mix_test": by(dict(mix), f.path),
            }
            for f in measured.python
        },
        "python_prefix": measured.python_prefix,
        "python_only_via_mix_test": measured.only_mix_modules(),
        "percent": model.percents(measured),
    }
    atomic_write(path, json.dumps(document, indent=1, sort_keys=True) + "\n")


def _page(title: str, body: str) -> str:
    style = (
        "body{font-family:sans-serif}td,th{padding:0 .5em;text-align:left}"
        ".hit{background:#dfd}.miss{background:#fdd}pre{margin:0}"
    )
    head = f"<!doctype html><meta charset=utf-8><title>{html.escape(title)}</title>"
    return f"{head}<style>{style}</style>\n{body}\n"


def _row(cells: Sequence[str], tag: str = "td", css: str = "") -> str:
    attr = f" class='{css}'" if css else ""
    return f"<tr{attr}>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>"


def _source_page(root: Path, f: FileLines) -> str:
    try:
        source = (root / f.path).read_text(encoding="utf-8").splitlines()
    except OSError:
        source = []
    lines = []
    for number, text in enumerate(source, 1):
        hits = f.hits.get(number)
        css = "" if hits is None else ("hit" if hits else "miss")
        count = "" if hits is None else str(hits)
        lines.append(_row([str(number), count, f"<pre>{html.escape(text)}</pre>"], css=css))
    return _page(f.path, f"<h1>{html.escape(f.path)}</h1><table>{''.join(lines)}</table>")


def write_elixir_html(directory: Path, root: Path, files: Sequence[FileLines]) -> None:
    """One page per source file (lines coloured by hits) and an index with percentages."""
    directory.mkdir(parents=True, exist_ok=True)
    rows = [_row(["file", "lines", "covered", "percent"], "th")]
    for number, f in enumerate(sorted(files, key=lambda f: f.path)):
        name = f"file{number}.html"
        atomic_write(directory / name, _source_page(root, f))
        pct = model.shown_percent(f.hit, f.found)
        link = f"<a href='{name}'>{html.escape(f.path)}</a>"
        rows.append(_row([link, str(f.found), str(f.hit), pct]))
    hit, found = model.total(files)
    rows.append(_row(["total", str(found), str(hit), model.shown_percent(hit, found)], "th"))
    body = "<h1>Elixir coverage</h1><table>" + "".join(rows) + "</table>"
    atomic_write(directory / "index.html", _page("Elixir coverage", body))


def show(console: Console, target: Target, measured: Measured, outputs: Path) -> None:
    rows = model.summary_rows(measured)
    console.line()
    console.table(model.HEADERS, rows, title="noxpit coverage summary")
    only = measured.only_mix_modules()
    if only:
        console.line(f"Python modules only the Elixir tests reach: {', '.join(only)}")
    console.line(
        f"reports: {target.rel(outputs)} (coverage.lcov, coverage.json, html/elixir, html/python)"
    )
    markdown = markdown_table(model.HEADERS, rows, title="Coverage")
    if only:
        markdown += (
            "\nPython modules only the Elixir tests reach: "
            + ", ".join(f"`{m}`" for m in only)
            + "\n"
        )
    console.summary_markdown(markdown)
