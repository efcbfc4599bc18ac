/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <stdio.h>

#include <glib/gi18n.h>

#include "exitbox-cli-private.h"

#define TAIL_LINES 200

/* Prints "==> PATH <==" and the last TAIL_LINES lines of @path. */
static int
print_tail (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  const char *start;
  gsize length = 0;
  guint lines = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  start = contents + length;
  if (start > contents && start[-1] == '\n')
    start--;
  while (start > contents)
    {
      if (start[-1] == '\n' && ++lines == TAIL_LINES)
        break;
      start--;
    }

  g_print ("==> %s <==\n", path);
  fwrite (start, 1, length - (start - contents), stdout);
  if (length > 0 && contents[length - 1] != '\n')
    g_print ("\n");

  return 0;
}

/* `exitbox logs AGENT` prints the newest *.log file the agent wrote in its
 * managed folder, which is the container's home. `exitbox logs --session`
 * prints the newest ExitBox session log instead.
 */
int
exitbox_cli_logs (CliOptions *options)
{
  g_autofree char *newest = NULL;
  g_autofree char *dir = NULL;
  const ExitboxAgentInfo *agent = NULL;
  gboolean session = FALSE;

  if (exitbox_cli_wants_help (options->args))
    {
      g_print ("%s", _("Usage: exitbox logs AGENT\n"
                       "       exitbox logs --session\n"
                       "\n"
                       "Show the last 200 lines of the newest *.log file that AGENT (claude,\n"
                       "codex or opencode) wrote in its managed folder ~/.config/exitbox/AGENT/.\n"
                       "\n"
                       "  --session  Show the newest ExitBox session log instead: start, project,\n"
                       "             agent, container, image, engine command line, end and exit\n"
                       "             status, from ~/.cache/exitbox/logs/sessions/\n"));
      return 0;
    }

  for (guint i = 0; options->args[i] != NULL; i++)
    {
      const char *arg = options->args[i];

      if (g_str_equal (arg, "--session"))
        session = TRUE;
      else if (arg[0] == '-')
        {
          g_autofree char *message =
            g_strdup_printf (_("Unknown logs option “%s”. It takes --session."), arg);
          exitbox_cli_print_error (message);
          return 2;
        }
      else if (agent != NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("“logs” takes one agent name, but also got “%s”."), arg);
          exitbox_cli_print_error (message);
          return 2;
        }
      else if ((agent = exitbox_agent_lookup (arg)) == NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("Unknown agent “%s”. The agents are claude, codex and opencode."),
                             arg);
          exitbox_cli_print_error (message);
          return 2;
        }
    }

  if (session)
    {
      dir = exitbox_session_log_dup_dir ();
      newest = exitbox_find_newest_file (dir, ".log");
      if (newest == NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("No session logs in %s yet. Each session writes one there."),
                             dir);
          exitbox_cli_print_error (message);
          return 1;
        }

      return print_tail (newest);
    }

  if (agent == NULL)
    {
      exitbox_cli_print_error (_("“logs” needs an agent name (claude, codex or opencode), or "
                                 "--session for ExitBox’s own session log."));
      return 2;
    }

  dir = exitbox_managed_config_dup_dir (agent->id);
  newest = exitbox_find_newest_file (dir, ".log");
  if (newest == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("No log files (*.log) of %s in %s. Run “exitbox logs --session” "
                           "for ExitBox’s own session log."),
                         agent->display_name, dir);
      exitbox_cli_print_error (message);
      return 1;
    }

  return print_tail (newest);
}

/* `exitbox aliases`: shell aliases that start each agent through ExitBox. */
int
exitbox_cli_aliases (CliOptions *options)
{
  const ExitboxAgentInfo *agents;
  guint n_agents;

  if (exitbox_cli_wants_help (options->args))
    {
      g_print ("%s", _("Usage: exitbox aliases\n"
                       "\n"
                       "Print one shell alias per agent, such as alias claude='exitbox run claude',\n"
                       "to add to ~/.bashrc or ~/.zshrc.\n"));
      return 0;
    }

  if (options->args[0] != NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("“aliases” takes no arguments, but got “%s”."), options->args[0]);
      exitbox_cli_print_error (message);
      return 2;
    }

  /* Translators: a shell comment; keep the leading "# ". */
  g_print ("%s\n", _("# ExitBox: add these lines to ~/.bashrc or ~/.zshrc to start each agent in "
                     "its sandbox."));
  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    g_print ("alias %s='exitbox run %s'\n", agents[i].id, agents[i].id);

  return 0;
}
