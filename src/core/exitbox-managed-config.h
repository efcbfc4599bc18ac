/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each agent's configuration lives in a managed folder,
 * ~/.config/exitbox/<agent>/ (under EXITBOX_CONFIG_DIR when set), which is
 * mounted as the container's home folder /home/user. A path in the managed
 * folder is therefore the same path under the container's home: .claude is
 * /home/user/.claude, .claude.json is /home/user/.claude.json. Because the
 * folder is mounted rather than single files, an agent that replaces a file
 * by rename (Claude Code rewrites ~/.claude.json that way) works and the new
 * file persists. config.yaml and allowlist.yaml sit next to the managed
 * folders, never inside one, so no container can read them.
 */

/* One host path copied on import, and where its copy goes. */
typedef struct
{
  const char *managed_path;  /* relative to the managed folder */
  char       *host_path;     /* absolute */
} ExitboxManagedSource;

void exitbox_managed_source_free (ExitboxManagedSource *source);

/* The agent's managed folder. */
char      *exitbox_managed_config_dup_dir          (const char  *agent_id);

/* The host paths the agent's configuration is imported from: Claude Code's
 * ~/.claude and ~/.claude.json, Codex's ~/.codex, and OpenCode's folders
 * under $XDG_CONFIG_HOME, $XDG_DATA_HOME and $XDG_STATE_HOME. Nothing else
 * of the home folder is read.
 */
GPtrArray *exitbox_managed_config_dup_sources      (const char  *agent_id);

/* TRUE when the managed folder contains a copy of any import source. */
gboolean   exitbox_managed_config_has_imported     (const char  *agent_id);

/* Copies every import source that exists on the host into the managed
 * folder, replacing the managed copies of those sources only. Copies get
 * mode 0700 for folders, 0600 for files and 0700 for files the owner could
 * execute (hooks and scripts). Symbolic links to files are copied as
 * files; links to folders, dangling links and special files are skipped
 * with a note in @notes. The host files are only read. The new copies are
 * staged in the managed folder and renamed into place, so a failed import
 * leaves the previous copies as they were. Sets @out_count to the number of
 * sources copied.
 */
gboolean   exitbox_managed_config_import           (const char  *agent_id,
                                                    guint       *out_count,
                                                    GPtrArray   *notes,
                                                    GError     **error);

/* Creates the managed folder with mode 0700 on the agent's first use and
 * imports the host configuration into it. Later calls only check that the
 * folder exists. Sets @out_imported when this call copied anything from
 * the host; a host without the agent's configuration gives an empty folder.
 */
gboolean   exitbox_managed_config_ensure           (const char  *agent_id,
                                                    gboolean    *out_imported,
                                                    GPtrArray   *notes,
                                                    GError     **error);

G_END_DECLS
