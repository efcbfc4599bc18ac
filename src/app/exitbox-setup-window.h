/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <adwaita.h>

#include "exitbox-application.h"

G_BEGIN_DECLS

#define EXITBOX_TYPE_SETUP_WINDOW (exitbox_setup_window_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxSetupWindow, exitbox_setup_window, EXITBOX, SETUP_WINDOW, AdwWindow)

/* The setup wizard: Welcome, Roles, Languages, Tool categories, Agents,
 * Firewall and Review pages on the core's ExitboxWizard. Saving writes
 * config.yaml and allowlist.yaml in the application's config folder and
 * emits "saved". Closing it any other way emits "cancelled". A file that
 * fails to load is named on the welcome page, and then nothing can be saved.
 */
ExitboxSetupWindow *exitbox_setup_window_new          (ExitboxApplication *app,
                                                       GtkWindow          *parent);

/* For tests: the page names are "welcome", "roles", "languages",
 * "tool-categories", "agents", "firewall" and "review".
 */
const char         *exitbox_setup_window_get_page     (ExitboxSetupWindow *self);
void                exitbox_setup_window_go_next      (ExitboxSetupWindow *self);
void                exitbox_setup_window_go_back      (ExitboxSetupWindow *self);
/* The check button of an item on the current choices' pages: @kind is
 * "roles", "languages", "tool-categories", "agents" or "firewall" (whose
 * ids are canonical allowlist entries).
 */
GtkCheckButton     *exitbox_setup_window_get_check    (ExitboxSetupWindow *self,
                                                       const char         *kind,
                                                       const char         *id);
/* The text of the welcome page's engine problem, or NULL when an engine
 * was found.
 */
const char         *exitbox_setup_window_get_engine_problem (ExitboxSetupWindow *self);

G_END_DECLS
