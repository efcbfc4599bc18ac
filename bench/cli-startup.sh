#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# CLI start-up: the wall-clock time of `exitbox --version`, which loads the
# program and its libraries and prints without touching the engine or the
# configuration. Runs it four times as often as the other benchmarks,
# because one run takes a few milliseconds.
#
# Usage: bench/cli-startup.sh [--quick] [--runs N]
# Environment: see lib.sh.

set -u
source "$(dirname "$0")/lib.sh"
bench_parse_args "$@"
bench_require_program "$exitbox_bin"

runs=$((BENCH_QUICK ? 1 : BENCH_RUNS * 4))
times=()
floor_times=()

version=$("$exitbox_bin" --version) || bench_fail "'exitbox --version' failed"
echo "exitbox --version prints: $version"

for _ in $(seq "$runs"); do
  bench_time elapsed "$exitbox_bin" --version >/dev/null || bench_fail "'exitbox --version' failed"
  times+=("$elapsed")
  bench_time elapsed /bin/true
  floor_times+=("$elapsed")
done

stats=$(bench_stats_ms "${times[@]}")
echo "exitbox --version: $stats"
# What starting any program costs from this loop, for comparison.
echo "/bin/true: $(bench_stats_ms "${floor_times[@]}")"
bench_summary "CLI start-up (exitbox --version): $stats"
