"""Elixir Version requirements in Python against the installed Elixir as oracle."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from sessions.elixir.versions import (
    InvalidRequirement,
    InvalidVersion,
    matches,
    parse_requirement,
    parse_version,
)

pytestmark = pytest.mark.integration


NUMBERS = ["0", "1", "2", "10", "14"]


PRE_IDS = ["dev", "rc", "0", "1", "2", "10", "alpha", "a-b", "01", ""]


OPERATORS = ["~> ", ">= ", "> ", "< ", "<= ", "== ", "", "~>", "!= "]


def random_version(rng: random.Random, approximate: bool = False) -> str:
    text = f"{rng.choice(NUMBERS)}.{rng.choice(NUMBERS)}"
    if not approximate or rng.random() < 0.5:
        text += f".{rng.choice(NUMBERS)}"
    if rng.random() < 0.4:
        text += "-" + ".".join(rng.choice(PRE_IDS) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.1:
        text += rng.choice(["+b1", "+x.y", "+a+b"])
    return text


def random_requirement(rng: random.Random) -> str:
    parts: list[str] = []
    for index in range(rng.randint(1, 3)):
        if index:
            parts.append(rng.choice([" and ", " or ", "  and ", " AND "]))
        op = rng.choice(OPERATORS)
        parts.append(op + random_version(rng, approximate=op.startswith("~")))
    return "".join(parts)


ORACLE = r"""
[path] = System.argv()
for line <- String.split(File.read!(path), "\n", trim: true) do
  [v, r, pre] = String.split(line, "\t")
  IO.puts(
    case {Version.parse(v), Version.parse_requirement(r)} do
      {_, :error} -> "badreq"
      {:error, _} -> "badversion"
      {{:ok, ver}, {:ok, req}} -> to_string(Version.match?(ver, req, allow_pre: pre == "true"))
    end
  )
end
"""


def _ours(version: str, requirement: str, allow_pre: bool) -> str:
    try:
        req = parse_requirement(requirement)
    except InvalidRequirement:
        return "badreq"
    try:
        return str(matches(parse_version(version), req, allow_pre=allow_pre)).lower()
    except InvalidVersion:
        return "badversion"


@pytest.mark.skipif(shutil.which("elixir") is None, reason="needs elixir on PATH")
def test_agrees_with_the_installed_elixir(tmp_path: Path) -> None:
    """3000 generated (version, requirement, allow_pre) cases, decided by one Elixir run."""
    rng = random.Random(20261124)
    cases = [
        (random_version(rng), random_requirement(rng), rng.random() < 0.5) for _ in range(3000)
    ]
    (tmp_path / "oracle.exs").write_text(ORACLE)
    (tmp_path / "cases.tsv").write_text(
        "".join(f"{v}\t{r}\t{str(pre).lower()}\n" for v, r, pre in cases)
    )
    out = subprocess.run(
        ["elixir", str(tmp_path / "oracle.exs"), str(tmp_path / "cases.tsv")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    theirs = out.stdout.split()
    assert len(theirs) == len(cases)
    assert {"true", "false", "badreq", "badversion"} <= set(theirs)  # the cases cover all four
    disagreements = [
        (v, r, pre, elixir, _ours(v, r, pre))
        for (v, r, pre), elixir in zip(cases, theirs, strict=True)
        if _ours(v, r, pre) != elixir
    ]
    assert disagreements == []
