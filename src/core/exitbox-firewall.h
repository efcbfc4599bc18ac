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
 * address on the internal network.
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

G_END_DECLS
