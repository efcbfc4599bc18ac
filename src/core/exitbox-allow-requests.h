/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib-object.h>

#include "exitbox-allowlist.h"

G_BEGIN_DECLS

/* Runtime allow requests. `exitbox-allow DOMAIN` inside a session sends a
 * request over a Unix socket to the ExitBox process that runs the session
 * (see exitbox-allow-listener.h). That process stores the request as a file
 * in the shared requests folder, where the desktop app and `exitbox
 * firewall pending` find it, and waits for an answer file that only the
 * host user can write there.
 */

/* The folder of the socket inside the container, and the socket's name. */
#define EXITBOX_ALLOW_CONTAINER_DIR  "/run/exitbox"
#define EXITBOX_ALLOW_SOCKET_NAME    "allow.sock"
/* How long a request waits for an answer before it is denied, in seconds.
 * EXITBOX_ALLOW_TIMEOUT (whole seconds, 1 to 3600) overrides it.
 */
#define EXITBOX_ALLOW_DEFAULT_TIMEOUT 120

typedef enum
{
  EXITBOX_ALLOW_ANSWER_DENY,
  EXITBOX_ALLOW_ANSWER_SESSION,  /* for the requesting session's address only */
  EXITBOX_ALLOW_ANSWER_ALWAYS,   /* added to the custom category of allowlist.yaml */
} ExitboxAllowAnswer;

/* "deny", "session", "always" */
const char *exitbox_allow_answer_to_string   (ExitboxAllowAnswer  answer);
gboolean    exitbox_allow_answer_from_string (const char         *text,
                                              ExitboxAllowAnswer *out_answer);

/* One pending request, as stored in "<requests folder>/<id>.json". */
typedef struct
{
  char   *id;        /* 8 lower-case hex digits */
  char   *session;   /* the requesting container's name */
  char   *agent;     /* the agent id, or NULL for a shell */
  char   *project;   /* the project folder on the host */
  char   *entry;     /* the requested entry in canonical form */
  char   *rule;      /* translated: what the entry allows */
  gint64  created;   /* seconds since the Unix epoch */
  gint64  deadline;  /* when it is denied without an answer, same unit */
  gint64  pid;       /* the ExitBox process that waits for the answer */
} ExitboxAllowRequest;

#define EXITBOX_TYPE_ALLOW_REQUEST (exitbox_allow_request_get_type ())
GType                exitbox_allow_request_get_type (void) G_GNUC_CONST;
ExitboxAllowRequest *exitbox_allow_request_copy     (const ExitboxAllowRequest *request);
void                 exitbox_allow_request_free     (ExitboxAllowRequest       *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxAllowRequest, exitbox_allow_request_free)

/* ExitBox's folder for sockets and requests: EXITBOX_RUNTIME_DIR, else
 * $XDG_RUNTIME_DIR/exitbox (GLib falls back to the cache folder when
 * XDG_RUNTIME_DIR is unset).
 */
char                *exitbox_allow_dup_runtime_dir  (void);
/* The shared folder of pending requests and answers: <runtime folder>/requests. */
char                *exitbox_allow_dup_requests_dir (void);

/* Describes in a translated sentence what @entry allows, as the proxy
 * applies it: the host (and its subdomains for a name) on the ports the
 * proxy opens for it.
 */
char                *exitbox_allow_describe_entry   (const ExitboxAllowlistEntry *entry);

/* Saves @request as "<dir>/<id>.json" atomically with mode 0600, creating
 * @dir with mode 0700.
 */
gboolean             exitbox_allow_request_save     (const ExitboxAllowRequest  *request,
                                                     const char                 *dir,
                                                     GError                    **error);
ExitboxAllowRequest *exitbox_allow_request_load     (const char                 *path,
                                                     GError                    **error);
/* Removes the request and answer files of @id in @dir. Missing files are no error. */
void                 exitbox_allow_request_remove   (const char                 *dir,
                                                     const char                 *id);

/* Loads the requests of @dir that still wait: their deadline has not
 * passed and their process runs. Sorted by creation time. Element type
 * ExitboxAllowRequest.
 */
GPtrArray           *exitbox_allow_requests_load_pending (const char            *dir);

/* Writes @answer for the pending request @id of @dir as "<id>.answer",
 * atomically with mode 0600. Fails with G_IO_ERROR_NOT_FOUND when no
 * pending request has that id.
 */
gboolean             exitbox_allow_requests_write_answer (const char            *dir,
                                                          const char            *id,
                                                          ExitboxAllowAnswer     answer,
                                                          GError               **error);
/* Reads the answer file of @id in @dir. Returns FALSE, with no error set,
 * while no answer exists.
 */
gboolean             exitbox_allow_requests_read_answer  (const char            *dir,
                                                          const char            *id,
                                                          ExitboxAllowAnswer    *out_answer,
                                                          GError               **error);

/* The pending requests of the requests folder, kept current by a file
 * monitor. Signals: "request-added" (ExitboxAllowRequest) and
 * "request-removed" (the id), both emitted from the main context the object
 * was created in.
 */
#define EXITBOX_TYPE_ALLOW_REQUESTS (exitbox_allow_requests_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxAllowRequests, exitbox_allow_requests, EXITBOX, ALLOW_REQUESTS, GObject)

/* Watches exitbox_allow_dup_requests_dir(), creating it with mode 0700. */
ExitboxAllowRequests *exitbox_allow_requests_new         (GError               **error);
/* The pending requests, oldest first. Element type ExitboxAllowRequest. */
GPtrArray            *exitbox_allow_requests_get_pending (ExitboxAllowRequests  *self);
/* Reads the folder again and emits the signals for what changed. */
void                  exitbox_allow_requests_refresh     (ExitboxAllowRequests  *self);
gboolean              exitbox_allow_requests_answer      (ExitboxAllowRequests  *self,
                                                          const char            *id,
                                                          ExitboxAllowAnswer     answer,
                                                          GError               **error);

G_END_DECLS
