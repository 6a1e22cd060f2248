"""The target's Python side: venvs with their requirements, provisioned without prompts.

A fingerprint of the requirements (with every file they include), the interpreter and the
installer is stored in each venv, so a second ``setup`` finds nothing to do and installs
nothing, without starting a single process. A file lock keeps two concurrent runs from
installing into the same venv at once: the second waits, then finds it up to date. With
uv, independent venvs are provisioned at the same time. ``.proto`` files then get their
gRPC stubs (``stubs.py``).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sessions.core import procs
from sessions.core.console import Console
from sessions.core.files import exclusive_lock
from sessions.core.options import PosargsParser
from sessions.core.target import Target
from sessions.python import requirements as requirements_files
from sessions.python import stubs
from sessions.python.installer import (
    Installer,
    choose_installer,
    error_line,
    install_failure,
)
from sessions.python.venvs import (
    FINGERPRINT_FILE,
    SetupError,
    VenvSpec,
    fingerprint,
    intact,
    interpreter_label,
    read_stamp,
    setup_settings,
    venv_specs,
    venv_version,
)

__all__ = [  # what other areas use
    "FINGERPRINT_FILE",
    "Installer",
    "SetupError",
    "SetupResult",
    "VenvSpec",
    "current_fingerprint",
    "ensure",
    "installer_for",
    "options_parser",
    "provision",
    "read_stamp",
    "up_to_date",
    "venv_specs",
]

LOCK_FILE = Path("_build") / ".noxpit-setup.lock"
# Present while an install runs: a venv left with it (Ctrl-C, a killed installer) may hold
# half-written packages, so the next setup recreates it instead of installing into it.
INCOMPLETE_FILE = ".noxpit-incomplete"


@dataclass(frozen=True)
class SetupResult:
    venv: Path
    action: str  # "created", "reinstalled", "up to date", "skipped", "would set up"


def installer_for(
    target: Target,
    which: Callable[[str], str | None] = shutil.which,
    bundled: Callable[[], str | None] | None = None,
) -> Installer:
    """The installer setup uses for this target (``[setup] installer``, then what is found:
    uv on PATH, else beside noxpit's Python). ``doctor`` asks the same question."""
    return choose_installer(setup_settings(target).installer, which, bundled)


@contextmanager
def setup_lock(target: Target, console: Console) -> Iterator[None]:
    """Serialise setups of one target: the second run waits, then finds it up to date."""

    def waiting() -> None:
        console.step("setup: another setup is running on this target; waiting for it")

    with exclusive_lock(target.root / LOCK_FILE, on_wait=waiting):
        yield


def current_fingerprint(
    spec: VenvSpec, target: Target, reqs: requirements_files.Requirements, installer: Installer
) -> str | None:
    """What the stamp must hold for the venv to be up to date (None: no usable venv)."""
    version = venv_version(spec.path)
    if version is None or not intact(spec):
        return None
    requirements = reqs.digest_input(target.rel)
    return fingerprint(requirements, interpreter_label(spec), version, installer.name)


def up_to_date(spec: VenvSpec, target: Target, installer: Installer | None = None) -> bool:
    """The fast path's question, answered without starting a process."""
    try:
        reqs = requirements_files.read(spec.requirements, target.rel)
        chosen = installer or installer_for(target)
    except (requirements_files.RequirementsFileError, SetupError):
        return False
    wanted = current_fingerprint(spec, target, reqs, chosen)
    return wanted is not None and read_stamp(spec.path).get("fingerprint") == wanted


def _base_interpreter(spec: VenvSpec, target: Target) -> str | None:
    """A path to a runnable interpreter for the venv, or None when there is none."""
    if spec.python is None:
        return sys.executable
    found = shutil.which(spec.python)
    if found is None:
        return None
    # A pyenv shim exists on PATH even when that version is not installed: it must run.
    probe = procs.output_of([found, "-c", "import sys"], cwd=target.root, timeout=30)
    return found if probe.ok else None


def _missing_interpreter(spec: VenvSpec, target: Target, console: Console) -> SetupResult:
    rel = target.rel(spec.path)
    if spec.required:
        key = "`python`" if spec.main else f"`python` of [[venvs]] {rel}"
        raise SetupError(
            f"interpreter `{spec.python}` not found (or does not run); install it or change "
            f"{key} in {target.config_label}"
        )
    console.step(f"setup: warning: skipping {rel}: interpreter `{spec.python}` not found")
    console.annotate("warning", f"{rel} skipped: interpreter `{spec.python}` not found")
    return SetupResult(spec.path, "skipped")


# What a venv creator writes before pyvenv.cfg: a directory holding only these is a venv
# whose creation was interrupted (Ctrl-C, SIGTERM), safe to create again.
_VENV_LAYOUT = {"bin", "lib", "lib64", "include", "share", ".gitignore", "CACHEDIR.TAG", ".lock"}


def _refuse_non_venv(spec: VenvSpec, rel: str) -> None:
    """Creating a venv clears its directory: never do that to a file or to sources."""
    path = spec.path
    key = "`venv`" if spec.main else f"`path` of [[venvs]] {rel}"
    if path.exists() and not path.is_dir():
        raise SetupError(
            f"{rel} is a file, not a venv directory; move it away (or point {key} at another "
            "directory), then run `nox -s setup`"
        )
    if (
        path.is_dir()
        and not (path / "pyvenv.cfg").exists()
        and not {entry.name for entry in path.iterdir()} <= _VENV_LAYOUT
    ):
        raise SetupError(
            f"{rel} exists but is not a venv (no pyvenv.cfg) and is not empty; move it away "
            f"or point {key} at another directory"
        )


def _names(spec: VenvSpec, target: Target) -> str:
    return ", ".join(target.rel(path) for path in spec.requirements)


def fast_path(
    spec: VenvSpec,
    target: Target,
    installer: Installer,
    *,
    force: bool = False,
) -> tuple[requirements_files.Requirements, bool]:
    """The requirements (one-line errors for missing or bad files) and whether the venv
    is already up to date."""
    hint = f"create it or fix `requirements` in {target.config_label}"
    reqs = requirements_files.read(spec.requirements, target.rel, missing_hint=hint)
    wanted = current_fingerprint(spec, target, reqs, installer)
    fresh = not force and wanted is not None and read_stamp(spec.path).get("fingerprint") == wanted
    return reqs, fresh


def ensure_venv(
    spec: VenvSpec,
    target: Target,
    console: Console,
    *,
    installer: Installer,
    force: bool = False,
    dry_run: bool = False,
    echo: bool = True,
) -> SetupResult:
    """One venv: up to date (no process started), or (re)created and installed."""
    rel = target.rel(spec.path)
    reqs, fresh = fast_path(spec, target, installer, force=force)
    if fresh:
        console.step(f"setup: {rel} is up to date")
        return SetupResult(spec.path, "up to date")
    _refuse_non_venv(spec, rel)
    label = interpreter_label(spec)
    existed = intact(spec)
    made_by = read_stamp(spec.path).get("interpreter")
    interrupted = (spec.path / INCOMPLETE_FILE).exists()
    recreate = force or not existed or interrupted or made_by not in (None, label)
    if dry_run:
        verb = "reinstall"
        if recreate:
            verb = "recreate" if spec.path.exists() else "create"
        console.step(f"setup: would {verb} {rel} and install {_names(spec, target)}")
        return SetupResult(spec.path, "would set up")

    base = _base_interpreter(spec, target)
    if base is None:
        return _missing_interpreter(spec, target, console)
    (spec.path / FINGERPRINT_FILE).unlink(missing_ok=True)  # never claim up to date midway
    if recreate:
        if spec.path.is_dir() and not (spec.path / "pyvenv.cfg").exists():
            # Left by an interrupted creation (only venv layout: _refuse_non_venv checked);
            # uv will not --clear a directory that is not a venv yet.
            shutil.rmtree(spec.path)
        console.step(f"setup: creating {rel} with {base}")
        made = procs.run(
            installer.create_command(base, spec.path),
            cwd=target.root,
            echo=echo,
            capture=True,
            sink=console.sink,
        )
        if not made.ok or not intact(spec):
            raise SetupError(f"could not create {rel} with {base}: {error_line(made.output)}")
    version = venv_version(spec.path)
    assert version is not None  # intact() checked it
    (spec.path / INCOMPLETE_FILE).touch()
    console.step(f"setup: installing {_names(spec, target)} into {rel} with {installer.name}")
    installed = procs.run(
        installer.command(spec.python_bin, spec.requirements),
        cwd=target.root,
        echo=echo,
        capture=True,
        sink=console.sink,
    )
    if not installed.ok:
        package = install_failure(installed.output)
        files = _names(spec, target)
        if package:
            raise SetupError(
                f"{installer.name} could not install `{package}` (from {files}): check its name "
                "and version, or your network/package index"
            )
        raise SetupError(
            f"{installer.name} could not install {files}: {error_line(installed.output)}"
        )
    stamp = {
        "fingerprint": fingerprint(reqs.digest_input(target.rel), label, version, installer.name),
        "interpreter": label,
        "python_version": version,
        "installer": installer.name,
    }
    (spec.path / FINGERPRINT_FILE).write_text(json.dumps(stamp))
    (spec.path / INCOMPLETE_FILE).unlink()
    action = "reinstalled" if existed and not recreate else "created"
    console.step(f"setup: {rel} {action}")
    return SetupResult(spec.path, action)


def _all_venvs(
    specs: list[VenvSpec], run_one: Callable[[VenvSpec, bool], SetupResult], concurrent: bool
) -> list[SetupResult]:
    """Each venv in order, or (uv, several venvs) all at once with their output captured."""
    if not concurrent or len(specs) < 2:
        return [run_one(spec, True) for spec in specs]
    pool = ThreadPoolExecutor(max_workers=len(specs), thread_name_prefix="noxpit-setup")
    futures: list[Future[SetupResult]] = []
    try:
        futures = [pool.submit(run_one, spec, False) for spec in specs]
        wait_all(futures)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        procs.stop_threads(futures)
        raise
    pool.shutdown(wait=True)
    return [future.result() for future in futures]  # the first failure, in venv order


def provision(
    target: Target, console: Console, *, force: bool = False, dry_run: bool = False
) -> list[SetupResult]:
    """Every venv, then the gRPC stubs (generated with the main venv's grpc_tools)."""
    specs = venv_specs(target)
    installer = installer_for(target)

    def run_one(spec: VenvSpec, echo: bool) -> SetupResult:
        return ensure_venv(
            spec, target, console, installer=installer, force=force, dry_run=dry_run, echo=echo
        )

    def run_all() -> list[SetupResult]:
        # Up-to-date venvs are told first and in order; only the others run at once.
        fresh = {spec.path for spec in specs if fast_path(spec, target, installer, force=force)[1]}
        results = {spec.path: run_one(spec, True) for spec in specs if spec.path in fresh}
        pending = [spec for spec in specs if spec.path not in fresh]
        concurrent = installer.concurrent and not dry_run
        for result in _all_venvs(pending, run_one, concurrent):
            results[result.venv] = result
        stubs.ensure(target, console, specs[0].python_bin, force=force, dry_run=dry_run)
        return [results[spec.path] for spec in specs]

    if dry_run:
        return run_all()
    with setup_lock(target, console):
        return run_all()


def ensure(
    target: Target, console: Console, *, force: bool = False, dry_run: bool = False
) -> SetupResult:
    """What every session that needs the venv calls first; returns the main venv's result."""
    return provision(target, console, force=force, dry_run=dry_run)[0]


def options_parser() -> PosargsParser:
    parser = PosargsParser("setup", "Provision the target's venvs and gRPC stubs.")
    parser.add_argument(
        "--force", action="store_true", help="recreate venvs, reinstall, regenerate"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would be done; write nothing"
    )
    return parser
