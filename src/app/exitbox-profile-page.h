/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <adwaita.h>

#include "exitbox-core.h"

G_BEGIN_DECLS

#define EXITBOX_TYPE_PROFILE_PAGE (exitbox_profile_page_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxProfilePage, exitbox_profile_page, EXITBOX, PROFILE_PAGE,
                      AdwPreferencesPage)

/* A page of checkboxes, one per development profile of the catalogue, for
 * the profiles of @project: config.yaml's `profiles` plus the project's own
 * additions and removals, which a toggle saves in the project registry.
 * Emits "changed" with a message after each toggle.
 */
ExitboxProfilePage *exitbox_profile_page_new       (ExitboxProject     *project,
                                                    ExitboxConfig      *config);

/* The checkbox of @profile_id. For tests. */
GtkCheckButton     *exitbox_profile_page_get_check (ExitboxProfilePage *self,
                                                    const char         *profile_id);

G_END_DECLS
