/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "exitbox-paths.h"
#include "exitbox-project-registry.h"

#define REGISTRY_VERSION 1

void
exitbox_project_record_free (ExitboxProjectRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->path);
  g_free (record->key);
  g_clear_pointer (&record->last_used, g_date_time_unref);
  g_strfreev (record->agents);
  g_strfreev (record->profiles_added);
  g_strfreev (record->profiles_removed);
  g_free (record);
}

char *
exitbox_project_registry_dup_path (void)
{
  g_autofree char *data_dir = exitbox_dup_data_dir ();

  return g_build_filename (data_dir, "projects.json", NULL);
}

static void
set_invalid_error (GError     **error,
                   const char  *path,
                   const char  *reason)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("The project registry %s is invalid (%s). ExitBox leaves it as it is: "
                 "fix it, or move it away to start a new registry."),
               path, reason);
}

/* Returns the registry's root object, a new one when @path does not exist,
 * or NULL with @error set.
 */
static JsonNode *
read_root (const char  *path,
           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;

  if (!json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_autoptr(JsonObject) empty = json_object_new ();

          json_object_set_int_member (empty, "version", REGISTRY_VERSION);
          json_object_set_array_member (empty, "projects", json_array_new ());
          root = json_node_new (JSON_NODE_OBJECT);
          json_node_set_object (root, empty);
          return root;
        }

      if (local_error->domain == JSON_PARSER_ERROR)
        set_invalid_error (error, path, local_error->message);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _("Failed to read the project registry %s: %s"), path, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_invalid_error (error, path, _("the top level is not an object"));
      return NULL;
    }

  object = json_node_get_object (root);
  if (!json_object_has_member (object, "projects"))
    json_object_set_array_member (object, "projects", json_array_new ());
  else if (!JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "projects")))
    {
      set_invalid_error (error, path, _("“projects” is not a list"));
      return NULL;
    }

  return json_node_copy (root);
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* The strings of the list member @name, skipping other values. */
static char **
dup_string_list_member (JsonObject *object,
                        const char *name)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *node = json_object_get_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }

  return g_strv_builder_end (builder);
}

static gint
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const ExitboxProjectRecord *left = *(ExitboxProjectRecord **) a;
  const ExitboxProjectRecord *right = *(ExitboxProjectRecord **) b;

  return g_date_time_compare (right->last_used, left->last_used);
}

GPtrArray *
exitbox_project_registry_load (const char  *path,
                               GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) records = NULL;
  JsonArray *projects;

  g_return_val_if_fail (path != NULL, NULL);

  root = read_root (path, error);
  if (root == NULL)
    return NULL;

  records = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_project_record_free);
  projects = json_object_get_array_member (json_node_get_object (root), "projects");

  for (guint i = 0; i < json_array_get_length (projects); i++)
    {
      JsonNode *element = json_array_get_element (projects, i);
      g_autoptr(ExitboxProjectRecord) record = NULL;
      JsonObject *object;
      const char *last_used;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;

      object = json_node_get_object (element);
      record = g_new0 (ExitboxProjectRecord, 1);
      record->path = g_strdup (get_string_member (object, "path"));
      record->key = g_strdup (get_string_member (object, "key"));
      last_used = get_string_member (object, "last_used");
      if (last_used != NULL)
        record->last_used = g_date_time_new_from_iso8601 (last_used, NULL);

      /* An entry without a path is skipped, not fatal: the rest of the
       * registry stays usable.
       */
      if (record->path == NULL)
        continue;
      if (record->last_used == NULL)
        record->last_used = g_date_time_new_from_unix_utc (0);

      record->agents = dup_string_list_member (object, "agents");
      record->profiles_added = dup_string_list_member (object, "profiles_added");
      record->profiles_removed = dup_string_list_member (object, "profiles_removed");

      g_ptr_array_add (records, g_steal_pointer (&record));
    }

  g_ptr_array_sort (records, compare_newest_first);

  return g_steal_pointer (&records);
}

static JsonObject *
find_project (JsonArray  *projects,
              const char *path)
{
  for (guint i = 0; i < json_array_get_length (projects); i++)
    {
      JsonNode *element = json_array_get_element (projects, i);

      if (JSON_NODE_HOLDS_OBJECT (element) &&
          g_strcmp0 (get_string_member (json_node_get_object (element), "path"), path) == 0)
        return json_node_get_object (element);
    }

  return NULL;
}

static void
add_agent (JsonObject *project,
           const char *agent)
{
  JsonNode *node = json_object_get_member (project, "agents");
  JsonArray *agents;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      json_object_set_array_member (project, "agents", json_array_new ());
      node = json_object_get_member (project, "agents");
    }

  agents = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (agents); i++)
    {
      JsonNode *element = json_array_get_element (agents, i);

      if (json_node_get_value_type (element) == G_TYPE_STRING &&
          g_str_equal (json_node_get_string (element), agent))
        return;
    }

  json_array_add_string_element (agents, agent);
}

/* Finds the entry of @project in @root, adding one when it is missing, and
 * records the project's current key.
 */
static JsonObject *
ensure_project_entry (JsonNode       *root,
                      ExitboxProject *project)
{
  JsonArray *projects = json_object_get_array_member (json_node_get_object (root), "projects");
  JsonObject *entry = find_project (projects, exitbox_project_get_path (project));

  if (entry == NULL)
    {
      entry = json_object_new ();
      json_object_set_string_member (entry, "path", exitbox_project_get_path (project));
      json_array_add_object_element (projects, entry);
    }

  json_object_set_string_member (entry, "key", exitbox_project_get_key (project));
  return entry;
}

static gboolean
write_root (const char  *path,
            JsonNode    *root,
            GError     **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *contents = NULL;
  gsize length;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  contents = json_generator_to_data (generator, &length);

  return exitbox_write_file_atomically (path, contents, length, 0600, error);
}

typedef struct
{
  const char         *agent_id;
  GDateTime          *when;
  const char         *profile_id;
  gboolean            add;
  const char * const *defaults;
  gboolean            changed;
} RegistryUpdate;

static gboolean
save_use (const char      *path,
          ExitboxProject  *project,
          RegistryUpdate  *update,
          GError         **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) when_utc = NULL;
  g_autofree char *last_used = NULL;
  JsonObject *entry;

  root = read_root (path, error);
  if (root == NULL)
    return FALSE;

  entry = ensure_project_entry (root, project);
  when_utc = g_date_time_to_utc (update->when);
  last_used = g_date_time_format_iso8601 (when_utc);
  json_object_set_string_member (entry, "last_used", last_used);
  add_agent (entry, update->agent_id != NULL ? update->agent_id : "shell");

  return write_root (path, root, error);
}

/* Replaces the list member @name of @entry with @items, or drops it when
 * @items is empty.
 */
static void
set_string_list_member (JsonObject         *entry,
                        const char         *name,
                        const char * const *items)
{
  JsonArray *array;

  if (items == NULL || items[0] == NULL)
    {
      json_object_remove_member (entry, name);
      return;
    }

  array = json_array_new ();
  for (guint i = 0; items[i] != NULL; i++)
    json_array_add_string_element (array, items[i]);
  json_object_set_array_member (entry, name, array);
}

static char **
dup_without (const char * const *items,
             const char         *removed)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; items != NULL && items[i] != NULL; i++)
    {
      if (!g_str_equal (items[i], removed))
        g_strv_builder_add (builder, items[i]);
    }

  return g_strv_builder_end (builder);
}

static char **
dup_with (const char * const *items,
          const char         *added)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (items != NULL)
    g_strv_builder_addv (builder, (const char **) items);
  if (items == NULL || !g_strv_contains (items, added))
    g_strv_builder_add (builder, added);

  return g_strv_builder_end (builder);
}

static gboolean
save_profile_change (const char      *path,
                     ExitboxProject  *project,
                     RegistryUpdate  *update,
                     GError         **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_auto(GStrv) added = NULL;
  g_auto(GStrv) removed = NULL;
  g_auto(GStrv) new_added = NULL;
  g_auto(GStrv) new_removed = NULL;
  g_auto(GStrv) before = NULL;
  g_auto(GStrv) after = NULL;
  gboolean in_defaults;
  JsonObject *entry;

  root = read_root (path, error);
  if (root == NULL)
    return FALSE;

  entry = ensure_project_entry (root, project);
  added = dup_string_list_member (entry, "profiles_added");
  removed = dup_string_list_member (entry, "profiles_removed");
  in_defaults = update->defaults != NULL && g_strv_contains (update->defaults, update->profile_id);

  if (update->add)
    {
      new_removed = dup_without ((const char * const *) removed, update->profile_id);
      new_added = in_defaults ? g_strdupv (added) : dup_with ((const char * const *) added,
                                                             update->profile_id);
    }
  else
    {
      new_added = dup_without ((const char * const *) added, update->profile_id);
      new_removed = in_defaults ? dup_with ((const char * const *) removed, update->profile_id)
                                : g_strdupv (removed);
    }

  before = exitbox_project_resolve_profiles (update->defaults, (const char * const *) added,
                                             (const char * const *) removed);
  after = exitbox_project_resolve_profiles (update->defaults, (const char * const *) new_added,
                                            (const char * const *) new_removed);
  update->changed = !g_strv_equal ((const char * const *) before, (const char * const *) after);

  set_string_list_member (entry, "profiles_added", (const char * const *) new_added);
  set_string_list_member (entry, "profiles_removed", (const char * const *) new_removed);

  return write_root (path, root, error);
}

typedef gboolean (*RegistrySave) (const char      *path,
                                  ExitboxProject  *project,
                                  RegistryUpdate  *update,
                                  GError         **error);

/* Runs @save under the registry's lock, creating its folder first. */
static gboolean
update_locked (const char      *path,
               ExitboxProject  *project,
               RegistrySave     save,
               RegistryUpdate  *update,
               GError         **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *lock_path = NULL;
  gboolean saved;
  int lock_fd;

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to create the folder %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  /* Sessions started at the same time from the window and the CLI would
   * otherwise each write their own read of the file, and one use would be
   * lost. The lock is released when the descriptor closes.
   */
  lock_path = g_strconcat (path, ".lock", NULL);
  lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to lock %s: %s"), lock_path, g_strerror (saved_errno));
      if (lock_fd >= 0)
        close (lock_fd);
      return FALSE;
    }

  saved = save (path, project, update, error);
  close (lock_fd);

  return saved;
}

gboolean
exitbox_project_registry_record_use (const char      *path,
                                     ExitboxProject  *project,
                                     const char      *agent_id,
                                     GDateTime       *when,
                                     GError         **error)
{
  RegistryUpdate update = { 0 };

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (EXITBOX_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (when != NULL, FALSE);

  update.agent_id = agent_id;
  update.when = when;

  return update_locked (path, project, save_use, &update, error);
}

gboolean
exitbox_project_registry_change_profile (const char          *path,
                                         ExitboxProject      *project,
                                         const char          *profile_id,
                                         gboolean             add,
                                         const char * const  *defaults,
                                         gboolean            *out_changed,
                                         GError             **error)
{
  RegistryUpdate update = { 0 };

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (EXITBOX_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (profile_id != NULL, FALSE);

  update.profile_id = profile_id;
  update.add = add;
  update.defaults = defaults;

  if (!update_locked (path, project, save_profile_change, &update, error))
    return FALSE;

  if (out_changed != NULL)
    *out_changed = update.changed;

  return TRUE;
}

ExitboxProjectRecord *
exitbox_project_registry_find_key (GPtrArray  *records,
                                   const char *key)
{
  g_return_val_if_fail (records != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < records->len; i++)
    {
      ExitboxProjectRecord *record = g_ptr_array_index (records, i);

      if (g_strcmp0 (record->key, key) == 0)
        return record;
    }

  return NULL;
}

char **
exitbox_project_resolve_profiles (const char * const *defaults,
                                  const char * const *added,
                                  const char * const *removed)
{
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (g_free);
  const char * const *lists[] = { defaults, added };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    {
      for (guint i = 0; lists[l] != NULL && lists[l][i] != NULL; i++)
        {
          const char *id = lists[l][i];

          if (removed != NULL && g_strv_contains (removed, id) && l == 0)
            continue;
          if (g_ptr_array_find_with_equal_func (result, id, g_str_equal, NULL))
            continue;
          g_ptr_array_add (result, g_strdup (id));
        }
    }

  g_ptr_array_add (result, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&result), FALSE);
}

char **
exitbox_project_registry_dup_profiles (const char          *path,
                                       const char          *project_key,
                                       const char * const  *defaults,
                                       GError             **error)
{
  g_autoptr(GPtrArray) records = NULL;
  ExitboxProjectRecord *record;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (project_key != NULL, NULL);

  records = exitbox_project_registry_load (path, error);
  if (records == NULL)
    return NULL;

  record = exitbox_project_registry_find_key (records, project_key);
  if (record == NULL)
    return exitbox_project_resolve_profiles (defaults, NULL, NULL);

  return exitbox_project_resolve_profiles (defaults,
                                           (const char * const *) record->profiles_added,
                                           (const char * const *) record->profiles_removed);
}
