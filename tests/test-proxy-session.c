/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * Session records and the session history in real folders, and the
 * address picker.
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

#define SECOND(n) ((gint64) (n) * G_USEC_PER_SEC)

static ExitboxProxyHistoryEntry *
history_entry (GPtrArray *history,
               guint      index)
{
  g_assert_cmpuint (index, <, history->len);
  return g_ptr_array_index (history, index);
}

static void
test_proxy_history_round_trip (void)
{
  g_autofree char *dir = exitbox_test_make_tmpdir ("exitbox-test-session-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "proxy", "session-history", NULL);
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;

  /* A missing file is an empty history. */
  history = exitbox_proxy_history_load (path);
  g_assert_cmpuint (history->len, ==, 0);

  exitbox_proxy_history_start (history, "exitbox-shell-a-00000001", "10.89.1.254", SECOND (100));
  exitbox_proxy_history_start (history, "exitbox-shell-b-00000002", "10.89.1.253", SECOND (110));
  g_assert_true (exitbox_proxy_history_end (history, "exitbox-shell-a-00000001", SECOND (200)));
  /* A session that is not open ends nothing. */
  g_assert_false (exitbox_proxy_history_end (history, "exitbox-shell-a-00000001", SECOND (300)));
  g_assert_false (exitbox_proxy_history_end (history, "exitbox-shell-c-00000003", SECOND (300)));

  g_assert_true (exitbox_proxy_history_save (history, path, &error));
  g_assert_no_error (error);

  loaded = exitbox_proxy_history_load (path);
  g_assert_cmpuint (loaded->len, ==, 2);
  g_assert_cmpstr (history_entry (loaded, 0)->name, ==, "exitbox-shell-a-00000001");
  g_assert_cmpstr (history_entry (loaded, 0)->address, ==, "10.89.1.254");
  g_assert_cmpint (history_entry (loaded, 0)->start, ==, SECOND (100));
  g_assert_cmpint (history_entry (loaded, 0)->end, ==, SECOND (200));
  g_assert_cmpstr (history_entry (loaded, 1)->name, ==, "exitbox-shell-b-00000002");
  g_assert_cmpint (history_entry (loaded, 1)->start, ==, SECOND (110));
  g_assert_cmpint (history_entry (loaded, 1)->end, ==, 0);

  exitbox_test_remove_tree (dir);
}

static void
test_proxy_history_invalid_lines (void)
{
  g_autofree char *dir = exitbox_test_make_tmpdir ("exitbox-test-session-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "session-history", NULL);
  g_autoptr(GPtrArray) history = NULL;

  exitbox_test_write_file (path,
                           "# comment\n"
                           "\n"
                           "300 0 10.89.1.250 exitbox-shell-late-00000001\n"
                           "100 50 10.89.1.251 exitbox-shell-ends-before-start\n"
                           "100 200 not-an-address exitbox-shell-x\n"
                           "100 200 10.89.1.252 ../escape\n"
                           "100 200 10.89.1.253\n"
                           "-5 200 10.89.1.254 exitbox-shell-negative\n"
                           "100 200 10.89.1.255 exitbox-shell-early-00000002\n");

  g_test_expect_message ("exitbox-core", G_LOG_LEVEL_WARNING, "*5 invalid lines*");
  history = exitbox_proxy_history_load (path);
  g_test_assert_expected_messages ();

  /* The valid lines remain, sorted by start. */
  g_assert_cmpuint (history->len, ==, 2);
  g_assert_cmpstr (history_entry (history, 0)->name, ==, "exitbox-shell-early-00000002");
  g_assert_cmpstr (history_entry (history, 1)->name, ==, "exitbox-shell-late-00000001");

  exitbox_test_remove_tree (dir);
}

static void
test_proxy_history_reused_address (void)
{
  g_autoptr(GPtrArray) history = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_proxy_history_entry_free);

  /* The first session's end was never recorded, as after a crash. */
  exitbox_proxy_history_start (history, "exitbox-shell-old-0000aaaa", "10.89.1.254", SECOND (100));
  exitbox_proxy_history_start (history, "exitbox-shell-new-c24f206d", "10.89.1.254", SECOND (500));

  g_assert_cmpuint (history->len, ==, 2);
  g_assert_cmpint (history_entry (history, 0)->end, ==, SECOND (500));
  g_assert_cmpint (history_entry (history, 1)->end, ==, 0);

  g_assert_null (exitbox_proxy_history_find (history, "10.89.1.254", SECOND (99)));
  g_assert_cmpstr (exitbox_proxy_history_find (history, "10.89.1.254", SECOND (300)), ==,
                   "exitbox-shell-old-0000aaaa");
  /* At the moment of the handover the newer session wins. */
  g_assert_cmpstr (exitbox_proxy_history_find (history, "10.89.1.254", SECOND (500)), ==,
                   "exitbox-shell-new-c24f206d");
  g_assert_cmpstr (exitbox_proxy_history_find (history, "10.89.1.254", SECOND (900)), ==,
                   "exitbox-shell-new-c24f206d");
  g_assert_null (exitbox_proxy_history_find (history, "10.89.1.253", SECOND (300)));
  g_assert_null (exitbox_proxy_history_find (history, NULL, SECOND (300)));
}

static void
test_proxy_history_gap (void)
{
  g_autoptr(GPtrArray) history = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_proxy_history_entry_free);

  exitbox_proxy_history_start (history, "exitbox-shell-old-0000aaaa", "10.89.1.254", SECOND (100));
  g_assert_true (exitbox_proxy_history_end (history, "exitbox-shell-old-0000aaaa", SECOND (200)));
  exitbox_proxy_history_start (history, "exitbox-shell-new-c24f206d", "10.89.1.254", SECOND (400));

  /* The first entry kept its own end. */
  g_assert_cmpint (history_entry (history, 0)->end, ==, SECOND (200));
  g_assert_cmpstr (exitbox_proxy_history_find (history, "10.89.1.254", SECOND (200)), ==,
                   "exitbox-shell-old-0000aaaa");
  g_assert_null (exitbox_proxy_history_find (history, "10.89.1.254", SECOND (300)));
  g_assert_cmpstr (exitbox_proxy_history_find (history, "10.89.1.254", SECOND (400)), ==,
                   "exitbox-shell-new-c24f206d");
}

static void
test_proxy_history_prune (void)
{
  g_autoptr(GPtrArray) history = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_proxy_history_entry_free);
  char name[64];

  exitbox_proxy_history_start (history, "exitbox-shell-ended-00000001", "10.89.1.250", SECOND (10));
  exitbox_proxy_history_end (history, "exitbox-shell-ended-00000001", SECOND (20));
  exitbox_proxy_history_start (history, "exitbox-shell-at-cutoff-00000002", "10.89.1.251", SECOND (10));
  exitbox_proxy_history_end (history, "exitbox-shell-at-cutoff-00000002", SECOND (30));
  exitbox_proxy_history_start (history, "exitbox-shell-running-00000003", "10.89.1.252", SECOND (5));

  exitbox_proxy_history_prune (history, SECOND (30));

  /* An entry that ended before the cutoff is dropped, and a running one stays. */
  g_assert_cmpuint (history->len, ==, 2);
  g_assert_cmpstr (history_entry (history, 0)->name, ==, "exitbox-shell-running-00000003");
  g_assert_cmpstr (history_entry (history, 1)->name, ==, "exitbox-shell-at-cutoff-00000002");

  /* Past the maximum count the oldest entries go. */
  for (guint i = 0; i < EXITBOX_PROXY_HISTORY_MAX_ENTRIES; i++)
    {
      g_snprintf (name, sizeof name, "exitbox-shell-many-%08u", i);
      exitbox_proxy_history_start (history, name, "10.89.1.200", SECOND (100 + i));
    }
  exitbox_proxy_history_prune (history, SECOND (30));

  g_assert_cmpuint (history->len, ==, EXITBOX_PROXY_HISTORY_MAX_ENTRIES);
  g_assert_cmpstr (history_entry (history, 0)->name, ==, "exitbox-shell-many-00000000");
  g_assert_cmpstr (history_entry (history, history->len - 1)->name, ==,
                   "exitbox-shell-many-00000999");
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
  g_test_add_func ("/proxy-history/round-trip", test_proxy_history_round_trip);
  g_test_add_func ("/proxy-history/invalid-lines", test_proxy_history_invalid_lines);
  g_test_add_func ("/proxy-history/reused-address", test_proxy_history_reused_address);
  g_test_add_func ("/proxy-history/gap", test_proxy_history_gap);
  g_test_add_func ("/proxy-history/prune", test_proxy_history_prune);

  return g_test_run ();
}
