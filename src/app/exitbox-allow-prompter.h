/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <adwaita.h>

#include "exitbox-core.h"

G_BEGIN_DECLS

/* Asks the user on the host about every pending exitbox-allow request of
 * any session, CLI or desktop. Each request gets a dialog that shows the
 * session and the exact rule, with the responses Deny, Allow for This
 * Session and Always Allow. While no window of the application is active,
 * a notification offers the same responses. The answer is written through
 * the core, and the session's ExitBox process applies it.
 */
#define EXITBOX_TYPE_ALLOW_PROMPTER (exitbox_allow_prompter_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxAllowPrompter, exitbox_allow_prompter, EXITBOX, ALLOW_PROMPTER, GObject)

/* Watches the requests folder. @application (may be NULL) parents the
 * dialogs, sends the notifications and receives their actions.
 */
ExitboxAllowPrompter *exitbox_allow_prompter_new        (GtkApplication       *application,
                                                         GError              **error);
ExitboxAllowRequests *exitbox_allow_prompter_get_requests (ExitboxAllowPrompter *self);
/* The open dialog of the request @id, or NULL. */
AdwMessageDialog     *exitbox_allow_prompter_get_dialog (ExitboxAllowPrompter *self,
                                                         const char           *id);

G_END_DECLS
