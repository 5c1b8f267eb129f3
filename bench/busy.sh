#!/usr/bin/env bash
# busy.sh N -- COMMAND...: runs COMMAND while N CPU-bound busy loops share
# the machine, the load under which the test suite must still pass
# (README "Contributing"). The loops stop when COMMAND ends.
set -euo pipefail
n=${1:-3}; shift
[ "${1:-}" = "--" ] && shift
pids=()
for _ in $(seq "$n"); do
  ( while :; do :; done ) &
  pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
"$@"
