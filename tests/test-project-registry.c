/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "exitbox-project-registry.h"
#include "exitbox-test-utils.h"

typedef struct
{
  char *root;
  char *registry;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->root = exitbox_test_make_tmpdir ("exitbox-registry-XXXXXX");
  fixture->registry = g_build_filename (fixture->root, "data", "projects.json", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  exitbox_test_remove_tree (fixture->root);
  g_free (fixture->root);
  g_free (fixture->registry);
}

static ExitboxProject *
make_project (Fixture    *fixture,
              const char *name)
{
  g_autofree char *path = g_build_filename (fixture->root, name, NULL);
  g_autoptr(GError) error = NULL;
  ExitboxProject *project;

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  project = exitbox_project_new (path, &error);
  g_assert_no_error (error);

  return project;
}

static GDateTime *
make_time (int hour)
{
  return g_date_time_new_utc (2026, 3, 14, hour, 0, 0);
}

static void
test_registry_missing_is_empty (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = exitbox_project_registry_load (fixture->registry, &error);

  g_assert_no_error (error);
  g_assert_nonnull (records);
  g_assert_cmpuint (records->len, ==, 0);
}

static void
test_registry_round_trip (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(ExitboxProject) first = make_project (fixture, "first project, “quoted”");
  g_autoptr(ExitboxProject) second = make_project (fixture, "zweites Projekt");
  g_autoptr(GDateTime) morning = make_time (9);
  g_autoptr(GDateTime) noon = make_time (12);
  g_autoptr(GDateTime) evening = make_time (18);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  ExitboxProjectRecord *record;
  GStatBuf info;

  g_assert_true (exitbox_project_registry_record_use (fixture->registry, first, "claude",
                                                      morning, &error));
  g_assert_no_error (error);
  g_assert_true (exitbox_project_registry_record_use (fixture->registry, second, NULL,
                                                      noon, &error));
  g_assert_no_error (error);
  g_assert_true (exitbox_project_registry_record_use (fixture->registry, first, "codex",
                                                      evening, &error));
  g_assert_no_error (error);
  g_assert_true (exitbox_project_registry_record_use (fixture->registry, first, "claude",
                                                      evening, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (fixture->registry, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0600);

  records = exitbox_project_registry_load (fixture->registry, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);

  /* Newest use first. */
  record = g_ptr_array_index (records, 0);
  g_assert_cmpstr (record->path, ==, exitbox_project_get_path (first));
  g_assert_cmpstr (record->key, ==, exitbox_project_get_key (first));
  g_assert_cmpint (g_date_time_compare (record->last_used, evening), ==, 0);
  g_assert_cmpuint (g_strv_length (record->agents), ==, 2);
  g_assert_cmpstr (record->agents[0], ==, "claude");
  g_assert_cmpstr (record->agents[1], ==, "codex");

  record = g_ptr_array_index (records, 1);
  g_assert_cmpstr (record->path, ==, exitbox_project_get_path (second));
  g_assert_cmpuint (g_strv_length (record->agents), ==, 1);
  g_assert_cmpstr (record->agents[0], ==, "shell");
}

static void
test_registry_corrupt_kept (Fixture       *fixture,
                            gconstpointer  user_data)
{
  const char *broken[] = {
    "{\"projects\": [ {\"path\": \"/a\"",
    "[1, 2, 3]",
    "{\"projects\": {\"path\": \"/a\"}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autoptr(ExitboxProject) project = make_project (fixture, "project");
      g_autoptr(GDateTime) when = make_time (9);
      g_autoptr(GPtrArray) records = NULL;
      g_autoptr(GError) load_error = NULL;
      g_autoptr(GError) save_error = NULL;
      g_autofree char *dir = g_path_get_dirname (fixture->registry);
      g_autofree char *after = NULL;

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      exitbox_test_write_file (fixture->registry, broken[i]);

      records = exitbox_project_registry_load (fixture->registry, &load_error);
      g_assert_null (records);
      g_assert_error (load_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      exitbox_test_assert_contains (load_error->message, fixture->registry);

      g_assert_false (exitbox_project_registry_record_use (fixture->registry, project, "claude",
                                                           when, &save_error));
      g_assert_error (save_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

      after = exitbox_test_read_file (fixture->registry);
      g_assert_cmpstr (after, ==, broken[i]);
    }
}

static void
test_registry_keeps_unknown_members (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_autoptr(ExitboxProject) project = make_project (fixture, "project");
  g_autoptr(GDateTime) when = make_time (9);
  g_autofree char *dir = g_path_get_dirname (fixture->registry);
  g_autofree char *original = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;

  original = g_strdup_printf ("{\"version\": 1, \"future\": \"kept\", \"projects\": "
                              "[{\"path\": \"%s\", \"profile_changes\": [\"added go\"]}]}",
                              exitbox_project_get_path (project));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  exitbox_test_write_file (fixture->registry, original);

  g_assert_true (exitbox_project_registry_record_use (fixture->registry, project, "claude",
                                                      when, &error));
  g_assert_no_error (error);

  after = exitbox_test_read_file (fixture->registry);
  exitbox_test_assert_contains (after, "\"future\" : \"kept\"");
  exitbox_test_assert_contains (after, "added go");
  exitbox_test_assert_contains (after, "\"claude\"");
}

static void
test_registry_path_follows_data_dir (void)
{
  g_autofree char *path = NULL;

  g_setenv ("EXITBOX_DATA_DIR", "/tmp/exitbox-data-test", TRUE);
  path = exitbox_project_registry_dup_path ();
  g_unsetenv ("EXITBOX_DATA_DIR");

  g_assert_cmpstr (path, ==, "/tmp/exitbox-data-test/projects.json");
}

static void
test_registry_profile_add_remove (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(ExitboxProject) project = make_project (fixture, "app");
  g_autoptr(ExitboxProject) other = make_project (fixture, "other");
  g_autoptr(GDateTime) when = make_time (9);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) effective = NULL;
  ExitboxProjectRecord *record;
  const char * const defaults[] = { "base", "shell", NULL };
  gboolean changed = FALSE;

  g_assert_true (exitbox_project_registry_record_use (fixture->registry, other, "claude", when,
                                                      &error));
  g_assert_no_error (error);

  g_assert_true (exitbox_project_registry_change_profile (fixture->registry, project, "python",
                                                          TRUE, defaults, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);

  /* Adding it again, or adding a default, changes nothing. */
  g_assert_true (exitbox_project_registry_change_profile (fixture->registry, project, "python",
                                                          TRUE, defaults, &changed, &error));
  g_assert_false (changed);
  g_assert_true (exitbox_project_registry_change_profile (fixture->registry, project, "base",
                                                          TRUE, defaults, &changed, &error));
  g_assert_false (changed);

  g_assert_true (exitbox_project_registry_change_profile (fixture->registry, project, "shell",
                                                          FALSE, defaults, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);

  records = exitbox_project_registry_load (fixture->registry, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);
  record = exitbox_project_registry_find_key (records, exitbox_project_get_key (project));
  g_assert_nonnull (record);
  g_assert_cmpstr (record->path, ==, exitbox_project_get_path (project));
  g_assert_cmpuint (g_strv_length (record->profiles_added), ==, 1);
  g_assert_cmpstr (record->profiles_added[0], ==, "python");
  g_assert_cmpuint (g_strv_length (record->profiles_removed), ==, 1);
  g_assert_cmpstr (record->profiles_removed[0], ==, "shell");

  effective = exitbox_project_resolve_profiles (defaults,
                                                (const char * const *) record->profiles_added,
                                                (const char * const *) record->profiles_removed);
  g_assert_cmpuint (g_strv_length (effective), ==, 2);
  g_assert_cmpstr (effective[0], ==, "base");
  g_assert_cmpstr (effective[1], ==, "python");

  /* The other project keeps the defaults and its recorded use. */
  record = exitbox_project_registry_find_key (records, exitbox_project_get_key (other));
  g_assert_nonnull (record);
  g_assert_cmpuint (g_strv_length (record->profiles_added), ==, 0);
  g_assert_cmpuint (g_strv_length (record->agents), ==, 1);
  g_assert_cmpstr (record->agents[0], ==, "claude");
}

/* Removing an addition and adding a removal return the project to the
 * defaults, and the registry keeps no empty lists.
 */
static void
test_registry_profile_undo (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(ExitboxProject) project = make_project (fixture, "app");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  const char * const defaults[] = { "base", NULL };
  gboolean changed = FALSE;

  g_assert_true (exitbox_project_registry_change_profile (fixture->registry, project, "go", TRUE,
                                                          defaults, &changed, &error));
  g_assert_true (exitbox_project_registry_change_profile (fixture->registry, project, "base", FALSE,
                                                          defaults, &changed, &error));
  g_assert_true (exitbox_project_registry_change_profile (fixture->registry, project, "go", FALSE,
                                                          defaults, &changed, &error));
  g_assert_true (changed);
  g_assert_true (exitbox_project_registry_change_profile (fixture->registry, project, "base", TRUE,
                                                          defaults, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);

  contents = exitbox_test_read_file (fixture->registry);
  g_assert_null (strstr (contents, "profiles_added"));
  g_assert_null (strstr (contents, "profiles_removed"));
}

static void
test_registry_profile_corrupt_kept (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(ExitboxProject) project = make_project (fixture, "app");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (fixture->registry);
  g_autofree char *contents = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (fixture->registry, "{\"projects\": [", -1, NULL));

  g_assert_false (exitbox_project_registry_change_profile (fixture->registry, project, "go", TRUE,
                                                           NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  contents = exitbox_test_read_file (fixture->registry);
  g_assert_cmpstr (contents, ==, "{\"projects\": [");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/project-registry/missing-is-empty", Fixture, NULL,
              fixture_set_up, test_registry_missing_is_empty, fixture_tear_down);
  g_test_add ("/project-registry/round-trip", Fixture, NULL,
              fixture_set_up, test_registry_round_trip, fixture_tear_down);
  g_test_add ("/project-registry/corrupt-kept", Fixture, NULL,
              fixture_set_up, test_registry_corrupt_kept, fixture_tear_down);
  g_test_add ("/project-registry/keeps-unknown-members", Fixture, NULL,
              fixture_set_up, test_registry_keeps_unknown_members, fixture_tear_down);
  g_test_add ("/project-registry/profile-add-remove", Fixture, NULL,
              fixture_set_up, test_registry_profile_add_remove, fixture_tear_down);
  g_test_add ("/project-registry/profile-undo", Fixture, NULL,
              fixture_set_up, test_registry_profile_undo, fixture_tear_down);
  g_test_add ("/project-registry/profile-corrupt-kept", Fixture, NULL,
              fixture_set_up, test_registry_profile_corrupt_kept, fixture_tear_down);
  g_test_add_func ("/project-registry/path-follows-data-dir", test_registry_path_follows_data_dir);

  return g_test_run ();
}
