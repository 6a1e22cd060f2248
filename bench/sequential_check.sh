#!/usr/bin/env bash
# The baseline for the `check` benchmark: the steps of `nox -s check` as separate nox
# sessions, one after another (what a maintainer runs without check).
# Usage: bench/sequential_check.sh <python> <noxfile>
set -u
status=0
for session in setup doctor tests lint dialyzer examples docs_check; do
  "$1" -m nox -f "$2" -s "$session" || status=1
done
exit $status
