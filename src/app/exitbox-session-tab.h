/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <gtk/gtk.h>
#include <vte/vte.h>

#include "exitbox-core.h"

G_BEGIN_DECLS

typedef enum
{
  EXITBOX_SESSION_STATE_CREATED,    /* not started yet */
  EXITBOX_SESSION_STATE_PREPARING,  /* images build, firewall starts */
  EXITBOX_SESSION_STATE_RUNNING,    /* the engine's run command runs in the terminal */
  EXITBOX_SESSION_STATE_EXITED,     /* that command ended */
  EXITBOX_SESSION_STATE_FAILED,     /* preparing or starting failed */
} ExitboxSessionState;

#define EXITBOX_TYPE_SESSION_TAB (exitbox_session_tab_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxSessionTab, exitbox_session_tab, EXITBOX, SESSION_TAB, GtkWidget)

/* One session in a terminal: prepares it with @launcher, runs the launch
 * plan's argv in a VTE and shows how it ended. @agent_id NULL opens a shell.
 */
GtkWidget           *exitbox_session_tab_new                (ExitboxLauncher   *launcher,
                                                             ExitboxProject    *project,
                                                             const char        *agent_id);
/* Prepares and spawns the session; after it ended, starts it again. */
void                 exitbox_session_tab_start              (ExitboxSessionTab *self);

/* Stops a preparing or running session: stops its container by name, then
 * ends its firewall session, allow listener and log. Does nothing after
 * the session ended.
 */
void                 exitbox_session_tab_stop               (ExitboxSessionTab *self);

ExitboxSessionState  exitbox_session_tab_get_state          (ExitboxSessionTab *self);
/* Preparing or running: closing the tab would stop something. */
gboolean             exitbox_session_tab_get_active         (ExitboxSessionTab *self);
gboolean             exitbox_session_tab_get_preparing      (ExitboxSessionTab *self);
/* Whether the session runs, and runs without the firewall. */
gboolean             exitbox_session_tab_get_firewall_off   (ExitboxSessionTab *self);
/* "Claude Code · my project" */
const char          *exitbox_session_tab_get_title          (ExitboxSessionTab *self);
/* NULL for a shell */
const char          *exitbox_session_tab_get_agent_id       (ExitboxSessionTab *self);
ExitboxProject      *exitbox_session_tab_get_project        (ExitboxSessionTab *self);
/* The text of the bar under the terminal, or NULL while it is hidden. */
const char          *exitbox_session_tab_get_status_message (ExitboxSessionTab *self);
VteTerminal         *exitbox_session_tab_get_terminal       (ExitboxSessionTab *self);

/* Opens the search bar, searches for @text from the bottom of the
 * scrollback and returns whether it was found. For tests and scripting.
 */
gboolean            exitbox_session_tab_find_text    (ExitboxSessionTab *self,
                                                      const char        *text);
/* The link at the terminal coordinates @x, @y, or NULL. For tests. */
char               *exitbox_session_tab_dup_link_at  (ExitboxSessionTab *self,
                                                      double             x,
                                                      double             y);

/* Shows @request in the tab's list of blocked requests, in the row of its
 * destination, whose buttons allow it for the session or add it to
 * allowlist.yaml. The tab calls it for each refusal
 * of its session's address that the application's proxy log reads.
 */
void                exitbox_session_tab_add_blocked_request (ExitboxSessionTab           *self,
                                                             const ExitboxBlockedRequest *request);
/* Blocked requests, and the destinations they went to, one row each. */
guint               exitbox_session_tab_get_n_blocked       (ExitboxSessionTab           *self);
guint               exitbox_session_tab_get_n_blocked_destinations (ExitboxSessionTab    *self);
/* The row at @index, newest first, or NULL. For tests. */
GtkWidget          *exitbox_session_tab_get_blocked_row     (ExitboxSessionTab           *self,
                                                             guint                        index);

G_END_DECLS
