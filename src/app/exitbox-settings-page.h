/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <adwaita.h>

#include "exitbox-core.h"

G_BEGIN_DECLS

#define EXITBOX_TYPE_SETTINGS_PAGE (exitbox_settings_page_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxSettingsPage, exitbox_settings_page, EXITBOX, SETTINGS_PAGE,
                      AdwPreferencesPage)

/* A preferences page for the settings of the config.yaml at @path: the
 * default session flags, memory and CPU limits, base distribution and
 * image, container engine and proxy idle time. Each change is written at
 * once through exitbox_config_set_value_in_file() and confirmed in the
 * "message" signal. An error shows in the page, under the group of the
 * control that failed.
 */
ExitboxSettingsPage *exitbox_settings_page_new        (const char          *path,
                                                       ExitboxConfig       *config);

/* Shows the values of @config without writing them. NULL, for settings
 * that never loaded, makes the page insensitive.
 */
void                 exitbox_settings_page_set_config (ExitboxSettingsPage *self,
                                                       ExitboxConfig       *config);

/* The error shown in the page, or NULL. For tests. */
const char          *exitbox_settings_page_get_error  (ExitboxSettingsPage *self);

G_END_DECLS
