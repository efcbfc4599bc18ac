/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "exitbox-session-options.h"
#include "exitbox-test-utils.h"

typedef struct
{
  char           *root;
  ExitboxProject *project;
} Fixture;

static char *
make_folder (Fixture    *fixture,
             const char *relative)
{
  char *path = g_build_filename (fixture->root, relative, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  return path;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *project_path = NULL;
  g_autoptr(GError) error = NULL;

  fixture->root = exitbox_test_make_tmpdir ("exitbox-options-XXXXXX");
  project_path = make_folder (fixture, "my project");
  fixture->project = exitbox_project_new (project_path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->project);
  exitbox_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

static void
test_include_dirs_resolved (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autofree char *docs = make_folder (fixture, "shared docs, v2");
  g_autofree char *link = g_build_filename (fixture->root, "link-to-lib", NULL);
  g_autofree char *lib = make_folder (fixture, "lib");
  const char *dirs[] = { docs, link, NULL };
  g_autoptr(GPtrArray) include_dirs = NULL;
  g_autoptr(GError) error = NULL;
  ExitboxIncludeDir *include_dir;

  g_assert_cmpint (symlink (lib, link), ==, 0);

  include_dirs = exitbox_session_resolve_include_dirs (fixture->project, dirs, FALSE, FALSE,
                                                       &error);
  g_assert_no_error (error);
  g_assert_cmpuint (include_dirs->len, ==, 2);

  include_dir = g_ptr_array_index (include_dirs, 0);
  g_assert_cmpstr (include_dir->source, ==, docs);
  g_assert_cmpstr (include_dir->destination, ==, "/workspace/shared docs, v2");
  g_assert_false (include_dir->read_only);

  /* A link is resolved, and the mount point takes the real folder's name. */
  include_dir = g_ptr_array_index (include_dirs, 1);
  g_assert_cmpstr (include_dir->source, ==, lib);
  g_assert_cmpstr (include_dir->destination, ==, "/workspace/lib");
}

static void
test_include_dirs_missing (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *missing = g_build_filename (fixture->root, "nope", NULL);
  const char *dirs[] = { missing, NULL };
  g_autoptr(GPtrArray) include_dirs = NULL;
  g_autoptr(GError) error = NULL;

  include_dirs = exitbox_session_resolve_include_dirs (fixture->project, dirs, FALSE, FALSE,
                                                       &error);
  g_assert_null (include_dirs);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  exitbox_test_assert_contains (error->message, missing);
}

static void
test_include_dirs_file (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *file = g_build_filename (fixture->root, "notes.txt", NULL);
  const char *dirs[] = { file, NULL };
  g_autoptr(GPtrArray) include_dirs = NULL;
  g_autoptr(GError) error = NULL;

  exitbox_test_write_file (file, "x");
  include_dirs = exitbox_session_resolve_include_dirs (fixture->project, dirs, FALSE, FALSE,
                                                       &error);
  g_assert_null (include_dirs);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
}

static void
test_include_dirs_read_only_mount_point (Fixture       *fixture,
                                         gconstpointer  user_data)
{
  g_autofree char *docs = make_folder (fixture, "docs");
  g_autofree char *mount_point = g_build_filename (exitbox_project_get_path (fixture->project),
                                                   "docs", NULL);
  const char *dirs[] = { docs, NULL };
  g_autoptr(GPtrArray) include_dirs = NULL;
  g_autoptr(GError) error = NULL;
  ExitboxIncludeDir *include_dir;

  include_dirs = exitbox_session_resolve_include_dirs (fixture->project, dirs, TRUE, FALSE,
                                                       &error);
  g_assert_null (include_dirs);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  exitbox_test_assert_contains (error->message, mount_point);
  g_clear_error (&error);

  /* Once the folder exists, the read-only project can take the mount. */
  g_assert_cmpint (g_mkdir (mount_point, 0700), ==, 0);
  include_dirs = exitbox_session_resolve_include_dirs (fixture->project, dirs, TRUE, FALSE,
                                                       &error);
  g_assert_no_error (error);
  include_dir = g_ptr_array_index (include_dirs, 0);
  g_assert_true (include_dir->read_only);
}

static void
test_include_dirs_file_in_project (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  g_autofree char *docs = make_folder (fixture, "docs");
  g_autofree char *file = g_build_filename (exitbox_project_get_path (fixture->project), "docs",
                                            NULL);
  const char *dirs[] = { docs, NULL };
  g_autoptr(GPtrArray) include_dirs = NULL;
  g_autoptr(GError) error = NULL;

  exitbox_test_write_file (file, "a file, not a folder");
  include_dirs = exitbox_session_resolve_include_dirs (fixture->project, dirs, FALSE, FALSE,
                                                       &error);
  g_assert_null (include_dirs);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
}

static void
test_include_dirs_same_name (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autofree char *first = make_folder (fixture, "a/docs");
  g_autofree char *second = make_folder (fixture, "b/docs");
  const char *dirs[] = { first, second, NULL };
  g_autoptr(GPtrArray) include_dirs = NULL;
  g_autoptr(GError) error = NULL;

  include_dirs = exitbox_session_resolve_include_dirs (fixture->project, dirs, FALSE, FALSE,
                                                       &error);
  g_assert_null (include_dirs);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  exitbox_test_assert_contains (error->message, "/workspace/docs");
}

static void
test_include_dirs_root_rejected (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  const char *dirs[] = { "/", NULL };
  g_autoptr(GPtrArray) include_dirs = NULL;
  g_autoptr(GError) error = NULL;

  include_dirs = exitbox_session_resolve_include_dirs (fixture->project, dirs, FALSE, FALSE,
                                                       &error);
  g_assert_null (include_dirs);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
}

/* The project itself and a folder that contains it are rejected. --force
 * allows the parent.
 */
static void
test_include_dirs_project_rejected (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  const char *self_dirs[] = { exitbox_project_get_path (fixture->project), NULL };
  const char *parent_dirs[] = { fixture->root, NULL };
  g_autoptr(GPtrArray) include_dirs = NULL;
  g_autoptr(GPtrArray) forced = NULL;
  g_autoptr(GError) self_error = NULL;
  g_autoptr(GError) parent_error = NULL;
  g_autoptr(GError) error = NULL;

  include_dirs = exitbox_session_resolve_include_dirs (fixture->project, self_dirs, FALSE,
                                                       TRUE, &self_error);
  g_assert_null (include_dirs);
  g_assert_error (self_error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  exitbox_test_assert_contains (self_error->message, "it is the project folder");

  include_dirs = exitbox_session_resolve_include_dirs (fixture->project, parent_dirs, FALSE,
                                                       FALSE, &parent_error);
  g_assert_null (include_dirs);
  g_assert_error (parent_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  exitbox_test_assert_contains (parent_error->message, "it contains the project");

  forced = exitbox_session_resolve_include_dirs (fixture->project, parent_dirs, FALSE, TRUE,
                                                 &error);
  g_assert_no_error (error);
  g_assert_cmpuint (forced->len, ==, 1);
}

static void
run_git (const char *dir,
         const char *first_arg,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = -1;
  va_list args;

  g_ptr_array_add (argv, "git");
  g_ptr_array_add (argv, "-C");
  g_ptr_array_add (argv, (gpointer) dir);
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
}

static void
test_git_mount_worktree (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autofree char *main_repo = make_folder (fixture, "main repo");
  g_autofree char *worktree = g_build_filename (fixture->root, "linked tree", NULL);
  g_autofree char *common = g_build_filename (main_repo, ".git", NULL);
  g_autoptr(ExitboxProject) linked = NULL;
  g_autoptr(ExitboxProject) main_project = NULL;
  g_autofree char *mount = NULL;
  g_autofree char *none = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *git = g_find_program_in_path ("git");
  g_autofree char *dot_git = g_build_filename (worktree, ".git", NULL);
  g_autofree char *other = NULL;
  g_autofree char *commondir = NULL;
  g_autofree char *rewritten = NULL;
  g_autofree char *rejected = NULL;

  if (git == NULL)
    {
      g_test_skip ("git is not installed");
      return;
    }

  run_git (main_repo, "init", "-q", NULL);
  run_git (main_repo, "-c", "user.name=t", "-c", "user.email=t@example.test",
           "commit", "-q", "--allow-empty", "-m", "start", NULL);
  run_git (main_repo, "worktree", "add", "-q", "--detach", worktree, NULL);

  linked = exitbox_project_new (worktree, NULL);
  g_assert_nonnull (linked);
  mount = exitbox_session_dup_git_mount (linked);
  g_assert_cmpstr (mount, ==, common);

  /* The main repository's own .git is inside its project. */
  main_project = exitbox_project_new (main_repo, NULL);
  none = exitbox_session_dup_git_mount (main_project);
  g_assert_null (none);

  /* A .git file rewritten to name another folder mounts nothing, because
   * that folder does not point back at this worktree.
   */
  other = make_folder (fixture, "secret/.git/worktrees/x");
  commondir = g_build_filename (other, "commondir", NULL);
  rewritten = g_strdup_printf ("gitdir: %s\n", other);
  exitbox_test_write_file (commondir, "../..\n");
  exitbox_test_write_file (dot_git, rewritten);
  rejected = exitbox_session_dup_git_mount (linked);
  g_assert_null (rejected);

  /* A project without git needs nothing. */
  plain = exitbox_session_dup_git_mount (fixture->project);
  g_assert_null (plain);
}

static void
test_session_limits (void)
{
  const char *valid_memory[] = { "8g", "512m", "1024", "2G" };
  const char *invalid_memory[] = { "", "0", "8x", "-1g", "1.5g", "g" };
  const char *valid_cpus[] = { "4", "1.5", "0.5" };
  const char *invalid_cpus[] = { "", "0", "0.0", "two", "1.", "-2" };

  for (guint i = 0; i < G_N_ELEMENTS (valid_memory); i++)
    g_assert_true (exitbox_session_check_limits (valid_memory[i], NULL, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (invalid_memory); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (exitbox_session_check_limits (invalid_memory[i], NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      exitbox_test_assert_contains (error->message, "--memory");
    }

  for (guint i = 0; i < G_N_ELEMENTS (valid_cpus); i++)
    g_assert_true (exitbox_session_check_limits (NULL, valid_cpus[i], NULL));

  for (guint i = 0; i < G_N_ELEMENTS (invalid_cpus); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (exitbox_session_check_limits (NULL, invalid_cpus[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      exitbox_test_assert_contains (error->message, "--cpus");
    }

  g_assert_true (exitbox_session_check_limits (NULL, NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/session-options/include-dirs-resolved", Fixture, NULL,
              fixture_set_up, test_include_dirs_resolved, fixture_tear_down);
  g_test_add ("/session-options/include-dirs-missing", Fixture, NULL,
              fixture_set_up, test_include_dirs_missing, fixture_tear_down);
  g_test_add ("/session-options/include-dirs-file", Fixture, NULL,
              fixture_set_up, test_include_dirs_file, fixture_tear_down);
  g_test_add ("/session-options/include-dirs-read-only-mount-point", Fixture, NULL,
              fixture_set_up, test_include_dirs_read_only_mount_point, fixture_tear_down);
  g_test_add ("/session-options/include-dirs-file-in-project", Fixture, NULL,
              fixture_set_up, test_include_dirs_file_in_project, fixture_tear_down);
  g_test_add ("/session-options/include-dirs-same-name", Fixture, NULL,
              fixture_set_up, test_include_dirs_same_name, fixture_tear_down);
  g_test_add ("/session-options/include-dirs-root-rejected", Fixture, NULL,
              fixture_set_up, test_include_dirs_root_rejected, fixture_tear_down);
  g_test_add ("/session-options/include-dirs-project-rejected", Fixture, NULL,
              fixture_set_up, test_include_dirs_project_rejected, fixture_tear_down);
  g_test_add ("/session-options/git-mount-worktree", Fixture, NULL,
              fixture_set_up, test_git_mount_worktree, fixture_tear_down);
  g_test_add_func ("/session-options/limits", test_session_limits);

  return g_test_run ();
}
