/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define EXITBOX_TYPE_ALLOWLIST_EDITOR (exitbox_allowlist_editor_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxAllowlistEditor, exitbox_allowlist_editor, EXITBOX, ALLOWLIST_EDITOR,
                      AdwPreferencesPage)

/* A preferences page that edits the allowlist file @path through the core:
 * a checkbox per entry (unchecked entries go to the file's disabled list),
 * an entry row that adds a domain with live validation, remove buttons and
 * a filter. Every change is saved at once. The "message" signal carries a
 * one-line confirmation, and errors show in the page.
 */
ExitboxAllowlistEditor *exitbox_allowlist_editor_new            (const char             *path);

/* Reads the file again and rebuilds the rows, keeping the filter. */
void                    exitbox_allowlist_editor_reload         (ExitboxAllowlistEditor *self);

/* Accessors for tests. */
GtkCheckButton         *exitbox_allowlist_editor_get_check      (ExitboxAllowlistEditor *self,
                                                                 const char             *category,
                                                                 const char             *text);
GtkButton              *exitbox_allowlist_editor_get_remove     (ExitboxAllowlistEditor *self,
                                                                 const char             *category,
                                                                 const char             *text);
/* The row of @text in @category, or NULL. */
GtkWidget              *exitbox_allowlist_editor_get_row        (ExitboxAllowlistEditor *self,
                                                                 const char             *category,
                                                                 const char             *text);
AdwEntryRow            *exitbox_allowlist_editor_get_entry_row  (ExitboxAllowlistEditor *self);
/* Why the text in the entry row is rejected, or NULL when it is valid or empty. */
const char             *exitbox_allowlist_editor_get_entry_problem (ExitboxAllowlistEditor *self);
/* The message of the last change shown under the entry row, or NULL. */
const char             *exitbox_allowlist_editor_get_result     (ExitboxAllowlistEditor *self,
                                                                 gboolean               *out_is_error);
/* Selects @category by its name in the file. */
void                    exitbox_allowlist_editor_set_category   (ExitboxAllowlistEditor *self,
                                                                 const char             *category);
void                    exitbox_allowlist_editor_set_filter     (ExitboxAllowlistEditor *self,
                                                                 const char             *text);

G_END_DECLS
