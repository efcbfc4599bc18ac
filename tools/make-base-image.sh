#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Makes a local Debian 12 base image without a container registry:
# debootstrap a minimal root file system from the machine's Debian mirror,
# then import it into the current user's podman storage. ExitBox builds its
# images on top of it when settings.base_image or EXITBOX_BASE_IMAGE names it.
#
# Usage: tools/make-base-image.sh [--rootfs-tarball FILE] [IMAGE]
#   IMAGE                  image name to create (default localhost/exitbox-debian:bookworm)
#   --rootfs-tarball FILE  reuse or write the root file system tarball at FILE
#                          (default $XDG_CACHE_HOME/exitbox/base/debian-bookworm.tar)
#
# debootstrap needs root; a user who is not root is asked for sudo unless the
# tarball exists already. Environment: EXITBOX_ENGINE (default podman),
# DEBIAN_MIRROR (default: debootstrap's own default mirror).

set -eu

image=localhost/exitbox-debian:bookworm
tarball="${XDG_CACHE_HOME:-$HOME/.cache}/exitbox/base/debian-bookworm.tar"
engine="${EXITBOX_ENGINE:-podman}"

while [ $# -gt 0 ]; do
  case "$1" in
    --rootfs-tarball)
      [ $# -ge 2 ] || { echo "make-base-image: --rootfs-tarball needs a file name" >&2; exit 2; }
      tarball="$2"
      shift 2
      ;;
    -h|--help)
      sed -n '5,19p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "make-base-image: unknown option '$1'; see --help" >&2
      exit 2
      ;;
    *)
      image="$1"
      shift
      ;;
  esac
done

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  else
    sudo "$@"
  fi
}

if [ ! -s "$tarball" ]; then
  # debootstrap lives in /usr/sbin, which is not on a normal user's PATH.
  debootstrap=$(PATH="$PATH:/usr/sbin:/sbin" command -v debootstrap) || {
    echo "make-base-image: debootstrap is missing; install it with 'sudo apt-get install debootstrap'" >&2
    exit 1
  }
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "make-base-image: debootstrap needs root, and sudo is not installed. Ask an administrator" >&2
    echo "to run, as root: $0 --rootfs-tarball /var/tmp/debian-bookworm.tar" >&2
    echo "(which also imports it for root), then run: $0 --rootfs-tarball /var/tmp/debian-bookworm.tar $image" >&2
    exit 1
  fi

  mkdir -p "$(dirname "$tarball")"
  rootfs=$(mktemp -d "${TMPDIR:-/tmp}/exitbox-rootfs.XXXXXX")
  trap 'as_root rm -rf "$rootfs"' EXIT

  echo "Creating a Debian 12 root file system in $rootfs (about a minute)..."
  # busybox gives the end-to-end tests a small HTTP server for upstream hosts.
  as_root "$debootstrap" --variant=minbase --include=ca-certificates,curl,busybox \
    bookworm "$rootfs" ${DEBIAN_MIRROR:+"$DEBIAN_MIRROR"} >/dev/null

  as_root tar -C "$rootfs" -cf "$tarball.partial" .
  as_root chmod 0644 "$tarball.partial"
  as_root chown "$(id -u):$(id -g)" "$tarball.partial"
  mv "$tarball.partial" "$tarball"
fi

echo "Importing $tarball as $image..."
"$engine" import --quiet --change 'CMD ["/bin/bash"]' "$tarball" "$image" >/dev/null
echo "Created $image"
