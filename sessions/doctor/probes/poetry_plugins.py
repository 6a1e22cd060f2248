"""Poetry's version and application plugins, asked of the Python that runs poetry: about
50 ms, where ``poetry export --help`` takes a second or two."""

from __future__ import annotations

import json
from importlib import metadata


def main() -> None:
    names = sorted(
        {
            entry.name
            for dist in metadata.distributions()
            for entry in dist.entry_points
            if entry.group == "poetry.application.plugin"
        }
    )
    print("NOXPIT-JSON:" + json.dumps({"poetry": metadata.version("poetry"), "plugins": names}))


if __name__ == "__main__":
    main()
