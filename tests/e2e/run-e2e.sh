#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# End-to-end tests: a real engine, a real Squid proxy, real images built on a
# local Debian base image, and an upstream HTTP server container on the egress
# network. Prints TAP. It tests the calling user's engine: rootful podman
# when run as root, rootless podman when run as another user.
#
# Environment:
#   EXITBOX_BIN          the exitbox executable (required)
#   EXITBOX_BASE_IMAGE   a local Debian image to build on (required; see tools/make-base-image.sh)
#   EXITBOX_APP_TEST     the desktop session test program (optional; skipped when unset)
#   EXITBOX_E2E_ARTIFACTS  folder for screenshots and logs (default: the temporary folder)
#
# HOME points at a fake home folder inside the work folder, so the import of
# the agents' host configuration reads only files the tests wrote.
#
# The tests replace the engine's exitbox-squid container and create the
# exitbox-int and exitbox-egress networks when missing; run them on a test
# machine, not next to sessions you care about. All traffic stays on this
# machine: loopback and the networks the tests use.

set -u

: "${EXITBOX_BIN:?set EXITBOX_BIN to the exitbox executable}"
: "${EXITBOX_BASE_IMAGE:?set EXITBOX_BASE_IMAGE to a local base image}"

engine=podman
work=$(mktemp -d "${TMPDIR:-/tmp}/exitbox-e2e.XXXXXX")
artifacts="${EXITBOX_E2E_ARTIFACTS:-$work}"
project="$work/my project: a,b"
upstream=exitbox-e2e-upstream
server_pid=

# ExitBox's own folders move; the XDG variables stay, because rootless podman
# finds its storage and configuration through them.
export EXITBOX_CONFIG_DIR="$work/config"
export EXITBOX_CACHE_DIR="$work/cache"
export EXITBOX_DATA_DIR="$work/data"
export EXITBOX_BASE_IMAGE

# The agents' host configuration is imported from a fake home folder, so the
# tests see a known tree and never read the real one. Rootless podman finds
# its own files through the XDG variables, which keep their real values.
real_home="$HOME"
fake_home="$work/home"
if [ "$(id -u)" -ne 0 ]; then
  export XDG_CONFIG_HOME="${XDG_CONFIG_HOME:-$real_home/.config}"
  export XDG_DATA_HOME="${XDG_DATA_HOME:-$real_home/.local/share}"
fi
export HOME="$fake_home"

test_number=0
failures=0

ok() {
  test_number=$((test_number + 1))
  echo "ok $test_number - $1"
}

not_ok() {
  test_number=$((test_number + 1))
  failures=$((failures + 1))
  echo "not ok $test_number - $1"
  shift
  for line in "$@"; do
    printf '%s\n' "$line" | sed 's/^/# /'
  done
}

# check NAME COMMAND...: passes when COMMAND exits 0.
check() {
  local name="$1"
  shift
  if "$@"; then ok "$name"; else not_ok "$name" "command failed: $*"; fi
}

# The link-local and IPv6 checks' own network and upstream; removed even
# when the script stops early.
linklocal_net=exitbox-e2e-linklocal
ula_net=exitbox-e2e-ula
linklocal_upstream=exitbox-e2e-linklocal-upstream
cleanup_linklocal() {
  "$engine" network disconnect --force "$linklocal_net" exitbox-squid >/dev/null 2>&1
  "$engine" rm --force "$linklocal_upstream" >/dev/null 2>&1
  "$engine" network rm --force "$linklocal_net" >/dev/null 2>&1
  "$engine" network rm --force "$ula_net" >/dev/null 2>&1
}

cleanup() {
  cleanup_linklocal
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  "$engine" rm --force "$upstream" >/dev/null 2>&1
  "$engine" rm --force exitbox-squid >/dev/null 2>&1
  # The build context and caches hold copies of images' inputs; the images stay.
  rm -rf "$work/cache" "$work/bucket"
}
trap cleanup EXIT

exitbox() {
  (cd "$project" && "$EXITBOX_BIN" "$@")
}

# --- Fixtures --------------------------------------------------------------

mkdir -p "$project" "$work/bucket"

# Host configuration for the first-use import, with modes wider than the
# managed copies may have.
mkdir -p "$fake_home/.claude/hooks"
printf 'My own rules.\n' > "$fake_home/.claude/CLAUDE.md"
printf '{"theme": "dark"}\n' > "$fake_home/.claude/settings.json"
printf '#!/bin/sh\nexit 0\n' > "$fake_home/.claude/hooks/check.sh"
printf '{"numStartups": 1}\n' > "$fake_home/.claude.json"
chmod 755 "$fake_home/.claude" "$fake_home/.claude/hooks" "$fake_home/.claude/hooks/check.sh"
chmod 644 "$fake_home/.claude.json" "$fake_home/.claude/settings.json" "$fake_home/.claude/CLAUDE.md"
host_snapshot() {
  (cd "$fake_home" && find .claude .claude.json -printf '%p %m %s %T@\n' | sort \
     && find .claude .claude.json -type f | sort | xargs cat)
}
host_before=$(host_snapshot)

# A release bucket on loopback with a stub agent, laid out like the vendor's.
make_bucket() {
  local version="$1" checksum="$2"
  local dir="$work/bucket/$version/linux-x64"
  mkdir -p "$dir"
  cat > "$dir/claude" <<'STUB'
#!/bin/sh
case "${1:-}" in
  --version) echo "9.9.9 (Claude Code stub)" ;;
  show-notice) cat "$HOME/.claude/CLAUDE.md" ;;
  *) echo "Claude Code stub 9.9.9 ready; arguments: $*" ;;
esac
STUB
  [ "$checksum" = correct ] && checksum=$(sha256sum "$dir/claude" | cut -d' ' -f1)
  printf '{"version": "%s", "platforms": {"linux-x64": {"checksum": "%s", "size": 1}}}\n' \
    "$version" "$checksum" > "$work/bucket/$version/manifest.json"
  printf '%s\n' "$version" > "$work/bucket/latest"
}

# GitHub-style release metadata for Codex and OpenCode, with stub binaries
# packed the way each project packs them (OpenCode's member as "./opencode").
make_github_release() {
  local agent="$1" tag="$2" asset="$3" member="$4" version="$5" digest="${6:-yes}"
  local dir="$work/bucket/github/$agent"
  mkdir -p "$dir/pack"
  # "serve-login" plays Codex's login server on 127.0.0.1:1455 inside the
  # container until /workspace/login-done appears (at most 120 s).
  cat > "$dir/pack/${member#./}" <<STUB
#!/bin/sh
if [ "\${1:-}" = serve-login ]; then
  mkdir -p /tmp/login && echo "$agent login callback" > /tmp/login/index.html
  busybox httpd -p 127.0.0.1:1455 -h /tmp/login || exit 1
  i=0
  while [ ! -e /workspace/login-done ] && [ \$i -lt 1200 ]; do sleep 0.1; i=\$((i + 1)); done
  exit 0
fi
echo "$version ($agent stub)"
STUB
  chmod 755 "$dir/pack/${member#./}"
  tar -C "$dir/pack" -czf "$dir/$asset" "$member"
  local checksum
  checksum=$(sha256sum "$dir/$asset" | cut -d' ' -f1)
  if [ "$digest" = yes ]; then digest=", \"digest\": \"sha256:$checksum\""; else digest=""; fi
  printf '{"tag_name": "%s", "assets": [{"name": "%s", "browser_download_url": "%s"%s}]}\n' \
    "$tag" "$asset" "http://127.0.0.1:$port/github/$agent/$asset" "$digest" > "$dir/latest.json"
}

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$work/bucket" "$port" >"$work/bucket-server.log" 2>&1 &
server_pid=$!
export EXITBOX_CLAUDE_DIST_URL="http://127.0.0.1:$port"
export EXITBOX_CODEX_RELEASE_URL="http://127.0.0.1:$port/github/codex/latest.json"
export EXITBOX_OPENCODE_RELEASE_URL="http://127.0.0.1:$port/github/opencode/latest.json"
# Publishers the tests do not serve point at the loopback server too, so a
# lookup that reaches them fails there instead of leaving the machine.
for variable in EXITBOX_CLAUDE_INSTALL_SCRIPT_URL EXITBOX_GO_RELEASES_URL \
                EXITBOX_GOLANGCI_LINT_RELEASE_URL EXITBOX_KUBECTL_RELEASE_URL \
                EXITBOX_HELM_RELEASE_URL EXITBOX_HELM_DOWNLOAD_URL EXITBOX_OPENTOFU_RELEASE_URL \
                EXITBOX_DOCKER_COMPOSE_RELEASE_URL EXITBOX_GRADLE_VERSION_URL \
                EXITBOX_RUSTUP_DIST_URL EXITBOX_FLUTTER_RELEASES_URL; do
  export "$variable=http://127.0.0.1:$port/not-served"
done

for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done

# First run writes the default files; then the test's allowlist replaces them.
"$EXITBOX_BIN" list >/dev/null 2>&1
# No development profile at first, so the project layer installs nothing;
# the profile tests below add the small "shell" profile.
sed -i '/^profiles:$/{N;s/^profiles:\n  - base$/profiles: []/}' "$EXITBOX_CONFIG_DIR/config.yaml"
cat > "$EXITBOX_CONFIG_DIR/allowlist.yaml" <<'YAML'
version: 1
custom:
  - allowed.example.test
  - port.example.test:8080
YAML

# The agent layers must be built during this run, so that the tests see the
# install of this run's stub agent. The base layer may be reused.
"$engine" images --format '{{.Repository}}:{{.Tag}}' \
  | grep -E '^(localhost/)?exitbox-(claude|codex|opencode)-' \
  | xargs -r "$engine" rmi --force >/dev/null 2>&1

# The upstream server sits on the egress network under two names; Squid
# resolves them through that network's own DNS server at its gateway.
"$engine" rm --force exitbox-squid "$upstream" >/dev/null 2>&1
"$engine" network exists exitbox-egress 2>/dev/null || "$engine" network create exitbox-egress >/dev/null
gateway=$("$engine" network inspect exitbox-egress --format '{{range .Subnets}}{{.Gateway}}{{end}}')
export EXITBOX_SQUID_DNS="$gateway"
mkdir -p "$work/www"
echo "hello from upstream" > "$work/www/index.html"
# A CGI program that sends 24 pieces of 256 KiB one second apart, so that
# a download spans a proxy reload however fast the network is.
mkdir -p "$work/www/cgi-bin"
cat > "$work/www/cgi-bin/slow" <<'CGI'
#!/bin/sh
printf 'Content-Type: application/octet-stream\r\n\r\n'
i=0
while [ $i -lt 24 ]; do
  head -c 262144 /dev/zero
  sleep 1
  i=$((i + 1))
done
CGI
chmod 0755 "$work/www/cgi-bin/slow"
chmod -R a+rX "$work/www"
"$engine" run --detach --name "$upstream" --network exitbox-egress \
  --network-alias allowed.example.test --network-alias blocked.example.test \
  --network-alias session.example.test --network-alias reload.example.test \
  --network-alias port.example.test --network-alias edit.example.test \
  --network-alias desktop-edit.example.test \
  --mount "type=bind,source=$work/www,destination=/www,readonly" \
  "$EXITBOX_BASE_IMAGE" sh -c 'busybox httpd -p 8080 -h /www && exec busybox httpd -f -p 80 -h /www' >/dev/null
upstream_address=$("$engine" inspect "$upstream" \
  --format '{{(index .NetworkSettings.Networks "exitbox-egress").IPAddress}}')

# The plan line comes at the end, where the number of checks is known.

# --- Images and the verified agent install -----------------------------------

make_bucket 9.9.9 0000000000000000000000000000000000000000000000000000000000000000
output=$(exitbox claude --version 2>&1)
if [ $? -ne 0 ] && grep -q "0000000000000000000000000000000000000000000000000000000000000000" <<<"$output" \
   && grep -q "SHA-256" <<<"$output"; then
  ok "claude install rejects wrong checksum"
else
  not_ok "claude install rejects wrong checksum" "$output"
fi

make_bucket 9.9.9 correct
output=$(exitbox claude --version 2>"$work/first-launch.log")
if [ "$output" = "9.9.9 (Claude Code stub)" ]; then
  ok "claude --version prints stub version"
else
  not_ok "claude --version prints stub version" "stdout: $output" "$(tail -20 "$work/first-launch.log")"
fi

output=$(exitbox run claude --version 2>"$work/warm-launch.log")
if [ "$output" = "9.9.9 (Claude Code stub)" ] && ! grep -q '^\[' "$work/warm-launch.log"; then
  ok "run claude reuses built images"
else
  not_ok "run claude reuses built images" "stdout: $output" "$(cat "$work/warm-launch.log")"
fi

# A new release in the bucket: a launch without -u checks nothing, and -u
# rebuilds the core and the project layer but not the base.
image_id() {
  "$engine" image inspect --format '{{.Id}}' "$1" 2>/dev/null
}
claude_project=$("$engine" images --format '{{.Repository}}' \
  | grep -E '^(localhost/)?exitbox-claude-my-project-a-b-' | head -1)
base_before=$(image_id exitbox-base)
core_before=$(image_id exitbox-claude-core)
project_before=$(image_id "$claude_project")
make_bucket 9.9.10 correct
exitbox claude --version >/dev/null 2>"$work/no-update.log"
if [ "$(image_id exitbox-claude-core)" = "$core_before" ] && ! grep -q '^\[' "$work/no-update.log"; then
  ok "launch without update checks nothing"
else
  not_ok "launch without update checks nothing" "$(cat "$work/no-update.log")"
fi
output=$(exitbox -u claude --version 2>"$work/update.log")
if [ "$output" = "9.9.9 (Claude Code stub)" ] && [ -n "$project_before" ] \
   && [ "$(image_id exitbox-base)" = "$base_before" ] \
   && [ "$(image_id exitbox-claude-core)" != "$core_before" ] \
   && [ "$(image_id "$claude_project")" != "$project_before" ] \
   && [ "$("$engine" image inspect --format '{{index .Labels "exitbox.agent.version"}}' exitbox-claude-core)" = 9.9.10 ]; then
  ok "update rebuilds core and project only"
else
  not_ok "update rebuilds core and project only" "stdout: $output" "$(tail -20 "$work/update.log")"
fi

# The release bucket moves: the configured one responds 404, and the install
# script on the stub server names the one that works, which is remembered.
printf '#!/bin/bash\nset -e\nGCS_BUCKET="http://127.0.0.1:%s"\n' "$port" > "$work/bucket/install.sh"
output=$(EXITBOX_CLAUDE_DIST_URL="http://127.0.0.1:$port/moved-away" \
         EXITBOX_CLAUDE_INSTALL_SCRIPT_URL="http://127.0.0.1:$port/install.sh" \
         exitbox -u claude --version 2>"$work/moved.log")
if [ "$output" = "9.9.9 (Claude Code stub)" ] \
   && grep -qx "http://127.0.0.1:$port" "$EXITBOX_CACHE_DIR/downloads/claude/discovered-dist-url"; then
  ok "moved bucket found through install script"
else
  not_ok "moved bucket found through install script" "stdout: $output" "$(tail -20 "$work/moved.log")"
fi

make_github_release codex rust-v0.46.0 codex-x86_64-unknown-linux-musl.tar.gz \
  codex-x86_64-unknown-linux-musl 0.46.0 no
"$EXITBOX_BIN" enable codex >/dev/null 2>&1
"$EXITBOX_BIN" enable opencode >/dev/null 2>&1
output=$(exitbox codex --version 2>&1)
if [ $? -ne 0 ] && grep -q "no SHA-256 digest" <<<"$output" \
   && ! "$engine" image exists exitbox-codex-core; then
  ok "codex without digest is not installed"
else
  not_ok "codex without digest is not installed" "$output"
fi
make_github_release codex rust-v0.46.0 codex-x86_64-unknown-linux-musl.tar.gz \
  codex-x86_64-unknown-linux-musl 0.46.0
output=$(exitbox codex --version 2>"$work/codex-launch.log")
if [ "$output" = "0.46.0 (codex stub)" ] \
   && [ "$("$engine" image inspect --format '{{index .Labels "exitbox.agent.version"}}' exitbox-codex-core)" = 0.46.0 ]; then
  ok "codex installs from release metadata"
else
  not_ok "codex installs from release metadata" "stdout: $output" "$(tail -20 "$work/codex-launch.log")"
fi
make_github_release opencode v0.15.3 opencode-linux-x64.tar.gz ./opencode 0.15.3
output=$(exitbox opencode --version 2>"$work/opencode-launch.log")
if [ "$output" = "0.15.3 (opencode stub)" ]; then
  ok "opencode installs from release metadata"
else
  not_ok "opencode installs from release metadata" "stdout: $output" "$(tail -20 "$work/opencode-launch.log")"
fi
output=$("$EXITBOX_BIN" list 2>&1)
check "list shows installed agent versions" grep -qE '^codex .*version 0\.46\.0' <<<"$output"
make_github_release codex rust-v0.47.0 codex-x86_64-unknown-linux-musl.tar.gz \
  codex-x86_64-unknown-linux-musl 0.47.0 no
output=$(exitbox --allow-unverified rebuild codex 2>&1)
status=$?
if [ $status -eq 0 ] && grep -q "WITHOUT verification" <<<"$output" \
   && [ "$(exitbox codex --version 2>/dev/null)" = "0.47.0 (codex stub)" ]; then
  ok "allow-unverified installs loudly"
else
  not_ok "allow-unverified installs loudly" "exit status $status" "$output"
fi
"$EXITBOX_BIN" disable codex >/dev/null 2>&1
"$EXITBOX_BIN" disable opencode >/dev/null 2>&1

# --- Profiles, tools and layer reuse ----------------------------------------------

project_image=$("$engine" images --format '{{.Repository}}' \
  | grep -E '^(localhost/)?exitbox-claude-my-project-a-b-' | head -1)
base_before=$(image_id exitbox-base)
core_before=$(image_id exitbox-claude-core)
project_before=$(image_id "$project_image")

exitbox claude profile add shell >/dev/null 2>&1
output=$(exitbox claude --version 2>"$work/profile-launch.log")
if [ "$output" = "9.9.9 (Claude Code stub)" ] && [ -n "$project_before" ] \
   && [ "$(image_id exitbox-base)" = "$base_before" ] \
   && [ "$(image_id exitbox-claude-core)" = "$core_before" ] \
   && [ "$(image_id "$project_image")" != "$project_before" ]; then
  ok "profile change rebuilds only project layer"
else
  not_ok "profile change rebuilds only project layer" "stdout: $output" "project image: $project_image" \
    "$(tail -20 "$work/profile-launch.log")"
fi
check "progress line shows elapsed time" grep -qE '^\[project\] Built .* in [0-9]+ s$' "$work/profile-launch.log"
output=$(exitbox shell -- rsync --version 2>/dev/null | head -1)
check "shell profile package installed" grep -q '^rsync' <<<"$output"
output=$(exitbox projects 2>&1)
if grep -qF "$project" <<<"$output" && grep -qE '^ +profiles: \+shell +built: .*claude 9\.9\.[0-9]+' <<<"$output"; then
  ok "projects lists profile changes and builds"
else
  not_ok "projects lists profile changes and builds" "$output"
fi
if ls "$EXITBOX_CACHE_DIR"/logs/build-exitbox-claude-my-project-a-b-*.log >/dev/null 2>&1; then
  ok "build writes log under cache logs"
else
  not_ok "build writes log under cache logs" "$(ls -R "$EXITBOX_CACHE_DIR/logs" 2>&1)"
fi

core_before=$(image_id exitbox-claude-core)
project_before=$(image_id "$project_image")
output=$(exitbox -t tree claude --version 2>"$work/tools-launch.log")
tree_output=$(exitbox shell -- tree --version 2>/dev/null)
if [ "$output" = "9.9.9 (Claude Code stub)" ] && grep -q '^    - tree$' "$EXITBOX_CONFIG_DIR/config.yaml" \
   && [ "$(image_id exitbox-claude-core)" = "$core_before" ] \
   && [ "$(image_id "$project_image")" != "$project_before" ] && grep -q '^tree' <<<"$tree_output"; then
  ok "tools option installs and persists package"
else
  not_ok "tools option installs and persists package" "stdout: $output" "tree: $tree_output" \
    "$(tail -20 "$work/tools-launch.log")"
fi

# A package the mirror does not have fails the build with the end of the
# output and the log's path. The test then takes the name out of tools.user.
output=$(exitbox -t exitbox-e2e-no-such-package claude --version 2>&1)
status=$?
log_path=$(grep -oE '/[^ ]*/logs/build-[^ ]*\.log' <<<"$output" | head -1)
if [ $status -ne 0 ] && grep -q "exitbox-e2e-no-such-package" <<<"$output" \
   && grep -q "The full log is" <<<"$output" && [ -s "$log_path" ]; then
  ok "failed build prints tail and log path"
else
  not_ok "failed build prints tail and log path" "exit status $status" "$output"
fi
sed -i '/exitbox-e2e-no-such-package/d' "$EXITBOX_CONFIG_DIR/config.yaml"

output=$(exitbox -r claude --help 2>/dev/null)
check "agent receives arguments after its name" grep -q "arguments: --help" <<<"$output"

output=$(exitbox claude show-notice 2>/dev/null)
if grep -q '<!-- BEGIN EXITBOX SANDBOX -->' <<<"$output" && grep -q '<!-- END EXITBOX SANDBOX -->' <<<"$output"; then
  ok "entrypoint writes sandbox notice"
else
  not_ok "entrypoint writes sandbox notice" "$output"
fi

# --- Firewall ----------------------------------------------------------------

status=$(exitbox shell -- curl -s -o /dev/null -w '%{http_code}' --max-time 20 http://allowed.example.test/ 2>"$work/allowed.log")
if [ "$status" = 200 ]; then
  ok "allowed host returns 200"
else
  not_ok "allowed host returns 200" "status: $status" "$(cat "$work/allowed.log")" \
    "squid.conf:" "$(grep -v '^#' "$EXITBOX_CACHE_DIR/proxy/squid.conf" | grep -v '^$')" \
    "access.log:" "$("$engine" exec exitbox-squid tail -5 /var/log/squid/access.log 2>&1)"
fi

status=$(exitbox shell -- curl -s -o /dev/null -w '%{http_code}' --max-time 20 http://blocked.example.test/ 2>/dev/null)
check "blocked host returns 403" test "$status" = 403

status=$(exitbox shell -- curl -s -o /dev/null -w '%{http_code}' --max-time 20 https://blocked.example.test/ 2>/dev/null)
check "blocked CONNECT is refused" test "$status" != 200

exitbox shell -- curl -s -o /dev/null --max-time 5 --noproxy '*' "http://$upstream_address/" >/dev/null 2>&1
check "direct connection bypassing proxy fails" test $? -ne 0

# The address of a listed name is not listed itself (dstdomain -n).
status=$(exitbox shell -- curl -s -o /dev/null -w '%{http_code}' --max-time 20 "http://$upstream_address/" 2>/dev/null)
check "listed upstream's address returns 403" test "$status" = 403

# A plain entry allows CONNECT only to port 443.
status=$(exitbox shell -- curl -s -o /dev/null -w '%{http_connect}' --proxytunnel --max-time 20 http://allowed.example.test:8080/ 2>/dev/null)
check "listed name on other CONNECT port is refused" test "$status" = 403

# An entry with a port allows that port, for plain HTTP and CONNECT, and
# no other port of that name.
status=$(exitbox shell -- sh -c '
  curl -s -o /dev/null -w "%{http_code} " --max-time 20 http://port.example.test:8080/
  curl -s -o /dev/null -w "%{http_code} " --proxytunnel --max-time 20 http://port.example.test:8080/
  curl -s -o /dev/null -w "%{http_code}" --max-time 20 http://port.example.test/
' 2>/dev/null)
check "entry with port allows only that port" test "$status" = "200 200 403"

# A name the host resolves: the Debian mirror from apt's own configuration.
mirror=$(grep -rhoE '(URIs:|deb) +https?://[^/ ]+' /etc/apt/sources.list /etc/apt/sources.list.d 2>/dev/null \
  | grep -oE 'https?://[^/ ]+' | sed -E 's#https?://##' | grep -m1 -i debian)
if [ -z "$mirror" ] || ! getent hosts "$mirror" >/dev/null; then
  not_ok "external names do not resolve inside" "the host cannot resolve the mirror '$mirror', so the test proves nothing"
else
  exitbox shell -- getent hosts "$mirror" >/dev/null 2>&1
  check "external names do not resolve inside" test $? -ne 0
fi

# --- Firewall: logs, checks and session entries ------------------------------

proxy_dir="$EXITBOX_CACHE_DIR/proxy"
access_log="$proxy_dir/logs/access.log"

# The blocked requests above are in the log, which the host user reads
# directly (Squid writes it as the container's "proxy" user).
if [ -r "$access_log" ] && grep -q ' TCP_DENIED/403 GET blocked.example.test 80$' "$access_log"; then
  ok "access log is readable on host"
else
  not_ok "access log is readable on host" "$(ls -ln "$proxy_dir/logs" 2>&1)" "$(tail -5 "$access_log" 2>&1)"
fi

output=$(exitbox firewall log 2>&1)
if grep -q 'GET blocked.example.test:80$' <<<"$output" && grep -q 'CONNECT blocked.example.test:443$' <<<"$output"; then
  ok "firewall log lists blocked requests"
else
  not_ok "firewall log lists blocked requests" "$output"
fi

# Two sessions one after the other, each with one blocked request. Sessions
# take the highest free address, so the second one usually reuses the first
# one's address, and the log names each request after the session that held
# the address at the time (from the session history).
exitbox shell -- curl -s -o /dev/null --max-time 20 http://history-first.example.test/ >/dev/null 2>&1
exitbox shell -- curl -s -o /dev/null --max-time 20 http://history-second.example.test/ >/dev/null 2>&1
history_file="$proxy_dir/session-history"
first_session=$(grep -v '^#' "$history_file" 2>/dev/null | tail -2 | head -1)
second_session=$(grep -v '^#' "$history_file" 2>/dev/null | tail -1)
output=$(exitbox firewall log 2>&1)
if [ -n "$first_session" ] && [ "$first_session" != "$second_session" ] \
   && grep -qF "  ${first_session##* }  GET history-first.example.test:80" <<<"$output" \
   && grep -qF "  ${second_session##* }  GET history-second.example.test:80" <<<"$output"; then
  ok "firewall log names the session of each request"
  printf '# history: %s\n' "$first_session" "$second_session"
else
  not_ok "firewall log names the session of each request" "$(cat "$history_file" 2>&1)" \
    "$(grep history- <<<"$output")"
fi

output=$(exitbox firewall check allowed.example.test 2>&1)
status=$?
if [ $status -eq 0 ] && grep -q 'CONNECT allowed.example.test:443: allowed by the allowlist entry' <<<"$output"; then
  ok "firewall check allows listed name"
else
  not_ok "firewall check allows listed name" "exit status $status" "$output"
fi

# The metadata address is only ever checked, never contacted.
output=$(exitbox firewall check 169.254.169.254 2>&1)
status=$?
if [ $status -eq 1 ] && grep -q '^HTTP 169.254.169.254:80: denied by .*http_access deny exitbox_link_local' <<<"$output"; then
  ok "firewall check denies metadata address"
else
  not_ok "firewall check denies metadata address" "exit status $status" "$output"
fi

output=$(exitbox firewall check allowed.example.test:8443 2>&1)
check "firewall check denies unlisted port" grep -q '^CONNECT allowed.example.test:8443: denied by .*http_access deny all' <<<"$output"

# The host's address on the egress network: a listener the test starts
# there (rootful; rootless podman keeps that address in its own network
# namespace, where nothing listens) must get no request.
gateway_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind "$gateway" --directory "$work/www" "$gateway_port" >"$work/gateway-server.log" 2>&1 &
gateway_server=$!
sleep 0.5
status=$(exitbox shell -- curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://$gateway:$gateway_port/" 2>/dev/null)
kill "$gateway_server" 2>/dev/null
wait "$gateway_server" 2>/dev/null
if [ "$status" = 403 ] && ! grep -q 'GET /' "$work/gateway-server.log"; then
  ok "egress gateway is refused"
else
  not_ok "egress gateway is refused" "status: $status" "$(cat "$work/gateway-server.log")"
fi

output=$(exitbox firewall check "$gateway" 2>&1)
check "firewall check names gateway rule" grep -q 'exitbox_host_gateway' <<<"$output"

output=$(exitbox firewall status 2>&1)
if grep -q '^Proxy: running as exitbox-squid' <<<"$output" && grep -q '^Allowlist: 2 entries$' <<<"$output"; then
  ok "firewall status shows running proxy"
else
  not_ok "firewall status shows running proxy" "$output"
fi

# A rejected -a entry stops the launch and never reaches squid.conf.
output=$(exitbox -a 'good.example.test,bad host' shell -- true 2>&1)
status=$?
if [ $status -ne 0 ] && grep -q 'bad host' <<<"$output" \
   && ! grep -q 'good.example.test\|bad host' "$proxy_dir/squid.conf"; then
  ok "rejected -a entry stops launch"
else
  not_ok "rejected -a entry stops launch" "exit status $status" "$output"
fi

# Session A allows session.example.test for itself and waits until session
# B has tried the same name. Every wait is bounded.
rm -f "$project/a-status" "$project/b-done"
exitbox -a session.example.test shell -- sh -c '
  curl -s -o /dev/null -w "%{http_code}" --max-time 20 http://session.example.test/ > /workspace/a-status.tmp
  mv /workspace/a-status.tmp /workspace/a-status
  i=0
  while [ ! -e /workspace/b-done ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
' >"$work/session-a.log" 2>&1 &
session_a=$!
for _ in $(seq 600); do
  [ -e "$project/a-status" ] && break
  kill -0 "$session_a" 2>/dev/null || break
  sleep 0.1
done
a_status=$(cat "$project/a-status" 2>/dev/null)
check "session entry allows its own session" test "$a_status" = 200

b_status=$(exitbox shell -- curl -s -o /dev/null -w '%{http_code}' --max-time 20 http://session.example.test/ 2>"$work/session-b.log")
check "session entry is refused to other session" test "$b_status" = 403

output=$(exitbox firewall check session.example.test 2>&1)
check "firewall check names session rule" grep -q 'but allowed for session exitbox-shell-' <<<"$output"

if grep -q '^acl exitbox_session_[0-9]*_domains dstdomain -n .session.example.test$' "$proxy_dir/squid.conf"; then
  ok "session rule is in squid.conf while it runs"
else
  not_ok "session rule is in squid.conf while it runs" "$(grep -n session "$proxy_dir/squid.conf")"
fi

touch "$project/b-done"
wait "$session_a"
status=$?
if [ $status -eq 0 ] && ! grep -q 'session.example.test' "$proxy_dir/squid.conf" \
   && [ -z "$(ls -A "$proxy_dir/sessions" 2>/dev/null)" ]; then
  ok "session rule is removed when session ends"
else
  not_ok "session rule is removed when session ends" "exit status $status" \
    "$(cat "$work/session-a.log")" "$(ls "$proxy_dir/sessions" 2>&1)" "$(grep -n session "$proxy_dir/squid.conf")"
fi

# Hot reload: a slow download of 6 MiB (about 24 s) is running when
# another session's -a entry reloads the proxy, and it still completes. The
# second session looks for the first one's end marker after its own launch,
# so after the reload.
rm -f "$project/transfer" "$project/transfer.done"
exitbox shell -- sh -c '
  curl -s -o /dev/null -w "%{http_code} %{size_download}" --max-time 90 \
    http://allowed.example.test/cgi-bin/slow > /workspace/transfer
  touch /workspace/transfer.done
' >"$work/transfer.log" 2>&1 &
transfer_session=$!
sleep 2
reload_started=$(date +%s)
reload_output=$(exitbox -a reload.example.test shell -- sh -c '
  curl -s -o /dev/null -w "%{http_code}" --max-time 20 http://reload.example.test/
  if [ -e /workspace/transfer.done ]; then echo " transfer-ended"; else echo " transfer-running"; fi
' 2>"$work/reload.log")
wait "$transfer_session"
transfer=$(cat "$project/transfer" 2>/dev/null)
if [ "$reload_output" = "200 transfer-running" ] && [ "$transfer" = "200 6291456" ]; then
  ok "transfer survives hot reload"
else
  not_ok "transfer survives hot reload" "reload session: $reload_output" "transfer: $transfer" \
    "the reload session took $(( $(date +%s) - reload_started )) s or less" \
    "$(cat "$work/reload.log" "$work/transfer.log")"
fi

# Allowlist edits reach a running session: it sees 403 for edit.example.test,
# the entry is added from another terminal, and the same session then gets
# 200; after removal it gets 403 again. Each side waits for the other's
# marker file, and every wait is bounded.
rm -f "$project"/edit-*
exitbox shell -- sh -c '
  code() { curl -s -o /dev/null -w "%{http_code}\n" --max-time 10 http://edit.example.test/; }
  wait_for() { i=0; while [ ! -e "$1" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done; }
  code > /workspace/edit-before
  wait_for /workspace/edit-added
  code > /workspace/edit-after-add
  wait_for /workspace/edit-removed
  code > /workspace/edit-after-remove
' >"$work/edit.log" 2>&1 &
edit_session=$!
wait_for_file() {
  for _ in $(seq 600); do
    [ -s "$1" ] && return 0
    kill -0 "$edit_session" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
wait_for_file "$project/edit-before"
exitbox allowlist add edit.example.test >"$work/edit-add.log" 2>&1
add_status=$?
touch "$project/edit-added"
wait_for_file "$project/edit-after-add"
exitbox allowlist remove edit.example.test >>"$work/edit-add.log" 2>&1
remove_status=$?
touch "$project/edit-removed"
wait "$edit_session"
edit_result=$(cat "$project/edit-before" "$project/edit-after-add" "$project/edit-after-remove" 2>/dev/null | tr '\n' ' ')
if [ $add_status -eq 0 ] && [ $remove_status -eq 0 ] && [ "$edit_result" = "403 200 403 " ]; then
  ok "allowlist edit reaches running session"
else
  not_ok "allowlist edit reaches running session" "codes before, added, removed: $edit_result" \
    "$(cat "$work/edit-add.log" "$work/edit.log")"
fi

# A proxy that died is started again by the next launch.
"$engine" kill exitbox-squid >/dev/null 2>&1
status=$(exitbox shell -- curl -s -o /dev/null -w '%{http_code}' --max-time 20 http://allowed.example.test/ 2>"$work/restart.log")
if [ "$status" = 200 ] && [ "$("$engine" inspect exitbox-squid --format '{{.State.Running}}')" = true ]; then
  ok "launch restarts killed proxy"
else
  not_ok "launch restarts killed proxy" "status: $status" "$(cat "$work/restart.log")"
fi

# settings.proxy_idle_minutes: 0 stops the proxy when the last session
# ends, and the next launch starts it again.
config_file="$EXITBOX_CONFIG_DIR/config.yaml"
cp "$config_file" "$work/config.yaml.idle"
sed -i 's/^\(  proxy_idle_minutes:\) 10$/\1 0/' "$config_file"
exitbox shell -- true >/dev/null 2>"$work/idle.log"
running=$("$engine" inspect exitbox-squid --format '{{.State.Running}}' 2>&1)
cp "$work/config.yaml.idle" "$config_file"
if grep -q '^  proxy_idle_minutes: 10$' "$work/config.yaml.idle" && [ "$running" = false ]; then
  ok "idle proxy stops after last session"
else
  not_ok "idle proxy stops after last session" "running: $running" "$(cat "$work/idle.log")"
fi
status=$(exitbox shell -- curl -s -o /dev/null -w '%{http_code}' --max-time 20 http://allowed.example.test/ 2>"$work/idle-restart.log")
if [ "$status" = 200 ]; then
  ok "launch starts stopped idle proxy"
else
  not_ok "launch starts stopped idle proxy" "status: $status" "$(cat "$work/idle-restart.log")" \
    "$("$engine" logs --tail 20 exitbox-squid 2>&1)"
fi

# Without the firewall: a warning, a bridge network of its own (not the
# host's network namespace), and no proxy variables. Nothing is contacted.
host_netns=$(readlink /proc/self/ns/net)
output=$(exitbox -f shell -- sh -c 'readlink /proc/self/ns/net; echo "proxy=${http_proxy:-none}"' 2>"$work/no-firewall.log")
if grep -q 'THE FIREWALL IS OFF' "$work/no-firewall.log" && grep -q '^proxy=none$' <<<"$output" \
   && grep -q '^net:' <<<"$output" && ! grep -qx "$host_netns" <<<"$output"; then
  ok "no-firewall session warns and uses bridge"
else
  not_ok "no-firewall session warns and uses bridge" "$output" "$(cat "$work/no-firewall.log")"
fi

output=$(EXITBOX_NO_FIREWALL=1 exitbox -v shell -- true 2>&1)
if grep -q 'THE FIREWALL IS OFF' <<<"$output" && grep -qE -- "--network'? '?bridge" <<<"$output"; then
  ok "EXITBOX_NO_FIREWALL turns firewall off"
else
  not_ok "EXITBOX_NO_FIREWALL turns firewall off" "$output"
fi

# --- Firewall: runtime allow requests (exitbox-allow) --------------------------

# Requests and their sockets live in a folder of this run. A scripted answer
# plays the host user: it waits, bounded, for one pending request and answers
# it with `exitbox firewall approve|deny` from outside the session.
export EXITBOX_RUNTIME_DIR="$work/run"

# answer_next_request ACTION [FLAG]: waits up to 60 s for a pending request,
# then runs `exitbox firewall ACTION ID [FLAG]`.
answer_next_request() {
  local id=
  for _ in $(seq 600); do
    id=$("$EXITBOX_BIN" firewall pending 2>/dev/null | grep -Eo -m 1 '^[0-9a-f]{8}  ' | tr -d ' ')
    [ -n "$id" ] && break
    sleep 0.1
  done
  if [ -z "$id" ]; then
    echo "no request appeared within 60 s"
    return 1
  fi
  "$EXITBOX_BIN" firewall pending
  "$EXITBOX_BIN" firewall "$1" "$id" ${2:+"$2"}
}

answer_next_request approve --session >"$work/allow-approve-answer.log" 2>&1 &
answerer=$!
output=$(exitbox shell -- sh -c '
  curl -s -o /dev/null -w "before=%{http_code}\n" --max-time 20 http://blocked.example.test/
  exitbox-allow blocked.example.test
  echo "exit=$?"
  curl -s -o /dev/null -w "after=%{http_code}\n" --max-time 20 http://blocked.example.test/
' 2>"$work/allow-approve.log")
wait "$answerer"
if grep -qx 'before=403' <<<"$output" && grep -qx 'exit=0' <<<"$output" \
   && grep -qx 'after=200' <<<"$output" && grep -q 'Allowed for this session' <<<"$output"; then
  ok "exitbox-allow approval opens session at once"
else
  not_ok "exitbox-allow approval opens session at once" "$output" \
    "$(cat "$work/allow-approve.log" "$work/allow-approve-answer.log")"
fi

if grep -q 'Session: exitbox-shell-' "$work/allow-approve-answer.log" \
   && grep -q 'Allow blocked.example.test and its subdomains on ports 443 and 80' \
        "$work/allow-approve-answer.log"; then
  ok "firewall pending shows session and rule"
else
  not_ok "firewall pending shows session and rule" "$(cat "$work/allow-approve-answer.log")"
fi

status=$(exitbox shell -- curl -s -o /dev/null -w '%{http_code}' --max-time 20 http://blocked.example.test/ 2>/dev/null)
check "approved entry stays in its session" test "$status" = 403

answer_next_request deny >"$work/allow-deny-answer.log" 2>&1 &
answerer=$!
output=$(exitbox shell -- sh -c '
  exitbox-allow "bad host"
  echo "invalid=$?"
  exitbox-allow blocked.example.test
  echo "exit=$?"
  curl -s -o /dev/null -w "after=%{http_code}\n" --max-time 20 http://blocked.example.test/
' 2>&1)
wait "$answerer"
if grep -qx 'invalid=2' <<<"$output" && grep -qx 'exit=1' <<<"$output" \
   && grep -qx 'after=403' <<<"$output" && grep -q 'The user denied blocked.example.test' <<<"$output"; then
  ok "exitbox-allow denial keeps 403"
else
  not_ok "exitbox-allow denial keeps 403" "$output" "$(cat "$work/allow-deny-answer.log")"
fi

output=$(EXITBOX_ALLOW_TIMEOUT=2 exitbox shell -- sh -c '
  exitbox-allow blocked.example.test
  echo "exit=$?"
' 2>&1)
pending=$("$EXITBOX_BIN" firewall pending 2>&1)
if grep -qx 'exit=1' <<<"$output" && grep -q 'No answer came within 2 seconds' <<<"$output" \
   && [ "$pending" = "No allow requests are waiting." ]; then
  ok "unanswered exitbox-allow is denied"
else
  not_ok "unanswered exitbox-allow is denied" "$output" "$pending"
fi

answer_next_request approve --always >"$work/allow-always-answer.log" 2>&1 &
answerer=$!
output=$(exitbox shell -- sh -c '
  exitbox-allow reload.example.test
  echo "exit=$?"
  curl -s -o /dev/null -w "after=%{http_code}\n" --max-time 20 http://reload.example.test/
' 2>&1)
wait "$answerer"
if grep -qx 'exit=0' <<<"$output" && grep -qx 'after=200' <<<"$output" \
   && grep -qx '  - reload.example.test' "$EXITBOX_CONFIG_DIR/allowlist.yaml"; then
  ok "exitbox-allow always adds to allowlist"
else
  not_ok "exitbox-allow always adds to allowlist" "$output" "$(cat "$work/allow-always-answer.log")" \
    "$(cat "$EXITBOX_CONFIG_DIR/allowlist.yaml")"
fi
"$EXITBOX_BIN" allowlist remove reload.example.test >/dev/null 2>&1

if [ -z "$(find "$EXITBOX_RUNTIME_DIR" -mindepth 2 2>/dev/null)" ]; then
  ok "allow request files are removed"
else
  not_ok "allow request files are removed" "$(ls -lR "$EXITBOX_RUNTIME_DIR")"
fi

# --- Status line --------------------------------------------------------------

# Runs a command with a 24x200 pseudo-terminal as its terminal, prints what
# the terminal received and exits with the command's status (124 when it
# did not end within two minutes).
cat > "$work/in-terminal.py" <<'PY'
import fcntl, os, pty, select, signal, struct, sys, termios, time
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 200, 0, 0))
    os.execvp(sys.argv[1], sys.argv[1:])
received, status = b"", None
deadline = time.monotonic() + 120
while status is None and time.monotonic() < deadline:
    if select.select([fd], [], [], 0.2)[0]:
        try:
            received += os.read(fd, 65536)
        except OSError:
            pass
    finished, wait_status = os.waitpid(pid, os.WNOHANG)
    if finished:
        status = os.waitstatus_to_exitcode(wait_status)
if status is None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
sys.stdout.buffer.write(received)
sys.exit(124 if status is None else status)
PY

in_terminal() {
  (cd "$project" && python3 "$work/in-terminal.py" "$@")
}

# At a terminal, settings.status_bar (on by default) puts a line at the top,
# drawn by tmux inside the container, and the command's exit status stays.
status_line="Shell – $(basename "$project") – firewall on, "
in_terminal "$EXITBOX_BIN" shell -- sh -c 'echo "status line test"; exit 5' >"$work/status-line.out" 2>&1
status=$?
output=$(tr -d '\000' <"$work/status-line.out")
if grep -qF "$status_line" <<<"$output" && grep -q "status line test" <<<"$output"; then
  ok "status line shown at a terminal"
else
  not_ok "status line shown at a terminal" "$(tail -c 2000 <<<"$output" | cat -v)"
fi
check "status line keeps exit status" test "$status" = 5

# The output printed again after tmux ends has no "[exited]" line from the
# tmux client and no NUL byte.
if ! grep -qaF "[exited]" "$work/status-line.out" \
   && [ "$(tr -cd '\000' <"$work/status-line.out" | wc -c)" -eq 0 ]; then
  ok "status line replay is clean"
else
  not_ok "status line replay is clean" "$(tail -c 600 "$work/status-line.out" | cat -v)"
fi

config_file="$EXITBOX_CONFIG_DIR/config.yaml"
cp "$config_file" "$work/config.yaml.saved"
sed -i 's/^\(  status_bar:\) true$/\1 false/' "$config_file"
output=$(in_terminal "$EXITBOX_BIN" shell -- sh -c 'echo "status line test"; exit 5' 2>&1)
status=$?
cp "$work/config.yaml.saved" "$config_file"
if ! grep -qF "$status_line" <<<"$output" && grep -q "status line test" <<<"$output" \
   && [ "$status" = 5 ] && grep -q '^  status_bar: true$' "$work/config.yaml.saved"; then
  ok "status line off with status_bar false"
else
  not_ok "status line off with status_bar false" "exit status $status" "$(tail -c 2000 <<<"$output" | cat -v)"
fi

# --- Hardening ---------------------------------------------------------------

capabilities=$(exitbox shell -- grep CapEff /proc/self/status 2>&1)
check "effective capabilities are empty" grep -q "CapEff:[[:space:]]*0000000000000000" <<<"$capabilities"

exitbox shell -- touch /workspace/written-inside >/dev/null 2>&1
if [ -e "$project/written-inside" ] && [ "$(stat -c %u "$project/written-inside")" = "$(id -u)" ]; then
  ok "workspace file belongs to host user"
else
  not_ok "workspace file belongs to host user" "$(ls -ln "$project")"
fi

exitbox -r shell -- touch /workspace/read-only-write >/dev/null 2>&1
status=$?
if [ $status -ne 0 ] && [ ! -e "$project/read-only-write" ]; then
  ok "read-only workspace rejects writes"
else
  not_ok "read-only workspace rejects writes" "exit status $status"
fi

# settings.default_flags.read_only makes every session read-only.
config_file="$EXITBOX_CONFIG_DIR/config.yaml"
cp "$config_file" "$work/config.yaml.saved"
sed -i 's/^\(    read_only:\) false$/\1 true/' "$config_file"
exitbox shell -- touch /workspace/default-read-only >/dev/null 2>&1
status=$?
cp "$work/config.yaml.saved" "$config_file"
if [ $status -ne 0 ] && [ ! -e "$project/default-read-only" ] \
   && grep -q '^    read_only: false$' "$work/config.yaml.saved"; then
  ok "read-only default applies to sessions"
else
  not_ok "read-only default applies to sessions" "exit status $status"
fi

exitbox shell -- sh -c 'exit 7' >/dev/null 2>&1
check "shell command exit status propagates" test $? -eq 7

# kill on the exitbox process reaches the agent, which may clean up and end
# with its own status. An agent that ignores the signal is stopped after
# the grace period. Either way the session's files are cleaned up.
wait_ready() {
  for _ in $(seq 300); do
    grep -q ready "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
# exec, so that $! is exitbox itself and not a subshell.
(cd "$project" && exec "$EXITBOX_BIN" shell -- sh -c 'trap "echo got-term; exit 7" TERM; echo ready; sleep 60 & wait') \
  >"$work/sigterm.log" 2>&1 </dev/null &
signal_session=$!
wait_ready "$work/sigterm.log"
kill -TERM "$signal_session"
wait "$signal_session"
status=$?
leftover=$(ls -A "$EXITBOX_CACHE_DIR/sessions" 2>/dev/null)
if [ $status -eq 7 ] && grep -q got-term "$work/sigterm.log" && [ -z "$leftover" ]; then
  ok "SIGTERM to exitbox reaches the agent"
else
  not_ok "SIGTERM to exitbox reaches the agent" "exit status $status" "leftover: $leftover" \
    "$(cat "$work/sigterm.log")"
fi

(cd "$project" && exec "$EXITBOX_BIN" shell -- sh -c 'trap "" HUP TERM; echo ready; sleep 60') \
  >"$work/sighup.log" 2>&1 </dev/null &
signal_session=$!
wait_ready "$work/sighup.log"
hup_started=$(date +%s)
kill -HUP "$signal_session"
wait "$signal_session"
status=$?
leftover=$(ls -A "$EXITBOX_CACHE_DIR/sessions" 2>/dev/null)
running=$("$engine" ps --filter name='^exitbox-shell-' --format '{{.Names}}' 2>/dev/null)
if [ $status -ne 0 ] && [ $(( $(date +%s) - hup_started )) -lt 40 ] && [ -z "$leftover" ] \
   && [ -z "$running" ]; then
  ok "closed terminal stops a session that ignores it"
else
  not_ok "closed terminal stops a session that ignores it" "exit status $status" \
    "leftover: $leftover" "running: $running" "$(cat "$work/sighup.log")"
fi

output=$(exitbox -v shell -- true 2>&1)
check "verbose prints engine command" grep -q -- "--cap-drop=ALL" <<<"$output"

# --- Firewall: link-local, IPv6, ICMP, recovery and Codex login ---------------
#
# The link-local upstream is the test's own container on a network the test
# creates (169.254.200.0/24), attached to the proxy for these checks only,
# and on a second one with the ULA prefix fd42:e2e:200::/64. Squid resolves
# names through the first network's DNS server at its gateway meanwhile,
# so a listed name resolves to the link-local address. Nothing else is
# contacted.

linklocal_address=169.254.200.10
linklocal_ipv6=fd42:e2e:200::10
cleanup_linklocal
"$engine" network create --internal --subnet 169.254.200.0/24 "$linklocal_net" >/dev/null
"$engine" network create --internal --ipv6 --subnet fd42:e2e:200::/64 "$ula_net" >/dev/null
"$engine" run --detach --name "$linklocal_upstream" --network "$linklocal_net" \
  --ip "$linklocal_address" --network-alias linklocal.example.test \
  --mount "type=bind,source=$work/www,destination=/www,readonly" \
  "$EXITBOX_BASE_IMAGE" busybox httpd -f -v -p 80 -h /www >/dev/null
"$engine" network connect --ip6 "$linklocal_ipv6" "$ula_net" "$linklocal_upstream"

# A changed EXITBOX_SQUID_DNS restarts the proxy at the next launch, which
# also proves that the DNS label is read.
proxy_before=$("$engine" inspect exitbox-squid --format '{{.Id}}' 2>/dev/null)
export EXITBOX_SQUID_DNS=169.254.200.1
exitbox shell -- true >/dev/null 2>"$work/linklocal-restart.log"
proxy_after=$("$engine" inspect exitbox-squid --format '{{.Id}}' 2>/dev/null)
if [ -n "$proxy_after" ] && [ "$proxy_after" != "$proxy_before" ] \
   && [ "$("$engine" inspect exitbox-squid --format '{{index .Config.Labels "exitbox.proxy.dns"}}')" = "servers=169.254.200.1;search=" ]; then
  ok "changed proxy DNS restarts proxy"
else
  not_ok "changed proxy DNS restarts proxy" "before: $proxy_before" "after: $proxy_after" \
    "$(cat "$work/linklocal-restart.log")"
fi
"$engine" network connect "$linklocal_net" exitbox-squid

# Proof that the checks below can fail: the upstream answers the proxy, and
# the listed name resolves to its link-local address inside the proxy.
resolved=$("$engine" exec exitbox-squid getent hosts linklocal.example.test 2>&1 | awk '{print $1}')
status=$(exitbox -a "$linklocal_address" shell -- curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
  "http://$linklocal_address/" 2>"$work/linklocal-listed.log")
if [ "$status" = 200 ] && [ "$resolved" = "$linklocal_address" ]; then
  ok "listed link-local address is allowed"
else
  not_ok "listed link-local address is allowed" "status: $status" "resolved: $resolved" \
    "$(cat "$work/linklocal-listed.log")"
fi
requests_before=$("$engine" logs "$linklocal_upstream" 2>&1 | grep -c 'response:')

status=$(exitbox shell -- curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
  "http://$linklocal_address/" 2>/dev/null)
check "unlisted link-local address is blocked" test "$status" = 403

status=$(exitbox -a linklocal.example.test shell -- sh -c '
  curl -s -o /dev/null -w "%{http_code} " --max-time 20 http://linklocal.example.test/
  curl -s -o /dev/null -w "%{http_connect}" --max-time 20 https://linklocal.example.test/
' 2>"$work/linklocal-name.log")
requests_after=$("$engine" logs "$linklocal_upstream" 2>&1 | grep -c 'response:')
if [ "$status" = "403 403" ] && [ "$requests_after" = "$requests_before" ]; then
  ok "listed name resolving to link-local is blocked"
else
  not_ok "listed name resolving to link-local is blocked" "status: $status" \
    "upstream requests: $requests_before before, $requests_after after" "$(cat "$work/linklocal-name.log")"
fi

# IPv6: the agent's container has no IPv6 route off its own links (only
# loopback, link-local fe80::/10 and multicast ff00::/8 may appear), and a
# direct connection to the test's own ULA address fails.
output=$(exitbox shell -- sh -c '
  awk '"'"'$10 != "lo" && $1 !~ /^fe[89ab]/ && $1 !~ /^ff/ { print }'"'"' /proc/net/ipv6_route
  curl -s -o /dev/null --max-time 5 --noproxy "*" -g "http://['"$linklocal_ipv6"']/"
  echo "curl=$?"
' 2>"$work/ipv6.log")
if grep -q '^curl=' <<<"$output" && ! grep -q '^curl=0$' <<<"$output" \
   && [ "$(grep -vc '^curl=' <<<"$output")" -eq 0 ]; then
  ok "agent has no IPv6 route out"
else
  not_ok "agent has no IPv6 route out" "$output" "$(cat "$work/ipv6.log")"
fi

# ICMP: busybox ping to the test's own upstream gets no reply.
output=$(exitbox shell -- busybox ping -c 1 -W 2 "$upstream_address" 2>&1)
status=$?
if [ $status -ne 0 ] && ! grep -q '1 packets received' <<<"$output"; then
  ok "ping to upstream fails"
else
  not_ok "ping to upstream fails" "exit status $status" "$output"
fi

cleanup_linklocal
export EXITBOX_SQUID_DNS="$gateway"

# EXITBOX_SQUID_DNS_SEARCH: the search domains reach the proxy's
# resolv.conf, from which Squid then reads its DNS servers too, and the
# default "." leaves the host's search domains out. An invalid value stops
# the launch and names the value.
status=$(EXITBOX_SQUID_DNS_SEARCH=example.test exitbox shell -- curl -s -o /dev/null \
  -w '%{http_code}' --max-time 20 http://allowed.example.test/ 2>"$work/dns-search.log")
search_line=$("$engine" exec exitbox-squid grep '^search' /etc/resolv.conf 2>&1)
if [ "$status" = 200 ] && [ "$search_line" = "search example.test" ] \
   && grep -qx 'dns_defnames on' "$proxy_dir/squid.conf"; then
  ok "dns search domains reach the proxy"
else
  not_ok "dns search domains reach the proxy" "status: $status" "resolv.conf: $search_line" \
    "$(cat "$work/dns-search.log")" "$(grep -n 'dns_' "$proxy_dir/squid.conf")"
fi
output=$(EXITBOX_SQUID_DNS_SEARCH='bad_domain!' exitbox shell -- true 2>&1)
status=$?
if [ $status -ne 0 ] && grep -q 'EXITBOX_SQUID_DNS_SEARCH contains' <<<"$output" \
   && grep -q 'bad_domain!' <<<"$output"; then
  ok "invalid dns search domain stops launch"
else
  not_ok "invalid dns search domain stops launch" "exit status $status" "$output"
fi
exitbox shell -- true >/dev/null 2>"$work/dns-search-default.log"
search_line=$("$engine" exec exitbox-squid grep '^search' /etc/resolv.conf 2>&1)
if [ -z "$search_line" ] && grep -qx 'dns_defnames off' "$proxy_dir/squid.conf"; then
  ok "default proxy has no search domains"
else
  not_ok "default proxy has no search domains" "resolv.conf: $search_line" \
    "$(cat "$work/dns-search-default.log")"
fi

# An invalid allowlist.yaml entry is skipped and never reaches squid.conf.
cp "$EXITBOX_CONFIG_DIR/allowlist.yaml" "$work/allowlist.yaml.saved"
printf '  - "bad_name!.example.test"\n' >> "$EXITBOX_CONFIG_DIR/allowlist.yaml"
status=$(exitbox shell -- curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
  http://allowed.example.test/ 2>"$work/invalid-entry.log")
cp "$work/allowlist.yaml.saved" "$EXITBOX_CONFIG_DIR/allowlist.yaml"
if [ "$status" = 200 ] && ! grep -q 'bad_name' "$proxy_dir/squid.conf"; then
  ok "invalid allowlist entry stays out of squid.conf"
else
  not_ok "invalid allowlist entry stays out of squid.conf" "status: $status" \
    "$(cat "$work/invalid-entry.log")" "$(grep -n bad_name "$proxy_dir/squid.conf")"
fi

# Killing the proxy while a session runs: the next launch starts it again
# with that session's rules, and the running session reaches it too.
rm -f "$project/recover-done" "$project/recover-status"
exitbox -a session.example.test shell -- sh -c '
  i=0
  while [ ! -e /workspace/recover-done ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
  curl -s -o /dev/null -w "%{http_code}" --max-time 20 http://session.example.test/ > /workspace/recover-status
' >"$work/recover-a.log" 2>&1 &
recover_session=$!
for _ in $(seq 600); do
  [ -n "$(ls -A "$proxy_dir/sessions" 2>/dev/null)" ] && break
  kill -0 "$recover_session" 2>/dev/null || break
  sleep 0.1
done
sleep 1
"$engine" kill exitbox-squid >/dev/null 2>&1
status=$(exitbox shell -- curl -s -o /dev/null -w '%{http_code}' --max-time 20 http://allowed.example.test/ 2>"$work/recover-b.log")
if [ "$status" = 200 ] && grep -q 'session.example.test' "$proxy_dir/squid.conf"; then
  ok "launch after mid-session proxy kill recovers"
else
  not_ok "launch after mid-session proxy kill recovers" "status: $status" "$(cat "$work/recover-b.log")" \
    "$(grep -n session "$proxy_dir/squid.conf")"
fi
touch "$project/recover-done"
wait "$recover_session"
check "running session reaches restarted proxy" test "$(cat "$project/recover-status" 2>/dev/null)" = 200

# Codex's login port: 127.0.0.1:1455 on the host reaches the Codex
# container while its session runs, and is closed before and after.
"$EXITBOX_BIN" enable codex >/dev/null 2>&1
rm -f "$project/login-done"
curl -s -o /dev/null --max-time 2 http://127.0.0.1:1455/
before=$?
exitbox codex serve-login >"$work/codex-login.log" 2>&1 &
codex_session=$!
body=
deadline=$((SECONDS + 180))
while [ $SECONDS -lt $deadline ]; do
  body=$(curl -s --max-time 2 http://127.0.0.1:1455/ 2>/dev/null)
  [ -n "$body" ] && break
  kill -0 "$codex_session" 2>/dev/null || break
  sleep 0.1
done
if [ $before -eq 7 ] && [ "$body" = "codex login callback" ]; then
  ok "codex login port reaches container"
else
  not_ok "codex login port reaches container" "curl before the session: exit $before" "body: $body" \
    "$(cat "$work/codex-login.log")"
fi
touch "$project/login-done"
wait "$codex_session"
curl -s -o /dev/null --max-time 2 http://127.0.0.1:1455/
check "codex login port closes after session" test $? -eq 7
"$EXITBOX_BIN" disable codex >/dev/null 2>&1

# --- Managed agent configuration ------------------------------------------------

managed="$EXITBOX_CONFIG_DIR/claude"
wide=$(find "$managed" -perm /077 2>&1)
if [ -f "$managed/.claude.json" ] && [ -f "$managed/.claude/settings.json" ] && [ -z "$wide" ] \
   && [ "$(stat -c %a "$managed/.claude.json")" = 600 ] && [ "$(stat -c %a "$managed/.claude")" = 700 ] \
   && [ "$(stat -c %a "$managed/.claude/hooks/check.sh")" = 700 ]; then
  ok "first use imports claude config privately"
else
  not_ok "first use imports claude config privately" "wider than 0700/0600: $wide" \
    "$(find "$managed" -printf '%m %p\n' 2>&1)"
fi

for _ in 1 2 3; do
  exitbox claude show-notice >/dev/null 2>&1
done
blocks=$(grep -c '<!-- BEGIN EXITBOX SANDBOX -->' "$managed/.claude/CLAUDE.md")
if [ "$blocks" = 1 ] && grep -q '^My own rules.$' "$managed/.claude/CLAUDE.md"; then
  ok "sandbox block once after three starts"
else
  not_ok "sandbox block once after three starts" "$(cat "$managed/.claude/CLAUDE.md")"
fi

exitbox shell -- sh -c 'printf "{\"renamed\": true}\n" > "$HOME/.claude.json.tmp" && mv "$HOME/.claude.json.tmp" "$HOME/.claude.json"' \
  >"$work/rename.log" 2>&1
status=$?
inside=$(exitbox shell -- cat /home/user/.claude.json 2>/dev/null)
if [ $status -eq 0 ] && grep -q '"renamed": true' "$managed/.claude.json" && grep -q renamed <<<"$inside"; then
  ok "claude.json rename persists in managed copy"
else
  not_ok "claude.json rename persists in managed copy" "exit status $status" "$(cat "$work/rename.log")" \
    "managed: $(cat "$managed/.claude.json")" "next session: $inside"
fi

host_after=$(host_snapshot)
if [ "$host_before" = "$host_after" ]; then
  ok "host agent config is unchanged"
else
  not_ok "host agent config is unchanged" "$(diff <(echo "$host_before") <(echo "$host_after"))"
fi

printf '# exitbox-e2e-private-marker\n' >> "$EXITBOX_CONFIG_DIR/config.yaml"
printf '# exitbox-e2e-private-marker\n' >> "$EXITBOX_CONFIG_DIR/allowlist.yaml"
# The scan prints "scan finished" last, so a session that fails to start
# cannot pass for an empty result.
found=$(exitbox shell -- sh -c 'find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o \
  \( -name config.yaml -o -name allowlist.yaml \) -type f -print 2>/dev/null \
  | xargs -r grep -l exitbox-e2e-private-marker; echo "scan finished"' 2>/dev/null)
if [ "$found" = "scan finished" ]; then
  ok "config.yaml is not reachable inside"
else
  not_ok "config.yaml is not reachable inside" "$found"
fi

# --- Session environment and folders ------------------------------------------------

secret="s3cr3t-$RANDOM-value"
output=$(exitbox -v -e "MY_SECRET=$secret" shell -- printenv MY_SECRET 2>"$work/env.log")
if [ "$output" = "$secret" ] && ! grep -q "$secret" "$work/env.log"; then
  ok "env value reaches container not argv"
else
  not_ok "env value reaches container not argv" "stdout: $output" "$(cat "$work/env.log")"
fi

leftover=$(ls -A "$EXITBOX_CACHE_DIR/sessions" 2>/dev/null)
check "env file removed after session" test -z "$leftover"

# A file left by a killed session is removed once it is an hour old.
printf 'OLD_SECRET=x\n' > "$EXITBOX_CACHE_DIR/sessions/killed.env"
printf 'NEW_SECRET=x\n' > "$EXITBOX_CACHE_DIR/sessions/recent.env"
touch -d '2 hours ago' "$EXITBOX_CACHE_DIR/sessions/killed.env"
exitbox shell -- true >/dev/null 2>&1
if [ ! -e "$EXITBOX_CACHE_DIR/sessions/killed.env" ] && [ -e "$EXITBOX_CACHE_DIR/sessions/recent.env" ]; then
  ok "stale env files are removed"
else
  not_ok "stale env files are removed" "$(ls -la "$EXITBOX_CACHE_DIR/sessions")"
fi
rm -f "$EXITBOX_CACHE_DIR/sessions/recent.env"

output=$(ANTHROPIC_API_KEY=e2e-key TZ=Europe/Berlin exitbox shell -- sh -c 'echo "$ANTHROPIC_API_KEY $TZ"' 2>/dev/null)
check "default passthrough passes api key" test "$output" = "e2e-key Europe/Berlin"

output=$(ANTHROPIC_API_KEY=e2e-key exitbox -n -e ONLY=this shell -- sh -c 'echo "${ANTHROPIC_API_KEY:-unset} $ONLY"' 2>/dev/null)
check "no-env passes only given variables" test "$output" = "unset this"

# settings.env_passthrough adds names; settings.default_flags.no_env drops
# every host variable.
cp "$config_file" "$work/config.yaml.saved"
sed -i 's/^  env_passthrough: \[\]$/  env_passthrough: [E2E_PASSED]/' "$config_file"
output=$(E2E_PASSED=yes E2E_OTHER=no exitbox shell -- sh -c 'echo "${E2E_PASSED:-unset} ${E2E_OTHER:-unset}"' 2>/dev/null)
sed -i 's/^\(    no_env:\) false$/\1 true/' "$config_file"
no_env_output=$(E2E_PASSED=yes TZ=UTC exitbox shell -- sh -c 'echo "${E2E_PASSED:-unset} ${TZ:-unset}"' 2>/dev/null)
cp "$work/config.yaml.saved" "$config_file"
if [ "$output" = "yes unset" ] && [ "$no_env_output" = "unset unset" ]; then
  ok "passthrough and no_env settings apply"
else
  not_ok "passthrough and no_env settings apply" "passthrough: $output" "no_env: $no_env_output"
fi

output=$(exitbox --no-env --env=HOME=/tmp shell -- true 2>&1)
status=$?
if [ $status -eq 2 ] && grep -q "HOME is reserved" <<<"$output"; then
  ok "reserved env name is rejected"
else
  not_ok "reserved env name is rejected" "exit status $status" "$output"
fi

extra="$work/extra data, v2"
mkdir -p "$extra"
echo "included" > "$extra/file.txt"
output=$(exitbox -i "$extra" shell -- cat "/workspace/extra data, v2/file.txt" 2>"$work/include.log")
check "include dir is mounted by name" test "$output" = "included"
# ExitBox made the mount point in the project and removes it once empty.
check "include mount point is removed after session" test ! -e "$project/extra data, v2"

# A read-only project needs the mount point to exist already.
mkdir "$project/extra data, v2"
output=$(exitbox -r --include-dir "$extra" shell -- touch "/workspace/extra data, v2/new-file" 2>&1)
status=$?
if [ $status -ne 0 ] && [ ! -e "$extra/new-file" ] && grep -q "Read-only file system" <<<"$output"; then
  ok "read-only include dir rejects writes"
else
  not_ok "read-only include dir rejects writes" "exit status $status" "$output"
fi
rmdir "$project/extra data, v2"

output=$(exitbox -v --memory 256m --cpus 1.5 shell -- true 2>&1)
if grep -q "'--memory' '256m'" <<<"$output" && grep -q "'--cpus' '1.5'" <<<"$output"; then
  ok "memory and cpus override defaults"
elif grep -q "limits are not applied" <<<"$output"; then
  ok "memory and cpus override defaults # SKIP the engine cannot apply limits here"
else
  not_ok "memory and cpus override defaults" "$output"
fi

# Two sessions of one agent on one project run side by side.
exitbox shell -- sleep 3 >/dev/null 2>&1 &
first=$!
exitbox shell -- sleep 3 >/dev/null 2>&1
second_status=$?
wait "$first"
first_status=$?
check "two sessions run side by side" test "$first_status$second_status" = 00

exitbox shell -- sh -c 'exit 3' >/dev/null 2>&1
output=$("$EXITBOX_BIN" logs --session 2>&1)
if grep -q "^exit status: 3$" <<<"$output" && grep -q "^argv: .*--cap-drop=ALL" <<<"$output" \
   && ! grep -rq "$secret" "$EXITBOX_CACHE_DIR/logs"; then
  ok "session log records argv and exit"
else
  not_ok "session log records argv and exit" "$output"
fi

exitbox shell -- sh -c 'mkdir -p "$HOME/.claude/logs" && echo "agent log line" > "$HOME/.claude/logs/run.log"' \
  >/dev/null 2>&1
output=$("$EXITBOX_BIN" logs claude 2>&1)
check "logs shows agent's newest log" grep -q "agent log line" <<<"$output"

# A linked git worktree finds its repository at the host path git recorded.
main_repo="$work/main repo"
linked_tree="$work/linked tree"
mkdir -p "$main_repo"
git -C "$main_repo" init -q
git -C "$main_repo" -c user.name=e2e -c user.email=e2e@example.test commit -q --allow-empty -m start
git -C "$main_repo" worktree add -q --detach "$linked_tree"
output=$(cd "$linked_tree" && "$EXITBOX_BIN" shell -- git status --short --branch 2>"$work/worktree.log")
status=$?
if [ $status -eq 0 ] && grep -q "^## HEAD (no branch)" <<<"$output"; then
  ok "git worktree status works inside"
else
  not_ok "git worktree status works inside" "exit status $status; output: $output" "$(tail -5 "$work/worktree.log")"
fi

output=$(cd "$HOME" && "$EXITBOX_BIN" shell -- true 2>&1)
status=$?
if [ $status -eq 1 ] && grep -q "cannot be the project" <<<"$output"; then
  ok "running from home is refused"
else
  not_ok "running from home is refused" "exit status $status; output: $output"
fi

output=$("$EXITBOX_BIN" info 2>&1)
if grep -q "^OCI runtime: [a-z]" <<<"$output" && grep -q "^cgroup version: " <<<"$output" \
   && grep -q "^  exitbox-int: .*, internal" <<<"$output" \
   && grep -q "^Proxy: exitbox-squid running at " <<<"$output" \
   && grep -qF "Configuration folder: $EXITBOX_CONFIG_DIR" <<<"$output"; then
  ok "info reports engine, networks and proxy"
else
  not_ok "info reports engine, networks and proxy" "$output"
fi

output=$("$EXITBOX_BIN" projects 2>&1)
if grep -qF "$project" <<<"$output" && grep -q "claude" <<<"$output" && grep -q "shell" <<<"$output"; then
  ok "projects lists the project"
else
  not_ok "projects lists the project" "$output"
fi

# --- Removing images -------------------------------------------------------------

# clean, uninstall and clean all remove every image labelled exitbox.version,
# which on a shared engine includes images that other users of it built. So
# they run against a separate image store of their own (CONTAINERS_STORAGE_CONF),
# with label-only images built FROM scratch in it.
store="$work/image-store"
mkdir -p "$store/context"
# Rootless podman ignores graphroot and reads rootless_storage_path instead.
cat > "$store/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$store/graph"
runroot = "$store/run"
rootless_storage_path = "$store/graph"
CONF
store_engine() {
  CONTAINERS_STORAGE_CONF="$store/storage.conf" "$engine" "$@"
}
store_build() {
  printf 'FROM scratch\nLABEL %s\n' "$2" > "$store/context/Containerfile"
  store_engine build -q -t "$1" "$store/context" >/dev/null
}
store_build exitbox-base 'exitbox.version="e2e" exitbox.uid="0"'
store_build exitbox-claude-core 'exitbox.version="e2e" exitbox.agent="claude" exitbox.agent.version="1.0"'
# The same tag again leaves the first core untagged.
store_build exitbox-claude-core 'exitbox.version="e2e" exitbox.agent="claude" exitbox.agent.version="1.1"'
store_build exitbox-codex-core 'exitbox.version="e2e" exitbox.agent="codex"'
store_build exitbox-proxy 'exitbox.version="e2e" exitbox.base.family="debian"'
store_build localhost/e2e-not-exitbox:1 'org.example.owner="someone else"'
store_count() {
  store_engine images -q --filter label=exitbox.version | sort -u | wc -l
}
in_store() {
  CONTAINERS_STORAGE_CONF="$store/storage.conf" exitbox "$@"
}

before=$(store_count)
output=$(in_store clean 2>&1)
if [ "$before" -eq 5 ] && [ "$(store_count)" -eq 4 ] && grep -q "Removed 1 image" <<<"$output"; then
  ok "clean removes untagged exitbox images"
else
  not_ok "clean removes untagged exitbox images" "before: $before, after: $(store_count)" "$output"
fi
output=$(in_store uninstall codex --yes 2>&1)
if [ "$(store_count)" -eq 3 ] && ! store_engine image exists exitbox-codex-core; then
  ok "uninstall removes the agent images"
else
  not_ok "uninstall removes the agent images" "$output" "$(store_engine images 2>&1)"
fi
output=$(in_store clean all </dev/null 2>&1)
check "clean all asks before removing" test "$(store_count)" -eq 3
output=$(in_store clean all --yes 2>&1)
if [ "$(store_count)" -eq 0 ] && store_engine image exists localhost/e2e-not-exitbox:1; then
  ok "clean all removes exitbox images only"
else
  not_ok "clean all removes exitbox images only" "$output" "$(store_engine images 2>&1)"
fi
store_engine rmi --all --force >/dev/null 2>&1
rm -rf "$store"

# --- Desktop -------------------------------------------------------------------

if [ -z "${EXITBOX_APP_TEST:-}" ]; then
  for skipped in 1 2 3 4; do
    test_number=$((test_number + 1))
    echo "ok $test_number # SKIP EXITBOX_APP_TEST is not set"
  done
else
  screenshot="$artifacts/desktop-session-$(id -un).png"
  EXITBOX_TEST_PROJECT="$project" EXITBOX_TEST_AGENT=claude \
  EXITBOX_TEST_EXPECT="Claude Code stub 9.9.9 ready" EXITBOX_TEST_SCREENSHOT="$screenshot" \
    xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$EXITBOX_APP_TEST" >"$work/app.log" 2>&1
  status=$?
  if [ $status -eq 0 ] && [ -s "$screenshot" ]; then
    ok "desktop session shows agent output"
  else
    not_ok "desktop session shows agent output" "exit status $status" "$(tail -30 "$work/app.log")"
  fi

  # With the firewall off, the status bar says so while that session runs.
  EXITBOX_NO_FIREWALL=1 EXITBOX_TEST_PROJECT="$project" EXITBOX_TEST_AGENT=shell \
  EXITBOX_TEST_INPUT='echo off-$((40 + 2)); sleep 3; exit 4\n' EXITBOX_TEST_EXPECT="off-42" \
  EXITBOX_TEST_EXIT_STATUS=4 EXITBOX_TEST_FIREWALL_TEXT="Firewall off for this session" \
    xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$EXITBOX_APP_TEST" >"$work/app-off.log" 2>&1
  status=$?
  if [ $status -eq 0 ]; then
    ok "desktop status bar shows firewall off"
  else
    not_ok "desktop status bar shows firewall off" "exit status $status" "$(tail -30 "$work/app-off.log")"
  fi

  # A domain added in the allowlist editor reaches the session that runs:
  # it polls (at most 100 times) until the proxy lets it through.
  EXITBOX_TEST_PROJECT="$project" EXITBOX_TEST_AGENT=shell \
  EXITBOX_TEST_INPUT='c() { curl -s -o /dev/null -w "%{http_code}" --max-time 10 http://desktop-edit.example.test/; }; echo "before-$(c)"; i=0; while [ $i -lt 100 ] && [ "$(c)" != 200 ]; do sleep 0.2; i=$((i + 1)); done; echo "after-$(c)"; exit 0\n' \
  EXITBOX_TEST_ADD_AFTER="before-403" EXITBOX_TEST_ALLOWLIST_ADD=desktop-edit.example.test \
  EXITBOX_TEST_EXPECT="after-200" EXITBOX_TEST_EXIT_STATUS=0 \
    xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$EXITBOX_APP_TEST" >"$work/app-edit.log" 2>&1
  status=$?
  if [ $status -eq 0 ] && grep -qx '  - desktop-edit.example.test' "$EXITBOX_CONFIG_DIR/allowlist.yaml"; then
    ok "desktop allowlist edit reaches running session"
  else
    not_ok "desktop allowlist edit reaches running session" "exit status $status" "$(tail -30 "$work/app-edit.log")"
  fi

  # Two shell tabs: the second ends and closes first, then Stop and Close
  # on the first must remove its container while the window still runs.
  EXITBOX_TEST_PROJECT="$project" EXITBOX_TEST_STOP=1 \
    xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$EXITBOX_APP_TEST" -p /app/session/stop >"$work/app-stop.log" 2>&1
  status=$?
  if [ $status -eq 0 ] && grep -q '^ok .* /app/session/stop$' "$work/app-stop.log"; then
    ok "desktop stop and close stops its container"
  else
    not_ok "desktop stop and close stops its container" "exit status $status" "$(tail -30 "$work/app-stop.log")"
  fi
fi

echo "1..$test_number"
exit $((failures > 0))
