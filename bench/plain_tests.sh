#!/usr/bin/env bash
# The baseline for the `tests` benchmark: the same underlying commands as `nox -s tests`,
# run from a plain shell script with nothing in between.
# Usage: bench/plain_tests.sh <project dir> <python env var name>
set -u
cd "$1"
export "$2=$PWD/.venv/bin/python3"
export OTEL_TRACES_EXPORTER=none
status=0
PYTHONPATH=priv/python .venv/bin/python3 -m pytest priv/python/tests -q || status=1
MIX_ENV=test mix test || status=1
MIX_ENV=test mix test --only python_integration || status=1
MIX_ENV=test mix test --only integration || status=1
exit $status
