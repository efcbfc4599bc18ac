/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include "exitbox-window.h"

G_BEGIN_DECLS

/* The window is split over two files. exitbox-window.c contains the agent
 * list, the project and the engine queries. exitbox-window-sessions.c
 * contains the session tabs and the questions asked before closing them.
 */
struct _ExitboxWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template children */
  AdwViewSwitcherTitle *window_title;
  AdwSplitButton       *project_split_button;
  AdwButtonContent     *project_button_content;
  GtkMenuButton        *new_session_button;
  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *main_stack;
  AdwViewStackPage     *sessions_page;
  AdwTabBar            *tab_bar;
  AdwTabView           *tab_view;
  AdwPreferencesGroup  *problems_group;
  AdwActionRow         *setup_problem_row;
  AdwActionRow         *config_problem_row;
  AdwActionRow         *engine_problem_row;
  AdwActionRow         *allowlist_problem_row;
  AdwActionRow         *project_row;
  AdwPreferencesGroup  *agents_group;
  ExitboxStatusBar     *status_bar;

  ExitboxApplication   *app;
  GPtrArray            *agent_rows;
  GMenu                *new_session_menu;
  GMenu                *recent_menu;
  ExitboxProject       *project;
  GtkFileChooserNative *chooser;

  /* The engine the cached version belongs to. */
  ExitboxEngine        *version_engine;
  char                 *engine_version;
  /* What the last engine check found, element type ExitboxDoctorProblem. */
  GPtrArray            *engine_problems;
  /* Bumped by every engine check, so only the newest one's result shows. */
  guint                 engine_check_serial;
  /* When the last refresh started, in monotonic microseconds. */
  gint64                last_refresh_time;
  GCancellable         *cancellable;
  /* Bumped by every refresh so late results of older queries are dropped. */
  guint                 generation;
  guint                 n_pending;
  guint                 refresh_source;
  gboolean              close_confirmed;
  char                 *last_toast;
  /* Set by app.quit, so that the window asks for confirmation instead of
   * hiding into the tray.
   */
  gboolean              quit_requested;
};

void  _exitbox_window_class_init_sessions (ExitboxWindowClass *klass);
void  _exitbox_window_class_init_builds   (ExitboxWindowClass *klass);
void  _exitbox_window_init_sessions       (ExitboxWindow      *self);
void  _exitbox_window_queue_refresh       (ExitboxWindow      *self);
void  _exitbox_window_show_toast          (ExitboxWindow      *self,
                                           const char         *text);
/* Closes the window for app.quit. A hidden window is shown again, and it
 * asks for confirmation before it stops running sessions, tray or not.
 */
void  _exitbox_window_close_for_quit      (ExitboxWindow      *self);
/* Shows the agent list; running sessions keep running in their tabs. */
void  _exitbox_window_show_agents         (ExitboxWindow      *self);
/* Why nothing can be launched now, or NULL. */
char *_exitbox_window_dup_blocker         (ExitboxWindow      *self);

G_END_DECLS
