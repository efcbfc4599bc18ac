/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <glib/gi18n-lib.h>

#include "exitbox-login-relay.h"

/* How long the engine's exec client may take to end after its connection
 * closed, before it is killed.
 */
#define EXEC_EXIT_TIMEOUT_SECONDS 5

/* The maximum number of pending callbacks dispatched after the relay's
 * loop quit, so that a stop never spins.
 */
#define MAX_DRAIN_ITERATIONS 100

/* Joins stdin and stdout to 127.0.0.1:$1 inside the container through
 * bash's /dev/tcp, with one cat for each direction. When either side
 * closes, the other cat is stopped and the exec ends, which closes the
 * host's connection. A background command reads /dev/null unless its
 * stdin is redirected, hence "<&0". The script is fixed and the only
 * argument is the port number, so no text from outside reaches the shell.
 */
static const char bridge_script[] =
  "exec 3<>/dev/tcp/127.0.0.1/\"$1\" || exit 1\n"
  "cat <&3 &\n"
  "reader=$!\n"
  "cat <&0 >&3 &\n"
  "writer=$!\n"
  "wait -n\n"
  "kill \"$reader\" \"$writer\" 2>/dev/null\n"
  "exit 0\n";

struct _ExitboxLoginRelay
{
  GObject         parent_instance;

  ExitboxEngine  *engine;
  char           *container_name;
  guint16         listen_port;   /* 0 picks a free port */
  guint16         target_port;
  guint16         bound_port;

  /* Set while running. The service, the connections and the fields below
   * belong to the relay's thread, which runs @loop on @context.
   */
  GThread        *thread;
  GMainContext   *context;
  GMainLoop      *loop;
  GSocketService *service;
  GCancellable   *cancellable;
  guint           n_connections;
  gboolean        stopping;
};

G_DEFINE_FINAL_TYPE (ExitboxLoginRelay, exitbox_login_relay, G_TYPE_OBJECT)

/* One relayed connection, owned by the relay's thread. */
typedef struct
{
  ExitboxLoginRelay *relay;        /* outlives the connection: stop waits for it */
  GSocketConnection *connection;
  GSubprocess       *process;
  GIOStream         *process_stream;
  GSource           *kill_source;
} RelayConnection;

static void
relay_connection_free (RelayConnection *connection)
{
  if (connection->kill_source != NULL)
    {
      g_source_destroy (connection->kill_source);
      g_source_unref (connection->kill_source);
    }
  g_clear_object (&connection->connection);
  g_clear_object (&connection->process);
  g_clear_object (&connection->process_stream);
  g_free (connection);
}

static void
quit_when_idle (ExitboxLoginRelay *self)
{
  if (self->stopping && self->n_connections == 0)
    g_main_loop_quit (self->loop);
}

static void
on_process_exited (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  RelayConnection *connection = user_data;
  ExitboxLoginRelay *self = connection->relay;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);

  relay_connection_free (connection);
  self->n_connections--;
  quit_when_idle (self);
}

static gboolean
on_kill_timeout (gpointer user_data)
{
  RelayConnection *connection = user_data;

  g_debug ("Killing the exec client of a relayed connection to %s, which did not exit "
           "within %d s", connection->relay->container_name, EXEC_EXIT_TIMEOUT_SECONDS);
  g_subprocess_force_exit (connection->process);

  g_clear_pointer (&connection->kill_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
on_splice_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RelayConnection *connection = user_data;
  ExitboxLoginRelay *self = connection->relay;
  g_autoptr(GError) error = NULL;

  if (!g_io_stream_splice_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("A relayed connection to port %u of %s failed: %s",
             (guint) self->target_port, self->container_name, error->message);

  /* Both streams are closed, so the exec normally ends by itself. A stop
   * does not wait for it.
   */
  if (self->stopping)
    {
      g_subprocess_force_exit (connection->process);
    }
  else
    {
      connection->kill_source = g_timeout_source_new_seconds (EXEC_EXIT_TIMEOUT_SECONDS);
      g_source_set_callback (connection->kill_source, on_kill_timeout, connection, NULL);
      g_source_attach (connection->kill_source, self->context);
    }

  g_subprocess_wait_async (connection->process, NULL, on_process_exited, connection);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *socket_connection,
             GObject           *source_object,
             gpointer           user_data)
{
  ExitboxLoginRelay *self = user_data;
  g_autofree char *port_text = g_strdup_printf ("%u", (guint) self->target_port);
  const char *args[] = {
    "exec", "-i", self->container_name, "bash", "-c", bridge_script, "exitbox-login-relay",
    port_text, NULL
  };
  g_autoptr(GError) error = NULL;
  RelayConnection *connection;
  GSubprocess *process;

  if (self->stopping)
    return TRUE;

  process = exitbox_engine_spawn (self->engine, args,
                                  G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                  G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                  G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                  &error);
  if (process == NULL)
    {
      g_warning ("Failed to relay a connection on port %u to %s: %s",
                 (guint) self->bound_port, self->container_name, error->message);
      return TRUE;
    }

  connection = g_new0 (RelayConnection, 1);
  connection->relay = self;
  connection->connection = g_object_ref (socket_connection);
  connection->process = process;
  connection->process_stream = g_simple_io_stream_new (g_subprocess_get_stdout_pipe (process),
                                                       g_subprocess_get_stdin_pipe (process));
  self->n_connections++;

  g_io_stream_splice_async (G_IO_STREAM (connection->connection), connection->process_stream,
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, self->cancellable, on_splice_done, connection);

  return TRUE;
}

static gpointer
run_relay (gpointer data)
{
  ExitboxLoginRelay *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);

  /* Closing the listener may still have queued callbacks. */
  for (guint i = 0; i < MAX_DRAIN_ITERATIONS && g_main_context_pending (self->context); i++)
    g_main_context_iteration (self->context, FALSE);

  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static gboolean
stop_in_relay_thread (gpointer data)
{
  ExitboxLoginRelay *self = data;

  self->stopping = TRUE;
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_cancellable_cancel (self->cancellable);
  quit_when_idle (self);

  return G_SOURCE_REMOVE;
}

static void
exitbox_login_relay_dispose (GObject *object)
{
  ExitboxLoginRelay *self = EXITBOX_LOGIN_RELAY (object);

  exitbox_login_relay_stop (self);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (exitbox_login_relay_parent_class)->dispose (object);
}

static void
exitbox_login_relay_finalize (GObject *object)
{
  ExitboxLoginRelay *self = EXITBOX_LOGIN_RELAY (object);

  g_free (self->container_name);

  G_OBJECT_CLASS (exitbox_login_relay_parent_class)->finalize (object);
}

static void
exitbox_login_relay_class_init (ExitboxLoginRelayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = exitbox_login_relay_dispose;
  object_class->finalize = exitbox_login_relay_finalize;
}

static void
exitbox_login_relay_init (ExitboxLoginRelay *self)
{
}

ExitboxLoginRelay *
exitbox_login_relay_new (ExitboxEngine *engine,
                         const char    *container_name,
                         guint16        listen_port,
                         guint16        target_port)
{
  ExitboxLoginRelay *self;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (container_name != NULL, NULL);
  g_return_val_if_fail (target_port != 0, NULL);

  self = g_object_new (EXITBOX_TYPE_LOGIN_RELAY, NULL);
  self->engine = g_object_ref (engine);
  self->container_name = g_strdup (container_name);
  self->listen_port = listen_port;
  self->target_port = target_port;

  return self;
}

ExitboxLoginRelay *
exitbox_login_relay_new_for_agent (ExitboxEngine *engine,
                                   const char    *agent_id,
                                   const char    *container_name)
{
  if (g_strcmp0 (agent_id, "codex") != 0)
    return NULL;

  return exitbox_login_relay_new (engine, container_name,
                                  EXITBOX_CODEX_LOGIN_PORT, EXITBOX_CODEX_LOGIN_PORT);
}

gboolean
exitbox_login_relay_start (ExitboxLoginRelay  *self,
                           GError            **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean added;

  g_return_val_if_fail (EXITBOX_IS_LOGIN_RELAY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->thread != NULL)
    return TRUE;

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->cancellable = g_cancellable_new ();
  self->stopping = FALSE;
  self->n_connections = 0;

  /* The service waits for connections on the thread-default context at
   * the time a listener is added, so the relay's context must be the
   * thread default here.
   */
  g_main_context_push_thread_default (self->context);
  self->service = g_socket_service_new ();
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", self->listen_port);
  added = g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                         G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                         &effective, &local_error);
  g_main_context_pop_thread_default (self->context);

  if (!added)
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("Port %u on 127.0.0.1 cannot be opened, so a login callback to it "
                     "cannot reach the session’s container %s: %s. Stop the program that "
                     "uses the port, such as another Codex session, and start the session "
                     "again to log in."),
                   (guint) self->listen_port, self->container_name, local_error->message);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_clear_object (&self->service);
      g_clear_object (&self->cancellable);
      g_clear_pointer (&self->loop, g_main_loop_unref);
      g_clear_pointer (&self->context, g_main_context_unref);
      return FALSE;
    }

  self->bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_socket_service_start (self->service);
  self->thread = g_thread_new ("exitbox-login-relay", run_relay, self);
  g_debug ("Relaying 127.0.0.1:%u to port %u of %s", (guint) self->bound_port,
           (guint) self->target_port, self->container_name);

  return TRUE;
}

void
exitbox_login_relay_stop (ExitboxLoginRelay *self)
{
  GSource *idle;

  g_return_if_fail (EXITBOX_IS_LOGIN_RELAY (self));

  if (self->thread == NULL)
    return;

  /* An idle source and not g_main_context_invoke(), which could run the
   * callback here, before the relay's thread runs its loop.
   */
  idle = g_idle_source_new ();
  g_source_set_callback (idle, stop_in_relay_thread, self, NULL);
  g_source_attach (idle, self->context);
  g_source_unref (idle);

  g_thread_join (g_steal_pointer (&self->thread));
  g_debug ("Stopped relaying 127.0.0.1:%u to %s", (guint) self->bound_port, self->container_name);

  g_clear_object (&self->service);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->bound_port = 0;
}

gboolean
exitbox_login_relay_get_running (ExitboxLoginRelay *self)
{
  g_return_val_if_fail (EXITBOX_IS_LOGIN_RELAY (self), FALSE);

  return self->thread != NULL;
}

guint16
exitbox_login_relay_get_port (ExitboxLoginRelay *self)
{
  g_return_val_if_fail (EXITBOX_IS_LOGIN_RELAY (self), 0);

  return self->bound_port;
}
