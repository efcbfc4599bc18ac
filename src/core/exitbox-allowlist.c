/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "exitbox-allowlist.h"
#include "exitbox-yaml.h"

/* Keys of allowlist.yaml that are not categories. */
#define VERSION_KEY "version"
#define DISABLED_KEY "disabled"

struct _ExitboxAllowlist
{
  GObject                 parent_instance;

  ExitboxAllowlistStatus  status;
  char                   *problem;
  GPtrArray              *categories;  /* char *, NULL-terminated */
  GPtrArray              *entries;     /* ExitboxAllowlistEntry * */
  GPtrArray              *warnings;    /* char *, NULL-terminated */
};

G_DEFINE_TYPE (ExitboxAllowlist, exitbox_allowlist, G_TYPE_OBJECT)

/* A NULL-terminated GPtrArray may leave pdata NULL while it is empty. */
static const char * const *
ptr_array_as_strv (GPtrArray *array)
{
  static const char * const empty[] = { NULL };

  if (array->len == 0)
    return empty;

  return (const char * const *) array->pdata;
}

static void
exitbox_allowlist_finalize (GObject *object)
{
  ExitboxAllowlist *self = (ExitboxAllowlist *) object;

  g_clear_pointer (&self->problem, g_free);
  g_clear_pointer (&self->categories, g_ptr_array_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);

  G_OBJECT_CLASS (exitbox_allowlist_parent_class)->finalize (object);
}

static void
exitbox_allowlist_class_init (ExitboxAllowlistClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = exitbox_allowlist_finalize;
}

static void
exitbox_allowlist_init (ExitboxAllowlist *self)
{
  self->status = EXITBOX_ALLOWLIST_STATUS_EMPTY;
  self->categories = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_allowlist_entry_free);
  self->warnings = g_ptr_array_new_null_terminated (0, g_free, TRUE);
}

/* Drops everything that was parsed, so that a file with a problem allows
 * nothing at all.
 */
static ExitboxAllowlist *
block_everything (ExitboxAllowlist       *self,
                  ExitboxAllowlistStatus  status,
                  char                   *problem)
{
  self->status = status;
  g_free (self->problem);
  self->problem = problem;

  g_ptr_array_set_size (self->categories, 0);
  g_ptr_array_set_size (self->entries, 0);
  g_ptr_array_set_size (self->warnings, 0);

  return self;
}

static ExitboxAllowlist *
block_invalid (ExitboxAllowlist *self,
               const char       *reason)
{
  return block_everything (self, EXITBOX_ALLOWLIST_STATUS_INVALID,
                           g_strdup_printf (_("%s. Every destination is blocked until the "
                                              "allowlist file is fixed."),
                                            reason));
}

static void
add_warning (ExitboxAllowlist    *self,
             ExitboxYamlDocument *document,
             yaml_node_t         *node,
             const GError        *error)
{
  g_autofree char *location = exitbox_yaml_document_dup_location (document, node);

  g_ptr_array_add (self->warnings,
                   g_strdup_printf (_("%s: %s. This entry is ignored and the others still apply."),
                                    location, error->message));
}

/* Checks that @value is a list of text values, reporting the first node that
 * is not. A null value is an empty category.
 */
static gboolean
check_entry_list (ExitboxYamlDocument  *document,
                  const char           *category,
                  yaml_node_t          *value,
                  char                **out_reason)
{
  g_autofree char *location = NULL;

  if (exitbox_yaml_node_is_null (value))
    return TRUE;

  if (value->type != YAML_SEQUENCE_NODE)
    {
      location = exitbox_yaml_document_dup_location (document, value);
      *out_reason = g_strdup_printf (_("%s: “%s” must be a list of entries such as "
                                       "“- example.com”, but it is %s"),
                                     location, category, exitbox_yaml_node_describe_type (value));
      return FALSE;
    }

  for (guint i = 0; i < exitbox_yaml_node_get_length (value); i++)
    {
      yaml_node_t *item = exitbox_yaml_sequence_get_item (document, value, i);

      if (item->type != YAML_SCALAR_NODE)
        {
          location = exitbox_yaml_document_dup_location (document, item);
          *out_reason = g_strdup_printf (_("%s: every entry of “%s” must be a text value such "
                                           "as example.com, but this one is %s"),
                                         location, category,
                                         exitbox_yaml_node_describe_type (item));
          return FALSE;
        }
    }

  return TRUE;
}

/* Calls @func for each valid entry of the list @value and records a warning
 * for each invalid one.
 */
typedef void (*EntryFunc) (ExitboxAllowlist      *self,
                           ExitboxAllowlistEntry *entry,
                           gpointer               user_data);

static void
foreach_entry (ExitboxAllowlist    *self,
               ExitboxYamlDocument *document,
               yaml_node_t         *value,
               EntryFunc            func,
               gpointer             user_data)
{
  for (guint i = 0; i < exitbox_yaml_node_get_length (value); i++)
    {
      yaml_node_t *item = exitbox_yaml_sequence_get_item (document, value, i);
      g_autoptr(ExitboxAllowlistEntry) entry = NULL;
      g_autoptr(GError) error = NULL;

      entry = exitbox_allowlist_entry_parse (exitbox_yaml_node_get_scalar (item), &error);
      if (entry == NULL)
        {
          add_warning (self, document, item, error);
          continue;
        }

      func (self, g_steal_pointer (&entry), user_data);
    }
}

static void
add_disabled (ExitboxAllowlist      *self,
              ExitboxAllowlistEntry *entry,
              gpointer               user_data)
{
  GHashTable *disabled = user_data;

  g_hash_table_add (disabled, exitbox_allowlist_entry_to_string (entry));
  exitbox_allowlist_entry_free (entry);
}

typedef struct
{
  GHashTable *disabled;  /* canonical entry text */
  GHashTable *seen;      /* canonical entry text */
} EnforcedState;

static void
add_enforced (ExitboxAllowlist      *self,
              ExitboxAllowlistEntry *entry,
              gpointer               user_data)
{
  EnforcedState *state = user_data;
  char *canonical = exitbox_allowlist_entry_to_string (entry);

  if (g_hash_table_contains (state->disabled, canonical) ||
      g_hash_table_contains (state->seen, canonical))
    {
      g_free (canonical);
      exitbox_allowlist_entry_free (entry);
      return;
    }

  g_hash_table_add (state->seen, canonical);
  g_ptr_array_add (self->entries, entry);
}

static gboolean
is_category_key (const char *key)
{
  return !g_str_equal (key, VERSION_KEY) && !g_str_equal (key, DISABLED_KEY);
}

static ExitboxAllowlist *
load_document (ExitboxAllowlist    *self,
               ExitboxYamlDocument *document,
               const char          *path)
{
  g_autoptr(GHashTable) disabled = NULL;
  g_autoptr(GHashTable) seen = NULL;
  EnforcedState state;
  yaml_node_t *root = exitbox_yaml_document_get_root (document);
  guint n_pairs;

  if (!exitbox_yaml_node_is_null (root) && root->type != YAML_MAPPING_NODE)
    {
      g_autofree char *location = exitbox_yaml_document_dup_location (document, root);
      g_autofree char *reason = NULL;

      reason = g_strdup_printf (_("%s: the allowlist must be a mapping of category names to "
                                  "lists of entries, but the file contains %s"),
                                location, exitbox_yaml_node_describe_type (root));
      return block_invalid (self, reason);
    }

  /* Check the shape of the whole file before using any of it. */
  n_pairs = exitbox_yaml_node_get_length (root);
  for (guint i = 0; i < n_pairs; i++)
    {
      g_autofree char *reason = NULL;
      yaml_node_t *key;
      yaml_node_t *value;
      const char *name;

      exitbox_yaml_mapping_get_pair (document, root, i, &key, &value);
      name = exitbox_yaml_node_get_scalar (key);

      if (name == NULL)
        {
          g_autofree char *location = exitbox_yaml_document_dup_location (document, key);

          reason = g_strdup_printf (_("%s: a category name must be a text value, but this one "
                                      "is %s"),
                                    location, exitbox_yaml_node_describe_type (key));
          return block_invalid (self, reason);
        }

      if (g_str_equal (name, VERSION_KEY))
        continue;

      if (!check_entry_list (document, name, value, &reason))
        return block_invalid (self, reason);
    }

  /* The disabled list may come anywhere in the file, so it is read first. */
  disabled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < n_pairs; i++)
    {
      yaml_node_t *key;
      yaml_node_t *value;

      exitbox_yaml_mapping_get_pair (document, root, i, &key, &value);
      if (g_str_equal (exitbox_yaml_node_get_scalar (key), DISABLED_KEY))
        foreach_entry (self, document, value, add_disabled, disabled);
    }

  state.disabled = disabled;
  state.seen = seen;

  for (guint i = 0; i < n_pairs; i++)
    {
      yaml_node_t *key;
      yaml_node_t *value;
      const char *name;

      exitbox_yaml_mapping_get_pair (document, root, i, &key, &value);
      name = exitbox_yaml_node_get_scalar (key);

      if (!is_category_key (name))
        continue;

      g_ptr_array_add (self->categories, g_strdup (name));
      foreach_entry (self, document, value, add_enforced, &state);
    }

  if (self->entries->len == 0)
    {
      self->status = EXITBOX_ALLOWLIST_STATUS_EMPTY;
      self->problem = g_strdup_printf (_("The allowlist file %s has no valid enabled entries, "
                                         "so every destination is blocked. Add the domains that "
                                         "agents may reach to a category in that file."),
                                       path);
      return self;
    }

  self->status = EXITBOX_ALLOWLIST_STATUS_OK;
  return self;
}

ExitboxAllowlist *
exitbox_allowlist_load_data (const char *data,
                             gssize      length,
                             const char *path_for_messages)
{
  g_autoptr(ExitboxAllowlist) self = g_object_new (EXITBOX_TYPE_ALLOWLIST, NULL);
  g_autoptr(ExitboxYamlDocument) document = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  document = exitbox_yaml_document_load_data (data, length, path_for_messages, &error);
  if (document == NULL)
    return block_invalid (g_steal_pointer (&self), error->message);

  return load_document (g_steal_pointer (&self), document, document->path);
}

ExitboxAllowlist *
exitbox_allowlist_load_file (const char *path)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_file_new_for_path (path);
  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, &error))
    {
      ExitboxAllowlist *self = g_object_new (EXITBOX_TYPE_ALLOWLIST, NULL);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return block_everything (self, EXITBOX_ALLOWLIST_STATUS_MISSING,
                                 g_strdup_printf (_("The allowlist file %s is missing, so every "
                                                    "destination is blocked. Create it with the "
                                                    "domains to allow, one list per category "
                                                    "such as “custom:”. ExitBox writes the "
                                                    "default allowlist only on its first run, "
                                                    "when config.yaml does not exist either."),
                                                  path));

      return block_everything (self, EXITBOX_ALLOWLIST_STATUS_INVALID,
                               g_strdup_printf (_("Failed to read the allowlist file %s (%s), so "
                                                  "every destination is blocked. Make the file "
                                                  "readable."),
                                                path, error->message));
    }

  return exitbox_allowlist_load_data (contents, (gssize) length, path);
}

ExitboxAllowlistStatus
exitbox_allowlist_get_status (ExitboxAllowlist *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST (self), EXITBOX_ALLOWLIST_STATUS_INVALID);

  return self->status;
}

const char *
exitbox_allowlist_get_problem (ExitboxAllowlist *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST (self), NULL);

  return self->problem;
}

const char * const *
exitbox_allowlist_get_categories (ExitboxAllowlist *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST (self), NULL);

  return ptr_array_as_strv (self->categories);
}

GPtrArray *
exitbox_allowlist_get_entries (ExitboxAllowlist *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST (self), NULL);

  return self->entries;
}

guint
exitbox_allowlist_get_n_entries (ExitboxAllowlist *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST (self), 0);

  return self->entries->len;
}

const char * const *
exitbox_allowlist_get_warnings (ExitboxAllowlist *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST (self), NULL);

  return ptr_array_as_strv (self->warnings);
}
