#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Incremental build: change one development profile of a project and time
# the launch that follows. Each run adds the shell profile to the project
# (`exitbox claude profile add shell`) or removes it again, which changes
# only the project layer's exitbox.profiles.hash label, so the base and
# agent core images must be reused. It reports which layers each launch
# rebuilt, from its "[layer]" progress lines. The project layer installs
# the profile's packages with apt-get from Debian's mirror, so the figure
# includes that download.
#
# Replaces the engine's exitbox-squid container. lib.sh describes the fixture.
#
# Usage: bench/project-rebuild.sh [--quick] [--runs N]
# Environment: see lib.sh.

set -u
source "$(dirname "$0")/lib.sh"
bench_parse_args "$@"

bench_fixture_start
bench_warm_up
bench_read_engine_command

# The argv ends with the project image and the command, "true".
project_image="${BENCH_RUN_ARGV[-2]}"
[[ "$project_image" == exitbox-* ]] || bench_fail "unexpected image '$project_image' in the engine command"
echo "project image: $project_image"

# A project folder kept from an earlier run may still have the profile, and
# then the first "add" would change nothing.
bench_exitbox claude profile remove shell >/dev/null 2>&1
bench_exitbox shell -- true >/dev/null 2>&1 || bench_fail "'exitbox shell -- true' failed"

times=()
warm_times=()
layers=()
for run in $(seq "$BENCH_RUNS"); do
  if [ $((run % 2)) -eq 1 ]; then
    bench_exitbox claude profile add shell >/dev/null || bench_fail "adding the shell profile failed"
  else
    bench_exitbox claude profile remove shell >/dev/null || bench_fail "removing the shell profile failed"
  fi

  bench_time elapsed bench_exitbox shell -- true >/dev/null 2>"$bench_work/launch.log" || {
    cat "$bench_work/launch.log" >&2
    bench_fail "'exitbox shell -- true' failed"
  }
  times+=("$elapsed")
  grep '^\[' "$bench_work/launch.log" | sed 's/^/  /'
  layers+=("$(sed -n 's/^\[\([^]]*\)\] Building .*/\1/p' "$bench_work/launch.log" | sort -u | paste -sd, -)")
  [ -n "${layers[-1]}" ] || bench_fail "the launch after the profile change rebuilt no layer"

  # The warm launch that follows, for comparison.
  bench_time elapsed bench_exitbox shell -- true >/dev/null 2>&1 || bench_fail "'exitbox shell -- true' failed"
  warm_times+=("$elapsed")
done

# A reference for a change of labels alone: podman builds a LABEL-only layer
# on the same parent image with a label value it has not seen, so its layer
# cache cannot serve it.
parent=$("$bench_engine" image inspect --format '{{index .Labels "exitbox.parent"}}' "$project_image")
[ -n "$parent" ] || bench_fail "$project_image has no exitbox.parent label"
probe_dir="$bench_work/label-probe"
mkdir -p "$probe_dir"
bench_track_image exitbox-bench-label-probe
probe_times=()
for i in $(seq "$BENCH_RUNS"); do
  printf 'FROM %s\nLABEL exitbox.bench.probe="%s-%s"\n' "$parent" "$i" "${EPOCHREALTIME//[.,]/}" >"$probe_dir/Containerfile"
  bench_time elapsed "$bench_engine" build --quiet --tag exitbox-bench-label-probe "$probe_dir" >/dev/null 2>&1 \
    || bench_fail "podman build of a LABEL-only layer failed"
  probe_times+=("$elapsed")
  "$bench_engine" rmi --force exitbox-bench-label-probe >/dev/null 2>&1
done

rebuilt=$(printf '%s\n' "${layers[@]}" | sort -u | paste -sd' ' - | sed 's/^ *//')
rebuild_median=$(bench_median "${times[@]}")
warm_median=$(bench_median "${warm_times[@]}")

echo "launch after a profile change:           $(bench_stats_ms "${times[@]}")"
echo "warm launch after it:                   $(bench_stats_ms "${warm_times[@]}")"
echo "layers rebuilt per launch: $rebuilt"
echo "podman build of a LABEL-only layer with a new label value: $(bench_stats_ms "${probe_times[@]}")"
bench_summary "profile change: launch $(bench_ms "$rebuild_median") ms against $(bench_ms "$warm_median") ms warm (+$(bench_ms $((rebuild_median - warm_median))) ms); layers rebuilt: ${rebuilt:-none}; a LABEL-only podman build with new labels takes $(bench_ms "$(bench_median "${probe_times[@]}")") ms"
