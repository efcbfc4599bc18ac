/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Lets a few frames of @window pass, so that it is laid out and drawn, and
 * saves what it shows to the PNG file @path.
 */
void exitbox_app_test_save_screenshot (GtkWidget  *window,
                                       const char *path);

G_END_DECLS
