/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib-object.h>

#include "exitbox-allowlist.h"
#include "exitbox-catalogue.h"
#include "exitbox-config.h"

G_BEGIN_DECLS

#define EXITBOX_TYPE_WIZARD (exitbox_wizard_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxWizard, exitbox_wizard, EXITBOX, WIZARD, GObject)

/* Creates the choices of the setup wizard. With @config (a re-run) the roles,
 * tool categories and agent states come from it, and the languages are those
 * whose profile is in its `profiles`. Ids that the catalogue does not contain
 * are dropped. Without @config (first run) the choices are those of the
 * default configuration.
 */
ExitboxWizard       *exitbox_wizard_new                  (ExitboxCatalogue    *catalogue,
                                                          ExitboxConfig       *config);

ExitboxCatalogue    *exitbox_wizard_get_catalogue        (ExitboxWizard       *self);

/* The chosen ids, NULL-terminated and owned by @self, in catalogue order. */
const char * const  *exitbox_wizard_get_roles            (ExitboxWizard       *self);
const char * const  *exitbox_wizard_get_languages        (ExitboxWizard       *self);
const char * const  *exitbox_wizard_get_tool_categories  (ExitboxWizard       *self);

/* Replaces the chosen roles and pre-selects the languages and tool
 * categories that the catalogue suggests for them, replacing the earlier
 * choice of both. Fails with G_IO_ERROR_INVALID_ARGUMENT, naming the id and
 * changing nothing, when an id is not a role of the catalogue.
 */
gboolean             exitbox_wizard_set_roles            (ExitboxWizard       *self,
                                                          const char * const  *role_ids,
                                                          GError             **error);
/* Replace the chosen languages or tool categories, with the same check. */
gboolean             exitbox_wizard_set_languages        (ExitboxWizard       *self,
                                                          const char * const  *language_ids,
                                                          GError             **error);
gboolean             exitbox_wizard_set_tool_categories  (ExitboxWizard       *self,
                                                          const char * const  *category_ids,
                                                          GError             **error);

gboolean             exitbox_wizard_get_agent_enabled    (ExitboxWizard       *self,
                                                          const char          *agent_id);
/* Fails with G_IO_ERROR_INVALID_ARGUMENT, naming the id, for an unknown agent. */
gboolean             exitbox_wizard_set_agent_enabled    (ExitboxWizard       *self,
                                                          const char          *agent_id,
                                                          gboolean             enabled,
                                                          GError             **error);

/* Collects the profile ids to write: the catalogue's base profile, then the
 * profiles of the chosen languages and tool categories, each once. A
 * language or tool category the user deselects leaves no profile behind.
 */
char               **exitbox_wizard_dup_profiles         (ExitboxWizard       *self,
                                                          GError             **error);

/* Replaces the allowlist whose categories the firewall step shows, the
 * default allowlist until this is called, and forgets the category choices.
 * NULL means that allowlist.yaml is missing on a re-run: there is nothing to
 * choose, and the firewall setters fail with G_IO_ERROR_NOT_FOUND.
 */
void                 exitbox_wizard_set_allowlist        (ExitboxWizard       *self,
                                                          ExitboxAllowlist    *allowlist);
gboolean             exitbox_wizard_get_allowlist_missing (ExitboxWizard      *self);
/* The allowlist whose categories the firewall step shows. */
ExitboxAllowlist    *exitbox_wizard_get_allowlist        (ExitboxWizard       *self);
/* The allowlist categories in file order, owned by @self. */
const char * const  *exitbox_wizard_get_firewall_categories (ExitboxWizard    *self);
/* The number of valid entries of @category. */
guint                exitbox_wizard_get_firewall_category_size (ExitboxWizard *self,
                                                          const char          *category);
/* A category is enabled unless all its valid entries are disabled. */
gboolean             exitbox_wizard_get_firewall_category_enabled (ExitboxWizard *self,
                                                          const char          *category);
/* Disables every valid entry of @category, or enables the category: when
 * the file allows some of its entries, their states in the file come back
 * (entries disabled one by one stay disabled), else every entry is
 * enabled. Fails with
 * G_IO_ERROR_INVALID_ARGUMENT, naming the category, for a name the allowlist
 * does not contain.
 */
gboolean             exitbox_wizard_set_firewall_category_enabled (ExitboxWizard *self,
                                                          const char          *category,
                                                          gboolean             enabled,
                                                          GError             **error);
/* Whether the canonical entry @canonical will be allowed: not in the
 * disabled list, or switched on here.
 */
gboolean             exitbox_wizard_get_firewall_entry_enabled (ExitboxWizard *self,
                                                          const char          *canonical);
/* Fails with G_IO_ERROR_INVALID_ARGUMENT when no category lists @canonical. */
gboolean             exitbox_wizard_set_firewall_entry_enabled (ExitboxWizard *self,
                                                          const char          *canonical,
                                                          gboolean             enabled,
                                                          GError             **error);
/* Writes the choices into @config_dir/config.yaml. On first run (neither
 * config.yaml nor allowlist.yaml exists) it writes both defaults first.
 * Then it edits `roles`, `tool_categories`, `profiles` and
 * agents.AGENT_ID.enabled in place: list items no longer chosen are removed,
 * new ones are appended, and comments and other keys stay byte for byte.
 * The file is saved once, atomically with mode 0600, and only when it
 * parsed as a valid configuration before and after the edits. In
 * allowlist.yaml only the `disabled` list changes: each entry switched off
 * is added to it and each entry switched on is removed. The disabled list
 * holds entries, so an entry listed in two categories follows the last
 * choice made for it in either.
 */
gboolean             exitbox_wizard_apply                (ExitboxWizard       *self,
                                                          const char          *config_dir,
                                                          GError             **error);

G_END_DECLS
