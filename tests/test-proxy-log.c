/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * Blocked requests read from access logs written in the "exitbox"
 * logformat of the generated squid.conf.
 */

#include <stdio.h>

#include "exitbox-core.h"
#include "exitbox-test-utils.h"

static void
test_proxy_log_parse_line (void)
{
  g_autoptr(ExitboxBlockedRequest) connect = NULL;
  g_autoptr(ExitboxBlockedRequest) get = NULL;
  g_autoptr(ExitboxBlockedRequest) ipv6 = NULL;
  g_autoptr(ExitboxBlockedRequest) no_port = NULL;
  const char *not_blocked[] = {
    "1733355555.123 10.89.1.5 TCP_TUNNEL/200 CONNECT allowed.example.test 443",
    "1733355555.123 10.89.1.5 TCP_MISS/403 GET upstream-forbids.example.test 80",
    "1733355555.123 10.89.1.5 TCP_DENIED/407 GET proxy-auth.example.test 80",
    /* Squid's default "squid" format, from a proxy of an older version. */
    "1733355555.123      0 10.89.1.5 TCP_DENIED/403 3900 CONNECT x.test:443 - HIER_NONE/- text/html",
    "garbage",
    "",
    "notatime 10.89.1.5 TCP_DENIED/403 GET x.test 80",
    "1733355555.123 not-an-address TCP_DENIED/403 GET x.test 80",
    "1733355555.123 10.89.1.5 TCP_DENIED/403 GET x.test 99999",
  };

  connect = exitbox_blocked_request_parse_line (
    "1733355555.123 10.89.1.5 TCP_DENIED/403 CONNECT blocked.example.test 443");
  g_assert_nonnull (connect);
  g_assert_cmpint (connect->time, ==, G_GINT64_CONSTANT (1733355555123000));
  g_assert_cmpstr (connect->client, ==, "10.89.1.5");
  g_assert_null (connect->session);
  g_assert_cmpstr (connect->method, ==, "CONNECT");
  g_assert_cmpstr (connect->host, ==, "blocked.example.test");
  g_assert_cmpuint (connect->port, ==, 443);

  get = exitbox_blocked_request_parse_line (
    "1733355556.007 10.89.1.6 TCP_DENIED/403 GET 169.254.169.254 80\n");
  g_assert_nonnull (get);
  g_assert_cmpint (get->time, ==, G_GINT64_CONSTANT (1733355556007000));
  g_assert_cmpstr (get->method, ==, "GET");
  g_assert_cmpstr (get->host, ==, "169.254.169.254");
  g_assert_cmpuint (get->port, ==, 80);

  ipv6 = exitbox_blocked_request_parse_line (
    "1733355557.000 10.89.1.6 TCP_DENIED/403 CONNECT [2001:db8::1] 8443");
  g_assert_nonnull (ipv6);
  g_assert_cmpstr (ipv6->host, ==, "2001:db8::1");
  g_assert_cmpuint (ipv6->port, ==, 8443);

  no_port = exitbox_blocked_request_parse_line (
    "1733355557.000 10.89.1.6 NONE_DENIED/403 GET x.test -");
  g_assert_nonnull (no_port);
  g_assert_cmpuint (no_port->port, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (not_blocked); i++)
    {
      g_autoptr(ExitboxBlockedRequest) request = exitbox_blocked_request_parse_line (not_blocked[i]);

      g_test_message ("line: %s", not_blocked[i]);
      g_assert_null (request);
    }
}

static void
on_blocked_request (ExitboxProxyLog             *log,
                    const ExitboxBlockedRequest *request,
                    gpointer                     user_data)
{
  GPtrArray *hosts = user_data;

  g_ptr_array_add (hosts, g_strdup (request->host));
}

static void
append_to_file (const char *path,
                const char *text)
{
  FILE *file = fopen (path, "a");

  g_assert_nonnull (file);
  g_assert_cmpint (fputs (text, file), >=, 0);
  g_assert_cmpint (fclose (file), ==, 0);
}

static void
test_proxy_log_read_new_lines (void)
{
  g_autofree char *dir = exitbox_test_make_tmpdir ("exitbox-test-proxy-log-XXXXXX");
  g_autofree char *log_path = g_build_filename (dir, "access.log", NULL);
  g_autofree char *cache_dir = g_build_filename (dir, "cache", NULL);
  g_autofree char *history_path = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(ExitboxProxyLog) log = NULL;
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GPtrArray *requests;

  g_setenv ("EXITBOX_CACHE_DIR", cache_dir, TRUE);
  history_path = exitbox_proxy_dup_history_path ();
  history = exitbox_proxy_history_load (history_path);
  exitbox_proxy_history_start (history, "exitbox-shell-project-0000beef", "10.89.1.254",
                               G_GINT64_CONSTANT (1733355000) * G_USEC_PER_SEC);
  g_assert_true (exitbox_proxy_history_save (history, history_path, &error));
  g_assert_no_error (error);

  log = exitbox_proxy_log_new (log_path);
  g_signal_connect (log, "blocked-request", G_CALLBACK (on_blocked_request), hosts);

  /* No log yet: the proxy has not written one. */
  g_assert_true (exitbox_proxy_log_read_new_lines (log, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (exitbox_proxy_log_get_blocked_requests (log)->len, ==, 0);

  /* The last line is incomplete, so it waits for the next read. */
  append_to_file (log_path,
                  "1733355555.000 10.89.1.254 TCP_DENIED/403 CONNECT one.example.test 443\n"
                  "1733355555.100 10.89.1.254 TCP_TUNNEL/200 CONNECT allowed.example.test 443\n"
                  "1733355555.200 10.89.1.9 TCP_DENIED/403 GET two.example");
  g_assert_true (exitbox_proxy_log_read_new_lines (log, &error));
  g_assert_no_error (error);
  requests = exitbox_proxy_log_get_blocked_requests (log);
  g_assert_cmpuint (requests->len, ==, 1);
  g_assert_cmpstr (((ExitboxBlockedRequest *) g_ptr_array_index (requests, 0))->session, ==,
                   "exitbox-shell-project-0000beef");
  g_assert_cmpuint (hosts->len, ==, 1);

  append_to_file (log_path, ".test 80\n");
  g_assert_true (exitbox_proxy_log_read_new_lines (log, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_cmpstr (((ExitboxBlockedRequest *) g_ptr_array_index (requests, 1))->host, ==,
                   "two.example.test");
  /* No session held this address. */
  g_assert_null (((ExitboxBlockedRequest *) g_ptr_array_index (requests, 1))->session);
  g_assert_cmpstr (((ExitboxBlockedRequest *) g_ptr_array_index (requests, 1))->client, ==,
                   "10.89.1.9");

  /* Nothing new: nothing is read twice. */
  g_assert_true (exitbox_proxy_log_read_new_lines (log, &error));
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_cmpuint (hosts->len, ==, 2);

  /* A rotated log is shorter than what was read, so it is read from the start. */
  exitbox_test_write_file (log_path,
                           "1733355600.000 10.89.1.254 TCP_DENIED/403 GET three.test 80\n");
  g_assert_true (exitbox_proxy_log_read_new_lines (log, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (requests->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (hosts, 2), ==, "three.test");

  g_unsetenv ("EXITBOX_CACHE_DIR");
  exitbox_test_remove_tree (dir);
}

/* Two sessions held 10.89.1.254 one after the other. The log has a line
 * from each, one from the gap between them, one from before the first and
 * one from a third session that still runs at 10.89.1.253.
 */
static void
test_proxy_log_session_by_time (void)
{
  g_autofree char *dir = exitbox_test_make_tmpdir ("exitbox-test-proxy-log-XXXXXX");
  g_autofree char *log_path = g_build_filename (dir, "access.log", NULL);
  g_autofree char *cache_dir = g_build_filename (dir, "cache", NULL);
  g_autofree char *history_path = NULL;
  g_autoptr(ExitboxProxyLog) log = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *requests;

  g_setenv ("EXITBOX_CACHE_DIR", cache_dir, TRUE);
  history_path = exitbox_proxy_dup_history_path ();
  {
    g_autofree char *proxy_dir = g_path_get_dirname (history_path);

    g_assert_cmpint (g_mkdir_with_parents (proxy_dir, 0700), ==, 0);
  }
  exitbox_test_write_file (history_path,
                           "# start end address name\n"
                           "1733360000000000 1733360600000000 10.89.1.254 exitbox-shell-old-0000aaaa\n"
                           "1733361000000000 0 10.89.1.254 exitbox-shell-new-c24f206d\n"
                           "1733359000000000 0 10.89.1.253 exitbox-shell-other-0000cccc\n");
  exitbox_test_write_file (log_path,
                           "1733359999.999 10.89.1.254 TCP_DENIED/403 GET before.test 80\n"
                           "1733360300.000 10.89.1.254 TCP_DENIED/403 GET first.test 80\n"
                           "1733360800.000 10.89.1.254 TCP_DENIED/403 GET between.test 80\n"
                           "1733361990.000 10.89.1.254 TCP_DENIED/403 GET second.test 80\n"
                           "1733361990.500 10.89.1.253 TCP_DENIED/403 GET other.test 80\n");

  log = exitbox_proxy_log_new (log_path);
  g_assert_true (exitbox_proxy_log_read_new_lines (log, &error));
  g_assert_no_error (error);
  requests = exitbox_proxy_log_get_blocked_requests (log);
  g_assert_cmpuint (requests->len, ==, 5);

  g_assert_null (((ExitboxBlockedRequest *) g_ptr_array_index (requests, 0))->session);
  g_assert_cmpstr (((ExitboxBlockedRequest *) g_ptr_array_index (requests, 1))->session, ==,
                   "exitbox-shell-old-0000aaaa");
  g_assert_null (((ExitboxBlockedRequest *) g_ptr_array_index (requests, 2))->session);
  g_assert_cmpstr (((ExitboxBlockedRequest *) g_ptr_array_index (requests, 2))->client, ==,
                   "10.89.1.254");
  g_assert_cmpstr (((ExitboxBlockedRequest *) g_ptr_array_index (requests, 3))->session, ==,
                   "exitbox-shell-new-c24f206d");
  g_assert_cmpstr (((ExitboxBlockedRequest *) g_ptr_array_index (requests, 4))->session, ==,
                   "exitbox-shell-other-0000cccc");

  g_unsetenv ("EXITBOX_CACHE_DIR");
  exitbox_test_remove_tree (dir);
}

static void
test_proxy_log_first_time (void)
{
  g_autofree char *dir = exitbox_test_make_tmpdir ("exitbox-test-proxy-log-XXXXXX");
  g_autofree char *log_path = g_build_filename (dir, "access.log", NULL);
  gint64 time = 0;

  g_assert_false (exitbox_proxy_log_read_first_time (log_path, &time));

  exitbox_test_write_file (log_path, "");
  g_assert_false (exitbox_proxy_log_read_first_time (log_path, &time));

  exitbox_test_write_file (log_path, "not a time\n");
  g_assert_false (exitbox_proxy_log_read_first_time (log_path, &time));

  exitbox_test_write_file (log_path,
                           "1733360300.250 10.89.1.254 TCP_TUNNEL/200 CONNECT a.test 443\n"
                           "1733360400.000 10.89.1.254 TCP_DENIED/403 GET b.test 80\n");
  g_assert_true (exitbox_proxy_log_read_first_time (log_path, &time));
  g_assert_cmpint (time, ==, G_GINT64_CONSTANT (1733360300250000));

  exitbox_test_remove_tree (dir);
}

static void
test_proxy_log_keeps_maximum (void)
{
  g_autofree char *dir = exitbox_test_make_tmpdir ("exitbox-test-proxy-log-XXXXXX");
  g_autofree char *log_path = g_build_filename (dir, "access.log", NULL);
  g_autoptr(ExitboxProxyLog) log = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  GPtrArray *requests;

  for (guint i = 0; i < EXITBOX_PROXY_LOG_MAX_REQUESTS + 5; i++)
    g_string_append_printf (text, "1733355555.000 10.89.1.5 TCP_DENIED/403 GET host-%u.test 80\n", i);
  exitbox_test_write_file (log_path, text->str);

  log = exitbox_proxy_log_new (log_path);
  g_assert_true (exitbox_proxy_log_read_new_lines (log, &error));
  g_assert_no_error (error);

  requests = exitbox_proxy_log_get_blocked_requests (log);
  g_assert_cmpuint (requests->len, ==, EXITBOX_PROXY_LOG_MAX_REQUESTS);
  g_assert_cmpstr (((ExitboxBlockedRequest *) g_ptr_array_index (requests, 0))->host, ==,
                   "host-5.test");

  exitbox_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/proxy-log/parse-line", test_proxy_log_parse_line);
  g_test_add_func ("/proxy-log/read-new-lines", test_proxy_log_read_new_lines);
  g_test_add_func ("/proxy-log/keeps-maximum", test_proxy_log_keeps_maximum);
  g_test_add_func ("/proxy-log/session-by-time", test_proxy_log_session_by_time);
  g_test_add_func ("/proxy-log/first-time", test_proxy_log_first_time);

  return g_test_run ();
}
