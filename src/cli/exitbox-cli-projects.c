/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <glib/gi18n.h>

#include "exitbox-cli-private.h"

/* `exitbox projects`: the project registry, most recently used first. */
int
exitbox_cli_projects (CliOptions *options)
{
  g_autofree char *registry_path = exitbox_project_registry_dup_path ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  if (exitbox_cli_wants_help (options->args))
    {
      g_print (_("Usage: exitbox projects\n"
                 "\n"
                 "List the folders ExitBox sessions ran in, most recent first: the last use\n"
                 "(local time), the agents used (“shell” for shell sessions) and the folder.\n"
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

  for (guint i = 0; i < records->len; i++)
    {
      ExitboxProjectRecord *record = g_ptr_array_index (records, i);
      g_autoptr(GDateTime) local = g_date_time_to_local (record->last_used);
      g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M");
      g_autofree char *agents = g_strjoinv (",", record->agents);

      /* The path goes last because it may contain spaces. */
      g_print ("%s  %-22s %s%s\n", when, agents, record->path,
               g_file_test (record->path, G_FILE_TEST_IS_DIR) ? "" : _(" (folder missing)"));
    }

  return 0;
}
