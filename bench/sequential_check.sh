#!/usr/bin/env bash
# The baseline for the `check` benchmarks: the steps of `nox -s check` as separate nox
# sessions, one after another (what a maintainer runs without check).
# Usage: bench/sequential_check.sh <python> <noxfile> [SESSION...]
# (default: setup doctor tests lint dialyzer examples docs_check)
set -u
python=$1
noxfile=$2
shift 2
if [ "$#" -eq 0 ]; then
  set -- setup doctor tests lint dialyzer examples docs_check
fi
status=0
for session in "$@"; do
  "$python" -m nox -f "$noxfile" -s "$session" || status=1
done
exit $status
