#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Allowlist scale: how long the core takes to parse and normalise an
# allowlist of 1,000, 10,000 and 100,000 entries and generate squid.conf
# from it (bench/allowlist-scale.c), and whether Squid accepts the
# configuration generated for 10,000 entries (`squid -k parse`).
#
# Usage: bench/allowlist-scale.sh [--quick] [--runs N]
# Environment: see lib.sh.

set -u
source "$(dirname "$0")/lib.sh"
bench_parse_args "$@"

program="$build_dir/bench/allowlist-scale"
bench_require_program "$program"

work=$(mktemp -d "${TMPDIR:-/tmp}/exitbox-bench-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT
config="$work/squid-10000.conf"

"$program" --runs "$BENCH_RUNS" --write-config "10000:$config" 1000 10000 100000 | tee "$work/output" \
  || bench_fail "allowlist-scale failed"

# "result: entries=N total_median_ms=T per_entry_us=P"
results=$(sed -n 's/^result: //p' "$work/output")
growth=$(awk '{ split($1, e, "="); split($3, p, "="); printf "%s%s: %s us", sep, e[2], p[2]; sep = ", " }' <<<"$results")
at_10000=$(awk '$1 == "entries=10000" { split($2, t, "="); print t[2] }' <<<"$results")

if command -v squid >/dev/null; then
  if bench_time parse_us squid -k parse -f "$config" >"$work/parse.log" 2>&1; then
    parse="accepted by squid -k parse ($(squid -v | sed -n '1s/.*Version \([^ ]*\).*/Squid \1/p'), $(bench_ms "$parse_us") ms)"
  else
    tail -20 "$work/parse.log" >&2
    bench_fail "squid -k parse rejected the configuration generated for 10,000 entries"
  fi
else
  parse="not checked: squid is not installed"
fi
echo "squid.conf for 10,000 entries: $parse"

bench_summary "allowlist scale: ${at_10000} ms at 10,000 entries (budget < 100 ms); per entry $growth; 10,000-entry squid.conf $parse"
