#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# The exitbox command's argument handling and the commands that need no
# container engine, against real files in a temporary folder. None of the
# commands here starts the engine. Prints TAP.
# Usage: test-cli.sh EXITBOX

set -u

exitbox_bin=$(realpath "$1")
work=$(mktemp -d "${TMPDIR:-/tmp}/exitbox-test-cli.XXXXXX")
trap 'rm -rf "$work"' EXIT
export EXITBOX_CONFIG_DIR="$work/config"
export EXITBOX_CACHE_DIR="$work/cache"

test_number=0
failures=0

result() {
  test_number=$((test_number + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $test_number - $2"
  else
    failures=$((failures + 1))
    echo "not ok $test_number - $2"
    printf '%s\n' "${3:-}" | sed 's/^/# /'
  fi
}

# expect_status NAME STATUS TEXT ARGS...: the command exits with STATUS and
# its combined output contains TEXT.
expect_status() {
  local name="$1" status="$2" text="$3"
  shift 3
  local output actual
  output=$("$exitbox_bin" "$@" 2>&1)
  actual=$?
  if [ "$actual" -eq "$status" ] && grep -qF -- "$text" <<<"$output"; then
    result 0 "$name"
  else
    result 1 "$name" "exit status $actual (expected $status); output: $output"
  fi
}

echo "1..45"

expect_status "version prints package version" 0 "exitbox " --version
expect_status "help lists shell command" 0 "exitbox [OPTION…] shell" --help
expect_status "unknown agent is rejected" 2 "Unknown command or agent “gemini”" gemini
expect_status "unknown option is rejected" 2 "Unknown option “--frobnicate”" --frobnicate claude
expect_status "run without agent is rejected" 2 "“run” needs an agent name" run
expect_status "shell command needs separator" 2 "exitbox shell -- ls" shell ls
expect_status "shell option after command" 2 "options go before “shell”" shell -r -- true
expect_status "list rejects arguments" 2 "“list” takes no arguments" list foo
expect_status "help lists allowlist commands" 0 "exitbox allowlist add ENTRY [--category NAME]" --help
expect_status "allowlist needs action" 2 "“allowlist” needs an action" allowlist
expect_status "allowlist add needs entry" 2 "“allowlist add” needs an entry" allowlist add

# First run writes the defaults; enabling Codex edits only that value.
expect_status "enable codex edits config" 0 "Enabled Codex" enable codex
config="$EXITBOX_CONFIG_DIR/config.yaml"
if grep -A1 '^  codex:' "$config" | grep -q 'enabled: true' \
   && grep -q '^# ExitBox configuration.' "$config" \
   && [ "$(stat -c %a "$config")" = 600 ]; then
  result 0 "enable keeps comments and mode"
else
  result 1 "enable keeps comments and mode" "$(cat "$config")"
fi

# A file that fails to parse is reported and left as it is.
printf 'agents: [unclosed\n' > "$config"
before=$(sha256sum "$config")
expect_status "broken config names line" 1 "config.yaml:" disable codex
if [ "$(sha256sum "$config")" = "$before" ]; then
  result 0 "broken config is left untouched"
else
  result 1 "broken config is left untouched" "$(cat "$config")"
fi

# Allowlist edits change only the lines of the entries.
allowlist="$EXITBOX_CONFIG_DIR/allowlist.yaml"
printf '# Mine.\nversion: 1\n\ndevelopment:\n  - github.com  # code\n\ncustom: []\n' > "$allowlist"
expect_status "allowlist add writes canonical" 0 "Added example.com:8443 to the category “custom”" \
  allowlist add '*.Example.COM:8443'
expected=$(printf '# Mine.\nversion: 1\n\ndevelopment:\n  - github.com  # code\n\ncustom:\n  - example.com:8443\n')
if [ "$(cat "$allowlist")" = "$expected" ] && [ "$(stat -c %a "$allowlist")" = 600 ]; then
  result 0 "allowlist add keeps other lines"
else
  result 1 "allowlist add keeps other lines" "$(cat "$allowlist")"
fi
expect_status "allowlist add notes next launch" 0 "next launch" allowlist add pypi.org --category development
expect_status "allowlist add duplicate is no-op" 0 "already allowed" allowlist add GitHub.com
expect_status "allowlist add rejects invalid entry" 1 "“exa mple.com” is not a valid allowlist entry" \
  allowlist add 'exa mple.com'
expect_status "allowlist list shows entries" 0 "  example.com:8443" allowlist list
expect_status "allowlist remove equal entry" 0 "Removed example.com:8443 from “custom”" \
  allowlist remove 'EXAMPLE.com.:8443'
expect_status "allowlist remove absent entry" 1 "No category of $allowlist contains example.com" \
  allowlist remove example.com

# The firewall commands read allowlist.yaml, the session records and the
# access log; check and log need no engine and send nothing.
expect_status "help lists firewall commands" 0 "exitbox firewall check HOST[:PORT]" --help
expect_status "firewall needs action" 2 "“firewall” needs an action" firewall
expect_status "firewall rejects unknown action" 2 "Unknown firewall action “open”" firewall open
expect_status "firewall check allows listed name" 0 \
  "CONNECT api.github.com:443: allowed by the allowlist entry “github.com”" firewall check api.github.com
expect_status "firewall check denies other port" 1 "HTTP github.com:8080: denied by" \
  firewall check github.com:8080
expect_status "firewall check denies metadata" 1 "exitbox_link_local" firewall check 169.254.169.254
expect_status "firewall check rejects invalid host" 2 "“exa mple.com” is not a valid allowlist entry" \
  firewall check 'exa mple.com'
sessions_dir="$EXITBOX_CACHE_DIR/proxy/sessions"
mkdir -p "$sessions_dir" "$EXITBOX_CACHE_DIR/proxy/logs"
printf '[Session]\nAddress=10.89.1.254\nOwnerPid=0\nEntries=session.example.test;\n' \
  > "$sessions_dir/exitbox-shell-x-0000000a.session"
printf '10.89.0.1\n' > "$EXITBOX_CACHE_DIR/proxy/host-gateways"
expect_status "firewall check denies host gateway" 1 "exitbox_host_gateway" firewall check 10.89.0.1:8080
expect_status "firewall check names session rule" 1 \
  "but allowed for session exitbox-shell-x-0000000a (10.89.1.254)" firewall check session.example.test
printf '%s\n' '1733355555.000 10.89.1.254 TCP_DENIED/403 CONNECT blocked.example.test 443' \
  '1733355556.000 10.89.1.9 TCP_TUNNEL/200 CONNECT github.com 443' \
  '1733355557.000 10.89.1.9 TCP_DENIED/403 GET other.example.test 80' \
  > "$EXITBOX_CACHE_DIR/proxy/logs/access.log"
output=$("$exitbox_bin" firewall log 2>&1)
if grep -q '  exitbox-shell-x-0000000a  CONNECT blocked.example.test:443$' <<<"$output" \
   && grep -q '  10.89.1.9  GET other.example.test:80$' <<<"$output" && ! grep -q github <<<"$output"; then
  result 0 "firewall log lists blocked requests"
else
  result 1 "firewall log lists blocked requests" "$output"
fi
expect_status "firewall log rejects argument" 2 "It takes only -f/--follow" firewall log --all

# log -f prints a request appended while it runs, and stops on SIGTERM.
"$exitbox_bin" firewall log -f >"$work/follow.out" 2>&1 &
follow_pid=$!
sleep 0.5
printf '%s\n' '1733355600.000 10.89.1.9 TCP_DENIED/403 CONNECT followed.example.test 443' \
  >> "$EXITBOX_CACHE_DIR/proxy/logs/access.log"
for _ in $(seq 50); do
  grep -q 'followed.example.test' "$work/follow.out" && break
  sleep 0.1
done
kill -TERM "$follow_pid"
wait "$follow_pid"
status=$?
if [ $status -eq 0 ] && grep -q 'CONNECT followed.example.test:443$' "$work/follow.out"; then
  result 0 "firewall log follows new requests"
else
  result 1 "firewall log follows new requests" "exit status $status; output: $(cat "$work/follow.out")"
fi
rm -rf "$EXITBOX_CACHE_DIR/proxy"

# Without the file every destination is blocked, and nothing creates it.
rm "$allowlist"
expect_status "allowlist list reports missing" 1 "every destination is blocked" allowlist list
expect_status "allowlist add refuses missing file" 1 "is missing" allowlist add example.com
if [ ! -e "$allowlist" ]; then
  result 0 "allowlist add creates no file"
else
  result 1 "allowlist add creates no file" "$(cat "$allowlist")"
fi

# Deprecated tool names are migrated when the file is read, and the user
# gets a notice, while the file stays as written.
printf 'version: 1\ntools:\n  user: [node]\n' > "$EXITBOX_CONFIG_DIR/config.yaml"
expect_status "config migration is reported" 0 "“node” is now “nodejs”" list

# The home folder and "/" are refused before any engine is involved.
mkdir -p "$work/home"
output=$(cd "$work/home" && HOME="$work/home" "$exitbox_bin" shell -- true 2>&1)
status=$?
if [ $status -eq 1 ] && grep -qF "cannot be the project" <<<"$output" && grep -qF -- "--force" <<<"$output"; then
  result 0 "home folder is refused"
else
  result 1 "home folder is refused" "exit status $status; output: $output"
fi
output=$(cd / && "$exitbox_bin" shell -- true 2>&1)
status=$?
if [ $status -eq 1 ] && grep -qF "The root folder" <<<"$output"; then
  result 0 "root folder is refused"
else
  result 1 "root folder is refused" "exit status $status; output: $output"
fi

# Without a terminal, setup only writes the default files when they are
# missing, and leaves existing files alone.
setup_dir="$work/setup-config"
output=$(EXITBOX_CONFIG_DIR="$setup_dir" "$exitbox_bin" setup </dev/null 2>&1)
status=$?
if [ $status -eq 0 ] && grep -qF "Wrote the default configuration" <<<"$output"; then
  result 0 "setup without terminal writes defaults"
else
  result 1 "setup without terminal writes defaults" "exit status $status; output: $output"
fi
if [ -f "$setup_dir/config.yaml" ] && [ -f "$setup_dir/allowlist.yaml" ]; then
  result 0 "setup creates both files"
else
  result 1 "setup creates both files" "$(ls -la "$setup_dir" 2>&1)"
fi
printf '# my note\nversion: 1\nroles: [backend]\n' > "$setup_dir/config.yaml"
before=$(cat "$setup_dir/config.yaml" "$setup_dir/allowlist.yaml" | sha256sum)
output=$(EXITBOX_CONFIG_DIR="$setup_dir" "$exitbox_bin" setup </dev/null 2>&1)
status=$?
if [ $status -eq 0 ] && grep -qF "was not changed" <<<"$output"; then
  result 0 "setup without terminal keeps files"
else
  result 1 "setup without terminal keeps files" "exit status $status; output: $output"
fi
after=$(cat "$setup_dir/config.yaml" "$setup_dir/allowlist.yaml" | sha256sum)
if [ "$before" = "$after" ]; then
  result 0 "setup leaves existing files unchanged"
else
  result 1 "setup leaves existing files unchanged" "$(cat "$setup_dir/config.yaml")"
fi

exit $((failures > 0))
