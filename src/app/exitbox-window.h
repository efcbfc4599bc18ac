/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <adwaita.h>

#include "exitbox-agent-row.h"
#include "exitbox-application.h"
#include "exitbox-core.h"
#include "exitbox-status-bar.h"

G_BEGIN_DECLS

#define EXITBOX_TYPE_WINDOW (exitbox_window_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxWindow, exitbox_window, EXITBOX, WINDOW, AdwApplicationWindow)

ExitboxWindow    *exitbox_window_new                    (ExitboxApplication *application);

/* Makes @path the project new sessions run in. A path the core rejects is
 * reported in a toast and the current project stays.
 */
void              exitbox_window_open_project           (ExitboxWindow      *self,
                                                         const char         *path);
ExitboxProject   *exitbox_window_get_project            (ExitboxWindow      *self);

/* Starts a session of agent @id ("shell" or "" for a shell) in a new tab.
 * When nothing can be launched (no engine, a broken config.yaml, no
 * project) it starts nothing, shows the agent list and a toast with the
 * reason, and returns FALSE with @error set to that reason.
 */
gboolean          exitbox_window_launch                 (ExitboxWindow      *self,
                                                         const char         *id,
                                                         GError            **error);
/* The name of the view the window shows: "agents" or "sessions". */
const char       *exitbox_window_get_view               (ExitboxWindow      *self);
/* Shows the view @name, "agents" or "sessions" as the view switcher does. */
void              exitbox_window_set_view               (ExitboxWindow      *self,
                                                         const char         *name);
/* The text of the newest toast, or NULL. For tests. */
const char       *exitbox_window_get_last_toast         (ExitboxWindow      *self);

/* Whether engine queries for the agent list or the status bar are pending. */
gboolean          exitbox_window_get_refreshing         (ExitboxWindow      *self);
/* Sessions that are preparing or running. */
/* Stops every running session without asking and returns how many ran.
 * Their containers stop in the background.
 */
guint             exitbox_window_stop_sessions           (ExitboxWindow      *self);
guint             exitbox_window_get_n_active_sessions  (ExitboxWindow      *self);

ExitboxAgentRow  *exitbox_window_get_agent_row          (ExitboxWindow      *self,
                                                         const char         *agent_id);
ExitboxStatusBar *exitbox_window_get_status_bar         (ExitboxWindow      *self);
AdwTabView       *exitbox_window_get_tab_view           (ExitboxWindow      *self);
AdwTabBar        *exitbox_window_get_tab_bar            (ExitboxWindow      *self);
typedef struct _ExitboxProfilePage ExitboxProfilePage;

/* Opens the profiles dialog of the current project and returns its page,
 * or NULL without a project or settings.
 */
ExitboxProfilePage *exitbox_window_show_project_profiles (ExitboxWindow *self);
/* The Recent Projects menu of the project button. For tests. */
GMenuModel       *exitbox_window_get_recent_menu        (ExitboxWindow      *self);
/* The problems shown above the agent list, one message each, in order. */
GStrv             exitbox_window_dup_problems           (ExitboxWindow      *self);

G_END_DECLS
