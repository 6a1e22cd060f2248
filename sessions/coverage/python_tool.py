"""coverage.py for the target's Python, kept outside the target's venv.

coverage (pinned) is installed with ``pip install --target`` (uv or pip, as ``setup``
chooses) into the user cache, one directory per coverage version and interpreter tag, next
to noxpit's ``sitecustomize.py``. Putting that directory first on ``PYTHONPATH`` makes every
Python process of the run measure itself: pytest, and the workers the BEAM starts (they
inherit its environment). The venv's files are never touched.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sessions.core import procs
from sessions.core.console import Console
from sessions.core.errors import NoxpitError
from sessions.core.files import atomic_write, exclusive_lock, last_line
from sessions.core.target import Target
from sessions.core.user_cache import cache_dir
from sessions.python import env as python_env
from sessions.python import venvs

COVERAGE_VERSION = "7.17.3"  # coverage.py; `[run] patch = _exit` needs 7.10 or later
SITECUSTOMIZE = Path(__file__).resolve().parent / "noxpit_sitecustomize.py"


class CoverageError(NoxpitError):
    """Coverage could not be measured or reported (tool install, data, settings)."""


@dataclass(frozen=True)
class Tool:
    """The directory to put on PYTHONPATH, and the interpreter that runs coverage's CLI."""

    directory: Path
    python: Path
    tag: str = ""  # the interpreter's cache tag, e.g. cpython-312

    @property
    def sysmon(self) -> bool:
        """``sys.monitoring`` (CPython 3.12+) measures line coverage at a fraction of the
        C tracer's cost: code outside the python dir stops reporting after its first event."""
        name, _, digits = self.tag.partition("-")
        return name == "cpython" and digits.isdigit() and int(digits) >= 312

    def command(self, *args: str) -> list[str]:
        return [str(self.python), "-m", "coverage", *args]

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        existing = base.get("PYTHONPATH")
        path = os.pathsep.join([str(self.directory), *filter(None, [existing])])
        return {**base, "PYTHONPATH": path}


def _venv_tag(venv: Path) -> str | None:
    """``cpython-3XY`` from the venv's ``pyvenv.cfg`` and its ``lib/python3.X``, without
    starting the interpreter; None when that is not certain."""
    version = venvs.venv_version(venv)
    parts = (version or "").split(".")
    if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
        return None
    try:
        config = (venv / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace").lower()
    except OSError:
        return None
    implementation = next(
        (
            line.partition("=")[2].strip()
            for line in config.splitlines()
            if line.startswith("implementation")
        ),
        "cpython",
    )
    if implementation != "cpython" or not (venv / "lib" / f"python{parts[0]}.{parts[1]}").is_dir():
        return None
    return f"cpython-{parts[0]}{parts[1]}"


def _cache_tag(python: Path, root: Path) -> str:
    completed = procs.output_of(
        [str(python), "-I", "-B", "-c", "import sys; print(sys.implementation.cache_tag)"],
        cwd=root,
    )
    tag = completed.output.strip()
    if not completed.ok or not tag.replace("-", "_").isidentifier():
        raise CoverageError(
            f"{python} did not start ({last_line(completed.output)}); run `nox -s setup`"
        )
    return tag


def _install_command(target: Target, python: Path, into: Path) -> list[str]:
    installer = python_env.installer_for(target)
    spec = f"coverage=={COVERAGE_VERSION}"
    if installer.name == "uv":
        uv = installer.executable or "uv"
        return [
            uv,
            "pip",
            "install",
            "--quiet",
            "--target",
            str(into),
            "--python",
            str(python),
            spec,
        ]
    pip = [str(python), "-B", "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    return [*pip, "--target", str(into), spec]


def _compile(python: Path, directory: Path, root: Path) -> None:
    """Byte-compile the copy once: workers run with PYTHONDONTWRITEBYTECODE (the sample's
    do), and importing coverage from source costs each of them most of a second."""
    command = [str(python), "-I", "-B", "-m", "compileall", "-q", "-j", "0", str(directory)]
    completed = procs.run(command, cwd=root, capture=True, echo=False)
    if not completed.ok:
        raise CoverageError(f"could not byte-compile {directory}: {last_line(completed.output)}")


def ensure(target: Target, console: Console, environ: Mapping[str, str] = os.environ) -> Tool:
    """The cached coverage directory for the venv's interpreter, installed when missing."""
    python = target.venv_python
    if not python.exists():
        raise CoverageError(f"no venv at {target.rel(target.venv_dir)}; run `nox -s setup` first")
    base = cache_dir(environ) / "coverage"
    tag = _venv_tag(target.venv_dir) or _cache_tag(python, target.root)
    directory = base / f"{COVERAGE_VERSION}-{tag}"
    base.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(base / ".lock"):
        if not (directory / "coverage" / "__init__.py").is_file():
            console.step(f"install coverage {COVERAGE_VERSION} into {directory} (not the venv)")
            partial = directory.with_name(directory.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            env = {**environ, "PYTHONDONTWRITEBYTECODE": "1"}
            completed = procs.run(
                _install_command(target, python, partial), cwd=target.root, env=env, capture=True
            )
            if not completed.ok:
                shutil.rmtree(partial, ignore_errors=True)
                raise CoverageError(
                    f"could not install coverage {COVERAGE_VERSION}: {last_line(completed.output)}"
                )
            shutil.rmtree(directory, ignore_errors=True)
            partial.rename(directory)
        if not (directory / "coverage" / "__pycache__").is_dir():
            _compile(python, directory, target.root)
        hook = directory / "sitecustomize.py"
        if not hook.is_file() or hook.read_bytes() != SITECUSTOMIZE.read_bytes():
            atomic_write(hook, SITECUSTOMIZE.read_bytes())
    return Tool(directory, python, tag)


def rcfile_text(target: Target, tool: Tool) -> str:
    """What every measured process reads (``COVERAGE_PROCESS_START``): the python dir
    without its tests, parallel data files, data saved on ``os._exit`` and SIGTERM, and
    ``sys.monitoring`` where the interpreter has it."""
    tests = target.python_dir / "tests"
    return "\n".join(
        [
            "[run]",
            "parallel = True",
            f"source = {target.python_dir}",
            f"omit = {tests}/*",
            "patch = _exit",
            "sigterm = True",
            *(["core = sysmon"] if tool.sysmon else []),
            "",
            "[report]",
            "ignore_errors = True",
            "",
        ]
    )
