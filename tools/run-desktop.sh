#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Sets up a Debian 12 machine for ExitBox and opens the desktop window. It
# installs the packages (sudo) and builds into _build/app. It makes a local
# Debian base image when none is configured, fixes the container engine
# settings that `exitbox doctor` finds, then starts exitbox-desktop. Safe to
# run again.

set -eu

source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir="$source_dir/_build/app"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

"$source_dir/tools/install-deps.sh"

if [ ! -f "$build_dir/build.ninja" ]; then
  meson setup "$build_dir" "$source_dir"
fi
meson compile -C "$build_dir"
exitbox="$build_dir/src/cli/exitbox"

# Rootless podman needs a runtime folder and /dev/net/tun, and both need root once.
if [ "$(id -u)" -ne 0 ]; then
  if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
    export XDG_RUNTIME_DIR="/run/user/$(id -u)"
  fi
  if [ ! -d "$XDG_RUNTIME_DIR" ]; then
    as_root install -d -m 0700 -o "$(id -u)" -g "$(id -g)" "$XDG_RUNTIME_DIR"
  fi
  if [ ! -r /dev/net/tun ] || [ ! -w /dev/net/tun ]; then
    echo "Granting $(id -un) access to /dev/net/tun for rootless networking (sudo)"
    as_root setfacl -m "u:$(id -un):rw" /dev/net/tun 2>/dev/null \
      || as_root chmod 0666 /dev/net/tun
  fi
fi

# Engine settings first: the storage driver can only change while podman's
# storage is still empty.
"$exitbox" doctor --fix --yes || echo "exitbox doctor still reports problems; see above." >&2

# Without a registry, build on a local Debian image made from the mirror,
# and record it in config.yaml so the command line uses it too.
config_dir="${EXITBOX_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/exitbox}"
config_file="$config_dir/config.yaml"
local_image=localhost/exitbox-debian:bookworm
example_line='  # base_image: registry.example.com/mirror/debian:bookworm-slim'

if [ -z "${EXITBOX_BASE_IMAGE:-}" ] && ! grep -qE '^[[:space:]]+base_image:' "$config_file" 2>/dev/null; then
  if ! podman image exists "$local_image"; then
    # EXITBOX_ROOTFS_TARBALL: a root file system an administrator made for a
    # user without sudo; importing it needs no root.
    "$source_dir/tools/make-base-image.sh" \
      ${EXITBOX_ROOTFS_TARBALL:+--rootfs-tarball "$EXITBOX_ROOTFS_TARBALL"} "$local_image"
  fi

  # Only a file that still has the default's example line is edited.
  [ -e "$config_file" ] || "$exitbox" list >/dev/null
  if grep -qxF "$example_line" "$config_file"; then
    sed -i "s|^$example_line\$|  base_image: $local_image|" "$config_file"
    echo "Set settings.base_image: $local_image in $config_file"
  else
    echo "Add 'base_image: $local_image' under 'settings:' in $config_file to build on the local image." >&2
    export EXITBOX_BASE_IMAGE="$local_image"
  fi
fi

# Again with a test container from the base image, which shows the
# problems that only a running container reveals.
"$exitbox" doctor --fix --yes || echo "exitbox doctor still reports problems; see above." >&2

echo "The command line is at $exitbox"
exec "$build_dir/src/app/exitbox-desktop" "$@"
