/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * Runs one real session through the desktop application, for the
 * end-to-end suite: it opens a project, activates win.launch-agent, waits
 * until the session ended, and checks the terminal, the tab title and the
 * exit-status bar. It uses the user's real settings and container engine.
 * That is why meson only builds it: tests/e2e/run-e2e.sh runs it under an
 * X server and a session bus.
 *
 * Environment:
 *   EXITBOX_TEST_PROJECT      the project folder (the test is skipped without it)
 *   EXITBOX_TEST_AGENT        an agent id, or "shell"
 *   EXITBOX_TEST_EXPECT       text the terminal must show at some point
 *   EXITBOX_TEST_INPUT        optional: typed into the terminal once the
 *                             session runs; "\n" in it is sent as Enter.
 *                             A shell session needs it to end, for example
 *                             "echo $((6 * 7)); exit 3\n" with EXPECT "42".
 *   EXITBOX_TEST_EXIT_STATUS  optional: the exit status the session must end with
 *   EXITBOX_TEST_SCREENSHOT   optional: where to save a PNG of the window
 *   EXITBOX_TEST_FIREWALL_TEXT optional: the status bar's firewall text
 *                             while the session runs
 *   EXITBOX_TEST_ALLOWLIST_ADD optional: an entry to add through the
 *                             allowlist editor in Preferences, once the
 *                             terminal shows EXITBOX_TEST_ADD_AFTER
 */

#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "exitbox-allowlist-editor.h"
#include "exitbox-app-test-utils.h"
#include "exitbox-application.h"
#include "exitbox-session-tab.h"
#include "exitbox-window.h"

#define SESSION_LIMIT_SECONDS 600
#define CHECK_INTERVAL_MS     100
/* After the session exits, its last output may still be on its way to the
 * terminal; wait this long for the expected text before failing.
 */
#define EXITED_GRACE_SECONDS  5

typedef struct
{
  GApplication      *app;
  ExitboxSessionTab *tab;
  ExitboxStatusBar  *status_bar;
  const char        *expect;
  char              *input;
  /* The status bar's firewall text expected while the session runs. */
  const char        *firewall_expect;
  gboolean           firewall_seen;
  /* An entry added through the allowlist editor once @add_after shows. */
  const char        *add_entry;
  const char        *add_after;
  gboolean           entry_added;
  gboolean           expect_seen;
  gboolean           input_sent;
  gboolean           timed_out;
  gint64             deadline;
  gint64             exited_at;  /* monotonic time, 0 while running */
} Watch;

static gboolean
window_is_idle (ExitboxWindow *window)
{
  return !exitbox_window_get_refreshing (window);
}

static void
iterate_until_idle (ExitboxWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + SESSION_LIMIT_SECONDS * G_USEC_PER_SEC;

  while (!window_is_idle (window))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("The window was still querying the engine after %d seconds",
                 SESSION_LIMIT_SECONDS);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Turns the two characters "\n" into a carriage return, which is what the
 * Enter key sends.
 */
static char *
dup_typed_input (const char *text)
{
  g_autoptr(GString) typed = g_string_new (NULL);

  for (const char *c = text; *c != '\0'; c++)
    {
      if (c[0] == '\\' && c[1] == 'n')
        {
          g_string_append_c (typed, '\r');
          c++;
        }
      else
        {
          g_string_append_c (typed, *c);
        }
    }

  return g_string_free (g_steal_pointer (&typed), FALSE);
}

/* Adds @entry as a user would: Preferences, Firewall page, the entry row
 * for a new domain, Enter. Then closes the preferences window.
 */
static void
add_entry_in_editor (GApplication *app,
                     const char   *entry)
{
  GtkWindow *preferences = NULL;
  GtkWidget *editor;
  AdwEntryRow *entry_row;

  g_action_group_activate_action (G_ACTION_GROUP (app), "allowlist", NULL);
  for (GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));
       windows != NULL;
       windows = windows->next)
    {
      if (ADW_IS_PREFERENCES_WINDOW (windows->data))
        preferences = windows->data;
    }
  g_assert_nonnull (preferences);

  editor = exitbox_app_test_find_widget (GTK_WIDGET (preferences), EXITBOX_TYPE_ALLOWLIST_EDITOR);
  g_assert_nonnull (editor);
  entry_row = exitbox_allowlist_editor_get_entry_row (EXITBOX_ALLOWLIST_EDITOR (editor));
  gtk_editable_set_text (GTK_EDITABLE (entry_row), entry);
  g_assert_null (exitbox_allowlist_editor_get_entry_problem (EXITBOX_ALLOWLIST_EDITOR (editor)));
  g_signal_emit_by_name (entry_row, "apply");
  g_test_message ("Added %s in the allowlist editor", entry);

  gtk_window_destroy (preferences);
}

static gboolean
session_check_cb (gpointer user_data)
{
  Watch *watch = user_data;
  VteTerminal *terminal = exitbox_session_tab_get_terminal (watch->tab);
  g_autofree char *text = NULL;

  text = vte_terminal_get_text (terminal, NULL, NULL, NULL);
  if (text != NULL && strstr (text, watch->expect) != NULL)
    watch->expect_seen = TRUE;

  if (watch->add_entry != NULL && !watch->entry_added &&
      text != NULL && strstr (text, watch->add_after) != NULL)
    {
      add_entry_in_editor (watch->app, watch->add_entry);
      watch->entry_added = TRUE;
    }

  if (watch->input != NULL && !watch->input_sent &&
      exitbox_session_tab_get_state (watch->tab) == EXITBOX_SESSION_STATE_RUNNING)
    {
      vte_terminal_feed_child (terminal, watch->input, -1);
      watch->input_sent = TRUE;
    }

  if (watch->firewall_expect != NULL &&
      exitbox_session_tab_get_state (watch->tab) == EXITBOX_SESSION_STATE_RUNNING &&
      g_strcmp0 (exitbox_status_bar_get_firewall_text (watch->status_bar), watch->firewall_expect) == 0)
    watch->firewall_seen = TRUE;

  if (watch->exited_at == 0 &&
      exitbox_session_tab_get_state (watch->tab) == EXITBOX_SESSION_STATE_EXITED)
    watch->exited_at = g_get_monotonic_time ();

  if (g_get_monotonic_time () > watch->deadline)
    watch->timed_out = TRUE;

  return G_SOURCE_CONTINUE;
}

static gboolean
session_is_over (Watch *watch)
{
  ExitboxSessionState state = exitbox_session_tab_get_state (watch->tab);

  gboolean grace_over = watch->exited_at != 0 &&
                        g_get_monotonic_time () - watch->exited_at > EXITED_GRACE_SECONDS * G_USEC_PER_SEC;

  return watch->timed_out ||
         state == EXITBOX_SESSION_STATE_FAILED ||
         (state == EXITBOX_SESSION_STATE_EXITED && (watch->expect_seen || grace_over));
}

/* Checks that the newest session log names @project and an exit status. */
static void
assert_session_logged (ExitboxProject *project)
{
  g_autofree char *dir = exitbox_session_log_dup_dir ();
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  g_autofree char *newest = NULL;
  g_autofree char *text = NULL;
  g_autofree char *project_line = NULL;
  gint64 newest_time = 0;
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf buffer;

      if (g_stat (path, &buffer) == 0 && buffer.st_mtime >= newest_time)
        {
          newest_time = buffer.st_mtime;
          g_free (newest);
          newest = g_steal_pointer (&path);
        }
    }

  g_assert_nonnull (newest);
  g_assert_true (g_file_get_contents (newest, &text, NULL, NULL));
  project_line = g_strdup_printf ("project: %s\n", exitbox_project_get_path (project));
  g_assert_nonnull (strstr (text, project_line));
  g_assert_nonnull (strstr (text, "exit status: "));
}

/* Registers and activates an application with the user's real settings
 * and engine, and returns it with its main window.
 */
static ExitboxApplication *
start_app (const char     *app_id,
           ExitboxWindow **out_window)
{
  ExitboxApplication *app;
  g_autoptr(GError) error = NULL;

  app = g_object_new (EXITBOX_TYPE_APPLICATION,
                      "application-id", app_id,
                      "flags", G_APPLICATION_NON_UNIQUE,
                      NULL);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));

  *out_window = exitbox_app_test_find_main_window (GTK_APPLICATION (app));
  g_assert_nonnull (*out_window);

  return app;
}

static void
test_session_launch (void)
{
  const char *project_path = g_getenv ("EXITBOX_TEST_PROJECT");
  const char *agent = g_getenv ("EXITBOX_TEST_AGENT");
  const char *expect = g_getenv ("EXITBOX_TEST_EXPECT");
  const char *input = g_getenv ("EXITBOX_TEST_INPUT");
  const char *exit_status = g_getenv ("EXITBOX_TEST_EXIT_STATUS");
  const char *screenshot = g_getenv ("EXITBOX_TEST_SCREENSHOT");
  const char *firewall_text = g_getenv ("EXITBOX_TEST_FIREWALL_TEXT");
  const char *add_entry = g_getenv ("EXITBOX_TEST_ALLOWLIST_ADD");
  const char *add_after = g_getenv ("EXITBOX_TEST_ADD_AFTER");
  g_autoptr(ExitboxApplication) app = NULL;
  g_autofree char *expected_title = NULL;
  const char *agent_name;
  ExitboxWindow *window;
  AdwTabView *tab_view;
  AdwTabPage *page;
  const char *status_message;
  Watch watch = { 0 };
  guint check_source;

  if (project_path == NULL || agent == NULL || expect == NULL)
    {
      g_test_skip ("Set EXITBOX_TEST_PROJECT, EXITBOX_TEST_AGENT and EXITBOX_TEST_EXPECT to run it");
      return;
    }

  app = start_app ("io.github.exitbox.ExitBox.SessionTest", &window);
  g_assert_nonnull (exitbox_application_get_engine (app));
  g_assert_nonnull (exitbox_application_get_launcher (app));

  g_action_group_activate_action (G_ACTION_GROUP (app), "open-project",
                                  g_variant_new_string (project_path));
  iterate_until_idle (window);
  g_assert_nonnull (exitbox_window_get_project (window));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.launch-agent", "s", agent));

  tab_view = exitbox_window_get_tab_view (window);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);
  page = adw_tab_view_get_nth_page (tab_view, 0);

  watch.app = G_APPLICATION (app);
  watch.tab = EXITBOX_SESSION_TAB (adw_tab_page_get_child (page));
  watch.status_bar = exitbox_window_get_status_bar (window);
  watch.expect = expect;
  watch.firewall_expect = firewall_text;
  watch.add_entry = add_entry;
  watch.add_after = add_after != NULL ? add_after : "";
  watch.input = input != NULL ? dup_typed_input (input) : NULL;
  watch.deadline = g_get_monotonic_time () + SESSION_LIMIT_SECONDS * G_USEC_PER_SEC;

  check_source = g_timeout_add (CHECK_INTERVAL_MS, session_check_cb, &watch);
  while (!session_is_over (&watch))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (check_source);

  /* Saved before the checks, so a failed run leaves a picture of it too. */
  if (screenshot != NULL)
    exitbox_app_test_save_screenshot (GTK_WIDGET (window), screenshot);

  status_message = exitbox_session_tab_get_status_message (watch.tab);
  g_test_message ("Session state %d, bar: %s", exitbox_session_tab_get_state (watch.tab),
                  status_message != NULL ? status_message : "(hidden)");

  g_assert_false (watch.timed_out);
  g_assert_cmpint (exitbox_session_tab_get_state (watch.tab), ==, EXITBOX_SESSION_STATE_EXITED);
  g_assert_true (watch.expect_seen);
  if (firewall_text != NULL)
    g_assert_true (watch.firewall_seen);
  if (add_entry != NULL)
    g_assert_true (watch.entry_added);

  if (g_str_equal (agent, "shell") || *agent == '\0')
    agent_name = "Shell";
  else
    agent_name = exitbox_agent_lookup (agent)->display_name;
  expected_title = g_strdup_printf ("%s · %s", agent_name,
                                    exitbox_project_get_name (exitbox_window_get_project (window)));
  g_assert_cmpstr (exitbox_session_tab_get_title (watch.tab), ==, expected_title);
  g_assert_cmpstr (adw_tab_page_get_title (page), ==, expected_title);

  g_assert_nonnull (status_message);
  g_assert_true (g_str_has_prefix (status_message, "Session ended with exit status "));
  if (exit_status != NULL)
    {
      g_autofree char *expected_message = g_strdup_printf ("Session ended with exit status %s",
                                                           exit_status);

      g_assert_cmpstr (status_message, ==, expected_message);
    }

  g_assert_cmpuint (exitbox_window_get_n_active_sessions (window), ==, 0);

  /* Desktop sessions write a session log, as CLI sessions do. */
  assert_session_logged (exitbox_window_get_project (window));

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  iterate_until_idle (window);
  g_object_unref (window);
  g_free (watch.input);
}

/* The names of the running containers whose names start with @prefix. */
static GStrv
dup_running_containers (ExitboxEngine *engine,
                        const char    *prefix)
{
  g_autofree char *filter = g_strdup_printf ("name=^%s", prefix);
  const char *args[] = { "ps", "--filter", filter, "--format", "{{.Names}}", NULL };
  g_autoptr(ExitboxEngineResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) lines = NULL;

  result = exitbox_engine_run (engine, args, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->exit_status, ==, 0);

  lines = g_strsplit (result->stdout_text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (*g_strstrip (lines[i]) != '\0')
        g_strv_builder_add (names, lines[i]);
    }

  return g_strv_builder_end (names);
}

/* Iterates the main loop until @n containers named @prefix… run, for at
 * most SESSION_LIMIT_SECONDS, and returns how many ran last.
 */
static guint
wait_for_running_containers (ExitboxEngine *engine,
                             const char    *prefix,
                             guint          n)
{
  gint64 deadline = g_get_monotonic_time () + SESSION_LIMIT_SECONDS * G_USEC_PER_SEC;
  guint n_running;

  while (TRUE)
    {
      g_auto(GStrv) names = dup_running_containers (engine, prefix);
      gint64 next_check = g_get_monotonic_time () + CHECK_INTERVAL_MS * 1000 * 5;

      n_running = g_strv_length (names);
      if (n_running == n || g_get_monotonic_time () > deadline)
        return n_running;

      while (g_get_monotonic_time () < next_check)
        {
          if (!g_main_context_iteration (NULL, FALSE))
            g_usleep (10000);
        }
    }
}

static gboolean
tab_exited (ExitboxSessionTab *tab)
{
  return exitbox_session_tab_get_state (tab) == EXITBOX_SESSION_STATE_EXITED;
}

/* Two shell tabs in one project: the second ends by itself and its tab
 * closes first, then Stop and Close on the first must stop its container
 * while the application keeps running. Runs when EXITBOX_TEST_STOP is set.
 */
static void
test_session_stop (void)
{
  const char *project_path = g_getenv ("EXITBOX_TEST_PROJECT");
  g_autoptr(ExitboxApplication) app = NULL;
  g_autofree char *example_name = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(GList) toplevels = NULL;
  g_autoptr(ExitboxEngine) engine = NULL;
  ExitboxWindow *window;
  AdwTabView *tab_view;
  ExitboxSessionTab *first;
  ExitboxSessionTab *second;
  AdwMessageDialog *dialog = NULL;
  gint64 deadline;

  if (project_path == NULL || g_getenv ("EXITBOX_TEST_STOP") == NULL)
    {
      g_test_skip ("Set EXITBOX_TEST_PROJECT and EXITBOX_TEST_STOP to run it");
      return;
    }

  app = start_app ("io.github.exitbox.ExitBox.StopTest", &window);
  /* Launches reload the settings and replace the application's engine. */
  g_assert_nonnull (exitbox_application_get_engine (app));
  engine = g_object_ref (exitbox_application_get_engine (app));

  g_action_group_activate_action (G_ACTION_GROUP (app), "open-project",
                                  g_variant_new_string (project_path));
  iterate_until_idle (window);
  g_assert_nonnull (exitbox_window_get_project (window));

  /* Shell container names end in "-" and a random suffix. */
  example_name = exitbox_launch_dup_container_name (NULL, exitbox_project_get_key (exitbox_window_get_project (window)));
  prefix = g_strndup (example_name, strrchr (example_name, '-') - example_name + 1);
  g_assert_cmpuint (wait_for_running_containers (engine, prefix, 0), ==, 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.launch-agent", "s", "shell"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.launch-agent", "s", "shell"));
  tab_view = exitbox_window_get_tab_view (window);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 2);
  first = EXITBOX_SESSION_TAB (adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view, 0)));
  second = EXITBOX_SESSION_TAB (adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view, 1)));
  g_assert_cmpuint (wait_for_running_containers (engine, prefix, 2), ==, 2);

  /* The second session ends by itself, and its ended tab closes first. */
  vte_terminal_feed_child (exitbox_session_tab_get_terminal (second), "exit 3\r", -1);
  deadline = g_get_monotonic_time () + SESSION_LIMIT_SECONDS * G_USEC_PER_SEC;
  while (!tab_exited (second) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (tab_exited (second));
  g_assert_cmpstr (exitbox_session_tab_get_status_message (second), ==,
                   "Session ended with exit status 3");
  adw_tab_view_close_page (tab_view, adw_tab_view_get_page (tab_view, GTK_WIDGET (second)));
  g_assert_cmpuint (wait_for_running_containers (engine, prefix, 1), ==, 1);

  /* Stop and Close on the first stops its container while the app runs. */
  adw_tab_view_close_page (tab_view, adw_tab_view_get_page (tab_view, GTK_WIDGET (first)));
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
        dialog = l->data;
    }
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "stop");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 0);
  g_assert_cmpuint (wait_for_running_containers (engine, prefix, 0), ==, 0);

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  iterate_until_idle (window);
  g_object_unref (window);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  /* Transitions would leave half-drawn frames in screenshots and make
   * visibility depend on timing.
   */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/app/session/launch", test_session_launch);
  g_test_add_func ("/app/session/stop", test_session_stop);

  return g_test_run ();
}
