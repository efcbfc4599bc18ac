/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include "exitbox-allowlist.h"
#include "exitbox-engine.h"
#include "exitbox-image-builder.h"

G_BEGIN_DECLS

#define EXITBOX_PROXY_CONTAINER "exitbox-squid"

typedef enum
{
  EXITBOX_FIREWALL_STATE_STOPPED,
  EXITBOX_FIREWALL_STATE_RUNNING,
  EXITBOX_FIREWALL_STATE_ERROR,
} ExitboxFirewallState;

#define EXITBOX_TYPE_FIREWALL (exitbox_firewall_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxFirewall, exitbox_firewall, EXITBOX, FIREWALL, GObject)

ExitboxFirewall      *exitbox_firewall_new                 (ExitboxEngine       *engine,
                                                            ExitboxImageBuilder *images);

/* The networks and the proxy container, for one batched inspect. */
const char * const   *exitbox_firewall_get_inspect_names   (void);
ExitboxFirewallState  exitbox_firewall_get_state           (ExitboxFirewall     *self,
                                                            ExitboxInspection   *inspection);

/* Creates the networks, writes squid.conf from @allowlist, starts the proxy
 * or reloads it when its configuration changed, and returns the proxy's
 * address on the internal network. A new configuration is first checked
 * with `squid -k parse`. When squid rejects it, squid.conf and the running
 * proxy keep the last accepted rules, the rejected text is kept as
 * squid.conf.rejected, and the error contains squid's message.
 */
void                  exitbox_firewall_ensure_async        (ExitboxFirewall     *self,
                                                            ExitboxInspection   *inspection,
                                                            ExitboxAllowlist    *allowlist,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
char                 *exitbox_firewall_ensure_finish       (ExitboxFirewall     *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

/* Like exitbox_firewall_ensure_async(), and also reserves an address on the
 * internal network for the session whose container is @session_name, which
 * the container must be started with (--ip). @session_entries (element type
 * ExitboxAllowlistEntry, may be NULL) are allowed for that address only,
 * applied with a hot reload. Records of sessions that ended are dropped.
 * Call exitbox_firewall_end_session_async() when the session ends.
 */
void                  exitbox_firewall_ensure_session_async  (ExitboxFirewall     *self,
                                                              ExitboxInspection   *inspection,
                                                              ExitboxAllowlist    *allowlist,
                                                              const char          *session_name,
                                                              GPtrArray           *session_entries,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
/* Returns the proxy's address and sets @out_session_address. */
char                 *exitbox_firewall_ensure_session_finish (ExitboxFirewall     *self,
                                                              GAsyncResult        *result,
                                                              char               **out_session_address,
                                                              GError             **error);

/* Frees the address of @session_name and removes its rules from a running
 * proxy, reading allowlist.yaml again for the shared rules.
 */
void                  exitbox_firewall_end_session_async     (ExitboxFirewall     *self,
                                                              const char          *session_name,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean              exitbox_firewall_end_session_finish    (ExitboxFirewall     *self,
                                                              GAsyncResult        *result,
                                                              GError             **error);

/* Stops this ExitBox's proxy when no session runs, no desktop app has
 * taken exitbox_firewall_hold_proxy(), and the last session ended at least
 * @idle_minutes ago. Sets @out_stopped to whether it stopped the proxy.
 * Blocks on the proxy lock and the engine, for a helper process.
 */
gboolean              exitbox_firewall_stop_if_idle          (ExitboxFirewall     *self,
                                                              guint                idle_minutes,
                                                              gboolean            *out_stopped,
                                                              GCancellable        *cancellable,
                                                              GError             **error);
/* When the last session ended, in seconds since the Unix epoch, or -1 when
 * none ended since the proxy folder was created.
 */
gint64                exitbox_firewall_get_idle_since        (void);
/* Keeps the proxy up while the returned descriptor is open: a desktop app
 * takes this shared lock for its lifetime. Returns -1 on error.
 * NOTE: the desktop app takes it but schedules no idle stop when it quits,
 * so only the end of a CLI session stops an idle proxy.
 */
int                   exitbox_firewall_hold_proxy            (GError             **error);

/* The host's addresses that the gateway rule of the current squid.conf
 * blocks (the egress network's gateway), as recorded when it was written.
 * Empty before the first launch.
 */
char                **exitbox_firewall_dup_host_gateways     (void);

/* The proxy's access log on the host: $EXITBOX_CACHE_DIR/proxy/logs/access.log. */
char                 *exitbox_firewall_dup_log_path          (void);

/* Adds @entry to the rules of the running session @session_name, for that
 * session's address only, and applies it to a running proxy with a hot
 * reload. Fails with G_IO_ERROR_NOT_FOUND when the session has no record
 * (it ended, or runs without the firewall).
 */
void                  exitbox_firewall_add_session_entry_async  (ExitboxFirewall             *self,
                                                                 const char                  *session_name,
                                                                 const ExitboxAllowlistEntry *entry,
                                                                 GCancellable                *cancellable,
                                                                 GAsyncReadyCallback          callback,
                                                                 gpointer                     user_data);
gboolean              exitbox_firewall_add_session_entry_finish (ExitboxFirewall             *self,
                                                                 GAsyncResult                *result,
                                                                 GError                     **error);

/* Regenerates squid.conf from allowlist.yaml on disk and the records of
 * the running sessions, and reloads a running proxy when it changed, so
 * that running sessions follow an edited allowlist. A proxy that is not
 * running is left alone: it reads the rules when it starts.
 */
gboolean              exitbox_firewall_reload_rules             (ExitboxFirewall             *self,
                                                                 GCancellable                *cancellable,
                                                                 GError                     **error);
void                  exitbox_firewall_reload_rules_async       (ExitboxFirewall             *self,
                                                                 GCancellable                *cancellable,
                                                                 GAsyncReadyCallback          callback,
                                                                 gpointer                     user_data);
gboolean              exitbox_firewall_reload_rules_finish      (ExitboxFirewall             *self,
                                                                 GAsyncResult                *result,
                                                                 GError                     **error);

G_END_DECLS
