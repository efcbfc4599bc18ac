#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Desktop memory: the resident memory (VmRSS in /proc) of the desktop
# application with 5 open shell sessions, opened through the window's
# win.launch-agent action by bench/desktop-sessions. That program runs the
# same application and window code as exitbox-desktop, because it links the
# same library and only main() differs. Each run starts a new process, reads
# VmRSS once the window is idle and again with the 5 sessions running, and
# adds up the resident memory of the `podman run` clients that the
# terminals started, which are separate processes. It measures with GTK's
# default renderer, then with the cairo renderer, then with GL disabled.
#
# Runs under its own Xvfb and session bus. Replaces the engine's
# exitbox-squid container. lib.sh describes the fixture.
#
# Usage: bench/desktop-memory.sh [--quick] [--runs N]
# Environment: see lib.sh.

set -u
source "$(dirname "$0")/lib.sh"
bench_parse_args "$@"

program="$build_dir/bench/desktop-sessions"
if [ ! -x "$build_dir/src/app/exitbox-desktop" ]; then
  echo "exitbox-desktop is not built (meson option app=false); nothing to measure"
  bench_summary "desktop memory: skipped, exitbox-desktop is not built"
  exit 0
fi
bench_require_program "$program"

if [ -z "${BENCH_UNDER_DISPLAY:-}" ]; then
  export BENCH_UNDER_DISPLAY=1
  bench_with_display "$0" "$@"
  exit $?
fi

export GDK_BACKEND=x11
bench_fixture_start
bench_warm_up

sessions=5

# value NAME FILE: the value of a "NAME=value" line.
value() {
  sed -n "s/^$1=//p" "$2"
}

# mib_stats KIB...: "median 12.3 MiB (min 11.0, max 14.2, n=5)".
mib_stats() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 / 1024 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "median %.1f MiB (min %.1f, max %.1f, n=%d)\n", m, v[1], v[NR], NR }'
}

mib() {
  awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'
}

# measure VARIANT [NAME=VALUE...]: runs desktop-sessions BENCH_RUNS times
# with these variables set, prints the figures and sets median_kb and
# clients_median_kb.
measure() {
  local variant="$1" output="$bench_work/memory.txt" clients
  local window_rss=() sessions_rss=() peak_rss=() clients_rss=()
  shift

  for _ in $(seq "$BENCH_RUNS"); do
    env "$@" "$program" --sessions "$sessions" "$bench_project" >"$output" 2>"$bench_work/memory.log" || {
      tail -30 "$bench_work/memory.log" >&2
      bench_fail "desktop-sessions failed ($variant)"
    }
    [ "$(value sessions "$output")" = "$sessions" ] \
      || bench_fail "desktop-sessions opened $(value sessions "$output") sessions, not $sessions"

    window_rss+=("$(value window_rss_kb "$output")")
    sessions_rss+=("$(value sessions_rss_kb "$output")")
    peak_rss+=("$(value peak_rss_kb "$output")")
    clients_rss+=("$(value engine_clients_rss_kb "$output")")
    clients=$(value engine_clients "$output")
  done

  echo "== $variant"
  echo "window, no session:        $(mib_stats "${window_rss[@]}")"
  echo "window with $sessions sessions:    $(mib_stats "${sessions_rss[@]}")"
  echo "peak (VmHWM):              $(mib_stats "${peak_rss[@]}")"
  echo "the $clients podman run clients together: $(mib_stats "${clients_rss[@]}")"
  echo "in the last run: anonymous $(mib "$(value sessions_rss_anon_kb "$output")") MiB, file-backed $(mib "$(value sessions_rss_file_kb "$output")") MiB; largest mappings (MiB):"
  sed -n 's/^mapping_rss_kb=\([0-9]*\) \(.*\)/\1 \2/p' "$output" | awk '{ printf "  %7.1f %s\n", $1 / 1024, $2 }'

  median_kb=$(bench_median "${sessions_rss[@]}")
  clients_median_kb=$(bench_median "${clients_rss[@]}")
}

# GTK's default renderer is GL, which under Xvfb is Mesa's software
# rasteriser (llvmpipe). The two other variants show how much of the
# memory is that GL stack's.
measure "GTK's default renderer"
default_mib=$(mib "$median_kb")
clients_mib=$(mib "$clients_median_kb")
measure "GSK_RENDERER=cairo" GSK_RENDERER=cairo
cairo_mib=$(mib "$median_kb")
measure "GSK_RENDERER=cairo GDK_DEBUG=gl-disable" GSK_RENDERER=cairo GDK_DEBUG=gl-disable
no_gl_mib=$(mib "$median_kb")

bench_summary "desktop memory with $sessions sessions: $default_mib MiB VmRSS (target ≤ 150 MB, which is 143.1 MiB); $cairo_mib MiB with the cairo renderer, $no_gl_mib MiB without GL; their podman run clients add $clients_mib MiB"
