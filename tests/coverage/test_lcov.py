"""The LCOV reader, writer and merge."""

from __future__ import annotations

import pytest

from sessions.coverage import lcov
from sessions.coverage.lcov import FileLines, LcovError

pytestmark = pytest.mark.unit


def test_written_lcov_reads_back_with_the_same_lines() -> None:
    files = [FileLines("lib/app.ex", {3: 2, 5: 0}), FileLines("priv/python/pkg/m.py", {1: 1})]
    text = lcov.write(files)
    assert "LF:2\nLH:1\n" in text
    back = lcov.read(text)
    assert [(f.path, f.hits) for f in back] == [(f.path, f.hits) for f in files]


def test_merge_sums_hits_per_file_and_line() -> None:
    merged = lcov.merge([FileLines("a.ex", {1: 1, 2: 0})], [FileLines("a.ex", {2: 3, 4: 0})])
    assert [(f.path, f.hits) for f in merged] == [("a.ex", {1: 1, 2: 3, 4: 0})]
    assert (merged[0].found, merged[0].hit) == (3, 2)


@pytest.mark.parametrize(
    "text",
    ["DA:1,1\nend_of_record\n", "SF:a\nDA:x,1\nend_of_record\n", "SF:a\nDA:1,1\n", "SF:a\nSF:b\n"],
)
def test_broken_lcov_is_one_clear_error(text: str) -> None:
    with pytest.raises(LcovError, match="LCOV"):
        lcov.read(text)


def test_coverage_py_sets_become_lines_with_one_hit() -> None:
    f = lcov.from_sets("m.py", executed=[1, 2], missing=[3])
    assert f.hits == {1: 1, 2: 1, 3: 0}
