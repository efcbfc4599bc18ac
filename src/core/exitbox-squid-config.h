/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define EXITBOX_PROXY_PORT 3128
/* The path inside the proxy container of the host folder that contains squid.conf. */
#define EXITBOX_PROXY_CONFIG_DIR "/etc/exitbox-proxy"
#define EXITBOX_PROXY_CONFIG_FILE EXITBOX_PROXY_CONFIG_DIR "/squid.conf"

/* Generates squid.conf. @entries (element type ExitboxAllowlistEntry) may be
 * empty, and then every destination is denied; @blocked_reason, when not NULL,
 * is written as a comment saying why. @agent_subnet is the CIDR of the
 * internal network, the only source allowed to use the proxy.
 */
char  *exitbox_squid_config_generate (GPtrArray          *entries,
                                      const char         *agent_subnet,
                                      const char * const *dns_servers,
                                      const char         *blocked_reason);

/* EXITBOX_SQUID_DNS split at commas and white space, else 1.1.1.1 and 8.8.8.8. */
char **exitbox_squid_dup_dns_servers (void);

G_END_DECLS
