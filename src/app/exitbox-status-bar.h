/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <gtk/gtk.h>

#include "exitbox-core.h"

G_BEGIN_DECLS

#define EXITBOX_TYPE_STATUS_BAR (exitbox_status_bar_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxStatusBar, exitbox_status_bar, EXITBOX, STATUS_BAR, GtkWidget)

/* The row along the bottom of the window: engine, firewall, allowlist and
 * running sessions. It only presents; the window feeds it.
 */
GtkWidget  *exitbox_status_bar_new                  (void);

/* "podman 4.3.1 · rootless", or the no-engine message when @engine is NULL. */
void        exitbox_status_bar_set_engine           (ExitboxStatusBar     *self,
                                                     ExitboxEngine        *engine,
                                                     const char           *version);
void        exitbox_status_bar_set_firewall_state   (ExitboxStatusBar     *self,
                                                     ExitboxFirewallState  state);
/* The state could not be read; @reason goes into the tooltip. NULL hides it. */
void        exitbox_status_bar_set_firewall_unknown (ExitboxStatusBar     *self,
                                                     const char           *reason);
/* Whether the selected session runs without the firewall, which the bar
 * then shows in place of the proxy's state.
 */
void        exitbox_status_bar_set_session_firewall_off (ExitboxStatusBar *self,
                                                         gboolean          off);
void        exitbox_status_bar_set_allowlist        (ExitboxStatusBar     *self,
                                                     ExitboxAllowlist     *allowlist);
void        exitbox_status_bar_set_n_sessions       (ExitboxStatusBar     *self,
                                                     guint                 n_sessions);
/* The problems the engine check found (element type ExitboxDoctorProblem),
 * listed in a popover with a Fix button for each one ExitBox can fix (it
 * activates win.fix-engine-problem with the problem's id). NULL or an empty
 * array hides the button.
 */
void        exitbox_status_bar_set_engine_problems  (ExitboxStatusBar     *self,
                                                     GPtrArray            *problems);

const char *exitbox_status_bar_get_engine_text      (ExitboxStatusBar     *self);
/* NULL while the firewall's state is hidden. */
const char *exitbox_status_bar_get_firewall_text    (ExitboxStatusBar     *self);
const char *exitbox_status_bar_get_allowlist_text   (ExitboxStatusBar     *self);
/* The button that opens the Firewall page; its tooltip names an allowlist problem. */
GtkWidget  *exitbox_status_bar_get_allowlist_button (ExitboxStatusBar     *self);
const char *exitbox_status_bar_get_sessions_text    (ExitboxStatusBar     *self);
/* NULL while no problem is shown. */
const char *exitbox_status_bar_get_problems_text    (ExitboxStatusBar     *self);
GtkWidget  *exitbox_status_bar_get_problems_list    (ExitboxStatusBar     *self);

G_END_DECLS
