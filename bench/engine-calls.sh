#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Engine calls per launch: runs `exitbox shell -- true` with a wrapper named
# podman first on PATH, which logs each call's argv and execs the real
# podman, and prints how many calls a warm launch makes (images built,
# proxy running) and which. One cold launch (proxy removed first) is
# counted too, for comparison.
#
# Replaces the engine's exitbox-squid container. lib.sh describes the fixture.
#
# Usage: bench/engine-calls.sh [--quick] [--runs N]
# Environment: see lib.sh.

set -u
source "$(dirname "$0")/lib.sh"
bench_parse_args "$@"

bench_fixture_start
bench_warm_up

wrapper_dir="$bench_work/count-wrapper"
engine_log="$bench_work/engine-calls.log"
bench_make_engine_wrapper "$wrapper_dir" count "$engine_log"

# counted_launch: runs one launch through the wrapper, which leaves its
# engine calls in the log.
counted_launch() {
  : >"$engine_log"
  PATH="$wrapper_dir:$PATH" bench_exitbox shell -- true </dev/null >/dev/null 2>"$bench_work/launch.log" || {
    cat "$bench_work/launch.log" >&2
    bench_fail "'exitbox shell -- true' with the counting wrapper failed"
  }
}

warm_counts=()
for i in $(seq "$BENCH_RUNS"); do
  counted_launch
  warm_counts+=("$(wc -l <"$engine_log")")
  [ "$i" -eq 1 ] && cp "$engine_log" "$bench_work/warm-calls.log"
done

"$bench_engine" rm --force exitbox-squid >/dev/null 2>&1
counted_launch
cold_count=$(wc -l <"$engine_log")

echo "engine calls per warm launch: $(bench_stats "${warm_counts[@]}")"
echo "calls of the first warm launch:"
sed 's/^/  podman /' "$bench_work/warm-calls.log"
echo "engine calls of one cold launch: $cold_count"
sed 's/^/  podman /' "$engine_log"

# The calls by their first word, for the summary: "inspect, run".
warm_verbs=$(awk '{ printf "%s%s", sep, $1; sep = ", " }' "$bench_work/warm-calls.log")
bench_summary "engine calls per warm launch: $(bench_median "${warm_counts[@]}") ($warm_verbs; budget ≤ 2 including the run); cold launch: $cold_count"
