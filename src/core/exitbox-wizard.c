/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "exitbox-agent.h"
#include "exitbox-paths.h"
#include "exitbox-wizard.h"
#include "exitbox-yaml.h"

struct _ExitboxWizard
{
  GObject           parent_instance;

  ExitboxCatalogue *catalogue;
  GStrv             roles;
  GStrv             languages;
  GStrv             tool_categories;
  GHashTable       *agents_enabled;  /* agent id → GINT_TO_POINTER (gboolean) */

  ExitboxAllowlist *allowlist;        /* the file's, or the default one on first run */
  gboolean          allowlist_missing;
  GHashTable       *entry_changes;    /* canonical entry → GINT_TO_POINTER (enabled) */
};

G_DEFINE_FINAL_TYPE (ExitboxWizard, exitbox_wizard, G_TYPE_OBJECT)

static void
exitbox_wizard_finalize (GObject *object)
{
  ExitboxWizard *self = EXITBOX_WIZARD (object);

  g_clear_object (&self->catalogue);
  g_clear_pointer (&self->roles, g_strfreev);
  g_clear_pointer (&self->languages, g_strfreev);
  g_clear_pointer (&self->tool_categories, g_strfreev);
  g_clear_pointer (&self->agents_enabled, g_hash_table_unref);
  g_clear_object (&self->allowlist);
  g_clear_pointer (&self->entry_changes, g_hash_table_unref);

  G_OBJECT_CLASS (exitbox_wizard_parent_class)->finalize (object);
}

static void
exitbox_wizard_class_init (ExitboxWizardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = exitbox_wizard_finalize;
}

static void
exitbox_wizard_init (ExitboxWizard *self)
{
  self->roles = g_new0 (char *, 1);
  self->languages = g_new0 (char *, 1);
  self->tool_categories = g_new0 (char *, 1);
  self->agents_enabled = g_hash_table_new (g_str_hash, g_str_equal);
  self->entry_changes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Returns the ids of @kind that are in @chosen, in catalogue order and each
 * once, so that the order of the written lists does not depend on input
 * order.
 */
static GStrv
filter_in_catalogue_order (ExitboxCatalogue    *catalogue,
                           ExitboxCatalogueKind kind,
                           const char * const  *chosen)
{
  g_auto(GStrv) all_ids = exitbox_catalogue_dup_ids (catalogue, kind);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; all_ids[i] != NULL; i++)
    if (chosen != NULL && g_strv_contains (chosen, all_ids[i]))
      g_strv_builder_add (builder, all_ids[i]);

  return g_strv_builder_end (builder);
}

static gboolean
check_ids (ExitboxCatalogue    *catalogue,
           ExitboxCatalogueKind kind,
           const char * const  *ids,
           GError             **error)
{
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      g_auto(GStrv) known = NULL;
      g_autofree char *known_text = NULL;

      if (exitbox_catalogue_contains (catalogue, kind, ids[i]))
        continue;

      known = exitbox_catalogue_dup_ids (catalogue, kind);
      known_text = g_strjoinv (", ", known);

      switch (kind)
        {
        case EXITBOX_CATALOGUE_ROLE:
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Unknown role “%s”. The roles are %s."), ids[i], known_text);
          break;
        case EXITBOX_CATALOGUE_LANGUAGE:
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Unknown language “%s”. The languages are %s."), ids[i], known_text);
          break;
        case EXITBOX_CATALOGUE_TOOL_CATEGORY:
        case EXITBOX_CATALOGUE_PROFILE:
        default:
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Unknown tool category “%s”. The tool categories are %s."),
                       ids[i], known_text);
          break;
        }
      return FALSE;
    }

  return TRUE;
}

static void
seed_from_config (ExitboxWizard *self,
                  ExitboxConfig *config)
{
  const char * const *profiles = exitbox_config_get_profiles (config);
  g_auto(GStrv) language_ids = exitbox_catalogue_dup_ids (self->catalogue,
                                                          EXITBOX_CATALOGUE_LANGUAGE);
  g_autoptr(GStrvBuilder) languages = g_strv_builder_new ();
  g_auto(GStrv) chosen_languages = NULL;

  g_strfreev (self->roles);
  self->roles = filter_in_catalogue_order (self->catalogue, EXITBOX_CATALOGUE_ROLE,
                                           exitbox_config_get_roles (config));

  g_strfreev (self->tool_categories);
  self->tool_categories = filter_in_catalogue_order (self->catalogue,
                                                     EXITBOX_CATALOGUE_TOOL_CATEGORY,
                                                     exitbox_config_get_tool_categories (config));

  /* config.yaml stores no languages, so a language counts as chosen when
   * its profile is listed.
   */
  for (guint i = 0; language_ids[i] != NULL; i++)
    {
      const char *profile = exitbox_catalogue_get_profile_for (self->catalogue,
                                                               EXITBOX_CATALOGUE_LANGUAGE,
                                                               language_ids[i]);

      if (profile != NULL && g_strv_contains (profiles, profile))
        g_strv_builder_add (languages, language_ids[i]);
    }
  chosen_languages = g_strv_builder_end (languages);
  g_strfreev (self->languages);
  self->languages = g_steal_pointer (&chosen_languages);
}

ExitboxWizard *
exitbox_wizard_new (ExitboxCatalogue *catalogue,
                    ExitboxConfig    *config)
{
  g_autoptr(ExitboxConfig) defaults = NULL;
  ExitboxWizard *self;
  const ExitboxAgentInfo *agents;
  guint n_agents;

  g_return_val_if_fail (EXITBOX_IS_CATALOGUE (catalogue), NULL);
  g_return_val_if_fail (config == NULL || EXITBOX_IS_CONFIG (config), NULL);

  self = g_object_new (EXITBOX_TYPE_WIZARD, NULL);
  self->catalogue = g_object_ref (catalogue);

  if (config == NULL)
    config = defaults = exitbox_config_new_default ();

  seed_from_config (self, config);

  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    g_hash_table_insert (self->agents_enabled, (gpointer) agents[i].id,
                         GINT_TO_POINTER (exitbox_config_get_agent_enabled (config, agents[i].id)));

  self->allowlist = exitbox_allowlist_new_default ();

  return self;
}

ExitboxCatalogue *
exitbox_wizard_get_catalogue (ExitboxWizard *self)
{
  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), NULL);

  return self->catalogue;
}

const char * const *
exitbox_wizard_get_roles (ExitboxWizard *self)
{
  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), NULL);

  return (const char * const *) self->roles;
}

const char * const *
exitbox_wizard_get_languages (ExitboxWizard *self)
{
  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), NULL);

  return (const char * const *) self->languages;
}

const char * const *
exitbox_wizard_get_tool_categories (ExitboxWizard *self)
{
  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), NULL);

  return (const char * const *) self->tool_categories;
}

gboolean
exitbox_wizard_set_roles (ExitboxWizard       *self,
                          const char * const  *role_ids,
                          GError             **error)
{
  g_autoptr(GStrvBuilder) languages = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) categories = g_strv_builder_new ();
  g_auto(GStrv) suggested_languages = NULL;
  g_auto(GStrv) suggested_categories = NULL;

  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_ids (self->catalogue, EXITBOX_CATALOGUE_ROLE, role_ids, error))
    return FALSE;

  g_strfreev (self->roles);
  self->roles = filter_in_catalogue_order (self->catalogue, EXITBOX_CATALOGUE_ROLE, role_ids);

  for (guint i = 0; self->roles[i] != NULL; i++)
    {
      g_auto(GStrv) role_languages = exitbox_catalogue_dup_role_languages (self->catalogue,
                                                                           self->roles[i]);
      g_auto(GStrv) role_categories =
        exitbox_catalogue_dup_role_tool_categories (self->catalogue, self->roles[i]);

      g_strv_builder_addv (languages, (const char **) role_languages);
      g_strv_builder_addv (categories, (const char **) role_categories);
    }

  suggested_languages = g_strv_builder_end (languages);
  suggested_categories = g_strv_builder_end (categories);

  g_strfreev (self->languages);
  self->languages = filter_in_catalogue_order (self->catalogue, EXITBOX_CATALOGUE_LANGUAGE,
                                               (const char * const *) suggested_languages);
  g_strfreev (self->tool_categories);
  self->tool_categories = filter_in_catalogue_order (self->catalogue,
                                                     EXITBOX_CATALOGUE_TOOL_CATEGORY,
                                                     (const char * const *) suggested_categories);

  return TRUE;
}

gboolean
exitbox_wizard_set_languages (ExitboxWizard       *self,
                              const char * const  *language_ids,
                              GError             **error)
{
  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_ids (self->catalogue, EXITBOX_CATALOGUE_LANGUAGE, language_ids, error))
    return FALSE;

  g_strfreev (self->languages);
  self->languages = filter_in_catalogue_order (self->catalogue, EXITBOX_CATALOGUE_LANGUAGE,
                                               language_ids);
  return TRUE;
}

gboolean
exitbox_wizard_set_tool_categories (ExitboxWizard       *self,
                                    const char * const  *category_ids,
                                    GError             **error)
{
  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_ids (self->catalogue, EXITBOX_CATALOGUE_TOOL_CATEGORY, category_ids, error))
    return FALSE;

  g_strfreev (self->tool_categories);
  self->tool_categories = filter_in_catalogue_order (self->catalogue,
                                                     EXITBOX_CATALOGUE_TOOL_CATEGORY,
                                                     category_ids);
  return TRUE;
}

gboolean
exitbox_wizard_get_agent_enabled (ExitboxWizard *self,
                                  const char    *agent_id)
{
  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), FALSE);
  g_return_val_if_fail (agent_id != NULL, FALSE);

  return GPOINTER_TO_INT (g_hash_table_lookup (self->agents_enabled, agent_id));
}

gboolean
exitbox_wizard_set_agent_enabled (ExitboxWizard  *self,
                                  const char     *agent_id,
                                  gboolean        enabled,
                                  GError        **error)
{
  const ExitboxAgentInfo *agent;

  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), FALSE);
  g_return_val_if_fail (agent_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  agent = exitbox_agent_lookup (agent_id);
  if (agent == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Unknown agent “%s”. The agents are claude, codex and opencode."),
                   agent_id);
      return FALSE;
    }

  g_hash_table_insert (self->agents_enabled, (gpointer) agent->id,
                       GINT_TO_POINTER (enabled ? TRUE : FALSE));
  return TRUE;
}

static void
add_profiles_of (ExitboxWizard       *self,
                 ExitboxCatalogueKind kind,
                 char               **ids,
                 GPtrArray           *profiles)
{
  for (guint i = 0; ids[i] != NULL; i++)
    {
      const char *profile = exitbox_catalogue_get_profile_for (self->catalogue, kind, ids[i]);

      if (profile != NULL && !g_ptr_array_find_with_equal_func (profiles, profile,
                                                                g_str_equal, NULL))
        g_ptr_array_add (profiles, g_strdup (profile));
    }
}

char **
exitbox_wizard_dup_profiles (ExitboxWizard  *self,
                             GError        **error)
{
  static const char * const no_roles[] = { NULL };
  g_auto(GStrv) suggested = NULL;
  g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Roles only pre-select languages and tool categories, so the profiles
   * come from what the user kept. The catalogue's base profile is what
   * suggest_profiles returns for no roles.
   */
  suggested = exitbox_catalogue_suggest_profiles (self->catalogue, no_roles, error);
  if (suggested == NULL)
    return NULL;

  for (guint i = 0; suggested[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (profiles, suggested[i], g_str_equal, NULL))
      g_ptr_array_add (profiles, g_strdup (suggested[i]));

  add_profiles_of (self, EXITBOX_CATALOGUE_LANGUAGE, self->languages, profiles);
  add_profiles_of (self, EXITBOX_CATALOGUE_TOOL_CATEGORY, self->tool_categories, profiles);

  g_ptr_array_add (profiles, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&profiles), FALSE);
}

/* Returns the texts of the items of the list under the root key @key, as
 * written, or an empty list when the key is missing or contains no list.
 */
/* Returns the items of the list under @key as written, or an empty list,
 * and whether it is written in flow style ("[a, b]").
 */
static GStrv
dup_list_items (const char  *data,
                gsize        length,
                const char  *path,
                const char  *key,
                gboolean    *out_flow,
                GError     **error)
{
  g_autoptr(ExitboxYamlDocument) document = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  yaml_node_t *root;
  yaml_node_t *list;

  *out_flow = FALSE;

  document = exitbox_yaml_document_load_data (data, (gssize) length, path, error);
  if (document == NULL)
    return NULL;

  root = exitbox_yaml_document_get_root (document);
  list = root != NULL ? exitbox_yaml_mapping_lookup (document, root, key) : NULL;

  if (list != NULL && list->type == YAML_SEQUENCE_NODE)
    {
      *out_flow = list->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE;

      for (guint i = 0; i < exitbox_yaml_node_get_length (list); i++)
        {
          yaml_node_t *item = exitbox_yaml_sequence_get_item (document, list, i);
          const char *text = exitbox_yaml_node_get_scalar (item);

          if (text != NULL)
            g_strv_builder_add (builder, text);
        }
    }

  return g_strv_builder_end (builder);
}

static gboolean
take_edit (char   **data,
           char    *edited)
{
  if (edited == NULL)
    return FALSE;

  g_free (*data);
  *data = edited;
  return TRUE;
}

/* Replaces the list under @key in *@data by the ids @chosen of @kind. An
 * item that names a chosen id in another spelling ("Backend" for
 * "backend") stays as written, so a re-run that changes nothing leaves the
 * list alone. Items no longer chosen are removed and new ids are appended.
 * A list written as "[a, b]" is rewritten between its brackets.
 */
static gboolean
replace_list (ExitboxWizard        *self,
              char                **data,
              gsize                *length,
              const char           *path,
              const char           *key,
              ExitboxCatalogueKind  kind,
              const char * const   *chosen,
              GError              **error)
{
  g_autoptr(GHashTable) kept_ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) result = g_ptr_array_new_null_terminated (0, NULL, TRUE);
  g_autoptr(GPtrArray) removed = g_ptr_array_new ();
  g_auto(GStrv) current = NULL;
  gboolean flow = FALSE;

  current = dup_list_items (*data, *length, path, key, &flow, error);
  if (current == NULL)
    return FALSE;

  for (guint i = 0; current[i] != NULL; i++)
    {
      const char *id = exitbox_catalogue_match_id (self->catalogue, kind, current[i]);

      if (id != NULL && g_strv_contains (chosen, id) && g_hash_table_add (kept_ids, (gpointer) id))
        g_ptr_array_add (result, current[i]);
      else
        g_ptr_array_add (removed, current[i]);
    }

  for (guint i = 0; chosen[i] != NULL; i++)
    if (!g_hash_table_contains (kept_ids, chosen[i]))
      g_ptr_array_add (result, (gpointer) chosen[i]);

  if (removed->len == 0 && result->len == g_strv_length (current))
    return TRUE;

  if (flow && g_strv_length (current) > 0)
    return take_edit (data, exitbox_yaml_replace_flow_sequence (*data, (gssize) *length, path,
                                                                key,
                                                                (const char * const *) result->pdata,
                                                                length, error));

  for (guint i = 0; i < removed->len; i++)
    if (!take_edit (data, exitbox_yaml_remove_sequence_item (*data, (gssize) *length, path, key,
                                                             g_ptr_array_index (removed, i),
                                                             length, error)))
      return FALSE;

  for (guint i = g_hash_table_size (kept_ids); i < result->len; i++)
    if (!take_edit (data, exitbox_yaml_append_sequence_item (*data, (gssize) *length, path, key,
                                                             g_ptr_array_index (result, i),
                                                             length, error)))
      return FALSE;

  return TRUE;
}

void
exitbox_wizard_set_allowlist (ExitboxWizard    *self,
                              ExitboxAllowlist *allowlist)
{
  g_return_if_fail (EXITBOX_IS_WIZARD (self));
  g_return_if_fail (allowlist == NULL || EXITBOX_IS_ALLOWLIST (allowlist));

  g_hash_table_remove_all (self->entry_changes);
  self->allowlist_missing = allowlist == NULL;

  if (allowlist != NULL)
    g_set_object (&self->allowlist, allowlist);
  else
    {
      g_clear_object (&self->allowlist);
      self->allowlist = exitbox_allowlist_load_data ("", 0, "allowlist.yaml");
    }
}

gboolean
exitbox_wizard_get_allowlist_missing (ExitboxWizard *self)
{
  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), FALSE);

  return self->allowlist_missing;
}

static gboolean
check_allowlist_present (ExitboxWizard  *self,
                         GError        **error)
{
  if (!self->allowlist_missing)
    return TRUE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("allowlist.yaml is missing, so there are no firewall categories to "
                         "change. Setup does not recreate it: restore the file, or move "
                         "config.yaml away too and run setup to start over."));
  return FALSE;
}

ExitboxAllowlist *
exitbox_wizard_get_allowlist (ExitboxWizard *self)
{
  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), NULL);

  return self->allowlist;
}

const char * const *
exitbox_wizard_get_firewall_categories (ExitboxWizard *self)
{
  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), NULL);

  return exitbox_allowlist_get_categories (self->allowlist);
}

/* Whether the allowlist file disables @canonical, before any change here. */
static gboolean
is_disabled_in_file (ExitboxWizard *self,
                     const char    *canonical)
{
  GPtrArray *items = exitbox_allowlist_get_disabled_items (self->allowlist);

  for (guint i = 0; i < items->len; i++)
    {
      ExitboxAllowlistItem *item = g_ptr_array_index (items, i);

      if (g_strcmp0 (item->canonical, canonical) == 0)
        return TRUE;
    }

  return FALSE;
}

static gboolean
is_listed (ExitboxWizard *self,
           const char    *canonical)
{
  const char * const *categories = exitbox_allowlist_get_categories (self->allowlist);

  for (guint i = 0; categories[i] != NULL; i++)
    {
      GPtrArray *items = exitbox_allowlist_get_category_items (self->allowlist, categories[i]);

      for (guint j = 0; j < items->len; j++)
        {
          ExitboxAllowlistItem *item = g_ptr_array_index (items, j);

          if (g_strcmp0 (item->canonical, canonical) == 0)
            return TRUE;
        }
    }

  return FALSE;
}

guint
exitbox_wizard_get_firewall_category_size (ExitboxWizard *self,
                                           const char    *category)
{
  GPtrArray *items;
  guint valid = 0;

  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), 0);
  g_return_val_if_fail (category != NULL, 0);

  items = exitbox_allowlist_get_category_items (self->allowlist, category);
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      ExitboxAllowlistItem *item = g_ptr_array_index (items, i);

      if (item->canonical != NULL)
        valid++;
    }

  return valid;
}

gboolean
exitbox_wizard_get_firewall_entry_enabled (ExitboxWizard *self,
                                           const char    *canonical)
{
  gpointer changed;

  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), FALSE);
  g_return_val_if_fail (canonical != NULL, FALSE);

  if (g_hash_table_lookup_extended (self->entry_changes, canonical, NULL, &changed))
    return GPOINTER_TO_INT (changed);

  return !is_disabled_in_file (self, canonical);
}

gboolean
exitbox_wizard_set_firewall_entry_enabled (ExitboxWizard  *self,
                                           const char     *canonical,
                                           gboolean        enabled,
                                           GError        **error)
{
  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), FALSE);
  g_return_val_if_fail (canonical != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_allowlist_present (self, error))
    return FALSE;

  if (!is_listed (self, canonical))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("No allowlist category lists “%s”."), canonical);
      return FALSE;
    }

  /* Choosing the state the file already has is no change. */
  if (enabled == !is_disabled_in_file (self, canonical))
    g_hash_table_remove (self->entry_changes, canonical);
  else
    g_hash_table_insert (self->entry_changes, g_strdup (canonical), GINT_TO_POINTER (enabled));

  return TRUE;
}

/* Whether the file allows an entry of the category, or it has none. */
static gboolean
category_enabled_in_file (ExitboxWizard *self,
                          GPtrArray     *items)
{
  gboolean any_valid = FALSE;

  for (guint i = 0; i < items->len; i++)
    {
      ExitboxAllowlistItem *item = g_ptr_array_index (items, i);

      if (item->canonical == NULL)
        continue;

      any_valid = TRUE;
      if (!is_disabled_in_file (self, item->canonical))
        return TRUE;
    }

  return !any_valid;
}

gboolean
exitbox_wizard_get_firewall_category_enabled (ExitboxWizard *self,
                                              const char    *category)
{
  GPtrArray *items;
  gboolean any_valid = FALSE;

  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), FALSE);
  g_return_val_if_fail (category != NULL, FALSE);

  items = exitbox_allowlist_get_category_items (self->allowlist, category);
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      ExitboxAllowlistItem *item = g_ptr_array_index (items, i);

      if (item->canonical == NULL)
        continue;

      any_valid = TRUE;
      if (exitbox_wizard_get_firewall_entry_enabled (self, item->canonical))
        return TRUE;
    }

  return !any_valid;
}

gboolean
exitbox_wizard_set_firewall_category_enabled (ExitboxWizard  *self,
                                              const char     *category,
                                              gboolean        enabled,
                                              GError        **error)
{
  const char * const *categories;
  GPtrArray *items;

  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), FALSE);
  g_return_val_if_fail (category != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_allowlist_present (self, error))
    return FALSE;

  categories = exitbox_allowlist_get_categories (self->allowlist);
  if (!g_strv_contains (categories, category))
    {
      g_autofree char *known = g_strjoinv (", ", (char **) categories);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Unknown allowlist category “%s”. The categories are %s."), category, known);
      return FALSE;
    }

  items = exitbox_allowlist_get_category_items (self->allowlist, category);

  /* Switching on a category that the file has on restores the file's
   * choices, so entries the user disabled one by one stay disabled.
   */
  if (enabled && category_enabled_in_file (self, items))
    {
      for (guint i = 0; i < items->len; i++)
        {
          ExitboxAllowlistItem *item = g_ptr_array_index (items, i);

          if (item->canonical != NULL)
            g_hash_table_remove (self->entry_changes, item->canonical);
        }
      return TRUE;
    }

  for (guint i = 0; i < items->len; i++)
    {
      ExitboxAllowlistItem *item = g_ptr_array_index (items, i);

      if (item->canonical != NULL &&
          !exitbox_wizard_set_firewall_entry_enabled (self, item->canonical, enabled, error))
        return FALSE;
    }

  return TRUE;
}

/* Computes the edited allowlist text: each entry switched off goes into the
 * disabled list, each entry switched on comes out. Returns NULL with no error
 * when nothing changes.
 */
static char *
dup_edited_allowlist (ExitboxWizard  *self,
                      const char     *path,
                      gsize          *out_length,
                      GError        **error)
{
  g_autoptr(GPtrArray) disable = g_ptr_array_new_null_terminated (0, NULL, TRUE);
  g_autoptr(GPtrArray) enable = g_ptr_array_new_null_terminated (0, NULL, TRUE);
  g_autofree char *data = NULL;
  GHashTableIter iter;
  gpointer key;
  gpointer value;
  gsize length = 0;

  if (g_hash_table_size (self->entry_changes) == 0)
    return NULL;

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;

  g_hash_table_iter_init (&iter, self->entry_changes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_ptr_array_add (GPOINTER_TO_INT (value) ? enable : disable, key);

  return exitbox_allowlist_edit_disabled (data, (gssize) length, path,
                                          (const char * const *) disable->pdata,
                                          (const char * const *) enable->pdata,
                                          out_length, error);
}

gboolean
exitbox_wizard_apply (ExitboxWizard  *self,
                      const char     *config_dir,
                      GError        **error)
{
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  g_auto(GStrv) profiles = NULL;
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *allowlist_path = NULL;
  g_autofree char *allowlist_data = NULL;
  const ExitboxAgentInfo *agents;
  guint n_agents;
  gsize length = 0;
  gsize allowlist_length = 0;

  g_return_val_if_fail (EXITBOX_IS_WIZARD (self), FALSE);
  g_return_val_if_fail (config_dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  profiles = exitbox_wizard_dup_profiles (self, error);
  if (profiles == NULL)
    return FALSE;

  if (!exitbox_config_ensure_defaults (config_dir, NULL, error))
    return FALSE;

  /* Both edits are computed before either file is written. */
  allowlist_path = g_build_filename (config_dir, "allowlist.yaml", NULL);
  allowlist_data = dup_edited_allowlist (self, allowlist_path, &allowlist_length, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  path = g_build_filename (config_dir, "config.yaml", NULL);
  if (!g_file_get_contents (path, &data, &length, error))
    return FALSE;

  /* A file that does not load as a configuration is left as written. */
  config = exitbox_config_load_data (data, (gssize) length, path, error);
  if (config == NULL)
    return FALSE;

  if (!replace_list (self, &data, &length, path, "roles", EXITBOX_CATALOGUE_ROLE,
                     (const char * const *) self->roles, error) ||
      !replace_list (self, &data, &length, path, "tool_categories",
                     EXITBOX_CATALOGUE_TOOL_CATEGORY,
                     (const char * const *) self->tool_categories, error) ||
      !replace_list (self, &data, &length, path, "profiles", EXITBOX_CATALOGUE_PROFILE,
                     (const char * const *) profiles, error))
    return FALSE;

  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    {
      const char *key_path[] = { "agents", agents[i].id, "enabled", NULL };
      gboolean enabled = exitbox_wizard_get_agent_enabled (self, agents[i].id);
      char *edited;

      if (exitbox_config_get_agent_enabled (config, agents[i].id) == enabled)
        continue;

      edited = exitbox_yaml_set_scalar (data, (gssize) length, path, key_path,
                                        enabled ? "true" : "false", &length, error);
      if (edited == NULL)
        return FALSE;
      g_free (data);
      data = edited;
    }

  if (!exitbox_config_save_data_to_file (path, data, length, error))
    return FALSE;

  if (allowlist_data == NULL)
    return TRUE;

  return exitbox_write_file_atomically (allowlist_path, allowlist_data, (gssize) allowlist_length,
                                        0600, error);
}

