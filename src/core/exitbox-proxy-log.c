/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <string.h>

#include <glib/gi18n-lib.h>

#include "exitbox-proxy-log.h"
#include "exitbox-proxy-session.h"

/* The largest piece of the log read into memory at once, so that a huge
 * log cannot fill memory.
 */
#define MAX_READ_BYTES (4 * 1024 * 1024)

ExitboxBlockedRequest *
exitbox_blocked_request_copy (const ExitboxBlockedRequest *request)
{
  ExitboxBlockedRequest *copy;

  g_return_val_if_fail (request != NULL, NULL);

  copy = g_new0 (ExitboxBlockedRequest, 1);
  copy->time = request->time;
  copy->client = g_strdup (request->client);
  copy->session = g_strdup (request->session);
  copy->method = g_strdup (request->method);
  copy->host = g_strdup (request->host);
  copy->port = request->port;

  return copy;
}

void
exitbox_blocked_request_free (ExitboxBlockedRequest *request)
{
  if (request == NULL)
    return;

  g_free (request->client);
  g_free (request->session);
  g_free (request->method);
  g_free (request->host);
  g_free (request);
}

G_DEFINE_BOXED_TYPE (ExitboxBlockedRequest, exitbox_blocked_request,
                     exitbox_blocked_request_copy, exitbox_blocked_request_free)

/* Parses "SECONDS.MILLISECONDS" into microseconds. */
static gboolean
parse_time (const char *text,
            gint64     *out_time)
{
  g_auto(GStrv) parts = g_strsplit (text, ".", 2);
  guint64 seconds;
  guint64 milliseconds = 0;

  if (!g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXINT64 / G_USEC_PER_SEC, &seconds, NULL))
    return FALSE;

  if (parts[1] != NULL && !g_ascii_string_to_unsigned (parts[1], 10, 0, 999, &milliseconds, NULL))
    return FALSE;

  *out_time = (gint64) seconds * G_USEC_PER_SEC + (gint64) milliseconds * 1000;
  return TRUE;
}

gboolean
exitbox_proxy_log_read_first_time (const char *path,
                                   gint64     *out_time)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  char buffer[64];
  gsize n_read = 0;
  gsize length;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out_time != NULL, FALSE);

  file = g_file_new_for_path (path);
  stream = g_file_read (file, NULL, NULL);
  if (stream == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (stream), buffer, sizeof buffer - 1, &n_read, NULL, NULL))
    return FALSE;
  buffer[n_read] = '\0';

  /* The time is the first field, "SECONDS.MILLISECONDS". */
  length = strcspn (buffer, " \n");
  if (length == n_read)
    return FALSE;
  buffer[length] = '\0';

  return parse_time (buffer, out_time);
}

ExitboxBlockedRequest *
exitbox_blocked_request_parse_line (const char *line)
{
  g_auto(GStrv) fields = NULL;
  g_autoptr(ExitboxBlockedRequest) request = NULL;
  g_autofree char *host = NULL;
  const char *slash;
  guint64 port = 0;
  gint64 time;
  gsize host_length;

  g_return_val_if_fail (line != NULL, NULL);

  fields = g_strsplit_set (line, " \t\r\n", -1);
  {
    /* Squid separates fields with one space; drop empty pieces anyway. */
    guint kept = 0;

    for (guint i = 0; fields[i] != NULL; i++)
      {
        if (fields[i][0] == '\0')
          g_free (fields[i]);
        else
          fields[kept++] = fields[i];
      }
    fields[kept] = NULL;
  }

  if (g_strv_length (fields) != 6)
    return NULL;

  /* fields: time, client, result/status, method, host, port */
  slash = strchr (fields[2], '/');
  if (slash == NULL || !g_str_has_suffix (fields[2], "/403") ||
      !(slash - fields[2] >= 7 && strncmp (slash - 7, "_DENIED", 7) == 0))
    return NULL;

  if (!parse_time (fields[0], &time) || !g_hostname_is_ip_address (fields[1]))
    return NULL;

  if (!g_str_equal (fields[5], "-") &&
      !g_ascii_string_to_unsigned (fields[5], 10, 0, G_MAXUINT16, &port, NULL))
    return NULL;

  host = g_strdup (fields[4]);
  host_length = strlen (host);
  if (host_length >= 2 && host[0] == '[' && host[host_length - 1] == ']')
    {
      memmove (host, host + 1, host_length - 2);
      host[host_length - 2] = '\0';
    }

  request = g_new0 (ExitboxBlockedRequest, 1);
  request->time = time;
  request->client = g_strdup (fields[1]);
  request->method = g_strdup (fields[3]);
  request->host = g_steal_pointer (&host);
  request->port = (guint16) port;

  return g_steal_pointer (&request);
}

struct _ExitboxProxyLog
{
  GObject       parent_instance;

  char         *path;
  goffset       offset;
  GPtrArray    *requests;
  GFileMonitor *monitor;
};

G_DEFINE_FINAL_TYPE (ExitboxProxyLog, exitbox_proxy_log, G_TYPE_OBJECT)

enum
{
  SIGNAL_BLOCKED_REQUEST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
exitbox_proxy_log_dispose (GObject *object)
{
  ExitboxProxyLog *self = EXITBOX_PROXY_LOG (object);

  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (exitbox_proxy_log_parent_class)->dispose (object);
}

static void
exitbox_proxy_log_finalize (GObject *object)
{
  ExitboxProxyLog *self = EXITBOX_PROXY_LOG (object);

  g_free (self->path);
  g_ptr_array_unref (self->requests);

  G_OBJECT_CLASS (exitbox_proxy_log_parent_class)->finalize (object);
}

static void
exitbox_proxy_log_class_init (ExitboxProxyLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = exitbox_proxy_log_dispose;
  object_class->finalize = exitbox_proxy_log_finalize;

  /**
   * ExitboxProxyLog::blocked-request:
   * @request: (type ExitboxBlockedRequest): the request, owned by the log
   *
   * Emitted for each blocked request that a read finds.
   */
  signals[SIGNAL_BLOCKED_REQUEST] =
    g_signal_new ("blocked-request",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1,
                  EXITBOX_TYPE_BLOCKED_REQUEST | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
exitbox_proxy_log_init (ExitboxProxyLog *self)
{
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_blocked_request_free);
}

ExitboxProxyLog *
exitbox_proxy_log_new (const char *path)
{
  ExitboxProxyLog *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (EXITBOX_TYPE_PROXY_LOG, NULL);
  self->path = g_strdup (path);

  return self;
}

static void
add_request (ExitboxProxyLog       *self,
             ExitboxBlockedRequest *request,
             GPtrArray             *history)
{
  request->session = g_strdup (exitbox_proxy_history_find (history, request->client, request->time));

  if (self->requests->len >= EXITBOX_PROXY_LOG_MAX_REQUESTS)
    g_ptr_array_remove_index (self->requests, 0);
  g_ptr_array_add (self->requests, request);

  g_signal_emit (self, signals[SIGNAL_BLOCKED_REQUEST], 0, request);
}

/* Reads one chunk of at most MAX_READ_BYTES from the offset and returns
 * whether it contained a complete line.
 */
static gboolean
read_chunk (ExitboxProxyLog   *self,
            GFileInputStream  *stream,
            goffset            size,
            GPtrArray         *history,
            gboolean          *out_progress,
            GError           **error)
{
  g_autofree char *buffer = NULL;
  g_auto(GStrv) lines = NULL;
  const char *last_newline;
  gsize chunk_length;
  gsize n_read = 0;

  *out_progress = FALSE;

  if (!g_seekable_seek (G_SEEKABLE (stream), self->offset, G_SEEK_SET, NULL, error))
    return FALSE;

  chunk_length = (gsize) MIN (size - self->offset, MAX_READ_BYTES);
  buffer = g_malloc (chunk_length + 1);
  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), buffer, chunk_length, &n_read, NULL, error))
    return FALSE;
  buffer[n_read] = '\0';

  /* A line that squid is still writing is read next time. */
  last_newline = NULL;
  for (gsize i = n_read; i > 0 && last_newline == NULL; i--)
    {
      if (buffer[i - 1] == '\n')
        last_newline = buffer + i - 1;
    }
  if (last_newline == NULL)
    return TRUE;

  self->offset += (last_newline - buffer) + 1;
  buffer[last_newline - buffer] = '\0';
  *out_progress = TRUE;

  lines = g_strsplit (buffer, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      ExitboxBlockedRequest *request = exitbox_blocked_request_parse_line (lines[i]);

      if (request != NULL)
        add_request (self, request, history);
    }

  return TRUE;
}

gboolean
exitbox_proxy_log_read_new_lines (ExitboxProxyLog  *self,
                                  GError          **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autofree char *history_path = NULL;
  gboolean progress = TRUE;
  goffset size;

  g_return_val_if_fail (EXITBOX_IS_PROXY_LOG (self), FALSE);

  file = g_file_new_for_path (self->path);
  stream = g_file_read (file, NULL, &local_error);
  if (stream == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Failed to read the proxy log %s: "), self->path);
      return FALSE;
    }

  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, NULL, error);
  if (info == NULL)
    return FALSE;

  size = g_file_info_get_size (info);
  if (size < self->offset)
    self->offset = 0;
  if (size == self->offset)
    return TRUE;

  /* The history is read again for each batch of lines, because sessions
   * start and end while a log is followed.
   */
  history_path = exitbox_proxy_dup_history_path ();
  history = exitbox_proxy_history_load (history_path);

  while (progress && self->offset < size)
    {
      if (!read_chunk (self, stream, size, history, &progress, error))
        return FALSE;
    }

  return TRUE;
}

static void
on_log_changed (GFileMonitor      *monitor,
                GFile             *file,
                GFile             *other_file,
                GFileMonitorEvent  event,
                gpointer           user_data)
{
  ExitboxProxyLog *self = user_data;
  g_autoptr(GError) error = NULL;

  if (event != G_FILE_MONITOR_EVENT_CHANGED && event != G_FILE_MONITOR_EVENT_CREATED &&
      event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    return;

  if (!exitbox_proxy_log_read_new_lines (self, &error))
    g_warning ("%s", error->message);
}

gboolean
exitbox_proxy_log_watch (ExitboxProxyLog  *self,
                         GError          **error)
{
  g_autoptr(GFile) file = NULL;

  g_return_val_if_fail (EXITBOX_IS_PROXY_LOG (self), FALSE);

  if (self->monitor != NULL)
    return TRUE;

  file = g_file_new_for_path (self->path);
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, error);
  if (self->monitor == NULL)
    return FALSE;

  g_signal_connect_object (self->monitor, "changed", G_CALLBACK (on_log_changed), self, 0);

  return TRUE;
}

GPtrArray *
exitbox_proxy_log_get_blocked_requests (ExitboxProxyLog *self)
{
  g_return_val_if_fail (EXITBOX_IS_PROXY_LOG (self), NULL);

  return self->requests;
}
