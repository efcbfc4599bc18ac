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
  char      **profiles_added;    /* profile ids the project adds to config.yaml `profiles` */
  char      **profiles_removed;  /* profile ids of config.yaml `profiles` it leaves out */
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

/* The record whose project key is @key in @records, or NULL. */
ExitboxProjectRecord *exitbox_project_registry_find_key (GPtrArray  *records,
                                                          const char *key);

/* Adds (@add TRUE) or removes @profile_id for @project on top of the
 * profiles in config.yaml (@defaults) and saves the registry atomically. An
 * id that @defaults contain is added by dropping it from the removals, and
 * one they lack is removed by dropping it from the additions, so the
 * registry keeps only the differences. Sets @out_changed to whether the
 * project's effective profiles changed. The id is not checked against the
 * catalogue here.
 */
gboolean   exitbox_project_registry_change_profile (const char          *path,
                                                    ExitboxProject      *project,
                                                    const char          *profile_id,
                                                    gboolean             add,
                                                    const char * const  *defaults,
                                                    gboolean            *out_changed,
                                                    GError             **error);

/* The effective profiles of the project with @project_key: @defaults with
 * the additions and removals the registry at @path keeps for it. Fails when
 * the registry cannot be read.
 */
char     **exitbox_project_registry_dup_profiles (const char          *path,
                                                  const char          *project_key,
                                                  const char * const  *defaults,
                                                  GError             **error);

/* The effective profiles: @defaults in order without @removed, then @added
 * in order, each id once. Any list may be NULL.
 */
char     **exitbox_project_resolve_profiles (const char * const *defaults,
                                             const char * const *added,
                                             const char * const *removed);

G_END_DECLS
