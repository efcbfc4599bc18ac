/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Folders of ExitBox's own state, read from the environment on every call so
 * tests can point them at temporary folders. EXITBOX_CONFIG_DIR,
 * EXITBOX_CACHE_DIR and EXITBOX_DATA_DIR override the XDG locations.
 */
char *exitbox_dup_config_dir (void);  /* $XDG_CONFIG_HOME/exitbox */
char *exitbox_dup_cache_dir  (void);  /* $XDG_CACHE_HOME/exitbox */
char *exitbox_dup_data_dir   (void);  /* $XDG_DATA_HOME/exitbox */

/* Replaces @path with @contents through a temporary file in the same
 * folder, fsync() and rename(), with exactly @mode. A symbolic link is
 * followed, so the file it points to is replaced and the link stays.
 */
gboolean exitbox_write_file_atomically (const char  *path,
                                        const char  *contents,
                                        gssize       length,
                                        int          mode,
                                        GError     **error);

G_END_DECLS
