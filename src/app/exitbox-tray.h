/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <gio/gio.h>

#include "exitbox-application.h"

G_BEGIN_DECLS

/* Object paths of the StatusNotifierItem and of its com.canonical.dbusmenu
 * menu on the application's session-bus connection.
 */
#define EXITBOX_TRAY_ITEM_PATH "/StatusNotifierItem"
#define EXITBOX_TRAY_MENU_PATH "/StatusNotifierItem/Menu"

/* The tray menu lists at most this many recent projects. */
#define EXITBOX_TRAY_MAX_PROJECTS 5

#define EXITBOX_TYPE_TRAY (exitbox_tray_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxTray, exitbox_tray, EXITBOX, TRAY, GObject)

/* The tray icon: an org.kde.StatusNotifierItem with a com.canonical.dbusmenu
 * menu, exported on @connection. It registers with
 * org.kde.StatusNotifierWatcher whenever a watcher owns that name. The
 * application owns the tray, and the tray keeps no reference to it.
 */
ExitboxTray *exitbox_tray_new                  (ExitboxApplication *application,
                                                GDBusConnection    *connection);

/* Whether a watcher accepted the item since it last appeared. */
gboolean     exitbox_tray_get_registered       (ExitboxTray        *self);
/* Whether the watcher reports a host that displays tray items, so the
 * window may hide into the tray.
 */
gboolean     exitbox_tray_get_host_registered  (ExitboxTray        *self);
/* The bus name sent to RegisterStatusNotifierItem, or NULL before the first
 * registration.
 */
const char  *exitbox_tray_get_service          (ExitboxTray        *self);
/* The label of the menu's firewall item, for example "Firewall stopped". */
const char  *exitbox_tray_get_firewall_text    (ExitboxTray        *self);

/* Rebuilds the menu from projects.json and config.yaml. The tray calls it
 * itself after a reload and after projects.json changes.
 */
void         exitbox_tray_rebuild_menu         (ExitboxTray        *self);

G_END_DECLS
