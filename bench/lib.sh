# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Shared by the benchmark scripts in this folder. Source it, do not run it.
#
# Every script takes --quick (one run of each measurement, so CI can check
# that the script still works) and --runs N (default 5). Figures are printed
# as the median with the minimum and maximum, and nothing here asserts a
# time. A script exits non-zero only when something it measures failed to
# work.
#
# Lines that start with "summary: " are collected by run-all.sh.
#
# Environment:
#   EXITBOX_BUILD_DIR   a meson build directory of this tree (default _build/ci).
#   EXITBOX_BIN         the exitbox executable (default: the one in EXITBOX_BUILD_DIR).
#   EXITBOX_BASE_IMAGE  a local Debian image to build on (default
#                       localhost/exitbox-debian:bookworm, made by tools/make-base-image.sh).
#   EXITBOX_BENCH_DIR   where the benchmark keeps its project, ExitBox's folders and the
#                       upstream server's files between runs (default
#                       /var/tmp/exitbox-bench-$USER). The project image built for it is reused.

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$bench_dir/.." && pwd)
build_dir="${EXITBOX_BUILD_DIR:-$source_dir/_build/ci}"
exitbox_bin="${EXITBOX_BIN:-$build_dir/src/cli/exitbox}"
bench_name=$(basename "$0" .sh)

BENCH_RUNS=5
BENCH_QUICK=0

bench_usage() {
  echo "Usage: $0 [--quick] [--runs N]"
  echo "  --quick   run each measurement once, to check that the benchmark works"
  echo "  --runs N  runs per measurement (default 5)"
}

bench_parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --quick)
        BENCH_QUICK=1
        BENCH_RUNS=1
        shift
        ;;
      --runs)
        if [ $# -lt 2 ] || ! [[ "$2" =~ ^[1-9][0-9]*$ ]]; then
          bench_fail "--runs needs a positive number, not '${2:-}'"
        fi
        BENCH_RUNS="$2"
        shift 2
        ;;
      -h|--help)
        bench_usage
        exit 0
        ;;
      *)
        bench_fail "unknown option '$1'; see --help"
        ;;
    esac
  done
}

bench_fail() {
  echo "$bench_name: $*" >&2
  exit 1
}

bench_log() {
  echo "$bench_name: $*" >&2
}

bench_summary() {
  echo "summary: $*"
}

# bench_now_us VAR: stores the wall-clock time in microseconds in VAR,
# without starting a process or a subshell. CLOCK_REALTIME, like
# `date +%s%6N` in a container, so the two can be compared.
bench_now_us() {
  local -n now_ref="$1"
  local now="${EPOCHREALTIME//[.,]/}"

  # shellcheck disable=SC2034
  now_ref=$((10#$now))
}

# bench_median VALUE...: the median, rounded down to an integer.
bench_median() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%d\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_stats_ms VALUE...: "median 12.3 ms (min 11.0, max 14.2, n=5)" for microseconds.
bench_stats_ms() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "median %.1f ms (min %.1f, max %.1f, n=%d)\n", m / 1000, v[1] / 1000, v[NR] / 1000, NR }'
}

# bench_stats VALUE...: the same for plain numbers, with no unit.
bench_stats() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "median %g (min %g, max %g, n=%d)\n", m, v[1], v[NR], NR }'
}

# bench_ratio A B: A / B with two decimals.
bench_ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f\n", a / b }'
}

bench_ms() {
  awk -v us="$1" 'BEGIN { printf "%.1f\n", us / 1000 }'
}

# bench_time VAR COMMAND...: runs COMMAND with stdin from /dev/null and
# stores its wall-clock time in microseconds in VAR. Returns its exit status.
bench_time() {
  local -n elapsed_ref="$1"
  local start end status
  shift

  bench_now_us start
  "$@" </dev/null
  status=$?
  bench_now_us end
  # shellcheck disable=SC2034
  elapsed_ref=$((end - start))
  return $status
}

bench_require_program() {
  [ -x "$1" ] || bench_fail "$1 is missing; build the tree first (meson setup $build_dir $source_dir && meson compile -C $build_dir) or set EXITBOX_BUILD_DIR"
}

# --- The container fixture ---------------------------------------------------
#
# A fixed project folder, so the project image is built once and reused. A
# stub Claude Code release on a loopback server, in case the agent image
# has to be built. An allowlist with allowed.example.test. An upstream HTTP
# server container on exitbox-egress that answers as allowed.example.test
# and added.example.test. Squid resolves those names through the DNS server
# that podman runs at that network's gateway (EXITBOX_SQUID_DNS). The
# fixture replaces the engine's exitbox-squid container and removes it and
# its own containers on exit.

bench_engine=podman
bench_upstream=exitbox-bench-upstream
bench_server_pid=
bench_containers=()
bench_images=()
bench_work=

bench_state_dir() {
  echo "${EXITBOX_BENCH_DIR:-/var/tmp/exitbox-bench-$(id -un)}"
}

bench_exitbox() {
  (cd "$bench_project" && "$exitbox_bin" "$@")
}

bench_make_stub_release() {
  local bucket="$1" version=9.9.9
  local dir="$bucket/$version/linux-x64" checksum

  mkdir -p "$dir"
  cat >"$dir/claude" <<'STUB'
#!/bin/sh
case "${1:-}" in
  --version) echo "9.9.9 (Claude Code stub)" ;;
  *) echo "Claude Code stub 9.9.9; arguments: $*" ;;
esac
STUB
  checksum=$(sha256sum "$dir/claude" | cut -d' ' -f1)
  printf '{"version": "%s", "platforms": {"linux-x64": {"checksum": "%s", "size": 1}}}\n' \
    "$version" "$checksum" >"$bucket/$version/manifest.json"
  printf '%s\n' "$version" >"$bucket/latest"
}

# bench_write_allowlist NAME...: the allowlist allows exactly these names.
bench_write_allowlist() {
  local file="$EXITBOX_CONFIG_DIR/allowlist.yaml"
  local name

  {
    echo "version: 1"
    echo "custom:"
    for name in "$@"; do
      echo "  - $name"
    done
  } >"$file.tmp"
  mv "$file.tmp" "$file"
}

bench_fixture_cleanup() {
  local container image

  [ -n "$bench_server_pid" ] && kill "$bench_server_pid" 2>/dev/null
  for container in "${bench_containers[@]}" "$bench_upstream" exitbox-squid; do
    "$bench_engine" rm --force "$container" >/dev/null 2>&1
  done
  for image in "${bench_images[@]}"; do
    "$bench_engine" rmi --force "$image" >/dev/null 2>&1
  done
  [ -n "$bench_work" ] && rm -rf "$bench_work"
}

# bench_track_container NAME, bench_track_image NAME: removed when the
# script exits.
bench_track_container() {
  bench_containers+=("$1")
}

bench_track_image() {
  bench_images+=("$1")
}

bench_fixture_start() {
  local state port gateway

  command -v "$bench_engine" >/dev/null || bench_fail "podman is not installed"
  [ "$(id -u)" -eq 0 ] || bench_log "note: running as $(id -un), so this measures rootless podman"
  bench_require_program "$exitbox_bin"

  export EXITBOX_BASE_IMAGE="${EXITBOX_BASE_IMAGE:-localhost/exitbox-debian:bookworm}"
  "$bench_engine" image exists "$EXITBOX_BASE_IMAGE" \
    || bench_fail "the base image $EXITBOX_BASE_IMAGE does not exist; create it with tools/make-base-image.sh or set EXITBOX_BASE_IMAGE"

  state=$(bench_state_dir)
  bench_project="$state/project"
  bench_www="$state/www"
  mkdir -p "$bench_project" "$bench_www" "$state/bucket"
  export EXITBOX_CONFIG_DIR="$state/config"
  export EXITBOX_CACHE_DIR="$state/cache"
  export EXITBOX_DATA_DIR="$state/data"
  bench_work=$(mktemp -d "${TMPDIR:-/tmp}/exitbox-bench.XXXXXX")
  trap bench_fixture_cleanup EXIT

  bench_make_stub_release "$state/bucket"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 -m http.server --bind 127.0.0.1 --directory "$state/bucket" "$port" \
    >"$bench_work/bucket.log" 2>&1 &
  bench_server_pid=$!
  export EXITBOX_CLAUDE_DIST_URL="http://127.0.0.1:$port"
  for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
  done

  # The first run writes the default files, and then the allowlist is replaced.
  "$exitbox_bin" list >/dev/null 2>&1 || bench_fail "'exitbox list' failed; run it by hand to see why"
  bench_write_allowlist allowed.example.test

  # Files the upstream serves: a page and a 3 MiB blob for slow transfers.
  echo "hello from upstream" >"$bench_www/index.html"
  if [ "$(stat -c %s "$bench_www/blob.bin" 2>/dev/null)" != 3145728 ]; then
    head -c 3145728 /dev/urandom >"$bench_www/blob.bin"
  fi
  chmod -R a+rX "$bench_www"

  "$bench_engine" rm --force exitbox-squid "$bench_upstream" >/dev/null 2>&1
  "$bench_engine" network exists exitbox-egress 2>/dev/null \
    || "$bench_engine" network create exitbox-egress >/dev/null \
    || bench_fail "could not create the network exitbox-egress"
  gateway=$("$bench_engine" network inspect exitbox-egress --format '{{range .Subnets}}{{.Gateway}}{{end}}')
  [ -n "$gateway" ] || bench_fail "the network exitbox-egress has no gateway address"
  export EXITBOX_SQUID_DNS="$gateway"

  "$bench_engine" run --detach --name "$bench_upstream" --network exitbox-egress \
    --network-alias allowed.example.test --network-alias added.example.test \
    --mount "type=bind,source=$bench_www,destination=/www,readonly" \
    "$EXITBOX_BASE_IMAGE" busybox httpd -f -p 80 -h /www >/dev/null \
    || bench_fail "could not start the upstream server container"
}

# bench_warm_up: builds the images if needed and starts the proxy, through
# one launch. Prints the build progress of that launch to stderr.
bench_warm_up() {
  bench_log "warming up: one launch builds missing images and starts the proxy"
  bench_exitbox shell -- true </dev/null >"$bench_work/warm-up.log" 2>&1 || {
    cat "$bench_work/warm-up.log" >&2
    bench_fail "the warm-up launch 'exitbox shell -- true' failed"
  }
  grep '^\[' "$bench_work/warm-up.log" >&2
}

# bench_read_engine_command: sets the array BENCH_RUN_ARGV to the engine
# argv of a warm `exitbox shell -- true`, from the "Engine command:" line
# that --verbose prints. That line is shell-quoted for display, and
# Python's shlex splits it back into arguments.
bench_read_engine_command() {
  local line

  line=$(bench_exitbox -v shell -- true </dev/null 2>&1 >/dev/null | sed -n 's/^Engine command: //p')
  [ -n "$line" ] || bench_fail "'exitbox -v shell -- true' printed no 'Engine command:' line"
  mapfile -d '' -t BENCH_RUN_ARGV < <(python3 -c \
    'import shlex, sys; sys.stdout.write("\0".join(shlex.split(sys.stdin.read())))' <<<"$line")
  [ "${#BENCH_RUN_ARGV[@]}" -gt 3 ] || bench_fail "could not split the engine command: $line"

  # The session's env file is removed and its address freed when it ends,
  # so a replay runs without them.
  local kept=() i=0
  while [ $i -lt ${#BENCH_RUN_ARGV[@]} ]; do
    case "${BENCH_RUN_ARGV[$i]}" in
      --env-file|--ip) i=$((i + 2)); continue ;;
    esac
    kept+=("${BENCH_RUN_ARGV[$i]}")
    i=$((i + 1))
  done
  BENCH_RUN_ARGV=("${kept[@]}")
}

# bench_proxy_address: the proxy's address on exitbox-int.
bench_proxy_address() {
  "$bench_engine" inspect exitbox-squid \
    --format '{{(index .NetworkSettings.Networks "exitbox-int").IPAddress}}'
}

# bench_with_display COMMAND...: runs COMMAND under its own Xvfb and session
# bus, through the desktop tests' helper.
bench_with_display() {
  env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
    "$source_dir/tests/app/run-under-display.sh" "$@"
}

# bench_make_engine_wrapper DIR MODE LOG: writes DIR/podman, a wrapper that
# appends one line per engine call to LOG and runs the real podman. MODE
# "count" logs the shell-quoted argv and execs podman, so it adds one bash
# start to each call and changes nothing else. MODE "time" waits for podman
# and logs "START_US DURATION_US EXIT_STATUS ARGV".
bench_make_engine_wrapper() {
  local dir="$1" mode="$2" log="$3" real

  real=$(command -v "$bench_engine") || bench_fail "podman is not on PATH"
  mkdir -p "$dir"
  : >"$log"

  if [ "$mode" = count ]; then
    cat >"$dir/podman" <<WRAPPER
#!/bin/bash
line=\$(printf '%q ' "\$@")
printf '%s\n' "\$line" >>$(printf '%q' "$log")
exec $(printf '%q' "$real") "\$@"
WRAPPER
  else
    cat >"$dir/podman" <<WRAPPER
#!/bin/bash
start=\${EPOCHREALTIME//[.,]/}
$(printf '%q' "$real") "\$@"
status=\$?
end=\${EPOCHREALTIME//[.,]/}
line=\$(printf '%q ' "\$@")
printf '%s %s %s %s\n' "\$((10#\$start))" "\$((10#\$end - 10#\$start))" "\$status" "\$line" >>$(printf '%q' "$log")
exit \$status
WRAPPER
  fi
  chmod +x "$dir/podman"
}

# bench_print_engine_timeline: runs one `exitbox shell -- true` with the
# timing wrapper on PATH and prints each engine call with its start (from
# the launch's start) and its duration, so what a launch waits for shows.
# Prints how many calls there were in BENCH_TIMELINE_CALLS.
bench_print_engine_timeline() {
  local wrapper_dir="$bench_work/timing-wrapper" log="$bench_work/timeline.log"
  local launch_start launch_end start took status argv

  bench_make_engine_wrapper "$wrapper_dir" time "$log"
  bench_now_us launch_start
  PATH="$wrapper_dir:$PATH" bench_exitbox shell -- true </dev/null >/dev/null 2>&1 \
    || bench_fail "the launch with the timing wrapper failed"
  bench_now_us launch_end

  echo "engine calls of this launch ($(bench_ms $((launch_end - launch_start))) ms in all, podman wrapper with timing):"
  echo "  start(ms) took(ms) exit argv"
  while read -r start took status argv; do
    printf '  %8.1f %8.1f %4s %s\n' "$(bench_ms $((start - launch_start)))" "$(bench_ms "$took")" "$status" "$argv"
  done <"$log"
  BENCH_TIMELINE_CALLS=$(wc -l <"$log")
}
