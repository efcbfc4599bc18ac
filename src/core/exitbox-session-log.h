/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One session's log file in $XDG_CACHE_HOME/exitbox/logs/sessions/ (or
 * EXITBOX_CACHE_DIR/logs/sessions), mode 0600: start time, project, agent, container,
 * image and engine argv, then the end time and exit status. The argv
 * contains no variable values because those travel in the env file.
 */
typedef struct _ExitboxSessionLog ExitboxSessionLog;

/* The folder of the session logs. */
char              *exitbox_session_log_dup_dir    (void);

/* Creates the log and writes the start lines. */
ExitboxSessionLog *exitbox_session_log_begin      (const char          *project_path,
                                                   const char          *agent_id,
                                                   const char          *container_name,
                                                   const char          *image,
                                                   const char * const  *argv,
                                                   GError             **error);
const char        *exitbox_session_log_get_path   (ExitboxSessionLog   *log);
/* Appends the end time and @exit_status, or @failure when the engine could
 * not be run (then @exit_status is ignored).
 */
gboolean           exitbox_session_log_end        (ExitboxSessionLog   *log,
                                                   int                  exit_status,
                                                   const char          *failure,
                                                   GError             **error);
void               exitbox_session_log_free       (ExitboxSessionLog   *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxSessionLog, exitbox_session_log_free)

/* The newest file ending in @suffix below @dir, searched recursively
 * without following links, by modification time. NULL when there is none
 * or @dir is missing.
 */
char              *exitbox_find_newest_file       (const char          *dir,
                                                   const char          *suffix);

G_END_DECLS
