/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define EXITBOX_TYPE_PROJECT (exitbox_project_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxProject, exitbox_project, EXITBOX, PROJECT, GObject)

/* A project folder, identified by its canonical real path. */
ExitboxProject *exitbox_project_new      (const char     *path,
                                          GError        **error);
/* Canonical absolute path, symlinks resolved. */
const char     *exitbox_project_get_path (ExitboxProject *self);
/* The folder's base name, for display. */
const char     *exitbox_project_get_name (ExitboxProject *self);
/* An ASCII slug plus a short hash of the path, valid in every engine's image
 * and container names whatever the path contains.
 */
const char     *exitbox_project_get_key  (ExitboxProject *self);
/* Fails with G_IO_ERROR_PERMISSION_DENIED when the project is the home
 * folder or "/", which would expose ~/.ssh and every credential on the host.
 */
gboolean        exitbox_project_check_safe (ExitboxProject  *self,
                                            GError         **error);

G_END_DECLS
