#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# exitbox-allow: asks the user on the host to allow one more destination
# through the ExitBox firewall. The request goes over the Unix socket that
# ExitBox mounts into the session; the user answers on the host, never in
# here. Exit status: 0 allowed, 1 denied (by the user, by the timeout or by
# the rate limit), 2 invalid input or no connection to the host.

set -u

socket=${EXITBOX_ALLOW_SOCKET:-/run/exitbox/allow.sock}

usage () {
  cat <<'USAGE'
Usage: exitbox-allow DOMAIN[:PORT]

Asks the user on the host to let this session reach DOMAIN (and its
subdomains) through the ExitBox firewall. DOMAIN may also be an IPv4 or
[IPv6] address, and a URL is reduced to its host and port. The command
waits until the user answers; without an answer the request is denied
after a timeout.

Exit status: 0 allowed, 1 denied, 2 invalid input or no connection to the host.
USAGE
}

case "${1:-}" in
  -h|--help)
    usage
    exit 0
    ;;
  '')
    usage >&2
    exit 2
    ;;
esac

if [ $# -ne 1 ]; then
  echo "exitbox-allow: expected one DOMAIN, but got $# arguments." >&2
  usage >&2
  exit 2
fi

if [ ! -S "$socket" ]; then
  echo "exitbox-allow: $socket is missing, so the host cannot be asked. This session" >&2
  echo "runs without the ExitBox firewall or was started by an older ExitBox." >&2
  exit 2
fi

body=$(mktemp) || exit 2
trap 'rm -f "$body"' EXIT

# The proxy variables would send the request to the firewall, not the host.
status=$(curl --silent --show-error --noproxy '*' \
              --unix-socket "$socket" \
              --max-time 3700 \
              --output "$body" --write-out '%{http_code}' \
              --data-urlencode "entry=$1" \
              http://localhost/allow) || {
  echo "exitbox-allow: the request to the host failed (curl exit status $?)." >&2
  exit 2
}

case "$status" in
  200)
    cat "$body"
    exit 0
    ;;
  403|429)
    cat "$body" >&2
    exit 1
    ;;
  *)
    cat "$body" >&2
    exit 2
    ;;
esac
