/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* Runtime allow requests in the CLI: the listener of a session that the CLI
 * runs, and `exitbox firewall pending|approve|deny`, which answer requests
 * from any session, since the session's own terminal belongs to the agent.
 */

#include <stdio.h>

#include <glib/gi18n.h>

#include "exitbox-cli-private.h"

ExitboxAllowListener *
exitbox_cli_start_allow_listener (ExitboxLauncher      *launcher,
                                  ExitboxLaunchRequest *request)
{
  g_autoptr(ExitboxAllowListener) listener = NULL;
  g_autoptr(GError) error = NULL;

  listener = exitbox_allow_listener_new (exitbox_launcher_get_firewall (launcher), &error);
  if (listener == NULL)
    {
      /* The session still runs; only exitbox-allow cannot reach the host. */
      g_printerr (_("Warning: exitbox-allow will not work in this session: %s\n"),
                  error->message);
      return NULL;
    }

  request->allow_request_dir = exitbox_allow_listener_get_folder (listener);

  return g_steal_pointer (&listener);
}

static void
print_request (const ExitboxAllowRequest *request,
               gint64                     now)
{
  gint64 left = MAX (0, request->deadline - now);

  g_print ("%s  %s\n", request->id, request->entry);
  g_print ("    %s\n", request->rule);
  /* TRANSLATORS: a container name, then an agent id or "shell" */
  g_print (_("    Session: %s (%s)\n"), request->session,
           request->agent != NULL ? request->agent : "shell");
  g_print (_("    Project: %s\n"), request->project);
  g_print (g_dngettext (NULL, "    Denied in %lld second without an answer\n",
                        "    Denied in %lld seconds without an answer\n",
                        (gulong) left),
           (long long) left);
}

int
exitbox_cli_firewall_pending (char **args)
{
  g_autofree char *dir = exitbox_allow_dup_requests_dir ();
  g_autoptr(GPtrArray) pending = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (args[0] != NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("“firewall pending” takes no arguments, but got “%s”."), args[0]);

      exitbox_cli_print_error (message);
      return 2;
    }

  pending = exitbox_allow_requests_load_pending (dir);
  if (pending->len == 0)
    {
      g_print (_("No allow requests are waiting.\n"));
      return 0;
    }

  for (guint i = 0; i < pending->len; i++)
    print_request (g_ptr_array_index (pending, i), now);

  g_print (_("Answer with “exitbox firewall approve ID [--session|--always]” or "
             "“exitbox firewall deny ID”.\n"));

  return 0;
}

/* Parses "approve ID [--session|--always]" or "deny ID" into @out_answer. */
static gboolean
parse_answer (const char          *action,
              char               **args,
              ExitboxAllowAnswer  *out_answer,
              const char         **out_id)
{
  gboolean approve = g_str_equal (action, "approve");
  guint n_args = g_strv_length (args);
  g_autofree char *message = NULL;

  if (n_args == 0 || args[0][0] == '-')
    {
      message = approve ? g_strdup (_("“firewall approve” needs a request id: "
                                      "approve ID [--session|--always]. "
                                      "“exitbox firewall pending” lists the ids."))
                        : g_strdup (_("“firewall deny” needs a request id: deny ID. "
                                      "“exitbox firewall pending” lists the ids."));
      exitbox_cli_print_error (message);
      return FALSE;
    }

  *out_id = args[0];
  *out_answer = approve ? EXITBOX_ALLOW_ANSWER_SESSION : EXITBOX_ALLOW_ANSWER_DENY;

  if (n_args == 1)
    return TRUE;

  if (approve && n_args == 2 && g_str_equal (args[1], "--session"))
    return TRUE;

  if (approve && n_args == 2 && g_str_equal (args[1], "--always"))
    {
      *out_answer = EXITBOX_ALLOW_ANSWER_ALWAYS;
      return TRUE;
    }

  if (approve && n_args == 3 &&
      ((g_str_equal (args[1], "--session") && g_str_equal (args[2], "--always")) ||
       (g_str_equal (args[1], "--always") && g_str_equal (args[2], "--session"))))
    message = g_strdup (_("“firewall approve” takes either --session or --always, not both: "
                          "--session allows the request for its session only, --always adds "
                          "it to the allowlist."));
  else if (approve)
    message = g_strdup_printf (_("“firewall approve” takes an id and then --session (the "
                                 "default) or --always, but got “%s”."), args[1]);
  else
    message = g_strdup_printf (_("“firewall deny” takes only an id, but got “%s”."), args[1]);
  exitbox_cli_print_error (message);
  return FALSE;
}

int
exitbox_cli_firewall_answer (const char  *action,
                             char       **args)
{
  g_autofree char *dir = exitbox_allow_dup_requests_dir ();
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  const ExitboxAllowRequest *request = NULL;
  ExitboxAllowAnswer answer;
  const char *id;

  if (!parse_answer (action, args, &answer, &id))
    return 2;

  pending = exitbox_allow_requests_load_pending (dir);
  for (guint i = 0; i < pending->len; i++)
    {
      ExitboxAllowRequest *candidate = g_ptr_array_index (pending, i);

      if (g_str_equal (candidate->id, id))
        request = candidate;
    }

  if (!exitbox_allow_requests_write_answer (dir, id, answer, &error))
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  /* The session's ExitBox process applies the answer and sends the result
   * to the agent. The request can only be missing here if it appeared
   * between the two reads of the folder.
   */
  if (request == NULL)
    {
      g_print (_("Answered the request %s: %s.\n"), id, exitbox_allow_answer_to_string (answer));
      return 0;
    }

  switch (answer)
    {
    case EXITBOX_ALLOW_ANSWER_DENY:
      g_print (_("Denied %s for %s.\n"), request->entry, request->session);
      break;

    case EXITBOX_ALLOW_ANSWER_SESSION:
      g_print (_("Allowed %s for the session %s: %s.\n"), request->entry, request->session,
               request->rule);
      break;

    case EXITBOX_ALLOW_ANSWER_ALWAYS:
      g_print (_("Allowed %s always: it is added to the custom category of the allowlist. "
                 "%s.\n"),
               request->entry, request->rule);
      break;

    default:
      g_assert_not_reached ();
    }

  return 0;
}
