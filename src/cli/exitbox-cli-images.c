/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <unistd.h>

#include <glib/gi18n.h>

#include "exitbox-cli-private.h"

/* `exitbox rebuild AGENT|all`, `exitbox uninstall AGENT [--yes]` and
 * `exitbox clean [all] [--yes]`: the images ExitBox built. Removal finds
 * images by their exitbox.* labels only, so images ExitBox did not build
 * are never touched.
 */

static void
on_build_progress (ExitboxImageBuilder *images,
                   const char          *layer,
                   const char          *message,
                   gpointer             user_data)
{
  g_printerr ("[%s] %s\n", layer, message);
}

static void
on_build_output (ExitboxImageBuilder *images,
                 const char          *line,
                 gpointer             user_data)
{
  g_printerr ("  %s\n", line);
}

void
exitbox_cli_apply_allow_unverified (ExitboxImageBuilder *builder,
                                    const CliOptions    *options)
{
  if (!options->allow_unverified)
    return;

  g_printerr (_("WARNING: --allow-unverified is set. An agent whose release publishes no "
                "SHA-256 digest is installed without any check that it is the file its "
                "vendor published.\n"));
  exitbox_image_builder_set_allow_unverified (builder, TRUE);
}

/* Splits @args into words and the flag --yes (or -y). Returns FALSE after
 * printing an error for any other option.
 */
static gboolean
parse_yes_flag (const char   *command,
                char        **args,
                GPtrArray    *words,
                gboolean     *out_yes)
{
  *out_yes = FALSE;

  for (guint i = 0; args[i] != NULL; i++)
    {
      if (g_str_equal (args[i], "--yes") || g_str_equal (args[i], "-y"))
        *out_yes = TRUE;
      else if (args[i][0] == '-')
        {
          g_autofree char *message =
            g_strdup_printf (_("Unknown %s option “%s”. It takes --yes."), command, args[i]);
          exitbox_cli_print_error (message);
          return FALSE;
        }
      else
        g_ptr_array_add (words, args[i]);
    }

  return TRUE;
}

/* Asks @question unless @yes. Without a terminal to ask on, the user must
 * pass --yes.
 */
static gboolean
confirm_or_yes (const char *question,
                gboolean    yes)
{
  if (yes)
    return TRUE;

  if (!isatty (STDIN_FILENO))
    {
      exitbox_cli_print_error (_("There is no terminal to ask for confirmation: pass --yes "
                                 "to go ahead."));
      return FALSE;
    }

  return exitbox_cli_confirm (question);
}

static int
remove_images (ExitboxEngine *engine,
               GPtrArray     *records)
{
  g_autoptr(GError) error = NULL;
  guint removed = 0;
  gboolean ok;

  ok = exitbox_image_store_remove (engine, records, &removed, NULL, &error);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Removed %u image.\n", "Removed %u images.\n", removed),
           removed);
  if (!ok)
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  return 0;
}

static void
print_records (GPtrArray *records)
{
  for (guint i = 0; i < records->len; i++)
    {
      ExitboxImageRecord *record = g_ptr_array_index (records, i);

      g_print ("  %s  %s\n", record->name != NULL ? record->name : _("(untagged)"), record->id);
    }
}

int
exitbox_cli_uninstall (CliOptions    *options,
                       ExitboxEngine *engine)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) selected = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *question = NULL;
  const ExitboxAgentInfo *agent;
  gboolean yes;

  if (!parse_yes_flag ("uninstall", options->args, words, &yes))
    return 2;

  if (words->len != 1)
    {
      exitbox_cli_print_error (_("“uninstall” needs one agent name: claude, codex or opencode."));
      return 2;
    }

  agent = exitbox_agent_lookup (g_ptr_array_index (words, 0));
  if (agent == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("Unknown agent “%s”. The agents are claude, codex and opencode."),
                         (const char *) g_ptr_array_index (words, 0));
      exitbox_cli_print_error (message);
      return 2;
    }

  records = exitbox_image_store_list (engine, FALSE, NULL, &error);
  if (records == NULL)
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  for (guint i = 0; i < records->len; i++)
    {
      ExitboxImageRecord *record = g_ptr_array_index (records, i);

      if (g_strcmp0 (record->agent, agent->id) == 0)
        g_ptr_array_add (selected, record);
    }

  if (selected->len == 0)
    {
      g_print (_("%s has no images.\n"), agent->display_name);
      return 0;
    }

  g_print (_("The images of %s (its core and every project built on it):\n"),
           agent->display_name);
  print_records (selected);
  question = g_strdup_printf (_("Remove these %u images?"), selected->len);
  if (!confirm_or_yes (question, yes))
    return 1;

  return remove_images (engine, selected);
}

int
exitbox_cli_clean (CliOptions    *options,
                   ExitboxEngine *engine)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *question = NULL;
  gboolean all;
  gboolean yes;

  if (!parse_yes_flag ("clean", options->args, words, &yes))
    return 2;

  if (words->len > 1 || (words->len == 1 && !g_str_equal (g_ptr_array_index (words, 0), "all")))
    {
      g_autofree char *message =
        g_strdup_printf (_("“clean” takes only the word all, but got “%s”."),
                         (const char *) g_ptr_array_index (words, words->len - 1));
      exitbox_cli_print_error (message);
      return 2;
    }
  all = words->len == 1;

  records = exitbox_image_store_list (engine, !all, NULL, &error);
  if (records == NULL)
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  if (records->len == 0)
    {
      g_print (all ? _("There are no ExitBox images.\n")
                   : _("There are no untagged ExitBox images.\n"));
      return 0;
    }

  /* Untagged images are left over from rebuilds and no session uses them
   * by name, so `clean` does not ask.
   */
  if (all)
    {
      g_print (_("Every ExitBox image; the next launch builds them again:\n"));
      print_records (records);
      question = g_strdup_printf (_("Remove these %u images?"), records->len);
      if (!confirm_or_yes (question, yes))
        return 1;
    }

  return remove_images (engine, records);
}

static int
rebuild_agent (ExitboxImageBuilder *builder,
               const char          *agent_id,
               const char          *project_key)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  exitbox_image_builder_rebuild_async (builder, agent_id, project_key, NULL,
                                       exitbox_cli_on_async_ready, &result);
  if (!exitbox_image_builder_rebuild_finish (builder, exitbox_cli_wait_for_result (&result),
                                             &error))
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  return 0;
}

int
exitbox_cli_rebuild (CliOptions    *options,
                     ExitboxConfig *config,
                     ExitboxEngine *engine)
{
  g_autoptr(ExitboxImageBuilder) builder = NULL;
  g_autoptr(ExitboxProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  const ExitboxAgentInfo *agents;
  const char *target = options->args[0];
  guint n_agents;
  guint rebuilt = 0;

  if (target == NULL || options->args[1] != NULL)
    {
      exitbox_cli_print_error (_("“rebuild” needs one agent name (claude, codex or opencode) "
                                 "or all."));
      return 2;
    }

  if (!g_str_equal (target, "all") && exitbox_agent_lookup (target) == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("Unknown agent “%s”. The agents are claude, codex and opencode, "
                           "or use all."),
                         target);
      exitbox_cli_print_error (message);
      return 2;
    }

  project = exitbox_project_new (cwd, &error);
  if (project == NULL)
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  builder = exitbox_image_builder_new (engine, config);
  exitbox_cli_apply_allow_unverified (builder, options);
  g_signal_connect (builder, "progress", G_CALLBACK (on_build_progress), NULL);
  if (options->verbose)
    g_signal_connect (builder, "output", G_CALLBACK (on_build_output), NULL);

  if (!g_str_equal (target, "all"))
    return rebuild_agent (builder, target, exitbox_project_get_key (project));

  /* "all" is every enabled agent that ExitBox can install. */
  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    {
      int status;

      if (!agents[i].installable || !exitbox_config_get_agent_enabled (config, agents[i].id))
        continue;

      status = rebuild_agent (builder, agents[i].id, exitbox_project_get_key (project));
      if (status != 0)
        return status;
      rebuilt++;
    }

  if (rebuilt == 0)
    g_print (_("No enabled agent can be installed, so nothing was rebuilt. Enable one with "
               "“exitbox enable claude”.\n"));

  return 0;
}
