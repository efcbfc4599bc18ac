#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Allowlist change to enforcement: with the proxy running, allowlist.yaml
# gains added.example.test and is applied the way ExitBox applies it today.
# squid.conf is regenerated and Squid reloaded (`squid -k reconfigure`) when
# the firewall is prepared. Two ways are timed:
#
#   core    bench/apply-allowlist --add: adds the name with the core's
#           exitbox_allowlist_add_entry_in_file(), as `exitbox allowlist add`
#           and the window do, then calls exitbox_firewall_ensure_async()
#   launch  `exitbox shell -- true`, the next launch
#
# A poller container on exitbox-int requests http://added.example.test/
# through the proxy at most 200 times, 10 ms apart, and records when the
# first request returned 200. The time reported is from the start of the
# apply command to that moment. Both times come from the host's CLOCK_REALTIME.
#
# Meanwhile an agent container downloads a 3 MiB file from
# allowed.example.test through the proxy at 1 MiB/s (curl --limit-rate), so
# the transfer is still running while Squid reloads. A run counts the
# transfer as intact when curl exited 0 and the file's SHA-256 matches.
#
# Replaces the engine's exitbox-squid container. lib.sh describes the fixture.
#
# Usage: bench/allowlist-reload.sh [--quick] [--runs N]
# Environment: see lib.sh.

set -u
source "$(dirname "$0")/lib.sh"
bench_parse_args "$@"

apply_program="$build_dir/bench/apply-allowlist"
bench_require_program "$apply_program"

bench_fixture_start
bench_warm_up

poller=exitbox-bench-poll
transfer=exitbox-bench-transfer
bench_track_container "$poller"
bench_track_container "$transfer"
proxy=$(bench_proxy_address)
[ -n "$proxy" ] || bench_fail "the proxy container has no address on exitbox-int"
blob_sum=$(sha256sum "$bench_www/blob.bin" | cut -d' ' -f1)

# Runs in the poller container. Each line of /out/poll.log is
# "HTTP_STATUS REALTIME_US", and curl prints 000 when it got no response.
poll_script='i=0
while [ "$i" -lt 200 ]; do
  code=$(curl -s -o /dev/null -w "%{http_code}" --connect-timeout 1 --max-time 2 http://added.example.test/)
  echo "$code $(date +%s%6N)" >>/out/poll.log
  [ "$code" = 200 ] && exit 0
  i=$((i + 1))
  sleep 0.01
done
exit 1'

transfer_script='curl -s -o /out/blob.bin --limit-rate 1M --max-time 60 http://allowed.example.test/blob.bin
status=$?
date +%s%6N >/out/transfer-end
exit $status'

# agent_container NAME OUT SCRIPT: starts a detached container set up like
# an agent's (internal network only, no resolver, no capabilities, the
# proxy in http_proxy) with OUT mounted at /out.
agent_container() {
  "$bench_engine" rm --force "$1" >/dev/null 2>&1
  "$bench_engine" run --detach --name "$1" --network exitbox-int --dns 127.0.0.1 \
    --cap-drop=ALL --security-opt=no-new-privileges \
    --env "http_proxy=http://$proxy:3128" \
    --mount "type=bind,source=$2,destination=/out" \
    "$EXITBOX_BASE_IMAGE" sh -c "$3" >/dev/null \
    || bench_fail "could not start the container $1"
}

# wait_for_file FILE: waits up to 10 s, 20 ms apart, until FILE is not empty.
wait_for_file() {
  local tries

  for ((tries = 0; tries < 500; tries++)); do
    [ -s "$1" ] && return 0
    sleep 0.02
  done
  return 1
}

# wait_exit NAME SECONDS: prints the container's exit status, or
# "timed-out" when it did not end within SECONDS.
wait_exit() {
  timeout "$2" "$bench_engine" wait "$1" 2>/dev/null || echo timed-out
}

apply() {
  case "$1" in
    core) "$apply_program" --add added.example.test ;;
    launch) bench_exitbox shell -- true ;;
  esac
}

# measure METHOD: runs one measurement and appends its figures to the
# arrays named after METHOD.
measure() {
  local method="$1" out start applied passed status pass_line failed_polls transfer_end intact

  out=$(mktemp -d "$bench_work/run.XXXXXX")

  # Back to an allowlist without the name, applied without timing.
  bench_write_allowlist allowed.example.test
  "$apply_program" >/dev/null || bench_fail "reverting the allowlist failed"

  agent_container "$transfer" "$out" "$transfer_script"
  wait_for_file "$out/blob.bin" || bench_fail "the transfer did not start within 10 s"
  agent_container "$poller" "$out" "$poll_script"
  wait_for_file "$out/poll.log" || bench_fail "the poller made no request within 10 s"
  if [ "$(head -n 1 "$out/poll.log" | cut -d' ' -f1)" = 200 ]; then
    bench_fail "added.example.test was allowed before the change; the revert did not take effect"
  fi

  # The core method adds the name itself, through the core's in-place edit.
  [ "$method" = core ] || bench_write_allowlist allowed.example.test added.example.test
  bench_now_us start
  apply "$method" </dev/null >"$out/apply.log" 2>&1 || {
    cat "$out/apply.log" >&2
    bench_fail "applying the allowlist ($method) failed"
  }
  bench_now_us applied

  status=$(wait_exit "$poller" 30)
  pass_line=$(grep -m1 '^200 ' "$out/poll.log")
  if [ "$status" != 0 ] || [ -z "$pass_line" ]; then
    bench_fail "added.example.test was still blocked after $(wc -l <"$out/poll.log") requests ($method; poller: $status)"
  fi
  passed=${pass_line#200 }
  failed_polls=$(awk -v start="$start" '$2 >= start && $1 != 200 { n++ } END { print n + 0 }' "$out/poll.log")

  status=$(wait_exit "$transfer" 70)
  transfer_end=$(cat "$out/transfer-end" 2>/dev/null || echo 0)
  if [ "$status" = 0 ] && [ "$(sha256sum "$out/blob.bin" | cut -d' ' -f1)" = "$blob_sum" ]; then
    intact=1
  else
    intact=0
    bench_log "the transfer during the $method reload was not intact (curl: $status)"
  fi
  [ "$transfer_end" -gt "$applied" ] || bench_log "note: the transfer ended before the $method apply returned"

  "$bench_engine" rm --force "$poller" "$transfer" >/dev/null 2>&1

  local -n latencies="${method}_latencies" durations="${method}_durations"
  local -n intact_runs="${method}_intact" overlapping_runs="${method}_overlapping"
  local -n failed="${method}_failed_polls"
  latencies+=($((passed - start)))
  durations+=($((applied - start)))
  intact_runs=$((intact_runs + intact))
  overlapping_runs=$((overlapping_runs + (transfer_end > applied)))
  failed+=("$failed_polls")
}

methods=(core launch)
for method in "${methods[@]}"; do
  declare -a "${method}_latencies=()" "${method}_durations=()" "${method}_failed_polls=()"
  declare "${method}_intact=0" "${method}_overlapping=0"
done

for _ in $(seq "$BENCH_RUNS"); do
  for method in "${methods[@]}"; do
    measure "$method"
  done
done

summary=()
for method in "${methods[@]}"; do
  declare -n latencies="${method}_latencies" durations="${method}_durations"
  declare -n intact_runs="${method}_intact" overlapping_runs="${method}_overlapping"
  declare -n failed="${method}_failed_polls"

  echo "$method: apply to first 200: $(bench_stats_ms "${latencies[@]}")"
  echo "$method: apply command alone: $(bench_stats_ms "${durations[@]}")"
  echo "$method: requests blocked after the apply started: $(bench_stats "${failed[@]}")"
  echo "$method: transfer intact in $intact_runs of $BENCH_RUNS runs; still running when the apply returned in $overlapping_runs"
  summary+=("$method $(bench_ms "$(bench_median "${latencies[@]}")") ms, transfer intact $intact_runs/$BENCH_RUNS")
  unset -n latencies durations intact_runs overlapping_runs failed
done

bench_summary "allowlist change to enforcement: ${summary[0]}; ${summary[1]} (budget ≤ 300 ms, transfer completes)"
