/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "exitbox-cli-private.h"

static ExitboxAllowlist *
load_allowlist (void)
{
  g_autofree char *config_dir = exitbox_dup_config_dir ();
  g_autofree char *allowlist_path = g_build_filename (config_dir, "allowlist.yaml", NULL);

  return exitbox_allowlist_load_file (allowlist_path);
}

static GPtrArray *
load_session_records (void)
{
  g_autofree char *sessions_dir = exitbox_proxy_dup_sessions_dir ();

  return exitbox_proxy_session_load_all (sessions_dir);
}

static char *
join_entries (GPtrArray *entries)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      g_autofree char *entry = exitbox_allowlist_entry_to_string (g_ptr_array_index (entries, i));

      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, entry);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static int
show_status (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxEngine) engine = NULL;
  g_autoptr(ExitboxFirewall) firewall = NULL;
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autoptr(ExitboxAllowlist) allowlist = load_allowlist ();
  g_autoptr(GPtrArray) sessions = load_session_records ();
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *log_path = exitbox_firewall_dup_log_path ();
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();
  g_autofree char *config_path = g_build_filename (cache_dir, "proxy", "squid.conf", NULL);
  guint n_running = 0;

  engine = exitbox_cli_detect_engine (NULL, &error);
  if (engine == NULL)
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  firewall = exitbox_cli_new_firewall (engine);

  g_ptr_array_add (names, (gpointer) EXITBOX_PROXY_CONTAINER);
  for (guint i = 0; i < sessions->len; i++)
    g_ptr_array_add (names, ((ExitboxProxySession *) g_ptr_array_index (sessions, i))->name);
  g_ptr_array_add (names, NULL);

  inspection = exitbox_engine_inspect (engine, (const char * const *) names->pdata, NULL, &error);
  if (inspection == NULL)
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  switch (exitbox_firewall_get_state (firewall, inspection))
    {
    case EXITBOX_FIREWALL_STATE_RUNNING:
      g_print (_("Proxy: running as %s, address %s on %s\n"), EXITBOX_PROXY_CONTAINER,
               exitbox_inspection_get_container_address (inspection, EXITBOX_PROXY_CONTAINER,
                                                         EXITBOX_NETWORK_INTERNAL),
               EXITBOX_NETWORK_INTERNAL);
      break;

    case EXITBOX_FIREWALL_STATE_STOPPED:
      g_print (_("Proxy: stopped; the next launch starts it\n"));
      break;

    case EXITBOX_FIREWALL_STATE_ERROR:
    default:
      g_print (_("Proxy: running but not attached to %s; the next launch replaces it\n"),
               EXITBOX_NETWORK_INTERNAL);
      break;
    }

  g_print (g_dngettext (NULL, "Allowlist: %u entry\n", "Allowlist: %u entries\n",
                        exitbox_allowlist_get_n_entries (allowlist)),
           exitbox_allowlist_get_n_entries (allowlist));
  if (exitbox_allowlist_get_problem (allowlist) != NULL)
    g_print (_("  Every destination is blocked: %s\n"), exitbox_allowlist_get_problem (allowlist));
  g_print (_("Configuration: %s\n"), config_path);
  g_print (_("Access log: %s\n"), log_path);

  for (guint i = 0; i < sessions->len; i++)
    {
      ExitboxProxySession *session = g_ptr_array_index (sessions, i);

      if (exitbox_inspection_get_container_running (inspection, session->name))
        n_running++;
    }

  g_print (g_dngettext (NULL, "Sessions: %u running\n", "Sessions: %u running\n", n_running),
           n_running);

  for (guint i = 0; i < sessions->len; i++)
    {
      ExitboxProxySession *session = g_ptr_array_index (sessions, i);
      g_autofree char *entries = join_entries (session->entries);
      const char *state = exitbox_inspection_get_container_running (inspection, session->name)
                          ? _("running") : _("starting or ended");

      g_print ("  %s  %s  %s\n", session->name, session->address, state);
      if (session->entries->len > 0)
        g_print (g_dngettext (NULL, "    %u session entry (-a): %s\n",
                              "    %u session entries (-a): %s\n", session->entries->len),
                 session->entries->len, entries);
    }

  return 0;
}

static void
print_request (const ExitboxBlockedRequest *request)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (request->time / G_USEC_PER_SEC);
  g_autofree char *time_text = g_date_time_format (time, "%Y-%m-%d %H:%M:%S");
  g_autofree char *host = NULL;

  if (strchr (request->host, ':') != NULL)
    host = g_strdup_printf ("[%s]", request->host);
  else
    host = g_strdup (request->host);

  if (request->port != 0)
    g_print ("%s  %s  %s %s:%u\n", time_text,
             request->session != NULL ? request->session : request->client,
             request->method, host, (guint) request->port);
  else
    g_print ("%s  %s  %s %s\n", time_text,
             request->session != NULL ? request->session : request->client,
             request->method, host);
}

static void
on_blocked_request (ExitboxProxyLog             *log,
                    const ExitboxBlockedRequest *request,
                    gpointer                     user_data)
{
  print_request (request);

  /* With -f each line must reach a pipe when it happens. */
  fflush (stdout);
}

static gboolean
on_stop_signal (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static int
show_log (char **args)
{
  g_autofree char *log_path = exitbox_firewall_dup_log_path ();
  g_autoptr(ExitboxProxyLog) log = exitbox_proxy_log_new (log_path);
  g_autoptr(GError) error = NULL;
  gboolean follow = FALSE;

  for (guint i = 0; args[i] != NULL; i++)
    {
      if (g_str_equal (args[i], "-f") || g_str_equal (args[i], "--follow"))
        follow = TRUE;
      else
        {
          g_autofree char *message =
            g_strdup_printf (_("Unknown “firewall log” argument “%s”. It takes only -f/--follow."),
                             args[i]);
          exitbox_cli_print_error (message);
          return 2;
        }
    }

  g_signal_connect (log, "blocked-request", G_CALLBACK (on_blocked_request), NULL);

  if (!exitbox_proxy_log_read_new_lines (log, &error))
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  if (!follow)
    {
      if (exitbox_proxy_log_get_blocked_requests (log)->len == 0)
        g_printerr (_("No blocked requests in %s\n"), log_path);
      return 0;
    }

  {
    g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    guint sigint_id;
    guint sigterm_id;

    if (!exitbox_proxy_log_watch (log, &error))
      {
        exitbox_cli_print_error (error->message);
        return 1;
      }

    sigint_id = g_unix_signal_add (SIGINT, on_stop_signal, loop);
    sigterm_id = g_unix_signal_add (SIGTERM, on_stop_signal, loop);
    g_main_loop_run (loop);
    g_source_remove (sigint_id);
    g_source_remove (sigterm_id);
  }

  return 0;
}

static gboolean
print_verdict (GPtrArray                   *entries,
               GPtrArray                   *sessions,
               const char * const          *gateways,
               const ExitboxAllowlistEntry *destination,
               gboolean                     connect)
{
  g_autoptr(ExitboxSquidVerdict) verdict = exitbox_squid_check (entries, NULL, gateways,
                                                                destination, connect);
  guint16 port = destination->port != 0 ? destination->port : (connect ? 443 : 80);
  g_autofree char *host = NULL;
  g_autofree char *request = NULL;

  if (destination->kind == EXITBOX_ALLOWLIST_ENTRY_IPV6)
    host = g_strdup_printf ("[%s]", destination->host);
  else
    host = g_strdup (destination->host);

  /* Translators: the first %s is "CONNECT" or "HTTP". */
  request = g_strdup_printf ("%s %s:%u", connect ? "CONNECT" : "HTTP", host, (guint) port);

  if (verdict->allowed)
    g_print (_("%s: allowed by %s\n"), request, verdict->rule);
  else
    g_print (_("%s: denied by %s\n"), request, verdict->rule);

  if (verdict->allowed)
    return TRUE;

  /* Rules that only one session's address may use. */
  for (guint i = 0; i < sessions->len; i++)
    {
      ExitboxProxySession *session = g_ptr_array_index (sessions, i);
      g_autoptr(ExitboxSquidVerdict) session_verdict = NULL;

      if (session->entries->len == 0)
        continue;

      session_verdict = exitbox_squid_check (entries, session, gateways, destination, connect);
      if (session_verdict->allowed)
        g_print (_("  but allowed for session %s (%s) by %s\n"), session->name, session->address,
                 session_verdict->rule);
    }

  return FALSE;
}

/* Names the entries of the `disabled` list that would allow @destination,
 * because the proxy leaves them out although the file lists them.
 */
static void
print_disabled_entries (ExitboxAllowlist            *allowlist,
                        const char * const          *gateways,
                        const ExitboxAllowlistEntry *destination)
{
  GPtrArray *disabled = exitbox_allowlist_get_disabled_items (allowlist);

  for (guint i = 0; i < disabled->len; i++)
    {
      ExitboxAllowlistItem *item = g_ptr_array_index (disabled, i);
      g_autoptr(ExitboxAllowlistEntry) entry = NULL;
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(ExitboxSquidVerdict) https = NULL;
      g_autoptr(ExitboxSquidVerdict) http = NULL;

      if (item->canonical == NULL)
        continue;

      entry = exitbox_allowlist_entry_parse (item->canonical, NULL);
      if (entry == NULL)
        continue;

      entries = g_ptr_array_new ();
      g_ptr_array_add (entries, entry);
      https = exitbox_squid_check (entries, NULL, gateways, destination, TRUE);
      http = exitbox_squid_check (entries, NULL, gateways, destination, FALSE);
      if (!https->allowed && !http->allowed)
        continue;

      g_print (_("The entry “%s” would allow it, but it is in the “disabled” list of "
                 "allowlist.yaml. Run “exitbox allowlist enable %s” to allow it again.\n"),
               item->canonical, item->canonical);
    }
}

static int
check_destination (char **args)
{
  g_autoptr(ExitboxAllowlistEntry) destination = NULL;
  g_autoptr(ExitboxAllowlist) allowlist = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) gateways = NULL;
  gboolean allowed;

  if (args[0] == NULL || args[1] != NULL)
    {
      exitbox_cli_print_error (_("“firewall check” needs one HOST or HOST:PORT, for example "
                                 "“exitbox firewall check github.com” or "
                                 "“exitbox firewall check example.com:8443”."));
      return 2;
    }

  destination = exitbox_allowlist_entry_parse (args[0], &error);
  if (destination == NULL)
    {
      exitbox_cli_print_error (error->message);
      return 2;
    }

  allowlist = load_allowlist ();
  sessions = load_session_records ();
  if (exitbox_allowlist_get_problem (allowlist) != NULL)
    g_print (_("Every destination is blocked: %s\n"), exitbox_allowlist_get_problem (allowlist));

  gateways = exitbox_firewall_dup_host_gateways ();

  allowed = print_verdict (exitbox_allowlist_get_entries (allowlist), sessions,
                           (const char * const *) gateways, destination, TRUE);
  allowed |= print_verdict (exitbox_allowlist_get_entries (allowlist), sessions,
                            (const char * const *) gateways, destination, FALSE);

  if (!allowed)
    print_disabled_entries (allowlist, (const char * const *) gateways, destination);

  if (allowed && destination->kind == EXITBOX_ALLOWLIST_ENTRY_DOMAIN)
    g_print (_("The proxy still blocks this name when it resolves to a loopback or link-local "
               "address. This check sends nothing and resolves nothing.\n"));

  return allowed ? 0 : 1;
}

/* The maximum number of times the helper sleeps again because another
 * session ended while it slept. A helper that gives up leaves the stop to the helper of
 * that later session.
 */
#define MAX_IDLE_WAITS 8

static guint
read_idle_minutes (void)
{
  g_autoptr(ExitboxConfig) config = exitbox_cli_load_config_or_default ();

  return exitbox_config_get_proxy_idle_minutes (config);
}

/* A firewall for commands that only look at or reload the proxy, which
 * need none of the user's settings.
 */
ExitboxFirewall *
exitbox_cli_new_firewall (ExitboxEngine *engine)
{
  g_autoptr(ExitboxConfig) config = exitbox_config_new_default ();
  g_autoptr(ExitboxImageBuilder) images = exitbox_image_builder_new (engine, config);

  return exitbox_firewall_new (engine, images);
}

/* Waits until settings.proxy_idle_minutes have passed since the last
 * session ended, then stops the proxy if it is still idle. Started
 * detached by a session that ended.
 */
static int
stop_when_idle (void)
{
  guint idle_minutes = read_idle_minutes ();
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();
  g_autofree char *lock_path = g_build_filename (cache_dir, "proxy", "idle-helper.lock", NULL);
  g_autoptr(ExitboxEngine) engine = NULL;
  g_autoptr(ExitboxFirewall) firewall = NULL;
  g_autoptr(GError) error = NULL;
  int lock_fd;

  /* One helper is enough: it reads the stamp again after each sleep. The
   * descriptor stays open, and so the lock held, until the process exits.
   */
  lock_fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX | LOCK_NB) != 0)
    return 0;

  for (guint i = 0; i < MAX_IDLE_WAITS; i++)
    {
      gint64 since = exitbox_firewall_get_idle_since ();
      gint64 remaining;

      if (since < 0)
        return 0;

      remaining = since + (gint64) idle_minutes * 60 - g_get_real_time () / G_USEC_PER_SEC;
      if (remaining > 0)
        {
          /* A stamp from the future (a clock set back) waits one day at most. */
          g_usleep ((gulong) (MIN (remaining, 24 * 60 * 60) + 1) * G_USEC_PER_SEC);
          continue;
        }

      engine = exitbox_cli_detect_engine (NULL, &error);
      if (engine == NULL)
        {
          exitbox_cli_print_error (error->message);
          return 1;
        }

      firewall = exitbox_cli_new_firewall (engine);
      if (!exitbox_firewall_stop_if_idle (firewall, idle_minutes, NULL, NULL, &error))
        {
          exitbox_cli_print_error (error->message);
          return 1;
        }
      return 0;
    }

  return 0;
}

static void
detach_from_terminal (gpointer user_data)
{
  setsid ();
}

void
exitbox_cli_schedule_proxy_stop (ExitboxEngine    *engine,
                                 ExitboxConfig    *config)
{
  g_autofree char *sessions_dir = exitbox_proxy_dup_sessions_dir ();
  g_autoptr(GPtrArray) sessions = exitbox_proxy_session_load_all (sessions_dir);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) helper = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *program = NULL;
  guint idle_minutes = exitbox_config_get_proxy_idle_minutes (config);

  /* Another session still runs; its end schedules the stop. */
  if (sessions->len > 0)
    return;

  if (idle_minutes == 0)
    {
      g_autoptr(ExitboxFirewall) firewall = exitbox_cli_new_firewall (engine);

      if (!exitbox_firewall_stop_if_idle (firewall, 0, NULL, NULL, &error))
        g_printerr (_("Warning: failed to stop the idle proxy: %s\n"), error->message);
      return;
    }

  program = g_file_read_link ("/proc/self/exe", &error);
  if (program == NULL)
    {
      g_debug ("Not scheduling the proxy stop: %s", error->message);
      return;
    }

  /* A new session of its own, so the terminal's signals do not reach it. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, detach_from_terminal, NULL, NULL);
  helper = g_subprocess_launcher_spawn (launcher, &error, program, "firewall", "stop-when-idle",
                                        NULL);
  if (helper == NULL)
    g_debug ("Not scheduling the proxy stop: %s", error->message);
}

int
exitbox_cli_firewall (CliOptions *options)
{
  const char *action = options->args[0];

  if (action == NULL)
    {
      exitbox_cli_print_error (_("“firewall” needs an action: status, log [-f], "
                                 "check HOST[:PORT], pending, approve ID or deny ID."));
      return 2;
    }

  if (g_str_equal (action, "status"))
    {
      if (options->args[1] != NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("“firewall status” takes no arguments, but got “%s”."),
                             options->args[1]);
          exitbox_cli_print_error (message);
          return 2;
        }
      return show_status ();
    }

  if (g_str_equal (action, "log"))
    return show_log (options->args + 1);

  if (g_str_equal (action, "check"))
    return check_destination (options->args + 1);

  if (g_str_equal (action, "stop-when-idle"))
    return stop_when_idle ();

  if (g_str_equal (action, "pending"))
    return exitbox_cli_firewall_pending (options->args + 1);

  if (g_str_equal (action, "approve") || g_str_equal (action, "deny"))
    return exitbox_cli_firewall_answer (action, options->args + 1);

  {
    g_autofree char *message =
      g_strdup_printf (_("Unknown firewall action “%s”. The actions are status, log [-f], "
                         "check HOST[:PORT], pending, approve ID [--session|--always] and "
                         "deny ID."), action);
    exitbox_cli_print_error (message);
  }
  return 2;
}
