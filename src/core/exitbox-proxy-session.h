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

/* One entry of the session history: which session held an address, and
 * when. The history outlives the session records, so that a blocked request
 * in the access log is named after the session that made it, also after an
 * address was given to a newer session.
 */
typedef struct
{
  char   *name;     /* the container name */
  char   *address;  /* its IPv4 address on the internal network */
  gint64  start;    /* microseconds since the Unix epoch */
  gint64  end;      /* microseconds since the Unix epoch, 0 while the session runs */
} ExitboxProxyHistoryEntry;

/* The maximum number of history entries, and the maximum number of days an
 * entry is kept after its session ended.
 */
#define EXITBOX_PROXY_HISTORY_MAX_ENTRIES 1000
#define EXITBOX_PROXY_HISTORY_MAX_DAYS 30

void                 exitbox_proxy_history_entry_free     (ExitboxProxyHistoryEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxProxyHistoryEntry, exitbox_proxy_history_entry_free)

/* The name of the session history file in the proxy folder. */
#define EXITBOX_PROXY_HISTORY_FILE "session-history"

/* The session history file: $EXITBOX_CACHE_DIR/proxy/session-history. */
char                *exitbox_proxy_dup_history_path       (void);

/* Loads the history at @path, oldest start first. Element type
 * ExitboxProxyHistoryEntry. A missing file gives an empty array. Lines that
 * do not parse are skipped with one warning.
 */
GPtrArray           *exitbox_proxy_history_load           (const char          *path);
/* Saves @history to @path, atomically. */
gboolean             exitbox_proxy_history_save           (GPtrArray           *history,
                                                           const char          *path,
                                                           GError             **error);
/* Appends an open entry for the session @name at @address from @time. An
 * open entry of the same name or address is closed at @time first, because
 * an address reserved again means that its previous session ended.
 */
void                 exitbox_proxy_history_start          (GPtrArray           *history,
                                                           const char          *name,
                                                           const char          *address,
                                                           gint64               time);
/* Closes the open entries of the session @name at @time. Returns whether
 * one was open.
 */
gboolean             exitbox_proxy_history_end            (GPtrArray           *history,
                                                           const char          *name,
                                                           gint64               time);
/* Drops the entries that ended before @cutoff, then the oldest ones while
 * more than EXITBOX_PROXY_HISTORY_MAX_ENTRIES remain.
 */
void                 exitbox_proxy_history_prune          (GPtrArray           *history,
                                                           gint64               cutoff);
/* The name of the session that held @address at @time, or NULL. When
 * entries overlap, the one that started last wins.
 */
const char          *exitbox_proxy_history_find           (GPtrArray           *history,
                                                           const char          *address,
                                                           gint64               time);

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
