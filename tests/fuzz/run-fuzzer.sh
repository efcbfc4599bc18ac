#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Runs one libFuzzer target for a bounded time, starting from the seed
# corpus in the repository, and prints the result as TAP. New inputs go to a
# temporary folder, never into the repository, and a crashing input is kept in
# the build folder.
# Usage: run-fuzzer.sh FUZZER SEED-FOLDER
# Environment: EXITBOX_FUZZ_SECONDS (default 60)

set -u

fuzzer="$1"
seeds="$2"
name=$(basename "$fuzzer")
seconds="${EXITBOX_FUZZ_SECONDS:-60}"
work=$(mktemp -d "${TMPDIR:-/tmp}/exitbox-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts="$(dirname "$fuzzer")/artifacts/"
mkdir -p "$work/corpus" "$artifacts"

echo "1..1"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts" "$work/corpus" "$seeds" >"$work/log" 2>&1
status=$?
runs=$(grep -o 'Done [0-9]* runs' "$work/log" | tail -n 1)

if [ "$status" -eq 0 ]; then
  echo "ok 1 - $name for ${seconds} s: ${runs:-no summary}"
else
  echo "not ok 1 - $name exited with $status; crashing inputs are in $artifacts"
  tail -n 60 "$work/log" | sed 's/^/# /'
fi
exit $((status != 0))
