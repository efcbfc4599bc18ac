#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Desktop cold start: the time from starting exitbox-desktop to the first
# frame of its window, against bench/minimal-window (a libadwaita window of
# the same size, built with the same GTK and libadwaita), alternated.
# exitbox-desktop runs twice per round: with the container engine it finds,
# as a user's would, and with CONTAINER_RUNTIME=none, so that it makes no
# engine calls while it starts.
#
# Both programs are timed the same way, with nothing added to either. The
# script takes the time just before it starts the program. Then
# bench/first-frame.so, loaded with LD_PRELOAD, writes the time of the
# first GdkFrameClock::after-paint in the process (after a round trip to
# the X server) and ends the process. "Cold" means a new process, but the
# page cache is warm, because one untimed run of each program comes first.
#
# Runs under its own Xvfb and session bus (tests/app/run-under-display.sh),
# with GDK_BACKEND=x11. GSK_RENDERER is passed through when set; otherwise
# GTK picks its renderer. ExitBox's folders point at a temporary folder.
#
# Usage: bench/desktop-start.sh [--quick] [--runs N]
# Environment: see lib.sh.

set -u
source "$(dirname "$0")/lib.sh"

bench_parse_args "$@"

desktop="$build_dir/src/app/exitbox-desktop"
minimal="$build_dir/bench/minimal-window"
preload="$build_dir/bench/first-frame.so"
if [ ! -x "$desktop" ]; then
  echo "exitbox-desktop is not built (meson option app=false); nothing to measure"
  bench_summary "desktop cold start: skipped, exitbox-desktop is not built"
  exit 0
fi
bench_require_program "$minimal"
[ -f "$preload" ] || bench_fail "$preload is missing; build the tree first"

if [ -z "${BENCH_UNDER_DISPLAY:-}" ]; then
  export BENCH_UNDER_DISPLAY=1
  bench_with_display "$0" "$@"
  exit $?
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/exitbox-bench-desktop.XXXXXX")
trap 'rm -rf "$work"' EXIT

export GDK_BACKEND=x11
export EXITBOX_CONFIG_DIR="$work/config" EXITBOX_CACHE_DIR="$work/cache" EXITBOX_DATA_DIR="$work/data"

# A configured user's start: without config.yaml the window would open the
# setup wizard as well, which is a first start, not the usual one.
"$exitbox_bin" setup </dev/null >/dev/null || bench_fail "writing the default configuration failed"

# first_frame_us VAR PROGRAM [CONTAINER_RUNTIME]: stores in VAR the
# microseconds from just before PROGRAM starts until its first frame. A
# program that shows no frame within 60 seconds is stopped and the
# function fails.
first_frame_us() {
  local -n result_ref="$1"
  local program="$2" runtime="${3-${CONTAINER_RUNTIME-}}" frame_file="$work/first-frame" start end pid sleeper finished status

  rm -f "$frame_file"
  bench_now_us start
  CONTAINER_RUNTIME="$runtime" LD_PRELOAD="$preload" BENCH_FIRST_FRAME_FILE="$frame_file" \
    "$program" </dev/null >>"$work/programs.log" 2>&1 &
  pid=$!
  sleep 60 &
  sleeper=$!
  wait -n -p finished "$pid" "$sleeper"
  status=$?
  if [ "$finished" != "$pid" ]; then
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    status=124
  fi
  kill "$sleeper" 2>/dev/null
  wait "$sleeper" 2>/dev/null

  if [ "$status" -ne 0 ] || [ ! -s "$frame_file" ]; then
    tail -20 "$work/programs.log" >&2
    bench_fail "$(basename "$program") showed no frame (exit status $status)"
  fi

  end=$(<"$frame_file")
  # shellcheck disable=SC2034
  result_ref=$((end - start))
}

# Untimed runs fill the page cache and write ExitBox's default files.
first_frame_us warm_up "$desktop"
first_frame_us warm_up "$minimal"

desktop_times=()
no_engine_times=()
minimal_times=()
for _ in $(seq "$BENCH_RUNS"); do
  first_frame_us elapsed "$desktop"
  desktop_times+=("$elapsed")
  first_frame_us elapsed "$desktop" none
  no_engine_times+=("$elapsed")
  first_frame_us elapsed "$minimal"
  minimal_times+=("$elapsed")
done

desktop_median=$(bench_median "${desktop_times[@]}")
no_engine_median=$(bench_median "${no_engine_times[@]}")
minimal_median=$(bench_median "${minimal_times[@]}")
ratio=$(bench_ratio "$desktop_median" "$minimal_median")
no_engine_ratio=$(bench_ratio "$no_engine_median" "$minimal_median")

echo "renderer: GSK_RENDERER=${GSK_RENDERER:-unset, so GTK picks}"
echo "exitbox-desktop to first frame:                  $(bench_stats_ms "${desktop_times[@]}")"
echo "exitbox-desktop, CONTAINER_RUNTIME=none:         $(bench_stats_ms "${no_engine_times[@]}")"
echo "minimal-window to first frame:                   $(bench_stats_ms "${minimal_times[@]}")"
echo "ratio of medians: $ratio with the engine, $no_engine_ratio without"
bench_summary "desktop cold start: exitbox-desktop $(bench_ms "$desktop_median") ms, minimal window $(bench_ms "$minimal_median") ms, ratio $ratio (budget ≤ 1.5); without engine calls $(bench_ms "$no_engine_median") ms, ratio $no_engine_ratio"
