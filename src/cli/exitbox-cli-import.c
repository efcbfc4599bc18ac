/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <glib/gi18n.h>

#include "exitbox-cli-private.h"

static char *
dup_source_list (GPtrArray *sources)
{
  g_autoptr(GStrvBuilder) paths = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;

  for (guint i = 0; i < sources->len; i++)
    {
      ExitboxManagedSource *source = g_ptr_array_index (sources, i);

      g_strv_builder_add (paths, source->host_path);
    }

  list = g_strv_builder_end (paths);
  return g_strjoinv (", ", list);
}

static gboolean
host_has_sources (GPtrArray *sources)
{
  for (guint i = 0; i < sources->len; i++)
    {
      ExitboxManagedSource *source = g_ptr_array_index (sources, i);

      if (g_file_test (source->host_path, G_FILE_TEST_EXISTS))
        return TRUE;
    }

  return FALSE;
}

/* Returns 0, or 1 after printing why the agent was not imported. */
static int
import_agent (const ExitboxAgentInfo *agent,
              gboolean                assume_yes)
{
  g_autoptr(GPtrArray) sources = exitbox_managed_config_dup_sources (agent->id);
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *managed_dir = exitbox_managed_config_dup_dir (agent->id);
  g_autofree char *source_list = dup_source_list (sources);
  g_autoptr(GError) error = NULL;
  guint count = 0;

  if (!host_has_sources (sources))
    {
      g_print (_("%s: nothing to import, none of %s exists.\n"), agent->display_name, source_list);
      return 0;
    }

  if (exitbox_managed_config_has_imported (agent->id) && !assume_yes)
    {
      g_autofree char *question =
        g_strdup_printf (_("Replace the managed %s configuration in %s with the host’s "
                           "copy? Changes made inside sessions are lost."),
                         agent->display_name, managed_dir);

      if (!exitbox_cli_confirm (question))
        {
          g_printerr (_("%s: not imported. Pass --yes to replace the managed configuration "
                        "without asking.\n"),
                      agent->display_name);
          return 1;
        }
    }

  if (!exitbox_managed_config_import (agent->id, &count, notes, &error))
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  for (guint i = 0; i < notes->len; i++)
    g_printerr (_("Note: %s\n"), (const char *) g_ptr_array_index (notes, i));

  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "%s: imported %u host path into %s (looked at %s).\n",
                        "%s: imported %u host paths into %s (looked at %s).\n",
                        count),
           agent->display_name, count, managed_dir, source_list);

  return 0;
}

/* `exitbox import AGENT|all [--yes]`: copies the host configuration into the
 * managed folders again.
 */
int
exitbox_cli_import (CliOptions *options)
{
  const char *target = NULL;
  gboolean assume_yes = FALSE;
  const ExitboxAgentInfo *agents;
  guint n_agents;
  int status = 0;

  if (exitbox_cli_wants_help (options->args))
    {
      g_print ("%s", _("Usage: exitbox import AGENT|all [--yes]\n"
                       "\n"
                       "Copy an agent’s configuration from the host into its managed folder,\n"
                       "~/.config/exitbox/AGENT/, which sessions mount as the home folder. The\n"
                       "host files are only read. When the managed folder already contains a copy,\n"
                       "ExitBox asks before replacing it, because changes made in sessions are\n"
                       "lost.\n"
                       "\n"
                       "  claude     ~/.claude and ~/.claude.json\n"
                       "  codex      ~/.codex\n"
                       "  opencode   opencode in $XDG_CONFIG_HOME, $XDG_DATA_HOME, $XDG_STATE_HOME\n"
                       "  all        every agent\n"
                       "\n"
                       "  -y, --yes  Replace managed copies without asking\n"));
      return 0;
    }

  for (guint i = 0; options->args[i] != NULL; i++)
    {
      const char *arg = options->args[i];

      if (g_str_equal (arg, "--yes") || g_str_equal (arg, "-y"))
        assume_yes = TRUE;
      else if (arg[0] == '-')
        {
          g_autofree char *message =
            g_strdup_printf (_("Unknown import option “%s”. It takes --yes."), arg);
          exitbox_cli_print_error (message);
          return 2;
        }
      else if (target != NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("“import” takes one agent name or “all”, but also got “%s”."),
                             arg);
          exitbox_cli_print_error (message);
          return 2;
        }
      else
        target = arg;
    }

  if (target == NULL)
    {
      exitbox_cli_print_error (_("“import” needs an agent name or “all”: claude, codex, "
                                 "opencode or all."));
      return 2;
    }

  if (!g_str_equal (target, "all"))
    {
      const ExitboxAgentInfo *agent = exitbox_agent_lookup (target);

      if (agent == NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("Unknown agent “%s”. The agents are claude, codex and opencode, "
                               "or use “all”."),
                             target);
          exitbox_cli_print_error (message);
          return 2;
        }

      return import_agent (agent, assume_yes);
    }

  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    {
      if (import_agent (&agents[i], assume_yes) != 0)
        status = 1;
    }

  return status;
}
