/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "exitbox-catalogue.h"
#include "exitbox-core.h"
#include "exitbox-yaml.h"

#define CATALOGUE_RESOURCE_PATH "/io/github/exitbox/ExitBox/core/catalogue.yaml"
#define N_KINDS 4

/* Translations: the names and descriptions in catalogue.yaml are English
 * msgids looked up with g_dgettext() in the "exitbox" domain. xgettext finds
 * them in data/core/catalogue-strings.c, which
 * tools/extract-catalogue-strings.py generates from the YAML file.
 */

/* One item of any of the four lists. Fields that do not belong to the
 * item's kind stay NULL.
 */
typedef struct
{
  char  *id;
  char  *name;
  char  *description;       /* roles and profiles */
  char  *profile;           /* languages and tool categories */
  char **languages;         /* roles */
  char **tool_categories;   /* roles */
  char **debian_packages;   /* profiles */
  char **alpine_packages;   /* profiles */
  char **downloads;         /* profiles */
} CatalogueItem;

/* An id named by one item that must be defined in another list. It is
 * checked after all lists are read, while the document that owns @node is
 * still loaded, so the error can name the line.
 */
typedef struct
{
  ExitboxCatalogueKind  target;
  const char           *id;
  yaml_node_t          *node;
} PendingReference;

struct _ExitboxCatalogue
{
  GObject     parent_instance;

  GPtrArray  *items[N_KINDS];  /* CatalogueItem, in file order */
  GHashTable *index[N_KINDS];  /* id → CatalogueItem, owned by items */
};

G_DEFINE_FINAL_TYPE (ExitboxCatalogue, exitbox_catalogue, G_TYPE_OBJECT)

typedef struct
{
  const char *list_key;
  const char *label;              /* singular noun for messages */
  const char *allowed_keys;       /* comma-separated, for messages */
  const char *required_keys[4];
} KindInfo;

static const KindInfo kind_info[N_KINDS] = {
  [EXITBOX_CATALOGUE_ROLE] = {
    "roles", N_("role"), "id, name, description, languages, tool-categories",
    { "id", "name", "description", NULL },
  },
  [EXITBOX_CATALOGUE_LANGUAGE] = {
    "languages", N_("language"), "id, name, profile",
    { "id", "name", "profile", NULL },
  },
  [EXITBOX_CATALOGUE_TOOL_CATEGORY] = {
    "tool-categories", N_("tool category"), "id, name, profile",
    { "id", "name", "profile", NULL },
  },
  [EXITBOX_CATALOGUE_PROFILE] = {
    "profiles", N_("profile"), "id, name, description, packages, downloads",
    { "id", "name", "description", "packages" },
  },
};

static void
catalogue_item_free (CatalogueItem *item)
{
  g_free (item->id);
  g_free (item->name);
  g_free (item->description);
  g_free (item->profile);
  g_strfreev (item->languages);
  g_strfreev (item->tool_categories);
  g_strfreev (item->debian_packages);
  g_strfreev (item->alpine_packages);
  g_strfreev (item->downloads);
  g_free (item);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CatalogueItem, catalogue_item_free)

static void
exitbox_catalogue_finalize (GObject *object)
{
  ExitboxCatalogue *self = EXITBOX_CATALOGUE (object);

  for (guint kind = 0; kind < N_KINDS; kind++)
    {
      g_clear_pointer (&self->index[kind], g_hash_table_unref);
      g_clear_pointer (&self->items[kind], g_ptr_array_unref);
    }

  G_OBJECT_CLASS (exitbox_catalogue_parent_class)->finalize (object);
}

static void
exitbox_catalogue_class_init (ExitboxCatalogueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = exitbox_catalogue_finalize;
}

static void
exitbox_catalogue_init (ExitboxCatalogue *self)
{
  for (guint kind = 0; kind < N_KINDS; kind++)
    {
      self->items[kind] = g_ptr_array_new_with_free_func ((GDestroyNotify) catalogue_item_free);
      self->index[kind] = g_hash_table_new (g_str_hash, g_str_equal);
    }
}

/* Ids are lower-case ASCII words joined by single hyphens, so they are safe
 * in file names, image labels and command lines.
 */
static gboolean
is_valid_id (const char *text)
{
  gboolean after_hyphen = TRUE;

  if (*text == '\0')
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '-')
        {
          if (after_hyphen)
            return FALSE;
          after_hyphen = TRUE;
        }
      else if (g_ascii_islower (*p) || g_ascii_isdigit (*p))
        after_hyphen = FALSE;
      else
        return FALSE;
    }

  return !after_hyphen;
}

/* The characters Debian policy allows in package names. The check keeps
 * spaces and shell syntax out of the lists that an image build installs.
 */
static gboolean
is_valid_package_name (const char *text)
{
  if (!g_ascii_islower (*text) && !g_ascii_isdigit (*text))
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && strchr ("+-.", *p) == NULL)
        return FALSE;
    }

  return TRUE;
}

static gboolean
set_error_at (ExitboxYamlDocument  *document,
              yaml_node_t          *node,
              GError              **error,
              const char           *format,
              ...) G_GNUC_PRINTF (4, 5);

static gboolean
set_error_at (ExitboxYamlDocument  *document,
              yaml_node_t          *node,
              GError              **error,
              const char           *format,
              ...)
{
  g_autofree char *location = exitbox_yaml_document_dup_location (document, node);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", location, message);

  return FALSE;
}

/* Fails when @mapping has a key outside @allowed, a NULL-terminated list. */
static gboolean
check_keys (ExitboxYamlDocument  *document,
            yaml_node_t          *mapping,
            const char * const   *allowed,
            const char           *allowed_for_messages,
            GError              **error)
{
  guint n_pairs = exitbox_yaml_node_get_length (mapping);

  for (guint i = 0; i < n_pairs; i++)
    {
      yaml_node_t *key;
      yaml_node_t *value;
      const char *text;

      exitbox_yaml_mapping_get_pair (document, mapping, i, &key, &value);
      text = exitbox_yaml_node_get_scalar (key);

      if (text == NULL || !g_strv_contains (allowed, text))
        return set_error_at (document, key, error,
                             _("unknown key “%s”. The keys allowed here are: %s."),
                             text != NULL ? text : "?", allowed_for_messages);
    }

  return TRUE;
}

/* Reads the non-empty text value under @key. A missing key fails when
 * @required, else leaves *@out_text NULL.
 */
static gboolean
read_text (ExitboxYamlDocument  *document,
           yaml_node_t          *mapping,
           const char           *key,
           gboolean              required,
           char                **out_text,
           GError              **error)
{
  yaml_node_t *node = exitbox_yaml_mapping_lookup (document, mapping, key);
  const char *text;

  if (node == NULL)
    {
      if (required)
        return set_error_at (document, mapping, error, _("missing key “%s”."), key);
      return TRUE;
    }

  text = exitbox_yaml_node_get_scalar (node);
  if (text == NULL || exitbox_yaml_node_is_null (node) || *text == '\0')
    return set_error_at (document, node, error,
                         _("“%s” must be a non-empty text value, but it is %s."),
                         key, exitbox_yaml_node_describe_type (node));

  *out_text = g_strdup (text);

  return TRUE;
}

/* Reads the list of ids or package names under @key. A missing key gives an
 * empty list. When @target is not NULL, each item is queued in @references
 * for the check against the lists.
 */
static gboolean
read_list (ExitboxYamlDocument   *document,
           yaml_node_t           *mapping,
           const char            *key,
           gboolean               package_names,
           const ExitboxCatalogueKind *target,
           GArray                *references,
           char                ***out_list,
           GError               **error)
{
  yaml_node_t *node = exitbox_yaml_mapping_lookup (document, mapping, key);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_items;

  if (node != NULL && node->type != YAML_SEQUENCE_NODE)
    return set_error_at (document, node, error,
                         _("“%s” must be a list, but it is %s."),
                         key, exitbox_yaml_node_describe_type (node));

  n_items = exitbox_yaml_node_get_length (node);
  for (guint i = 0; i < n_items; i++)
    {
      yaml_node_t *item = exitbox_yaml_sequence_get_item (document, node, i);
      const char *text = exitbox_yaml_node_get_scalar (item);

      if (text == NULL || exitbox_yaml_node_is_null (item))
        return set_error_at (document, item, error,
                             _("the items of “%s” must be text values, but this one is %s."),
                             key, exitbox_yaml_node_describe_type (item));

      if (package_names && !is_valid_package_name (text))
        return set_error_at (document, item, error,
                             _("invalid package name “%s”. Package names contain "
                               "lower-case letters, digits and the characters + - . only."),
                             text);

      if (!package_names && !is_valid_id (text))
        return set_error_at (document, item, error,
                             _("invalid id “%s”. Ids contain lower-case letters and digits, "
                               "joined by single hyphens."),
                             text);

      if (!g_hash_table_add (seen, (gpointer) text))
        return set_error_at (document, item, error,
                             _("“%s” appears twice in “%s”. Remove one of them."), text, key);

      if (target != NULL)
        {
          PendingReference reference = { *target, text, item };

          g_array_append_val (references, reference);
        }

      g_strv_builder_add (builder, text);
    }

  *out_list = g_strv_builder_end (builder);

  return TRUE;
}

static gboolean
read_profile_packages (ExitboxYamlDocument  *document,
                       yaml_node_t          *mapping,
                       CatalogueItem        *item,
                       GError              **error)
{
  static const char * const allowed[] = { "debian", "alpine", NULL };
  yaml_node_t *packages = exitbox_yaml_mapping_lookup (document, mapping, "packages");

  if (packages->type != YAML_MAPPING_NODE)
    return set_error_at (document, packages, error,
                         _("“packages” must be a mapping with the keys debian and alpine, "
                           "but it is %s."),
                         exitbox_yaml_node_describe_type (packages));

  if (!check_keys (document, packages, allowed, "debian, alpine", error))
    return FALSE;

  for (guint i = 0; allowed[i] != NULL; i++)
    {
      if (exitbox_yaml_mapping_lookup (document, packages, allowed[i]) == NULL)
        return set_error_at (document, packages, error,
                             _("missing key “%s”. Write “%s: []” when the family has no "
                               "packages for this profile."),
                             allowed[i], allowed[i]);
    }

  return read_list (document, packages, "debian", TRUE, NULL, NULL,
                    &item->debian_packages, error) &&
         read_list (document, packages, "alpine", TRUE, NULL, NULL,
                    &item->alpine_packages, error);
}

static gboolean
read_item (ExitboxCatalogue      *self,
           ExitboxYamlDocument   *document,
           ExitboxCatalogueKind   kind,
           yaml_node_t           *mapping,
           GArray                *references,
           GError               **error)
{
  static const ExitboxCatalogueKind language_kind = EXITBOX_CATALOGUE_LANGUAGE;
  static const ExitboxCatalogueKind tool_category_kind = EXITBOX_CATALOGUE_TOOL_CATEGORY;
  static const ExitboxCatalogueKind profile_kind = EXITBOX_CATALOGUE_PROFILE;
  const KindInfo *info = &kind_info[kind];
  g_auto(GStrv) allowed = g_strsplit (info->allowed_keys, ", ", -1);
  g_autoptr(CatalogueItem) item = g_new0 (CatalogueItem, 1);
  yaml_node_t *id_node;

  if (mapping->type != YAML_MAPPING_NODE)
    return set_error_at (document, mapping, error,
                         _("each %s must be a mapping with the keys %s, but this one is %s."),
                         _(info->label), info->allowed_keys,
                         exitbox_yaml_node_describe_type (mapping));

  if (!check_keys (document, mapping, (const char * const *) allowed, info->allowed_keys, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (info->required_keys) && info->required_keys[i] != NULL; i++)
    {
      if (exitbox_yaml_mapping_lookup (document, mapping, info->required_keys[i]) == NULL)
        return set_error_at (document, mapping, error, _("the %s has no “%s” key."),
                             _(info->label), info->required_keys[i]);
    }

  if (!read_text (document, mapping, "id", TRUE, &item->id, error) ||
      !read_text (document, mapping, "name", TRUE, &item->name, error) ||
      !read_text (document, mapping, "description", FALSE, &item->description, error))
    return FALSE;

  id_node = exitbox_yaml_mapping_lookup (document, mapping, "id");
  if (!is_valid_id (item->id))
    return set_error_at (document, id_node, error,
                         _("invalid id “%s”. Ids contain lower-case letters and digits, "
                           "joined by single hyphens."),
                         item->id);

  if (g_hash_table_contains (self->index[kind], item->id))
    return set_error_at (document, id_node, error,
                         _("the %s id “%s” is defined twice. Ids must be unique within a list."),
                         _(info->label), item->id);

  switch (kind)
    {
    case EXITBOX_CATALOGUE_ROLE:
      if (!read_list (document, mapping, "languages", FALSE, &language_kind, references,
                      &item->languages, error) ||
          !read_list (document, mapping, "tool-categories", FALSE, &tool_category_kind,
                      references, &item->tool_categories, error))
        return FALSE;
      break;

    case EXITBOX_CATALOGUE_LANGUAGE:
    case EXITBOX_CATALOGUE_TOOL_CATEGORY:
      {
        yaml_node_t *profile_node = exitbox_yaml_mapping_lookup (document, mapping, "profile");
        PendingReference reference = { profile_kind, NULL, profile_node };

        if (!read_text (document, mapping, "profile", TRUE, &item->profile, error))
          return FALSE;

        reference.id = item->profile;
        g_array_append_val (references, reference);
      }
      break;

    case EXITBOX_CATALOGUE_PROFILE:
      if (!read_profile_packages (document, mapping, item, error) ||
          !read_list (document, mapping, "downloads", FALSE, NULL, NULL,
                      &item->downloads, error))
        return FALSE;
      break;

    default:
      g_assert_not_reached ();
    }

  g_hash_table_insert (self->index[kind], item->id, item);
  g_ptr_array_add (self->items[kind], g_steal_pointer (&item));

  return TRUE;
}

static gboolean
read_kind (ExitboxCatalogue      *self,
           ExitboxYamlDocument   *document,
           yaml_node_t           *root,
           ExitboxCatalogueKind   kind,
           GArray                *references,
           GError               **error)
{
  const char *key = kind_info[kind].list_key;
  yaml_node_t *list = exitbox_yaml_mapping_lookup (document, root, key);
  guint n_items;

  if (list == NULL)
    return set_error_at (document, root, error, _("missing key “%s”."), key);

  if (list->type != YAML_SEQUENCE_NODE)
    return set_error_at (document, list, error, _("“%s” must be a list, but it is %s."),
                         key, exitbox_yaml_node_describe_type (list));

  if (exitbox_yaml_node_get_length (list) == 0)
    return set_error_at (document, list, error, _("“%s” is empty. Add at least one %s."),
                         key, _(kind_info[kind].label));

  n_items = exitbox_yaml_node_get_length (list);
  for (guint i = 0; i < n_items; i++)
    {
      yaml_node_t *item = exitbox_yaml_sequence_get_item (document, list, i);

      if (!read_item (self, document, kind, item, references, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_references (ExitboxCatalogue     *self,
                  ExitboxYamlDocument  *document,
                  yaml_node_t          *root,
                  GArray               *references,
                  GError              **error)
{
  for (guint i = 0; i < references->len; i++)
    {
      const PendingReference *reference = &g_array_index (references, PendingReference, i);
      const KindInfo *info = &kind_info[reference->target];

      if (!g_hash_table_contains (self->index[reference->target], reference->id))
        return set_error_at (document, reference->node, error,
                             _("unknown %s “%s”. Define it under “%s” or remove the reference."),
                             _(info->label), reference->id, info->list_key);
    }

  if (!g_hash_table_contains (self->index[EXITBOX_CATALOGUE_PROFILE],
                              EXITBOX_CATALOGUE_BASE_PROFILE))
    return set_error_at (document, exitbox_yaml_mapping_lookup (document, root, "profiles"), error,
                         _("the profile “%s” is missing. Add it, because every profile "
                           "suggestion starts with it."),
                         EXITBOX_CATALOGUE_BASE_PROFILE);

  return TRUE;
}

ExitboxCatalogue *
exitbox_catalogue_load_data (const char  *data,
                             gssize       length,
                             const char  *path_for_messages,
                             GError     **error)
{
  static const char * const root_keys[] = { "roles", "languages", "tool-categories", "profiles", NULL };
  g_autoptr(ExitboxYamlDocument) document = NULL;
  g_autoptr(ExitboxCatalogue) self = NULL;
  g_autoptr(GArray) references = g_array_new (FALSE, FALSE, sizeof (PendingReference));
  yaml_node_t *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (path_for_messages != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  document = exitbox_yaml_document_load_data (data, length, path_for_messages, error);
  if (document == NULL)
    return NULL;

  root = exitbox_yaml_document_get_root (document);
  if (root == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: the catalogue is empty. It needs the keys roles, languages, "
                     "tool-categories and profiles."),
                   path_for_messages);
      return NULL;
    }

  if (root->type != YAML_MAPPING_NODE)
    {
      set_error_at (document, root, error,
                    _("the catalogue must be a mapping with the keys roles, languages, "
                      "tool-categories and profiles, but it is %s."),
                    exitbox_yaml_node_describe_type (root));
      return NULL;
    }

  if (!check_keys (document, root, root_keys, "roles, languages, tool-categories, profiles", error))
    return NULL;

  self = g_object_new (EXITBOX_TYPE_CATALOGUE, NULL);

  /* Profiles first, so that a duplicate id is reported before the
   * references of other lists to it.
   */
  if (!read_kind (self, document, root, EXITBOX_CATALOGUE_PROFILE, references, error) ||
      !read_kind (self, document, root, EXITBOX_CATALOGUE_LANGUAGE, references, error) ||
      !read_kind (self, document, root, EXITBOX_CATALOGUE_TOOL_CATEGORY, references, error) ||
      !read_kind (self, document, root, EXITBOX_CATALOGUE_ROLE, references, error))
    return NULL;

  if (!check_references (self, document, root, references, error))
    return NULL;

  return g_steal_pointer (&self);
}

ExitboxCatalogue *
exitbox_catalogue_load_default (GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gconstpointer data;
  gsize size;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  exitbox_core_init ();

  bytes = g_resources_lookup_data (CATALOGUE_RESOURCE_PATH, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;

  data = g_bytes_get_data (bytes, &size);

  return exitbox_catalogue_load_data (data, (gssize) size,
                                      "resource://" CATALOGUE_RESOURCE_PATH, error);
}

static CatalogueItem *
lookup_item (ExitboxCatalogue     *self,
             ExitboxCatalogueKind  kind,
             const char           *id)
{
  return g_hash_table_lookup (self->index[kind], id);
}

char **
exitbox_catalogue_dup_ids (ExitboxCatalogue     *self,
                           ExitboxCatalogueKind  kind)
{
  GPtrArray *items;
  char **ids;

  g_return_val_if_fail (EXITBOX_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (kind < N_KINDS, NULL);

  items = self->items[kind];
  ids = g_new0 (char *, items->len + 1);
  for (guint i = 0; i < items->len; i++)
    ids[i] = g_strdup (((CatalogueItem *) g_ptr_array_index (items, i))->id);

  return ids;
}

gboolean
exitbox_catalogue_contains (ExitboxCatalogue     *self,
                            ExitboxCatalogueKind  kind,
                            const char           *id)
{
  g_return_val_if_fail (EXITBOX_IS_CATALOGUE (self), FALSE);
  g_return_val_if_fail (kind < N_KINDS, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  return lookup_item (self, kind, id) != NULL;
}

const char *
exitbox_catalogue_get_name (ExitboxCatalogue     *self,
                            ExitboxCatalogueKind  kind,
                            const char           *id)
{
  CatalogueItem *item;

  g_return_val_if_fail (EXITBOX_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (kind < N_KINDS, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  item = lookup_item (self, kind, id);
  if (item == NULL)
    return NULL;

  return g_dgettext (GETTEXT_PACKAGE, item->name);
}

const char *
exitbox_catalogue_get_description (ExitboxCatalogue     *self,
                                   ExitboxCatalogueKind  kind,
                                   const char           *id)
{
  CatalogueItem *item;

  g_return_val_if_fail (EXITBOX_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (kind < N_KINDS, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  item = lookup_item (self, kind, id);
  if (item == NULL || item->description == NULL)
    return NULL;

  return g_dgettext (GETTEXT_PACKAGE, item->description);
}

char **
exitbox_catalogue_dup_role_languages (ExitboxCatalogue *self,
                                      const char       *role_id)
{
  CatalogueItem *item;

  g_return_val_if_fail (EXITBOX_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (role_id != NULL, NULL);

  item = lookup_item (self, EXITBOX_CATALOGUE_ROLE, role_id);

  return item != NULL ? g_strdupv (item->languages) : NULL;
}

char **
exitbox_catalogue_dup_role_tool_categories (ExitboxCatalogue *self,
                                            const char       *role_id)
{
  CatalogueItem *item;

  g_return_val_if_fail (EXITBOX_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (role_id != NULL, NULL);

  item = lookup_item (self, EXITBOX_CATALOGUE_ROLE, role_id);

  return item != NULL ? g_strdupv (item->tool_categories) : NULL;
}

const char *
exitbox_catalogue_get_profile_for (ExitboxCatalogue     *self,
                                   ExitboxCatalogueKind  kind,
                                   const char           *id)
{
  CatalogueItem *item;

  g_return_val_if_fail (EXITBOX_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (kind < N_KINDS, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (kind != EXITBOX_CATALOGUE_LANGUAGE && kind != EXITBOX_CATALOGUE_TOOL_CATEGORY)
    return NULL;

  item = lookup_item (self, kind, id);

  return item != NULL ? item->profile : NULL;
}

static void
add_profile_once (GPtrArray   *profiles,
                  const char  *profile_id)
{
  if (!g_ptr_array_find_with_equal_func (profiles, profile_id, g_str_equal, NULL))
    g_ptr_array_add (profiles, g_strdup (profile_id));
}

char **
exitbox_catalogue_suggest_profiles (ExitboxCatalogue    *self,
                                    const char * const  *role_ids,
                                    GError             **error)
{
  g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (EXITBOX_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (role_ids != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  add_profile_once (profiles, EXITBOX_CATALOGUE_BASE_PROFILE);

  for (guint i = 0; role_ids[i] != NULL; i++)
    {
      CatalogueItem *role = lookup_item (self, EXITBOX_CATALOGUE_ROLE, role_ids[i]);

      if (role == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("Unknown role “%s”. Choose one of the roles the catalogue lists."),
                       role_ids[i]);
          return NULL;
        }

      /* The loader checked every reference, so both lookups succeed. */
      for (guint j = 0; role->languages[j] != NULL; j++)
        add_profile_once (profiles,
                          lookup_item (self, EXITBOX_CATALOGUE_LANGUAGE, role->languages[j])->profile);

      for (guint j = 0; role->tool_categories[j] != NULL; j++)
        add_profile_once (profiles,
                          lookup_item (self, EXITBOX_CATALOGUE_TOOL_CATEGORY,
                                       role->tool_categories[j])->profile);
    }

  g_ptr_array_add (profiles, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&profiles), FALSE);
}

char **
exitbox_catalogue_dup_packages (ExitboxCatalogue   *self,
                                const char         *profile_id,
                                ExitboxBaseFamily   family,
                                GError            **error)
{
  CatalogueItem *item;

  g_return_val_if_fail (EXITBOX_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (profile_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  item = lookup_item (self, EXITBOX_CATALOGUE_PROFILE, profile_id);
  if (item == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("Unknown development profile “%s”. Choose one of the profiles the "
                     "catalogue lists."),
                   profile_id);
      return NULL;
    }

  switch (family)
    {
    case EXITBOX_BASE_FAMILY_DEBIAN:
      return g_strdupv (item->debian_packages);
    case EXITBOX_BASE_FAMILY_ALPINE:
      return g_strdupv (item->alpine_packages);
    default:
      g_return_val_if_reached (NULL);
    }
}

char **
exitbox_catalogue_dup_downloads (ExitboxCatalogue *self,
                                 const char       *profile_id)
{
  CatalogueItem *item;

  g_return_val_if_fail (EXITBOX_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (profile_id != NULL, NULL);

  item = lookup_item (self, EXITBOX_CATALOGUE_PROFILE, profile_id);

  return item != NULL ? g_strdupv (item->downloads) : NULL;
}

/* Lower case, with spaces and underscores as '-', so that "Build Tools" and
 * "data_science" compare equal to the ids "build-tools" and "data-science".
 */
static char *
fold_for_matching (const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  char *folded = g_ascii_strdown (stripped, -1);

  g_strdelimit (folded, " _", '-');
  return folded;
}

const char *
exitbox_catalogue_match_id (ExitboxCatalogue     *self,
                            ExitboxCatalogueKind  kind,
                            const char           *text)
{
  g_autofree char *wanted = NULL;
  GPtrArray *items;

  g_return_val_if_fail (EXITBOX_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (kind < N_KINDS, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  wanted = fold_for_matching (text);
  items = self->items[kind];

  for (guint i = 0; i < items->len; i++)
    {
      CatalogueItem *item = g_ptr_array_index (items, i);
      g_autofree char *name = fold_for_matching (item->name);

      if (g_str_equal (item->id, wanted) || g_str_equal (name, wanted))
        return item->id;
    }

  return NULL;
}
