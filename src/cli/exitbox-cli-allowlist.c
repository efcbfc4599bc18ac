/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "exitbox-cli-private.h"

/* Parses what follows "allowlist". Returns 0 on success, or the exit
 * status to stop with.
 */
static int
parse_allowlist_arguments (int           argc,
                           char         *argv[],
                           const char  **out_action,
                           const char  **out_entry,
                           const char  **out_category)
{
  static const char * const actions[] = { "list", "add", "remove", "enable", "disable", NULL };
  const char *action = argc > 0 ? argv[0] : NULL;
  gboolean options_ended = FALSE;

  if (action == NULL || !g_strv_contains (actions, action))
    {
      g_autofree char *message = NULL;

      if (action == NULL)
        message = g_strdup (_("“allowlist” needs an action: list, add ENTRY, remove ENTRY, "
                              "enable ENTRY or disable ENTRY."));
      else
        message = g_strdup_printf (_("Unknown allowlist action “%s”. The actions are list, "
                                     "add ENTRY, remove ENTRY, enable ENTRY and disable ENTRY."),
                                   action);
      exitbox_cli_print_error (message);
      return 2;
    }

  *out_action = action;

  for (int j = 1; j < argc; j++)
    {
      if (!options_ended && g_str_equal (argv[j], "--"))
        options_ended = TRUE;
      else if (options_ended)
        {
          if (*out_entry != NULL || g_str_equal (action, "list"))
            {
              g_autofree char *message =
                g_strdup_printf (_("“allowlist %s” got the extra argument “%s”."), action,
                                 argv[j]);
              exitbox_cli_print_error (message);
              return 2;
            }
          *out_entry = argv[j];
        }
      else if (g_str_equal (argv[j], "--category") && g_str_equal (action, "add"))
        {
          if (j + 1 >= argc)
            {
              exitbox_cli_print_error (_("“--category” needs a category name, such as “--category custom”."));
              return 2;
            }
          *out_category = argv[++j];
        }
      else if (g_str_has_prefix (argv[j], "--category=") && g_str_equal (action, "add"))
        *out_category = argv[j] + strlen ("--category=");
      else if (argv[j][0] == '-' && argv[j][1] != '\0')
        {
          g_autofree char *message =
            g_strdup_printf (_("Unknown allowlist option “%s”. Only “add” takes one: "
                               "--category NAME. Put “--” before an entry that starts with "
                               "“-”."), argv[j]);
          exitbox_cli_print_error (message);
          return 2;
        }
      else if (g_str_equal (action, "list"))
        {
          g_autofree char *message =
            g_strdup_printf (_("“allowlist list” takes no arguments, but got “%s”."), argv[j]);
          exitbox_cli_print_error (message);
          return 2;
        }
      else if (*out_entry == NULL)
        *out_entry = argv[j];
      else
        {
          g_autofree char *message =
            g_strdup_printf (_("“allowlist %s” got the extra argument “%s”. Quote an entry "
                               "and add or remove one at a time."),
                             action, argv[j]);
          exitbox_cli_print_error (message);
          return 2;
        }
    }

  if (*out_entry == NULL && !g_str_equal (action, "list"))
    {
      g_autofree char *message =
        g_strdup_printf (_("“allowlist %s” needs an entry, for example “exitbox allowlist %s "
                           "example.com”."),
                         action, action);
      exitbox_cli_print_error (message);
      return 2;
    }

  return 0;
}

/* Prints the categories of allowlist.yaml with their entries as written. */
static int
list_allowlist (ExitboxAllowlist *allowlist,
                const char       *path)
{
  const char * const *categories = exitbox_allowlist_get_categories (allowlist);
  ExitboxAllowlistStatus status = exitbox_allowlist_get_status (allowlist);

  g_print (_("Allowlist file: %s\n"), path);

  if (exitbox_allowlist_get_problem (allowlist) != NULL)
    g_print ("%s\n", exitbox_allowlist_get_problem (allowlist));

  for (guint i = 0; categories[i] != NULL; i++)
    {
      GPtrArray *items = exitbox_allowlist_get_category_items (allowlist, categories[i]);
      const char *name = exitbox_allowlist_category_get_display_name (categories[i]);

      /* The name in the file is the one that --category takes. */
      if (g_str_equal (name, categories[i]))
        g_print ("\n%s:\n", categories[i]);
      else
        /* TRANSLATORS: a category's display name, then its name in allowlist.yaml */
        g_print (_("\n%s (%s):\n"), name, categories[i]);
      if (items->len == 0)
        g_print (_("  (no entries)\n"));

      for (guint j = 0; j < items->len; j++)
        {
          ExitboxAllowlistItem *item = g_ptr_array_index (items, j);

          if (item->canonical == NULL)
            g_print (_("  %s  (invalid, ignored)\n"), item->text);
          else if (item->disabled)
            g_print (_("  %s  (disabled)\n"), item->text);
          else
            g_print ("  %s\n", item->text);
        }
    }

  for (const char * const *notice = exitbox_allowlist_get_notices (allowlist);
       *notice != NULL;
       notice++)
    g_print (_("Note: %s\n"), *notice);

  for (const char * const *warning = exitbox_allowlist_get_warnings (allowlist);
       *warning != NULL;
       warning++)
    g_printerr (_("Warning: %s\n"), *warning);

  return status == EXITBOX_ALLOWLIST_STATUS_MISSING ||
         status == EXITBOX_ALLOWLIST_STATUS_INVALID ? 1 : 0;
}

/* Reloads a running proxy with the allowlist on disk, so that running
 * sessions follow the change. Without a container engine no proxy runs,
 * and there is nothing to reload.
 */
static gboolean
apply_to_running_proxy (GError **error)
{
  g_autoptr(ExitboxEngine) engine = exitbox_cli_detect_engine (NULL, NULL);
  g_autoptr(ExitboxFirewall) firewall = NULL;

  if (engine == NULL)
    return TRUE;

  firewall = exitbox_cli_new_firewall (engine);

  return exitbox_firewall_reload_rules (firewall, NULL, error);
}

/* Lists, adds or removes allowlist entries, editing only the lines of the
 * entries in allowlist.yaml.
 */
int
exitbox_cli_allowlist (CliOptions *options)
{
  const char *action = NULL;
  const char *entry = NULL;
  const char *category = NULL;
  g_autofree char *config_dir = exitbox_dup_config_dir ();
  g_autofree char *allowlist_path = g_build_filename (config_dir, "allowlist.yaml", NULL);
  g_autofree char *message = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  status = parse_allowlist_arguments (g_strv_length (options->args), options->args,
                                      &action, &entry, &category);
  if (status != 0)
    return status;

  if (!exitbox_cli_ensure_configured (config_dir, &error))
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  if (g_str_equal (action, "list"))
    {
      g_autoptr(ExitboxAllowlist) allowlist = exitbox_allowlist_load_file (allowlist_path);

      return list_allowlist (allowlist, allowlist_path);
    }

  /* The file's text before the change tells whether anything changed. */
  g_file_get_contents (allowlist_path, &before, NULL, NULL);

  if (g_str_equal (action, "add"))
    message = exitbox_allowlist_add_entry_in_file (allowlist_path, entry,
                                                   category, &error);
  else if (g_str_equal (action, "remove"))
    message = exitbox_allowlist_remove_entry_in_file (allowlist_path, entry, &error);
  else
    message = exitbox_allowlist_set_disabled_in_file (allowlist_path, entry,
                                                      g_str_equal (action, "disable"), &error);

  if (message == NULL)
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  g_print ("%s\n", message);

  g_file_get_contents (allowlist_path, &after, NULL, NULL);
  if (g_strcmp0 (before, after) != 0 && !apply_to_running_proxy (&error))
    {
      g_autofree char *warning =
        g_strdup_printf (_("The change is saved, but the running proxy keeps its current "
                           "rules until the next launch: %s"), error->message);

      exitbox_cli_print_error (warning);
      return 1;
    }

  return 0;
}
