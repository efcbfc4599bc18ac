#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Runs the whole test suite on a Debian 12 machine, as root. It installs the
# packages, builds with warnings as errors and runs the unit and desktop
# tests under Xvfb and D-Bus. It runs the core tests again under
# AddressSanitizer and UndefinedBehaviorSanitizer, and fuzzes the YAML
# loaders and the allowlist entry grammar for a bounded time. Then it runs the
# end-to-end suite against real podman, rootful as root and rootless as the
# user exitbox-ci (created if needed). Ends with one line "N passed, N failed".
#
# Changes to the machine: installs packages, writes podman's engine
# configuration through `exitbox doctor --fix`, creates the user exitbox-ci
# and grants it /dev/net/tun, and creates exitbox-* images, networks and
# containers in both engines' storage.

set -u

if [ "$(id -u)" -ne 0 ]; then
  echo "run-tests: run this as root (sudo tools/run-tests.sh): it tests rootful podman and creates a test user" >&2
  exit 2
fi

source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir="${EXITBOX_BUILD_DIR:-$source_dir/_build/ci}"
asan_dir="$build_dir-sanitize"
fuzz_dir="$build_dir-fuzz"
stage=/var/tmp/exitbox-ci
results="$build_dir/results"
test_user=exitbox-ci

step() { printf '\n=== %s\n' "$*"; }

step "Installing packages"
"$source_dir/tools/install-deps.sh" --tests || exit 1

step "Building"
if [ ! -f "$build_dir/build.ninja" ]; then
  meson setup "$build_dir" "$source_dir" -Dwerror=true || exit 1
fi
meson compile -C "$build_dir" || exit 1

if [ ! -f "$asan_dir/build.ninja" ]; then
  meson setup "$asan_dir" "$source_dir" -Dwerror=true -Dapp=false \
    -Db_sanitize=address,undefined -Db_lundef=false || exit 1
fi
meson compile -C "$asan_dir" || exit 1

if [ ! -f "$fuzz_dir/build.ninja" ]; then
  CC=clang meson setup "$fuzz_dir" "$source_dir" -Dwerror=true -Dapp=false -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false || exit 1
fi
meson compile -C "$fuzz_dir" fuzz-allowlist-entry fuzz-yaml-loaders || exit 1

rm -rf "$results"
mkdir -p "$results"

step "Unit, data and desktop tests"
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  meson test -C "$build_dir" --no-suite e2e --print-errorlogs
cp "$build_dir/meson-logs/testlog.json" "$results/unit.json"

step "Core tests under AddressSanitizer and UndefinedBehaviorSanitizer"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  meson test -C "$asan_dir" --suite core --print-errorlogs
cp "$asan_dir/meson-logs/testlog.json" "$results/sanitize.json"

step "Fuzzing the YAML loaders and the entry grammar (libFuzzer, ${EXITBOX_FUZZ_SECONDS:-60} s each)"
meson test -C "$fuzz_dir" --suite fuzz --no-rebuild --print-errorlogs
cp "$fuzz_dir/meson-logs/testlog.json" "$results/fuzz.json"

step "Preparing the end-to-end run"
# Everything the rootless user runs must be readable outside this checkout.
rm -rf "$stage/bin"
install -d -m 0755 "$stage" "$stage/bin" "$stage/artifacts"
install -m 0755 "$build_dir/src/cli/exitbox" "$source_dir/tests/e2e/run-e2e.sh" \
  "$source_dir/tools/make-base-image.sh" "$stage/bin/"
app_test=
if [ -x "$build_dir/tests/app/test-session" ]; then
  install -m 0755 "$build_dir/tests/app/test-session" "$stage/bin/"
  app_test="$stage/bin/test-session"
fi
chmod 0777 "$stage/artifacts"

base_image=localhost/exitbox-debian:bookworm
tarball="$stage/debian-bookworm.tar"

step "End-to-end, rootful podman"
"$stage/bin/make-base-image.sh" --rootfs-tarball "$tarball" "$base_image" || exit 1
chmod 0644 "$tarball"
EXITBOX_BASE_IMAGE="$base_image" "$stage/bin/exitbox" doctor --fix --yes
EXITBOX_BIN="$stage/bin/exitbox" EXITBOX_BASE_IMAGE="$base_image" \
  EXITBOX_APP_TEST="$app_test" EXITBOX_E2E_ARTIFACTS="$stage/artifacts" \
  "$stage/bin/run-e2e.sh" 2>"$results/e2e-rootful.log" | tee "$results/e2e-rootful.tap"

step "End-to-end, rootless podman as $test_user"
id "$test_user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$test_user"
test_uid=$(id -u "$test_user")
runtime_dir="/run/user/$test_uid"
# /run may survive from an earlier run without the processes it names, and
# rootless podman then refuses to start. Begin as after a reboot: nothing of
# this test-only account running and an empty runtime folder.
pkill -KILL -u "$test_user" 2>/dev/null
for _ in 1 2 3 4 5 6 7 8 9 10; do
  pgrep -u "$test_user" >/dev/null || break
  sleep 0.5
done
rm -rf "$runtime_dir"
install -d -m 0700 -o "$test_user" -g "$test_user" "$runtime_dir"
# slirp4netns opens /dev/net/tun for rootless networking.
setfacl -m "u:$test_user:rw" /dev/net/tun

# The checkout may sit in a folder the test user cannot enter, so its
# commands start in /.
as_test_user() {
  cd / || return 1
  runuser -u "$test_user" -- env -i \
    HOME="/home/$test_user" USER="$test_user" LOGNAME="$test_user" \
    PATH=/usr/local/bin:/usr/bin:/bin XDG_RUNTIME_DIR="$runtime_dir" LANG=C.UTF-8 \
    "$@"
}

# Storage must be on overlay before the first image lands in it, because vfs
# copies every image on each container start. The doctor's fix sets it and
# resets the storage, but only while the storage is empty. This account
# exists only for these tests, so it starts from an empty storage.
as_test_user podman system reset --force >/dev/null 2>&1
as_test_user "$stage/bin/exitbox" doctor --fix --yes
as_test_user "$stage/bin/make-base-image.sh" --rootfs-tarball "$tarball" "$base_image" || exit 1
as_test_user EXITBOX_BASE_IMAGE="$base_image" "$stage/bin/exitbox" doctor --fix --yes
as_test_user EXITBOX_BIN="$stage/bin/exitbox" EXITBOX_BASE_IMAGE="$base_image" \
  EXITBOX_E2E_ARTIFACTS="$stage/artifacts" \
  "$stage/bin/run-e2e.sh" 2>"$results/e2e-rootless.log" | tee "$results/e2e-rootless.tap"

step "Benchmarks, quick run (figures only; a failure does not fail the suite)"
EXITBOX_BUILD_DIR="$build_dir" EXITBOX_BIN="$build_dir/src/cli/exitbox" EXITBOX_BASE_IMAGE="$base_image" \
  BENCH_RESULTS_DIR="$results/bench" "$source_dir/bench/run-all.sh" --quick 2>&1 | tee "$results/bench-quick.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || echo "run-tests: the quick benchmark run failed; see $results/bench-quick.txt"

step "Summary"
python3 "$source_dir/tools/summarize-tests.py" \
  "$results/unit.json" "$results/sanitize.json" "$results/fuzz.json" \
  "$results/e2e-rootful.tap" "$results/e2e-rootless.tap" | tee "$results/summary.txt"

tail -n 1 "$results/summary.txt" | grep -q ", 0 failed" && exit 0
exit 1
