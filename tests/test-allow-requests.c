/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* Runtime allow requests: the request files, the watched folder, and the
 * listener served over its real Unix socket, with the firewall driven by
 * the fake engine (no proxy runs, so approvals change only the files).
 */

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "exitbox-core.h"
#include "exitbox-test-utils.h"

#define SESSION_NAME "exitbox-claude-demo-0a1b2c3d"
#define PROJECT_PATH "/home/user/projects/demo"

typedef struct
{
  char                  *tmpdir;
  char                  *requests_dir;
  char                  *allowlist_path;
  ExitboxTestFakeEngine  fake;
  ExitboxEngine         *engine;
  ExitboxFirewall       *firewall;
  ExitboxAllowListener  *listener;
  SoupSession           *session;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  const char *names[] = { "podman", NULL };
  g_autoptr(ExitboxConfig) config = exitbox_config_new_default ();
  g_autoptr(ExitboxImageBuilder) images = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *objects = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *config_dir = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *socket_path = NULL;
  g_autoptr(GError) error = NULL;

  exitbox_core_init ();

  fixture->tmpdir = exitbox_test_make_tmpdir ("exitbox-test-allow-XXXXXX");
  objects = g_build_filename (fixture->tmpdir, "objects", NULL);
  for (guint i = 0; i < 3; i++)
    {
      const char *kinds[] = { "container", "image", "network" };
      g_autofree char *dir = g_build_filename (objects, kinds[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    }

  exitbox_test_fake_engine_set_up (&fixture->fake, fixture->tmpdir, names);
  g_setenv ("EXITBOX_FAKE_OBJECTS", objects, TRUE);
  g_setenv ("EXITBOX_FAKE_STATUS", "0", TRUE);
  g_setenv ("EXITBOX_SQUID_DNS", "10.89.0.1", TRUE);
  cache = g_build_filename (fixture->tmpdir, "cache", NULL);
  g_setenv ("EXITBOX_CACHE_DIR", cache, TRUE);
  config_dir = g_build_filename (fixture->tmpdir, "config", NULL);
  g_setenv ("EXITBOX_CONFIG_DIR", config_dir, TRUE);
  runtime = g_build_filename (fixture->tmpdir, "run", NULL);
  g_setenv ("EXITBOX_RUNTIME_DIR", runtime, TRUE);
  g_unsetenv ("EXITBOX_ALLOW_TIMEOUT");

  fixture->requests_dir = exitbox_allow_dup_requests_dir ();
  fixture->allowlist_path = g_build_filename (config_dir, "allowlist.yaml", NULL);
  exitbox_test_write_file (fixture->allowlist_path,
                           "version: 1\n"
                           "development:\n"
                           "  - github.com\n"
                           "custom:\n"
                           "  # added by hand\n"
                           "  - example.org\n");

  fixture->engine = exitbox_engine_detect (&error);
  g_assert_no_error (error);
  images = exitbox_image_builder_new (fixture->engine, config);
  fixture->firewall = exitbox_firewall_new (fixture->engine, images);

  fixture->listener = exitbox_allow_listener_new (fixture->firewall, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->listener);

  socket_path = g_build_filename (exitbox_allow_listener_get_folder (fixture->listener),
                                  EXITBOX_ALLOW_SOCKET_NAME, NULL);
  address = g_unix_socket_address_new (socket_path);
  fixture->session = soup_session_new_with_options ("remote-connectable", address, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->listener);
  /* libsoup frees closed connections from the main context. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&fixture->firewall);
  g_clear_object (&fixture->engine);
  exitbox_test_fake_engine_tear_down (&fixture->fake);
  g_unsetenv ("EXITBOX_FAKE_OBJECTS");
  g_unsetenv ("EXITBOX_FAKE_STATUS");
  g_unsetenv ("EXITBOX_SQUID_DNS");
  g_unsetenv ("EXITBOX_CACHE_DIR");
  g_unsetenv ("EXITBOX_CONFIG_DIR");
  g_unsetenv ("EXITBOX_RUNTIME_DIR");
  exitbox_test_remove_tree (fixture->tmpdir);
  g_free (fixture->tmpdir);
  g_free (fixture->requests_dir);
  g_free (fixture->allowlist_path);
}

/* Saves the firewall record of SESSION_NAME, owned by this process. */
static void
save_session_record (void)
{
  g_autofree char *dir = exitbox_proxy_dup_sessions_dir ();
  g_autoptr(ExitboxProxySession) session = exitbox_proxy_session_new (SESSION_NAME, "10.89.0.250",
                                                                      NULL);
  g_autoptr(GError) error = NULL;

  session->owner_pid = getpid ();
  g_assert_true (exitbox_proxy_session_save (session, dir, &error));
  g_assert_no_error (error);
}

static char *
read_session_record (void)
{
  g_autofree char *dir = exitbox_proxy_dup_sessions_dir ();
  g_autofree char *path = g_build_filename (dir, SESSION_NAME ".session", NULL);

  return exitbox_test_read_file (path);
}

static void
set_session (Fixture *fixture)
{
  exitbox_allow_listener_set_session (fixture->listener, SESSION_NAME, "claude", PROJECT_PATH);
}

/* A request in flight from the fake container. */
typedef struct
{
  SoupMessage  *message;
  GAsyncResult *result;
} Exchange;

static void
exchange_clear (Exchange *exchange)
{
  g_clear_object (&exchange->message);
  g_clear_object (&exchange->result);
}

/* Sends @entry from a fake container; finish_request() returns the body. */
static void
start_request (Fixture    *fixture,
               const char *entry,
               Exchange   *exchange)
{
  g_autofree char *body = entry != NULL ? soup_form_encode ("entry", entry, NULL) : g_strdup ("");
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  exchange->message = soup_message_new (SOUP_METHOD_POST, "http://localhost/allow");
  soup_message_set_request_body_from_bytes (exchange->message,
                                            "application/x-www-form-urlencoded", bytes);
  soup_session_send_and_read_async (fixture->session, exchange->message, G_PRIORITY_DEFAULT,
                                    NULL, exitbox_test_store_result, &exchange->result);
}

static char *
finish_request (Fixture  *fixture,
                Exchange *exchange)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = soup_session_send_and_read_finish (fixture->session,
                                             exitbox_test_wait_for_result (&exchange->result),
                                             &error);
  g_assert_no_error (error);

  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static char *
request (Fixture    *fixture,
         const char *entry,
         guint      *out_status)
{
  Exchange exchange = { 0 };
  char *body;

  start_request (fixture, entry, &exchange);
  body = finish_request (fixture, &exchange);
  *out_status = soup_message_get_status (exchange.message);
  exchange_clear (&exchange);

  return body;
}

/* Runs the main context until a request is pending in the folder, for at
 * most 20 seconds, and returns it.
 */
static ExitboxAllowRequest *
wait_for_pending (Fixture *fixture)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      g_autoptr(GPtrArray) pending = exitbox_allow_requests_load_pending (fixture->requests_dir);

      if (pending->len > 0)
        return exitbox_allow_request_copy (g_ptr_array_index (pending, 0));

      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }

  g_assert_not_reached ();
}

static void
test_allow_describe_entry (void)
{
  struct { const char *text; const char *expected; } cases[] = {
    { "example.com", "Allow example.com and its subdomains on ports 443 and 80" },
    { "example.com:8443", "Allow example.com and its subdomains on port 8443" },
    { "192.0.2.7", "Allow the address 192.0.2.7 on ports 443 and 80" },
    { "[2001:db8::1]:8080", "Allow the address 2001:db8::1 on port 8080" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxAllowlistEntry) entry = exitbox_allowlist_entry_parse (cases[i].text, &error);
      g_autofree char *description = NULL;

      g_assert_no_error (error);
      description = exitbox_allow_describe_entry (entry);
      g_assert_cmpstr (description, ==, cases[i].expected);
    }
}

static ExitboxAllowRequest *
new_request (const char *id,
             gint64      pid,
             gint64      deadline)
{
  ExitboxAllowRequest *request = g_new0 (ExitboxAllowRequest, 1);

  request->id = g_strdup (id);
  request->session = g_strdup (SESSION_NAME);
  request->agent = g_strdup ("claude");
  request->project = g_strdup (PROJECT_PATH);
  request->entry = g_strdup ("example.com");
  request->rule = g_strdup ("Allow example.com and its subdomains on ports 443 and 80");
  request->created = g_get_real_time () / G_USEC_PER_SEC;
  request->deadline = deadline;
  request->pid = pid;

  return request;
}

static void
test_allow_request_round_trip (Fixture       *fixture,
                               gconstpointer  user_data)
{
  gint64 later = g_get_real_time () / G_USEC_PER_SEC + 100;
  g_autoptr(ExitboxAllowRequest) request = new_request ("0123abcd", getpid (), later);
  g_autoptr(ExitboxAllowRequest) loaded = NULL;
  g_autofree char *path = g_build_filename (fixture->requests_dir, "0123abcd.json", NULL);
  g_autoptr(GError) error = NULL;
  GStatBuf info;

  g_assert_true (exitbox_allow_request_save (request, fixture->requests_dir, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);

  loaded = exitbox_allow_request_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->id, ==, "0123abcd");
  g_assert_cmpstr (loaded->session, ==, SESSION_NAME);
  g_assert_cmpstr (loaded->agent, ==, "claude");
  g_assert_cmpstr (loaded->project, ==, PROJECT_PATH);
  g_assert_cmpstr (loaded->entry, ==, "example.com");
  g_assert_cmpstr (loaded->rule, ==, request->rule);
  g_assert_cmpint (loaded->deadline, ==, later);
  g_assert_cmpint (loaded->pid, ==, getpid ());
}

static void
test_allow_request_invalid_file (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->requests_dir, "0badf00d.json", NULL);
  g_autoptr(ExitboxAllowRequest) loaded = NULL;
  g_autoptr(GError) error = NULL;

  exitbox_test_write_file (path, "{\"id\": \"../../etc\", \"session\": \"x\"}");
  loaded = exitbox_allow_request_load (path, &error);

  g_assert_null (loaded);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  exitbox_test_assert_contains (error->message, path);
}

/* The pid of a child that has exited and been reaped, so no process has it. */
static gint64
dup_dead_pid (void)
{
  pid_t pid = fork ();
  int status;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (0);

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);

  return pid;
}

static void
test_allow_pending_skips_stale (Fixture       *fixture,
                                gconstpointer  user_data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(ExitboxAllowRequest) live = new_request ("00000001", getpid (), now + 100);
  g_autoptr(ExitboxAllowRequest) expired = new_request ("00000002", getpid (), now - 1);
  g_autoptr(ExitboxAllowRequest) orphan = new_request ("00000003", dup_dead_pid (), now + 100);
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (exitbox_allow_request_save (live, fixture->requests_dir, &error));
  g_assert_true (exitbox_allow_request_save (expired, fixture->requests_dir, &error));
  g_assert_true (exitbox_allow_request_save (orphan, fixture->requests_dir, &error));
  g_assert_no_error (error);

  pending = exitbox_allow_requests_load_pending (fixture->requests_dir);

  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpstr (((ExitboxAllowRequest *) g_ptr_array_index (pending, 0))->id, ==, "00000001");
}

static void
test_allow_answer_file (Fixture       *fixture,
                        gconstpointer  user_data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(ExitboxAllowRequest) live = new_request ("00000001", getpid (), now + 100);
  g_autofree char *path = g_build_filename (fixture->requests_dir, "00000001.answer", NULL);
  g_autoptr(GError) error = NULL;
  ExitboxAllowAnswer answer = EXITBOX_ALLOW_ANSWER_DENY;
  GStatBuf info;

  g_assert_false (exitbox_allow_requests_write_answer (fixture->requests_dir, "00000001",
                                                       EXITBOX_ALLOW_ANSWER_ALWAYS, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (exitbox_allow_request_save (live, fixture->requests_dir, &error));
  g_assert_false (exitbox_allow_requests_read_answer (fixture->requests_dir, "00000001", &answer,
                                                      &error));
  g_assert_no_error (error);

  g_assert_true (exitbox_allow_requests_write_answer (fixture->requests_dir, "00000001",
                                                      EXITBOX_ALLOW_ANSWER_ALWAYS, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);

  g_assert_true (exitbox_allow_requests_read_answer (fixture->requests_dir, "00000001", &answer,
                                                     &error));
  g_assert_no_error (error);
  g_assert_cmpint (answer, ==, EXITBOX_ALLOW_ANSWER_ALWAYS);

  exitbox_test_write_file (path, "yes\n");
  g_assert_false (exitbox_allow_requests_read_answer (fixture->requests_dir, "00000001", &answer,
                                                      &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
on_request_added (ExitboxAllowRequests *requests,
                  ExitboxAllowRequest  *request,
                  GPtrArray            *added)
{
  g_ptr_array_add (added, g_strdup (request->id));
}

static void
on_request_removed (ExitboxAllowRequests *requests,
                    const char           *id,
                    GPtrArray            *removed)
{
  g_ptr_array_add (removed, g_strdup (id));
}

static void
wait_for_count (GPtrArray *array,
                guint      count)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (array->len < count && g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }

  g_assert_cmpuint (array->len, ==, count);
}

static void
test_allow_requests_monitor (Fixture       *fixture,
                             gconstpointer  user_data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(ExitboxAllowRequest) request = new_request ("00c0ffee", getpid (), now + 100);
  g_autoptr(ExitboxAllowRequests) requests = NULL;
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  requests = exitbox_allow_requests_new (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (exitbox_allow_requests_get_pending (requests)->len, ==, 0);
  g_signal_connect (requests, "request-added", G_CALLBACK (on_request_added), added);
  g_signal_connect (requests, "request-removed", G_CALLBACK (on_request_removed), removed);

  g_assert_true (exitbox_allow_request_save (request, fixture->requests_dir, &error));
  g_assert_no_error (error);
  wait_for_count (added, 1);
  g_assert_cmpstr (g_ptr_array_index (added, 0), ==, "00c0ffee");
  g_assert_cmpuint (exitbox_allow_requests_get_pending (requests)->len, ==, 1);

  g_assert_true (exitbox_allow_requests_answer (requests, "00c0ffee", EXITBOX_ALLOW_ANSWER_DENY,
                                                &error));
  g_assert_no_error (error);

  exitbox_allow_request_remove (fixture->requests_dir, "00c0ffee");
  wait_for_count (removed, 1);
  g_assert_cmpstr (g_ptr_array_index (removed, 0), ==, "00c0ffee");
  g_assert_cmpuint (exitbox_allow_requests_get_pending (requests)->len, ==, 0);
  g_assert_cmpuint (exitbox_test_count_folder_entries (fixture->requests_dir), ==, 0);
}

static void
test_allow_listener_before_session (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autofree char *body = NULL;
  guint status;

  body = request (fixture, "example.com", &status);

  g_assert_cmpuint (status, ==, SOUP_STATUS_SERVICE_UNAVAILABLE);
  exitbox_test_assert_contains (body, "not running yet");
}

static void
test_allow_listener_invalid_entry (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  g_autofree char *body = NULL;
  g_autofree char *missing = NULL;
  guint status;

  set_session (fixture);

  body = request (fixture, "exa mple.com", &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_BAD_REQUEST);
  exitbox_test_assert_contains (body, "exa mple.com");

  missing = request (fixture, NULL, &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_BAD_REQUEST);
  exitbox_test_assert_contains (missing, "entry=");

  g_assert_cmpuint (exitbox_test_count_folder_entries (fixture->requests_dir), ==, 0);
}

static void
test_allow_listener_already_allowed (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_autofree char *body = NULL;
  guint status;

  set_session (fixture);

  body = request (fixture, "https://api.github.com/repos", &status);

  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  exitbox_test_assert_contains (body, "api.github.com is already allowed");
  g_assert_cmpuint (exitbox_test_count_folder_entries (fixture->requests_dir), ==, 0);
}

/* Sends a request for @entry, answers it with @answer through the files and
 * returns the response body and status.
 */
static char *
request_and_answer (Fixture            *fixture,
                    const char         *entry,
                    ExitboxAllowAnswer  answer,
                    guint              *out_status)
{
  Exchange exchange = { 0 };
  g_autoptr(ExitboxAllowRequest) pending = NULL;
  g_autoptr(GError) error = NULL;
  char *body;

  start_request (fixture, entry, &exchange);
  pending = wait_for_pending (fixture);
  g_assert_cmpstr (pending->session, ==, SESSION_NAME);
  g_assert_cmpstr (pending->agent, ==, "claude");
  g_assert_cmpstr (pending->project, ==, PROJECT_PATH);
  g_assert_true (exitbox_allow_listener_has_pending (fixture->listener));

  g_assert_true (exitbox_allow_requests_write_answer (fixture->requests_dir, pending->id, answer,
                                                      &error));
  g_assert_no_error (error);

  body = finish_request (fixture, &exchange);
  *out_status = soup_message_get_status (exchange.message);
  exchange_clear (&exchange);

  return body;
}

static void
test_allow_listener_approve_session (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_autofree char *body = NULL;
  g_autofree char *record = NULL;
  g_autofree char *allowlist = NULL;
  guint status;

  save_session_record ();
  set_session (fixture);

  body = request_and_answer (fixture, "Docs.Example.COM", EXITBOX_ALLOW_ANSWER_SESSION, &status);

  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  exitbox_test_assert_contains (body, "Allowed for this session");
  exitbox_test_assert_contains (body, "docs.example.com");
  record = read_session_record ();
  exitbox_test_assert_contains (record, "docs.example.com");
  allowlist = exitbox_test_read_file (fixture->allowlist_path);
  exitbox_test_assert_not_contains (allowlist, "docs.example.com");
  g_assert_false (exitbox_allow_listener_has_pending (fixture->listener));
  g_assert_cmpuint (exitbox_test_count_folder_entries (fixture->requests_dir), ==, 0);
}

static void
test_allow_listener_approve_always (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autofree char *body = NULL;
  g_autofree char *allowlist = NULL;
  guint status;

  save_session_record ();
  set_session (fixture);

  body = request_and_answer (fixture, "pypi.org", EXITBOX_ALLOW_ANSWER_ALWAYS, &status);

  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  exitbox_test_assert_contains (body, "Allowed permanently");
  allowlist = exitbox_test_read_file (fixture->allowlist_path);
  exitbox_test_assert_contains (allowlist, "  # added by hand\n  - example.org\n  - pypi.org\n");
  g_assert_cmpuint (exitbox_test_count_folder_entries (fixture->requests_dir), ==, 0);
}

static void
test_allow_listener_deny (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autofree char *body = NULL;
  g_autofree char *record = NULL;
  guint status;

  save_session_record ();
  set_session (fixture);

  body = request_and_answer (fixture, "tracker.example.net", EXITBOX_ALLOW_ANSWER_DENY, &status);

  g_assert_cmpuint (status, ==, SOUP_STATUS_FORBIDDEN);
  exitbox_test_assert_contains (body, "denied tracker.example.net");
  record = read_session_record ();
  exitbox_test_assert_not_contains (record, "tracker.example.net");
  g_assert_cmpuint (exitbox_test_count_folder_entries (fixture->requests_dir), ==, 0);
}

static void
test_allow_listener_timeout (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autofree char *body = NULL;
  guint status;

  set_session (fixture);
  exitbox_allow_listener_set_timeout (fixture->listener, 1);

  body = request (fixture, "slow.example.net", &status);

  g_assert_cmpuint (status, ==, SOUP_STATUS_FORBIDDEN);
  exitbox_test_assert_contains (body, "No answer came within 1 seconds");
  g_assert_false (exitbox_allow_listener_has_pending (fixture->listener));
  g_assert_cmpuint (exitbox_test_count_folder_entries (fixture->requests_dir), ==, 0);
}

static void
test_allow_listener_one_pending (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  Exchange first = { 0 };
  g_autoptr(ExitboxAllowRequest) pending = NULL;
  g_autofree char *second_body = NULL;
  g_autofree char *first_body = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  set_session (fixture);

  start_request (fixture, "first.example.net", &first);
  pending = wait_for_pending (fixture);

  second_body = request (fixture, "second.example.net", &status);
  g_assert_cmpuint (status, ==, 429);
  exitbox_test_assert_contains (second_body, "first.example.net still waits");

  g_assert_true (exitbox_allow_requests_write_answer (fixture->requests_dir, pending->id,
                                                      EXITBOX_ALLOW_ANSWER_DENY, &error));
  first_body = finish_request (fixture, &first);
  g_assert_cmpuint (soup_message_get_status (first.message), ==, SOUP_STATUS_FORBIDDEN);
  exchange_clear (&first);
}

static void
test_allow_listener_rate_limit (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autofree char *body = NULL;
  guint status;

  set_session (fixture);

  /* Rejected requests count too, so a loop cannot flood the user. */
  for (guint i = 0; i < EXITBOX_ALLOW_MAX_REQUESTS_PER_MINUTE; i++)
    {
      g_autofree char *invalid = request (fixture, "not valid", &status);

      g_assert_cmpuint (status, ==, SOUP_STATUS_BAD_REQUEST);
    }

  body = request (fixture, "example.net", &status);

  g_assert_cmpuint (status, ==, 429);
  exitbox_test_assert_contains (body, "Too many allow requests");
  g_assert_cmpuint (exitbox_test_count_folder_entries (fixture->requests_dir), ==, 0);
}

static void
test_allow_listener_client_gone (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  Exchange exchange = { 0 };
  g_autoptr(ExitboxAllowRequest) pending = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *body = soup_form_encode ("entry", "gone.example.net", NULL);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  gint64 end;

  set_session (fixture);

  exchange.message = soup_message_new (SOUP_METHOD_POST, "http://localhost/allow");
  soup_message_set_request_body_from_bytes (exchange.message,
                                            "application/x-www-form-urlencoded", bytes);
  soup_session_send_and_read_async (fixture->session, exchange.message, G_PRIORITY_DEFAULT,
                                    cancellable, exitbox_test_store_result, &exchange.result);
  pending = wait_for_pending (fixture);

  /* The agent gave up waiting: the request is withdrawn from the host. */
  g_cancellable_cancel (cancellable);
  response = soup_session_send_and_read_finish (fixture->session,
                                                exitbox_test_wait_for_result (&exchange.result),
                                                &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (exitbox_allow_listener_has_pending (fixture->listener) && g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }

  g_assert_false (exitbox_allow_listener_has_pending (fixture->listener));
  g_assert_cmpuint (exitbox_test_count_folder_entries (fixture->requests_dir), ==, 0);
  exchange_clear (&exchange);
}

static void
test_allow_listener_close (Fixture       *fixture,
                           gconstpointer  user_data)
{
  Exchange exchange = { 0 };
  g_autoptr(ExitboxAllowRequest) pending = NULL;
  g_autofree char *folder = g_strdup (exitbox_allow_listener_get_folder (fixture->listener));
  g_autofree char *body = NULL;

  set_session (fixture);
  start_request (fixture, "late.example.net", &exchange);
  pending = wait_for_pending (fixture);

  exitbox_allow_listener_close (fixture->listener);

  body = finish_request (fixture, &exchange);
  g_assert_cmpuint (soup_message_get_status (exchange.message), ==,
                    SOUP_STATUS_SERVICE_UNAVAILABLE);
  exitbox_test_assert_contains (body, "session ended");
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (exitbox_test_count_folder_entries (fixture->requests_dir), ==, 0);
  exchange_clear (&exchange);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/allow/describe-entry", test_allow_describe_entry);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/allow/request-round-trip", test_allow_request_round_trip);
  ADD ("/allow/request-invalid-file", test_allow_request_invalid_file);
  ADD ("/allow/pending-skips-stale", test_allow_pending_skips_stale);
  ADD ("/allow/answer-file", test_allow_answer_file);
  ADD ("/allow/requests-monitor", test_allow_requests_monitor);
  ADD ("/allow/listener-before-session", test_allow_listener_before_session);
  ADD ("/allow/listener-invalid-entry", test_allow_listener_invalid_entry);
  ADD ("/allow/listener-already-allowed", test_allow_listener_already_allowed);
  ADD ("/allow/listener-approve-session", test_allow_listener_approve_session);
  ADD ("/allow/listener-approve-always", test_allow_listener_approve_always);
  ADD ("/allow/listener-deny", test_allow_listener_deny);
  ADD ("/allow/listener-timeout", test_allow_listener_timeout);
  ADD ("/allow/listener-one-pending", test_allow_listener_one_pending);
  ADD ("/allow/listener-rate-limit", test_allow_listener_rate_limit);
  ADD ("/allow/listener-client-gone", test_allow_listener_client_gone);
  ADD ("/allow/listener-close", test_allow_listener_close);
#undef ADD

  return g_test_run ();
}
