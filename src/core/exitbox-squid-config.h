/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib.h>

#include "exitbox-allowlist.h"
#include "exitbox-proxy-session.h"

G_BEGIN_DECLS

#define EXITBOX_PROXY_PORT 3128
/* The path inside the proxy container of the host folder that contains squid.conf. */
#define EXITBOX_PROXY_CONFIG_DIR "/etc/exitbox-proxy"
#define EXITBOX_PROXY_CONFIG_FILE EXITBOX_PROXY_CONFIG_DIR "/squid.conf"
/* The path inside the proxy container of the host folder for its logs,
 * $EXITBOX_CACHE_DIR/proxy/logs, which contains access.log and cache.log.
 */
#define EXITBOX_PROXY_LOG_DIR "/var/log/exitbox-proxy"

/* Generates squid.conf. @entries (element type ExitboxAllowlistEntry) may be
 * empty, and then every destination is denied; @blocked_reason, when not NULL,
 * is written as a comment saying why. @agent_subnet is the CIDR of the
 * internal network, the only source allowed to use the proxy.
 */
char  *exitbox_squid_config_generate (GPtrArray          *entries,
                                      const char         *agent_subnet,
                                      const char * const *dns_servers,
                                      const char         *blocked_reason);

/* Like exitbox_squid_config_generate(), and adds the rules of @sessions
 * (element type ExitboxProxySession, may be NULL): each session's entries
 * are allowed only from that session's address. @host_gateways (may be
 * NULL) are the host's addresses on the proxy's networks, blocked unless
 * an entry lists them.
 */
char  *exitbox_squid_config_generate_with_sessions (GPtrArray          *entries,
                                                    GPtrArray          *sessions,
                                                    const char         *agent_subnet,
                                                    const char * const *host_gateways,
                                                    const char * const *dns_servers,
                                                    const char         *blocked_reason);

/* Like exitbox_squid_config_generate_with_sessions(), with the search
 * domains @dns_search (may be NULL or empty, from
 * exitbox_squid_dup_dns_search()). With search domains, squid.conf turns
 * on dns_defnames and leaves out dns_nameservers, because Squid 5.7 reads
 * the search list from /etc/resolv.conf only when squid.conf names no DNS
 * server, so the proxy container must be started with --dns and
 * --dns-search instead.
 */
char  *exitbox_squid_config_generate_full (GPtrArray          *entries,
                                           GPtrArray          *sessions,
                                           const char         *agent_subnet,
                                           const char * const *host_gateways,
                                           const char * const *dns_servers,
                                           const char * const *dns_search,
                                           const char         *blocked_reason);

/* The decision the generated rules make for one request, computed without
 * sending anything.
 */
typedef struct
{
  gboolean  allowed;
  char     *rule;      /* translated: the rule that decides */
  char     *entry;     /* the allowing entry in canonical form, or NULL */
} ExitboxSquidVerdict;

void exitbox_squid_verdict_free (ExitboxSquidVerdict *verdict);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxSquidVerdict, exitbox_squid_verdict_free)

/* Decides a request to @destination (its host, and its port, or 443 for a
 * CONNECT and 80 otherwise when the port is 0) as squid.conf from @entries
 * does, for an agent whose session is @session (NULL for a session without
 * -a entries), with the gateway rule for @host_gateways (may be NULL). A
 * name is never resolved, so a listed name that resolves to a loopback,
 * link-local or gateway address is reported as allowed here while the
 * proxy blocks it.
 */
ExitboxSquidVerdict *exitbox_squid_check (GPtrArray                   *entries,
                                          const ExitboxProxySession   *session,
                                          const char * const          *host_gateways,
                                          const ExitboxAllowlistEntry *destination,
                                          gboolean                     connect);

/* EXITBOX_SQUID_DNS split at commas and white space, else 1.1.1.1 and 8.8.8.8. */
char **exitbox_squid_dup_dns_servers (void);

/* EXITBOX_SQUID_DNS_SEARCH split at commas and white space: the search
 * domains in lower case without a trailing dot, or an empty list when it
 * is unset, empty or "." (no search domains, so none are inherited from
 * the host). Sets @error, naming the value, when a piece is not a domain
 * name or "." is combined with domains.
 */
char **exitbox_squid_dup_dns_search (GError **error);

G_END_DECLS
