"""noxpit's start-up hook (copied as ``sitecustomize.py`` into noxpit's coverage directory,
which is on PYTHONPATH for the run): starts coverage.py in every Python process that
inherits ``COVERAGE_PROCESS_START``, and marks the process alive in
``NOXPIT_COVERAGE_ALIVE`` until coverage has saved its data, so the run can wait for
workers the BEAM left behind. Nothing here lives in the target's venv. Every measured
process runs this, so it imports only what coverage imports anyway (no ``pathlib``)."""

import atexit
import contextlib
import os

_alive_dir = os.environ.get("NOXPIT_COVERAGE_ALIVE", "")
if os.environ.get("COVERAGE_PROCESS_START") and _alive_dir:
    _mark = os.path.join(_alive_dir, str(os.getpid()))  # noqa: PTH118 - no pathlib import
    try:
        os.close(os.open(_mark, os.O_CREAT | os.O_WRONLY, 0o644))
    except OSError:
        pass
    else:  # registered first, so it runs after coverage's own exit handler has saved

        def _gone(mark: str = _mark) -> None:
            with contextlib.suppress(OSError):
                os.unlink(mark)  # noqa: PTH108

        atexit.register(_gone)
    import coverage  # type: ignore[import-not-found]  # noxpit's copy, on PYTHONPATH

    coverage.process_startup()
