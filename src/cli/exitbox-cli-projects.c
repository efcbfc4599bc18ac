/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <glib/gi18n.h>

#include "exitbox-cli-private.h"

/* Maps each project key to a list of "agent version" texts, one per
 * project image the engine has. Without an engine the table is empty.
 */
static GHashTable *
collect_built_agents (void)
{
  g_autoptr(GHashTable) built = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(ExitboxEngine) engine = exitbox_cli_detect_engine (NULL, NULL);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;

  if (engine == NULL)
    return g_steal_pointer (&built);

  images = exitbox_image_store_list (engine, FALSE, NULL, &error);
  if (images == NULL)
    {
      g_printerr (_("Built images are not shown: %s\n"), error->message);
      return g_steal_pointer (&built);
    }

  for (guint i = 0; i < images->len; i++)
    {
      ExitboxImageRecord *image = g_ptr_array_index (images, i);
      GPtrArray *agents;

      if (image->layer != EXITBOX_IMAGE_LAYER_PROJECT || image->project == NULL ||
          image->agent == NULL || image->name == NULL)
        continue;

      agents = g_hash_table_lookup (built, image->project);
      if (agents == NULL)
        {
          agents = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (built, g_strdup (image->project), agents);
        }

      if (image->agent_version != NULL && image->agent_version[0] != '\0')
        g_ptr_array_add (agents, g_strdup_printf ("%s %s", image->agent, image->agent_version));
      else
        g_ptr_array_add (agents, g_strdup (image->agent));
    }

  return g_steal_pointer (&built);
}

/* "+go, -node": the project's changes to config.yaml's profiles, or NULL. */
static char *
dup_profile_changes (ExitboxProjectRecord *record)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; record->profiles_added != NULL && record->profiles_added[i] != NULL; i++)
    g_string_append_printf (text, "%s+%s", text->len > 0 ? ", " : "", record->profiles_added[i]);

  for (guint i = 0; record->profiles_removed != NULL && record->profiles_removed[i] != NULL; i++)
    g_string_append_printf (text, "%s-%s", text->len > 0 ? ", " : "", record->profiles_removed[i]);

  if (text->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* `exitbox projects`: the project registry, most recently used first. */
int
exitbox_cli_projects (CliOptions *options)
{
  g_autofree char *registry_path = exitbox_project_registry_dup_path ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GHashTable) built = NULL;
  g_autoptr(GError) error = NULL;

  if (exitbox_cli_wants_help (options->args))
    {
      g_print (_("Usage: exitbox projects\n"
                 "\n"
                 "List the folders ExitBox sessions ran in, most recent first: the last use\n"
                 "(local time), the agents used (“shell” for shell sessions) and the folder.\n"
                 "A second line shows the project’s profile changes on top of config.yaml\n"
                 "(+added, -removed) and the agent images built for it, with their versions.\n"
                 "The list is kept in %s.\n"),
               registry_path);
      return 0;
    }

  if (options->args[0] != NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("“projects” takes no arguments, but got “%s”."), options->args[0]);
      exitbox_cli_print_error (message);
      return 2;
    }

  records = exitbox_project_registry_load (registry_path, &error);
  if (records == NULL)
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  if (records->len == 0)
    {
      g_print (_("No projects yet. A project is recorded when a session starts in its "
                 "folder.\n"));
      return 0;
    }

  built = collect_built_agents ();

  for (guint i = 0; i < records->len; i++)
    {
      ExitboxProjectRecord *record = g_ptr_array_index (records, i);
      g_autoptr(GDateTime) local = g_date_time_to_local (record->last_used);
      g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M");
      g_autofree char *agents = g_strjoinv (",", record->agents);
      g_autofree char *profiles = dup_profile_changes (record);
      GPtrArray *images = record->key != NULL ? g_hash_table_lookup (built, record->key) : NULL;
      g_autoptr(GString) details = g_string_new (NULL);

      /* The path goes last because it may contain spaces. */
      g_print ("%s  %-22s %s%s\n", when, agents, record->path,
               g_file_test (record->path, G_FILE_TEST_IS_DIR) ? "" : _(" (folder missing)"));

      if (profiles != NULL)
        g_string_append_printf (details, _("profiles: %s"), profiles);

      if (images != NULL && images->len > 0)
        {
          g_autoptr(GString) list = g_string_new (NULL);

          for (guint j = 0; j < images->len; j++)
            g_string_append_printf (list, "%s%s", j > 0 ? ", " : "",
                                    (const char *) g_ptr_array_index (images, j));

          if (details->len > 0)
            g_string_append (details, "   ");
          g_string_append_printf (details, _("built: %s"), list->str);
        }

      if (details->len > 0)
        g_print ("%18s %s\n", "", details->str);
    }

  return 0;
}
