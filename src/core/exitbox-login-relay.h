/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <gio/gio.h>

#include "exitbox-engine.h"

G_BEGIN_DECLS

/* The port of Codex's login callback server, which listens on 127.0.0.1
 * inside the agent's container.
 */
#define EXITBOX_CODEX_LOGIN_PORT 1455

#define EXITBOX_TYPE_LOGIN_RELAY (exitbox_login_relay_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxLoginRelay, exitbox_login_relay, EXITBOX, LOGIN_RELAY, GObject)

/* A relay from 127.0.0.1:@listen_port on the host (0 picks a free port) to
 * 127.0.0.1:@target_port inside the container @container_name. Each
 * connection runs `ENGINE exec -i` in the container with a fixed bash
 * command that joins its stdin and stdout to that port, so the container
 * needs no published port and stays on the internal network only.
 */
ExitboxLoginRelay *exitbox_login_relay_new              (ExitboxEngine     *engine,
                                                         const char        *container_name,
                                                         guint16            listen_port,
                                                         guint16            target_port);

/* Returns a relay for the session of @agent_id in @container_name when
 * that agent needs one (Codex, on EXITBOX_CODEX_LOGIN_PORT), or NULL.
 */
ExitboxLoginRelay *exitbox_login_relay_new_for_agent    (ExitboxEngine     *engine,
                                                         const char        *agent_id,
                                                         const char        *container_name);

/* Listens on 127.0.0.1 and relays connections from a thread of its own,
 * so the caller needs no running main loop. Fails when the port is taken;
 * callers report that as a warning, because only the login needs it.
 */
gboolean           exitbox_login_relay_start            (ExitboxLoginRelay *self,
                                                         GError           **error);

/* Closes the port, ends the open connections and waits for the relay's
 * thread. Does nothing when the relay is not running.
 */
void               exitbox_login_relay_stop             (ExitboxLoginRelay *self);

gboolean           exitbox_login_relay_get_running      (ExitboxLoginRelay *self);
/* The port the relay listens on, or 0 when it is not running. */
guint16            exitbox_login_relay_get_port         (ExitboxLoginRelay *self);

G_END_DECLS
