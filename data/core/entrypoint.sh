#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Entrypoint of every ExitBox agent image. When EXITBOX_AGENT names an
# agent, it writes the sandbox notice into that agent's instructions file,
# then runs the given command, else the agent (or a shell without an agent).

set -eu

BEGIN_MARKER='<!-- BEGIN EXITBOX SANDBOX -->'
END_MARKER='<!-- END EXITBOX SANDBOX -->'

print_notice () {
  cat <<'NOTICE'

# ExitBox sandbox

You are running inside an ExitBox sandbox container, not directly on the
user's computer.

- The project is mounted at /workspace. Work only there: files elsewhere in
  the container are not the user's and are lost when the session ends.
- All network traffic goes through an allowlisting proxy. A request to a
  domain that is not on the allowlist fails, and the proxy answers it with
  HTTP 403. Do not try to get around the proxy. To ask the user for access,
  run `exitbox-allow DOMAIN` (for example `exitbox-allow api.example.com`).
  The user sees the request on the host and allows it for this session,
  allows it always, or denies it. The command waits for the answer and exits
  with status 0 when the domain is allowed, which takes effect at once, and
  1 when it is denied or nobody answers in time. Ask for one domain at a
  time and only for what the task needs.
- All Linux capabilities are dropped and no-new-privileges is set. You cannot
  use sudo, run containers (docker or podman) or install system packages.
- The tools in this container come from the user's ExitBox profiles. If a
  tool is missing, ask the user to add it to the project's profiles.

NOTICE
}

instructions_file () {
  case "$1" in
    claude) printf '%s\n' "$HOME/.claude/CLAUDE.md" ;;
    codex) printf '%s\n' "$HOME/.codex/AGENTS.md" ;;
    opencode) printf '%s\n' "$HOME/.config/opencode/AGENTS.md" ;;
    *) return 1 ;;
  esac
}

# Copies the file to stdout without any sandbox block. The awk program prints
# every line with a newline, so the only byte it can add is a final newline
# that was missing. A block is a BEGIN line, the lines after it and the next
# END line. A marker without its partner is dropped alone, so text after an
# unterminated BEGIN is kept.
strip_blocks () {
  awk -v begin="$BEGIN_MARKER" -v end="$END_MARKER" '
    {
      line = $0
      sub(/\r$/, "", line)
    }
    in_block && line == end { in_block = 0; pending = ""; next }
    in_block && line == begin { printf "%s", pending; pending = ""; next }
    in_block { pending = pending $0 "\n"; next }
    line == begin { in_block = 1; pending = ""; next }
    line == end { next }
    { print }
    END { if (in_block) printf "%s", pending }
  ' "$1"
}

# Rewrites the instructions file with the user's text first and one fresh
# block at the end. Errors are returned, not fatal: a session without the
# notice is better than no session.
write_notice () {
  file=$1
  dir=$(dirname "$file")
  mkdir -p "$dir" || return 1
  tmp=$(mktemp "$dir/.exitbox-notice.XXXXXX") || return 1

  if [ -f "$file" ]; then
    if ! strip_blocks "$file" > "$tmp"; then
      rm -f "$tmp"
      return 1
    fi
  fi

  if ! { printf '%s\n' "$BEGIN_MARKER"; print_notice; printf '%s\n' "$END_MARKER"; } >> "$tmp"; then
    rm -f "$tmp"
    return 1
  fi

  # A symbolic link or a file mounted on its own cannot be replaced by
  # rename, so its content is overwritten in place instead.
  if [ -L "$file" ] || ! mv -f "$tmp" "$file" 2>/dev/null; then
    if ! cat "$tmp" > "$file"; then
      rm -f "$tmp"
      return 1
    fi
    rm -f "$tmp"
  fi
}

# Prints the name of a tmux terminal type this image has a terminfo entry
# for.
tmux_terminal () {
  for dir in /usr/share/terminfo /lib/terminfo /etc/terminfo; do
    if [ -e "$dir/t/tmux-256color" ]; then
      echo tmux-256color
      return
    fi
  done
  echo screen-256color
}

# Runs the command inside tmux with EXITBOX_STATUS_LINE as a one-line status
# bar at the top of the terminal, then exits with the command's status. Every
# key goes to the command: tmux gets no prefix key and no key bindings. The
# text reaches tmux through a user option, whose value tmux shows as it is,
# so "#(...)" in a folder name is never run as a command.
run_with_status_line () {
  dir=$(mktemp -d "${TMPDIR:-/tmp}/exitbox-status.XXXXXX") || exec "$@"
  # In a double-quoted tmux string, backslash, double quote and dollar are
  # the special characters.
  text=$(printf '%s' "$EXITBOX_STATUS_LINE" | sed -e 's/[\\"$]/\\&/g')
  unset EXITBOX_STATUS_LINE

  cat > "$dir/tmux.conf" <<CONF
set -g prefix None
set -g prefix2 None
unbind-key -a
set -g mouse off
set -g escape-time 0
set -g focus-events on
set -g history-limit 10000
set -g default-terminal "$(tmux_terminal)"
set -as terminal-features ",*:RGB"
set -g status-position top
set -g status-style reverse
set -g status-right ""
set -g status-left-length 1000
set -g window-status-format ""
set -g window-status-current-format ""
set -g @exitbox_status "$text"
set -g status-left " #{@exitbox_status}"
CONF

  # The pane runs this script again, which then only runs the command (see
  # run_in_pane), because tmux itself exits with 0 whatever the command did.
  # The attached tmux client (3.3a) draws through its standard input, which
  # is the terminal, and prints its exit message ("[exited]") to standard
  # output, so standard output goes to /dev/null. Its errors still reach
  # standard error.
  tmux_status=0
  TMUX_TMPDIR=$dir tmux -f "$dir/tmux.conf" new-session -s exitbox \
    -e "EXITBOX_STATUS_PANE=$dir" -- sh "$0" "$@" > /dev/null || tmux_status=$?

  # tmux leaves the alternate screen and clears it, so the session's text
  # is printed again, without the blank lines at its end and without NUL
  # bytes, which a terminal shows as garbage.
  if [ -s "$dir/screen" ]; then
    tr -d '\000' < "$dir/screen" |
      awk '{ line[NR] = $0 } $0 != "" { last = NR } END { for (i = 1; i <= last; i++) print line[i] }'
    printf '\033[m'
  fi

  if [ -f "$dir/status" ]; then
    status=$(cat "$dir/status")
    rm -rf "$dir"
    exit "$status"
  fi

  if [ ! -e "$dir/started" ]; then
    rm -rf "$dir"
    echo "exitbox-entrypoint: warning: tmux could not start (status $tmux_status), so the session runs without the status line" >&2
    exec "$@"
  fi

  rm -rf "$dir"
  echo "exitbox-entrypoint: tmux ended before the command reported its exit status" >&2
  exit 1
}

# Runs in the tmux pane of run_with_status_line: runs the command, records
# that it started and its exit status, and saves the pane's text.
run_in_pane () {
  dir=$EXITBOX_STATUS_PANE
  unset EXITBOX_STATUS_PANE
  : > "$dir/started"

  status=0
  "$@" || status=$?
  echo "$status" > "$dir/status"

  # tmux reads the pane's output asynchronously, so the command's last lines
  # get a moment to reach the pane before its text is saved.
  sleep 0.2
  tmux capture-pane -p -e -J -S - > "$dir/screen" 2>/dev/null || true
  exit 0
}

if [ -n "${EXITBOX_STATUS_PANE:-}" ]; then
  run_in_pane "$@"
fi

agent=${EXITBOX_AGENT:-}

if [ -n "$agent" ]; then
  if ! file=$(instructions_file "$agent"); then
    echo "exitbox-entrypoint: unknown agent '$agent' in EXITBOX_AGENT; expected claude, codex or opencode" >&2
    exit 64
  fi

  if ! write_notice "$file"; then
    echo "exitbox-entrypoint: warning: could not write the sandbox notice to $file" >&2
  fi
fi

if [ "$#" -eq 0 ]; then
  if [ -n "$agent" ]; then
    set -- "$agent"
  elif command -v bash >/dev/null 2>&1; then
    set -- bash
  else
    set -- sh
  fi
fi

if [ -n "${EXITBOX_STATUS_LINE:-}" ] && [ -t 0 ] && [ -t 1 ] && command -v tmux >/dev/null 2>&1; then
  run_with_status_line "$@"
fi

unset EXITBOX_STATUS_LINE
exec "$@"
