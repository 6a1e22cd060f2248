"""Which of the given distributions this interpreter has installed, at which version, and
the environment its requirement markers are evaluated in (the names are parsed by noxpit,
with ``packaging``, so the venv needs no ``packaging`` of its own)."""

from __future__ import annotations

import json
import os
import platform
import sys
from importlib import metadata


def marker_environment() -> dict[str, str]:
    """PEP 508's marker variables for this interpreter (as ``packaging`` computes them)."""
    info = sys.implementation.version
    version = f"{info.major}.{info.minor}.{info.micro}"
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def main(argv: list[str]) -> None:
    names = json.loads(argv[1]) if len(argv) > 1 else []
    report = {
        "environment": marker_environment(),
        "installed": {name: installed(name) for name in names},
    }
    print("NOXPIT-JSON:" + json.dumps(report))


if __name__ == "__main__":
    main(sys.argv)
