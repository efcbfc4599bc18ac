/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * The main window against temporary XDG folders and a fake podman
 * (tests/app/fake-engine/podman) that reports an empty store. Runs under an
 * X server and a session bus: see run-under-display.sh.
 */

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "exitbox-app-test-utils.h"
#include "exitbox-application.h"
#include "exitbox-profile-page.h"
#include "exitbox-session-tab.h"
#include "exitbox-setup-window.h"
#include "exitbox-test-utils.h"
#include "exitbox-window.h"

/* Bound for waits on the config folder monitor, which reloads 250 ms after
 * the last change.
 */
#define WATCH_LIMIT_SECONDS 10

/* Claude Code and OpenCode enabled, Codex disabled. */
static const char config_yaml[] =
  "version: 1\n"
  "agents:\n"
  "  claude:\n"
  "    enabled: true\n"
  "  codex:\n"
  "    enabled: false\n"
  "  opencode:\n"
  "    enabled: true\n";

static const char allowlist_yaml[] =
  "version: 1\n"
  "ai_providers:\n"
  "  - api.anthropic.com\n"
  "development:\n"
  "  - github.com\n"
  "custom:\n"
  "  - example.com\n";

static guint app_serial;

typedef struct _Fixture Fixture;
typedef void (*TestBody) (Fixture *fixture);

struct _Fixture
{
  ExitboxApplication *app;
  ExitboxWindow      *window;
  char               *project_dir;
  char               *saved_path;
  char               *saved_dist_url;
  TestBody            body;
  guint               n_reloads;
};

static char *
dup_config_file (const char *name)
{
  return g_build_filename (g_get_user_config_dir (), "exitbox", name, NULL);
}

static void
write_config_file (const char *name,
                   const char *contents)
{
  g_autofree char *path = dup_config_file (name);

  exitbox_test_write_file (path, contents);
}

static gboolean
window_is_idle (gpointer data)
{
  return !exitbox_window_get_refreshing (EXITBOX_WINDOW (data));
}

static void
use_fake_engine (Fixture *fixture)
{
  g_autofree char *fake_dir = g_test_build_filename (G_TEST_DIST, "fake-engine", NULL);

  g_setenv ("PATH", fake_dir, TRUE);
}

static void
use_no_engine (Fixture *fixture)
{
  /* An existing folder without podman or docker in it. */
  g_setenv ("PATH", fixture->project_dir, TRUE);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *base = NULL;

  fixture->saved_path = g_strdup (g_getenv ("PATH"));
  fixture->saved_dist_url = g_strdup (g_getenv ("EXITBOX_CLAUDE_DIST_URL"));
  g_unsetenv ("CONTAINER_RUNTIME");

  exitbox_app_test_use_isolated_dirs ();

  base = exitbox_test_make_tmpdir ("exitbox-test-window-XXXXXX");
  fixture->project_dir = g_build_filename (base, "project with spaces", NULL);
  g_assert_cmpint (g_mkdir (fixture->project_dir, 0700), ==, 0);
}

/* Runs @body inside g_application_run(), once the window is shown and its
 * first engine queries finished, then closes the window and quits. A
 * real run also unregisters the application from D-Bus and emits
 * "shutdown", so both objects can be finalized afterwards.
 */
static void
activate_after_cb (GApplication *application,
                   Fixture      *fixture)
{
  fixture->window = exitbox_app_test_find_main_window (GTK_APPLICATION (application));
  g_assert_nonnull (fixture->window);
  g_object_ref (fixture->window);

  exitbox_app_test_iterate_until (window_is_idle, fixture->window);
  fixture->body (fixture);

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  exitbox_app_test_iterate_until (window_is_idle, fixture->window);
  g_application_quit (application);
}

static void
run_app (Fixture  *fixture,
         TestBody  body)
{
  g_autofree char *app_id = NULL;
  int status;

  /* Each test gets its own id so the D-Bus object paths of earlier tests'
   * applications cannot collide with this one.
   */
  app_id = g_strdup_printf ("io.github.exitbox.ExitBox.Test%u", ++app_serial);
  fixture->app = g_object_new (EXITBOX_TYPE_APPLICATION,
                               "application-id", app_id,
                               "flags", G_APPLICATION_NON_UNIQUE,
                               NULL);
  fixture->body = body;
  g_signal_connect_after (fixture->app, "activate", G_CALLBACK (activate_after_cb), fixture);

  status = g_application_run (G_APPLICATION (fixture->app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (fixture->window);
}

/* Runs the application as "exitbox-desktop ARGUMENTS…" and returns its exit
 * status. @body runs once the window is shown, as in run_app().
 */
static int
run_app_with_arguments (Fixture     *fixture,
                        TestBody     body,
                        const char **arguments)
{
  g_autofree char *app_id = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  app_id = g_strdup_printf ("io.github.exitbox.ExitBox.Test%u", ++app_serial);
  fixture->app = g_object_new (EXITBOX_TYPE_APPLICATION,
                               "application-id", app_id,
                               "flags", G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_COMMAND_LINE,
                               NULL);
  fixture->body = body;
  g_signal_connect_after (fixture->app, "activate", G_CALLBACK (activate_after_cb), fixture);

  g_ptr_array_add (argv, (gpointer) "exitbox-desktop");
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) arguments[i]);
  g_ptr_array_add (argv, NULL);

  return g_application_run (G_APPLICATION (fixture->app), (int) argv->len - 1,
                            (char **) argv->pdata);
}

static void
open_project (Fixture    *fixture,
              const char *path)
{
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "open-project",
                                  g_variant_new_string (path));
  exitbox_app_test_iterate_until (window_is_idle, fixture->window);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *base = g_path_get_dirname (fixture->project_dir);

  if (fixture->window != NULL)
    g_assert_finalize_object (fixture->window);

  if (fixture->app != NULL)
    g_assert_finalize_object (fixture->app);

  g_setenv ("PATH", fixture->saved_path, TRUE);
  g_unsetenv ("FAKE_PODMAN_BUILD");
  g_unsetenv ("FAKE_PODMAN_INFO_ERROR");
  g_unsetenv ("FAKE_PODMAN_LOG");
  g_unsetenv ("EXITBOX_NO_FIREWALL");
  if (fixture->saved_dist_url != NULL)
    g_setenv ("EXITBOX_CLAUDE_DIST_URL", fixture->saved_dist_url, TRUE);
  else
    g_unsetenv ("EXITBOX_CLAUDE_DIST_URL");
  exitbox_test_remove_tree (base);
  g_free (fixture->project_dir);
  g_free (fixture->saved_path);
  g_free (fixture->saved_dist_url);
}

static void
check_agents_listed (Fixture *fixture)
{
  const ExitboxAgentInfo *agents;
  guint n_agents = 0;

  agents = exitbox_agent_get_all (&n_agents);
  g_assert_cmpuint (n_agents, ==, 3);

  for (guint i = 0; i < n_agents; i++)
    {
      ExitboxAgentRow *row = exitbox_window_get_agent_row (fixture->window, agents[i].id);

      g_assert_nonnull (row);
      g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                       agents[i].display_name);
    }

  g_assert_cmpstr (exitbox_agent_row_get_enabled_text (exitbox_window_get_agent_row (fixture->window, "claude")),
                   ==, "Enabled");
  g_assert_cmpstr (exitbox_agent_row_get_enabled_text (exitbox_window_get_agent_row (fixture->window, "codex")),
                   ==, "Disabled");
  g_assert_cmpstr (exitbox_agent_row_get_enabled_text (exitbox_window_get_agent_row (fixture->window, "opencode")),
                   ==, "Enabled");
}

static void
test_window_agents_listed (Fixture       *fixture,
                           gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  run_app (fixture, check_agents_listed);
}

static void
check_launch_needs_project (Fixture *fixture)
{
  const ExitboxAgentInfo *agents;
  ExitboxProject *project;
  guint n_agents = 0;

  agents = exitbox_agent_get_all (&n_agents);

  g_assert_null (exitbox_window_get_project (fixture->window));
  for (guint i = 0; i < n_agents; i++)
    {
      ExitboxAgentRow *row = exitbox_window_get_agent_row (fixture->window, agents[i].id);

      g_assert_false (gtk_widget_get_sensitive (exitbox_agent_row_get_launch_button (row)));
      g_assert_null (exitbox_agent_row_get_image_text (row));
    }

  open_project (fixture, fixture->project_dir);

  project = exitbox_window_get_project (fixture->window);
  g_assert_nonnull (project);
  g_assert_cmpstr (exitbox_project_get_name (project), ==, "project with spaces");

  for (guint i = 0; i < n_agents; i++)
    {
      ExitboxAgentRow *row = exitbox_window_get_agent_row (fixture->window, agents[i].id);
      gboolean enabled = !g_str_equal (agents[i].id, "codex");

      g_assert_cmpint (gtk_widget_get_sensitive (exitbox_agent_row_get_launch_button (row)), ==,
                       enabled && agents[i].installable);
      g_assert_cmpstr (exitbox_agent_row_get_image_text (row), ==, "Not built");
    }

  /* Claude Code is enabled here and installable in the catalogue. */
  g_assert_true (gtk_widget_get_sensitive (exitbox_agent_row_get_launch_button (exitbox_window_get_agent_row (fixture->window, "claude"))));
}

static void
test_window_launch_needs_project (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  run_app (fixture, check_launch_needs_project);
}

static void
check_project_rejected (Fixture *fixture)
{
  g_autofree char *file = g_build_filename (fixture->project_dir, "notes.txt", NULL);
  g_autofree char *missing = g_build_filename (fixture->project_dir, "missing", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (file, "not a folder\n", -1, &error);
  g_assert_no_error (error);

  open_project (fixture, file);
  g_assert_null (exitbox_window_get_project (fixture->window));

  open_project (fixture, missing);
  g_assert_null (exitbox_window_get_project (fixture->window));

  open_project (fixture, fixture->project_dir);
  g_assert_nonnull (exitbox_window_get_project (fixture->window));

  /* A rejected folder keeps the project that was open. */
  open_project (fixture, file);
  g_assert_cmpstr (exitbox_project_get_name (exitbox_window_get_project (fixture->window)), ==,
                   "project with spaces");
}

static void
test_window_project_rejected (Fixture       *fixture,
                              gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  run_app (fixture, check_project_rejected);
}

static void
check_status_engine (Fixture *fixture)
{
  ExitboxStatusBar *status_bar = exitbox_window_get_status_bar (fixture->window);
  g_autofree char *expected = NULL;

  open_project (fixture, fixture->project_dir);

  expected = exitbox_engine_dup_description (exitbox_application_get_engine (fixture->app), "4.3.1");
  g_assert_true (g_str_has_prefix (expected, "podman 4.3.1"));

  g_assert_cmpstr (exitbox_status_bar_get_engine_text (status_bar), ==, expected);
  g_assert_cmpstr (exitbox_status_bar_get_firewall_text (status_bar), ==, "Firewall stopped");
  g_assert_cmpstr (exitbox_status_bar_get_allowlist_text (status_bar), ==, "3 allowed domains");
  g_assert_cmpstr (exitbox_status_bar_get_sessions_text (status_bar), ==, "No running sessions");
  g_assert_cmpuint (exitbox_window_get_n_active_sessions (fixture->window), ==, 0);
  /* The captured `podman info` is of a working engine. */
  g_assert_null (exitbox_status_bar_get_problems_text (status_bar));
}

static void
test_window_status_engine (Fixture       *fixture,
                           gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  run_app (fixture, check_status_engine);
}

static void
check_status_no_engine (Fixture *fixture)
{
  ExitboxStatusBar *status_bar = exitbox_window_get_status_bar (fixture->window);
  const GError *engine_error = exitbox_application_get_engine_error (fixture->app);
  g_auto(GStrv) problems = NULL;

  open_project (fixture, fixture->project_dir);

  g_assert_null (exitbox_application_get_engine (fixture->app));
  g_assert_nonnull (engine_error);
  g_assert_cmpstr (exitbox_status_bar_get_engine_text (status_bar), ==, "No container engine");
  g_assert_null (exitbox_status_bar_get_firewall_text (status_bar));

  /* The window shows the core's message, which names what to install. */
  problems = exitbox_window_dup_problems (fixture->window);
  g_assert_cmpuint (g_strv_length (problems), ==, 1);
  g_assert_cmpstr (problems[0], ==, engine_error->message);
  g_assert_nonnull (strstr (problems[0], "podman"));

  g_assert_false (gtk_widget_get_sensitive (exitbox_agent_row_get_launch_button (exitbox_window_get_agent_row (fixture->window, "claude"))));
}

static void
test_window_status_no_engine (Fixture       *fixture,
                              gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_no_engine (fixture);

  run_app (fixture, check_status_no_engine);
}

/* A failing `podman info` is what `exitbox doctor` reports as an engine
 * failure; the status bar says so and lists it with the engine's message.
 */
static void
check_status_engine_problem (Fixture *fixture)
{
  ExitboxStatusBar *status_bar = exitbox_window_get_status_bar (fixture->window);
  GtkWidget *list = exitbox_status_bar_get_problems_list (status_bar);
  GtkWidget *row = gtk_widget_get_first_child (list);

  g_assert_cmpstr (exitbox_status_bar_get_problems_text (status_bar), ==, "1 engine problem");
  g_assert_true (ADW_IS_ACTION_ROW (row));
  g_assert_null (gtk_widget_get_next_sibling (row));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            "the storage database is locked"));

  /* Checking again after the engine recovered hides the problem. */
  g_unsetenv ("FAKE_PODMAN_INFO_ERROR");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.check-engine", NULL);
  exitbox_app_test_iterate_until (window_is_idle, fixture->window);
  g_assert_null (exitbox_status_bar_get_problems_text (status_bar));
}

static void
test_window_status_engine_problem (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);
  g_setenv ("FAKE_PODMAN_INFO_ERROR", "Error: the storage database is locked", TRUE);

  run_app (fixture, check_status_engine_problem);
}

static void
check_engine_problem_reload (Fixture *fixture)
{
  ExitboxStatusBar *status_bar = exitbox_window_get_status_bar (fixture->window);

  g_assert_cmpstr (exitbox_status_bar_get_problems_text (status_bar), ==, "1 engine problem");

  /* The engine recovers outside the app, and the next refresh of the
   * window, here for a project, checks it again.
   */
  g_unsetenv ("FAKE_PODMAN_INFO_ERROR");
  open_project (fixture, fixture->project_dir);
  g_assert_null (exitbox_status_bar_get_problems_text (status_bar));
  g_setenv ("FAKE_PODMAN_INFO_ERROR", "Error: the storage database is locked", TRUE);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "reload", NULL);
  exitbox_app_test_iterate_until (window_is_idle, fixture->window);
  g_assert_cmpstr (exitbox_status_bar_get_problems_text (status_bar), ==, "1 engine problem");

  /* A settings reload checks again too. */
  g_unsetenv ("FAKE_PODMAN_INFO_ERROR");
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "reload", NULL);
  exitbox_app_test_iterate_until (window_is_idle, fixture->window);
  g_assert_null (exitbox_status_bar_get_problems_text (status_bar));

  /* A problem that appears is found by the next reload as well. */
  g_setenv ("FAKE_PODMAN_INFO_ERROR", "Error: the storage database is locked", TRUE);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "reload", NULL);
  exitbox_app_test_iterate_until (window_is_idle, fixture->window);
  g_assert_cmpstr (exitbox_status_bar_get_problems_text (status_bar), ==, "1 engine problem");

  /* Without an engine there is nothing left to have problems. */
  use_no_engine (fixture);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "reload", NULL);
  exitbox_app_test_iterate_until (window_is_idle, fixture->window);
  g_assert_null (exitbox_status_bar_get_problems_text (status_bar));
}

static void
test_window_engine_problem_reload (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);
  g_setenv ("FAKE_PODMAN_INFO_ERROR", "Error: the storage database is locked", TRUE);

  run_app (fixture, check_engine_problem_reload);
}

static GtkWidget *
find_first_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *button = find_first_button (child);

      if (button != NULL)
        return button;
    }

  return NULL;
}

/* The popover offers a Fix button only for what ExitBox can fix, bound to
 * win.fix-engine-problem with the problem's id.
 */
static void
test_window_status_problem_rows (void)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new ();
  ExitboxDoctorProblem fixable = { (char *) "ulimits", (char *) "Limits too high",
                                   (char *) "The runtime cannot raise them.",
                                   (char *) "Lower them in containers.conf.", TRUE };
  ExitboxDoctorProblem manual = { (char *) "tun-device", (char *) "No <tun> device",
                                  (char *) "slirp4netns needs it.",
                                  (char *) "Load the tun module.", FALSE };
  GtkWidget *status_bar = g_object_ref_sink (exitbox_status_bar_new ());
  GtkWidget *list = exitbox_status_bar_get_problems_list (EXITBOX_STATUS_BAR (status_bar));
  GtkWidget *first;
  GtkWidget *second;
  GtkWidget *button;
  GVariant *target;

  g_ptr_array_add (problems, &fixable);
  g_ptr_array_add (problems, &manual);
  exitbox_status_bar_set_engine_problems (EXITBOX_STATUS_BAR (status_bar), problems);

  g_assert_cmpstr (exitbox_status_bar_get_problems_text (EXITBOX_STATUS_BAR (status_bar)), ==,
                   "2 engine problems");
  first = gtk_widget_get_first_child (list);
  second = gtk_widget_get_next_sibling (first);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (first)), ==,
                   "Limits too high");
  /* The title is markup, so a summary's "<" is escaped. */
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (second)), ==,
                   "No &lt;tun&gt; device");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (first)), ==,
                   "The runtime cannot raise them.\nFix: Lower them in containers.conf.");

  button = find_first_button (first);
  g_assert_null (find_first_button (second));
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==,
                   "win.fix-engine-problem");
  target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (button));
  g_assert_cmpstr (g_variant_get_string (target, NULL), ==, "ulimits");

  exitbox_status_bar_set_engine_problems (EXITBOX_STATUS_BAR (status_bar), NULL);
  g_assert_null (exitbox_status_bar_get_problems_text (EXITBOX_STATUS_BAR (status_bar)));
  g_assert_null (gtk_widget_get_first_child (list));

  g_object_unref (status_bar);
}

/* A session without the firewall overrides the proxy's state while it is
 * selected, and the proxy's state comes back afterwards.
 */
static void
test_window_status_session_firewall_off (void)
{
  GtkWidget *widget = g_object_ref_sink (exitbox_status_bar_new ());
  ExitboxStatusBar *status_bar = EXITBOX_STATUS_BAR (widget);

  exitbox_status_bar_set_firewall_state (status_bar, EXITBOX_FIREWALL_STATE_RUNNING);
  exitbox_status_bar_set_session_firewall_off (status_bar, TRUE);
  g_assert_cmpstr (exitbox_status_bar_get_firewall_text (status_bar), ==,
                   "Firewall off for this session");

  /* A new proxy state while the session is selected does not hide it. */
  exitbox_status_bar_set_firewall_state (status_bar, EXITBOX_FIREWALL_STATE_STOPPED);
  g_assert_cmpstr (exitbox_status_bar_get_firewall_text (status_bar), ==,
                   "Firewall off for this session");

  exitbox_status_bar_set_session_firewall_off (status_bar, FALSE);
  g_assert_cmpstr (exitbox_status_bar_get_firewall_text (status_bar), ==, "Firewall stopped");

  exitbox_status_bar_set_firewall_unknown (status_bar, NULL);
  g_assert_null (exitbox_status_bar_get_firewall_text (status_bar));

  g_object_unref (widget);
}

static const char broken_yaml[] = "agents:\n  claude: [enabled\n";

static void
check_config_error (Fixture *fixture)
{
  g_autofree char *path = dup_config_file ("config.yaml");
  g_autofree char *contents = NULL;
  g_auto(GStrv) problems = NULL;
  g_autoptr(GError) error = NULL;

  open_project (fixture, fixture->project_dir);

  g_assert_null (exitbox_application_get_config (fixture->app));
  g_assert_null (exitbox_application_get_launcher (fixture->app));

  problems = exitbox_window_dup_problems (fixture->window);
  g_assert_cmpuint (g_strv_length (problems), ==, 1);
  g_assert_true (g_str_has_prefix (problems[0],
                                   exitbox_application_get_config_error (fixture->app)->message));
  g_assert_nonnull (strstr (problems[0], "config.yaml"));

  g_assert_null (exitbox_agent_row_get_enabled_text (exitbox_window_get_agent_row (fixture->window, "claude")));
  g_assert_false (gtk_widget_get_sensitive (exitbox_agent_row_get_launch_button (exitbox_window_get_agent_row (fixture->window, "claude"))));

  /* Nothing was written over the user's file. */
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, broken_yaml);
}

static void
test_window_config_error (Fixture       *fixture,
                          gconstpointer  user_data)
{
  write_config_file ("config.yaml", broken_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  run_app (fixture, check_config_error);
}

/* Clicks the status bar's allowlist button and checks that the
 * preferences open at the allowlist editor.
 */
static void
assert_allowlist_button_opens_editor (Fixture *fixture)
{
  ExitboxStatusBar *status_bar = exitbox_window_get_status_bar (fixture->window);
  AdwPreferencesWindow *preferences = NULL;

  g_signal_emit_by_name (exitbox_status_bar_get_allowlist_button (status_bar), "clicked");
  for (GList *windows = gtk_application_get_windows (GTK_APPLICATION (fixture->app));
       windows != NULL;
       windows = windows->next)
    if (ADW_IS_PREFERENCES_WINDOW (windows->data))
      preferences = windows->data;

  g_assert_nonnull (preferences);
  g_assert_cmpstr (adw_preferences_window_get_visible_page_name (preferences), ==, "firewall");
  gtk_window_destroy (GTK_WINDOW (preferences));
}

static void
check_allowlist_invalid (Fixture *fixture)
{
  ExitboxStatusBar *status_bar = exitbox_window_get_status_bar (fixture->window);
  ExitboxAllowlist *allowlist = exitbox_application_get_allowlist (fixture->app);
  GtkWidget *button = exitbox_status_bar_get_allowlist_button (status_bar);

  g_assert_cmpint (exitbox_allowlist_get_status (allowlist), ==, EXITBOX_ALLOWLIST_STATUS_INVALID);
  g_assert_cmpstr (exitbox_status_bar_get_allowlist_text (status_bar), ==,
                   "Allowlist has an error");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==,
                   exitbox_allowlist_get_problem (allowlist));

  assert_allowlist_button_opens_editor (fixture);
}

static void
test_window_allowlist_invalid (Fixture       *fixture,
                               gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", "development: [github.com\n");
  use_fake_engine (fixture);

  run_app (fixture, check_allowlist_invalid);
}

static void
check_allowlist_missing (Fixture *fixture)
{
  ExitboxStatusBar *status_bar = exitbox_window_get_status_bar (fixture->window);
  ExitboxAllowlist *allowlist = exitbox_application_get_allowlist (fixture->app);
  g_auto(GStrv) problems = NULL;

  GtkWidget *button = exitbox_status_bar_get_allowlist_button (status_bar);
  const char *tooltip;

  g_assert_cmpint (exitbox_allowlist_get_status (allowlist), ==, EXITBOX_ALLOWLIST_STATUS_MISSING);

  /* The bar has room for a summary, and the tooltip shows the whole problem. */
  g_assert_cmpstr (exitbox_status_bar_get_allowlist_text (status_bar), ==, "Allowlist missing");
  tooltip = gtk_widget_get_tooltip_text (button);
  g_assert_cmpstr (tooltip, ==, exitbox_allowlist_get_problem (allowlist));

  problems = exitbox_window_dup_problems (fixture->window);
  g_assert_cmpuint (g_strv_length (problems), ==, 1);
  g_assert_cmpstr (problems[0], ==, exitbox_allowlist_get_problem (allowlist));

  assert_allowlist_button_opens_editor (fixture);
}

static void
test_window_allowlist_missing (Fixture       *fixture,
                               gconstpointer  user_data)
{
  /* config.yaml exists, so the first-run defaults are not written. */
  write_config_file ("config.yaml", config_yaml);
  use_fake_engine (fixture);

  run_app (fixture, check_allowlist_missing);
}

static ExitboxSetupWindow *
find_setup_window (Fixture *fixture)
{
  for (GList *windows = gtk_application_get_windows (GTK_APPLICATION (fixture->app));
       windows != NULL;
       windows = windows->next)
    {
      if (EXITBOX_IS_SETUP_WINDOW (windows->data))
        return windows->data;
    }

  return NULL;
}

static gboolean
settings_reloaded (gpointer data)
{
  Fixture *fixture = data;

  return fixture->n_reloads > 0 && window_is_idle (fixture->window);
}

static void
count_reload_cb (ExitboxApplication *app,
                 Fixture            *fixture)
{
  fixture->n_reloads++;
}

static void
check_first_run_defaults (Fixture *fixture)
{
  g_autofree char *config_path = dup_config_file ("config.yaml");
  g_autofree char *allowlist_path = dup_config_file ("allowlist.yaml");
  ExitboxSetupWindow *setup = find_setup_window (fixture);
  g_auto(GStrv) problems = NULL;

  /* The first start opens setup and writes nothing yet. */
  g_assert_nonnull (setup);
  g_assert_cmpstr (exitbox_setup_window_get_page (setup), ==, "welcome");
  g_assert_true (exitbox_application_get_first_run (fixture->app));
  g_assert_false (g_file_test (config_path, G_FILE_TEST_EXISTS));

  /* Closing it without saving writes the defaults, as the CLI does. */
  fixture->n_reloads = 0;
  g_signal_connect (fixture->app, "reloaded", G_CALLBACK (count_reload_cb), fixture);
  gtk_window_close (GTK_WINDOW (setup));
  exitbox_app_test_iterate_until (settings_reloaded, fixture);
  g_signal_handlers_disconnect_by_func (fixture->app, count_reload_cb, fixture);

  g_assert_true (exitbox_application_get_wrote_defaults (fixture->app));
  g_assert_true (g_file_test (config_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (allowlist_path, G_FILE_TEST_IS_REGULAR));
  g_assert_nonnull (exitbox_application_get_config (fixture->app));

  problems = exitbox_window_dup_problems (fixture->window);
  g_assert_cmpuint (g_strv_length (problems), ==, 0);
}

static void
test_window_first_run_defaults (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autofree char *config_path = dup_config_file ("config.yaml");

  g_assert_false (g_file_test (config_path, G_FILE_TEST_EXISTS));
  use_fake_engine (fixture);

  run_app (fixture, check_first_run_defaults);
}

static void
click_check (ExitboxSetupWindow *setup,
             const char         *kind,
             const char         *id,
             gboolean            expected_before)
{
  GtkCheckButton *check = exitbox_setup_window_get_check (setup, kind, id);

  g_assert_nonnull (check);
  g_assert_cmpint (gtk_check_button_get_active (check), ==, expected_before);
  gtk_widget_activate (GTK_WIDGET (check));
  g_assert_cmpint (gtk_check_button_get_active (check), ==, !expected_before);
}

/* Writes the same choices through the core's wizard into @dir. */
static void
apply_same_choices (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxCatalogue) catalogue = exitbox_catalogue_load_default (&error);
  g_autoptr(ExitboxWizard) wizard = exitbox_wizard_new (catalogue, NULL);
  const char *roles[] = { "backend", NULL };
  const char *languages[] = { "python", NULL };

  g_assert_true (exitbox_wizard_set_roles (wizard, roles, &error));
  g_assert_true (exitbox_wizard_set_languages (wizard, languages, &error));
  g_assert_true (exitbox_wizard_set_agent_enabled (wizard, "codex", TRUE, &error));
  g_assert_true (exitbox_wizard_set_firewall_entry_enabled (wizard, "github.com", FALSE, &error));
  g_assert_true (exitbox_wizard_apply (wizard, dir, &error));
  g_assert_no_error (error);
}

static void
assert_same_file (const char *dir_a,
                  const char *dir_b,
                  const char *name)
{
  g_autofree char *path_a = g_build_filename (dir_a, name, NULL);
  g_autofree char *path_b = g_build_filename (dir_b, name, NULL);
  g_autofree char *text_a = exitbox_test_read_file (path_a);
  g_autofree char *text_b = exitbox_test_read_file (path_b);

  g_assert_cmpstr (text_a, ==, text_b);
}

static void
check_setup_click_through (Fixture *fixture)
{
  ExitboxSetupWindow *setup = find_setup_window (fixture);
  g_autofree char *config_dir = g_build_filename (g_get_user_config_dir (), "exitbox", NULL);
  g_autofree char *core_dir = exitbox_test_make_tmpdir ("exitbox-test-setup-XXXXXX");
  g_autoptr(ExitboxConfig) config = NULL;

  g_assert_nonnull (setup);
  g_assert_null (exitbox_setup_window_get_engine_problem (setup));

  exitbox_setup_window_go_next (setup);
  g_assert_cmpstr (exitbox_setup_window_get_page (setup), ==, "roles");
  click_check (setup, "roles", "backend", FALSE);

  /* The role pre-selects Python and Go; the user keeps Python only. */
  exitbox_setup_window_go_next (setup);
  g_assert_cmpstr (exitbox_setup_window_get_page (setup), ==, "languages");
  g_assert_true (gtk_check_button_get_active (exitbox_setup_window_get_check (setup, "languages",
                                                                              "python")));
  click_check (setup, "languages", "go", TRUE);

  exitbox_setup_window_go_next (setup);
  g_assert_true (gtk_check_button_get_active (exitbox_setup_window_get_check (setup,
                                                                              "tool-categories",
                                                                              "database")));
  exitbox_setup_window_go_next (setup);
  g_assert_cmpstr (exitbox_setup_window_get_page (setup), ==, "agents");
  click_check (setup, "agents", "codex", FALSE);

  exitbox_setup_window_go_next (setup);
  g_assert_cmpstr (exitbox_setup_window_get_page (setup), ==, "firewall");
  click_check (setup, "firewall", "github.com", TRUE);

  /* Back and forward again keeps the choices. */
  exitbox_setup_window_go_back (setup);
  g_assert_cmpstr (exitbox_setup_window_get_page (setup), ==, "agents");
  exitbox_setup_window_go_next (setup);
  exitbox_setup_window_go_next (setup);
  g_assert_cmpstr (exitbox_setup_window_get_page (setup), ==, "review");

  fixture->n_reloads = 0;
  g_signal_connect (fixture->app, "reloaded", G_CALLBACK (count_reload_cb), fixture);
  exitbox_setup_window_go_next (setup);
  exitbox_app_test_iterate_until (settings_reloaded, fixture);
  g_signal_handlers_disconnect_by_func (fixture->app, count_reload_cb, fixture);

  g_assert_null (find_setup_window (fixture));
  g_assert_false (exitbox_application_get_wrote_defaults (fixture->app));

  /* The window wrote what the core writes for the same choices. */
  apply_same_choices (core_dir);
  assert_same_file (config_dir, core_dir, "config.yaml");
  assert_same_file (config_dir, core_dir, "allowlist.yaml");

  config = g_object_ref (exitbox_application_get_config (fixture->app));
  g_assert_true (exitbox_config_get_agent_enabled (config, "codex"));

  exitbox_test_remove_tree (core_dir);
}

static void
test_window_setup_click_through (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  use_fake_engine (fixture);

  run_app (fixture, check_setup_click_through);
}

static void
check_setup_no_engine (Fixture *fixture)
{
  ExitboxSetupWindow *setup = find_setup_window (fixture);

  g_assert_nonnull (setup);
  g_assert_nonnull (exitbox_setup_window_get_engine_problem (setup));
  g_assert_nonnull (strstr (exitbox_setup_window_get_engine_problem (setup), "podman"));
  gtk_window_close (GTK_WINDOW (setup));
}

static void
test_window_setup_no_engine (Fixture       *fixture,
                             gconstpointer  user_data)
{
  use_no_engine (fixture);

  run_app (fixture, check_setup_no_engine);
}

static void
check_setup_broken_config (Fixture *fixture)
{
  g_autofree char *config_path = dup_config_file ("config.yaml");
  g_autofree char *before = exitbox_test_read_file (config_path);
  g_autofree char *after = NULL;
  ExitboxSetupWindow *setup;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "setup", NULL);
  setup = find_setup_window (fixture);
  g_assert_nonnull (setup);

  /* A file that fails to load cannot be saved over, so Next does nothing. */
  exitbox_setup_window_go_next (setup);
  g_assert_cmpstr (exitbox_setup_window_get_page (setup), ==, "welcome");
  gtk_window_close (GTK_WINDOW (setup));

  after = exitbox_test_read_file (config_path);
  g_assert_cmpstr (after, ==, before);
}

static void
test_window_setup_broken_config (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  write_config_file ("config.yaml", broken_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  run_app (fixture, check_setup_broken_config);
}

static void
check_preferences_opens (Fixture *fixture)
{
  GtkWindow *preferences = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  for (GList *windows = gtk_application_get_windows (GTK_APPLICATION (fixture->app));
       windows != NULL;
       windows = windows->next)
    {
      if (ADW_IS_PREFERENCES_WINDOW (windows->data))
        preferences = windows->data;
    }

  g_assert_nonnull (preferences);
  g_assert_true (gtk_window_get_transient_for (preferences) == GTK_WINDOW (fixture->window));
  gtk_window_close (preferences);
}

static void
test_window_preferences_opens (Fixture       *fixture,
                               gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  run_app (fixture, check_preferences_opens);
}

static void
check_setup_rerun (Fixture *fixture)
{
  ExitboxSetupWindow *setup;

  g_assert_null (find_setup_window (fixture));
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "setup", NULL);
  setup = find_setup_window (fixture);
  g_assert_nonnull (setup);

  /* It starts from the files: OpenCode is enabled there. */
  g_assert_true (gtk_check_button_get_active (exitbox_setup_window_get_check (setup, "agents",
                                                                              "opencode")));
  g_assert_true (gtk_check_button_get_active (exitbox_setup_window_get_check (setup, "firewall",
                                                                              "example.com")));
  gtk_window_close (GTK_WINDOW (setup));

  /* Closing it on a re-run writes nothing. */
  g_assert_false (exitbox_application_get_wrote_defaults (fixture->app));
}

static void
test_window_setup_rerun (Fixture       *fixture,
                         gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  run_app (fixture, check_setup_rerun);
}

static ExitboxSessionTab *
get_only_session (Fixture *fixture)
{
  AdwTabView *tab_view = exitbox_window_get_tab_view (fixture->window);

  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);

  return EXITBOX_SESSION_TAB (adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view, 0)));
}

static gboolean
session_failed (gpointer data)
{
  return exitbox_session_tab_get_state (EXITBOX_SESSION_TAB (data)) == EXITBOX_SESSION_STATE_FAILED;
}

static gboolean
session_shows_build (gpointer data)
{
  VteTerminal *terminal = exitbox_session_tab_get_terminal (EXITBOX_SESSION_TAB (data));
  g_autofree char *text = vte_terminal_get_text (terminal, NULL, NULL, NULL);

  return text != NULL && strstr (text, "fake build step for the desktop tests") != NULL;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
        return l->data;
    }

  return NULL;
}

static void
check_session_build_fails (Fixture *fixture)
{
  ExitboxStatusBar *status_bar = exitbox_window_get_status_bar (fixture->window);
  AdwTabView *tab_view = exitbox_window_get_tab_view (fixture->window);
  ExitboxSessionTab *tab;
  AdwTabPage *page;

  open_project (fixture, fixture->project_dir);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.launch-agent", "s", "claude"));

  tab = get_only_session (fixture);
  page = adw_tab_view_get_page (tab_view, GTK_WIDGET (tab));
  exitbox_app_test_iterate_until (session_failed, tab);
  exitbox_app_test_iterate_until (window_is_idle, fixture->window);

  g_assert_cmpstr (exitbox_session_tab_get_title (tab), ==, "Claude Code · project with spaces");
  g_assert_cmpstr (adw_tab_page_get_title (page), ==, "Claude Code · project with spaces");
  g_assert_false (adw_tab_page_get_loading (page));
  g_assert_true (g_str_has_prefix (exitbox_session_tab_get_status_message (tab),
                                   "Could not prepare the session: "));
  /* VTE parses fed text on its own schedule, so the build output may
   * appear a little after the session has failed; this fails on timeout.
   */
  exitbox_app_test_iterate_until (session_shows_build, tab);
  g_assert_cmpuint (exitbox_window_get_n_active_sessions (fixture->window), ==, 0);
  g_assert_cmpstr (exitbox_status_bar_get_sessions_text (status_bar), ==, "No running sessions");

  /* Zoom works on the terminal of an ended session too. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tab), "term.zoom-in", NULL));
  g_assert_cmpfloat (vte_terminal_get_font_scale (exitbox_session_tab_get_terminal (tab)), >, 1.0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tab), "term.zoom-reset", NULL));
  g_assert_cmpfloat (vte_terminal_get_font_scale (exitbox_session_tab_get_terminal (tab)), ==, 1.0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tab), "term.zoom-out", NULL));
  g_assert_cmpfloat (vte_terminal_get_font_scale (exitbox_session_tab_get_terminal (tab)), <, 1.0);

  /* A session that ended closes without a question. */
  adw_tab_view_close_page (tab_view, page);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 0);
  g_assert_null (find_message_dialog ());
}

static void
test_window_session_build_fails (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);
  g_setenv ("FAKE_PODMAN_BUILD", "fail", TRUE);

  run_app (fixture, check_session_build_fails);
}

static gboolean
row_not_building (gpointer data)
{
  return !exitbox_agent_row_get_building (EXITBOX_AGENT_ROW (data));
}

/* Build on the agent row builds without a session; a failure stays on the
 * row with the engine's words.
 */
static void
check_agent_build_fails (Fixture *fixture)
{
  ExitboxAgentRow *row;
  GtkWidget *build;
  g_autofree char *log = NULL;

  open_project (fixture, fixture->project_dir);
  row = exitbox_window_get_agent_row (fixture->window, "claude");
  build = exitbox_agent_row_get_build_button (row);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (build)), ==, "_Build");
  g_assert_true (gtk_widget_get_sensitive (build));

  g_signal_emit_by_name (build, "clicked");
  g_assert_true (exitbox_agent_row_get_building (row));
  g_assert_false (gtk_widget_get_sensitive (build));

  exitbox_app_test_iterate_until (row_not_building, row);
  g_assert_cmpstr (exitbox_agent_row_get_image_text (row), ==, "Build failed");
  /* The row keeps what the engine printed. */
  log = exitbox_agent_row_dup_log (row);
  exitbox_test_assert_contains (log, "fake build step for the desktop tests");
  g_assert_true (gtk_widget_get_sensitive (build));
  g_assert_cmpuint (adw_tab_view_get_n_pages (exitbox_window_get_tab_view (fixture->window)), ==, 0);
}

static void
test_window_agent_build_fails (Fixture       *fixture,
                               gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);
  g_setenv ("FAKE_PODMAN_BUILD", "fail", TRUE);

  run_app (fixture, check_agent_build_fails);
}

static gboolean
codex_enabled (gpointer data)
{
  ExitboxWindow *window = data;

  return g_strcmp0 (exitbox_agent_row_get_enabled_text (exitbox_window_get_agent_row (window, "codex")),
                    "Enabled") == 0;
}

/* The switch edits agents.codex.enabled in place, and the reload that the
 * file change causes shows it.
 */
static void
check_agent_enable_switch (Fixture *fixture)
{
  g_autofree char *path = dup_config_file ("config.yaml");
  g_autofree char *contents = NULL;
  ExitboxAgentRow *row = exitbox_window_get_agent_row (fixture->window, "codex");
  GtkSwitch *toggle = GTK_SWITCH (exitbox_agent_row_get_enabled_switch (row));

  g_assert_false (gtk_switch_get_active (toggle));
  gtk_switch_set_active (toggle, TRUE);
  exitbox_app_test_iterate_until (codex_enabled, fixture->window);

  contents = exitbox_test_read_file (path);
  exitbox_test_assert_contains (contents, "# the agents\n");
  exitbox_test_assert_contains (contents, "  codex:\n    enabled: true\n");
  g_assert_true (gtk_switch_get_active (toggle));
}

static void
test_window_agent_enable_switch (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autofree char *commented = g_strconcat ("# the agents\n", config_yaml, NULL);

  write_config_file ("config.yaml", commented);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  run_app (fixture, check_agent_enable_switch);
}

static void
check_launch_rereads_allowlist (Fixture *fixture)
{
  ExitboxStatusBar *status_bar = exitbox_window_get_status_bar (fixture->window);
  ExitboxSessionTab *tab;

  open_project (fixture, fixture->project_dir);
  g_assert_cmpstr (exitbox_status_bar_get_allowlist_text (status_bar), ==, "3 allowed domains");

  /* The user edits the allowlist while the window is open. */
  write_config_file ("allowlist.yaml", "custom:\n  - only.example.test\n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.launch-agent", "s", "claude"));

  tab = get_only_session (fixture);
  exitbox_app_test_iterate_until (session_failed, tab);
  exitbox_app_test_iterate_until (window_is_idle, fixture->window);

  g_assert_cmpuint (exitbox_allowlist_get_n_entries (exitbox_application_get_allowlist (fixture->app)),
                    ==, 1);
  g_assert_cmpstr (exitbox_status_bar_get_allowlist_text (status_bar), ==, "1 allowed domain");
}

static void
test_window_launch_rereads_allowlist (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);
  g_setenv ("FAKE_PODMAN_BUILD", "fail", TRUE);

  run_app (fixture, check_launch_rereads_allowlist);
}

static void
check_session_close_asks (Fixture *fixture)
{
  ExitboxStatusBar *status_bar = exitbox_window_get_status_bar (fixture->window);
  AdwTabView *tab_view = exitbox_window_get_tab_view (fixture->window);
  AdwMessageDialog *dialog;
  ExitboxSessionTab *tab;
  AdwTabPage *page;

  open_project (fixture, fixture->project_dir);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.launch-agent", "s", "shell"));

  tab = get_only_session (fixture);
  page = adw_tab_view_get_page (tab_view, GTK_WIDGET (tab));
  exitbox_app_test_iterate_until (session_shows_build, tab);

  g_assert_cmpstr (exitbox_session_tab_get_title (tab), ==, "Shell · project with spaces");
  g_assert_cmpint (exitbox_session_tab_get_state (tab), ==, EXITBOX_SESSION_STATE_PREPARING);
  g_assert_true (adw_tab_page_get_loading (page));
  g_assert_null (exitbox_session_tab_get_status_message (tab));
  g_assert_cmpuint (exitbox_window_get_n_active_sessions (fixture->window), ==, 1);
  g_assert_cmpstr (exitbox_status_bar_get_sessions_text (status_bar), ==, "1 running session");

  /* Closing the window asks first, and Cancel keeps it open. */
  gtk_window_close (GTK_WINDOW (fixture->window));
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Stop Running Sessions?");
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);

  /* Closing the tab asks too, and Cancel keeps the session. */
  adw_tab_view_close_page (tab_view, page);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Stop This Session?");
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);

  /* Stop closes it. */
  adw_tab_view_close_page (tab_view, page);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "stop");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 0);

  exitbox_app_test_iterate_until (window_is_idle, fixture->window);
  g_assert_cmpstr (exitbox_status_bar_get_sessions_text (status_bar), ==, "No running sessions");
}

static void
test_window_session_close_asks (Fixture       *fixture,
                                gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);
  g_setenv ("FAKE_PODMAN_BUILD", "hang", TRUE);

  run_app (fixture, check_session_close_asks);
}

/* Saves @contents the way editors and the core do: a temporary file in the
 * same folder, renamed over the settings file.
 */
static void
replace_config_file (const char *name,
                     const char *contents)
{
  g_autofree char *path = dup_config_file (name);
  g_autofree char *temp_path = g_strconcat (path, ".new", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (temp_path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_rename (temp_path, path), ==, 0);
}

/* Iterates the main loop until @done returns TRUE or @seconds pass, and
 * returns whether @done returned TRUE.
 */
static gboolean
iterate_until_within (gboolean (*done) (gpointer),
                      gpointer   data,
                      int        seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

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
status_shows_one_domain (gpointer data)
{
  ExitboxStatusBar *status_bar = exitbox_window_get_status_bar (EXITBOX_WINDOW (data));

  return g_strcmp0 (exitbox_status_bar_get_allowlist_text (status_bar), "1 allowed domain") == 0;
}

static gboolean
app_has_config_error (gpointer data)
{
  return exitbox_application_get_config_error (EXITBOX_APPLICATION (data)) != NULL;
}

static void
iterate_for_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * (G_USEC_PER_SEC / 1000);

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static ExitboxSessionTab *
get_session (Fixture *fixture,
             guint    index)
{
  AdwTabView *tab_view = exitbox_window_get_tab_view (fixture->window);

  return EXITBOX_SESSION_TAB (adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view, (int) index)));
}

static gboolean
session_running (gpointer data)
{
  return exitbox_session_tab_get_state (EXITBOX_SESSION_TAB (data)) == EXITBOX_SESSION_STATE_RUNNING;
}

static gboolean
session_exited (gpointer data)
{
  return exitbox_session_tab_get_state (EXITBOX_SESSION_TAB (data)) == EXITBOX_SESSION_STATE_EXITED;
}

/* The calls that the fake podman wrote to FAKE_PODMAN_LOG, one a line. */
static char *
read_engine_log (void)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (g_getenv ("FAKE_PODMAN_LOG"), &contents, NULL, NULL))
    return g_strdup ("");

  return g_steal_pointer (&contents);
}

static gboolean
engine_log_has_line (gpointer data)
{
  g_autofree char *contents = read_engine_log ();
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

  return g_strv_contains ((const char * const *) lines, data);
}

/* The --name of the first `run` in the engine log whose name starts with
 * @prefix, or NULL.
 */
static char *
dup_run_container_name (const char *prefix)
{
  g_autofree char *contents = read_engine_log ();
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit (lines[i], " ", -1);

      if (g_strcmp0 (words[0], "run") != 0)
        continue;

      for (guint j = 0; words[j] != NULL && words[j + 1] != NULL; j++)
        {
          if (g_str_equal (words[j], "--name") && g_str_has_prefix (words[j + 1], prefix))
            return g_strdup (words[j + 1]);
        }
    }

  return NULL;
}

static void
check_session_close_stops_container (Fixture *fixture)
{
  ExitboxStatusBar *status_bar = exitbox_window_get_status_bar (fixture->window);
  AdwTabView *tab_view = exitbox_window_get_tab_view (fixture->window);
  g_autofree char *shell_name = NULL;
  g_autofree char *claude_name = NULL;
  g_autofree char *shell_stop = NULL;
  g_autofree char *claude_stop = NULL;
  ExitboxSessionTab *shell;
  ExitboxSessionTab *claude;
  AdwMessageDialog *dialog;

  open_project (fixture, fixture->project_dir);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.launch-agent", "s", "shell"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.launch-agent", "s", "claude"));
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 2);
  shell = get_session (fixture, 0);
  claude = get_session (fixture, 1);
  exitbox_app_test_iterate_until (session_running, shell);
  exitbox_app_test_iterate_until (session_running, claude);
  g_assert_cmpstr (exitbox_status_bar_get_sessions_text (status_bar), ==, "2 running sessions");

  /* Container names end in a random suffix, so they come from the runs. */
  shell_name = dup_run_container_name ("exitbox-shell-");
  claude_name = dup_run_container_name ("exitbox-claude-");
  g_assert_nonnull (shell_name);
  g_assert_nonnull (claude_name);
  shell_stop = g_strdup_printf ("stop --time 5 %s", shell_name);
  claude_stop = g_strdup_printf ("stop --time 5 %s", claude_name);

  /* The agent's session ends by itself, and its ended tab closes first. */
  vte_terminal_feed_child (exitbox_session_tab_get_terminal (claude), "exit 3\r", -1);
  exitbox_app_test_iterate_until (session_exited, claude);
  g_assert_cmpstr (exitbox_session_tab_get_status_message (claude), ==,
                   "Session ended with exit status 3");
  adw_tab_view_close_page (tab_view, adw_tab_view_get_page (tab_view, GTK_WIDGET (claude)));
  g_assert_null (find_message_dialog ());
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);
  iterate_for_ms (200);

  /* Stop and Close on the shell stops the shell's container. */
  adw_tab_view_close_page (tab_view, adw_tab_view_get_page (tab_view, GTK_WIDGET (shell)));
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "stop");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 0);

  exitbox_app_test_iterate_until (engine_log_has_line, shell_stop);
  exitbox_app_test_iterate_until (window_is_idle, fixture->window);
  g_assert_false (engine_log_has_line (claude_stop));
  g_assert_cmpstr (exitbox_status_bar_get_sessions_text (status_bar), ==, "No running sessions");
}

#define CLAUDE_STUB_VERSION "1.0.0"
#define CLAUDE_STUB_BINARY  "stub claude binary for the desktop tests"

/* Serves the Claude Code release bucket that the agent image's build
 * downloads from, with a stub binary.
 */
static void
handle_claude_dist (SoupServer        *server,
                    SoupServerMessage *message,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  const char *platform = exitbox_claude_platform (EXITBOX_BASE_FAMILY_DEBIAN);
  g_autofree char *manifest_path = g_strdup_printf ("/dist/%s/manifest.json", CLAUDE_STUB_VERSION);
  g_autofree char *binary_path = g_strdup_printf ("/dist/%s/%s/claude", CLAUDE_STUB_VERSION, platform);
  g_autofree char *body = NULL;

  if (g_str_equal (path, "/dist/latest"))
    {
      body = g_strdup (CLAUDE_STUB_VERSION "\n");
    }
  else if (g_str_equal (path, manifest_path))
    {
      g_autofree char *checksum = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                                 CLAUDE_STUB_BINARY, -1);

      body = g_strdup_printf ("{\"platforms\": {\"%s\": {\"checksum\": \"%s\"}}}",
                              platform, checksum);
    }
  else if (g_str_equal (path, binary_path))
    {
      body = g_strdup (CLAUDE_STUB_BINARY);
    }

  if (body == NULL)
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/octet-stream", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

/* A fake podman whose builds succeed and whose `run` keeps running, and a
 * loopback release bucket, so that sessions reach the running state.
 * Returns the bucket's server.
 */
static SoupServer *
use_running_fake_engine (Fixture *fixture)
{
  g_autofree char *base = g_path_get_dirname (fixture->project_dir);
  g_autofree char *log_path = g_build_filename (base, "podman-calls.log", NULL);
  g_autofree char *root = NULL;
  g_autofree char *dist_url = NULL;
  SoupServer *server;

  if (exitbox_test_skip_without_platform (exitbox_claude_platform (EXITBOX_BASE_FAMILY_DEBIAN)))
    return NULL;

  server = exitbox_test_start_loopback_server (handle_claude_dist, NULL, &root);
  dist_url = g_strconcat (root, "dist", NULL);
  g_setenv ("EXITBOX_CLAUDE_DIST_URL", dist_url, TRUE);

  use_fake_engine (fixture);
  g_setenv ("FAKE_PODMAN_BUILD", "ok", TRUE);
  g_setenv ("FAKE_PODMAN_LOG", log_path, TRUE);
  /* Without the firewall, preparing needs no proxy container. */
  g_setenv ("EXITBOX_NO_FIREWALL", "1", TRUE);

  return server;
}

/* Runs @body with sessions that start and keep running on the fake engine. */
static void
run_app_with_running_engine (Fixture  *fixture,
                             TestBody  body)
{
  g_autoptr(SoupServer) server = NULL;

  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  server = use_running_fake_engine (fixture);
  if (server == NULL)
    return;

  run_app (fixture, body);
}

static void
test_window_session_close_stops_container (Fixture       *fixture,
                                           gconstpointer  user_data)
{
  run_app_with_running_engine (fixture, check_session_close_stops_container);
}

/* SIGTERM to the app stops the running session's container, as Stop and
 * Close would, without asking.
 */
static void
check_signal_stops_sessions (Fixture *fixture)
{
  g_autofree char *shell_name = NULL;
  g_autofree char *shell_stop = NULL;
  ExitboxSessionTab *shell;

  open_project (fixture, fixture->project_dir);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.launch-agent", "s", "shell"));
  shell = get_session (fixture, 0);
  exitbox_app_test_iterate_until (session_running, shell);
  shell_name = dup_run_container_name ("exitbox-shell-");
  g_assert_nonnull (shell_name);
  shell_stop = g_strdup_printf ("stop --time 5 %s", shell_name);

  g_assert_cmpint (raise (SIGTERM), ==, 0);
  exitbox_app_test_iterate_until (engine_log_has_line, shell_stop);
  g_assert_false (exitbox_session_tab_get_active (shell));
  g_assert_null (find_message_dialog ());
}

static void
test_window_signal_stops_sessions (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  run_app_with_running_engine (fixture, check_signal_stops_sessions);
}

static void
check_command_line_launch_broken_config (Fixture *fixture)
{
  AdwTabView *tab_view = exitbox_window_get_tab_view (fixture->window);
  const GError *config_error = exitbox_application_get_config_error (fixture->app);
  const char *toast = exitbox_window_get_last_toast (fixture->window);
  g_auto(GStrv) problems = exitbox_window_dup_problems (fixture->window);

  g_assert_nonnull (config_error);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 0);
  g_assert_cmpstr (exitbox_window_get_view (fixture->window), ==, "agents");

  /* The toast and the agent list name the same error. */
  g_assert_nonnull (toast);
  g_assert_true (g_str_has_prefix (toast, "Nothing was started: "));
  g_assert_nonnull (strstr (toast, config_error->message));
  g_assert_cmpuint (g_strv_length (problems), ==, 1);
  g_assert_true (g_str_has_prefix (problems[0], config_error->message));
}

static void
test_window_command_line_launch_broken_config (Fixture       *fixture,
                                               gconstpointer  user_data)
{
  const char *arguments[] = { "--project", fixture->project_dir, "--launch", "shell", NULL };

  write_config_file ("config.yaml", broken_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  g_assert_cmpint (run_app_with_arguments (fixture, check_command_line_launch_broken_config,
                                           arguments), ==, 1);
  g_assert_nonnull (fixture->window);
}

static AdwViewSwitcherTitle *
find_switcher_title (ExitboxWindow *window)
{
  GtkWidget *found = exitbox_app_test_find_widget (GTK_WIDGET (window),
                                                   ADW_TYPE_VIEW_SWITCHER_TITLE);

  g_assert_nonnull (found);
  return ADW_VIEW_SWITCHER_TITLE (found);
}

static gboolean
switcher_shown (gpointer data)
{
  return !adw_view_switcher_title_get_title_visible (find_switcher_title (data));
}

static gboolean
title_shown (gpointer data)
{
  return adw_view_switcher_title_get_title_visible (find_switcher_title (data));
}

static void
check_agents_view_with_sessions (Fixture *fixture)
{
  AdwTabView *tab_view = exitbox_window_get_tab_view (fixture->window);
  GtkWidget *profiles_button;
  AdwMessageDialog *dialog;
  ExitboxSessionTab *tab;
  ExitboxProfilePage *profiles;

  open_project (fixture, fixture->project_dir);
  g_assert_cmpstr (exitbox_window_get_view (fixture->window), ==, "agents");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.launch-agent", "s", "shell"));
  tab = get_only_session (fixture);
  exitbox_app_test_iterate_until (session_shows_build, tab);
  g_assert_cmpstr (exitbox_window_get_view (fixture->window), ==, "sessions");
  /* The header shows the view switcher at once, without a resize. */
  exitbox_app_test_iterate_until (switcher_shown, fixture->window);

  /* The agent list and Profiles… are reachable while the session prepares. */
  exitbox_window_set_view (fixture->window, "agents");
  iterate_for_ms (100);
  profiles_button = exitbox_app_test_find_button (GTK_WIDGET (fixture->window), "_Profiles…");
  g_assert_nonnull (profiles_button);
  g_assert_true (gtk_widget_get_mapped (profiles_button));
  g_assert_true (gtk_widget_is_sensitive (profiles_button));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (exitbox_window_get_agent_row (fixture->window, "claude"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (exitbox_window_get_tab_bar (fixture->window))));
  g_assert_cmpint (exitbox_session_tab_get_state (tab), ==, EXITBOX_SESSION_STATE_PREPARING);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);

  profiles = exitbox_window_show_project_profiles (fixture->window);
  g_assert_nonnull (profiles);
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (profiles))));

  /* Back to the session, which kept preparing. */
  exitbox_window_set_view (fixture->window, "sessions");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (exitbox_window_get_tab_bar (fixture->window))));
  g_assert_cmpint (exitbox_session_tab_get_state (tab), ==, EXITBOX_SESSION_STATE_PREPARING);

  /* With the last tab closed, only the agent list is left. */
  adw_tab_view_close_page (tab_view, adw_tab_view_get_page (tab_view, GTK_WIDGET (tab)));
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "stop");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 0);
  g_assert_cmpstr (exitbox_window_get_view (fixture->window), ==, "agents");
  exitbox_app_test_iterate_until (title_shown, fixture->window);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (exitbox_window_get_tab_bar (fixture->window))));
  exitbox_app_test_iterate_until (window_is_idle, fixture->window);
}

static void
test_window_agents_view_with_sessions (Fixture       *fixture,
                                       gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);
  g_setenv ("FAKE_PODMAN_BUILD", "hang", TRUE);

  run_app (fixture, check_agents_view_with_sessions);
}

static void
check_watch_reloads (Fixture *fixture)
{
  ExitboxStatusBar *status_bar = exitbox_window_get_status_bar (fixture->window);
  g_autofree char *config_path = dup_config_file ("config.yaml");
  g_autofree char *contents = NULL;
  g_auto(GStrv) problems = NULL;
  g_autoptr(GError) error = NULL;

  open_project (fixture, fixture->project_dir);
  g_assert_cmpstr (exitbox_status_bar_get_allowlist_text (status_bar), ==, "3 allowed domains");

  /* The allowlist changes on disk while no session starts. */
  replace_config_file ("allowlist.yaml", "custom:\n  - only.example.test\n");
  g_assert_true (iterate_until_within (status_shows_one_domain, fixture->window,
                                       WATCH_LIMIT_SECONDS));
  g_assert_cmpuint (exitbox_allowlist_get_n_entries (exitbox_application_get_allowlist (fixture->app)),
                    ==, 1);

  /* A config.yaml that fails to parse shows its error and stays as written. */
  replace_config_file ("config.yaml", broken_yaml);
  g_assert_true (iterate_until_within (app_has_config_error, fixture->app, WATCH_LIMIT_SECONDS));
  exitbox_app_test_iterate_until (window_is_idle, fixture->window);

  /* The last good settings stay shown, and launching waits for a fix. */
  g_assert_nonnull (exitbox_application_get_config (fixture->app));
  g_assert_cmpstr (exitbox_agent_row_get_enabled_text (exitbox_window_get_agent_row (fixture->window, "claude")),
                   ==, "Enabled");
  problems = exitbox_window_dup_problems (fixture->window);
  g_assert_cmpuint (g_strv_length (problems), ==, 1);
  g_assert_true (g_str_has_prefix (problems[0],
                                   exitbox_application_get_config_error (fixture->app)->message));
  g_assert_nonnull (strstr (problems[0], "config.yaml"));
  g_assert_false (gtk_widget_get_sensitive (exitbox_agent_row_get_launch_button (exitbox_window_get_agent_row (fixture->window, "claude"))));

  g_file_get_contents (config_path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, broken_yaml);
}

static void
test_window_watch_reloads (Fixture       *fixture,
                           gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  run_app (fixture, check_watch_reloads);
}

static void
check_watch_debounces (Fixture *fixture)
{
  ExitboxStatusBar *status_bar = exitbox_window_get_status_bar (fixture->window);
  gulong handler;

  open_project (fixture, fixture->project_dir);
  handler = g_signal_connect (fixture->app, "reloaded", G_CALLBACK (count_reload_cb), fixture);

  /* Twenty saves 30 ms apart end with one domain. The 30 ms is well below the
   * 250 ms reload delay, and the main loop runs between saves, so the
   * application receives each change separately and restarts its timer.
   */
  for (guint i = 20; i > 0; i--)
    {
      g_autofree char *contents = NULL;
      g_autoptr(GString) domains = g_string_new ("custom:\n");

      for (guint j = 0; j < i; j++)
        g_string_append_printf (domains, "  - host%u.example.test\n", j);
      contents = g_string_free (g_steal_pointer (&domains), FALSE);

      replace_config_file ("allowlist.yaml", contents);
      iterate_for_ms (30);
    }

  g_assert_true (iterate_until_within (status_shows_one_domain, fixture->window,
                                       WATCH_LIMIT_SECONDS));

  /* Leave time for a late reload to show up in the count. */
  iterate_for_ms (1000);
  g_signal_handler_disconnect (fixture->app, handler);

  g_assert_cmpstr (exitbox_status_bar_get_allowlist_text (status_bar), ==, "1 allowed domain");
  g_assert_cmpuint (fixture->n_reloads, >=, 1);
  /* One is expected, but a slow machine may let the timer fire between saves. */
  g_assert_cmpuint (fixture->n_reloads, <=, 2);
}

static void
test_window_watch_debounces (Fixture       *fixture,
                             gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  run_app (fixture, check_watch_debounces);
}

static void
check_command_line_launch (Fixture *fixture)
{
  ExitboxSessionTab *tab = get_only_session (fixture);
  ExitboxProject *project = exitbox_window_get_project (fixture->window);

  g_assert_nonnull (project);
  g_assert_cmpstr (exitbox_project_get_name (project), ==, "project with spaces");
  g_assert_cmpstr (exitbox_session_tab_get_title (tab), ==, "Shell · project with spaces");
}

static void
test_window_command_line_launch (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  const char *arguments[] = { "--project", fixture->project_dir, "--launch", "shell", NULL };

  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);
  g_setenv ("FAKE_PODMAN_BUILD", "fail", TRUE);

  g_assert_cmpint (run_app_with_arguments (fixture, check_command_line_launch, arguments), ==, 0);
  g_assert_nonnull (fixture->window);
}

static void
check_not_reached (Fixture *fixture)
{
  g_assert_not_reached ();
}

static void
test_window_command_line_unknown_agent (Fixture       *fixture,
                                        gconstpointer  user_data)
{
  const char *arguments[] = { "--project", fixture->project_dir, "--launch", "gemini", NULL };

  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  g_assert_cmpint (run_app_with_arguments (fixture, check_not_reached, arguments), ==, 2);
}

static gboolean
terminal_shows_link (gpointer data)
{
  g_autofree char *text = vte_terminal_get_text (VTE_TERMINAL (data), NULL, NULL, NULL);

  return text != NULL && strstr (text, "see https://example.test/docs now") != NULL;
}

static void
check_session_find_and_links (Fixture *fixture)
{
  ExitboxSessionTab *tab;
  VteTerminal *terminal;
  GtkAdjustment *adjustment;
  g_autofree char *link = NULL;
  long column;
  long row;
  double width;
  double height;

  open_project (fixture, fixture->project_dir);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.launch-agent", "s", "shell"));
  tab = get_only_session (fixture);
  exitbox_app_test_iterate_until (session_shows_build, tab);

  /* Finding is case-insensitive and literal. */
  g_assert_true (exitbox_session_tab_find_text (tab, "FAKE BUILD STEP"));
  g_assert_false (exitbox_session_tab_find_text (tab, "not in the output"));
  g_assert_false (exitbox_session_tab_find_text (tab, "fake.build"));

  /* A URL in the output is a link. */
  terminal = exitbox_session_tab_get_terminal (tab);
  vte_terminal_feed (terminal, "\r\nsee https://example.test/docs now\r\n", -1);
  exitbox_app_test_iterate_until (terminal_shows_link, terminal);
  vte_terminal_get_cursor_position (terminal, &column, &row);
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (terminal));
  width = vte_terminal_get_char_width (terminal);
  height = vte_terminal_get_char_height (terminal);

  link = exitbox_session_tab_dup_link_at (tab, (strlen ("see ") + 2) * width,
                                          (row - 1 - gtk_adjustment_get_value (adjustment)) * height +
                                          height / 2);
  g_assert_cmpstr (link, ==, "https://example.test/docs");
}

static void
test_window_session_find_and_links (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);
  g_setenv ("FAKE_PODMAN_BUILD", "fail", TRUE);

  run_app (fixture, check_session_find_and_links);
}

/* A stand-in for the desktop's notification service: it records the
 * summary of each Notify call.
 */
static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static void
notifications_method_cb (GDBusConnection       *connection,
                         const char            *sender,
                         const char            *object_path,
                         const char            *interface_name,
                         const char            *method_name,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer               user_data)
{
  GPtrArray *summaries = user_data;
  const char *summary = NULL;

  g_variant_get_child (parameters, 3, "&s", &summary);
  g_ptr_array_add (summaries, g_strdup (summary));
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", summaries->len));
}

static gboolean
has_summaries (gpointer data)
{
  return ((GPtrArray *) data)->len > 0;
}

static gboolean
name_acquired (gpointer data)
{
  return *(gboolean *) data;
}

static void
notifications_name_acquired_cb (GDBusConnection *connection,
                                const char      *name,
                                gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
check_build_notification (Fixture *fixture)
{
  static const GDBusInterfaceVTable vtable = { notifications_method_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GPtrArray) summaries = g_ptr_array_new_with_free_func (g_free);
  GDBusConnection *connection = g_application_get_dbus_connection (G_APPLICATION (fixture->app));
  g_autoptr(GError) error = NULL;
  gboolean acquired = FALSE;
  guint registration;
  guint owner;

  registration = g_dbus_connection_register_object (connection, "/org/freedesktop/Notifications",
                                                    info->interfaces[0], &vtable, summaries,
                                                    NULL, &error);
  g_assert_no_error (error);
  owner = g_bus_own_name_on_connection (connection, "org.freedesktop.Notifications",
                                        G_BUS_NAME_OWNER_FLAGS_NONE,
                                        notifications_name_acquired_cb, NULL, &acquired, NULL);
  exitbox_app_test_iterate_until (name_acquired, &acquired);

  /* The second session's tab is selected, so the first one's failed build
   * happens out of sight and is reported as a notification.
   */
  open_project (fixture, fixture->project_dir);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.launch-agent", "s", "shell"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.launch-agent", "s", "shell"));
  exitbox_app_test_iterate_until (has_summaries, summaries);
  g_assert_cmpstr (g_ptr_array_index (summaries, 0), ==, "Session Failed to Start");

  g_bus_unown_name (owner);
  g_dbus_connection_unregister_object (connection, registration);
}

static void
test_window_build_notification (Fixture       *fixture,
                                gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);
  g_setenv ("FAKE_PODMAN_BUILD", "fail", TRUE);

  run_app (fixture, check_build_notification);
}

static gboolean
row_always_allowed (gpointer data)
{
  GtkWidget *button = exitbox_app_test_find_button (GTK_WIDGET (data), "Always Allowed");

  return button != NULL && !gtk_widget_get_sensitive (button);
}

static void
check_session_blocked_requests (Fixture *fixture)
{
  ExitboxBlockedRequest connect_request = { 0 };
  ExitboxBlockedRequest port_request = { 0 };
  g_autoptr(GDateTime) first_time = NULL;
  g_autofree char *expected_subtitle = NULL;
  g_autofree char *allowlist = NULL;
  g_autofree char *allowlist_path = dup_config_file ("allowlist.yaml");
  ExitboxSessionTab *tab;
  GtkWidget *row;
  GtkWidget *button;

  open_project (fixture, fixture->project_dir);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.launch-agent", "s", "shell"));
  tab = get_only_session (fixture);

  connect_request.time = g_get_real_time ();
  connect_request.client = (char *) "10.89.0.9";
  connect_request.method = (char *) "CONNECT";
  connect_request.host = (char *) "pypi.org";
  connect_request.port = 443;
  port_request = connect_request;
  port_request.host = (char *) "registry.example.test";
  port_request.port = 5000;

  exitbox_session_tab_add_blocked_request (tab, &connect_request);
  exitbox_session_tab_add_blocked_request (tab, &port_request);
  g_assert_cmpuint (exitbox_session_tab_get_n_blocked (tab), ==, 2);

  /* The newest comes first, and only an unusual port is part of the entry. */
  row = exitbox_session_tab_get_blocked_row (tab, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                   "registry.example.test:5000");
  row = exitbox_session_tab_get_blocked_row (tab, 1);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "pypi.org");

  /* The build failed, so no session runs that an entry could be added to. */
  button = exitbox_app_test_find_button (row, "Allow for This Session");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "The session has ended.");

  /* Always Allow adds the entry to the allowlist file. */
  button = exitbox_app_test_find_button (row, "Always Allow");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_false (gtk_widget_get_sensitive (button));

  allowlist = exitbox_test_read_file (allowlist_path);
  g_assert_nonnull (strstr (allowlist, "custom:\n  - example.com\n  - pypi.org\n"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Always Allowed");

  /* A later request to pypi.org joins its row, which stays allowed. */
  connect_request.time += 5 * G_USEC_PER_SEC;
  exitbox_session_tab_add_blocked_request (tab, &connect_request);
  g_assert_cmpuint (exitbox_session_tab_get_n_blocked (tab), ==, 3);
  g_assert_cmpuint (exitbox_session_tab_get_n_blocked_destinations (tab), ==, 2);
  g_assert_null (exitbox_session_tab_get_blocked_row (tab, 2));
  row = exitbox_session_tab_get_blocked_row (tab, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "pypi.org");
  g_assert_true (g_str_has_suffix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                                   " · CONNECT · 2 requests"));
  g_assert_null (exitbox_app_test_find_button (row, "Always Allow"));
  button = exitbox_app_test_find_button (row, "Always Allowed");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_sensitive (button));
  button = exitbox_app_test_find_button (row, "Allow for This Session");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_sensitive (button));

  /* An older request does not move the time a row shows back. */
  first_time = g_date_time_new_from_unix_local (port_request.time / G_USEC_PER_SEC);
  expected_subtitle = g_date_time_format (first_time, "%H:%M:%S · CONNECT · 2 requests");
  port_request.time -= 60 * G_USEC_PER_SEC;
  exitbox_session_tab_add_blocked_request (tab, &port_request);
  row = exitbox_session_tab_get_blocked_row (tab, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                   "registry.example.test:5000");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, expected_subtitle);
  g_assert_nonnull (exitbox_app_test_find_button (row, "Always Allow"));
  g_assert_cmpuint (exitbox_session_tab_get_n_blocked_destinations (tab), ==, 2);

  /* An entry added elsewhere (by hand here, as Preferences or the command
   * line would) marks the row once the settings reload.
   */
  g_clear_pointer (&allowlist, g_free);
  allowlist = g_strconcat (allowlist_yaml, "  - registry.example.test:5000\n", NULL);
  exitbox_test_write_file (allowlist_path, allowlist);
  exitbox_app_test_iterate_until (row_always_allowed, row);
  button = exitbox_app_test_find_button (row, "Allow for This Session");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_sensitive (button));
}

static void
test_window_session_blocked_requests (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);
  g_setenv ("FAKE_PODMAN_BUILD", "fail", TRUE);

  run_app (fixture, check_session_blocked_requests);
}

static void
check_recent_projects (Fixture *fixture)
{
  GMenuModel *menu = exitbox_window_get_recent_menu (fixture->window);
  g_autoptr(GVariant) target = NULL;
  ExitboxProject *project;

  /* The registry's project comes first; the one whose folder is gone is left out. */
  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 1);
  target = g_menu_model_get_item_attribute_value (menu, 0, G_MENU_ATTRIBUTE_TARGET,
                                                  G_VARIANT_TYPE_STRING);
  g_assert_nonnull (target);

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (fixture->window),
                                                     "win.open-recent", target));
  project = exitbox_window_get_project (fixture->window);
  g_assert_nonnull (project);
  g_assert_cmpstr (exitbox_project_get_name (project), ==, "project with spaces");
}

static void
test_window_recent_projects (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autofree char *registry = exitbox_project_registry_dup_path ();
  g_autofree char *gone_dir = g_build_filename (fixture->project_dir, "gone", NULL);
  g_autoptr(ExitboxProject) project = NULL;
  g_autoptr(ExitboxProject) gone = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;

  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  g_assert_cmpint (g_mkdir (gone_dir, 0700), ==, 0);
  gone = exitbox_project_new (gone_dir, &error);
  project = exitbox_project_new (fixture->project_dir, &error);
  g_assert_no_error (error);
  g_assert_true (exitbox_project_registry_record_use (registry, gone, "claude", now, &error));
  g_assert_true (exitbox_project_registry_record_use (registry, project, "claude", now, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_rmdir (gone_dir), ==, 0);

  run_app (fixture, check_recent_projects);
}

static void
check_project_profiles (Fixture *fixture)
{
  g_autofree char *registry = exitbox_project_registry_dup_path ();
  g_auto(GStrv) profiles = NULL;
  g_autoptr(GError) error = NULL;
  ExitboxProfilePage *page;
  GtkCheckButton *shell;

  /* Without a project there is nothing to choose profiles for. */
  g_assert_null (exitbox_window_show_project_profiles (fixture->window));

  open_project (fixture, fixture->project_dir);
  page = exitbox_window_show_project_profiles (fixture->window);
  g_assert_nonnull (page);

  /* config.yaml has no profiles key, so the project starts with base. */
  g_assert_true (gtk_check_button_get_active (exitbox_profile_page_get_check (page, "base")));
  shell = exitbox_profile_page_get_check (page, "shell");
  g_assert_false (gtk_check_button_get_active (shell));

  gtk_widget_activate (GTK_WIDGET (shell));

  profiles = exitbox_project_registry_dup_profiles (registry,
                                                    exitbox_project_get_key (exitbox_window_get_project (fixture->window)),
                                                    exitbox_config_get_profiles (exitbox_application_get_config (fixture->app)),
                                                    &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char * const *) profiles, "shell"));
  g_assert_true (g_strv_contains ((const char * const *) profiles, "base"));

  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (page))));
}

static void
test_window_project_profiles (Fixture       *fixture,
                              gconstpointer  user_data)
{
  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);
  use_fake_engine (fixture);

  run_app (fixture, check_project_profiles);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  /* Transitions would leave half-drawn frames in screenshots and make
   * visibility depend on timing.
   */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD_TEST ("/app/window/agents-listed", test_window_agents_listed);
  ADD_TEST ("/app/window/launch-needs-project", test_window_launch_needs_project);
  ADD_TEST ("/app/window/project-rejected", test_window_project_rejected);
  ADD_TEST ("/app/window/status-engine", test_window_status_engine);
  ADD_TEST ("/app/window/status-no-engine", test_window_status_no_engine);
  ADD_TEST ("/app/window/status-engine-problem", test_window_status_engine_problem);
  ADD_TEST ("/app/window/engine-problem-reload", test_window_engine_problem_reload);
  g_test_add_func ("/app/window/status-problem-rows", test_window_status_problem_rows);
  g_test_add_func ("/app/window/status-session-firewall-off", test_window_status_session_firewall_off);
  ADD_TEST ("/app/window/config-error", test_window_config_error);
  ADD_TEST ("/app/window/allowlist-missing", test_window_allowlist_missing);
  ADD_TEST ("/app/window/allowlist-invalid", test_window_allowlist_invalid);
  ADD_TEST ("/app/window/first-run-defaults", test_window_first_run_defaults);
  ADD_TEST ("/app/setup/click-through", test_window_setup_click_through);
  ADD_TEST ("/app/setup/no-engine", test_window_setup_no_engine);
  ADD_TEST ("/app/setup/rerun", test_window_setup_rerun);
  ADD_TEST ("/app/setup/broken-config", test_window_setup_broken_config);
  ADD_TEST ("/app/preferences/opens", test_window_preferences_opens);
  ADD_TEST ("/app/command-line/launch", test_window_command_line_launch);
  ADD_TEST ("/app/session/find-and-links", test_window_session_find_and_links);
  ADD_TEST ("/app/session/build-notification", test_window_build_notification);
  ADD_TEST ("/app/session/blocked-requests", test_window_session_blocked_requests);
  ADD_TEST ("/app/window/recent-projects", test_window_recent_projects);
  ADD_TEST ("/app/window/project-profiles", test_window_project_profiles);
  ADD_TEST ("/app/command-line/unknown-agent", test_window_command_line_unknown_agent);
  ADD_TEST ("/app/window/session-build-fails", test_window_session_build_fails);
  ADD_TEST ("/app/window/agent-build-fails", test_window_agent_build_fails);
  ADD_TEST ("/app/window/signal-stops-sessions", test_window_signal_stops_sessions);
  ADD_TEST ("/app/window/agent-enable-switch", test_window_agent_enable_switch);
  ADD_TEST ("/app/window/launch-rereads-allowlist", test_window_launch_rereads_allowlist);
  ADD_TEST ("/app/window/session-close-asks", test_window_session_close_asks);
  ADD_TEST ("/app/window/session-close-stops-container", test_window_session_close_stops_container);
  ADD_TEST ("/app/window/agents-view-with-sessions", test_window_agents_view_with_sessions);
  ADD_TEST ("/app/command-line/launch-broken-config", test_window_command_line_launch_broken_config);
  ADD_TEST ("/app/window/watch-reloads", test_window_watch_reloads);
  ADD_TEST ("/app/window/watch-debounces", test_window_watch_debounces);

#undef ADD_TEST

  return g_test_run ();
}
