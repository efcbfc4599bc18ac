/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib.h>

#include "exitbox-project.h"

G_BEGIN_DECLS

/* A folder given to -i/--include-dir, resolved. */
typedef struct
{
  char     *source;       /* canonical real path on the host */
  char     *destination;  /* /workspace/<name> */
  gboolean  read_only;
} ExitboxIncludeDir;

void exitbox_include_dir_free (ExitboxIncludeDir *include_dir);

/* Resolves the -i folders of a session in @project. Each one must exist and
 * be a folder. It is mounted at /workspace/<its name>, read-only when
 * @read_only. Fails with a message naming the folder when two folders have
 * the same name, when the project contains a file of that name, when the home
 * folder or "/" is given without @force, and when the mount point is missing
 * in a read-only project: the engine cannot create it there, so the message
 * names the folder to create.
 */
GPtrArray *exitbox_session_resolve_include_dirs (ExitboxProject      *project,
                                                 const char * const  *dirs,
                                                 gboolean             read_only,
                                                 gboolean             force,
                                                 GError             **error);

/* Checks --memory and --cpus values (either may be NULL). */
gboolean   exitbox_session_check_limits         (const char          *memory,
                                                 const char          *cpus,
                                                 GError             **error);

G_END_DECLS
