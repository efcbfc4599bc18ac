#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Cold launch: `exitbox shell -- true` with the images built but the proxy
# container removed before each run, so the launch has to start the proxy.
# Each round also times a warm `exitbox shell -- true` right after it and a
# bare `podman run` of the same engine argv (see warm-launch.sh). The cost
# of starting the proxy is the cold median minus the warm median.
#
# One more cold launch, not counted, runs with a podman wrapper on PATH that
# times every engine call, and prints them in order: that shows where the
# cold path spends its time.
#
# Replaces the engine's exitbox-squid container. lib.sh describes the fixture.
#
# Usage: bench/cold-launch.sh [--quick] [--runs N]
# Environment: see lib.sh.

set -u
source "$(dirname "$0")/lib.sh"
bench_parse_args "$@"

bench_fixture_start
bench_warm_up
bench_read_engine_command

bare_run() {
  local argv=("${BENCH_RUN_ARGV[@]}") i

  for ((i = 0; i < ${#argv[@]} - 1; i++)); do
    if [ "${argv[i]}" = --name ]; then
      argv[i + 1]="exitbox-bench-bare-$1"
    fi
  done
  "${argv[@]}"
}

remove_proxy() {
  "$bench_engine" rm --force exitbox-squid >/dev/null 2>&1
  ! "$bench_engine" container exists exitbox-squid || bench_fail "could not remove exitbox-squid"
}

launch() {
  bench_time elapsed bench_exitbox shell -- true >/dev/null 2>"$bench_work/launch.log" || {
    cat "$bench_work/launch.log" >&2
    bench_fail "'exitbox shell -- true' failed"
  }
  grep -q '^\[' "$bench_work/launch.log" && bench_fail "a launch built an image: $(grep '^\[' "$bench_work/launch.log")"
  return 0
}

bare_run 0 </dev/null >/dev/null 2>&1 || bench_fail "the bare engine command failed"

cold_times=()
warm_times=()
bare_times=()
for i in $(seq "$BENCH_RUNS"); do
  remove_proxy
  launch
  cold_times+=("$elapsed")
  launch
  warm_times+=("$elapsed")
  bench_time elapsed bare_run "$i" >/dev/null 2>&1 || bench_fail "the bare engine command failed"
  bare_times+=("$elapsed")
done

remove_proxy
echo "one more cold launch, not counted:"
bench_print_engine_timeline

cold_median=$(bench_median "${cold_times[@]}")
warm_median=$(bench_median "${warm_times[@]}")
bare_median=$(bench_median "${bare_times[@]}")
ratio=$(bench_ratio "$cold_median" "$bare_median")
proxy_cost=$((cold_median - warm_median))

echo "cold exitbox shell -- true: $(bench_stats_ms "${cold_times[@]}")"
echo "warm exitbox shell -- true: $(bench_stats_ms "${warm_times[@]}")"
echo "bare podman run:            $(bench_stats_ms "${bare_times[@]}")"
echo "proxy start (cold median - warm median): $(bench_ms "$proxy_cost") ms; cold/bare ratio of medians: $ratio"
bench_summary "cold launch: exitbox $(bench_ms "$cold_median") ms, bare podman run $(bench_ms "$bare_median") ms, ratio $ratio; proxy start costs $(bench_ms "$proxy_cost") ms ($BENCH_TIMELINE_CALLS engine calls)"
