/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "exitbox-allowlist.h"
#include "exitbox-core.h"
#include "exitbox-paths.h"
#include "exitbox-yaml.h"

/* Keys of allowlist.yaml that are not categories. */
#define VERSION_KEY "version"
#define ALLOWLIST_VERSION_MAX 1
#define DISABLED_KEY "disabled"
#define DEFAULT_RESOURCE "/io/github/exitbox/ExitBox/core/allowlist.yaml"

struct _ExitboxAllowlist
{
  GObject                 parent_instance;

  ExitboxAllowlistStatus  status;
  char                   *problem;
  GPtrArray              *categories;  /* char *, NULL-terminated */
  GPtrArray              *entries;     /* ExitboxAllowlistEntry * */
  GPtrArray              *warnings;    /* char *, NULL-terminated */
  GPtrArray              *notices;     /* char *, NULL-terminated */
  gint64                  version;     /* 1 unless the file names another */
  GHashTable             *category_items;  /* category name → GPtrArray of ExitboxAllowlistItem */
  GPtrArray              *disabled_items;  /* ExitboxAllowlistItem * */
};

G_DEFINE_TYPE (ExitboxAllowlist, exitbox_allowlist, G_TYPE_OBJECT)

static void
allowlist_item_free (ExitboxAllowlistItem *item)
{
  g_free (item->text);
  g_free (item->canonical);
  g_free (item);
}

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
  g_clear_pointer (&self->notices, g_ptr_array_unref);
  g_clear_pointer (&self->category_items, g_hash_table_unref);
  g_clear_pointer (&self->disabled_items, g_ptr_array_unref);

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
  self->notices = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->version = 1;
  self->category_items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) g_ptr_array_unref);
  self->disabled_items = g_ptr_array_new_with_free_func ((GDestroyNotify) allowlist_item_free);
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
  g_ptr_array_set_size (self->notices, 0);
  g_hash_table_remove_all (self->category_items);
  g_ptr_array_set_size (self->disabled_items, 0);

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
  GHashTable *duplicated; /* canonical entry text with a notice already */
} EnforcedState;

static void
add_enforced (ExitboxAllowlist      *self,
              ExitboxAllowlistEntry *entry,
              gpointer               user_data)
{
  EnforcedState *state = user_data;
  char *canonical = exitbox_allowlist_entry_to_string (entry);

  /* A third copy needs no second notice. */
  if (g_hash_table_contains (state->seen, canonical) &&
      !g_hash_table_contains (state->disabled, canonical) &&
      g_hash_table_add (state->duplicated, g_strdup (canonical)))
    g_ptr_array_add (self->notices,
                     g_strdup_printf (_("%s is listed more than once, so the copies are folded "
                                        "into one entry."),
                                      canonical));

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

/* Returns the entry of @entries that allows every request that @entry
 * allows: the same entry, or a domain entry for a parent domain with the
 * same port. Returns NULL when there is none.
 */
static const ExitboxAllowlistEntry *
find_covering_entry (GPtrArray                   *entries,
                     const ExitboxAllowlistEntry *entry,
                     gboolean                     parents_only)
{
  for (guint i = 0; i < entries->len; i++)
    {
      const ExitboxAllowlistEntry *other = g_ptr_array_index (entries, i);
      gsize host_length;
      gsize other_length;

      /* A plain entry allows ports 443 and 80, so it also covers those. */
      if (other->kind != entry->kind ||
          (other->port != entry->port &&
           !(other->port == 0 && (entry->port == 443 || entry->port == 80))))
        continue;

      if (g_str_equal (other->host, entry->host))
        {
          if (!parents_only || other->port != entry->port)
            return other;
          continue;
        }

      if (entry->kind != EXITBOX_ALLOWLIST_ENTRY_DOMAIN)
        continue;

      host_length = strlen (entry->host);
      other_length = strlen (other->host);
      if (host_length > other_length + 1 &&
          g_str_has_suffix (entry->host, other->host) &&
          entry->host[host_length - other_length - 1] == '.')
        return other;
    }

  return NULL;
}

/* Leaves out the entries whose parent domain is also listed with the same
 * port, because the parent already allows them, and records a notice for each.
 */
static char *
dup_index_key (ExitboxAllowlistEntryKind  kind,
               const char                *host,
               guint16                    port)
{
  return g_strdup_printf ("%d %s %u", kind, host, port);
}

/* Finds, through @index, an entry other than @entry that allows all that
 * @entry allows: the same host without a port when @entry names 443 or
 * 80, or a listed parent domain. The outermost parent comes first, as in
 * the notices.
 */
static const ExitboxAllowlistEntry *
find_parent_indexed (GHashTable                  *index,
                     const ExitboxAllowlistEntry *entry)
{
  gboolean plain_covers = entry->port == 443 || entry->port == 80;
  g_autoptr(GPtrArray) suffixes = g_ptr_array_new ();
  const ExitboxAllowlistEntry *found = NULL;

  if (entry->kind == EXITBOX_ALLOWLIST_ENTRY_DOMAIN)
    for (const char *dot = strchr (entry->host, '.'); dot != NULL; dot = strchr (dot + 1, '.'))
      g_ptr_array_add (suffixes, (gpointer) (dot + 1));

  for (guint i = suffixes->len; i > 0 && found == NULL; i--)
    {
      const char *suffix = g_ptr_array_index (suffixes, i - 1);
      g_autofree char *same_port = dup_index_key (entry->kind, suffix, entry->port);
      g_autofree char *no_port = dup_index_key (entry->kind, suffix, 0);

      found = g_hash_table_lookup (index, same_port);
      if (found == NULL && plain_covers)
        found = g_hash_table_lookup (index, no_port);
    }

  if (found == NULL && plain_covers)
    {
      g_autofree char *no_port = dup_index_key (entry->kind, entry->host, 0);

      found = g_hash_table_lookup (index, no_port);
    }

  return found;
}

/* Leaves out the entries whose parent domain is also listed with the same
 * port, or that a plain entry for the same host covers, because those
 * already allow them, and records a notice for each. An index keeps this
 * linear in the number of entries.
 */
static void
fold_covered_entries (ExitboxAllowlist *self)
{
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  kept = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_allowlist_entry_free);

  for (guint i = 0; i < self->entries->len; i++)
    {
      ExitboxAllowlistEntry *entry = g_ptr_array_index (self->entries, i);

      g_hash_table_insert (index, dup_index_key (entry->kind, entry->host, entry->port), entry);
    }

  for (guint i = 0; i < self->entries->len; i++)
    {
      ExitboxAllowlistEntry *entry = g_ptr_array_index (self->entries, i);
      const ExitboxAllowlistEntry *parent = find_parent_indexed (index, entry);
      g_autofree char *entry_text = NULL;
      g_autofree char *parent_text = NULL;

      if (parent == NULL)
        {
          g_ptr_array_add (kept, exitbox_allowlist_entry_copy (entry));
          continue;
        }

      entry_text = exitbox_allowlist_entry_to_string (entry);
      parent_text = exitbox_allowlist_entry_to_string (parent);
      g_ptr_array_add (self->notices,
                       g_strdup_printf (_("%s is folded into %s, which already allows it."),
                                        entry_text, parent_text));
    }

  g_ptr_array_set_size (self->entries, 0);
  g_ptr_array_extend_and_steal (self->entries, g_steal_pointer (&kept));
}

/* The items of the list @value as written, with their canonical forms.
 * @disabled is NULL while the disabled list itself is read.
 */
static GPtrArray *
collect_items (ExitboxYamlDocument *document,
               yaml_node_t         *value,
               GHashTable          *disabled)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) allowlist_item_free);

  for (guint i = 0; i < exitbox_yaml_node_get_length (value); i++)
    {
      yaml_node_t *item_node = exitbox_yaml_sequence_get_item (document, value, i);
      g_autoptr(ExitboxAllowlistEntry) entry = NULL;
      ExitboxAllowlistItem *item = g_new0 (ExitboxAllowlistItem, 1);

      item->text = g_strdup (exitbox_yaml_node_get_scalar (item_node));
      entry = exitbox_allowlist_entry_parse (item->text, NULL);
      if (entry != NULL)
        item->canonical = exitbox_allowlist_entry_to_string (entry);
      item->disabled = disabled == NULL ||
                       (item->canonical != NULL && g_hash_table_contains (disabled, item->canonical));

      g_ptr_array_add (items, item);
    }

  return items;
}

static gboolean
is_category_key (const char *key)
{
  return !g_str_equal (key, VERSION_KEY) && !g_str_equal (key, DISABLED_KEY);
}

/* The version decides whether this ExitBox may change the file. A value
 * that is not a whole number is a warning, because the entries still apply.
 */
static void
read_version (ExitboxAllowlist    *self,
              ExitboxYamlDocument *document,
              yaml_node_t         *value)
{
  const char *text = exitbox_yaml_node_get_scalar (value);
  g_autofree char *location = exitbox_yaml_document_dup_location (document, value);
  gint64 version = 0;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, 1, G_MAXINT, &version, NULL))
    {
      g_ptr_array_add (self->warnings,
                       g_strdup_printf (_("%s: version must be a whole number such as 1. The "
                                          "entries still apply."),
                                        location));
      return;
    }

  self->version = version;
  if (version > ALLOWLIST_VERSION_MAX)
    g_ptr_array_add (self->notices,
                     g_strdup_printf (_("%s: version %lld comes from a newer ExitBox. This "
                                        "version reads the entries it knows and will not "
                                        "change the file."),
                                      location, (long long) version));
}

static ExitboxAllowlist *
load_document (ExitboxAllowlist    *self,
               ExitboxYamlDocument *document,
               const char          *path)
{
  g_autoptr(GHashTable) disabled = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GHashTable) duplicated = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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
        {
          read_version (self, document, value);
          continue;
        }

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
        {
          g_autoptr(GPtrArray) items = collect_items (document, value, NULL);

          foreach_entry (self, document, value, add_disabled, disabled);
          g_ptr_array_extend_and_steal (self->disabled_items, g_steal_pointer (&items));
        }
    }

  state.disabled = disabled;
  state.seen = seen;
  state.duplicated = duplicated;

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
      g_hash_table_insert (self->category_items, g_strdup (name),
                           collect_items (document, value, disabled));
      foreach_entry (self, document, value, add_enforced, &state);
    }

  fold_covered_entries (self);

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
exitbox_allowlist_new_default (void)
{
  g_autoptr(GBytes) bytes = NULL;
  gconstpointer data;
  gsize size;

  exitbox_core_init ();

  /* The resource is compiled into the library, so only a broken build lacks it. */
  bytes = g_resources_lookup_data (DEFAULT_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &size);
  return exitbox_allowlist_load_data (data, (gssize) size, DEFAULT_RESOURCE);
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

/* The categories of the default allowlist.yaml with their display names. */
static const struct
{
  const char *id;
  const char *name;
} category_names[] = {
  { "ai_providers", N_("AI providers") },
  { "development", N_("Development") },
  { "cloud_services", N_("Cloud services") },
  { EXITBOX_ALLOWLIST_DEFAULT_CATEGORY, N_("Custom") },
};

const char *
exitbox_allowlist_category_get_display_name (const char *category)
{
  g_return_val_if_fail (category != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (category_names); i++)
    if (g_str_equal (category_names[i].id, category))
      return _(category_names[i].name);

  return category;
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
exitbox_allowlist_get_notices (ExitboxAllowlist *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST (self), NULL);

  return ptr_array_as_strv (self->notices);
}

const char * const *
exitbox_allowlist_get_warnings (ExitboxAllowlist *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST (self), NULL);

  return ptr_array_as_strv (self->warnings);
}

GPtrArray *
exitbox_allowlist_get_category_items (ExitboxAllowlist *self,
                                      const char       *category)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST (self), NULL);
  g_return_val_if_fail (category != NULL, NULL);

  return g_hash_table_lookup (self->category_items, category);
}

GPtrArray *
exitbox_allowlist_get_disabled_items (ExitboxAllowlist *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST (self), NULL);

  return self->disabled_items;
}

/* Editing the file. */

/* Reads @path for an edit. Fails with the allowlist's own problem message
 * when the file is missing, unreadable or does not parse, so nothing is
 * written over it.
 */
static gboolean
load_for_edit (const char        *path,
               char             **out_contents,
               gsize             *out_length,
               ExitboxAllowlist **out_allowlist,
               GError           **error)
{
  g_autoptr(ExitboxAllowlist) allowlist = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &read_error))
    {
      allowlist = exitbox_allowlist_load_file (path);
      g_set_error_literal (error, G_IO_ERROR,
                           g_error_matches (read_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                             ? G_IO_ERROR_NOT_FOUND : G_IO_ERROR_FAILED,
                           exitbox_allowlist_get_problem (allowlist) != NULL
                             ? exitbox_allowlist_get_problem (allowlist) : read_error->message);
      return FALSE;
    }

  allowlist = exitbox_allowlist_load_data (contents, (gssize) length, path);
  if (exitbox_allowlist_get_status (allowlist) == EXITBOX_ALLOWLIST_STATUS_INVALID)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s The file was not changed."), exitbox_allowlist_get_problem (allowlist));
      return FALSE;
    }

  if (allowlist->version > ALLOWLIST_VERSION_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY,
                   _("%s has version %lld, but this ExitBox changes version "
                     "%d at most, so the file was not changed. Update ExitBox, or edit the "
                     "file by hand."),
                   path, (long long) allowlist->version, ALLOWLIST_VERSION_MAX);
      return FALSE;
    }

  *out_contents = g_steal_pointer (&contents);
  *out_length = length;
  *out_allowlist = g_steal_pointer (&allowlist);
  return TRUE;
}

/* Whether the enforced entries of @allowlist allow @entry, itself or through
 * a listed parent domain.
 */
static gboolean
is_enforced (ExitboxAllowlist            *allowlist,
             const ExitboxAllowlistEntry *entry)
{
  return find_covering_entry (allowlist->entries, entry, FALSE) != NULL;
}

/* The first category listing @canonical, for messages. */
static const char *
find_category_of (ExitboxAllowlist *allowlist,
                  const char       *canonical)
{
  for (guint i = 0; i < allowlist->categories->len; i++)
    {
      const char *category = g_ptr_array_index (allowlist->categories, i);
      GPtrArray *items = g_hash_table_lookup (allowlist->category_items, category);

      for (guint j = 0; j < items->len; j++)
        {
          ExitboxAllowlistItem *item = g_ptr_array_index (items, j);

          if (g_strcmp0 (item->canonical, canonical) == 0)
            return category;
        }
    }

  return NULL;
}

/* Whether a category of @allowlist lists @canonical. */
static gboolean
is_listed (ExitboxAllowlist *allowlist,
           const char       *canonical)
{
  return find_category_of (allowlist, canonical) != NULL;
}

static gboolean
check_category_name (const char  *category,
                     GError     **error)
{
  if (category[0] == '\0' || !g_utf8_validate (category, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The category name “%s” is invalid. Use a name such as “custom”."),
                   category);
      return FALSE;
    }

  if (!is_category_key (category))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is a reserved key of the allowlist file, not a category. Use "
                     "another name, such as “custom”."),
                   category);
      return FALSE;
    }

  for (const char *p = category; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7F)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The category name “%s” contains a control character. Use a name "
                         "such as “custom”."),
                       category);
          return FALSE;
        }
    }

  return TRUE;
}

char *
exitbox_allowlist_add_entry_in_file (const char  *path,
                                     const char  *text,
                                     const char  *category,
                                     GError     **error)
{
  g_autoptr(ExitboxAllowlistEntry) entry = NULL;
  g_autoptr(ExitboxAllowlist) allowlist = NULL;
  g_autoptr(ExitboxAllowlist) result_allowlist = NULL;
  g_autoptr(GError) parse_error = NULL;
  const ExitboxAllowlistEntry *covering;
  g_autofree char *notice = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *result = NULL;
  gsize length = 0;
  gsize result_length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (category == NULL)
    category = EXITBOX_ALLOWLIST_DEFAULT_CATEGORY;

  entry = exitbox_allowlist_entry_parse (text, &parse_error);
  if (entry == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s. Write a domain such as example.com, an IP address, or either "
                     "with a port such as example.com:8443."),
                   parse_error->message);
      return NULL;
    }

  if (!check_category_name (category, error))
    return NULL;

  if (!load_for_edit (path, &contents, &length, &allowlist, error))
    return NULL;

  /* "Custom" means the existing "custom" rather than a second category. */
  for (guint i = 0; i < allowlist->categories->len; i++)
    {
      const char *existing = g_ptr_array_index (allowlist->categories, i);

      if (g_ascii_strcasecmp (existing, category) == 0)
        category = existing;
    }

  canonical = exitbox_allowlist_entry_to_string (entry);

  covering = find_covering_entry (allowlist->entries, entry, FALSE);
  if (covering != NULL)
    {
      g_autofree char *covering_text = exitbox_allowlist_entry_to_string (covering);

      g_autofree char *unchanged = NULL;

      notice = exitbox_allowlist_entry_dup_notice (text, entry);

      if (g_str_equal (covering_text, canonical))
        unchanged = g_strdup_printf (_("%s is already allowed by the category “%s” in %s, so "
                                       "nothing changed."),
                                     canonical, find_category_of (allowlist, canonical), path);
      else
        unchanged = g_strdup_printf (_("%s is already allowed through %s in the category “%s” "
                                       "of %s, so nothing changed."),
                                     canonical, covering_text,
                                     find_category_of (allowlist, covering_text), path);

      if (notice != NULL)
        return g_strconcat (notice, "\n", unchanged, NULL);
      return g_steal_pointer (&unchanged);
    }

  for (guint i = 0; i < allowlist->disabled_items->len; i++)
    {
      ExitboxAllowlistItem *item = g_ptr_array_index (allowlist->disabled_items, i);

      if (g_strcmp0 (item->canonical, canonical) == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                       _("%s is in the “disabled” list of %s, which blocks it in every "
                         "category, so adding it would not allow it. Run “exitbox allowlist "
                         "enable %s” to allow it again."),
                       canonical, path, canonical);
          return NULL;
        }
    }

  result = exitbox_yaml_append_sequence_item (contents, (gssize) length, path, category,
                                              canonical, &result_length, error);
  if (result == NULL)
    return NULL;

  /* The edited file must now allow the entry. */
  result_allowlist = exitbox_allowlist_load_data (result, (gssize) result_length, path);
  if (!is_enforced (result_allowlist, entry))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Adding %s to %s did not allow it when the file was read back, so the "
                     "file was not changed. Edit the file by hand."),
                   canonical, path);
      return NULL;
    }

  if (!exitbox_write_file_atomically (path, result, (gssize) result_length, 0600, error))
    return NULL;

  notice = exitbox_allowlist_entry_dup_notice (text, entry);
  if (notice != NULL)
    return g_strdup_printf (_("%s\nAdded %s to the category “%s” in %s."), notice, canonical,
                            category, path);

  return g_strdup_printf (_("Added %s to the category “%s” in %s."), canonical, category, path);
}

char *
exitbox_allowlist_remove_entry_in_file (const char  *path,
                                        const char  *text,
                                        GError     **error)
{
  g_autoptr(ExitboxAllowlistEntry) entry = NULL;
  g_autoptr(ExitboxAllowlist) allowlist = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GString) categories_text = g_string_new (NULL);
  g_autofree char *contents = NULL;
  g_autofree char *canonical = NULL;
  gsize length = 0;
  guint n_removed = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entry = exitbox_allowlist_entry_parse (text, &parse_error);
  if (entry != NULL)
    canonical = exitbox_allowlist_entry_to_string (entry);

  if (!load_for_edit (path, &contents, &length, &allowlist, error))
    return NULL;

  /* Each category's list is edited once per distinct spelling of the entry. */
  for (guint i = 0; i < allowlist->categories->len; i++)
    {
      const char *category = g_ptr_array_index (allowlist->categories, i);
      GPtrArray *items = g_hash_table_lookup (allowlist->category_items, category);
      g_autoptr(GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);
      gboolean changed = FALSE;

      for (guint j = 0; j < items->len; j++)
        {
          ExitboxAllowlistItem *item = g_ptr_array_index (items, j);
          char *edited;
          gsize edited_length = 0;
          gboolean matches = canonical != NULL
                             ? g_strcmp0 (item->canonical, canonical) == 0
                             : g_str_equal (item->text, text);

          if (!matches || g_hash_table_contains (done, item->text))
            continue;

          g_hash_table_add (done, item->text);
          edited = exitbox_yaml_remove_sequence_item (contents, (gssize) length, path, category,
                                                      item->text, &edited_length, error);
          if (edited == NULL)
            return NULL;

          g_free (contents);
          contents = edited;
          length = edited_length;
          changed = TRUE;
          n_removed++;
        }

      if (changed)
        g_string_append_printf (categories_text, "%s“%s”",
                                categories_text->len > 0 ? ", " : "", category);
    }

  if (n_removed == 0 && canonical == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s, and no category of %s contains it as written."),
                   parse_error->message, path);
      return NULL;
    }

  if (n_removed == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No category of %s contains %s, so nothing was removed. Run “exitbox "
                     "allowlist list” to see the entries."),
                   path, canonical);
      return NULL;
    }

  /* An entry that no category lists any more leaves the disabled list too,
   * so that adding it again later allows it.
   */
  if (canonical != NULL)
    {
      g_autoptr(ExitboxAllowlist) remaining = exitbox_allowlist_load_data (contents,
                                                                            (gssize) length,
                                                                            path);
      const char * const enable[] = { canonical, NULL };
      char *edited;

      if (!is_listed (remaining, canonical))
        {
          edited = exitbox_allowlist_edit_disabled (contents, (gssize) length, path, NULL, enable,
                                                    &length, error);
          if (edited == NULL)
            return NULL;
          g_free (contents);
          contents = edited;
        }
    }

  if (!exitbox_write_file_atomically (path, contents, (gssize) length, 0600, error))
    return NULL;

  return g_strdup_printf (_("Removed %s from %s in %s."),
                          canonical != NULL ? canonical : text, categories_text->str, path);
}

char *
exitbox_allowlist_edit_disabled (const char          *data,
                                 gssize               length,
                                 const char          *path_for_messages,
                                 const char * const  *disable,
                                 const char * const  *enable,
                                 gsize               *out_length,
                                 GError             **error)
{
  g_autoptr(ExitboxAllowlist) allowlist = NULL;
  g_autofree char *contents = NULL;
  gsize contents_length;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (out_length != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = (gssize) strlen (data);

  allowlist = exitbox_allowlist_load_data (data, length, path_for_messages);
  if (exitbox_allowlist_get_status (allowlist) == EXITBOX_ALLOWLIST_STATUS_INVALID)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s The file was not changed."), exitbox_allowlist_get_problem (allowlist));
      return NULL;
    }

  if (allowlist->version > ALLOWLIST_VERSION_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY,
                   _("%s has version %lld, but this ExitBox changes version "
                     "%d at most, so the file was not changed. Update ExitBox, or edit the "
                     "file by hand."),
                   path_for_messages, (long long) allowlist->version, ALLOWLIST_VERSION_MAX);
      return NULL;
    }

  contents = g_strndup (data, (gsize) length);
  contents_length = (gsize) length;

  for (guint i = 0; enable != NULL && enable[i] != NULL; i++)
    {
      g_autoptr(ExitboxAllowlistEntry) entry = exitbox_allowlist_entry_parse (enable[i], NULL);
      g_autofree char *canonical = entry != NULL ? exitbox_allowlist_entry_to_string (entry) : NULL;
      g_autoptr(GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint j = 0; j < allowlist->disabled_items->len; j++)
        {
          ExitboxAllowlistItem *item = g_ptr_array_index (allowlist->disabled_items, j);
          gboolean matches = canonical != NULL
                             ? g_strcmp0 (item->canonical, canonical) == 0
                             : g_str_equal (item->text, enable[i]);
          char *edited;

          if (!matches || g_hash_table_contains (done, item->text))
            continue;

          g_hash_table_add (done, item->text);
          edited = exitbox_yaml_remove_sequence_item (contents, (gssize) contents_length,
                                                      path_for_messages, DISABLED_KEY, item->text,
                                                      &contents_length, error);
          if (edited == NULL)
            return NULL;

          g_free (contents);
          contents = edited;
        }
    }

  for (guint i = 0; disable != NULL && disable[i] != NULL; i++)
    {
      g_autoptr(GError) parse_error = NULL;
      g_autoptr(ExitboxAllowlistEntry) entry = exitbox_allowlist_entry_parse (disable[i],
                                                                              &parse_error);
      g_autofree char *canonical = NULL;
      gboolean present = FALSE;
      char *edited;

      if (entry == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "%s.", parse_error->message);
          return NULL;
        }

      canonical = exitbox_allowlist_entry_to_string (entry);
      if (!is_listed (allowlist, canonical))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("No category of %s contains %s, so there is nothing to disable. Run "
                         "“exitbox allowlist list” to see the entries."),
                       path_for_messages, canonical);
          return NULL;
        }

      for (guint j = 0; j < allowlist->disabled_items->len; j++)
        {
          ExitboxAllowlistItem *item = g_ptr_array_index (allowlist->disabled_items, j);

          present |= g_strcmp0 (item->canonical, canonical) == 0;
        }

      if (present)
        continue;

      edited = exitbox_yaml_append_sequence_item (contents, (gssize) contents_length,
                                                  path_for_messages, DISABLED_KEY, canonical,
                                                  &contents_length, error);
      if (edited == NULL)
        return NULL;

      g_free (contents);
      contents = edited;
    }

  *out_length = contents_length;
  return g_steal_pointer (&contents);
}

char *
exitbox_allowlist_set_disabled_in_file (const char  *path,
                                        const char  *text,
                                        gboolean     disabled,
                                        GError     **error)
{
  g_autoptr(ExitboxAllowlist) allowlist = NULL;
  g_autoptr(ExitboxAllowlistEntry) entry = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *result = NULL;
  const char * const texts[] = { text, NULL };
  gsize length = 0;
  gsize result_length = 0;
  gboolean was_disabled = FALSE;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entry = exitbox_allowlist_entry_parse (text, &parse_error);
  if (entry == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s. Write it as “exitbox allowlist list” shows it."),
                   parse_error->message);
      return NULL;
    }

  canonical = exitbox_allowlist_entry_to_string (entry);

  if (!load_for_edit (path, &contents, &length, &allowlist, error))
    return NULL;

  for (guint i = 0; i < allowlist->disabled_items->len; i++)
    {
      ExitboxAllowlistItem *item = g_ptr_array_index (allowlist->disabled_items, i);

      was_disabled |= g_strcmp0 (item->canonical, canonical) == 0;
    }

  if (!disabled && !was_disabled && !is_listed (allowlist, canonical))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No category of %s contains %s, so there is nothing to enable. Run "
                     "“exitbox allowlist add %s” to allow it."),
                   path, canonical, canonical);
      return NULL;
    }

  if (was_disabled == disabled)
    return g_strdup_printf (disabled
                              ? _("%s is already disabled in %s, so nothing changed.")
                              : _("%s is not disabled in %s, so nothing changed."),
                            canonical, path);

  result = exitbox_allowlist_edit_disabled (contents, (gssize) length, path,
                                            disabled ? texts : NULL,
                                            disabled ? NULL : texts,
                                            &result_length, error);
  if (result == NULL)
    return NULL;

  if (!exitbox_write_file_atomically (path, result, (gssize) result_length, 0600, error))
    return NULL;

  return g_strdup_printf (disabled
                            ? _("Disabled %s in %s. It stays in the file but is not allowed.")
                            : _("Enabled %s in %s again."),
                          canonical, path);
}
