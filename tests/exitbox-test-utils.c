/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "exitbox-test-utils.h"

#define WAIT_LIMIT_SECONDS 60

char *
exitbox_test_read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

void
exitbox_test_write_file (const char *path,
                         const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

char *
exitbox_test_make_tmpdir (const char *name_template)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (name_template, &error);

  g_assert_no_error (error);
  return dir;
}

void
exitbox_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      exitbox_test_remove_tree (child);
    }

  g_rmdir (path);
}

guint
exitbox_test_count_folder_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint count = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    count++;

  return count;
}

void
exitbox_test_assert_contains (const char *text,
                              const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("Expected the text to contain «%s», but it is:\n%s", needle, text);
}

void
exitbox_test_assert_not_contains (const char *text,
                                  const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("Expected the text not to contain «%s», but it is:\n%s", needle, text);
}

char *
exitbox_test_load_engine_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "engine", name, NULL);

  return exitbox_test_read_file (path);
}

void
exitbox_test_make_fake_engine_dir (const char         *dir,
                                   const char * const *names)
{
  g_autofree char *fake = g_test_build_filename (G_TEST_DIST, "data", "engine", "fake-engine",
                                                NULL);

  /* Without the fake, PATH would lead to the real engine, and the test
   * would change the user's containers. A run outside "meson test" has no
   * G_TEST_SRCDIR and so no fake: stop it here.
   */
  if (!g_file_test (fake, G_FILE_TEST_IS_EXECUTABLE) || !g_path_is_absolute (fake))
    g_error ("The fake engine %s is missing. Run this test with “meson test”, which "
             "sets G_TEST_SRCDIR, so that it never reaches a real container engine.", fake);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *link = g_build_filename (dir, names[i], NULL);

      g_assert_cmpint (symlink (fake, link), ==, 0);
    }
}

void
exitbox_test_fake_engine_set_up (ExitboxTestFakeEngine *fake,
                                 const char            *folder,
                                 const char * const    *names)
{
  g_autofree char *path = NULL;

  fake->bin_dir = g_build_filename (folder, "bin", NULL);
  exitbox_test_make_fake_engine_dir (fake->bin_dir, names);
  fake->log_path = g_build_filename (folder, "argv.log", NULL);
  fake->saved_path = g_strdup (g_getenv ("PATH"));

  /* The fake needs cat, tr and sleep from the system folders. */
  path = g_strdup_printf ("%s:/usr/bin:/bin", fake->bin_dir);
  g_setenv ("PATH", path, TRUE);
  g_setenv ("EXITBOX_FAKE_LOG", fake->log_path, TRUE);
  g_setenv ("CONTAINER_RUNTIME", "podman", TRUE);
}

void
exitbox_test_fake_engine_tear_down (ExitboxTestFakeEngine *fake)
{
  g_setenv ("PATH", fake->saved_path, TRUE);
  g_setenv ("CONTAINER_RUNTIME", "", TRUE);
  g_unsetenv ("EXITBOX_FAKE_LOG");

  g_clear_pointer (&fake->bin_dir, g_free);
  g_clear_pointer (&fake->log_path, g_free);
  g_clear_pointer (&fake->saved_path, g_free);
}

void
exitbox_test_store_result (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_set_object (slot, result);
}

/* The limit turns a hang into a failure that names the cause, well before
 * meson's own test timeout. It is not a measure of speed.
 */
GAsyncResult *
exitbox_test_wait_for_result (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_SECONDS * G_USEC_PER_SEC;

  while (*slot == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("No result after %d seconds", WAIT_LIMIT_SECONDS);
      g_main_context_iteration (NULL, TRUE);
    }

  return *slot;
}

SoupServer *
exitbox_test_start_loopback_server (SoupServerCallback   callback,
                                    gpointer             user_data,
                                    char               **out_root_url)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  GSList *uris;

  soup_server_add_handler (server, NULL, callback, user_data, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  root = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_assert_true (g_str_has_prefix (root, "http://127.0.0.1:"));

  if (g_str_has_suffix (root, "/"))
    *out_root_url = g_steal_pointer (&root);
  else
    *out_root_url = g_strconcat (root, "/", NULL);

  return g_steal_pointer (&server);
}

gboolean
exitbox_test_skip_without_platform (const char *platform)
{
  if (platform != NULL)
    return FALSE;

  g_test_skip ("Claude Code is not published for this CPU architecture");
  return TRUE;
}
