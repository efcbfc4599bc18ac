/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* The fixtures in tests/data/engine/ are real output of podman 4.3.1 on
 * Debian 12 with runc 1.1.5, and with crun 1.8.1 chosen in a throwaway
 * config. Each was captured while reproducing one failure: crun on hybrid
 * cgroups, default ulimits above the hard limit (runc and crun), a missing
 * catatonit, and rootless runs without /dev/net/tun access, with an
 * unusable XDG_RUNTIME_DIR or without subordinate IDs. mounts-hybrid.txt contains the cgroup lines of that host's
 * /proc/self/mounts. The cgroup v2 and pure v1 mount lines below are
 * hand-written.
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitbox-doctor-private.h"
#include "exitbox-test-utils.h"

static char *
set_value_or_fail (const char *text,
                   const char *table,
                   const char *key,
                   const char *value)
{
  g_autoptr(GError) error = NULL;
  char *result = exitbox_doctor_toml_set_value (text, table, key, value, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);

  return result;
}

/* TOML editing ------------------------------------------------------------- */

static void
test_doctor_toml_new_file (void)
{
  g_autofree char *result = set_value_or_fail ("", "engine", "runtime", "\"runc\"");

  g_assert_cmpstr (result, ==, "[engine]\nruntime = \"runc\"\n");
}

static void
test_doctor_toml_keeps_other_lines (void)
{
  const char *text =
    "# Local podman settings.\n"
    "\n"
    "[containers]\n"
    "  # Needed for the VPN.\n"
    "  dns_servers = [\"10.0.0.53\"]\n"
    "log_size_max = -1\n"
    "\n"
    "[engine]\n"
    "cgroup_manager = \"cgroupfs\"  # no systemd here\n"
    "\n"
    "# Network settings follow.\n"
    "[network]\n"
    "network_backend = \"netavark\"\n";
  const char *expected =
    "# Local podman settings.\n"
    "\n"
    "[containers]\n"
    "  # Needed for the VPN.\n"
    "  dns_servers = [\"10.0.0.53\"]\n"
    "log_size_max = -1\n"
    "\n"
    "[engine]\n"
    "cgroup_manager = \"cgroupfs\"  # no systemd here\n"
    "runtime = \"runc\"\n"
    "\n"
    "# Network settings follow.\n"
    "[network]\n"
    "network_backend = \"netavark\"\n";
  g_autofree char *result = set_value_or_fail (text, "engine", "runtime", "\"runc\"");

  g_assert_cmpstr (result, ==, expected);
}

static void
test_doctor_toml_replaces_in_place (void)
{
  const char *text =
    "[engine]\n"
    "    runtime   =   \"crun\"   # chosen by the distribution\n"
    "events_logger = \"file\"\n";
  const char *expected =
    "[engine]\n"
    "    runtime   =   \"runc\"   # chosen by the distribution\n"
    "events_logger = \"file\"\n";
  const char *quoted_key = "[engine]\n\"runtime\" = 'crun'\n";
  g_autofree char *result = set_value_or_fail (text, "engine", "runtime", "\"runc\"");
  g_autofree char *quoted_result = set_value_or_fail (quoted_key, "engine", "runtime", "\"runc\"");

  g_assert_cmpstr (result, ==, expected);
  g_assert_cmpstr (quoted_result, ==, "[engine]\n\"runtime\" = \"runc\"\n");
}

static void
test_doctor_toml_adds_table (void)
{
  const char *text = "[containers]\nlog_driver = \"k8s-file\"";
  const char *expected =
    "[containers]\nlog_driver = \"k8s-file\"\n"
    "\n"
    "[engine]\n"
    "runtime = \"runc\"\n";
  g_autofree char *result = set_value_or_fail (text, "engine", "runtime", "\"runc\"");
  g_autofree char *nested = set_value_or_fail ("[storage]\ndriver = \"overlay\"\n",
                                               "storage.options.overlay", "mount_program",
                                               "\"/usr/bin/fuse-overlayfs\"");

  g_assert_cmpstr (result, ==, expected);
  g_assert_cmpstr (nested, ==,
                   "[storage]\ndriver = \"overlay\"\n\n"
                   "[storage.options.overlay]\nmount_program = \"/usr/bin/fuse-overlayfs\"\n");
}

static void
test_doctor_toml_key_without_newline (void)
{
  g_autofree char *result = set_value_or_fail ("[engine]\nevents_logger = \"file\"", "engine",
                                               "runtime", "\"runc\"");

  g_assert_cmpstr (result, ==, "[engine]\nevents_logger = \"file\"\nruntime = \"runc\"\n");
}

static void
test_doctor_toml_multiline_values (void)
{
  const char *text =
    "[containers]\n"
    "env = [\n"
    "  \"A=1\",  # a comment with ] and \"\n"
    "  \"B=[x]\",\n"
    "]\n"
    "label = \"\"\"\n"
    "[engine]\n"
    "runtime = \"not a table\"\n"
    "\"\"\"\n"
    "note = '''\n"
    "runtime = 'crun'\n"
    "'''\n"
    "[engine]\n"
    "runtime = 'crun'\n";
  g_autofree char *expected = NULL;
  g_autofree char *result = set_value_or_fail (text, "engine", "runtime", "\"runc\"");
  g_autofree char *env_value = NULL;
  g_autoptr(GError) error = NULL;

  expected = g_strndup (text, strlen (text) - strlen ("'crun'\n"));
  g_assert_true (g_str_has_prefix (result, expected));
  g_assert_cmpstr (result + strlen (expected), ==, "\"runc\"\n");

  env_value = exitbox_doctor_toml_dup_value (text, "containers", "env", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (env_value, ==, "[\n  \"A=1\",  # a comment with ] and \"\n  \"B=[x]\",\n]");
}

static void
test_doctor_toml_array_table (void)
{
  const char *text =
    "[[engine]]\n"
    "runtime = \"crun\"\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;

  /* An array of tables is not the [engine] table: adding it would clash. */
  result = exitbox_doctor_toml_set_value (text, "engine", "runtime", "\"runc\"", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (result);
}

static void
test_doctor_toml_dotted_table (void)
{
  const char *text = "engine.cgroup_manager = \"cgroupfs\"\n";
  const char *dotted_same_key = "engine.runtime = \"crun\"\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  g_autofree char *replaced = NULL;

  result = exitbox_doctor_toml_set_value (text, "engine", "runtime", "\"runc\"", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "engine.runtime"));
  g_assert_null (result);

  /* The same key written as a dotted key is found and replaced. */
  replaced = set_value_or_fail (dotted_same_key, "engine", "runtime", "\"runc\"");
  g_assert_cmpstr (replaced, ==, "engine.runtime = \"runc\"\n");
}

static void
test_doctor_toml_invalid_rejected (void)
{
  const char * const inputs[] = {
    "[engine\nruntime = \"crun\"\n",
    "[engine]\nruntime = \"crun\n",
    "[engine]\nruntime =\n",
    "[engine]\nruntime = crun\n",
    "[engine]\nruntime = \"a\" \"b\"\n",
    "[engine]\nruntime = \"a\"\nruntime = \"b\"\n",
    "[engine]\n[engine]\n",
    "[containers]\nenv = [\"A\", \"B\"\n",
    "[containers]\nenv = [\"A\" \"B\"]\n",
    "just some text\n",
    "engine.runtime = \"crun\"\n[engine]\n",
    "[engine]\nruntime = \"\\q\"\n",
    "[engine]\nx = { a = 1, b = }\n",
    "[engine]\nx = \"\"\"never closed\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *result = NULL;

      result = exitbox_doctor_toml_set_value (inputs[i], "engine", "runtime", "\"runc\"", &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_null (result);
    }
}

static void
test_doctor_toml_valid_forms (void)
{
  const char *text =
    "title = \"ExitBox\"\r\n"
    "when = 1979-05-27 07:32:00Z\n"
    "numbers = [1, +2, -3.5, 1e6, inf, nan, 0x1F, true, false,]\n"
    "inline = { name = \"a\", nested = { deep = [ 'x' ] } }\n"
    "'literal key' = 'C:\\path'\n"
    "text = \"tab\\t and \\u00e9 and \\\"quotes\\\"\"\n"
    "block = \"\"\"\n  one \\\n  two \"\"quotes\"\"\"\"\"\n"
    "[engine]\n";
  g_autofree char *result = set_value_or_fail (text, "engine", "runtime", "\"runc\"");

  g_assert_true (g_str_has_prefix (result, text));
  g_assert_cmpstr (result + strlen (text), ==, "runtime = \"runc\"\n");
}

static void
test_doctor_toml_dup_value (void)
{
  const char *text = "[containers]\ndefault_ulimits = [\"nofile=1:1\"]  # low\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *value = exitbox_doctor_toml_dup_value (text, "containers", "default_ulimits",
                                                          &error);
  g_autofree char *absent = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "[\"nofile=1:1\"]");

  absent = exitbox_doctor_toml_dup_value (text, "engine", "runtime", &error);
  g_assert_no_error (error);
  g_assert_null (absent);
}

static void
test_doctor_merge_ulimits (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fresh = exitbox_doctor_merge_ulimits (NULL, 20000, 96368, &error);
  g_autofree char *merged = NULL;
  g_autofree char *unlimited_nproc = NULL;
  g_autofree char *invalid = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (fresh, ==, "[\"nofile=20000:20000\", \"nproc=96368:96368\"]");

  merged = exitbox_doctor_merge_ulimits ("[\n  \"memlock=-1:-1\",  # for ollama\n"
                                         "  'nofile=1048576:1048576',\n]",
                                         20000, 96368, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (merged, ==,
                   "[\"memlock=-1:-1\", \"nofile=20000:20000\", \"nproc=96368:96368\"]");

  /* An unlimited hard limit never fails, so its entry stays as it was. */
  unlimited_nproc = exitbox_doctor_merge_ulimits ("[\"nproc=4096:4096\"]", 20000, RLIM_INFINITY,
                                                  &error);
  g_assert_no_error (error);
  g_assert_cmpstr (unlimited_nproc, ==, "[\"nproc=4096:4096\", \"nofile=20000:20000\"]");

  invalid = exitbox_doctor_merge_ulimits ("[1, 2]", 20000, 96368, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (invalid);
  g_clear_error (&error);

  invalid = exitbox_doctor_merge_ulimits ("\"nofile=1:1\"", 20000, 96368, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (invalid);
}

/* Applying fixes to files -------------------------------------------------- */

typedef struct
{
  char *tmpdir;
} FileFixture;

static void
file_fixture_set_up (FileFixture   *fixture,
                     gconstpointer  user_data)
{
  fixture->tmpdir = exitbox_test_make_tmpdir ("exitbox-test-doctor-XXXXXX");
  g_unsetenv ("CONTAINERS_CONF");
  g_unsetenv ("CONTAINERS_STORAGE_CONF");
  g_setenv ("XDG_CONFIG_HOME", fixture->tmpdir, TRUE);
  g_setenv ("EXITBOX_FLATPAK_INFO", "/nonexistent/flatpak-info", TRUE);
}

static void
file_fixture_tear_down (FileFixture   *fixture,
                        gconstpointer  user_data)
{
  g_unsetenv ("CONTAINERS_CONF");
  g_unsetenv ("CONTAINERS_STORAGE_CONF");
  g_unsetenv ("XDG_CONFIG_HOME");
  g_unsetenv ("EXITBOX_FLATPAK_INFO");
  exitbox_test_remove_tree (fixture->tmpdir);
  g_free (fixture->tmpdir);
}

static ExitboxDoctorProblem *
problem_with_id (const char *id)
{
  ExitboxDoctorProblem *problem = g_new0 (ExitboxDoctorProblem, 1);

  problem->id = g_strdup (id);
  problem->summary = g_strdup ("summary");
  problem->explanation = g_strdup ("explanation");
  problem->fix = g_strdup ("the fix text");
  return problem;
}

static char *
expected_ulimits_line (void)
{
  rlim_t nofile;
  rlim_t nproc;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  exitbox_doctor_get_container_limits (&nofile, &nproc);
  value = exitbox_doctor_merge_ulimits (NULL, nofile, nproc, &error);
  g_assert_no_error (error);

  return g_strdup_printf ("default_ulimits = %s", value);
}

static void
test_doctor_container_limits (void)
{
  struct rlimit nofile_limit;
  struct rlimit nproc_limit;
  g_autofree char *pid_max_text = NULL;
  guint64 pid_max;
  rlim_t nofile;
  rlim_t nproc;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &nofile_limit), ==, 0);
  g_assert_cmpint (getrlimit (RLIMIT_NPROC, &nproc_limit), ==, 0);
  g_assert_true (g_file_get_contents ("/proc/sys/kernel/pid_max", &pid_max_text, NULL, NULL));
  g_assert_true (g_ascii_string_to_unsigned (g_strstrip (pid_max_text), 10, 1, G_MAXUINT64,
                                             &pid_max, NULL));

  exitbox_doctor_get_container_limits (&nofile, &nproc);
  g_assert_cmpuint (nofile, ==, nofile_limit.rlim_max);
  g_assert_cmpuint (nproc, ==, MIN (nproc_limit.rlim_max, (rlim_t) pid_max));
}

static void
test_doctor_apply_ulimits (FileFixture   *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *conf = g_build_filename (fixture->tmpdir, "podman conf, test.conf", NULL);
  g_autoptr(ExitboxEngine) engine = exitbox_engine_new (EXITBOX_ENGINE_KIND_PODMAN, NULL);
  g_autoptr(ExitboxDoctorProblem) problem = problem_with_id ("ulimits");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *ulimits = expected_ulimits_line ();
  struct stat info;

  exitbox_test_write_file (conf,
                           "# mine\n[containers]\nlog_size_max = 4096\n\n"
                           "[engine]\nruntime = \"runc\"\n");
  g_assert_cmpint (g_chmod (conf, 0600), ==, 0);
  g_setenv ("CONTAINERS_CONF", conf, TRUE);

  g_assert_true (exitbox_doctor_apply_fix (engine, problem, &error));
  g_assert_no_error (error);

  contents = exitbox_test_read_file (conf);
  expected = g_strdup_printf ("# mine\n[containers]\nlog_size_max = 4096\n%s\n\n"
                              "[engine]\nruntime = \"runc\"\n", ulimits);
  g_assert_cmpstr (contents, ==, expected);

  g_assert_cmpint (g_stat (conf, &info), ==, 0);
  g_assert_cmpuint (info.st_mode & 0777, ==, 0600);

  /* Applying it again changes nothing. */
  g_assert_true (exitbox_doctor_apply_fix (engine, problem, &error));
  g_assert_no_error (error);
  g_clear_pointer (&contents, g_free);
  contents = exitbox_test_read_file (conf);
  g_assert_cmpstr (contents, ==, expected);
}

static void
test_doctor_apply_follows_symlink (FileFixture   *fixture,
                                   gconstpointer  user_data)
{
  g_autofree char *target = g_build_filename (fixture->tmpdir, "dotfiles.conf", NULL);
  g_autofree char *link = g_build_filename (fixture->tmpdir, "containers.conf", NULL);
  g_autoptr(ExitboxEngine) engine = exitbox_engine_new (EXITBOX_ENGINE_KIND_PODMAN, NULL);
  g_autoptr(ExitboxDoctorProblem) problem = problem_with_id ("ulimits");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *ulimits = expected_ulimits_line ();
  g_autofree char *expected = NULL;

  exitbox_test_write_file (target, "[containers]\n");
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_setenv ("CONTAINERS_CONF", link, TRUE);

  g_assert_true (exitbox_doctor_apply_fix (engine, problem, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  contents = exitbox_test_read_file (target);
  expected = g_strdup_printf ("[containers]\n%s\n", ulimits);
  g_assert_cmpstr (contents, ==, expected);
}

static void
test_doctor_apply_runtime (FileFixture   *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *conf = g_build_filename (fixture->tmpdir, "containers", "containers.conf", NULL);
  g_autofree char *runc = g_find_program_in_path ("runc");
  g_autoptr(ExitboxEngine) engine = exitbox_engine_new (EXITBOX_ENGINE_KIND_PODMAN, NULL);
  g_autoptr(ExitboxDoctorProblem) problem = problem_with_id ("oci-runtime");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gboolean runc_installed = runc != NULL
                            || g_file_test ("/usr/sbin/runc", G_FILE_TEST_IS_EXECUTABLE)
                            || g_file_test ("/usr/bin/runc", G_FILE_TEST_IS_EXECUTABLE);

  /* Rootless, the fixture's XDG_CONFIG_HOME leads to @conf. Rootful podman
   * would get a drop-in file in /etc, so the test names the file instead.
   */
  if (geteuid () == 0)
    g_setenv ("CONTAINERS_CONF", conf, TRUE);

  if (!runc_installed)
    {
      g_assert_false (exitbox_doctor_apply_fix (engine, problem, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_assert_nonnull (strstr (error->message, "sudo apt install runc"));
      return;
    }

  g_assert_true (exitbox_doctor_apply_fix (engine, problem, &error));
  g_assert_no_error (error);

  contents = exitbox_test_read_file (conf);
  g_assert_cmpstr (contents, ==, "[engine]\nruntime = \"runc\"\n");
}

static void
test_doctor_apply_keeps_unparsable (FileFixture   *fixture,
                                    gconstpointer  user_data)
{
  const char *broken = "[engine\nruntime = \"crun\"\n# the user's notes\n";
  const char *not_utf8 = "[engine]\nruntime = \"\xff\xfe\"\n";
  g_autofree char *conf = g_build_filename (fixture->tmpdir, "containers.conf", NULL);
  g_autoptr(ExitboxEngine) engine = exitbox_engine_new (EXITBOX_ENGINE_KIND_PODMAN, NULL);
  g_autoptr(ExitboxDoctorProblem) problem = problem_with_id ("ulimits");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  exitbox_test_write_file (conf, broken);
  g_setenv ("CONTAINERS_CONF", conf, TRUE);

  g_assert_false (exitbox_doctor_apply_fix (engine, problem, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, conf));
  g_assert_nonnull (strstr (error->message, "line 1"));
  contents = exitbox_test_read_file (conf);
  g_assert_cmpstr (contents, ==, broken);

  g_clear_error (&error);
  g_clear_pointer (&contents, g_free);
  exitbox_test_write_file (conf, not_utf8);
  g_assert_false (exitbox_doctor_apply_fix (engine, problem, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  contents = exitbox_test_read_file (conf);
  g_assert_cmpstr (contents, ==, not_utf8);
}

static void
test_doctor_apply_not_fixable (FileFixture   *fixture,
                               gconstpointer  user_data)
{
  g_autofree char *conf = g_build_filename (fixture->tmpdir, "containers.conf", NULL);
  g_autoptr(ExitboxEngine) podman = exitbox_engine_new (EXITBOX_ENGINE_KIND_PODMAN, NULL);
  g_autoptr(ExitboxEngine) docker = exitbox_engine_new (EXITBOX_ENGINE_KIND_DOCKER, NULL);
  g_autoptr(ExitboxDoctorProblem) tun = problem_with_id ("tun-device");
  g_autoptr(ExitboxDoctorProblem) ulimits = problem_with_id ("ulimits");
  g_autoptr(GError) error = NULL;

  g_setenv ("CONTAINERS_CONF", conf, TRUE);

  g_assert_false (exitbox_doctor_apply_fix (podman, tun, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "the fix text"));
  g_clear_error (&error);

  g_assert_false (exitbox_doctor_apply_fix (docker, ulimits, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);

  g_assert_false (g_file_test (conf, G_FILE_TEST_EXISTS));
}

static void
test_doctor_config_paths (FileFixture   *fixture,
                          gconstpointer  user_data)
{
  g_autofree char *user_conf = g_build_filename (fixture->tmpdir, "containers", "containers.conf",
                                                 NULL);
  g_autofree char *user_storage = g_build_filename (fixture->tmpdir, "containers", "storage.conf",
                                                    NULL);
  g_autofree char *host_conf = g_build_filename (g_get_home_dir (), ".config", "containers",
                                                 "containers.conf", NULL);
  const ExitboxEngineKind podman = EXITBOX_ENGINE_KIND_PODMAN;
  g_autofree char *path = NULL;

#define CHECK_PATH(call, expected) \
  G_STMT_START { \
    g_clear_pointer (&path, g_free); \
    path = (call); \
    g_assert_cmpstr (path, ==, (expected)); \
  } G_STMT_END

  CHECK_PATH (exitbox_doctor_dup_containers_conf_path (podman, TRUE, FALSE), user_conf);
  CHECK_PATH (exitbox_doctor_dup_containers_conf_path (podman, FALSE, FALSE),
              "/etc/containers/containers.conf.d/90-exitbox.conf");
  CHECK_PATH (exitbox_doctor_dup_containers_conf_path (podman, FALSE, TRUE), NULL);
  CHECK_PATH (exitbox_doctor_dup_containers_conf_path (podman, TRUE, TRUE), host_conf);
  CHECK_PATH (exitbox_doctor_dup_containers_conf_path (EXITBOX_ENGINE_KIND_DOCKER, TRUE, FALSE),
              NULL);
  CHECK_PATH (exitbox_doctor_dup_storage_conf_path (podman, TRUE, FALSE), user_storage);
  CHECK_PATH (exitbox_doctor_dup_storage_conf_path (podman, FALSE, FALSE), NULL);

  g_setenv ("CONTAINERS_CONF", "/srv/test/containers.conf", TRUE);
  g_setenv ("CONTAINERS_STORAGE_CONF", "/srv/test/storage.conf", TRUE);
  CHECK_PATH (exitbox_doctor_dup_containers_conf_path (podman, TRUE, FALSE),
              "/srv/test/containers.conf");
  CHECK_PATH (exitbox_doctor_dup_containers_conf_path (podman, FALSE, FALSE),
              "/srv/test/containers.conf");
  CHECK_PATH (exitbox_doctor_dup_storage_conf_path (podman, FALSE, FALSE),
              "/srv/test/storage.conf");
  /* The sandbox's variables do not reach podman on the host. */
  CHECK_PATH (exitbox_doctor_dup_containers_conf_path (podman, TRUE, TRUE), host_conf);

#undef CHECK_PATH
}

/* Detection ------------------------------------------------------------------ */

static void
test_doctor_classify_captured (void)
{
  const struct
  {
    const char *fixture;
    const char *id;
  } cases[] = {
    { "podman-run-crun-hybrid.stderr", "oci-runtime" },
    { "podman-run-ulimits-runc.stderr", "ulimits" },
    { "podman-run-ulimits-crun.stderr", "ulimits" },
    { "podman-run-init-missing.stderr", "init-helper" },
    { "podman-run-rootless-tun.stderr", "tun-device" },
    { "podman-run-rundir-missing.stderr", "runtime-dir" },
    { "podman-run-rundir-not-owned.stderr", "runtime-dir" },
    { "podman-info-rundir-not-owned.stderr", "runtime-dir" },
    { "podman-run-no-subids.stderr", "sub-ids" },
    { "podman-info-rootless-no-subids.stderr", "sub-ids" },
    { "podman-info-pause-process.stderr", "pause-process" },
    { "podman-inspect-missing.stderr", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *stderr_text = exitbox_test_load_engine_fixture (cases[i].fixture);

      g_test_message ("%s", cases[i].fixture);
      g_assert_cmpstr (exitbox_doctor_classify_failure (stderr_text), ==, cases[i].id);
    }

  g_assert_null (exitbox_doctor_classify_failure ("Error: localhost/nope:latest: image not known"));
  g_assert_null (exitbox_doctor_classify_failure (""));
  g_assert_null (exitbox_doctor_classify_failure (NULL));
  g_assert_cmpstr (exitbox_doctor_classify_failure (
                     "docker: Error response from daemon: exec: \"docker-init\": executable file "
                     "not found in $PATH."), ==, "init-helper");
}

static void
read_info_fixture (ExitboxDoctorFacts *facts,
                   const char         *name)
{
  g_autofree char *json = exitbox_test_load_engine_fixture (name);
  g_autoptr(GError) error = NULL;

  g_assert_true (exitbox_doctor_facts_read_info (facts, json, &error));
  g_assert_no_error (error);
}

static void
facts_init_for_test (ExitboxDoctorFacts *facts,
                     ExitboxEngineKind   kind,
                     gboolean            rootless)
{
  memset (facts, 0, sizeof *facts);
  facts->kind = kind;
  facts->rootless = rootless;
  facts->uid_map_ranges = -1;
  facts->nofile_hard_limit = 20000;
  facts->nproc_hard_limit = 96368;
  facts->runc_available = TRUE;
}

static void
test_doctor_read_info (void)
{
  ExitboxDoctorFacts rootful;
  ExitboxDoctorFacts crun;
  ExitboxDoctorFacts rootless;
  ExitboxDoctorFacts no_subids;
  ExitboxDoctorFacts broken;
  g_autoptr(GError) error = NULL;

  facts_init_for_test (&rootful, EXITBOX_ENGINE_KIND_PODMAN, FALSE);
  read_info_fixture (&rootful, "podman-info-rootful.json");
  g_assert_cmpstr (rootful.oci_runtime, ==, "runc");
  g_assert_cmpstr (rootful.graph_driver, ==, "overlay");
  g_assert_cmpstr (rootful.cgroup_version, ==, "v1");
  g_assert_cmpint (rootful.uid_map_ranges, ==, -1);

  facts_init_for_test (&crun, EXITBOX_ENGINE_KIND_PODMAN, FALSE);
  read_info_fixture (&crun, "podman-info-rootful-crun.json");
  g_assert_cmpstr (crun.oci_runtime, ==, "crun");

  facts_init_for_test (&rootless, EXITBOX_ENGINE_KIND_PODMAN, TRUE);
  read_info_fixture (&rootless, "podman-info-rootless-vfs.json");
  g_assert_cmpstr (rootless.graph_driver, ==, "vfs");
  g_assert_cmpint (rootless.uid_map_ranges, ==, 2);

  facts_init_for_test (&no_subids, EXITBOX_ENGINE_KIND_PODMAN, TRUE);
  read_info_fixture (&no_subids, "podman-info-rootless-no-subids.json");
  g_assert_cmpint (no_subids.uid_map_ranges, ==, 1);

  facts_init_for_test (&broken, EXITBOX_ENGINE_KIND_PODMAN, FALSE);
  g_assert_false (exitbox_doctor_facts_read_info (&broken, "{\"host\": ", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (exitbox_doctor_facts_read_info (&broken, "[1]", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  /* Members of the wrong type read as unknown. */
  g_assert_true (exitbox_doctor_facts_read_info (&broken, "{\"host\": {\"ociRuntime\": \"runc\", "
                                                 "\"idMappings\": {\"uidmap\": 3}}, \"store\": 5}",
                                                 &error));
  g_assert_no_error (error);
  g_assert_null (broken.oci_runtime);
  g_assert_null (broken.graph_driver);
  g_assert_cmpint (broken.uid_map_ranges, ==, -1);

  exitbox_doctor_facts_clear (&rootful);
  exitbox_doctor_facts_clear (&crun);
  exitbox_doctor_facts_clear (&rootless);
  exitbox_doctor_facts_clear (&no_subids);
  exitbox_doctor_facts_clear (&broken);
}

static void
assert_problem_ids (GPtrArray          *problems,
                    const char * const *expected)
{
  for (guint i = 0; i < problems->len; i++)
    {
      ExitboxDoctorProblem *problem = g_ptr_array_index (problems, i);

      g_assert_nonnull (expected[i]);
      g_assert_cmpstr (problem->id, ==, expected[i]);
      g_assert_nonnull (problem->summary);
      g_assert_nonnull (problem->explanation);
      g_assert_nonnull (problem->fix);
    }

  g_assert_null (expected[problems->len]);
}

static void
test_doctor_problems_crun (void)
{
  const char * const expected[] = { "oci-runtime", NULL };
  g_autofree char *mounts = exitbox_test_load_engine_fixture ("mounts-hybrid.txt");
  ExitboxDoctorFacts facts;
  g_autoptr(GPtrArray) problems = NULL;
  ExitboxDoctorProblem *problem;

  facts_init_for_test (&facts, EXITBOX_ENGINE_KIND_PODMAN, FALSE);
  read_info_fixture (&facts, "podman-info-rootful-crun.json");
  facts.cgroup_blocks_crun = exitbox_doctor_cgroup_blocks_crun (mounts, "hugetlb\n");
  facts.containers_conf_path = g_strdup ("/etc/containers/containers.conf.d/90-exitbox.conf");

  problems = exitbox_doctor_problems_from_facts (&facts);
  assert_problem_ids (problems, expected);
  problem = g_ptr_array_index (problems, 0);
  g_assert_true (problem->fixable);
  g_assert_nonnull (strstr (problem->fix, "runtime = \"runc\""));
  g_assert_nonnull (strstr (problem->fix, facts.containers_conf_path));

  /* Without runc the fix is to install it first. */
  facts.runc_available = FALSE;
  g_clear_pointer (&problems, g_ptr_array_unref);
  problems = exitbox_doctor_problems_from_facts (&facts);
  problem = g_ptr_array_index (problems, 0);
  g_assert_false (problem->fixable);
  g_assert_nonnull (strstr (problem->fix, "sudo apt install runc"));

  exitbox_doctor_facts_clear (&facts);
}

static void
test_doctor_problems_crun_from_run (void)
{
  const char * const expected[] = { "oci-runtime", NULL };
  ExitboxDoctorFacts facts;
  g_autoptr(GPtrArray) problems = NULL;

  /* crun chosen elsewhere (no info), seen only through the test container. */
  facts_init_for_test (&facts, EXITBOX_ENGINE_KIND_PODMAN, FALSE);
  facts.run_command = g_strdup ("podman run --rm --init --network none --pull=never img true");
  facts.run_failure = exitbox_test_load_engine_fixture ("podman-run-crun-hybrid.stderr");

  problems = exitbox_doctor_problems_from_facts (&facts);
  assert_problem_ids (problems, expected);

  exitbox_doctor_facts_clear (&facts);
}

static void
test_doctor_problems_working_host (void)
{
  const char * const expected[] = { NULL };
  g_autofree char *mounts = exitbox_test_load_engine_fixture ("mounts-hybrid.txt");
  ExitboxDoctorFacts facts;
  g_autoptr(GPtrArray) problems = NULL;

  /* Same hybrid host, but podman uses runc: nothing to report. */
  facts_init_for_test (&facts, EXITBOX_ENGINE_KIND_PODMAN, FALSE);
  read_info_fixture (&facts, "podman-info-rootful.json");
  facts.cgroup_blocks_crun = exitbox_doctor_cgroup_blocks_crun (mounts, "hugetlb\n");

  problems = exitbox_doctor_problems_from_facts (&facts);
  assert_problem_ids (problems, expected);

  exitbox_doctor_facts_clear (&facts);
}

static void
test_doctor_problems_ulimits (void)
{
  const char * const expected[] = { "ulimits", NULL };
  ExitboxDoctorFacts facts;
  g_autoptr(GPtrArray) problems = NULL;
  ExitboxDoctorProblem *problem;

  facts_init_for_test (&facts, EXITBOX_ENGINE_KIND_PODMAN, FALSE);
  read_info_fixture (&facts, "podman-info-rootful.json");
  facts.containers_conf_path = g_strdup ("/tmp/exitbox test/containers.conf");
  facts.run_command = g_strdup ("podman run --rm --init --network none --pull=never img true");
  facts.run_failure = exitbox_test_load_engine_fixture ("podman-run-ulimits-runc.stderr");

  problems = exitbox_doctor_problems_from_facts (&facts);
  assert_problem_ids (problems, expected);
  problem = g_ptr_array_index (problems, 0);
  g_assert_true (problem->fixable);
  g_assert_nonnull (strstr (problem->explanation, "20000"));
  g_assert_nonnull (strstr (problem->explanation, "96368"));
  g_assert_nonnull (strstr (problem->fix, "[\"nofile=20000:20000\", \"nproc=96368:96368\"]"));
  g_assert_nonnull (strstr (problem->fix, "/tmp/exitbox test/containers.conf"));

  exitbox_doctor_facts_clear (&facts);
}

static void
test_doctor_problems_rootless (void)
{
  const char * const expected[] = {
    "tun-device", "runtime-dir", "storage-driver", "cgroup-limits", NULL
  };
  ExitboxDoctorFacts facts;
  g_autoptr(GPtrArray) problems = NULL;
  ExitboxDoctorProblem *problem;

  facts_init_for_test (&facts, EXITBOX_ENGINE_KIND_PODMAN, TRUE);
  read_info_fixture (&facts, "podman-info-rootless-vfs.json");
  facts.tun_state = EXITBOX_DOCTOR_TUN_NO_ACCESS;
  facts.runtime_dir_state = EXITBOX_DOCTOR_RUNTIME_DIR_WRONG_OWNER;
  facts.runtime_dir = g_strdup ("/run/user/1001");
  facts.storage_conf_path = g_strdup ("/home/someone/.config/containers/storage.conf");

  problems = exitbox_doctor_problems_from_facts (&facts);
  assert_problem_ids (problems, expected);

  problem = g_ptr_array_index (problems, 0);
  g_assert_false (problem->fixable);
  g_assert_nonnull (strstr (problem->fix, "sudo chmod 0666 /dev/net/tun"));

  problem = g_ptr_array_index (problems, 1);
  g_assert_false (problem->fixable);
  g_assert_nonnull (strstr (problem->fix, "sudo install -d -m 0700 -o "));
  g_assert_nonnull (strstr (problem->fix, "/run/user/1001"));

  problem = g_ptr_array_index (problems, 2);
  g_assert_true (problem->fixable);
  g_assert_nonnull (strstr (problem->fix, "driver = \"overlay\""));
  g_assert_nonnull (strstr (problem->fix, "podman system reset"));

  exitbox_doctor_facts_clear (&facts);
}

static void
test_doctor_problems_rootless_runs (void)
{
  const char * const expected_tun[] = { "tun-device", "storage-driver", "cgroup-limits", NULL };
  const char * const expected_ids[] = { "sub-ids", "storage-driver", "cgroup-limits", NULL };
  ExitboxDoctorFacts tun;
  ExitboxDoctorFacts ids;
  g_autoptr(GPtrArray) tun_problems = NULL;
  g_autoptr(GPtrArray) id_problems = NULL;

  facts_init_for_test (&tun, EXITBOX_ENGINE_KIND_PODMAN, TRUE);
  read_info_fixture (&tun, "podman-info-rootless-vfs.json");
  tun.run_command = g_strdup ("podman run --rm --init img true");
  tun.run_failure = exitbox_test_load_engine_fixture ("podman-run-rootless-tun.stderr");
  tun_problems = exitbox_doctor_problems_from_facts (&tun);
  assert_problem_ids (tun_problems, expected_tun);

  facts_init_for_test (&ids, EXITBOX_ENGINE_KIND_PODMAN, TRUE);
  read_info_fixture (&ids, "podman-info-rootless-no-subids.json");
  id_problems = exitbox_doctor_problems_from_facts (&ids);
  assert_problem_ids (id_problems, expected_ids);

  exitbox_doctor_facts_clear (&tun);
  exitbox_doctor_facts_clear (&ids);
}

static void
test_doctor_problems_unknown_failure (void)
{
  const char * const expected[] = { "engine-failure", "engine-failure", NULL };
  ExitboxDoctorFacts facts;
  g_autoptr(GPtrArray) problems = NULL;
  ExitboxDoctorProblem *problem;

  facts_init_for_test (&facts, EXITBOX_ENGINE_KIND_PODMAN, FALSE);
  facts.info_command = g_strdup ("podman info --format json");
  facts.info_failure = g_strdup ("Error: database is locked");
  facts.run_command = g_strdup ("podman run --rm --init --network none --pull=never nope true");
  facts.run_failure = g_strdup ("Error: localhost/nope:latest: image not known");

  problems = exitbox_doctor_problems_from_facts (&facts);
  assert_problem_ids (problems, expected);
  problem = g_ptr_array_index (problems, 1);
  g_assert_false (problem->fixable);
  g_assert_nonnull (strstr (problem->explanation, facts.run_command));
  g_assert_nonnull (strstr (problem->explanation, "image not known"));

  exitbox_doctor_facts_clear (&facts);
}

static void
test_doctor_problems_docker (void)
{
  const char * const expected_ulimits[] = { "ulimits", NULL };
  const char * const expected_init[] = { "init-helper", NULL };
  ExitboxDoctorFacts ulimits;
  ExitboxDoctorFacts init;
  g_autoptr(GPtrArray) ulimit_problems = NULL;
  g_autoptr(GPtrArray) init_problems = NULL;
  ExitboxDoctorProblem *problem;

  /* runc prints the same rlimit error under docker. */
  facts_init_for_test (&ulimits, EXITBOX_ENGINE_KIND_DOCKER, FALSE);
  ulimits.run_command = g_strdup ("docker run --rm --init --network none --pull=never img true");
  ulimits.run_failure = exitbox_test_load_engine_fixture ("podman-run-ulimits-runc.stderr");
  ulimit_problems = exitbox_doctor_problems_from_facts (&ulimits);
  assert_problem_ids (ulimit_problems, expected_ulimits);
  problem = g_ptr_array_index (ulimit_problems, 0);
  g_assert_false (problem->fixable);
  g_assert_nonnull (strstr (problem->fix, "/etc/docker/daemon.json"));

  facts_init_for_test (&init, EXITBOX_ENGINE_KIND_DOCKER, FALSE);
  init.run_command = g_strdup ("docker run --rm --init --network none --pull=never img true");
  init.run_failure = g_strdup ("docker: Error response from daemon: exec: \"docker-init\": "
                               "executable file not found in $PATH.");
  init_problems = exitbox_doctor_problems_from_facts (&init);
  assert_problem_ids (init_problems, expected_init);
  problem = g_ptr_array_index (init_problems, 0);
  g_assert_false (problem->fixable);
  g_assert_nonnull (strstr (problem->fix, "docker.io"));

  exitbox_doctor_facts_clear (&ulimits);
  exitbox_doctor_facts_clear (&init);
}

static void
test_doctor_cgroup_modes (void)
{
  g_autofree char *hybrid = exitbox_test_load_engine_fixture ("mounts-hybrid.txt");
  const char *unified = "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n";
  const char *legacy =
    "tmpfs /sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec,mode=755 0 0\n"
    "cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0\n";

  g_assert_true (exitbox_doctor_cgroup_blocks_crun (hybrid, "hugetlb\n"));
  g_assert_false (exitbox_doctor_cgroup_blocks_crun (hybrid, ""));
  g_assert_false (exitbox_doctor_cgroup_blocks_crun (hybrid, NULL));
  g_assert_false (exitbox_doctor_cgroup_blocks_crun (unified, "cpu memory pids\n"));
  g_assert_false (exitbox_doctor_cgroup_blocks_crun (legacy, "hugetlb\n"));
  g_assert_false (exitbox_doctor_cgroup_blocks_crun (NULL, "hugetlb\n"));
}

static void
test_doctor_runtime_dir_states (void)
{
  g_autofree char *dir = exitbox_test_make_tmpdir ("exitbox-test-doctor-XXXXXX");
  g_autofree char *file = g_build_filename (dir, "file", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  guint mode = 0;

  g_assert_cmpint (g_chmod (dir, 0700), ==, 0);
  g_assert_cmpint (exitbox_doctor_check_runtime_dir (dir, getuid (), &mode), ==,
                   EXITBOX_DOCTOR_RUNTIME_DIR_OK);
  g_assert_cmpuint (mode, ==, 0700);

  g_assert_cmpint (exitbox_doctor_check_runtime_dir (dir, getuid () + 1, NULL), ==,
                   EXITBOX_DOCTOR_RUNTIME_DIR_WRONG_OWNER);

  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_cmpint (exitbox_doctor_check_runtime_dir (dir, getuid (), &mode), ==,
                   EXITBOX_DOCTOR_RUNTIME_DIR_WRONG_MODE);
  g_assert_cmpuint (mode, ==, 0755);

  exitbox_test_write_file (file, "");
  g_assert_cmpint (exitbox_doctor_check_runtime_dir (file, getuid (), NULL), ==,
                   EXITBOX_DOCTOR_RUNTIME_DIR_NOT_DIRECTORY);
  g_assert_cmpint (exitbox_doctor_check_runtime_dir (missing, getuid (), NULL), ==,
                   EXITBOX_DOCTOR_RUNTIME_DIR_MISSING);
  g_assert_cmpint (exitbox_doctor_check_runtime_dir (NULL, getuid (), NULL), ==,
                   EXITBOX_DOCTOR_RUNTIME_DIR_UNSET);
  g_assert_cmpint (exitbox_doctor_check_runtime_dir ("", getuid (), NULL), ==,
                   EXITBOX_DOCTOR_RUNTIME_DIR_UNSET);

  exitbox_test_remove_tree (dir);
}

static void
test_doctor_tun_states (void)
{
  g_autofree char *dir = exitbox_test_make_tmpdir ("exitbox-test-doctor-XXXXXX");
  g_autofree char *device = g_build_filename (dir, "tun", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);

  exitbox_test_write_file (device, "");
  g_assert_cmpint (g_chmod (device, 0600), ==, 0);
  g_assert_cmpint (exitbox_doctor_check_tun_device (device), ==, EXITBOX_DOCTOR_TUN_OK);
  g_assert_cmpint (exitbox_doctor_check_tun_device (missing), ==, EXITBOX_DOCTOR_TUN_MISSING);

  exitbox_test_remove_tree (dir);
}

static void
test_doctor_tun_no_access (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *device = NULL;

  /* access(2) grants root everything, so the denied case needs another user. */
  if (geteuid () == 0)
    {
      g_test_skip ("root can open any file, so access cannot be denied");
      return;
    }

  dir = exitbox_test_make_tmpdir ("exitbox-test-doctor-XXXXXX");
  device = g_build_filename (dir, "tun", NULL);
  exitbox_test_write_file (device, "");
  g_assert_cmpint (g_chmod (device, 0400), ==, 0);
  g_assert_cmpint (exitbox_doctor_check_tun_device (device), ==, EXITBOX_DOCTOR_TUN_NO_ACCESS);

  exitbox_test_remove_tree (dir);
}

/* The check through the fake engine ---------------------------------------- */

typedef struct
{
  char                  *tmpdir;
  char                  *responses;
  ExitboxTestFakeEngine  fake;
} EngineFixture;

static void
engine_fixture_set_up (EngineFixture *fixture,
                       gconstpointer  user_data)
{
  const char * const names[] = { "podman", "docker", NULL };

  fixture->tmpdir = exitbox_test_make_tmpdir ("exitbox-test-doctor-XXXXXX");
  exitbox_test_fake_engine_set_up (&fixture->fake, fixture->tmpdir, names);

  fixture->responses = g_build_filename (fixture->tmpdir, "responses", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->responses, 0700), ==, 0);
  g_setenv ("EXITBOX_FAKE_RESPONSES", fixture->responses, TRUE);
  g_setenv ("EXITBOX_FLATPAK_INFO", "/nonexistent/flatpak-info", TRUE);
}

static void
engine_fixture_tear_down (EngineFixture *fixture,
                          gconstpointer  user_data)
{
  exitbox_test_fake_engine_tear_down (&fixture->fake);
  g_unsetenv ("EXITBOX_FAKE_RESPONSES");
  g_unsetenv ("EXITBOX_FLATPAK_INFO");
  exitbox_test_remove_tree (fixture->tmpdir);
  g_free (fixture->tmpdir);
  g_free (fixture->responses);
}

static void
add_response (EngineFixture *fixture,
              const char    *file,
              const char    *contents)
{
  g_autofree char *path = g_build_filename (fixture->responses, file, NULL);

  exitbox_test_write_file (path, contents);
}

static gboolean
has_problem (GPtrArray  *problems,
             const char *id)
{
  for (guint i = 0; i < problems->len; i++)
    {
      ExitboxDoctorProblem *problem = g_ptr_array_index (problems, i);

      if (g_str_equal (problem->id, id))
        return TRUE;
    }

  return FALSE;
}

static void
prepare_ulimit_failure (EngineFixture *fixture)
{
  g_autofree char *info = exitbox_test_load_engine_fixture ("podman-info-rootful.json");
  g_autofree char *failure = exitbox_test_load_engine_fixture ("podman-run-ulimits-runc.stderr");

  add_response (fixture, "info.stdout", info);
  add_response (fixture, "run.stderr", failure);
  add_response (fixture, "run.status", "126\n");
}

static void
check_ulimit_failure_calls (EngineFixture *fixture)
{
  g_autofree char *log = exitbox_test_read_file (fixture->fake.log_path);

  g_assert_nonnull (strstr (log, "podman\ninfo\n--format\njson\n--end--\n"));
  g_assert_nonnull (strstr (log, "podman\nrun\n--rm\n--init\n--network\nnone\n--pull=never\n"
                                 "localhost/exitbox test:latest\ntrue\n--end--\n"));
}

static void
test_doctor_check_fake_engine (EngineFixture *fixture,
                               gconstpointer  user_data)
{
  g_autoptr(ExitboxEngine) engine = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;

  prepare_ulimit_failure (fixture);
  engine = exitbox_engine_detect (&error);
  g_assert_no_error (error);

  problems = exitbox_doctor_check (engine, "localhost/exitbox test:latest", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (problems);

  g_assert_true (has_problem (problems, "ulimits"));
  g_assert_false (has_problem (problems, "engine-failure"));
  g_assert_false (has_problem (problems, "oci-runtime"));
  check_ulimit_failure_calls (fixture);
}

static void
test_doctor_check_fake_engine_async (EngineFixture *fixture,
                                     gconstpointer  user_data)
{
  g_autoptr(ExitboxEngine) engine = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GAsyncResult) pending = NULL;
  g_autoptr(GError) error = NULL;

  prepare_ulimit_failure (fixture);
  engine = exitbox_engine_detect (&error);
  g_assert_no_error (error);

  exitbox_doctor_check_async (engine, "localhost/exitbox test:latest", NULL,
                              exitbox_test_store_result, &pending);
  problems = exitbox_doctor_check_finish (engine, exitbox_test_wait_for_result (&pending), &error);
  g_assert_no_error (error);
  g_assert_nonnull (problems);

  g_assert_true (has_problem (problems, "ulimits"));
  g_assert_false (has_problem (problems, "engine-failure"));
  check_ulimit_failure_calls (fixture);
}

static void
test_doctor_check_info_failure (EngineFixture *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(ExitboxEngine) engine = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  add_response (fixture, "info.stderr", "Error: could not open the database: disk full\n");
  add_response (fixture, "info.status", "125\n");
  engine = exitbox_engine_detect (&error);
  g_assert_no_error (error);

  /* No test image: only `podman info` runs. */
  problems = exitbox_doctor_check (engine, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (has_problem (problems, "engine-failure"));

  log = exitbox_test_read_file (fixture->fake.log_path);
  g_assert_cmpstr (log, ==, "podman\ninfo\n--format\njson\n--end--\n");
}

/* The pause process fix runs `podman system migrate`, and a failing migrate
 * is an error that carries podman's words.
 */
static void
test_doctor_fix_pause_process (EngineFixture *fixture,
                               gconstpointer  user_data)
{
  g_autoptr(ExitboxEngine) engine = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *failure = exitbox_test_load_engine_fixture ("podman-info-pause-process.stderr");
  g_autofree char *log = NULL;
  ExitboxDoctorProblem *problem = NULL;

  add_response (fixture, "info.stderr", failure);
  add_response (fixture, "info.status", "125\n");
  engine = exitbox_engine_detect (&error);
  g_assert_no_error (error);

  problems = exitbox_doctor_check (engine, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (has_problem (problems, "engine-failure"));
  for (guint i = 0; i < problems->len; i++)
    if (g_str_equal (((ExitboxDoctorProblem *) g_ptr_array_index (problems, i))->id,
                     "pause-process"))
      problem = g_ptr_array_index (problems, i);
  g_assert_nonnull (problem);
  g_assert_true (problem->fixable);
  g_assert_nonnull (strstr (problem->fix, "podman system migrate"));

  g_assert_true (exitbox_doctor_apply_fix (engine, problem, &error));
  g_assert_no_error (error);
  log = exitbox_test_read_file (fixture->fake.log_path);
  g_assert_nonnull (strstr (log, "podman\nsystem\nmigrate\n--end--\n"));

  add_response (fixture, "system.stderr", "Error: database is locked\n");
  add_response (fixture, "system.status", "125\n");
  g_assert_false (exitbox_doctor_apply_fix (engine, problem, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "database is locked"));
}

/* Switching to overlay writes storage.conf and resets the storage, but only
 * while podman stores nothing that the reset would delete.
 */
static void
test_doctor_apply_storage (EngineFixture *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *conf = g_build_filename (fixture->tmpdir, "new folder", "storage.conf", NULL);
  g_autoptr(ExitboxEngine) engine = NULL;
  g_autoptr(ExitboxDoctorProblem) problem = problem_with_id ("storage-driver");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *log = NULL;
  struct stat info;
  mode_t mask = umask (0);

  umask (mask);
  g_setenv ("CONTAINERS_STORAGE_CONF", conf, TRUE);
  add_response (fixture, "network.stdout", "podman\n");
  engine = exitbox_engine_detect (&error);
  g_assert_no_error (error);

  g_assert_true (exitbox_doctor_apply_fix (engine, problem, &error));
  g_assert_no_error (error);

  contents = exitbox_test_read_file (conf);
  g_assert_cmpstr (contents, ==, "[storage]\ndriver = \"overlay\"\n");
  g_assert_cmpint (g_stat (conf, &info), ==, 0);
  g_assert_cmpuint (info.st_mode & 0777, ==, 0644 & ~mask);
  log = exitbox_test_read_file (fixture->fake.log_path);
  g_assert_nonnull (strstr (log, "podman\nsystem\nreset\n--force\n--end--\n"));
  g_unsetenv ("CONTAINERS_STORAGE_CONF");
}

static void
test_doctor_apply_storage_not_empty (EngineFixture *fixture,
                                     gconstpointer  user_data)
{
  g_autofree char *conf = g_build_filename (fixture->tmpdir, "storage.conf", NULL);
  g_autoptr(ExitboxEngine) engine = NULL;
  g_autoptr(ExitboxDoctorProblem) problem = problem_with_id ("storage-driver");
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  g_setenv ("CONTAINERS_STORAGE_CONF", conf, TRUE);
  add_response (fixture, "images.stdout", "9f381f6cc242\n");
  add_response (fixture, "network.stdout", "podman\nmine\n");
  engine = exitbox_engine_detect (&error);
  g_assert_no_error (error);

  g_assert_false (exitbox_doctor_apply_fix (engine, problem, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "images: 1, containers: 0, volumes: 0, networks: 1"));
  g_assert_nonnull (strstr (error->message, conf));
  g_assert_false (g_file_test (conf, G_FILE_TEST_EXISTS));
  log = exitbox_test_read_file (fixture->fake.log_path);
  g_assert_null (strstr (log, "reset"));
  g_unsetenv ("CONTAINERS_STORAGE_CONF");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/doctor/toml-new-file", test_doctor_toml_new_file);
  g_test_add_func ("/doctor/toml-keeps-other-lines", test_doctor_toml_keeps_other_lines);
  g_test_add_func ("/doctor/toml-replaces-in-place", test_doctor_toml_replaces_in_place);
  g_test_add_func ("/doctor/toml-adds-table", test_doctor_toml_adds_table);
  g_test_add_func ("/doctor/toml-key-without-newline", test_doctor_toml_key_without_newline);
  g_test_add_func ("/doctor/toml-multiline-values", test_doctor_toml_multiline_values);
  g_test_add_func ("/doctor/toml-array-table", test_doctor_toml_array_table);
  g_test_add_func ("/doctor/toml-dotted-table", test_doctor_toml_dotted_table);
  g_test_add_func ("/doctor/toml-invalid-rejected", test_doctor_toml_invalid_rejected);
  g_test_add_func ("/doctor/toml-valid-forms", test_doctor_toml_valid_forms);
  g_test_add_func ("/doctor/toml-dup-value", test_doctor_toml_dup_value);
  g_test_add_func ("/doctor/merge-ulimits", test_doctor_merge_ulimits);
  g_test_add_func ("/doctor/container-limits", test_doctor_container_limits);

  g_test_add ("/doctor/apply-ulimits", FileFixture, NULL,
              file_fixture_set_up, test_doctor_apply_ulimits, file_fixture_tear_down);
  g_test_add ("/doctor/apply-follows-symlink", FileFixture, NULL,
              file_fixture_set_up, test_doctor_apply_follows_symlink, file_fixture_tear_down);
  g_test_add ("/doctor/apply-runtime", FileFixture, NULL,
              file_fixture_set_up, test_doctor_apply_runtime, file_fixture_tear_down);
  g_test_add ("/doctor/apply-keeps-unparsable", FileFixture, NULL,
              file_fixture_set_up, test_doctor_apply_keeps_unparsable, file_fixture_tear_down);
  g_test_add ("/doctor/apply-not-fixable", FileFixture, NULL,
              file_fixture_set_up, test_doctor_apply_not_fixable, file_fixture_tear_down);
  g_test_add ("/doctor/config-paths", FileFixture, NULL,
              file_fixture_set_up, test_doctor_config_paths, file_fixture_tear_down);

  g_test_add_func ("/doctor/classify-captured", test_doctor_classify_captured);
  g_test_add_func ("/doctor/read-info", test_doctor_read_info);
  g_test_add_func ("/doctor/problems-crun", test_doctor_problems_crun);
  g_test_add_func ("/doctor/problems-crun-from-run", test_doctor_problems_crun_from_run);
  g_test_add_func ("/doctor/problems-working-host", test_doctor_problems_working_host);
  g_test_add_func ("/doctor/problems-ulimits", test_doctor_problems_ulimits);
  g_test_add_func ("/doctor/problems-rootless", test_doctor_problems_rootless);
  g_test_add_func ("/doctor/problems-rootless-runs", test_doctor_problems_rootless_runs);
  g_test_add_func ("/doctor/problems-unknown-failure", test_doctor_problems_unknown_failure);
  g_test_add_func ("/doctor/problems-docker", test_doctor_problems_docker);
  g_test_add_func ("/doctor/cgroup-modes", test_doctor_cgroup_modes);
  g_test_add_func ("/doctor/runtime-dir-states", test_doctor_runtime_dir_states);
  g_test_add_func ("/doctor/tun-states", test_doctor_tun_states);
  g_test_add_func ("/doctor/tun-no-access", test_doctor_tun_no_access);

  g_test_add ("/doctor/check-fake-engine", EngineFixture, NULL,
              engine_fixture_set_up, test_doctor_check_fake_engine, engine_fixture_tear_down);
  g_test_add ("/doctor/check-fake-engine-async", EngineFixture, NULL,
              engine_fixture_set_up, test_doctor_check_fake_engine_async, engine_fixture_tear_down);
  g_test_add ("/doctor/check-info-failure", EngineFixture, NULL,
              engine_fixture_set_up, test_doctor_check_info_failure, engine_fixture_tear_down);
  g_test_add ("/doctor/apply-storage", EngineFixture, NULL,
              engine_fixture_set_up, test_doctor_apply_storage, engine_fixture_tear_down);
  g_test_add ("/doctor/apply-storage-not-empty", EngineFixture, NULL,
              engine_fixture_set_up, test_doctor_apply_storage_not_empty, engine_fixture_tear_down);
  g_test_add ("/doctor/fix-pause-process", EngineFixture, NULL,
              engine_fixture_set_up, test_doctor_fix_pause_process, engine_fixture_tear_down);

  return g_test_run ();
}
