/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib.h>

#include "exitbox-project.h"

G_BEGIN_DECLS

/* One project in the registry. */
typedef struct
{
  char       *path;       /* canonical real path */
  char       *key;        /* the project key at the last use */
  GDateTime  *last_used;  /* UTC */
  char      **agents;     /* agents started in it, "shell" for shell sessions */
} ExitboxProjectRecord;

void exitbox_project_record_free (ExitboxProjectRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxProjectRecord, exitbox_project_record_free)

/* $XDG_DATA_HOME/exitbox/projects.json, or under EXITBOX_DATA_DIR. */
char      *exitbox_project_registry_dup_path   (void);

/* Reads the registry at @path, newest use first. A missing file is an empty
 * registry. A file that is not valid JSON or not a registry fails with
 * G_IO_ERROR_INVALID_DATA naming the file.
 */
GPtrArray *exitbox_project_registry_load       (const char      *path,
                                                GError         **error);

/* Records that @agent_id (NULL for a shell) started in @project at @when and
 * saves the registry atomically with mode 0600. Members the registry holds
 * that this version does not know are kept. A file that fails to load is
 * never overwritten: the error is returned instead.
 */
gboolean   exitbox_project_registry_record_use (const char      *path,
                                                ExitboxProject  *project,
                                                const char      *agent_id,
                                                GDateTime       *when,
                                                GError         **error);

G_END_DECLS
