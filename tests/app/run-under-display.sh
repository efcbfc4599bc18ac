#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Runs a command with an X display and a D-Bus session bus, for the desktop
# tests. Without DISPLAY it starts Xvfb, which picks a free display number
# itself (-displayfd), and stops it afterwards. Without a session bus it runs
# the command under dbus-run-session. Exits with the command's status.
#
# Usage: run-under-display.sh PROGRAM [ARGUMENT...]

set -u

xvfb_pid=
display_file=

cleanup () {
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null
    wait "$xvfb_pid" 2>/dev/null
  fi
  if [ -n "$display_file" ]; then
    rm -f "$display_file"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${DISPLAY:-}" ]; then
  display_file=$(mktemp) || exit 1
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$display_file" >/dev/null 2>&1 &
  xvfb_pid=$!

  # Xvfb writes the display number once it accepts connections; give up
  # after 30 seconds.
  tries=0
  while [ ! -s "$display_file" ]; do
    if ! kill -0 "$xvfb_pid" 2>/dev/null; then
      echo "run-under-display: Xvfb exited before it was ready" >&2
      exit 1
    fi
    tries=$((tries + 1))
    if [ "$tries" -gt 300 ]; then
      echo "run-under-display: Xvfb did not start within 30 seconds" >&2
      exit 1
    fi
    sleep 0.1
  done

  DISPLAY=":$(head -n 1 "$display_file")"
  export DISPLAY
fi

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  dbus-run-session -- "$@"
else
  "$@"
fi
status=$?
exit "$status"
