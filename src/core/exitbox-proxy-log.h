/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One request that the proxy blocked, from its access log. */
typedef struct
{
  gint64   time;     /* microseconds since the Unix epoch */
  char    *client;   /* the agent container's address */
  char    *session;  /* the container name of the session that held the client address at that time, or NULL */
  char    *method;   /* "CONNECT", "GET", … */
  char    *host;     /* the requested host name or address, IPv6 without brackets */
  guint16  port;     /* 0 when the log line has none */
} ExitboxBlockedRequest;

#define EXITBOX_TYPE_BLOCKED_REQUEST (exitbox_blocked_request_get_type ())
GType                  exitbox_blocked_request_get_type   (void) G_GNUC_CONST;
ExitboxBlockedRequest *exitbox_blocked_request_copy       (const ExitboxBlockedRequest *request);
void                   exitbox_blocked_request_free       (ExitboxBlockedRequest       *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxBlockedRequest, exitbox_blocked_request_free)

/* Parses one line of the access log in the "exitbox" logformat of the
 * generated squid.conf ("TIME CLIENT RESULT/STATUS METHOD HOST PORT").
 * Returns NULL for a request that was not blocked and for a line in any
 * other format. The session is left NULL.
 */
ExitboxBlockedRequest *exitbox_blocked_request_parse_line (const char                  *line);

/* Reads the time of the first line of the access log at @path into
 * @out_time, in microseconds since the Unix epoch. Returns FALSE when the
 * log is missing, empty or starts with a line in another format.
 */
gboolean               exitbox_proxy_log_read_first_time  (const char                  *path,
                                                           gint64                      *out_time);

/* The most blocked requests a log object keeps; older ones are dropped. */
#define EXITBOX_PROXY_LOG_MAX_REQUESTS 1000

#define EXITBOX_TYPE_PROXY_LOG (exitbox_proxy_log_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxProxyLog, exitbox_proxy_log, EXITBOX, PROXY_LOG, GObject)

/* Reads the access log at @path (see exitbox_firewall_dup_log_path()).
 * Emits "blocked-request" (ExitboxBlockedRequest *) for each new blocked
 * request it reads, named after the session that the session history
 * (exitbox_proxy_dup_history_path()) shows at that address and time.
 */
ExitboxProxyLog *exitbox_proxy_log_new                    (const char      *path);
/* Reads the lines added since the last read. A log that became shorter
 * was rotated, so it is read again from the start. A missing log is no
 * error: the proxy has not written it yet.
 */
gboolean         exitbox_proxy_log_read_new_lines         (ExitboxProxyLog *self,
                                                           GError         **error);
/* Calls exitbox_proxy_log_read_new_lines() whenever the file changes. */
gboolean         exitbox_proxy_log_watch                  (ExitboxProxyLog *self,
                                                           GError         **error);
/* The blocked requests read so far, oldest first. Element type
 * ExitboxBlockedRequest.
 */
GPtrArray       *exitbox_proxy_log_get_blocked_requests   (ExitboxProxyLog *self);

G_END_DECLS
