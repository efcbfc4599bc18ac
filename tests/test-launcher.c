/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * The launcher's checks of a request, which end the launch before any
 * engine call: the engine program here does not exist.
 */

#include "exitbox-core.h"
#include "exitbox-test-utils.h"

typedef struct
{
  char             *tmpdir;
  ExitboxLauncher  *launcher;
  ExitboxProject   *project;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(ExitboxEngine) engine = NULL;
  g_autoptr(ExitboxConfig) config = exitbox_config_new_default ();
  g_autoptr(ExitboxAllowlist) allowlist =
    exitbox_allowlist_load_data ("custom:\n  - allowed.example.test\n", -1, "allowlist.yaml");
  g_autofree char *project_dir = NULL;
  g_autoptr(GError) error = NULL;

  exitbox_core_init ();

  fixture->tmpdir = exitbox_test_make_tmpdir ("exitbox-test-launcher-XXXXXX");
  project_dir = g_build_filename (fixture->tmpdir, "project", NULL);
  g_assert_cmpint (g_mkdir_with_parents (project_dir, 0700), ==, 0);

  engine = exitbox_engine_new (EXITBOX_ENGINE_KIND_PODMAN, "/nonexistent/podman");
  fixture->launcher = exitbox_launcher_new (engine, config, allowlist);
  fixture->project = exitbox_project_new (project_dir, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->launcher);
  g_clear_object (&fixture->project);
  g_unsetenv ("EXITBOX_NO_FIREWALL");
  exitbox_test_remove_tree (fixture->tmpdir);
  g_free (fixture->tmpdir);
}

static ExitboxLaunchPlan *
prepare (Fixture                    *fixture,
         const ExitboxLaunchRequest *request,
         GError                    **error)
{
  GAsyncResult *result = NULL;
  ExitboxLaunchPlan *plan;

  exitbox_launcher_prepare_async (fixture->launcher, request, NULL, exitbox_test_store_result,
                                  &result);
  plan = exitbox_launcher_prepare_finish (fixture->launcher, exitbox_test_wait_for_result (&result),
                                          error);
  g_object_unref (result);

  return plan;
}

static void
test_launcher_rejects_invalid_entry (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  const char *entries[] = { "good.example.test", "bad host", NULL };
  ExitboxLaunchRequest request = { 0 };
  g_autoptr(ExitboxLaunchPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  request.project = fixture->project;
  request.allow_entries = entries;
  plan = prepare (fixture, &request, &error);

  g_assert_null (plan);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  exitbox_test_assert_contains (error->message, "“bad host”");
}

static void
test_launcher_entries_need_firewall (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  const char *entries[] = { "good.example.test", NULL };
  ExitboxLaunchRequest request = { 0 };
  g_autoptr(ExitboxLaunchPlan) plan = NULL;
  g_autoptr(ExitboxLaunchPlan) env_plan = NULL;
  g_autoptr(GError) error = NULL;

  request.project = fixture->project;
  request.allow_entries = entries;
  request.no_firewall = TRUE;
  plan = prepare (fixture, &request, &error);

  g_assert_null (plan);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  exitbox_test_assert_contains (error->message, "-a/--allow-urls");
  g_clear_error (&error);

  /* EXITBOX_NO_FIREWALL turns the firewall off like the request does. */
  request.no_firewall = FALSE;
  g_setenv ("EXITBOX_NO_FIREWALL", "1", TRUE);
  env_plan = prepare (fixture, &request, &error);

  g_assert_null (env_plan);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  exitbox_test_assert_contains (error->message, "-f/--no-firewall");
}

static void
test_launcher_end_without_firewall (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  ExitboxLaunchPlan plan = { 0 };
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  /* A session without the firewall reserved nothing, so ending it needs
   * no engine.
   */
  plan.container_name = (char *) "exitbox-shell-project-00000001";
  exitbox_launcher_end_session_async (fixture->launcher, &plan, NULL, exitbox_test_store_result,
                                      &result);
  g_assert_true (exitbox_launcher_end_session_finish (fixture->launcher,
                                                      exitbox_test_wait_for_result (&result),
                                                      &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/launcher/rejects-invalid-entry", Fixture, NULL,
              fixture_set_up, test_launcher_rejects_invalid_entry, fixture_tear_down);
  g_test_add ("/launcher/entries-need-firewall", Fixture, NULL,
              fixture_set_up, test_launcher_entries_need_firewall, fixture_tear_down);
  g_test_add ("/launcher/end-without-firewall", Fixture, NULL,
              fixture_set_up, test_launcher_end_without_firewall, fixture_tear_down);

  return g_test_run ();
}
