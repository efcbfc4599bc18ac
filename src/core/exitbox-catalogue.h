/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib-object.h>

#include "exitbox-config.h"

G_BEGIN_DECLS

/* The four lists of the catalogue. Ids are unique within one kind only:
 * "devops" is both a role and a tool category.
 */
typedef enum
{
  EXITBOX_CATALOGUE_ROLE,
  EXITBOX_CATALOGUE_LANGUAGE,
  EXITBOX_CATALOGUE_TOOL_CATEGORY,
  EXITBOX_CATALOGUE_PROFILE,
} ExitboxCatalogueKind;

/* The id of the profile that every suggestion contains. */
#define EXITBOX_CATALOGUE_BASE_PROFILE "base"

#define EXITBOX_TYPE_CATALOGUE (exitbox_catalogue_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxCatalogue, exitbox_catalogue, EXITBOX, CATALOGUE, GObject)

/* Parses a catalogue. Fails with G_IO_ERROR_INVALID_DATA on a YAML syntax
 * error, a missing or unknown key, a value of the wrong type, an invalid or
 * repeated id, an invalid package name or a reference to an undefined id.
 * The message starts with "PATH:LINE:COLUMN:".
 */
ExitboxCatalogue  *exitbox_catalogue_load_data              (const char           *data,
                                                             gssize                length,
                                                             const char           *path_for_messages,
                                                             GError              **error);
/* Parses the catalogue compiled into the core GResource. Calls
 * exitbox_core_init() first.
 */
ExitboxCatalogue  *exitbox_catalogue_load_default           (GError              **error);

/* Returns the id of the item of @kind that @text names, by its id or by its
 * English name in any letter case, with spaces or underscores for '-'
 * ("Build Tools" gives "build-tools"), or NULL when none matches. The
 * result is owned by @self.
 */
const char        *exitbox_catalogue_match_id               (ExitboxCatalogue     *self,
                                                             ExitboxCatalogueKind  kind,
                                                             const char           *text);

/* The ids of one kind, in file order. */
char             **exitbox_catalogue_dup_ids                (ExitboxCatalogue     *self,
                                                             ExitboxCatalogueKind  kind);
gboolean           exitbox_catalogue_contains               (ExitboxCatalogue     *self,
                                                             ExitboxCatalogueKind  kind,
                                                             const char           *id);
/* The translated display name and one-line description, or NULL for an
 * unknown id. Languages and tool categories have no description and return
 * NULL for it.
 */
const char        *exitbox_catalogue_get_name               (ExitboxCatalogue     *self,
                                                             ExitboxCatalogueKind  kind,
                                                             const char           *id);
const char        *exitbox_catalogue_get_description        (ExitboxCatalogue     *self,
                                                             ExitboxCatalogueKind  kind,
                                                             const char           *id);

/* The language ids pre-selected for @role_id, or NULL for an unknown role. */
char             **exitbox_catalogue_dup_role_languages     (ExitboxCatalogue     *self,
                                                             const char           *role_id);
/* The tool category ids suggested for @role_id, or NULL for an unknown role. */
char             **exitbox_catalogue_dup_role_tool_categories (ExitboxCatalogue   *self,
                                                               const char         *role_id);
/* The profile id that a language or tool category maps to, or NULL for an
 * unknown id or for @kind ROLE or PROFILE.
 */
const char        *exitbox_catalogue_get_profile_for        (ExitboxCatalogue     *self,
                                                             ExitboxCatalogueKind  kind,
                                                             const char           *id);

/* Collects the profile ids for @role_ids: "base" first, then for each role
 * in the given order the profiles of its languages and then of its tool
 * categories, each id once. Fails with G_IO_ERROR_NOT_FOUND, naming the id,
 * when a role is unknown.
 */
char             **exitbox_catalogue_suggest_profiles       (ExitboxCatalogue     *self,
                                                             const char * const   *role_ids,
                                                             GError              **error);

/* The package names of @profile_id for @family, possibly empty. Fails with
 * G_IO_ERROR_NOT_FOUND, naming the id, when the profile is unknown.
 */
char             **exitbox_catalogue_dup_packages           (ExitboxCatalogue     *self,
                                                             const char           *profile_id,
                                                             ExitboxBaseFamily     family,
                                                             GError              **error);
/* The tools of @profile_id that its packages do not provide and that need a
 * verified download (for example "go"), possibly empty, or NULL for an
 * unknown profile.
 */
char             **exitbox_catalogue_dup_downloads          (ExitboxCatalogue     *self,
                                                             const char           *profile_id);

G_END_DECLS
