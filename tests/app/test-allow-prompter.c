/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * The dialogs for exitbox-allow requests against a real requests folder in
 * a temporary folder: a request file written there, as a session's listener
 * writes it, opens a dialog, and a click writes the answer file that the
 * listener reads. Runs under an X server: see run-under-display.sh.
 */

#include <string.h>
#include <unistd.h>

#include <adwaita.h>

#include "exitbox-allow-prompter.h"
#include "exitbox-app-test-utils.h"
#include "exitbox-core.h"
#include "exitbox-test-utils.h"

#define REQUEST_ID "5e55101d"

typedef struct
{
  char                 *dir;
  char                 *requests_dir;
  ExitboxAllowPrompter *prompter;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *runtime = NULL;

  fixture->dir = exitbox_test_make_tmpdir ("exitbox-test-prompter-XXXXXX");
  runtime = g_build_filename (fixture->dir, "run", NULL);
  g_setenv ("EXITBOX_RUNTIME_DIR", runtime, TRUE);
  fixture->requests_dir = exitbox_allow_dup_requests_dir ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  if (fixture->prompter != NULL)
    g_assert_finalize_object (fixture->prompter);
  g_unsetenv ("EXITBOX_RUNTIME_DIR");
  exitbox_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->requests_dir);
}

static void
start_prompter (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  fixture->prompter = exitbox_allow_prompter_new (NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->prompter);
}

/* Writes a request from a session of this process, as its listener does. */
static void
save_request (Fixture *fixture)
{
  ExitboxAllowRequest request = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GError) error = NULL;

  request.id = (char *) REQUEST_ID;
  request.session = (char *) "exitbox-claude-demo-0a1b2c3d";
  request.agent = (char *) "claude";
  request.project = (char *) "/home/user/projects/demo";
  request.entry = (char *) "pypi.org";
  request.rule = (char *) "Allow pypi.org and its subdomains on ports 443 and 80";
  request.created = now;
  request.deadline = now + 100;
  request.pid = getpid ();

  g_assert_true (exitbox_allow_request_save (&request, fixture->requests_dir, &error));
  g_assert_no_error (error);
}

static gboolean
dialog_is_open (gpointer data)
{
  Fixture *fixture = data;

  return exitbox_allow_prompter_get_dialog (fixture->prompter, REQUEST_ID) != NULL;
}

static gboolean
dialog_is_closed (gpointer data)
{
  return !dialog_is_open (data);
}

static gboolean
nothing_pending (gpointer data)
{
  Fixture *fixture = data;

  return exitbox_allow_requests_get_pending (exitbox_allow_prompter_get_requests (fixture->prompter))->len == 0;
}

static char *
read_answer (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (fixture->requests_dir, REQUEST_ID ".answer", NULL);

  return exitbox_test_read_file (path);
}

static void
test_prompter_shows_request (Fixture       *fixture,
                             gconstpointer  user_data)
{
  AdwMessageDialog *dialog;
  const char *body;

  start_prompter (fixture);
  save_request (fixture);
  exitbox_app_test_iterate_until (dialog_is_open, fixture);

  dialog = exitbox_allow_prompter_get_dialog (fixture->prompter, REQUEST_ID);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Allow Network Access?");
  body = adw_message_dialog_get_body (dialog);
  exitbox_test_assert_contains (body, "Rule: Allow pypi.org and its subdomains on ports 443 and 80");
  exitbox_test_assert_contains (body, "Session: exitbox-claude-demo-0a1b2c3d");
  exitbox_test_assert_contains (body, "Agent: Claude Code");
  exitbox_test_assert_contains (body, "Project: /home/user/projects/demo");
  g_assert_true (adw_message_dialog_has_response (dialog, "deny"));
  g_assert_true (adw_message_dialog_has_response (dialog, "session"));
  g_assert_true (adw_message_dialog_has_response (dialog, "always"));
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "deny");
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "deny");
}

static void
test_prompter_click_answers (Fixture       *fixture,
                             gconstpointer  user_data)
{
  struct { const char *label; const char *answer; } cases[] = {
    { "Allow for This _Session", "session\n" },
    { "_Always Allow", "always\n" },
    { "_Deny", "deny\n" },
  };

  start_prompter (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *answer = NULL;
      GtkWidget *dialog;
      GtkWidget *button;

      save_request (fixture);
      exitbox_app_test_iterate_until (dialog_is_open, fixture);

      /* The button is pressed the way a click presses it. */
      dialog = GTK_WIDGET (exitbox_allow_prompter_get_dialog (fixture->prompter, REQUEST_ID));
      button = exitbox_app_test_find_button (dialog, cases[i].label);
      g_assert_nonnull (button);
      g_signal_emit_by_name (button, "clicked");

      answer = read_answer (fixture);
      g_assert_cmpstr (answer, ==, cases[i].answer);
      g_assert_null (exitbox_allow_prompter_get_dialog (fixture->prompter, REQUEST_ID));

      /* The session's listener removes both files once it has applied the answer. */
      exitbox_allow_request_remove (fixture->requests_dir, REQUEST_ID);
      exitbox_app_test_iterate_until (nothing_pending, fixture);
    }
}

static void
test_prompter_close_denies (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autofree char *answer = NULL;

  start_prompter (fixture);
  save_request (fixture);
  exitbox_app_test_iterate_until (dialog_is_open, fixture);

  gtk_window_close (GTK_WINDOW (exitbox_allow_prompter_get_dialog (fixture->prompter,
                                                                   REQUEST_ID)));

  answer = read_answer (fixture);
  g_assert_cmpstr (answer, ==, "deny\n");
}

static void
test_prompter_answered_elsewhere (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autofree char *answer_path = g_build_filename (fixture->requests_dir, REQUEST_ID ".answer",
                                                   NULL);

  /* A request that waited before the prompter started is shown too. */
  save_request (fixture);
  start_prompter (fixture);
  g_assert_nonnull (exitbox_allow_prompter_get_dialog (fixture->prompter, REQUEST_ID));

  /* `exitbox firewall deny` answered it and the listener removed it. */
  exitbox_allow_request_remove (fixture->requests_dir, REQUEST_ID);
  exitbox_app_test_iterate_until (dialog_is_closed, fixture);

  g_assert_false (g_file_test (answer_path, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  exitbox_core_init ();

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD_TEST ("/allow-prompter/shows-request", test_prompter_shows_request);
  ADD_TEST ("/allow-prompter/click-answers", test_prompter_click_answers);
  ADD_TEST ("/allow-prompter/close-denies", test_prompter_close_denies);
  ADD_TEST ("/allow-prompter/answered-elsewhere", test_prompter_answered_elsewhere);

#undef ADD_TEST

  return g_test_run ();
}
