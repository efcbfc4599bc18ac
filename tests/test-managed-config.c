/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "exitbox-managed-config.h"
#include "exitbox-test-utils.h"

/* g_get_home_dir() keeps the first value it reads, so every test shares one
 * fake home folder, set in main(), and cleans its own files.
 */
static char *test_root;
static char *host_home;

typedef struct
{
  char *config_dir;
} Fixture;

static void
write_file_mode (const char *path,
                 const char *contents,
                 int         mode)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  exitbox_test_write_file (path, contents);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *xdg_config = g_build_filename (host_home, "xdg-config", NULL);
  g_autofree char *xdg_data = g_build_filename (host_home, "xdg-data", NULL);

  fixture->config_dir = g_build_filename (test_root, "exitbox-config", NULL);
  g_setenv ("EXITBOX_CONFIG_DIR", fixture->config_dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", xdg_config, TRUE);
  g_setenv ("XDG_DATA_HOME", xdg_data, TRUE);
  /* A relative value is invalid and falls back to ~/.local/state. */
  g_setenv ("XDG_STATE_HOME", "relative/state", TRUE);
  g_assert_cmpint (g_mkdir_with_parents (host_home, 0755), ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  exitbox_test_remove_tree (fixture->config_dir);
  exitbox_test_remove_tree (host_home);
  g_free (fixture->config_dir);
}

static char *
host_path (const char *relative)
{
  return g_build_filename (host_home, relative, NULL);
}

static char *
managed_path (Fixture    *fixture,
              const char *agent,
              const char *relative)
{
  return g_build_filename (fixture->config_dir, agent, relative, NULL);
}

static void
assert_mode (const char *path,
             int         expected)
{
  GStatBuf info;

  g_assert_cmpint (g_lstat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, expected);
}

/* Every file and folder below @path has no group or other bits. */
static void
assert_private_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf info;

  g_assert_cmpint (g_lstat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0077, ==, 0);
  g_assert_false (S_ISLNK (info.st_mode));
  if (!S_ISDIR (info.st_mode))
    return;

  dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      assert_private_tree (child);
    }
}

static void
make_claude_host_files (void)
{
  g_autofree char *settings = host_path (".claude/settings.json");
  g_autofree char *hook = host_path (".claude/hooks/check.sh");
  g_autofree char *state = host_path (".claude.json");

  write_file_mode (settings, "{\"theme\": \"dark\"}", 0644);
  write_file_mode (hook, "#!/bin/sh\nexit 0\n", 0755);
  write_file_mode (state, "{\"numStartups\": 3}", 0664);
}

static void
test_managed_import_claude_tree (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autofree char *host_settings = host_path (".claude/settings.json");
  g_autofree char *settings = managed_path (fixture, "claude", ".claude/settings.json");
  g_autofree char *hook = managed_path (fixture, "claude", ".claude/hooks/check.sh");
  g_autofree char *state = managed_path (fixture, "claude", ".claude.json");
  g_autofree char *claude_dir = managed_path (fixture, "claude", ".claude");
  g_autofree char *agent_dir = managed_path (fixture, "claude", NULL);
  g_autofree char *copied = NULL;
  g_autoptr(GError) error = NULL;
  guint count = 0;

  make_claude_host_files ();
  g_assert_false (exitbox_managed_config_has_imported ("claude"));

  g_assert_true (exitbox_managed_config_import ("claude", &count, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  g_assert_true (exitbox_managed_config_has_imported ("claude"));

  copied = exitbox_test_read_file (state);
  g_assert_cmpstr (copied, ==, "{\"numStartups\": 3}");
  assert_mode (agent_dir, 0700);
  assert_mode (claude_dir, 0700);
  assert_mode (settings, 0600);
  assert_mode (state, 0600);
  /* Hooks stay executable for their owner only. */
  assert_mode (hook, 0700);
  assert_private_tree (agent_dir);

  /* Only the listed paths are copied, and no staging folder is left. */
  g_assert_cmpuint (exitbox_test_count_folder_entries (agent_dir), ==, 2);

  /* The host files are only read. */
  assert_mode (host_settings, 0644);
}

static void
test_managed_host_unchanged (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autofree char *host_state = host_path (".claude.json");
  g_autofree char *state = managed_path (fixture, "claude", ".claude.json");
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf before_info;
  GStatBuf after_info;

  make_claude_host_files ();
  g_assert_cmpint (g_stat (host_state, &before_info), ==, 0);

  g_assert_true (exitbox_managed_config_import ("claude", NULL, NULL, &error));
  g_assert_no_error (error);
  exitbox_test_write_file (state, "{\"changed\": \"inside\"}");

  after = exitbox_test_read_file (host_state);
  g_assert_cmpstr (after, ==, "{\"numStartups\": 3}");
  g_assert_cmpint (g_stat (host_state, &after_info), ==, 0);
  g_assert_cmpint (after_info.st_mode, ==, before_info.st_mode);
  g_assert_cmpint (after_info.st_mtime, ==, before_info.st_mtime);
  g_assert_cmpint (after_info.st_ino, ==, before_info.st_ino);
}

static void
test_managed_ensure_once (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autofree char *state = managed_path (fixture, "claude", ".claude.json");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gboolean imported = FALSE;

  make_claude_host_files ();

  g_assert_true (exitbox_managed_config_ensure ("claude", &imported, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (imported);

  /* A change made in a session survives the next start. */
  exitbox_test_write_file (state, "{\"changed\": \"inside\"}");
  g_assert_true (exitbox_managed_config_ensure ("claude", &imported, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (imported);

  contents = exitbox_test_read_file (state);
  g_assert_cmpstr (contents, ==, "{\"changed\": \"inside\"}");
}

static void
test_managed_ensure_without_host_files (Fixture       *fixture,
                                        gconstpointer  user_data)
{
  g_autofree char *agent_dir = managed_path (fixture, "codex", NULL);
  g_autoptr(GError) error = NULL;
  gboolean imported = FALSE;

  /* The folder is made, but nothing was imported, so no import is reported. */
  g_assert_true (exitbox_managed_config_ensure ("codex", &imported, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (imported);
  assert_mode (agent_dir, 0700);
  g_assert_cmpuint (exitbox_test_count_folder_entries (agent_dir), ==, 0);
  g_assert_false (exitbox_managed_config_has_imported ("codex"));
}

static void
test_managed_reimport_replaces (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autofree char *host_state = host_path (".claude.json");
  g_autofree char *state = managed_path (fixture, "claude", ".claude.json");
  g_autofree char *extra = managed_path (fixture, "claude", ".claude/session-only.txt");
  g_autofree char *other = managed_path (fixture, "claude", ".bash_history");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  make_claude_host_files ();
  g_assert_true (exitbox_managed_config_import ("claude", NULL, NULL, &error));
  g_assert_no_error (error);
  exitbox_test_write_file (extra, "written in a session");
  exitbox_test_write_file (other, "ls\n");

  exitbox_test_write_file (host_state, "{\"numStartups\": 4}");
  g_assert_true (exitbox_managed_config_import ("claude", NULL, NULL, &error));
  g_assert_no_error (error);

  contents = exitbox_test_read_file (state);
  g_assert_cmpstr (contents, ==, "{\"numStartups\": 4}");
  /* The imported folder is replaced as a whole; files outside the import
   * list stay.
   */
  g_assert_false (g_file_test (extra, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
}

static void
test_managed_symlinks (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autofree char *target = host_path ("dotfiles/CLAUDE.md");
  g_autofree char *target_dir = host_path ("dotfiles/agents");
  g_autofree char *claude_dir = host_path (".claude");
  g_autofree char *link = host_path (".claude/CLAUDE.md");
  g_autofree char *dir_link = host_path (".claude/agents");
  g_autofree char *dangling = host_path (".claude/gone");
  g_autofree char *copy = managed_path (fixture, "claude", ".claude/CLAUDE.md");
  g_autofree char *dir_copy = managed_path (fixture, "claude", ".claude/agents");
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  write_file_mode (target, "my rules", 0644);
  g_assert_cmpint (g_mkdir_with_parents (target_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (claude_dir, 0755), ==, 0);
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_assert_cmpint (symlink (target_dir, dir_link), ==, 0);
  g_assert_cmpint (symlink ("/nonexistent/file", dangling), ==, 0);

  g_assert_true (exitbox_managed_config_import ("claude", NULL, notes, &error));
  g_assert_no_error (error);

  contents = exitbox_test_read_file (copy);
  g_assert_cmpstr (contents, ==, "my rules");
  assert_mode (copy, 0600);
  g_assert_false (g_file_test (dir_copy, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (notes->len, ==, 2);
}

static void
test_managed_opencode_sources (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autoptr(GPtrArray) sources = exitbox_managed_config_dup_sources ("opencode");
  g_autofree char *config = g_build_filename (host_home, "xdg-config", "opencode", NULL);
  g_autofree char *data = g_build_filename (host_home, "xdg-data", "opencode", NULL);
  g_autofree char *state = g_build_filename (host_home, ".local", "state", "opencode", NULL);
  g_autofree char *config_file = g_build_filename (config, "opencode.json", NULL);
  g_autofree char *copy = managed_path (fixture, "opencode", ".config/opencode/opencode.json");
  g_autofree char *state_copy = managed_path (fixture, "opencode", ".local/state/opencode");
  g_autoptr(GError) error = NULL;
  ExitboxManagedSource *source;

  g_assert_cmpuint (sources->len, ==, 3);
  source = g_ptr_array_index (sources, 0);
  g_assert_cmpstr (source->host_path, ==, config);
  g_assert_cmpstr (source->managed_path, ==, ".config/opencode");
  source = g_ptr_array_index (sources, 1);
  g_assert_cmpstr (source->host_path, ==, data);
  source = g_ptr_array_index (sources, 2);
  g_assert_cmpstr (source->host_path, ==, state);

  write_file_mode (config_file, "{}", 0644);
  g_assert_cmpint (g_mkdir_with_parents (state, 0755), ==, 0);
  g_assert_true (exitbox_managed_config_import ("opencode", NULL, NULL, &error));
  g_assert_no_error (error);
  assert_mode (copy, 0600);
  assert_mode (state_copy, 0700);
  assert_private_tree (fixture->config_dir);
}

static void
test_managed_link_not_followed (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autofree char *config_file = g_build_filename (host_home, "xdg-config", "opencode",
                                                   "opencode.json", NULL);
  g_autofree char *agent_dir = managed_path (fixture, "opencode", NULL);
  g_autofree char *link = managed_path (fixture, "opencode", ".config");
  g_autofree char *outside = g_build_filename (test_root, "outside", NULL);
  g_autofree char *leaked = g_build_filename (outside, "opencode", NULL);
  g_autoptr(GError) error = NULL;

  write_file_mode (config_file, "{}", 0644);
  g_assert_cmpint (g_mkdir_with_parents (agent_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (outside, 0755), ==, 0);
  /* A session replaced ~/.config with a link to a host folder. */
  g_assert_cmpint (symlink (outside, link), ==, 0);

  g_assert_false (exitbox_managed_config_import ("opencode", NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  exitbox_test_assert_contains (error->message, link);
  g_assert_false (g_file_test (leaked, G_FILE_TEST_EXISTS));
  assert_mode (outside, 0755);

  exitbox_test_remove_tree (outside);
}

static void
test_managed_dir_excludes_config (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  const char *agents[] = { "claude", "codex", "opencode" };

  /* config.yaml and allowlist.yaml sit in the configuration folder itself;
   * the mounted folders are one level below it.
   */
  for (guint i = 0; i < G_N_ELEMENTS (agents); i++)
    {
      g_autofree char *dir = exitbox_managed_config_dup_dir (agents[i]);
      g_autofree char *parent = g_path_get_dirname (dir);

      g_assert_cmpstr (parent, ==, fixture->config_dir);
      g_assert_cmpstr (dir, !=, fixture->config_dir);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_root = exitbox_test_make_tmpdir ("exitbox-managed-XXXXXX");
  host_home = g_build_filename (test_root, "home", NULL);
  g_setenv ("HOME", host_home, TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/managed-config/import-claude-tree", Fixture, NULL,
              fixture_set_up, test_managed_import_claude_tree, fixture_tear_down);
  g_test_add ("/managed-config/host-unchanged", Fixture, NULL,
              fixture_set_up, test_managed_host_unchanged, fixture_tear_down);
  g_test_add ("/managed-config/ensure-once", Fixture, NULL,
              fixture_set_up, test_managed_ensure_once, fixture_tear_down);
  g_test_add ("/managed-config/ensure-without-host-files", Fixture, NULL,
              fixture_set_up, test_managed_ensure_without_host_files, fixture_tear_down);
  g_test_add ("/managed-config/reimport-replaces", Fixture, NULL,
              fixture_set_up, test_managed_reimport_replaces, fixture_tear_down);
  g_test_add ("/managed-config/symlinks", Fixture, NULL,
              fixture_set_up, test_managed_symlinks, fixture_tear_down);
  g_test_add ("/managed-config/opencode-sources", Fixture, NULL,
              fixture_set_up, test_managed_opencode_sources, fixture_tear_down);
  g_test_add ("/managed-config/link-not-followed", Fixture, NULL,
              fixture_set_up, test_managed_link_not_followed, fixture_tear_down);
  g_test_add ("/managed-config/dir-excludes-config", Fixture, NULL,
              fixture_set_up, test_managed_dir_excludes_config, fixture_tear_down);

  status = g_test_run ();
  exitbox_test_remove_tree (test_root);
  g_free (host_home);
  g_free (test_root);

  return status;
}
