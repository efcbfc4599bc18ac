/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <gtk/gtk.h>

#include "exitbox-window.h"

G_BEGIN_DECLS

/* How long a desktop test waits for a condition before it fails. */
#define EXITBOX_APP_TEST_WAIT_LIMIT_SECONDS 60

/* Runs the main context until @done returns TRUE for @data, and fails the
 * test when that takes longer than EXITBOX_APP_TEST_WAIT_LIMIT_SECONDS.
 */
void           exitbox_app_test_iterate_until       (gboolean (*done) (gpointer),
                                                     gpointer   data);

/* Points the XDG variables, which the core reads, at the per-test folders
 * of G_TEST_OPTION_ISOLATE_DIRS, and XDG_DATA_DIRS at the system's folders,
 * where GdkPixbuf finds the MIME data it needs for SVG icons.
 */
void           exitbox_app_test_use_isolated_dirs   (void);

/* The application's main window; on a first run the setup window is the
 * active one, so this skips it.
 */
ExitboxWindow *exitbox_app_test_find_main_window    (GtkApplication *application);

/* @root or the first widget below it, depth first, of @type, or NULL. */
GtkWidget     *exitbox_app_test_find_widget         (GtkWidget  *root,
                                                     GType       type);

/* The first GtkButton below @root, depth first, whose label is @label, or
 * NULL.
 */
GtkWidget     *exitbox_app_test_find_button         (GtkWidget  *root,
                                                     const char *label);

/* Lets a few frames of @window pass, so that it is laid out and drawn, and
 * saves what it shows to the PNG file @path.
 */
void exitbox_app_test_save_screenshot (GtkWidget  *window,
                                       const char *path);

/* Fails the test when a mapped control below @root (a button, check
 * button, switch, entry and the like) has neither a visible label, nor a
 * tooltip, nor an accessible label, so that a screen reader could not name
 * it. @where names the screen in the failure's messages.
 */
void exitbox_app_test_assert_controls_named (GtkWidget  *root,
                                             const char *where);

G_END_DECLS
