/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include "exitbox-allow-requests.h"
#include "exitbox-firewall.h"

G_BEGIN_DECLS

/* At most this many requests a session may send in a minute, counting the
 * rejected ones. One more waits for its answer at a time.
 */
#define EXITBOX_ALLOW_MAX_REQUESTS_PER_MINUTE 6

/* The host side of `exitbox-allow` for one session: an HTTP server on a Unix
 * socket in a private folder that the session mounts at
 * EXITBOX_ALLOW_CONTAINER_DIR. `POST /allow` with the form field "entry"
 * is checked with the allowlist grammar, stored in the requests folder and
 * held open until the host user's answer file decides it or the timeout
 * denies it. The response status is 200 when the entry is allowed, 403
 * when denied, 400 for an invalid entry, 429 when rate-limited and 503
 * before the session has started or after it ended. The body is a message
 * for the agent. Nothing the container sends decides the answer.
 */
#define EXITBOX_TYPE_ALLOW_LISTENER (exitbox_allow_listener_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxAllowListener, exitbox_allow_listener, EXITBOX, ALLOW_LISTENER, GObject)

/* Creates a folder with mode 0700 under <runtime folder>/sessions and
 * listens on EXITBOX_ALLOW_SOCKET_NAME in it. Approvals are applied
 * through @firewall.
 */
ExitboxAllowListener *exitbox_allow_listener_new         (ExitboxFirewall      *firewall,
                                                          GError              **error);
/* The host folder to mount at EXITBOX_ALLOW_CONTAINER_DIR. */
const char           *exitbox_allow_listener_get_folder  (ExitboxAllowListener *self);
/* Names the session that requests come from. Until then every request gets 503. */
void                  exitbox_allow_listener_set_session (ExitboxAllowListener *self,
                                                          const char           *session_name,
                                                          const char           *agent_id,
                                                          const char           *project_path);
/* Seconds a request waits for an answer; the default is
 * EXITBOX_ALLOW_TIMEOUT or EXITBOX_ALLOW_DEFAULT_TIMEOUT.
 */
void                  exitbox_allow_listener_set_timeout (ExitboxAllowListener *self,
                                                          guint                 seconds);
/* Whether a request waits for an answer. */
gboolean              exitbox_allow_listener_has_pending (ExitboxAllowListener *self);
/* Answers a waiting request with 503, stops listening and removes the
 * folder. Disposing the listener does the same.
 */
void                  exitbox_allow_listener_close       (ExitboxAllowListener *self);

G_END_DECLS
