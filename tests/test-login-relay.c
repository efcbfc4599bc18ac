/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * The login relay against a fake engine whose `exec` runs the relay's
 * bash command on the host, so the command connects to a server that the
 * test runs on 127.0.0.1.
 */

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "exitbox-core.h"
#include "exitbox-test-utils.h"

#define CONTAINER_NAME "exitbox-codex-project-0123abcd"

/* Logs its arguments one a line, then runs the command after
 * "exec -i CONTAINER" as the container would.
 */
static const char fake_engine_script[] =
  "#!/bin/bash\n"
  "printf '%s\\n' \"$@\" '--end--' >> \"$EXITBOX_FAKE_LOG\"\n"
  "[ \"$1\" = exec ] && [ \"$2\" = -i ] || exit 125\n"
  "shift 3\n"
  "exec \"$@\"\n";

typedef struct
{
  char              *tmpdir;
  char              *log_path;
  ExitboxEngine     *engine;
  GSocketListener   *server;
  guint16            server_port;
  GThread           *server_thread;
} Fixture;

/* Replies to one connection with "reply: " and the line it received. */
static gpointer
serve_one (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autofree char *line = NULL;
  g_autofree char *reply = NULL;
  GOutputStream *output;

  connection = g_socket_listener_accept (fixture->server, NULL, NULL, NULL);
  if (connection == NULL)
    return NULL;

  input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  line = g_data_input_stream_read_line (input, NULL, NULL, NULL);
  reply = g_strdup_printf ("reply: %s\n", line != NULL ? line : "(none)");
  output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_output_stream_write_all (output, reply, strlen (reply), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  return NULL;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *program = NULL;
  g_autoptr(GError) error = NULL;

  fixture->tmpdir = exitbox_test_make_tmpdir ("exitbox-test-login-relay-XXXXXX");
  fixture->log_path = g_build_filename (fixture->tmpdir, "argv.log", NULL);
  program = g_build_filename (fixture->tmpdir, "podman", NULL);
  exitbox_test_write_file (program, fake_engine_script);
  g_assert_cmpint (g_chmod (program, 0755), ==, 0);
  g_setenv ("EXITBOX_FAKE_LOG", fixture->log_path, TRUE);
  fixture->engine = exitbox_engine_new (EXITBOX_ENGINE_KIND_PODMAN, program);

  fixture->server = g_socket_listener_new ();
  fixture->server_port = g_socket_listener_add_any_inet_port (fixture->server, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_socket_listener_close (fixture->server);
  if (fixture->server_thread != NULL)
    g_thread_join (fixture->server_thread);
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->engine);
  g_unsetenv ("EXITBOX_FAKE_LOG");

  exitbox_test_remove_tree (fixture->tmpdir);
  g_free (fixture->log_path);
  g_free (fixture->tmpdir);
}

/* Sends one line through 127.0.0.1:@port and returns the whole response. */
static char *
exchange_line (guint16      port,
               const char  *line,
               GError     **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GOutputStream) answer = g_memory_output_stream_new_resizable ();
  g_autofree char *text = g_strconcat (line, "\n", NULL);
  GOutputStream *output;

  g_socket_client_set_timeout (client, 30);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, error);
  if (connection == NULL)
    return NULL;

  output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  if (!g_output_stream_write_all (output, text, strlen (text), NULL, NULL, error))
    return NULL;

  if (g_output_stream_splice (answer, g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                              G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return NULL;

  g_output_stream_write (answer, "", 1, NULL, NULL);
  return g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (answer)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (answer)));
}

static void
test_login_relay_relays_connection (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(ExitboxLoginRelay) relay = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) refused = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *argv_log = NULL;
  g_autofree char *expected_start = g_strdup_printf ("exec\n-i\n%s\nbash\n-c\n", CONTAINER_NAME);
  g_autofree char *expected_end = g_strdup_printf ("\nexitbox-login-relay\n%u\n--end--\n",
                                                   (guint) fixture->server_port);
  guint16 port;

  relay = exitbox_login_relay_new (fixture->engine, CONTAINER_NAME, 0, fixture->server_port);
  g_assert_false (exitbox_login_relay_get_running (relay));
  g_assert_true (exitbox_login_relay_start (relay, &error));
  g_assert_no_error (error);
  g_assert_true (exitbox_login_relay_get_running (relay));
  port = exitbox_login_relay_get_port (relay);
  g_assert_cmpuint (port, !=, 0);
  g_assert_cmpuint (port, !=, fixture->server_port);

  fixture->server_thread = g_thread_new ("server", serve_one, fixture);
  answer = exchange_line (port, "GET /callback?code=abc", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (answer, ==, "reply: GET /callback?code=abc\n");

  /* The container and port are separate arguments of a fixed command. */
  argv_log = exitbox_test_read_file (fixture->log_path);
  g_assert_true (g_str_has_prefix (argv_log, expected_start));
  g_assert_true (g_str_has_suffix (argv_log, expected_end));

  exitbox_login_relay_stop (relay);
  g_assert_false (exitbox_login_relay_get_running (relay));
  g_assert_cmpuint (exitbox_login_relay_get_port (relay), ==, 0);

  refused = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_login_relay_port_taken (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(ExitboxLoginRelay) relay = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = g_strdup_printf ("Port %u on 127.0.0.1", (guint) fixture->server_port);

  /* The test's own server has the port. */
  relay = exitbox_login_relay_new (fixture->engine, CONTAINER_NAME, fixture->server_port, 1455);
  g_assert_false (exitbox_login_relay_start (relay, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  exitbox_test_assert_contains (error->message, port_text);
  exitbox_test_assert_contains (error->message, CONTAINER_NAME);
  g_assert_false (exitbox_login_relay_get_running (relay));

  /* A stop after a failed start does nothing. */
  exitbox_login_relay_stop (relay);
  g_assert_false (exitbox_login_relay_get_running (relay));
}

static void
test_login_relay_stop_with_open_connection (Fixture       *fixture,
                                            gconstpointer  user_data)
{
  g_autoptr(ExitboxLoginRelay) relay = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketConnection) server_side = NULL;
  GInputStream *input;
  char buffer[16];
  gssize n_read;

  relay = exitbox_login_relay_new (fixture->engine, CONTAINER_NAME, 0, fixture->server_port);
  g_assert_true (exitbox_login_relay_start (relay, &error));
  g_assert_no_error (error);

  /* The bridge connects to the server, which never replies. */
  connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                exitbox_login_relay_get_port (relay), NULL, &error);
  g_assert_no_error (error);
  server_side = g_socket_listener_accept (fixture->server, NULL, NULL, &error);
  g_assert_no_error (error);

  /* A session that ends closes the open connection too. */
  exitbox_login_relay_stop (relay);
  g_assert_false (exitbox_login_relay_get_running (relay));

  g_socket_set_timeout (g_socket_connection_get_socket (connection), 30);
  input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  n_read = g_input_stream_read (input, buffer, sizeof buffer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n_read, ==, 0);
}

static void
test_login_relay_for_agent (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(ExitboxLoginRelay) codex = NULL;
  g_autoptr(ExitboxLoginRelay) claude = NULL;
  g_autoptr(ExitboxLoginRelay) shell = NULL;

  codex = exitbox_login_relay_new_for_agent (fixture->engine, "codex", CONTAINER_NAME);
  g_assert_nonnull (codex);
  g_assert_false (exitbox_login_relay_get_running (codex));

  claude = exitbox_login_relay_new_for_agent (fixture->engine, "claude", CONTAINER_NAME);
  g_assert_null (claude);

  shell = exitbox_login_relay_new_for_agent (fixture->engine, NULL, CONTAINER_NAME);
  g_assert_null (shell);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/login-relay/relays-connection", Fixture, NULL,
              fixture_set_up, test_login_relay_relays_connection, fixture_tear_down);
  g_test_add ("/login-relay/port-taken", Fixture, NULL,
              fixture_set_up, test_login_relay_port_taken, fixture_tear_down);
  g_test_add ("/login-relay/stop-with-open-connection", Fixture, NULL,
              fixture_set_up, test_login_relay_stop_with_open_connection, fixture_tear_down);
  g_test_add ("/login-relay/for-agent", Fixture, NULL,
              fixture_set_up, test_login_relay_for_agent, fixture_tear_down);

  return g_test_run ();
}
