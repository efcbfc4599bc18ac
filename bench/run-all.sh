#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Runs every benchmark in this folder and prints a summary, one line per
# benchmark. The benchmarks print figures and assert nothing about time. A
# benchmark fails only when what it measures did not work, and then this
# script exits 1 after running the others.
#
# The ones that use podman replace the engine's exitbox-squid container,
# start containers named exitbox-bench-* and build a project image for a
# folder under EXITBOX_BENCH_DIR, so run them on a test machine. All
# traffic stays on this machine: loopback and the networks ExitBox creates.
#
# Usage: bench/run-all.sh [--quick] [--runs N] [--only NAME[,NAME...]]
#   --quick   run each measurement once (for CI, to keep the scripts working)
#   --runs N  runs per measurement (default 5)
#   --only    run only these benchmarks, for example --only cli-startup,allowlist-scale
# Environment: see lib.sh (EXITBOX_BUILD_DIR, EXITBOX_BIN, EXITBOX_BASE_IMAGE,
# EXITBOX_BENCH_DIR). BENCH_RESULTS_DIR keeps each benchmark's full output
# (default: a new temporary folder).

set -u

bench_dir=$(cd "$(dirname "$0")" && pwd)

# Without the engine first, so a broken engine still leaves their figures.
benchmarks=(
  cli-startup
  allowlist-scale
  desktop-start
  warm-launch
  cold-launch
  engine-calls
  allowlist-reload
  project-rebuild
  desktop-memory
)

args=()
only=
while [ $# -gt 0 ]; do
  case "$1" in
    --only)
      [ $# -ge 2 ] || { echo "run-all: --only needs a list of benchmark names" >&2; exit 2; }
      only="$2"
      shift 2
      ;;
    --runs)
      [ $# -ge 2 ] || { echo "run-all: --runs needs a number" >&2; exit 2; }
      args+=("$1" "$2")
      shift 2
      ;;
    --quick)
      args+=("$1")
      shift
      ;;
    -h|--help)
      sed -n '5,21p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "run-all: unknown option '$1'; see --help" >&2
      exit 2
      ;;
  esac
done

if [ -n "$only" ]; then
  IFS=, read -r -a selected <<<"$only"
  for name in "${selected[@]}"; do
    [ -x "$bench_dir/$name.sh" ] || { echo "run-all: no benchmark named '$name'; the names are: ${benchmarks[*]}" >&2; exit 2; }
  done
  benchmarks=("${selected[@]}")
fi

results="${BENCH_RESULTS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/exitbox-bench-results.XXXXXX")}"
mkdir -p "$results"

echo "machine: $(nproc) CPUs, $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r), $(podman --version 2>/dev/null || echo 'no podman')"
echo "full output of each benchmark: $results"

summary=()
failed=0
for name in "${benchmarks[@]}"; do
  printf '\n--- %s\n' "$name"
  "$bench_dir/$name.sh" "${args[@]}" 2>&1 | tee "$results/$name.txt"
  status=${PIPESTATUS[0]}

  if [ "$status" -eq 0 ]; then
    while IFS= read -r line; do
      summary+=("$line")
    done < <(sed -n 's/^summary: //p' "$results/$name.txt")
  else
    failed=$((failed + 1))
    summary+=("$name: FAILED with exit status $status; see $results/$name.txt")
  fi
done

printf '\n=== Benchmark summary\n'
printf '%s\n' "${summary[@]}"
[ "$failed" -eq 0 ] || echo "$failed of ${#benchmarks[@]} benchmarks failed"
exit $((failed > 0))
