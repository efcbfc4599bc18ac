#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# Checks the structure of the Flatpak manifest, which cannot be built on a
# machine without the GNOME runtime: the app id, the runtime that matches
# the version pins, the permissions the engine seam and the tray need, and
# pinned sources for every module the runtime lacks. Prints TAP.
#
# Usage: test-flatpak-manifest.py MANIFEST SOURCE_ROOT

import json
import os
import re
import sys

import tap
from tap import report


MANIFEST = sys.argv[1]
SOURCE_ROOT = sys.argv[2]
APP_ID = "io.github.exitbox.ExitBox"

def module(manifest, name):
    for entry in manifest["modules"]:
        if entry.get("name") == name:
            return entry
    return None


def source_is_pinned(source):
    """An archive needs its SHA-256, a git source a commit; a folder of this
    checkout needs nothing."""
    kind = source.get("type")
    if kind == "dir":
        return True
    if kind in ("archive", "file"):
        return re.fullmatch(r"[0-9a-f]{64}", source.get("sha256", "")) is not None
    if kind == "git":
        return re.fullmatch(r"[0-9a-f]{40}", source.get("commit", "")) is not None
    return False


def main():
    print("1..12")
    with open(MANIFEST, encoding="utf-8") as file:
        manifest = json.load(file)
    finish_args = manifest.get("finish-args", [])
    names = [entry.get("name") for entry in manifest.get("modules", [])]

    report(manifest.get("app-id") == APP_ID, "app id matches the desktop file", manifest.get("app-id"))
    report(os.path.exists(os.path.join(SOURCE_ROOT, "data", APP_ID + ".desktop.in")),
           "desktop file of the app id exists")
    # GNOME 43 ships GLib 2.74, GTK 4.8 and libadwaita 1.2, the versions the
    # build pins with its version macros.
    report(manifest.get("runtime") == "org.gnome.Platform"
           and manifest.get("sdk") == "org.gnome.Sdk"
           and manifest.get("runtime-version") == "43",
           "runtime is GNOME 43", json.dumps({k: manifest.get(k) for k in ("runtime", "sdk", "runtime-version")}))
    report(manifest.get("command") == "exitbox-desktop", "command is exitbox-desktop", manifest.get("command"))

    # flatpak-spawn --host needs the Flatpak portal's development interface.
    report("--talk-name=org.freedesktop.Flatpak" in finish_args,
           "may run podman on the host", finish_args)
    report("--talk-name=org.kde.StatusNotifierWatcher" in finish_args
           and any(arg in ("--own-name=org.kde.*", "--own-name=org.kde.StatusNotifierItem-*")
                   for arg in finish_args),
           "may register a tray item", finish_args)
    broad = [arg for arg in finish_args
             if arg in ("--socket=session-bus", "--socket=system-bus", "--filesystem=host",
                        "--filesystem=/", "--device=all")]
    report(not broad, "no whole-bus or whole-host access", broad)

    unpinned = [entry.get("name") for entry in manifest.get("modules", [])
                if not all(source_is_pinned(source) for source in entry.get("sources", []))]
    report(not unpinned, "every module source is pinned", unpinned)

    # The GNOME runtime has json-glib and libsoup 3, but not these.
    missing = [name for name in ("libyaml", "vte", "libdbusmenu-glib") if name not in names]
    report(not missing, "runtime's missing libraries are modules", missing)

    vte = module(manifest, "vte") or {}
    report("-Dgtk4=true" in vte.get("config-opts", []) and "-Dgtk3=false" in vte.get("config-opts", []),
           "vte built for GTK 4 only", vte.get("config-opts"))

    # The tray must stay GTK-free: GTK 3 cannot be loaded next to GTK 4.
    dbusmenu = module(manifest, "libdbusmenu-glib") or {}
    report("--disable-gtk" in dbusmenu.get("config-opts", []),
           "libdbusmenu built without GTK", dbusmenu.get("config-opts"))

    exitbox = module(manifest, "exitbox") or {}
    report(names and names[-1] == "exitbox"
           and exitbox.get("buildsystem") == "meson"
           and {"type": "dir", "path": ".."} in exitbox.get("sources", []),
           "app built last from this checkout", json.dumps(exitbox))

    return tap.exit_status()


if __name__ == "__main__":
    sys.exit(main())
