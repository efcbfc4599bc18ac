#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Installs what ExitBox needs to build, run and test on Debian 12, with
# apt-get (through sudo when not root). Usage: tools/install-deps.sh [--tests]

set -eu

packages="
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libglib2.0-bin libjson-glib-dev libyaml-dev libsoup-3.0-dev
  libgtk-4-dev libadwaita-1-dev libvte-2.91-gtk4-dev libdbusmenu-glib-dev
  desktop-file-utils appstream
  podman runc catatonit uidmap slirp4netns fuse-overlayfs debootstrap
  python3 python3-yaml
"
test_packages="
  squid curl acl xvfb xauth dbus dbus-x11 imagemagick
  clang libclang-rt-14-dev tmux
"

if [ "${1:-}" = "--tests" ]; then
  packages="$packages $test_packages"
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  else
    sudo "$@"
  fi
}

missing=""
for package in $packages; do
  dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $package"
done

if [ -n "$missing" ]; then
  echo "Installing:$missing"
  as_root apt-get update -q
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
