/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "exitbox-project.h"

static char *
make_folder (const char *parent,
             const char *name)
{
  char *path = g_build_filename (parent, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  return path;
}

/* Keys end in 8 hex digits and contain only [a-z0-9-]. */
static void
assert_valid_key (const char *key)
{
  gsize length = strlen (key);

  g_assert_cmpuint (length, >, 9);
  g_assert_cmpint (key[length - 9], ==, '-');
  for (const char *p = key; *p != '\0'; p++)
    g_assert_true (g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-');
}

static void
test_project_key_tricky_names (void)
{
  g_autofree char *root = g_dir_make_tmp ("exitbox-project-XXXXXX", NULL);
  const char *names[] = {
    "my project: a,b",
    "Überprüfung ünd Ärger",
    "日本語",
    "---",
    "a-very-long-folder-name-that-goes-on-and-on-and-on-beyond-any-reasonable-length",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = make_folder (root, names[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxProject) project = exitbox_project_new (path, &error);

      g_assert_no_error (error);
      assert_valid_key (exitbox_project_get_key (project));
      g_assert_cmpuint (strlen (exitbox_project_get_key (project)), <=, 32 + 9);
      g_assert_cmpstr (exitbox_project_get_name (project), ==, names[i]);
    }
}

static void
test_project_key_examples (void)
{
  g_autofree char *root = g_dir_make_tmp ("exitbox-project-XXXXXX", NULL);
  g_autofree char *spaces = make_folder (root, "my project: a,b");
  g_autofree char *unicode = make_folder (root, "日本語");
  g_autoptr(ExitboxProject) first = exitbox_project_new (spaces, NULL);
  g_autoptr(ExitboxProject) second = exitbox_project_new (unicode, NULL);

  g_assert_true (g_str_has_prefix (exitbox_project_get_key (first), "my-project-a-b-"));
  g_assert_true (g_str_has_prefix (exitbox_project_get_key (second), "project-"));
}

static void
test_project_symlink_resolved (void)
{
  g_autofree char *root = g_dir_make_tmp ("exitbox-project-XXXXXX", NULL);
  g_autofree char *real = make_folder (root, "real");
  g_autofree char *link = g_build_filename (root, "link", NULL);
  g_autoptr(ExitboxProject) through_link = NULL;
  g_autoptr(ExitboxProject) direct = NULL;

  g_assert_cmpint (symlink (real, link), ==, 0);

  through_link = exitbox_project_new (link, NULL);
  direct = exitbox_project_new (real, NULL);

  g_assert_nonnull (through_link);
  g_assert_cmpstr (exitbox_project_get_path (through_link), ==, exitbox_project_get_path (direct));
  g_assert_cmpstr (exitbox_project_get_key (through_link), ==, exitbox_project_get_key (direct));
}

/* A path of about 500 characters in nested folders, each under NAME_MAX. */
static void
test_project_key_long_path (void)
{
  g_autofree char *root = g_dir_make_tmp ("exitbox-project-XXXXXX", NULL);
  g_autoptr(GString) relative = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autoptr(ExitboxProject) project = NULL;
  g_autoptr(GError) error = NULL;

  while (strlen (root) + relative->len < 500)
    g_string_append (relative, "/a folder name with spaces, commas: and ünïcödé");

  path = g_strconcat (root, relative->str, NULL);
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  g_assert_cmpuint (strlen (path), >=, 500);

  project = exitbox_project_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (exitbox_project_get_path (project), ==, path);
  assert_valid_key (exitbox_project_get_key (project));
  g_assert_cmpuint (strlen (exitbox_project_get_key (project)), <=, 32 + 9);
}

static void
test_project_same_name_distinct_keys (void)
{
  g_autofree char *root = g_dir_make_tmp ("exitbox-project-XXXXXX", NULL);
  g_autofree char *first_path = make_folder (root, "one/app");
  g_autofree char *second_path = make_folder (root, "two/app");
  g_autoptr(ExitboxProject) first = exitbox_project_new (first_path, NULL);
  g_autoptr(ExitboxProject) second = exitbox_project_new (second_path, NULL);

  g_assert_cmpstr (exitbox_project_get_key (first), !=, exitbox_project_get_key (second));
}

static void
test_project_missing_folder (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxProject) project = exitbox_project_new ("/nonexistent/exitbox/project", &error);

  g_assert_null (project);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/exitbox/project"));
}

static void
test_project_file_not_folder (void)
{
  g_autofree char *root = g_dir_make_tmp ("exitbox-project-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (root, "file.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxProject) project = NULL;

  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  project = exitbox_project_new (file, &error);

  g_assert_null (project);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
}

static void
test_project_home_and_root_unsafe (void)
{
  g_autoptr(ExitboxProject) home = exitbox_project_new (g_get_home_dir (), NULL);
  g_autoptr(ExitboxProject) root = exitbox_project_new ("/", NULL);
  g_autofree char *inside_path = make_folder (g_get_home_dir (), "src/app");
  g_autoptr(ExitboxProject) inside = exitbox_project_new (inside_path, NULL);
  g_autoptr(GError) home_error = NULL;
  g_autoptr(GError) root_error = NULL;
  g_autoptr(GError) inside_error = NULL;

  g_assert_false (exitbox_project_check_safe (home, &home_error));
  g_assert_error (home_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (home_error->message, exitbox_project_get_path (home)));
  g_assert_nonnull (strstr (home_error->message, "~/.ssh"));

  g_assert_false (exitbox_project_check_safe (root, &root_error));
  g_assert_error (root_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);

  g_assert_true (exitbox_project_check_safe (inside, &inside_error));
  g_assert_no_error (inside_error);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("exitbox-project-home-XXXXXX", NULL);

  /* GLib reads HOME once, on the first g_get_home_dir(). */
  g_setenv ("HOME", home, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/project/key-tricky-names", test_project_key_tricky_names);
  g_test_add_func ("/project/key-examples", test_project_key_examples);
  g_test_add_func ("/project/symlink-resolved", test_project_symlink_resolved);
  g_test_add_func ("/project/key-long-path", test_project_key_long_path);
  g_test_add_func ("/project/same-name-distinct-keys", test_project_same_name_distinct_keys);
  g_test_add_func ("/project/missing-folder", test_project_missing_folder);
  g_test_add_func ("/project/file-not-folder", test_project_file_not_folder);
  g_test_add_func ("/project/home-and-root-unsafe", test_project_home_and_root_unsafe);

  return g_test_run ();
}
