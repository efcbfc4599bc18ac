/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <sys/stat.h>
#include <utime.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "exitbox-session-log.h"
#include "exitbox-test-utils.h"

static void
test_session_log_lines (void)
{
  g_autofree char *root = exitbox_test_make_tmpdir ("exitbox-log-XXXXXX");
  const char *argv[] = { "podman", "run", "--name", "exitbox-claude-p-1", "--env-file",
                         "/c/sessions/x.env", "--mount", "\"source=/my project\"", "image", NULL };
  g_autoptr(ExitboxSessionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *dir = NULL;
  GStatBuf info;

  g_setenv ("EXITBOX_CACHE_DIR", root, TRUE);
  dir = exitbox_session_log_dup_dir ();
  g_assert_true (g_str_has_prefix (dir, root));

  log = exitbox_session_log_begin ("/my project", "claude", "exitbox-claude-p-1",
                                   "exitbox-claude-p:latest", argv, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (exitbox_session_log_get_path (log), dir));
  g_assert_true (g_str_has_suffix (exitbox_session_log_get_path (log), "-exitbox-claude-p-1.log"));

  g_assert_true (exitbox_session_log_end (log, 7, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (exitbox_session_log_get_path (log), &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0600);

  contents = exitbox_test_read_file (exitbox_session_log_get_path (log));
  g_assert_true (g_str_has_prefix (contents, "start: "));
  exitbox_test_assert_contains (contents, "\nproject: /my project\n");
  exitbox_test_assert_contains (contents, "\nagent: claude\n");
  exitbox_test_assert_contains (contents, "\ncontainer: exitbox-claude-p-1\n");
  exitbox_test_assert_contains (contents, "\nimage: exitbox-claude-p:latest\n");
  exitbox_test_assert_contains (contents, "\nargv: 'podman' 'run' '--name' 'exitbox-claude-p-1'");
  exitbox_test_assert_contains (contents, "'\"source=/my project\"'");
  exitbox_test_assert_contains (contents, "\nend: ");
  g_assert_true (g_str_has_suffix (contents, "\nexit status: 7\n"));

  g_unsetenv ("EXITBOX_CACHE_DIR");
  exitbox_test_remove_tree (root);
}

static void
test_session_log_failure (void)
{
  g_autofree char *root = exitbox_test_make_tmpdir ("exitbox-log-XXXXXX");
  const char *argv[] = { "podman", "run", NULL };
  g_autoptr(ExitboxSessionLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  g_setenv ("EXITBOX_CACHE_DIR", root, TRUE);
  log = exitbox_session_log_begin ("/p", NULL, "exitbox-shell-p-2", NULL, argv, &error);
  g_assert_no_error (error);
  g_assert_true (exitbox_session_log_end (log, -1, "podman: not found", &error));
  g_assert_no_error (error);

  contents = exitbox_test_read_file (exitbox_session_log_get_path (log));
  exitbox_test_assert_contains (contents, "\nagent: shell\n");
  exitbox_test_assert_not_contains (contents, "image:");
  exitbox_test_assert_not_contains (contents, "exit status");
  g_assert_true (g_str_has_suffix (contents, "\nfailure: podman: not found\n"));

  g_unsetenv ("EXITBOX_CACHE_DIR");
  exitbox_test_remove_tree (root);
}

static void
set_mtime (const char *path,
           time_t      seconds)
{
  struct utimbuf times = { seconds, seconds };

  g_assert_cmpint (utime (path, &times), ==, 0);
}

static void
test_find_newest_file (void)
{
  g_autofree char *root = exitbox_test_make_tmpdir ("exitbox-newest-XXXXXX");
  g_autofree char *deep_dir = g_build_filename (root, "a", "b", NULL);
  g_autofree char *old_log = g_build_filename (root, "old.log", NULL);
  g_autofree char *deep_log = g_build_filename (deep_dir, "deep.log", NULL);
  g_autofree char *newer_text = g_build_filename (root, "newer.txt", NULL);
  g_autofree char *link = g_build_filename (root, "link.log", NULL);
  g_autofree char *missing = g_build_filename (root, "missing", NULL);
  g_autofree char *newest = NULL;
  g_autofree char *none = NULL;

  g_assert_cmpint (g_mkdir_with_parents (deep_dir, 0700), ==, 0);
  exitbox_test_write_file (old_log, "old");
  exitbox_test_write_file (deep_log, "deep");
  exitbox_test_write_file (newer_text, "not a log");
  set_mtime (old_log, 1000);
  set_mtime (deep_log, 2000);
  set_mtime (newer_text, 3000);
  /* A link is not followed, even when it looks newest. */
  g_assert_cmpint (symlink (old_log, link), ==, 0);

  newest = exitbox_find_newest_file (root, ".log");
  g_assert_cmpstr (newest, ==, deep_log);

  none = exitbox_find_newest_file (missing, ".log");
  g_assert_null (none);

  exitbox_test_remove_tree (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session-log/lines", test_session_log_lines);
  g_test_add_func ("/session-log/failure", test_session_log_failure);
  g_test_add_func ("/session-log/find-newest-file", test_find_newest_file);

  return g_test_run ();
}
