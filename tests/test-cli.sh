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
export EXITBOX_DATA_DIR="$work/data"

# Commands that look for a running proxy find the fake engine, which logs
# its calls and has no containers.
mkdir -p "$work/fake-engine"
ln -s "$G_TEST_SRCDIR/data/engine/fake-engine" "$work/fake-engine/podman"
export PATH="$work/fake-engine:$PATH" EXITBOX_FAKE_LOG="$work/engine-calls.log"

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

echo "1..181"

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
: > "$EXITBOX_FAKE_LOG"
expect_status "allowlist add in category" 0 "Added pypi.org to the category “development”" \
  allowlist add pypi.org --category development
if grep -qx inspect "$EXITBOX_FAKE_LOG" && grep -qx exitbox-squid "$EXITBOX_FAKE_LOG"; then
  result 0 "allowlist change looks for running proxy"
else
  result 1 "allowlist change looks for running proxy" "$(cat "$EXITBOX_FAKE_LOG")"
fi
: > "$EXITBOX_FAKE_LOG"
expect_status "allowlist add duplicate is no-op" 0 "already allowed" allowlist add GitHub.com
if [ ! -s "$EXITBOX_FAKE_LOG" ]; then
  result 0 "allowlist no-op leaves proxy alone"
else
  result 1 "allowlist no-op leaves proxy alone" "$(cat "$EXITBOX_FAKE_LOG")"
fi
expect_status "allowlist add rejects invalid entry" 1 "“exa mple.com” is not a valid allowlist entry" \
  allowlist add 'exa mple.com'
expect_status "allowlist list shows entries" 0 "  example.com:8443" allowlist list
expect_status "allowlist remove equal entry" 0 "Removed example.com:8443 from “custom”" \
  allowlist remove 'EXAMPLE.com.:8443'
expect_status "allowlist remove absent entry" 1 "No category of $allowlist contains example.com" \
  allowlist remove example.com

# The firewall commands read allowlist.yaml, the session records, the session
# history and the access log; check and log need no engine and send nothing.
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
# The session history: an ended session held 10.89.1.254 before the
# running one.
printf '%s\n' '1733355000000000 1733355500000000 10.89.1.254 exitbox-shell-old-0000000b' \
  '1733355550000000 0 10.89.1.254 exitbox-shell-x-0000000a' \
  > "$EXITBOX_CACHE_DIR/proxy/session-history"
printf '%s\n' '1733355400.000 10.89.1.254 TCP_DENIED/403 GET earlier.example.test 80' \
  '1733355555.000 10.89.1.254 TCP_DENIED/403 CONNECT blocked.example.test 443' \
  '1733355556.000 10.89.1.9 TCP_TUNNEL/200 CONNECT github.com 443' \
  '1733355557.000 10.89.1.9 TCP_DENIED/403 GET other.example.test 80' \
  > "$EXITBOX_CACHE_DIR/proxy/logs/access.log"
output=$("$exitbox_bin" firewall log 2>&1)
if grep -q '  exitbox-shell-x-0000000a  CONNECT blocked.example.test:443$' <<<"$output" \
   && grep -q '  exitbox-shell-old-0000000b  GET earlier.example.test:80$' <<<"$output" \
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

# Session options: both forms, values and where they may appear.
expect_status "session option needs value" 2 "The option -e/--env needs a value" -e
expect_status "session option before command" 2 "apply to agent sessions" -a example.com list
expect_status "long option with value" 2 "apply to agent sessions" --memory=4g list
expect_status "short option joined value" 2 "apply to agent sessions" -eKEY=1 list
expect_status "flag with value is rejected" 2 "Unknown option “--read-only=yes”" --read-only=yes claude

# Scripted setup.
script_dir="$work/script-config"
output=$(EXITBOX_CONFIG_DIR="$script_dir" "$exitbox_bin" setup --role Backend,devops \
           --languages rust --agents claude,codex --firewall-categories=ai_providers,custom \
           --yes </dev/null 2>&1)
status=$?
if [ $status -eq 0 ] && grep -qF "Saved the setup" <<<"$output"; then
  result 0 "scripted setup exits 0"
else
  result 1 "scripted setup exits 0" "exit status $status; output: $output"
fi
config_text=$(cat "$script_dir/config.yaml" 2>&1)
allowlist_text=$(cat "$script_dir/allowlist.yaml" 2>&1)
if grep -qx "  - backend" <<<"$config_text" && grep -qx "  - devops" <<<"$config_text"; then
  result 0 "scripted setup folds role case"
else
  result 1 "scripted setup folds role case" "$config_text"
fi
if grep -qx "  - rust" <<<"$config_text" && ! grep -qx "  - python" <<<"$config_text"; then
  result 0 "scripted setup replaces languages"
else
  result 1 "scripted setup replaces languages" "$config_text"
fi
if grep -A2 "^  codex:" <<<"$config_text" | grep -qF "enabled: true"; then
  result 0 "scripted setup enables agents"
else
  result 1 "scripted setup enables agents" "$config_text"
fi
if sed -n '/^disabled:/,$p' <<<"$allowlist_text" | grep -qx "  - github.com" &&
   ! sed -n '/^disabled:/,$p' <<<"$allowlist_text" | grep -qF "anthropic.com"; then
  result 0 "scripted setup disables categories"
else
  result 1 "scripted setup disables categories" "$allowlist_text"
fi
before=$(cat "$script_dir/config.yaml" "$script_dir/allowlist.yaml" | sha256sum)
EXITBOX_CONFIG_DIR="$script_dir" "$exitbox_bin" setup --yes </dev/null >/dev/null 2>&1
after=$(cat "$script_dir/config.yaml" "$script_dir/allowlist.yaml" | sha256sum)
if [ "$before" = "$after" ]; then
  result 0 "scripted setup rerun keeps files"
else
  result 1 "scripted setup rerun keeps files" "$(cat "$script_dir/config.yaml")"
fi
EXITBOX_CONFIG_DIR="$script_dir" "$exitbox_bin" setup --firewall-categories \
  ai_providers,development,cloud_services,custom --yes </dev/null >/dev/null 2>&1
if ! grep -qF -- "- github.com" <<<"$(sed -n '/^disabled:/,$p' "$script_dir/allowlist.yaml")"; then
  result 0 "scripted setup enables categories again"
else
  result 1 "scripted setup enables categories again" "$(cat "$script_dir/allowlist.yaml")"
fi
EXITBOX_CONFIG_DIR="$script_dir" expect_status "setup unknown role" 1 "Unknown role “chef”" \
  setup --role chef --yes
EXITBOX_CONFIG_DIR="$script_dir" expect_status "setup unknown category" 1 \
  "Unknown allowlist category “games”" setup --firewall-categories games --yes
expect_status "setup unknown option" 2 "Unknown setup option “--colour”" setup --colour
expect_status "setup option needs list" 2 "The option --agents needs" setup --agents
expect_status "setup help lists options" 0 "--tool-categories LIST" setup --help

# Disabling and enabling an entry keeps it in its category.
EXITBOX_CONFIG_DIR="$script_dir" expect_status "allowlist disable entry" 0 "Disabled github.com" allowlist disable GitHub.com
EXITBOX_CONFIG_DIR="$script_dir" expect_status "allowlist disabled entry listed" 0 "github.com  (disabled)" allowlist list
EXITBOX_CONFIG_DIR="$script_dir" expect_status "firewall check names disabled entry" 1 \
  "Run “exitbox allowlist enable github.com” to allow it again." firewall check api.github.com
EXITBOX_CONFIG_DIR="$script_dir" expect_status "allowlist list names categories" 0 \
  "AI providers (ai_providers):" allowlist list
EXITBOX_CONFIG_DIR="$script_dir" expect_status "allowlist enable entry" 0 "Enabled github.com" allowlist enable github.com
EXITBOX_CONFIG_DIR="$script_dir" expect_status "allowlist disable unlisted entry" 1 "nothing to disable" \
  allowlist disable nowhere.example.org
EXITBOX_CONFIG_DIR="$script_dir" expect_status "allowlist add covered entry" 0 "already allowed through github.com" \
  allowlist add api.github.com

# An allowlist behind a symbolic link is edited where the link points.
link_dir="$work/link-config"
mkdir -p "$link_dir"
cp "$script_dir/allowlist.yaml" "$work/dotfiles-allowlist.yaml"
cp "$script_dir/config.yaml" "$link_dir/config.yaml"
ln -s "$work/dotfiles-allowlist.yaml" "$link_dir/allowlist.yaml"
EXITBOX_CONFIG_DIR="$link_dir" "$exitbox_bin" allowlist add linked.example.org >/dev/null 2>&1
if [ -L "$link_dir/allowlist.yaml" ] && grep -qx "  - linked.example.org" "$work/dotfiles-allowlist.yaml"; then
  result 0 "allowlist edit follows symlink"
else
  result 1 "allowlist edit follows symlink" "$(ls -l "$link_dir"; cat "$work/dotfiles-allowlist.yaml")"
fi

# A missing config.yaml next to an allowlist means default settings.
rm "$link_dir/config.yaml"
EXITBOX_CONFIG_DIR="$link_dir" expect_status "missing config enable works" 0 "Enabled Codex" \
  enable codex
if grep -A1 "^  codex:" "$link_dir/config.yaml" | grep -qF "enabled: true"; then
  result 0 "missing config written with defaults"
else
  result 1 "missing config written with defaults" "$(cat "$link_dir/config.yaml" 2>&1)"
fi
rm "$link_dir/allowlist.yaml"
EXITBOX_CONFIG_DIR="$link_dir" expect_status "setup keeps allowlist missing" 0 \
  "allowlist.yaml is missing" setup --role backend --yes

# Session options are checked before any engine is involved, in both forms.
mkdir -p "$work/project" "$work/extra"
# Runs expect_status in the project folder, not in a subshell, so the test
# counter advances.
in_project() {
  cd "$work/project" || exit 1
  expect_status "$@"
  cd - >/dev/null || exit 1
}
in_project "env short form reserved name" 2 "The variable HOME is reserved" -e HOME=/tmp shell
in_project "env long form reserved name" 2 "The variable https_proxy is reserved" --env https_proxy=x claude
in_project "env inline long form" 2 "The variable PATH is reserved" --env=PATH=/x claude
in_project "env inline short form" 2 "The variable NO_PROXY is reserved" -eNO_PROXY=x claude
in_project "env reserved error lists names" 2 "HOME, PATH, USER" -e EXITBOX_AGENT=x claude
in_project "env needs equals sign" 2 "expected KEY=VALUE" -e JUSTNAME claude
in_project "env invalid name" 2 "Invalid variable name “MY-KEY”" -e MY-KEY=1 claude
in_project "memory invalid value" 2 "Invalid --memory value “8x”" --memory 8x claude
in_project "memory inline invalid value" 2 "Invalid --memory value “0”" --memory=0 claude
in_project "cpus invalid value" 2 "Invalid --cpus value “many”" --cpus many shell
in_project "memory needs value" 2 "The option --memory needs a value" --memory
in_project "include dir missing" 2 "Cannot include the folder “$work/nope” (-i)" -i "$work/nope" claude
in_project "include dir long form missing" 2 "Cannot include the folder “$work/nope” (-i)" \
  --include-dir="$work/nope" claude
in_project "include dir read-only mount point" 2 "Create the empty folder $work/project/extra first" \
  -r -i "$work/extra" claude
in_project "no-env short form parses" 2 "The variable HOME is reserved" -n -e HOME=x claude
in_project "no-env long form parses" 2 "The variable HOME is reserved" --no-env --env HOME=x claude
in_project "session option on list rejected" 2 "apply to agent sessions and the shell" -e A=1 list

# The project registry.
expect_status "projects empty registry" 0 "No projects yet" projects
expect_status "projects rejects arguments" 2 "“projects” takes no arguments" projects all
mkdir -p "$EXITBOX_DATA_DIR"
printf '{"projects": [' > "$EXITBOX_DATA_DIR/projects.json"
expect_status "projects reports corrupt registry" 1 "projects.json is invalid" projects
if [ "$(cat "$EXITBOX_DATA_DIR/projects.json")" = '{"projects": [' ]; then
  result 0 "corrupt registry is left untouched"
else
  result 1 "corrupt registry is left untouched" "$(cat "$EXITBOX_DATA_DIR/projects.json")"
fi
printf '{"version": 1, "projects": [{"path": "%s", "key": "p-0", "last_used": "2026-01-02T03:04:05Z", "agents": ["claude", "shell"]}]}' \
  "$work/project" > "$EXITBOX_DATA_DIR/projects.json"
expect_status "projects lists path and agents" 0 "claude,shell" projects
printf '{"version": 1, "projects": [{"path": "%s", "key": "p-0", "last_used": "2026-01-02T03:04:05Z", "agents": ["claude"], "profiles_added": ["go"], "profiles_removed": ["node"]}]}' \
  "$work/project" > "$EXITBOX_DATA_DIR/projects.json"
expect_status "projects lists profile changes" 0 "profiles: +go, -node" projects

# Import copies the listed host files and prompts before replacing them.
fake_home="$work/fake-home"
mkdir -p "$fake_home/.claude"
echo '{"theme": "dark"}' > "$fake_home/.claude/settings.json"
echo '{"numStartups": 1}' > "$fake_home/.claude.json"
chmod 644 "$fake_home/.claude.json"
import() {
  HOME="$fake_home" XDG_CONFIG_HOME= XDG_DATA_HOME= XDG_STATE_HOME= "$exitbox_bin" import "$@" </dev/null 2>&1
}
output=$(import claude)
status=$?
managed="$EXITBOX_CONFIG_DIR/claude"
if [ $status -eq 0 ] && [ "$(cat "$managed/.claude.json")" = '{"numStartups": 1}' ] \
   && [ "$(stat -c %a "$managed/.claude.json")" = 600 ] && [ "$(stat -c %a "$managed/.claude")" = 700 ] \
   && [ "$(stat -c %a "$fake_home/.claude.json")" = 644 ]; then
  result 0 "import claude copies host files"
else
  result 1 "import claude copies host files" "exit status $status; output: $output; $(ls -laR "$managed" 2>&1)"
fi
echo '{"numStartups": 2}' > "$fake_home/.claude.json"
output=$(import claude)
status=$?
if [ $status -eq 1 ] && grep -qF -- "--yes" <<<"$output" \
   && [ "$(cat "$managed/.claude.json")" = '{"numStartups": 1}' ]; then
  result 0 "import without terminal keeps managed copy"
else
  result 1 "import without terminal keeps managed copy" "exit status $status; output: $output"
fi
output=$(import all --yes)
status=$?
if [ $status -eq 0 ] && [ "$(cat "$managed/.claude.json")" = '{"numStartups": 2}' ] \
   && grep -qF "Codex: nothing to import" <<<"$output"; then
  result 0 "import all with yes replaces copy"
else
  result 1 "import all with yes replaces copy" "exit status $status; output: $output"
fi
expect_status "import needs agent" 2 "“import” needs an agent name" import
expect_status "import rejects unknown agent" 2 "Unknown agent “gemini”" import gemini

expect_status "aliases prints one per agent" 0 "alias codex='exitbox run codex'" aliases
expect_status "logs needs agent or session" 2 "“logs” needs an agent name" logs
expect_status "logs session without logs" 1 "No session logs in $EXITBOX_CACHE_DIR/logs/sessions" logs --session
expect_status "logs rejects unknown agent" 2 "Unknown agent “gemini”" logs gemini

expect_status "import help lists sources" 0 "~/.claude and ~/.claude.json" import --help
expect_status "logs help explains session" 0 "--session  Show the newest ExitBox session log" logs -h
expect_status "projects help names registry" 0 "$EXITBOX_DATA_DIR/projects.json" projects --help
expect_status "aliases help" 0 "Usage: exitbox aliases" aliases --help

# Every command answers --help (or -h) with its usage and exit status 0,
# before it reads any file.
for command in list doctor enable disable firewall rebuild uninstall clean info completion; do
  expect_status "$command help" 0 "Usage: exitbox $command" "$command" --help
done
expect_status "run help lists session options" 0 "--allow-urls ENTRY" run --help
expect_status "firewall help lists allow answers" 0 "approve ID [--session|--always]" firewall --help
expect_status "help after an action" 0 "Usage: exitbox firewall status" firewall check --help
expect_status "help after an entry" 0 "Usage: exitbox allowlist" allowlist add example.com -h
expect_status "shell help lists session options" 0 "--include-dir DIR" shell -h
expect_status "doctor help explains fix" 0 "--fix   Write the engine configuration" doctor -h
EXITBOX_CONFIG_DIR="$work/help-config" "$exitbox_bin" doctor --help >/dev/null 2>&1
if [ ! -e "$work/help-config" ]; then
  result 0 "help writes no configuration"
else
  result 1 "help writes no configuration" "$(ls -la "$work/help-config")"
fi

expect_status "completion needs shell" 2 "needs one shell name" completion
expect_status "option value missing before command" 2 \
  "The option --memory needs a value, but the command “shell” follows it" --memory shell -- true
expect_status "short option value missing before agent" 2 \
  "The option -a/--allow-urls needs a value, but the command “claude” follows it" -a claude
expect_status "empty comma list is rejected" 2 "The option -t/--tools got “ , ”, which names nothing" \
  -t ' , ' shell -- true
expect_status "option after shell keeps its value" 2 "for example “exitbox -i 'my dir' shell”" \
  shell -i 'my dir'
expect_status "completion names unknown shell" 2 "no completion for the shell “tcsh”" completion tcsh
expect_status "approve rejects both answers" 2 "either --session or --always, not both" \
  firewall approve 0123abcd --session --always
expect_status "completion fish completes folders" 0 "-l include-dir -r -F" completion fish
# The bash function completes the long option after a prefix and the agents
# after "import", skipping an option's value.
output=$("$exitbox_bin" completion bash 2>&1 | bash -c 'source /dev/stdin
COMP_WORDS=(exitbox --inc); COMP_CWORD=1; _exitbox; echo "${COMPREPLY[*]}"
COMP_WORDS=(exitbox -e A=1 import c); COMP_CWORD=4; _exitbox; echo "${COMPREPLY[*]}"' 2>&1)
if [ "$output" = "$(printf -- '--include-dir\nclaude codex')" ]; then
  result 0 "completion bash completes words"
else
  result 1 "completion bash completes words" "$output"
fi

# Development profiles of the project in the current folder, kept in the
# project registry, and -t persisting packages to tools.user.
in_project "profile needs action" 2 "Usage: exitbox AGENT profile list" claude profile
in_project "profile rejects unknown action" 2 "Unknown profile command “enable”" claude profile enable
in_project "profile list marks defaults" 0 "* base" claude profile list
# Flutter is downloaded for Debian only, so an Alpine base cannot install it.
alpine_config="$work/alpine-config"
mkdir -p "$alpine_config"
printf 'settings:\n  base: alpine\n' > "$alpine_config/config.yaml"
EXITBOX_CONFIG_DIR="$alpine_config" in_project "profile list marks missing packages" 0 \
  "Dart (not installable on this base yet)" claude profile list
EXITBOX_CONFIG_DIR="$alpine_config" in_project "profile add without packages" 1 \
  "The profile “flutter” has no alpine package" claude profile add flutter
in_project "profile add by display name" 0 "Added the profile build-tools to $work/project" \
  codex profile add "Build Tools"
in_project "profile remove default" 0 "Removed the profile base from $work/project" \
  claude profile remove base
in_project "profile add unknown rejected" 2 "Unknown profile “nope”. The profiles are: base," \
  claude profile add nope
in_project "profile status shows added" 0 "build-tools  added to this project" claude profile status
in_project "profile status shows removed" 0 "base         removed from this project" \
  claude profile status
if grep -q '"profiles_removed"' "$EXITBOX_DATA_DIR/projects.json" \
   && grep -q '"build-tools"' "$EXITBOX_DATA_DIR/projects.json"; then
  result 0 "profile changes saved in registry"
else
  result 1 "profile changes saved in registry" "$(cat "$EXITBOX_DATA_DIR/projects.json")"
fi
cd "$work/project" || exit 1
output=$("$exitbox_bin" claude profile status 2>/dev/null)
if [ "$(sed -n 2p <<<"$output")" = "Profiles:" ]; then
  result 0 "profile status lists under heading"
else
  result 1 "profile status lists under heading" "$output"
fi
"$exitbox_bin" claude profile remove build-tools >/dev/null 2>&1
output=$("$exitbox_bin" claude profile remove build-tools 2>&1)
cd - >/dev/null || exit 1
if grep -qF "The project does not use the profile build-tools, so nothing changed." <<<"$output" \
   && ! grep -qF "rebuilt" <<<"$output"; then
  result 0 "profile remove unused changes nothing"
else
  result 1 "profile remove unused changes nothing" "$output"
fi

rm -f "$EXITBOX_CONFIG_DIR/config.yaml" "$EXITBOX_CONFIG_DIR/allowlist.yaml"
"$exitbox_bin" enable claude >/dev/null 2>&1
# A bogus engine makes the session fail after -t was saved.
cd "$work/project" || exit 1
output=$(CONTAINER_RUNTIME=bogus "$exitbox_bin" -t htop,jq --tools=htop claude 2>&1)
cd - >/dev/null || exit 1
config="$EXITBOX_CONFIG_DIR/config.yaml"
if grep -qF "Added jq to tools.user" <<<"$output" \
   && [ "$(grep -A3 '^  user:' "$config")" = "$(printf '  user:\n    - htop\n    - jq\n')" ] \
   && grep -q '^  # Extra packages of the base distribution' "$config"; then
  result 0 "tools option persists to config"
else
  result 1 "tools option persists to config" "$output
$(cat "$config")"
fi
before=$(sha256sum "$config")
in_project "tools option rejects bad name" 2 "The package name “Bad”" -t Bad claude
if [ "$(sha256sum "$config")" = "$before" ]; then
  result 0 "tools bad name keeps config"
else
  result 1 "tools bad name keeps config" "$(cat "$config")"
fi
in_project "tools option on list rejected" 2 "apply to agent sessions and the shell" -t htop list

# Image commands against fake-build-engine.py as podman, with a store of
# ExitBox images and one distribution image that must survive.
fake_bin="$work/bin"
mkdir -p "$fake_bin" "$work/engine/contexts"
printf '#!/bin/sh\nexec python3 %q "$@"\n' "$G_TEST_SRCDIR/fake-build-engine.py" > "$fake_bin/podman"
chmod +x "$fake_bin/podman"
cat > "$work/engine/images.json" <<'JSON'
[
 {"Id": "aa01", "RepoTags": ["docker.io/library/debian:bookworm-slim"], "Labels": {}},
 {"Id": "bb02", "RepoTags": ["localhost/exitbox-base:latest"],
  "Labels": {"exitbox.version": "1", "exitbox.uid": "1000"}},
 {"Id": "cc03", "RepoTags": ["localhost/exitbox-claude-core:latest"],
  "Labels": {"exitbox.version": "1", "exitbox.agent": "claude", "exitbox.agent.version": "2.0.1",
             "exitbox.parent": "bb02"}},
 {"Id": "ee05", "RepoTags": [],
  "Labels": {"exitbox.version": "1", "exitbox.agent": "claude", "exitbox.parent": "bb02"}},
 {"Id": "ab07", "RepoTags": ["localhost/exitbox-codex-core:latest"],
  "Labels": {"exitbox.version": "1", "exitbox.agent": "codex", "exitbox.parent": "bb02"}}
]
JSON
fake_engine() {
  PATH="$fake_bin:$PATH" CONTAINER_RUNTIME=podman FAKE_ENGINE_DIR="$work/engine" expect_status "$@"
}
fake_engine "uninstall needs agent" 2 "“uninstall” needs one agent name" uninstall
fake_engine "uninstall rejects option" 2 "Unknown uninstall option “--all”" uninstall claude --all
fake_engine "clean rejects other word" 2 "“clean” takes only the word all, but got “old”" clean old
fake_engine "rebuild needs agent" 2 "“rebuild” needs one agent name" rebuild
fake_engine "rebuild rejects unknown agent" 2 "Unknown agent “gemini”" rebuild gemini
fake_engine "list shows installed version" 0 "version 2.0.1 installed" list
fake_engine "clean removes untagged" 0 "Removed 1 image." clean
fake_engine "clean all asks without terminal" 1 "pass --yes" clean all </dev/null
fake_engine "uninstall removes agent images" 0 "Removed 1 image." uninstall codex --yes
fake_engine "clean all removes the rest" 0 "Removed 2 images." clean all --yes
if grep -q '"aa01"' "$work/engine/images.json" && ! grep -q '"bb02"' "$work/engine/images.json"; then
  result 0 "clean all keeps other images"
else
  result 1 "clean all keeps other images" "$(cat "$work/engine/images.json")"
fi
fake_engine "clean with nothing left" 0 "There are no untagged ExitBox images." clean

# Setup options: missing values, repeats and letter case.
case_dir="$work/case-config"
EXITBOX_CONFIG_DIR="$case_dir" expect_status "setup option value missing" 2 \
  "The option --role needs" setup --role --yes
EXITBOX_CONFIG_DIR="$case_dir" expect_status "setup ids in any case" 0 "Saved the setup" \
  setup --role Backend --role DEVOPS --tool-categories Database --agents Claude --yes
if grep -qx "  - devops" "$case_dir/config.yaml" && grep -qx "  - backend" "$case_dir/config.yaml"; then
  result 0 "setup repeated role adds"
else
  result 1 "setup repeated role adds" "$(cat "$case_dir/config.yaml")"
fi
EXITBOX_CONFIG_DIR="$case_dir" expect_status "allowlist entry after separator" 1 \
  "the label “-x” starts or ends with “-”" allowlist add -- -x.example.com
expect_status "allowlist help" 0 "Put “--” before an entry" allowlist --help

EXITBOX_CONFIG_DIR="$case_dir" expect_status "enable agent in any case" 0 "Codex" enable CODEX
expect_status "setup rejects argument" 2 "“setup” takes options only" setup extra

# Runtime allow requests: a request file as a session's ExitBox process
# writes it, owned by this shell's process so that it counts as waiting.
export EXITBOX_RUNTIME_DIR="$work/run"
requests_dir="$EXITBOX_RUNTIME_DIR/requests"
mkdir -p "$requests_dir"
expect_status "firewall pending without requests" 0 "No allow requests are waiting." firewall pending
deadline=$(( $(date +%s) + 100 ))
printf '{"id": "0a1b2c3d", "session": "exitbox-shell-x-0000000b", "agent": null,
  "project": "/home/user/demo", "entry": "pypi.org",
  "rule": "Allow pypi.org and its subdomains on ports 443 and 80",
  "created": %d, "deadline": %d, "pid": %d}\n' "$(date +%s)" "$deadline" "$$" \
  > "$requests_dir/0a1b2c3d.json"
expect_status "firewall pending lists request" 0 \
  "Allow pypi.org and its subdomains on ports 443 and 80" firewall pending
expect_status "firewall approve rejects unknown flag" 2 "but got “--forever”" \
  firewall approve 0a1b2c3d --forever
expect_status "firewall deny rejects unknown id" 1 "No pending allow request has the id “ffffffff”" \
  firewall deny ffffffff
expect_status "firewall approve writes always" 0 "Allowed pypi.org always" \
  firewall approve 0a1b2c3d --always
if [ "$(cat "$requests_dir/0a1b2c3d.answer" 2>&1)" = always ]; then
  result 0 "firewall approve stores answer"
else
  result 1 "firewall approve stores answer" "$(cat "$requests_dir/0a1b2c3d.answer" 2>&1)"
fi
expect_status "firewall approve defaults to session" 0 "for the session exitbox-shell-x-0000000b" \
  firewall approve 0a1b2c3d
unset EXITBOX_RUNTIME_DIR

# Without a container engine a session ends with the engine status 125.
mkdir -p "$work/engine-project"
output=$(cd "$work/engine-project" && EXITBOX_CONFIG_DIR="$case_dir" PATH=/nonexistent \
           "$exitbox_bin" shell -- true 2>&1)
status=$?
if [ $status -eq 125 ] && grep -qF "No container engine was found" <<<"$output"; then
  result 0 "missing engine exits 125"
else
  result 1 "missing engine exits 125" "exit status $status; output: $output"
fi

exit $((failures > 0))
