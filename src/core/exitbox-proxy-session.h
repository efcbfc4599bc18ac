/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The firewall's record of one running session: the container's fixed
 * address on the internal network and the entries that only this address
 * may use (from -a). A session without entries still has a record, because the
 * record reserves its address.
 */
typedef struct
{
  char      *name;       /* the container name */
  char      *address;    /* its IPv4 address on the internal network */
  GPtrArray *entries;    /* element type ExitboxAllowlistEntry */
  gint64     owner_pid;  /* the ExitBox process that started it, 0 when unknown */
} ExitboxProxySession;

ExitboxProxySession *exitbox_proxy_session_new            (const char          *name,
                                                           const char          *address,
                                                           GPtrArray           *entries);
void                 exitbox_proxy_session_free           (ExitboxProxySession *session);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxProxySession, exitbox_proxy_session_free)

/* The folder of session records: $EXITBOX_CACHE_DIR/proxy/sessions. */
char                *exitbox_proxy_dup_sessions_dir       (void);

/* Saves @session as "<dir>/<name>.session", atomically. */
gboolean             exitbox_proxy_session_save           (ExitboxProxySession *session,
                                                           const char          *dir,
                                                           GError             **error);
/* Loads every record in @dir, sorted by name. A missing folder gives an
 * empty array. A record that does not parse is skipped with a warning.
 */
GPtrArray           *exitbox_proxy_session_load_all       (const char          *dir);
/* Deletes the record of @name. A missing record is not an error. */
gboolean             exitbox_proxy_session_remove         (const char          *dir,
                                                           const char          *name,
                                                           GError             **error);
/* The session of @sessions whose address is @address, or NULL. */
ExitboxProxySession *exitbox_proxy_session_find_by_address (GPtrArray          *sessions,
                                                           const char          *address);

/* Picks a free host address in the IPv4 @subnet (CIDR), searching from the
 * top of the range down, so that it rarely meets the engine's own
 * allocation, which counts up from the bottom. The network address, the
 * broadcast address, the first host address (the engine's gateway) and
 * @used are never picked.
 */
char                *exitbox_proxy_allocate_address       (const char          *subnet,
                                                           const char * const  *used,
                                                           GError             **error);

G_END_DECLS
