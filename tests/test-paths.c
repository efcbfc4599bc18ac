/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <sys/stat.h>

#include <gio/gio.h>

#include "exitbox-paths.h"

static void
test_paths_xdg_variables (void)
{
  g_autofree char *config = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *data = NULL;

  g_unsetenv ("EXITBOX_CONFIG_DIR");
  g_unsetenv ("EXITBOX_CACHE_DIR");
  g_unsetenv ("EXITBOX_DATA_DIR");
  g_setenv ("XDG_CONFIG_HOME", "/xdg/config", TRUE);
  g_setenv ("XDG_CACHE_HOME", "/xdg/cache", TRUE);
  g_setenv ("XDG_DATA_HOME", "/xdg/data", TRUE);

  config = exitbox_dup_config_dir ();
  cache = exitbox_dup_cache_dir ();
  data = exitbox_dup_data_dir ();

  g_assert_cmpstr (config, ==, "/xdg/config/exitbox");
  g_assert_cmpstr (cache, ==, "/xdg/cache/exitbox");
  g_assert_cmpstr (data, ==, "/xdg/data/exitbox");
}

static void
test_paths_overrides_win (void)
{
  g_autofree char *config = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *data = NULL;

  g_setenv ("XDG_CONFIG_HOME", "/xdg/config", TRUE);
  g_setenv ("EXITBOX_CONFIG_DIR", "/state/config", TRUE);
  g_setenv ("EXITBOX_CACHE_DIR", "/state/cache", TRUE);
  g_setenv ("EXITBOX_DATA_DIR", "/state/data", TRUE);

  config = exitbox_dup_config_dir ();
  cache = exitbox_dup_cache_dir ();
  data = exitbox_dup_data_dir ();

  g_assert_cmpstr (config, ==, "/state/config");
  g_assert_cmpstr (cache, ==, "/state/cache");
  g_assert_cmpstr (data, ==, "/state/data");
}

static void
test_paths_relative_values_ignored (void)
{
  g_autofree char *config = NULL;
  g_autofree char *expected = g_build_filename (g_get_home_dir (), ".config", "exitbox", NULL);

  g_setenv ("EXITBOX_CONFIG_DIR", "relative/config", TRUE);
  g_setenv ("XDG_CONFIG_HOME", "relative/xdg", TRUE);

  config = exitbox_dup_config_dir ();

  g_assert_cmpstr (config, ==, expected);
}

static void
test_paths_atomic_write_mode (void)
{
  g_autofree char *dir = g_dir_make_tmp ("exitbox-paths-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "file.yaml", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  struct stat info;

  g_assert_true (exitbox_write_file_atomically (path, "old\n", -1, 0600, &error));
  g_assert_no_error (error);
  g_assert_true (exitbox_write_file_atomically (path, "new\n", -1, 0644, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "new\n");
  g_assert_cmpint (stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0644);
}

static void
test_paths_atomic_write_missing_folder (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (exitbox_write_file_atomically ("/nonexistent/exitbox/file", "x", -1, 0600, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/exitbox"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/paths/xdg-variables", test_paths_xdg_variables);
  g_test_add_func ("/paths/overrides-win", test_paths_overrides_win);
  g_test_add_func ("/paths/relative-values-ignored", test_paths_relative_values_ignored);
  g_test_add_func ("/paths/atomic-write-mode", test_paths_atomic_write_mode);
  g_test_add_func ("/paths/atomic-write-missing-folder", test_paths_atomic_write_missing_folder);

  return g_test_run ();
}
