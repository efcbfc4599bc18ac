/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "exitbox-allow-listener.h"
#include "exitbox-paths.h"
#include "exitbox-proxy-session.h"
#include "exitbox-squid-config.h"

#define MAX_TIMEOUT_SECONDS 3600

/* The size of sun_path in struct sockaddr_un on Linux, with its final NUL. */
#define MAX_SOCKET_PATH_LENGTH 108

/* libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429

/* The one request of the session that waits for an answer. */
typedef struct
{
  ExitboxAllowListener  *listener;      /* unowned: it owns this struct */
  ExitboxAllowRequest   *request;
  ExitboxAllowlistEntry *entry;
  SoupServerMessage     *message;       /* NULL once the client went away */
  gulong                 disconnected_id;
  GSource               *hangup_source;  /* watches the client's socket while paused */
  guint                  timeout_id;
  gboolean               applying;      /* the answer was read and is being applied */
} PendingRequest;

struct _ExitboxAllowListener
{
  GObject          parent_instance;

  ExitboxFirewall *firewall;
  SoupServer      *server;
  char            *folder;
  char            *socket_path;
  char            *requests_dir;
  GFileMonitor    *monitor;
  GCancellable    *cancellable;

  char            *session_name;
  char            *agent_id;
  char            *project_path;
  guint            timeout_seconds;

  PendingRequest  *pending;
  GQueue           recent;              /* monotonic times of recent requests, in µs */
  gboolean         closed;
};

G_DEFINE_FINAL_TYPE (ExitboxAllowListener, exitbox_allow_listener, G_TYPE_OBJECT)

static void
respond (SoupServerMessage *message,
         guint              status,
         const char        *text)
{
  g_autofree char *body = g_strconcat (text, "\n", NULL);

  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

static void
pending_request_free (PendingRequest *pending)
{
  if (pending->message != NULL)
    {
      g_clear_signal_handler (&pending->disconnected_id, pending->message);
      g_clear_object (&pending->message);
    }
  g_clear_handle_id (&pending->timeout_id, g_source_remove);
  if (pending->hangup_source != NULL)
    {
      g_source_destroy (pending->hangup_source);
      g_clear_pointer (&pending->hangup_source, g_source_unref);
    }
  exitbox_allow_request_free (pending->request);
  exitbox_allowlist_entry_free (pending->entry);
  g_free (pending);
}

/* Sends the response of the waiting request, removes its files and frees it. */
static void
finish_pending (ExitboxAllowListener *self,
                guint                 status,
                const char           *text)
{
  PendingRequest *pending = g_steal_pointer (&self->pending);

  g_assert (pending != NULL);

  g_debug ("Allow request %s for %s from %s: %u %s", pending->request->id,
           pending->request->entry, pending->request->session, status, text);

  if (pending->message != NULL)
    {
      respond (pending->message, status, text);
      soup_server_message_unpause (pending->message);
    }

  exitbox_allow_request_remove (self->requests_dir, pending->request->id);
  pending_request_free (pending);
}

static void
add_session_entry_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(ExitboxAllowListener) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!exitbox_firewall_add_session_entry_finish (EXITBOX_FIREWALL (source), result, &error))
    {
      g_warning ("Failed to allow an approved entry for a session: %s", error->message);
      if (self->pending != NULL)
        {
          text = g_strdup_printf (_("The user allowed %s, but the firewall failed to apply "
                                    "it: %s"),
                                  self->pending->request->entry, error->message);
          finish_pending (self, SOUP_STATUS_INTERNAL_SERVER_ERROR, text);
        }
      return;
    }

  if (self->pending == NULL)
    return;

  text = g_strdup_printf (_("Allowed for this session: %s."), self->pending->request->rule);
  finish_pending (self, SOUP_STATUS_OK, text);
}

static void
reload_rules_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ExitboxAllowListener) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!exitbox_firewall_reload_rules_finish (EXITBOX_FIREWALL (source), result, &error))
    {
      g_warning ("Failed to reload the proxy after an allowlist change: %s", error->message);
      if (self->pending != NULL)
        {
          text = g_strdup_printf (_("The user added %s to the allowlist, but the firewall "
                                    "failed to reload: %s"),
                                  self->pending->request->entry, error->message);
          finish_pending (self, SOUP_STATUS_INTERNAL_SERVER_ERROR, text);
        }
      return;
    }

  if (self->pending == NULL)
    return;

  text = g_strdup_printf (_("Allowed permanently: %s."), self->pending->request->rule);
  finish_pending (self, SOUP_STATUS_OK, text);
}

static void
apply_always (ExitboxAllowListener *self)
{
  PendingRequest *pending = self->pending;
  g_autofree char *config_dir = exitbox_dup_config_dir ();
  g_autofree char *path = g_build_filename (config_dir, "allowlist.yaml", NULL);
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;

  message = exitbox_allowlist_add_entry_in_file (path, pending->request->entry, NULL, &error);
  if (message == NULL)
    {
      g_autofree char *text =
        g_strdup_printf (_("The user allowed %s permanently, but it could not be added to "
                           "the allowlist: %s"),
                         pending->request->entry, error->message);

      g_warning ("Failed to add %s to %s: %s", pending->request->entry, path, error->message);
      finish_pending (self, SOUP_STATUS_INTERNAL_SERVER_ERROR, text);
      return;
    }

  g_debug ("%s", message);
  exitbox_firewall_reload_rules_async (self->firewall, self->cancellable, reload_rules_cb,
                                       g_object_ref (self));
}

/* Reads the answer file of the waiting request, if there is one, and applies it. */
static void
check_answer (ExitboxAllowListener *self)
{
  PendingRequest *pending = self->pending;
  g_autoptr(GError) error = NULL;
  ExitboxAllowAnswer answer;
  g_autofree char *text = NULL;

  if (pending == NULL || pending->applying)
    return;

  if (!exitbox_allow_requests_read_answer (self->requests_dir, pending->request->id, &answer,
                                           &error))
    {
      if (error != NULL)
        g_warning ("%s", error->message);
      return;
    }

  pending->applying = TRUE;
  g_clear_handle_id (&pending->timeout_id, g_source_remove);

  switch (answer)
    {
    case EXITBOX_ALLOW_ANSWER_DENY:
      text = g_strdup_printf (_("The user denied %s."), pending->request->entry);
      finish_pending (self, SOUP_STATUS_FORBIDDEN, text);
      break;

    case EXITBOX_ALLOW_ANSWER_SESSION:
      exitbox_firewall_add_session_entry_async (self->firewall, self->session_name,
                                                pending->entry, self->cancellable,
                                                add_session_entry_cb, g_object_ref (self));
      break;

    case EXITBOX_ALLOW_ANSWER_ALWAYS:
      apply_always (self);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
requests_changed_cb (GFileMonitor         *monitor,
                     GFile                *file,
                     GFile                *other_file,
                     GFileMonitorEvent     event,
                     ExitboxAllowListener *self)
{
  if (event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT ||
      event == G_FILE_MONITOR_EVENT_CREATED ||
      event == G_FILE_MONITOR_EVENT_MOVED_IN ||
      event == G_FILE_MONITOR_EVENT_RENAMED)
    check_answer (self);
}

static gboolean
timeout_cb (gpointer user_data)
{
  ExitboxAllowListener *self = user_data;
  g_autofree char *text = NULL;

  self->pending->timeout_id = 0;

  /* An answer may have arrived without a file event yet. */
  check_answer (self);
  if (self->pending == NULL || self->pending->applying)
    return G_SOURCE_REMOVE;

  text = g_strdup_printf (_("No answer came within %u seconds, so %s was denied. Ask the "
                            "user, then run exitbox-allow again."),
                          self->timeout_seconds, self->pending->request->entry);
  finish_pending (self, SOUP_STATUS_FORBIDDEN, text);

  return G_SOURCE_REMOVE;
}

/* The client closed the connection, for example because the agent gave up
 * waiting: the request is withdrawn unless its answer is being applied.
 */
static void
message_disconnected_cb (SoupServerMessage    *message,
                         ExitboxAllowListener *self)
{
  PendingRequest *pending = self->pending;

  if (pending == NULL || pending->message != message)
    return;

  g_clear_signal_handler (&pending->disconnected_id, pending->message);
  g_clear_object (&pending->message);

  if (!pending->applying)
    finish_pending (self, SOUP_STATUS_GONE, "");
}

/* libsoup reads nothing from a paused message's connection, so it does not
 * notice when the client closes it. A readable socket whose next byte is
 * the end of the stream means the client went away. An HTTP/1.1 client
 * that waits for a response sends nothing else, so other data stops the
 * watch instead of waking it up again and again.
 */
static gboolean
client_socket_ready_cb (GSocket      *socket,
                        GIOCondition  condition,
                        gpointer      user_data)
{
  ExitboxAllowListener *self = user_data;
  PendingRequest *pending = self->pending;
  char byte;
  gssize received;

  received = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (received < 0 && (errno == EAGAIN || errno == EINTR) && !(condition & G_IO_HUP))
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&pending->hangup_source, g_source_unref);
  if (received > 0)
    return G_SOURCE_REMOVE;

  g_debug ("The client of allow request %s closed the connection", pending->request->id);
  if (!pending->applying)
    {
      g_clear_signal_handler (&pending->disconnected_id, pending->message);
      finish_pending (self, SOUP_STATUS_GONE, _("The request was withdrawn."));
    }

  return G_SOURCE_REMOVE;
}

static void
watch_client_socket (ExitboxAllowListener *self,
                     SoupServerMessage    *message)
{
  GSocket *socket = soup_server_message_get_socket (message);

  if (socket == NULL)
    return;

  self->pending->hangup_source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                                         NULL);
  g_source_set_callback (self->pending->hangup_source, G_SOURCE_FUNC (client_socket_ready_cb),
                         self, NULL);
  g_source_attach (self->pending->hangup_source, g_main_context_get_thread_default ());
}

/* Counts the request against the rate limit. Returns the seconds until a
 * request is accepted again, or 0 when this one is.
 */
static gint64
take_rate_limit (ExitboxAllowListener *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 *oldest;
  gint64 *stamp;

  while ((oldest = g_queue_peek_head (&self->recent)) != NULL &&
         now - *oldest >= 60 * G_USEC_PER_SEC)
    g_free (g_queue_pop_head (&self->recent));

  if (g_queue_get_length (&self->recent) >= EXITBOX_ALLOW_MAX_REQUESTS_PER_MINUTE)
    return MAX (1, (*oldest + 60 * G_USEC_PER_SEC - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

  stamp = g_new (gint64, 1);
  *stamp = now;
  g_queue_push_tail (&self->recent, stamp);

  return 0;
}

/* Returns the rule that already allows @entry for this session, or NULL. */
static char *
dup_allowing_rule (ExitboxAllowListener        *self,
                   const ExitboxAllowlistEntry *entry)
{
  g_autofree char *config_dir = exitbox_dup_config_dir ();
  g_autofree char *path = g_build_filename (config_dir, "allowlist.yaml", NULL);
  g_autofree char *sessions_dir = exitbox_proxy_dup_sessions_dir ();
  g_autoptr(ExitboxAllowlist) allowlist = exitbox_allowlist_load_file (path);
  g_autoptr(GPtrArray) sessions = exitbox_proxy_session_load_all (sessions_dir);
  g_auto(GStrv) gateways = exitbox_firewall_dup_host_gateways ();
  g_autoptr(ExitboxSquidVerdict) verdict = NULL;
  const ExitboxProxySession *session = NULL;

  for (guint i = 0; i < sessions->len; i++)
    {
      ExitboxProxySession *candidate = g_ptr_array_index (sessions, i);

      if (g_str_equal (candidate->name, self->session_name))
        session = candidate;
    }

  verdict = exitbox_squid_check (exitbox_allowlist_get_entries (allowlist), session,
                                 (const char * const *) gateways, entry, TRUE);
  if (!verdict->allowed)
    return NULL;

  return g_steal_pointer (&verdict->rule);
}

static void
queue_request (ExitboxAllowListener  *self,
               SoupServerMessage     *message,
               ExitboxAllowlistEntry *entry)
{
  g_autoptr(GError) error = NULL;
  PendingRequest *pending;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  pending = g_new0 (PendingRequest, 1);
  pending->listener = self;
  pending->entry = entry;
  pending->request = g_new0 (ExitboxAllowRequest, 1);
  pending->request->id = g_strdup_printf ("%08x", g_random_int ());
  pending->request->session = g_strdup (self->session_name);
  pending->request->agent = g_strdup (self->agent_id);
  pending->request->project = g_strdup (self->project_path);
  pending->request->entry = exitbox_allowlist_entry_to_string (entry);
  pending->request->rule = exitbox_allow_describe_entry (entry);
  pending->request->created = now;
  pending->request->deadline = now + self->timeout_seconds;
  pending->request->pid = getpid ();

  if (!exitbox_allow_request_save (pending->request, self->requests_dir, &error))
    {
      g_warning ("Failed to store an allow request: %s", error->message);
      respond (message, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
      pending_request_free (pending);
      return;
    }

  g_debug ("Allow request %s for %s from %s waits for an answer", pending->request->id,
           pending->request->entry, self->session_name);

  pending->message = g_object_ref (message);
  pending->disconnected_id = g_signal_connect (message, "disconnected",
                                               G_CALLBACK (message_disconnected_cb), self);
  pending->timeout_id = g_timeout_add_seconds (self->timeout_seconds, timeout_cb, self);
  self->pending = pending;
  soup_server_message_pause (message);
  watch_client_socket (self, message);

  /* An answer written before the monitor saw the request still counts. */
  check_answer (self);
}

static void
handle_allow (SoupServer        *server,
              SoupServerMessage *message,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  ExitboxAllowListener *self = user_data;
  SoupMessageBody *body;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(ExitboxAllowlistEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *rule = NULL;
  g_autofree char *canonical = NULL;
  const char *value;
  gint64 wait_seconds;

  if (g_strcmp0 (soup_server_message_get_method (message), SOUP_METHOD_POST) != 0)
    {
      respond (message, SOUP_STATUS_METHOD_NOT_ALLOWED, _("Send the request with POST."));
      return;
    }

  if (self->session_name == NULL || self->closed)
    {
      respond (message, SOUP_STATUS_SERVICE_UNAVAILABLE,
               _("The session is not running yet or has ended, so no request can be sent."));
      return;
    }

  wait_seconds = take_rate_limit (self);
  if (wait_seconds > 0)
    {
      text = g_strdup_printf (_("Too many allow requests: a session may send %d a minute. "
                                "Try again in %lld seconds."),
                              EXITBOX_ALLOW_MAX_REQUESTS_PER_MINUTE, (long long) wait_seconds);
      respond (message, STATUS_TOO_MANY_REQUESTS, text);
      return;
    }

  if (self->pending != NULL)
    {
      text = g_strdup_printf (_("The request for %s still waits for the user’s answer. Send "
                                "the next one after it is answered."),
                              self->pending->request->entry);
      respond (message, STATUS_TOO_MANY_REQUESTS, text);
      return;
    }

  body = soup_server_message_get_request_body (message);
  bytes = soup_message_body_flatten (body);
  if (g_bytes_get_size (bytes) > 4096)
    {
      respond (message, SOUP_STATUS_BAD_REQUEST, _("The request is larger than 4096 bytes."));
      return;
    }

  form = soup_form_decode (g_bytes_get_size (bytes) > 0 ? g_bytes_get_data (bytes, NULL) : "");
  value = form != NULL ? g_hash_table_lookup (form, "entry") : NULL;
  if (value == NULL || value[0] == '\0')
    {
      respond (message, SOUP_STATUS_BAD_REQUEST,
               _("The request names no entry. Send the form field “entry”, such as "
                 "entry=example.com."));
      return;
    }

  entry = exitbox_allowlist_entry_parse (value, &error);
  if (entry == NULL)
    {
      respond (message, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }

  rule = dup_allowing_rule (self, entry);
  if (rule != NULL)
    {
      canonical = exitbox_allowlist_entry_to_string (entry);
      text = g_strdup_printf (_("%s is already allowed (%s)."), canonical, rule);
      respond (message, SOUP_STATUS_OK, text);
      return;
    }

  queue_request (self, message, g_steal_pointer (&entry));
}

static void
exitbox_allow_listener_dispose (GObject *object)
{
  ExitboxAllowListener *self = EXITBOX_ALLOW_LISTENER (object);

  exitbox_allow_listener_close (self);
  g_clear_object (&self->firewall);

  G_OBJECT_CLASS (exitbox_allow_listener_parent_class)->dispose (object);
}

static void
exitbox_allow_listener_finalize (GObject *object)
{
  ExitboxAllowListener *self = EXITBOX_ALLOW_LISTENER (object);

  g_free (self->folder);
  g_free (self->socket_path);
  g_free (self->requests_dir);
  g_free (self->session_name);
  g_free (self->agent_id);
  g_free (self->project_path);
  g_queue_clear_full (&self->recent, g_free);

  G_OBJECT_CLASS (exitbox_allow_listener_parent_class)->finalize (object);
}

static void
exitbox_allow_listener_class_init (ExitboxAllowListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = exitbox_allow_listener_dispose;
  object_class->finalize = exitbox_allow_listener_finalize;
}

/* EXITBOX_ALLOW_TIMEOUT, or the default when it is unset or invalid. */
static guint
read_timeout_setting (void)
{
  const char *value = g_getenv ("EXITBOX_ALLOW_TIMEOUT");
  guint64 seconds;

  if (value == NULL || value[0] == '\0')
    return EXITBOX_ALLOW_DEFAULT_TIMEOUT;

  if (!g_ascii_string_to_unsigned (value, 10, 1, MAX_TIMEOUT_SECONDS, &seconds, NULL))
    {
      g_warning ("Ignoring EXITBOX_ALLOW_TIMEOUT=%s: it must be whole seconds from 1 to %d",
                 value, MAX_TIMEOUT_SECONDS);
      return EXITBOX_ALLOW_DEFAULT_TIMEOUT;
    }

  return (guint) seconds;
}

static void
exitbox_allow_listener_init (ExitboxAllowListener *self)
{
  g_queue_init (&self->recent);
  self->cancellable = g_cancellable_new ();
  self->timeout_seconds = read_timeout_setting ();
}

static gboolean
listen_on_socket (ExitboxAllowListener  *self,
                  GError               **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  /* GLib cuts a longer path to fit sun_path, and bind() would then create
   * a socket under another name.
   */
  if (strlen (self->socket_path) >= MAX_SOCKET_PATH_LENGTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                   _("The socket path %s is longer than the %d bytes a Unix socket address "
                     "can hold. Set EXITBOX_RUNTIME_DIR to a shorter folder."),
                   self->socket_path, MAX_SOCKET_PATH_LENGTH - 1);
      return FALSE;
    }

  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                         error);
  if (socket == NULL)
    return FALSE;

  address = g_unix_socket_address_new (self->socket_path);
  if (!g_socket_bind (socket, address, FALSE, error) ||
      !g_socket_listen (socket, error))
    {
      g_prefix_error (error, _("Failed to listen on %s: "), self->socket_path);
      return FALSE;
    }

  /* The folder is private already; the socket needs no more than its owner. */
  if (g_chmod (self->socket_path, 0600) != 0)
    g_debug ("Failed to set the mode of %s: %s", self->socket_path, g_strerror (errno));

  return soup_server_listen_socket (self->server, socket, 0, error);
}

ExitboxAllowListener *
exitbox_allow_listener_new (ExitboxFirewall  *firewall,
                            GError          **error)
{
  g_autoptr(ExitboxAllowListener) self = NULL;
  g_autoptr(GFile) requests = NULL;
  g_autofree char *runtime_dir = NULL;
  g_autofree char *sessions_dir = NULL;
  g_autofree char *template = NULL;

  g_return_val_if_fail (EXITBOX_IS_FIREWALL (firewall), NULL);

  self = g_object_new (EXITBOX_TYPE_ALLOW_LISTENER, NULL);
  self->firewall = g_object_ref (firewall);

  /* A short random folder name keeps the socket path well under the
   * 108 bytes that a Unix socket address can hold.
   */
  runtime_dir = exitbox_allow_dup_runtime_dir ();
  sessions_dir = g_build_filename (runtime_dir, "sessions", NULL);
  if (g_mkdir_with_parents (sessions_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to create the folder %s: %s"), sessions_dir, g_strerror (saved_errno));
      return NULL;
    }

  template = g_build_filename (sessions_dir, "XXXXXX", NULL);
  if (g_mkdtemp_full (template, 0700) == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to create a folder in %s: %s"), sessions_dir, g_strerror (saved_errno));
      return NULL;
    }
  self->folder = g_steal_pointer (&template);
  self->socket_path = g_build_filename (self->folder, EXITBOX_ALLOW_SOCKET_NAME, NULL);

  self->requests_dir = exitbox_allow_dup_requests_dir ();
  if (g_mkdir_with_parents (self->requests_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to create the folder %s: %s"), self->requests_dir,
                   g_strerror (saved_errno));
      return NULL;
    }

  requests = g_file_new_for_path (self->requests_dir);
  self->monitor = g_file_monitor_directory (requests, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (self->monitor == NULL)
    return NULL;
  g_signal_connect (self->monitor, "changed", G_CALLBACK (requests_changed_cb), self);

  self->server = soup_server_new ("server-header", "exitbox-allow", NULL);
  soup_server_add_handler (self->server, "/allow", handle_allow, self, NULL);
  if (!listen_on_socket (self, error))
    return NULL;

  g_debug ("Listening for allow requests on %s", self->socket_path);

  return g_steal_pointer (&self);
}

const char *
exitbox_allow_listener_get_folder (ExitboxAllowListener *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOW_LISTENER (self), NULL);

  return self->folder;
}

void
exitbox_allow_listener_set_session (ExitboxAllowListener *self,
                                    const char           *session_name,
                                    const char           *agent_id,
                                    const char           *project_path)
{
  g_return_if_fail (EXITBOX_IS_ALLOW_LISTENER (self));
  g_return_if_fail (session_name != NULL);
  g_return_if_fail (project_path != NULL);

  g_free (self->session_name);
  self->session_name = g_strdup (session_name);
  g_free (self->agent_id);
  self->agent_id = g_strdup (agent_id);
  g_free (self->project_path);
  self->project_path = g_strdup (project_path);
}

void
exitbox_allow_listener_set_timeout (ExitboxAllowListener *self,
                                    guint                 seconds)
{
  g_return_if_fail (EXITBOX_IS_ALLOW_LISTENER (self));
  g_return_if_fail (seconds > 0);

  self->timeout_seconds = seconds;
}

gboolean
exitbox_allow_listener_has_pending (ExitboxAllowListener *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOW_LISTENER (self), FALSE);

  return self->pending != NULL;
}

static gboolean
disconnect_server_cb (gpointer user_data)
{
  g_autoptr(SoupServer) server = user_data;

  soup_server_disconnect (server);

  return G_SOURCE_REMOVE;
}

/* Takes over the reference to @server that close() left to this handler. */
static void
last_message_finished_cb (SoupServerMessage *message,
                          SoupServer        *server)
{
  g_signal_handlers_disconnect_by_func (message, last_message_finished_cb, server);
  g_idle_add (disconnect_server_cb, server);
}

void
exitbox_allow_listener_close (ExitboxAllowListener *self)
{
  g_return_if_fail (EXITBOX_IS_ALLOW_LISTENER (self));

  if (self->closed)
    return;
  self->closed = TRUE;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->pending != NULL && self->pending->message != NULL && self->server != NULL)
    {
      /* The server stays up until the response is written, but nothing
       * new reaches this listener.
       */
      soup_server_remove_handler (self->server, "/allow");
      g_signal_connect (self->pending->message, "finished",
                        G_CALLBACK (last_message_finished_cb), g_steal_pointer (&self->server));
    }

  if (self->pending != NULL)
    finish_pending (self, SOUP_STATUS_SERVICE_UNAVAILABLE,
                    _("The session ended before the request was answered."));

  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }

  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }

  if (self->socket_path != NULL && g_unlink (self->socket_path) != 0 && errno != ENOENT)
    g_warning ("Failed to remove %s: %s", self->socket_path, g_strerror (errno));
  if (self->folder != NULL && g_rmdir (self->folder) != 0 && errno != ENOENT)
    g_warning ("Failed to remove %s: %s", self->folder, g_strerror (errno));
}
