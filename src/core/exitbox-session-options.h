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
 * @read_only. Fails with a message naming the folder in these cases: two
 * folders have the same name, the project contains a file of that name, or
 * the home folder or "/" is given without @force. It also fails when the
 * mount point is missing in a read-only project, because the engine cannot
 * create it there. That message names the folder to create.
 */
GPtrArray *exitbox_session_resolve_include_dirs (ExitboxProject      *project,
                                                 const char * const  *dirs,
                                                 gboolean             read_only,
                                                 gboolean             force,
                                                 GError             **error);

/* The git folder a project that is a linked worktree needs. Such a
 * project's .git is a file naming its folder under the main repository's
 * .git/worktrees/, and git inside the container follows that absolute host
 * path. Returns the repository's common git folder, canonical, when git
 * set it up for this project (its worktrees/<name>/gitdir points back at
 * the project's .git) and it lies outside the project. Returns NULL in
 * every other case, including a .git file that was rewritten.
 */
char      *exitbox_session_dup_git_mount        (ExitboxProject      *project);

/* Checks --memory and --cpus values (either may be NULL). */
gboolean   exitbox_session_check_limits         (const char          *memory,
                                                 const char          *cpus,
                                                 GError             **error);

G_END_DECLS
