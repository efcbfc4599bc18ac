/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * Measures the resident memory of the desktop application with open
 * sessions. It runs the same ExitboxApplication and window as
 * exitbox-desktop, because it links the same library and only main()
 * differs. It opens PROJECT and reads VmRSS once the window is idle. Then it
 * opens shell sessions through the window's win.launch-agent action, waits
 * until every one runs and reads VmRSS and VmHWM again. It also adds up the resident memory of
 * its child processes, which are the engine clients (`podman run`) that
 * the terminals started, and prints the mappings with the most resident
 * memory. At the end it types `exit` into each terminal and waits for the
 * sessions to end.
 *
 * It uses the real settings and container engine, like tests/app/test-session.c,
 * so bench/desktop-memory.sh runs it under an X server and a session bus.
 *
 * Usage: desktop-sessions [--sessions N] PROJECT
 * Prints "name=value" lines, with memory in KiB.
 */

#include <stdlib.h>
#include <unistd.h>

#include <gtk/gtk.h>

#include "exitbox-application.h"
#include "exitbox-session-tab.h"
#include "exitbox-window.h"

/* Bounds for each wait, in seconds. Starting the sessions may build the
 * images on a machine that has none yet.
 */
#define START_LIMIT_SECONDS 600
#define END_LIMIT_SECONDS   60
#define IDLE_LIMIT_SECONDS  60
/* How many of the largest mappings to print with the readings. */
#define TOP_MAPPINGS 12
/* Time the running sessions get to print their prompts before the reading. */
#define SETTLE_MS 2000

static gboolean
wait_until (gboolean (*done) (gpointer),
            gpointer   data,
            guint      limit_seconds)
{
  gint64 deadline = g_get_monotonic_time () + limit_seconds * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return TRUE;
}

static gboolean
window_is_idle (gpointer data)
{
  return !exitbox_window_get_refreshing (data);
}

static gboolean
timer_elapsed (gpointer data)
{
  return g_get_monotonic_time () > *(gint64 *) data;
}

static void
iterate_for (guint milliseconds)
{
  gint64 deadline = g_get_monotonic_time () + milliseconds * 1000;

  wait_until (timer_elapsed, &deadline, milliseconds / 1000 + 1);
}

/* Reads one "Name:   1234 kB" field of /proc/PID/status, or -1. */
static gint64
read_status_kb (const char *pid,
                const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gsize field_length = strlen (field);

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return -1;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strncmp (lines[i], field, field_length) == 0 && lines[i][field_length] == ':')
        return g_ascii_strtoll (lines[i] + field_length + 1, NULL, 10);
    }

  return -1;
}

/* Returns the parent pid in /proc/PID/stat, or -1. */
static gint64
read_parent_pid (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *contents = NULL;
  const char *after_name;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return -1;

  /* The command name in brackets may contain spaces: skip to its end. */
  after_name = strrchr (contents, ')');
  if (after_name == NULL)
    return -1;

  /* ") S PPID ..." */
  return g_ascii_strtoll (after_name + 4, NULL, 10);
}

/* Adds up VmRSS of the direct children of this process. */
static gint64
sum_children_rss_kb (guint *out_n_children)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  gint64 self_pid = getpid ();
  gint64 total = 0;
  const char *name;

  *out_n_children = 0;
  if (proc == NULL)
    return -1;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      gint64 rss;

      if (!g_ascii_isdigit (name[0]) || read_parent_pid (name) != self_pid)
        continue;

      rss = read_status_kb (name, "VmRSS");
      if (rss > 0)
        {
          total += rss;
          (*out_n_children)++;
        }
    }

  return total;
}

typedef struct
{
  char   *name;
  gint64  rss_kb;
} Mapping;

static void
mapping_free (Mapping *mapping)
{
  g_free (mapping->name);
  g_free (mapping);
}

static int
compare_mappings (gconstpointer a,
                  gconstpointer b)
{
  const Mapping *x = *(Mapping * const *) a;
  const Mapping *y = *(Mapping * const *) b;

  return (y->rss_kb > x->rss_kb) - (y->rss_kb < x->rss_kb);
}

/* Prints the @limit mappings of /proc/self/smaps with the most resident
 * memory, adding up the mappings of each file. Anonymous mappings without
 * a name are added up as "[anonymous]".
 */
static void
print_top_mappings (guint limit)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) mappings = g_ptr_array_new_with_free_func ((GDestroyNotify) mapping_free);
  Mapping *current = NULL;

  if (!g_file_get_contents ("/proc/self/smaps", &contents, NULL, NULL))
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_ascii_isxdigit (line[0]) && strchr (line, '-') != NULL && strchr (line, ' ') != NULL &&
          strchr (line, '-') < strchr (line, ' '))
        {
          /* "start-end perms offset dev inode   path": the path is the sixth field. */
          g_auto(GStrv) fields = g_strsplit_set (line, " ", 6);
          const char *name = g_strv_length (fields) == 6 ? g_strstrip (fields[5]) : "";

          if (*name == '\0')
            name = "[anonymous]";

          current = g_hash_table_lookup (by_name, name);
          if (current == NULL)
            {
              current = g_new0 (Mapping, 1);
              current->name = g_strdup (name);
              g_ptr_array_add (mappings, current);
              g_hash_table_insert (by_name, current->name, current);
            }
        }
      else if (current != NULL && g_str_has_prefix (line, "Rss:"))
        {
          current->rss_kb += g_ascii_strtoll (line + strlen ("Rss:"), NULL, 10);
        }
    }

  g_ptr_array_sort (mappings, compare_mappings);
  for (guint i = 0; i < MIN (limit, mappings->len); i++)
    {
      Mapping *mapping = g_ptr_array_index (mappings, i);

      g_print ("mapping_rss_kb=%" G_GINT64_FORMAT " %s\n", mapping->rss_kb, mapping->name);
    }
}

typedef struct
{
  AdwTabView         *tab_view;
  ExitboxSessionState state;
  guint               n_expected;
} TabsWatch;

/* Whether every tab reached watch->state. FAILED counts as reached, so a
 * failure is reported without waiting for the limit.
 */
static gboolean
tabs_reached_state (gpointer data)
{
  TabsWatch *watch = data;
  guint n_pages = adw_tab_view_get_n_pages (watch->tab_view);

  if (n_pages < watch->n_expected)
    return FALSE;

  for (guint i = 0; i < n_pages; i++)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (watch->tab_view, i);
      ExitboxSessionState state =
        exitbox_session_tab_get_state (EXITBOX_SESSION_TAB (adw_tab_page_get_child (page)));

      if (state == EXITBOX_SESSION_STATE_FAILED)
        return TRUE;
      if (state != watch->state)
        return FALSE;
    }

  return TRUE;
}

static gboolean
report_failed_tabs (AdwTabView *tab_view)
{
  gboolean failed = FALSE;

  for (int i = 0; i < adw_tab_view_get_n_pages (tab_view); i++)
    {
      ExitboxSessionTab *tab =
        EXITBOX_SESSION_TAB (adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view, i)));

      if (exitbox_session_tab_get_state (tab) == EXITBOX_SESSION_STATE_FAILED)
        {
          const char *message = exitbox_session_tab_get_status_message (tab);

          g_printerr ("desktop-sessions: session %d failed: %s\n", i + 1,
                      message != NULL ? message : "(no message)");
          failed = TRUE;
        }
    }

  return failed;
}

static void
print_memory (const char *prefix)
{
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());

  g_print ("%s_rss_kb=%" G_GINT64_FORMAT "\n", prefix, read_status_kb (pid, "VmRSS"));
  g_print ("%s_rss_anon_kb=%" G_GINT64_FORMAT "\n", prefix, read_status_kb (pid, "RssAnon"));
  g_print ("%s_rss_file_kb=%" G_GINT64_FORMAT "\n", prefix, read_status_kb (pid, "RssFile"));
}

static int
run (const char *project_path,
     guint       n_sessions)
{
  g_autoptr(ExitboxApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  ExitboxWindow *window;
  TabsWatch watch = { 0 };
  gint64 children_kb;
  guint n_children;

  app = g_object_new (EXITBOX_TYPE_APPLICATION,
                      "application-id", "io.github.exitbox.ExitBox.BenchSessions",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      NULL);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    {
      g_printerr ("desktop-sessions: failed to register the application: %s\n", error->message);
      return 1;
    }
  g_application_activate (G_APPLICATION (app));

  window = EXITBOX_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  if (window == NULL || exitbox_application_get_launcher (app) == NULL)
    {
      g_printerr ("desktop-sessions: the application has no window or no launcher; "
                  "check that the container engine works (exitbox doctor)\n");
      return 1;
    }

  g_action_group_activate_action (G_ACTION_GROUP (app), "open-project",
                                  g_variant_new_string (project_path));
  if (!wait_until (window_is_idle, window, IDLE_LIMIT_SECONDS) ||
      exitbox_window_get_project (window) == NULL)
    {
      g_printerr ("desktop-sessions: the window did not open %s within %d s\n",
                  project_path, IDLE_LIMIT_SECONDS);
      return 1;
    }

  iterate_for (SETTLE_MS);
  print_memory ("window");

  for (guint i = 0; i < n_sessions; i++)
    {
      if (!gtk_widget_activate_action (GTK_WIDGET (window), "win.launch-agent", "s", "shell"))
        {
          g_printerr ("desktop-sessions: win.launch-agent is disabled; see the window's problems\n");
          return 1;
        }
    }

  watch.tab_view = exitbox_window_get_tab_view (window);
  watch.state = EXITBOX_SESSION_STATE_RUNNING;
  watch.n_expected = n_sessions;
  if (!wait_until (tabs_reached_state, &watch, START_LIMIT_SECONDS))
    {
      g_printerr ("desktop-sessions: the sessions did not all run within %d s\n", START_LIMIT_SECONDS);
      return 1;
    }
  if (report_failed_tabs (watch.tab_view))
    return 1;

  iterate_for (SETTLE_MS);
  g_print ("sessions=%d\n", adw_tab_view_get_n_pages (watch.tab_view));
  print_memory ("sessions");
  g_print ("peak_rss_kb=%" G_GINT64_FORMAT "\n", read_status_kb (pid, "VmHWM"));
  print_top_mappings (TOP_MAPPINGS);
  children_kb = sum_children_rss_kb (&n_children);
  g_print ("engine_clients=%u\n", n_children);
  g_print ("engine_clients_rss_kb=%" G_GINT64_FORMAT "\n", children_kb);

  for (int i = 0; i < adw_tab_view_get_n_pages (watch.tab_view); i++)
    {
      ExitboxSessionTab *tab =
        EXITBOX_SESSION_TAB (adw_tab_page_get_child (adw_tab_view_get_nth_page (watch.tab_view, i)));

      vte_terminal_feed_child (exitbox_session_tab_get_terminal (tab), "exit\r", -1);
    }

  watch.state = EXITBOX_SESSION_STATE_EXITED;
  if (!wait_until (tabs_reached_state, &watch, END_LIMIT_SECONDS))
    {
      g_printerr ("desktop-sessions: the sessions did not end within %d s of typing exit\n",
                  END_LIMIT_SECONDS);
      return 1;
    }

  /* Pending engine queries hold the window until they end. */
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  wait_until (window_is_idle, window, IDLE_LIMIT_SECONDS);
  g_object_unref (window);

  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int n_sessions = 5;
  const GOptionEntry options[] = {
    { "sessions", 0, 0, G_OPTION_ARG_INT, &n_sessions, "Shell sessions to open (default 5)", "N" },
    { NULL }
  };

  context = g_option_context_new ("PROJECT - resident memory of the window with open sessions");
  g_option_context_add_main_entries (context, options, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("desktop-sessions: %s\n", error->message);
      return 2;
    }

  if (argc != 2 || n_sessions < 1)
    {
      g_printerr ("desktop-sessions: give one project folder and --sessions of 1 or more; see --help\n");
      return 2;
    }

  gtk_init ();

  return run (argv[1], (guint) n_sessions);
}
