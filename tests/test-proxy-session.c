/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * Session records in real folders, and the address picker.
 */

#include "exitbox-core.h"
#include "exitbox-test-utils.h"

static GPtrArray *
parse_entries (const char * const *texts)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_allowlist_entry_free);

  for (guint i = 0; texts[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      g_ptr_array_add (entries, exitbox_allowlist_entry_parse (texts[i], &error));
      g_assert_no_error (error);
    }

  return entries;
}

static void
test_proxy_session_round_trip (void)
{
  const char *texts[] = { "a.example.test", "b.example.test:8443", "[2001:db8::1]:443", NULL };
  g_autofree char *dir = exitbox_test_make_tmpdir ("exitbox-test-session-XXXXXX");
  g_autofree char *sessions_dir = g_build_filename (dir, "sessions", NULL);
  g_autoptr(GPtrArray) entries = parse_entries (texts);
  g_autoptr(ExitboxProxySession) first = NULL;
  g_autoptr(ExitboxProxySession) second = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  ExitboxProxySession *session;

  first = exitbox_proxy_session_new ("exitbox-shell-b-00000002", "10.89.1.253", entries);
  first->owner_pid = 4242;
  second = exitbox_proxy_session_new ("exitbox-shell-a-00000001", "10.89.1.254", NULL);

  g_assert_true (exitbox_proxy_session_save (first, sessions_dir, &error));
  g_assert_no_error (error);
  g_assert_true (exitbox_proxy_session_save (second, sessions_dir, &error));
  g_assert_no_error (error);

  loaded = exitbox_proxy_session_load_all (sessions_dir);
  g_assert_cmpuint (loaded->len, ==, 2);

  /* Sorted by name. */
  session = g_ptr_array_index (loaded, 0);
  g_assert_cmpstr (session->name, ==, "exitbox-shell-a-00000001");
  g_assert_cmpstr (session->address, ==, "10.89.1.254");
  g_assert_cmpuint (session->entries->len, ==, 0);

  session = g_ptr_array_index (loaded, 1);
  g_assert_cmpstr (session->name, ==, "exitbox-shell-b-00000002");
  g_assert_cmpstr (session->address, ==, "10.89.1.253");
  g_assert_cmpint (session->owner_pid, ==, 4242);
  g_assert_cmpuint (session->entries->len, ==, 3);
  for (guint i = 0; texts[i] != NULL; i++)
    {
      g_autofree char *text = exitbox_allowlist_entry_to_string (g_ptr_array_index (session->entries, i));

      g_assert_cmpstr (text, ==, texts[i]);
    }

  g_assert_true (exitbox_proxy_session_find_by_address (loaded, "10.89.1.253") == session);
  g_assert_null (exitbox_proxy_session_find_by_address (loaded, "10.89.1.9"));

  g_assert_true (exitbox_proxy_session_remove (sessions_dir, first->name, &error));
  g_assert_no_error (error);
  /* Removing twice is no error. */
  g_assert_true (exitbox_proxy_session_remove (sessions_dir, first->name, &error));
  g_assert_no_error (error);

  g_clear_pointer (&loaded, g_ptr_array_unref);
  loaded = exitbox_proxy_session_load_all (sessions_dir);
  g_assert_cmpuint (loaded->len, ==, 1);

  exitbox_test_remove_tree (dir);
}

static void
test_proxy_session_invalid_records (void)
{
  g_autofree char *dir = exitbox_test_make_tmpdir ("exitbox-test-session-XXXXXX");
  g_autofree char *bad_entry = g_build_filename (dir, "exitbox-bad-entry.session", NULL);
  g_autofree char *bad_address = g_build_filename (dir, "exitbox-bad-address.session", NULL);
  g_autofree char *other_file = g_build_filename (dir, "notes.txt", NULL);
  g_autoptr(ExitboxProxySession) traversal = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;

  /* An edited record must not pass a line break into squid.conf. */
  exitbox_test_write_file (bad_entry,
                           "[Session]\nAddress=10.89.1.5\nEntries=good.example.test;bad host;\n");
  exitbox_test_write_file (bad_address, "[Session]\nAddress=not-an-address\nEntries=\n");
  exitbox_test_write_file (other_file, "[Session]\nAddress=10.89.1.6\n");

  g_test_expect_message ("exitbox-core", G_LOG_LEVEL_WARNING, "*exitbox-bad-*");
  g_test_expect_message ("exitbox-core", G_LOG_LEVEL_WARNING, "*exitbox-bad-*");
  loaded = exitbox_proxy_session_load_all (dir);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (loaded->len, ==, 0);

  /* A name that would leave the folder is rejected. */
  traversal = exitbox_proxy_session_new ("../escape", "10.89.1.7", NULL);
  g_assert_false (exitbox_proxy_session_save (traversal, dir, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  exitbox_test_remove_tree (dir);
}

static void
test_proxy_session_missing_folder (void)
{
  g_autoptr(GPtrArray) loaded = exitbox_proxy_session_load_all ("/nonexistent/exitbox/sessions");

  g_assert_cmpuint (loaded->len, ==, 0);
}

static void
test_proxy_allocate_address (void)
{
  const char *none[] = { NULL };
  const char *top_used[] = { "10.89.1.254", "10.89.1.253", NULL };
  const char *small_used[] = { "192.0.2.2", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  address = exitbox_proxy_allocate_address ("10.89.1.0/24", none, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (address, ==, "10.89.1.254");
  g_clear_pointer (&address, g_free);

  address = exitbox_proxy_allocate_address ("10.89.1.0/24", top_used, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (address, ==, "10.89.1.252");
  g_clear_pointer (&address, g_free);

  /* A /16 counts down across the third byte. */
  address = exitbox_proxy_allocate_address ("172.16.0.0/16", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (address, ==, "172.16.255.254");
  g_clear_pointer (&address, g_free);

  /* A /30 has two host addresses: the gateway (.1) and one more (.2). */
  address = exitbox_proxy_allocate_address ("192.0.2.0/30", none, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (address, ==, "192.0.2.2");
  g_clear_pointer (&address, g_free);

  address = exitbox_proxy_allocate_address ("192.0.2.0/30", small_used, &error);
  g_assert_null (address);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  exitbox_test_assert_contains (error->message, "192.0.2.0/30");
  g_clear_error (&error);

  address = exitbox_proxy_allocate_address ("2001:db8::/64", none, &error);
  g_assert_null (address);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  address = exitbox_proxy_allocate_address ("not a subnet", none, &error);
  g_assert_null (address);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/proxy-session/round-trip", test_proxy_session_round_trip);
  g_test_add_func ("/proxy-session/invalid-records", test_proxy_session_invalid_records);
  g_test_add_func ("/proxy-session/missing-folder", test_proxy_session_missing_folder);
  g_test_add_func ("/proxy-session/allocate-address", test_proxy_allocate_address);

  return g_test_run ();
}
