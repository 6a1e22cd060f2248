"""Requirements files read as pip reads them, each requirement checked with packaging."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessions.python import requirements as requirements_files
from sessions.python.requirements import RequirementsFileError

pytestmark = pytest.mark.unit


def test_includes_comments_and_continuations(tmp_path: Path) -> None:
    main = tmp_path / "requirements.txt"
    main.write_text(
        "# tools\npytest>=7  # tests\n-r extra/more.txt\n-c constraints.txt\n"
        "grpcio \\\n  >=1.60\n--index-url https://example.invalid/simple\n"
    )
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "more.txt").write_text("packaging\n-r ../requirements.txt\n")
    (tmp_path / "constraints.txt").write_text("protobuf<6\n")
    reqs = requirements_files.read([main], lambda p: p.name)
    assert [(line.text, line.constraint) for line in reqs.lines] == [
        ("pytest>=7", False),
        ("packaging", False),
        ("protobuf<6", True),
        ("grpcio   >=1.60", False),
    ]
    assert [str(line.requirement) for line in reqs.lines] == [
        "pytest>=7",
        "packaging",
        "protobuf<6",
        "grpcio>=1.60",
    ]
    assert [path.name for path, _ in reqs.files] == [
        "requirements.txt",
        "more.txt",
        "constraints.txt",
    ]


def test_missing_included_file_names_both(tmp_path: Path) -> None:
    main = tmp_path / "requirements.txt"
    main.write_text("-r gone.txt\n")
    with pytest.raises(RequirementsFileError) as caught:
        requirements_files.read([main], lambda p: p.name)
    assert str(caught.value) == (
        "requirements file gone.txt is missing (included from requirements.txt); create it"
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("pytest>=>7", "Expected semicolon (after name with no version specifier) or end"),
        ('"pytest', "Expected package name at the start of dependency specifier"),
        ("numpy>=1.21.0; python_version <", "Expected a marker variable or quoted string"),
    ],
)
def test_a_syntax_error_is_one_line_with_file_and_line(
    tmp_path: Path, line: str, reason: str
) -> None:
    main = tmp_path / "requirements.txt"
    main.write_text(f"# first\npackaging\n{line}\n")
    with pytest.raises(RequirementsFileError) as caught:
        requirements_files.read([main], lambda p: p.name)
    said = str(caught.value)
    assert said.startswith(f"requirements.txt:3: `{line}` is not a valid requirement ({reason}")
    assert said.endswith("fix the line (e.g. `pytest>=7`)")
    assert "\n" not in said


def test_paths_urls_and_hashes_are_what_pip_takes(tmp_path: Path) -> None:
    main = tmp_path / "requirements.txt"
    main.write_text(
        "./vendor/pkg\n"
        "git+https://example.invalid/repo.git#egg=x\n"
        "dist/x-1.0-py3-none-any.whl\n"
        "pkg @ https://example.invalid/pkg-1.0.tar.gz\n"
        "orjson==3.9.0 --hash=sha256:0123\n"
        "-e .\n"
    )
    reqs = requirements_files.read([main], lambda p: p.name)
    assert [(line.text, str(line.requirement)) for line in reqs.lines] == [
        ("./vendor/pkg", "None"),
        ("git+https://example.invalid/repo.git#egg=x", "None"),
        ("dist/x-1.0-py3-none-any.whl", "None"),
        (
            "pkg @ https://example.invalid/pkg-1.0.tar.gz",
            "pkg @ https://example.invalid/pkg-1.0.tar.gz",
        ),
        ("orjson==3.9.0 --hash=sha256:0123", "orjson==3.9.0"),
    ]
