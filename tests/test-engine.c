/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* The engine is exercised against tests/data/engine/fake-engine, linked as
 * podman, docker and flatpak-spawn into a temporary folder at the front of
 * PATH. The fake logs every argv it receives and prints canned output; its
 * inspect objects are real podman 4.3.1 output and hand-written docker
 * objects (see test-inspection.c).
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "exitbox-engine.h"
#include "exitbox-test-utils.h"

typedef struct
{
  char                  *tmpdir;
  ExitboxTestFakeEngine  fake;  /* podman, docker and flatpak-spawn */
} Fixture;

static const char * const fake_variables[] = {
  "EXITBOX_FAKE_INSPECT_ERROR", "EXITBOX_FAKE_VERSION_OUTPUT", "EXITBOX_FAKE_STDOUT",
  "EXITBOX_FAKE_STDERR", "EXITBOX_FAKE_STATUS", "EXITBOX_FAKE_ECHO_STDIN", "EXITBOX_FAKE_SLEEP",
  "EXITBOX_FAKE_RESPONSES",
};

static void
use_objects (const char *engine)
{
  g_autofree char *objects = g_test_build_filename (G_TEST_DIST, "data", "engine", "fake-objects",
                                                    engine, NULL);

  g_setenv ("EXITBOX_FAKE_OBJECTS", objects, TRUE);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  const char * const names[] = { "podman", "docker", "flatpak-spawn", NULL };
  g_autofree char *no_flatpak = NULL;

  fixture->tmpdir = exitbox_test_make_tmpdir ("exitbox-test-engine-XXXXXX");
  exitbox_test_fake_engine_set_up (&fixture->fake, fixture->tmpdir, names);
  use_objects ("podman");

  /* A path that does not exist, so the test never detects a real Flatpak. */
  no_flatpak = g_build_filename (fixture->tmpdir, "no-flatpak-info", NULL);
  g_setenv ("EXITBOX_FLATPAK_INFO", no_flatpak, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (fake_variables); i++)
    g_unsetenv (fake_variables[i]);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  exitbox_test_fake_engine_tear_down (&fixture->fake);
  g_unsetenv ("EXITBOX_FLATPAK_INFO");
  g_unsetenv ("EXITBOX_FAKE_OBJECTS");

  exitbox_test_remove_tree (fixture->tmpdir);
  g_free (fixture->tmpdir);
}

/* Returns the logged calls, each as a NULL-terminated argv whose first
 * element is the name the fake was called by.
 */
static GPtrArray *
read_calls (Fixture *fixture)
{
  g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) current = g_strv_builder_new ();

  if (!g_file_get_contents (fixture->fake.log_path, &contents, NULL, NULL))
    return g_steal_pointer (&calls);

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    {
      if (g_str_equal (lines[i], "--end--"))
        {
          g_ptr_array_add (calls, g_strv_builder_end (current));
          g_clear_pointer (&current, g_strv_builder_unref);
          current = g_strv_builder_new ();
          continue;
        }

      g_strv_builder_add (current, lines[i]);
    }

  return g_steal_pointer (&calls);
}

static void
assert_call (GPtrArray          *calls,
             guint               index,
             const char * const *expected)
{
  const char * const *actual;

  g_assert_cmpuint (index, <, calls->len);
  actual = g_ptr_array_index (calls, index);
  g_assert_cmpstrv (actual, expected);
}

static ExitboxEngine *
detect_or_fail (void)
{
  g_autoptr(GError) error = NULL;
  ExitboxEngine *engine = exitbox_engine_detect (&error);

  g_assert_no_error (error);
  g_assert_nonnull (engine);

  return engine;
}

static void
test_engine_detect_forced (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(ExitboxEngine) podman = NULL;
  g_autoptr(ExitboxEngine) docker = NULL;
  g_autofree char *podman_path = g_build_filename (fixture->fake.bin_dir, "podman", NULL);
  g_autofree char *docker_path = g_build_filename (fixture->fake.bin_dir, "docker", NULL);

  g_setenv ("CONTAINER_RUNTIME", "podman", TRUE);
  podman = detect_or_fail ();
  g_assert_cmpint (exitbox_engine_get_kind (podman), ==, EXITBOX_ENGINE_KIND_PODMAN);
  g_assert_cmpstr (exitbox_engine_get_name (podman), ==, "podman");
  g_assert_cmpstr (exitbox_engine_get_program (podman), ==, podman_path);
  g_assert_false (exitbox_engine_get_in_flatpak (podman));

  g_setenv ("CONTAINER_RUNTIME", "docker", TRUE);
  docker = detect_or_fail ();
  g_assert_cmpint (exitbox_engine_get_kind (docker), ==, EXITBOX_ENGINE_KIND_DOCKER);
  g_assert_cmpstr (exitbox_engine_get_name (docker), ==, "docker");
  g_assert_cmpstr (exitbox_engine_get_program (docker), ==, docker_path);
  g_assert_false (exitbox_engine_get_rootless (docker));

  /* Detection runs nothing outside Flatpak. */
  g_assert_false (g_file_test (fixture->fake.log_path, G_FILE_TEST_EXISTS));
}

static void
test_engine_detect_invalid_runtime (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxEngine) engine = NULL;

  g_setenv ("CONTAINER_RUNTIME", "lxc", TRUE);
  engine = exitbox_engine_detect (&error);

  g_assert_null (engine);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“lxc”"));
  g_assert_nonnull (strstr (error->message, "“podman”"));
  g_assert_nonnull (strstr (error->message, "“docker”"));
}

static void
test_engine_detect_order (Fixture       *fixture,
                          gconstpointer  user_data)
{
  const char * const docker_only[] = { "docker", NULL };
  g_autofree char *docker_dir = g_build_filename (fixture->tmpdir, "docker-only", NULL);
  g_autoptr(ExitboxEngine) first = NULL;
  g_autoptr(ExitboxEngine) fallback = NULL;

  /* An empty CONTAINER_RUNTIME counts as unset. */
  g_setenv ("CONTAINER_RUNTIME", "", TRUE);
  first = detect_or_fail ();
  g_assert_cmpint (exitbox_engine_get_kind (first), ==, EXITBOX_ENGINE_KIND_PODMAN);

  exitbox_test_make_fake_engine_dir (docker_dir, docker_only);
  g_setenv ("PATH", docker_dir, TRUE);
  fallback = detect_or_fail ();
  g_assert_cmpint (exitbox_engine_get_kind (fallback), ==, EXITBOX_ENGINE_KIND_DOCKER);
}

static void
test_engine_detect_none (Fixture       *fixture,
                         gconstpointer  user_data)
{
  const char * const podman_only[] = { "podman", NULL };
  g_autofree char *empty_dir = g_build_filename (fixture->tmpdir, "empty", NULL);
  g_autofree char *podman_dir = g_build_filename (fixture->tmpdir, "podman-only", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) forced_error = NULL;
  g_autoptr(ExitboxEngine) engine = NULL;
  g_autoptr(ExitboxEngine) forced = NULL;

  g_assert_cmpint (g_mkdir_with_parents (empty_dir, 0700), ==, 0);
  g_setenv ("PATH", empty_dir, TRUE);
  g_setenv ("CONTAINER_RUNTIME", "", TRUE);
  engine = exitbox_engine_detect (&error);
  g_assert_null (engine);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "sudo apt install podman"));
  g_assert_nonnull (strstr (error->message, "Docker"));

  exitbox_test_make_fake_engine_dir (podman_dir, podman_only);
  g_setenv ("PATH", podman_dir, TRUE);
  g_setenv ("CONTAINER_RUNTIME", "docker", TRUE);
  forced = exitbox_engine_detect (&forced_error);
  g_assert_null (forced);
  g_assert_error (forced_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (forced_error->message, "CONTAINER_RUNTIME"));
  g_assert_nonnull (strstr (forced_error->message, "sudo apt install docker.io"));
}

static void
test_engine_detect_setting (Fixture       *fixture,
                            gconstpointer  user_data)
{
  const char * const podman_only[] = { "podman", NULL };
  g_autofree char *podman_dir = g_build_filename (fixture->tmpdir, "podman-only", NULL);
  g_autoptr(ExitboxEngine) chosen = NULL;
  g_autoptr(ExitboxEngine) automatic = NULL;
  g_autoptr(ExitboxEngine) overridden = NULL;
  g_autoptr(ExitboxEngine) missing = NULL;
  g_autoptr(ExitboxEngine) invalid = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) invalid_error = NULL;

  /* settings.runtime chooses while CONTAINER_RUNTIME is unset. */
  g_setenv ("CONTAINER_RUNTIME", "", TRUE);
  chosen = exitbox_engine_detect_with_setting ("docker", &error);
  g_assert_no_error (error);
  g_assert_cmpint (exitbox_engine_get_kind (chosen), ==, EXITBOX_ENGINE_KIND_DOCKER);

  automatic = exitbox_engine_detect_with_setting ("auto", &error);
  g_assert_no_error (error);
  g_assert_cmpint (exitbox_engine_get_kind (automatic), ==, EXITBOX_ENGINE_KIND_PODMAN);

  /* The environment wins over the file. */
  g_setenv ("CONTAINER_RUNTIME", "podman", TRUE);
  overridden = exitbox_engine_detect_with_setting ("docker", &error);
  g_assert_no_error (error);
  g_assert_cmpint (exitbox_engine_get_kind (overridden), ==, EXITBOX_ENGINE_KIND_PODMAN);

  /* A chosen engine that is missing is named with the key that chose it. */
  exitbox_test_make_fake_engine_dir (podman_dir, podman_only);
  g_setenv ("PATH", podman_dir, TRUE);
  g_setenv ("CONTAINER_RUNTIME", "", TRUE);
  missing = exitbox_engine_detect_with_setting ("docker", &error);
  g_assert_null (missing);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "settings.runtime is set to “docker”"));
  g_assert_nonnull (strstr (error->message, "set settings.runtime to auto"));

  invalid = exitbox_engine_detect_with_setting ("lxc", &invalid_error);
  g_assert_null (invalid);
  g_assert_error (invalid_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (invalid_error->message, "settings.runtime is set to “lxc”"));
}

static void
test_engine_argv_unchanged (Fixture       *fixture,
                            gconstpointer  user_data)
{
  const char * const args[] = {
    "run", "--rm",
    "-v", "/home/user/My Projects/a,b:/workspace:z",
    "--label", "note=two words, one comma",
    "--env", "EMPTY=",
    "",
    "$HOME `id` 'quoted' \"double\" ; | &",
    "ünïcode",
    NULL
  };
  const char * const expected[] = {
    "podman",
    "run", "--rm",
    "-v", "/home/user/My Projects/a,b:/workspace:z",
    "--label", "note=two words, one comma",
    "--env", "EMPTY=",
    "",
    "$HOME `id` 'quoted' \"double\" ; | &",
    "ünïcode",
    NULL
  };
  g_autoptr(ExitboxEngine) engine = detect_or_fail ();
  g_autoptr(ExitboxEngineResult) result = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;

  argv = exitbox_engine_build_argv (engine, args);
  g_assert_cmpstr (argv[0], ==, exitbox_engine_get_program (engine));
  g_assert_cmpstrv ((const char * const *) argv + 1, args);

  result = exitbox_engine_run (engine, args, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->exit_status, ==, 0);

  calls = read_calls (fixture);
  g_assert_cmpuint (calls->len, ==, 1);
  assert_call (calls, 0, expected);
}

static void
test_engine_display_command (Fixture       *fixture,
                             gconstpointer  user_data)
{
  const char * const args[] = { "run", "-v", "/a b:/w:z", "--env", "X=it's", "", NULL };
  g_autoptr(ExitboxEngine) engine = exitbox_engine_new (EXITBOX_ENGINE_KIND_PODMAN, NULL);
  g_autofree char *display = exitbox_engine_dup_display_command (engine, args);

  g_assert_cmpstr (display, ==, "podman run -v '/a b:/w:z' --env 'X=it'\\''s' ''");
}

static void
test_engine_run_captures_output (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  const char * const args[] = { "ps", NULL };
  g_autoptr(ExitboxEngine) engine = detect_or_fail ();
  g_autoptr(ExitboxEngineResult) result = NULL;
  g_autoptr(ExitboxEngineResult) async_result = NULL;
  g_autoptr(GAsyncResult) pending = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("EXITBOX_FAKE_STDOUT", "line one\nline two\n", TRUE);
  g_setenv ("EXITBOX_FAKE_STDERR", "a warning\n", TRUE);
  g_setenv ("EXITBOX_FAKE_STATUS", "3", TRUE);

  result = exitbox_engine_run (engine, args, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->exit_status, ==, 3);
  g_assert_cmpstr (result->stdout_text, ==, "line one\nline two\n");
  g_assert_cmpstr (result->stderr_text, ==, "a warning\n");

  exitbox_engine_run_async (engine, args, NULL, exitbox_test_store_result, &pending);
  async_result = exitbox_engine_run_finish (engine, exitbox_test_wait_for_result (&pending),
                                            &error);
  g_assert_no_error (error);
  g_assert_cmpint (async_result->exit_status, ==, 3);
  g_assert_cmpstr (async_result->stdout_text, ==, "line one\nline two\n");
  g_assert_cmpstr (async_result->stderr_text, ==, "a warning\n");
}

static void
test_engine_run_checked_error (Fixture       *fixture,
                               gconstpointer  user_data)
{
  const char * const args[] = { "network", "create", "--label", "a b", "exitbox-int", NULL };
  g_autoptr(ExitboxEngine) engine = detect_or_fail ();
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  g_autofree char *expected_command = NULL;

  g_setenv ("EXITBOX_FAKE_STDERR", "\n  Error: network name exitbox-int already used  \n\n", TRUE);
  g_setenv ("EXITBOX_FAKE_STATUS", "125", TRUE);

  g_assert_false (exitbox_engine_run_checked (engine, args, &output, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_null (output);

  expected_command = g_strdup_printf ("“%s network create --label 'a b' exitbox-int”",
                                      exitbox_engine_get_program (engine));
  g_assert_nonnull (strstr (error->message, expected_command));
  g_assert_nonnull (strstr (error->message, "125"));
  g_assert_true (g_str_has_suffix (error->message,
                                   ": Error: network name exitbox-int already used"));
}

static void
test_engine_run_checked_success (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  const char * const args[] = { "ps", "-q", NULL };
  g_autoptr(ExitboxEngine) engine = detect_or_fail ();
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;

  g_setenv ("EXITBOX_FAKE_STDOUT", "5209081e3afd\n", TRUE);
  g_setenv ("EXITBOX_FAKE_STDERR", "a warning that does not matter\n", TRUE);

  g_assert_true (exitbox_engine_run_checked (engine, args, &output, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (output, ==, "5209081e3afd\n");
}

static void
test_engine_spawn_flags (Fixture       *fixture,
                         gconstpointer  user_data)
{
  const char * const args[] = { "exec", "-i", "exitbox-squid", "cat", NULL };
  g_autoptr(ExitboxEngine) engine = detect_or_fail ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;

  g_setenv ("EXITBOX_FAKE_ECHO_STDIN", "1", TRUE);

  process = exitbox_engine_spawn (engine, args,
                                  G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                  &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (process, "through stdin\n", NULL, &output, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (output, ==, "through stdin\n");
  g_assert_true (g_subprocess_get_successful (process));
}

static void
test_engine_run_cancelled (Fixture       *fixture,
                           gconstpointer  user_data)
{
  const char * const args[] = { "run", "--rm", "exitbox-base", "sleep", "infinity", NULL };
  g_autoptr(ExitboxEngine) engine = detect_or_fail ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) pending = NULL;
  g_autoptr(ExitboxEngineResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("EXITBOX_FAKE_SLEEP", "60", TRUE);

  exitbox_engine_run_async (engine, args, cancellable, exitbox_test_store_result, &pending);
  g_cancellable_cancel (cancellable);
  result = exitbox_engine_run_finish (engine, exitbox_test_wait_for_result (&pending), &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result);
}

static void
check_podman_inspection (ExitboxInspection *inspection)
{
  g_assert_true (exitbox_inspection_has_image (inspection, "exitbox-h2-test-img"));
  g_assert_true (exitbox_inspection_get_container_running (inspection, "exitbox-h2-test-ctr"));
  g_assert_cmpstr (exitbox_inspection_get_container_address (inspection, "exitbox-h2-test-ctr",
                                                             "exitbox-h2-test-int"), ==, "10.89.1.2");
  g_assert_true (exitbox_inspection_has_network (inspection, "exitbox-h2-test-int"));
  g_assert_true (exitbox_inspection_get_network_internal (inspection, "exitbox-h2-test-int"));
  g_assert_cmpstr (exitbox_inspection_get_network_subnet (inspection, "exitbox-h2-test-int"),
                   ==, "10.89.1.0/24");
  g_assert_false (exitbox_inspection_has_object (inspection, "exitbox-h2-test-missing"));
  g_assert_false (exitbox_inspection_has_object (inspection, "exitbox-missing:latest"));
}

static const char * const podman_names[] = {
  "localhost/exitbox-h2-test-img:latest",
  "exitbox-h2-test-int",
  "exitbox-h2-test-ctr",
  "exitbox-h2-test-missing",
  "exitbox-missing:latest",
  NULL
};

/* Two calls: the mixed inspect, then `network inspect` for the names that
 * were not found and can be network names.
 */
static void
check_podman_inspect_calls (Fixture *fixture)
{
  const char * const first_call[] = {
    "podman", "inspect", "--",
    "localhost/exitbox-h2-test-img:latest", "exitbox-h2-test-int", "exitbox-h2-test-ctr",
    "exitbox-h2-test-missing", "exitbox-missing:latest",
    NULL
  };
  const char * const second_call[] = {
    "podman", "network", "inspect", "--", "exitbox-h2-test-int", "exitbox-h2-test-missing", NULL
  };
  g_autoptr(GPtrArray) calls = read_calls (fixture);

  g_assert_cmpuint (calls->len, ==, 2);
  assert_call (calls, 0, first_call);
  assert_call (calls, 1, second_call);
}

static void
test_engine_inspect_podman (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(ExitboxEngine) engine = detect_or_fail ();
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autoptr(GError) error = NULL;

  inspection = exitbox_engine_inspect (engine, podman_names, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (inspection);

  check_podman_inspection (inspection);
  check_podman_inspect_calls (fixture);
}

static void
test_engine_inspect_podman_async (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(ExitboxEngine) engine = detect_or_fail ();
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autoptr(GAsyncResult) pending = NULL;
  g_autoptr(GError) error = NULL;

  exitbox_engine_inspect_async (engine, podman_names, NULL, exitbox_test_store_result, &pending);
  inspection = exitbox_engine_inspect_finish (engine, exitbox_test_wait_for_result (&pending),
                                              &error);
  g_assert_no_error (error);
  g_assert_nonnull (inspection);

  check_podman_inspection (inspection);
  check_podman_inspect_calls (fixture);
}

static void
test_engine_inspect_single_call (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  const char * const names[] = { "exitbox-h2-test-img:latest", "exitbox-h2-test-ctr", NULL };
  const char * const image_names[] = { "localhost/exitbox-h2-test-img:latest", "exitbox-ghost:1", NULL };
  g_autoptr(ExitboxEngine) engine = detect_or_fail ();
  g_autoptr(ExitboxInspection) found = NULL;
  g_autoptr(ExitboxInspection) images = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;

  /* The fake matches names literally, so the short image name is missing
   * there but cannot be a network name: no second call.
   */
  found = exitbox_engine_inspect (engine, names, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (exitbox_inspection_has_container (found, "exitbox-h2-test-ctr"));

  images = exitbox_engine_inspect (engine, image_names, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (exitbox_inspection_has_image (images, "exitbox-h2-test-img"));
  g_assert_false (exitbox_inspection_has_image (images, "exitbox-ghost:1"));

  calls = read_calls (fixture);
  g_assert_cmpuint (calls->len, ==, 2);
}

static void
test_engine_inspect_docker (Fixture       *fixture,
                            gconstpointer  user_data)
{
  const char * const names[] = {
    "exitbox-base:latest", "exitbox-int", "exitbox-egress", "exitbox-squid", "exitbox-missing", NULL
  };
  const char * const expected_call[] = {
    "docker", "inspect", "--",
    "exitbox-base:latest", "exitbox-int", "exitbox-egress", "exitbox-squid", "exitbox-missing",
    NULL
  };
  g_autoptr(ExitboxEngine) engine = NULL;
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("CONTAINER_RUNTIME", "docker", TRUE);
  use_objects ("docker");
  engine = detect_or_fail ();

  inspection = exitbox_engine_inspect (engine, names, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (exitbox_inspection_has_image (inspection, "exitbox-base"));
  g_assert_true (exitbox_inspection_get_network_internal (inspection, "exitbox-int"));
  g_assert_cmpstr (exitbox_inspection_get_network_gateway (inspection, "exitbox-egress"),
                   ==, "172.31.0.1");
  g_assert_cmpstr (exitbox_inspection_get_container_address (inspection, "exitbox-squid",
                                                             "exitbox-int"), ==, "172.30.0.2");
  g_assert_false (exitbox_inspection_has_object (inspection, "exitbox-missing"));

  calls = read_calls (fixture);
  g_assert_cmpuint (calls->len, ==, 1);
  assert_call (calls, 0, expected_call);
}

static void
test_engine_inspect_failure (Fixture       *fixture,
                             gconstpointer  user_data)
{
  const char * const names[] = { "exitbox-h2-test-ctr", NULL };
  g_autoptr(ExitboxEngine) engine = detect_or_fail ();
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("EXITBOX_FAKE_INSPECT_ERROR",
            "Error: cannot re-exec process to join the existing user namespace", TRUE);

  inspection = exitbox_engine_inspect (engine, names, NULL, &error);
  g_assert_null (inspection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "cannot re-exec process"));
  g_assert_nonnull (strstr (error->message, "inspect"));
}

static void
test_engine_inspect_no_names (Fixture       *fixture,
                              gconstpointer  user_data)
{
  const char * const names[] = { NULL };
  g_autoptr(ExitboxEngine) engine = detect_or_fail ();
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autoptr(GError) error = NULL;

  inspection = exitbox_engine_inspect (engine, names, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (inspection);
  g_assert_false (g_file_test (fixture->fake.log_path, G_FILE_TEST_EXISTS));
}

static void
test_engine_flatpak_prefix (Fixture       *fixture,
                            gconstpointer  user_data)
{
  const char * const args[] = { "run", "-v", "/home/me/a b:/workspace", NULL };
  const char * const probe_spawn[] = { "flatpak-spawn", "--host", "podman", "--version", NULL };
  const char * const probe_engine[] = { "podman", "--version", NULL };
  const char * const run_spawn[] = {
    "flatpak-spawn", "--host", "podman", "run", "-v", "/home/me/a b:/workspace", NULL
  };
  const char * const run_engine[] = { "podman", "run", "-v", "/home/me/a b:/workspace", NULL };
  g_autofree char *info_path = g_build_filename (fixture->tmpdir, "flatpak-info", NULL);
  g_autofree char *spawn_path = g_build_filename (fixture->fake.bin_dir, "flatpak-spawn", NULL);
  g_autoptr(ExitboxEngine) engine = NULL;
  g_autoptr(ExitboxEngineResult) result = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_auto(GStrv) argv = NULL;

  g_assert_true (g_file_set_contents (info_path, "[Application]\nname=io.github.exitbox.ExitBox\n",
                                      -1, NULL));
  g_setenv ("EXITBOX_FLATPAK_INFO", info_path, TRUE);

  engine = detect_or_fail ();
  g_assert_true (exitbox_engine_get_in_flatpak (engine));
  g_assert_cmpstr (exitbox_engine_get_program (engine), ==, "podman");

  argv = exitbox_engine_build_argv (engine, args);
  g_assert_cmpstr (argv[0], ==, spawn_path);
  g_assert_cmpstr (argv[1], ==, "--host");
  g_assert_cmpstrv ((const char * const *) argv + 2, run_engine);

  result = exitbox_engine_run (engine, args, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->exit_status, ==, 0);

  /* The version came with the detection probe: no further call. */
  version = exitbox_engine_query_version (engine, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (version, ==, "4.3.1");

  calls = read_calls (fixture);
  g_assert_cmpuint (calls->len, ==, 4);
  assert_call (calls, 0, probe_spawn);
  assert_call (calls, 1, probe_engine);
  assert_call (calls, 2, run_spawn);
  assert_call (calls, 3, run_engine);
}

static void
test_engine_flatpak_no_host_engine (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  const char * const spawn_only[] = { "flatpak-spawn", NULL };
  g_autofree char *spawn_dir = g_build_filename (fixture->tmpdir, "spawn-only", NULL);
  g_autofree char *info_path = g_build_filename (fixture->tmpdir, "flatpak-info", NULL);
  g_autoptr(ExitboxEngine) engine = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (info_path, "[Application]\n", -1, NULL));
  g_setenv ("EXITBOX_FLATPAK_INFO", info_path, TRUE);
  exitbox_test_make_fake_engine_dir (spawn_dir, spawn_only);
  g_setenv ("PATH", spawn_dir, TRUE);
  g_setenv ("CONTAINER_RUNTIME", "", TRUE);

  engine = exitbox_engine_detect (&error);
  g_assert_null (engine);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "host"));
}

static void
test_engine_version (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(ExitboxEngine) podman = detect_or_fail ();
  g_autoptr(ExitboxEngine) docker = NULL;
  g_autoptr(ExitboxEngine) odd = NULL;
  g_autoptr(GAsyncResult) pending = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *podman_version = NULL;
  g_autofree char *docker_version = NULL;
  g_autofree char *odd_version = NULL;

  exitbox_engine_query_version_async (podman, NULL, exitbox_test_store_result, &pending);
  podman_version = exitbox_engine_query_version_finish (podman,
                                                        exitbox_test_wait_for_result (&pending),
                                                        &error);
  g_assert_no_error (error);
  g_assert_cmpstr (podman_version, ==, "4.3.1");

  g_setenv ("CONTAINER_RUNTIME", "docker", TRUE);
  docker = detect_or_fail ();
  docker_version = exitbox_engine_query_version (docker, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (docker_version, ==, "20.10.24");

  g_setenv ("EXITBOX_FAKE_VERSION_OUTPUT", "podman version unknown", TRUE);
  g_setenv ("CONTAINER_RUNTIME", "podman", TRUE);
  odd = detect_or_fail ();
  odd_version = exitbox_engine_query_version (odd, NULL, &error);
  g_assert_null (odd_version);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "podman version unknown"));
}

static void
test_engine_description (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(ExitboxEngine) podman = exitbox_engine_new (EXITBOX_ENGINE_KIND_PODMAN, NULL);
  g_autoptr(ExitboxEngine) docker = exitbox_engine_new (EXITBOX_ENGINE_KIND_DOCKER, NULL);
  g_autofree char *podman_text = exitbox_engine_dup_description (podman, "4.3.1");
  g_autofree char *podman_bare = exitbox_engine_dup_description (podman, NULL);
  g_autofree char *docker_text = exitbox_engine_dup_description (docker, "20.10.24");
  g_autofree char *docker_bare = exitbox_engine_dup_description (docker, NULL);
  gboolean as_root = geteuid () == 0;

  g_assert_cmpint (exitbox_engine_get_rootless (podman), ==, !as_root);
  g_assert_cmpstr (podman_text, ==, as_root ? "podman 4.3.1 · rootful" : "podman 4.3.1 · rootless");
  g_assert_cmpstr (podman_bare, ==, as_root ? "podman · rootful" : "podman · rootless");
  g_assert_cmpstr (docker_text, ==, "docker 20.10.24");
  g_assert_cmpstr (docker_bare, ==, "docker");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD_TEST ("/engine/detect-forced", test_engine_detect_forced);
  ADD_TEST ("/engine/detect-invalid-runtime", test_engine_detect_invalid_runtime);
  ADD_TEST ("/engine/detect-order", test_engine_detect_order);
  ADD_TEST ("/engine/detect-none", test_engine_detect_none);
  ADD_TEST ("/engine/detect-setting", test_engine_detect_setting);
  ADD_TEST ("/engine/argv-unchanged", test_engine_argv_unchanged);
  ADD_TEST ("/engine/display-command", test_engine_display_command);
  ADD_TEST ("/engine/run-captures-output", test_engine_run_captures_output);
  ADD_TEST ("/engine/run-checked-error", test_engine_run_checked_error);
  ADD_TEST ("/engine/run-checked-success", test_engine_run_checked_success);
  ADD_TEST ("/engine/spawn-flags", test_engine_spawn_flags);
  ADD_TEST ("/engine/run-cancelled", test_engine_run_cancelled);
  ADD_TEST ("/engine/inspect-podman", test_engine_inspect_podman);
  ADD_TEST ("/engine/inspect-podman-async", test_engine_inspect_podman_async);
  ADD_TEST ("/engine/inspect-single-call", test_engine_inspect_single_call);
  ADD_TEST ("/engine/inspect-docker", test_engine_inspect_docker);
  ADD_TEST ("/engine/inspect-failure", test_engine_inspect_failure);
  ADD_TEST ("/engine/inspect-no-names", test_engine_inspect_no_names);
  ADD_TEST ("/engine/flatpak-prefix", test_engine_flatpak_prefix);
  ADD_TEST ("/engine/flatpak-no-host-engine", test_engine_flatpak_no_host_engine);
  ADD_TEST ("/engine/version", test_engine_version);
  ADD_TEST ("/engine/description", test_engine_description);

#undef ADD_TEST

  return g_test_run ();
}
