#!/usr/bin/env bash
# The baseline for the `lab tests` benchmark: snakepit's own CI test steps on the lab's
# checkout (.github/workflows/ci.yml and test_python.sh), in a plain shell script.
# Usage: bench/plain_lab_tests.sh <snakepit dir>   (the venv's bin first on PATH, MIX_ENV=test)
set -u
cd "$1"
status=0
mix test --exclude skip_ci || status=1
mix test --only python_integration --exclude skip_ci || status=1
(cd priv/python && PYTHONPATH="$PWD" OTEL_TRACES_EXPORTER=none SNAKEPIT_OTEL_CONSOLE=false \
  ../../.venv/bin/python -m pytest tests/ -v) || status=1
exit $status
