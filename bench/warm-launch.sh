#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Warm launch overhead: `exitbox shell -- true` with the images built and
# the proxy running, against a bare `podman run` of the same argv that
# ExitBox runs, alternated in one loop. The argv comes from the "Engine
# command:" line of `exitbox -v shell -- true`, so the project image,
# network, DNS, security, user, mounts and environment are the same. Only
# the container name differs, because each run needs a new one. One more launch, not
# counted, runs with a podman wrapper that times each engine call.
#
# Replaces the engine's exitbox-squid container. lib.sh describes the fixture.
#
# Usage: bench/warm-launch.sh [--quick] [--runs N]
# Environment: see lib.sh.

set -u
source "$(dirname "$0")/lib.sh"
bench_parse_args "$@"

bench_fixture_start
bench_warm_up
bench_read_engine_command

# bare_run INDEX: the engine argv of ExitBox's launch, with its own name.
bare_run() {
  local argv=("${BENCH_RUN_ARGV[@]}") i

  for ((i = 0; i < ${#argv[@]} - 1; i++)); do
    if [ "${argv[i]}" = --name ]; then
      argv[i + 1]="exitbox-bench-bare-$1"
    fi
  done
  "${argv[@]}"
}

echo "engine command: ${BENCH_RUN_ARGV[*]}"

# One untimed run of each, so both start from the same caches.
bare_run 0 </dev/null >/dev/null 2>&1 || bench_fail "the bare engine command failed"

exitbox_times=()
bare_times=()
for i in $(seq "$BENCH_RUNS"); do
  bench_time elapsed bench_exitbox shell -- true >/dev/null 2>"$bench_work/launch.log" || {
    cat "$bench_work/launch.log" >&2
    bench_fail "'exitbox shell -- true' failed"
  }
  grep -q '^\[' "$bench_work/launch.log" && bench_fail "a warm launch built an image: $(grep '^\[' "$bench_work/launch.log")"
  exitbox_times+=("$elapsed")

  bench_time elapsed bare_run "$i" >/dev/null 2>&1 || bench_fail "the bare engine command failed"
  bare_times+=("$elapsed")
done

exitbox_median=$(bench_median "${exitbox_times[@]}")
bare_median=$(bench_median "${bare_times[@]}")
ratio=$(bench_ratio "$exitbox_median" "$bare_median")

echo "exitbox shell -- true: $(bench_stats_ms "${exitbox_times[@]}")"
echo "bare podman run:       $(bench_stats_ms "${bare_times[@]}")"
echo "overhead: $(bench_ms $((exitbox_median - bare_median))) ms; ratio of medians: $ratio"
echo "one more warm launch, not counted:"
bench_print_engine_timeline
bench_summary "warm launch: exitbox $(bench_ms "$exitbox_median") ms, bare podman run $(bench_ms "$bare_median") ms, ratio $ratio (budget ≤ 1.25)"
