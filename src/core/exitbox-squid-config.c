/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "exitbox-allowlist.h"
#include "exitbox-proxy-session.h"
#include "exitbox-squid-config.h"

/* Squid 5.7 cuts a configuration line after 8191 characters and reads the
 * rest as a new line, so long acl lists are wrapped well below that.
 */
#define MAX_ACL_LINE_LENGTH 200

#define DEFAULT_DNS_SERVERS "1.1.1.1", "8.8.8.8"

/* The entries allowed on one port. Port 0 stands for entries without a
 * port, which get HTTPS on 443 and plain HTTP on 80.
 */
typedef struct
{
  guint16     port;
  GPtrArray  *domains;       /* host names, borrowed from the entries */
  GPtrArray  *addresses;     /* addresses, borrowed from the entries */
  GHashTable *domain_set;    /* host name → itself */
  GHashTable *address_set;   /* address → itself */
} PortGroup;

static PortGroup *
port_group_new (guint16 port)
{
  PortGroup *group = g_new0 (PortGroup, 1);

  group->port = port;
  group->domains = g_ptr_array_new ();
  group->addresses = g_ptr_array_new ();
  group->domain_set = g_hash_table_new (g_str_hash, g_str_equal);
  group->address_set = g_hash_table_new (g_str_hash, g_str_equal);

  return group;
}

static void
port_group_free (PortGroup *group)
{
  g_ptr_array_unref (group->domains);
  g_ptr_array_unref (group->addresses);
  g_hash_table_unref (group->domain_set);
  g_hash_table_unref (group->address_set);
  g_free (group);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PortGroup, port_group_free)

/* Whether a parent domain of @host is also in @domain_set. The parent
 * already covers the subdomain, and squid 5.7 warns about such overlaps in a
 * dstdomain list (later releases may reject them).
 */
static gboolean
has_listed_parent (GHashTable *domain_set,
                   const char *host)
{
  for (const char *dot = strchr (host, '.'); dot != NULL; dot = strchr (dot + 1, '.'))
    {
      if (g_hash_table_contains (domain_set, dot + 1))
        return TRUE;
    }

  return FALSE;
}

/* Sorts @entries into one group per port, in the order in which the ports
 * first appear, with the group for entries without a port first.
 */
static GPtrArray *
group_entries_by_port (GPtrArray *entries)
{
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) port_group_free);
  g_autoptr(GHashTable) groups_by_port = g_hash_table_new (g_direct_hash, g_direct_equal);

  g_ptr_array_add (groups, port_group_new (0));
  g_hash_table_insert (groups_by_port, GUINT_TO_POINTER (0), groups->pdata[0]);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      const ExitboxAllowlistEntry *entry = g_ptr_array_index (entries, i);
      PortGroup *group = g_hash_table_lookup (groups_by_port, GUINT_TO_POINTER (entry->port));

      if (group == NULL)
        {
          group = port_group_new (entry->port);
          g_ptr_array_add (groups, group);
          g_hash_table_insert (groups_by_port, GUINT_TO_POINTER (entry->port), group);
        }

      if (entry->kind == EXITBOX_ALLOWLIST_ENTRY_DOMAIN)
        {
          if (g_hash_table_add (group->domain_set, entry->host))
            g_ptr_array_add (group->domains, entry->host);
        }
      else
        {
          if (g_hash_table_add (group->address_set, entry->host))
            g_ptr_array_add (group->addresses, entry->host);
        }
    }

  /* Drop subdomains of listed domains, keeping the order of the rest. */
  for (guint i = 0; i < groups->len; i++)
    {
      PortGroup *group = g_ptr_array_index (groups, i);
      guint kept = 0;

      for (guint j = 0; j < group->domains->len; j++)
        {
          const char *host = g_ptr_array_index (group->domains, j);

          if (!has_listed_parent (group->domain_set, host))
            group->domains->pdata[kept++] = (gpointer) host;
        }

      g_ptr_array_set_size (group->domains, kept);
    }

  return g_steal_pointer (&groups);
}

/* Writes "acl NAME TYPE VALUE…" over as many lines as needed. Squid joins
 * acl lines of the same name into one list.
 */
static void
append_acl (GString    *out,
            const char *name,
            const char *type,
            const char *value_prefix,
            GPtrArray  *values)
{
  gsize line_start = out->len;

  for (guint i = 0; i < values->len; i++)
    {
      const char *value = g_ptr_array_index (values, i);

      if (i == 0 || out->len - line_start + strlen (value) + 2 > MAX_ACL_LINE_LENGTH)
        {
          if (i > 0)
            g_string_append_c (out, '\n');
          line_start = out->len;
          g_string_append_printf (out, "acl %s %s", name, type);
        }

      g_string_append_printf (out, " %s%s", value_prefix, value);
    }

  if (values->len > 0)
    g_string_append_c (out, '\n');
}

static void
append_comment (GString    *out,
                const char *text)
{
  g_auto(GStrv) lines = g_strsplit_set (text, "\r\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        g_string_append (out, "#\n");
      else
        g_string_append_printf (out, "# %s\n", lines[i]);
    }
}

static gboolean
subnet_is_valid (const char *subnet)
{
  g_autoptr(GInetAddressMask) mask = NULL;

  if (subnet == NULL)
    return FALSE;

  mask = g_inet_address_mask_new_from_string (subnet, NULL);
  return mask != NULL;
}

static void
append_settings (GString            *out,
                 const char * const *dns_servers,
                 const char * const *dns_search)
{
  gboolean has_search = dns_search != NULL && dns_search[0] != NULL;
  g_autoptr(GPtrArray) valid_servers = g_ptr_array_new ();

  g_string_append_printf (out,
                          "# Agents reach the proxy on this port of the internal network.\n"
                          "http_port %d\n"
                          "\n"
                          "# \"squid -k reconfigure\" finds the running proxy through this file.\n"
                          "pid_filename /run/exitbox-squid.pid\n"
                          "\n"
                          "# The proxy only filters and keeps no copies of responses.\n"
                          "cache deny all\n"
                          "\n"
                          "# The logs go to a host folder that is mounted into the proxy. Squid\n"
                          "# runs as the user \"proxy\", which rootless podman maps to a sub-uid,\n"
                          "# so files must be readable by others for the host user to read them.\n"
                          "# One line per request: time, client address, result/status, method,\n"
                          "# host, port. ExitBox reads blocked requests from it, and rotates\n"
                          "# it with \"squid -k rotate\" when it grows large, keeping one old file.\n"
                          "umask 022\n"
                          "logformat exitbox %%ts.%%03tu %%>a %%Ss/%%03>Hs %%>rm %%>rd %%>rP\n"
                          "access_log stdio:%s/access.log exitbox\n"
                          "cache_log %s/cache.log\n"
                          "logfile_rotate 1\n"
                          "\n",
                          EXITBOX_PROXY_PORT, EXITBOX_PROXY_LOG_DIR, EXITBOX_PROXY_LOG_DIR);

  for (guint i = 0; dns_servers != NULL && dns_servers[i] != NULL; i++)
    {
      if (g_hostname_is_ip_address (dns_servers[i]))
        g_ptr_array_add (valid_servers, (gpointer) dns_servers[i]);
      else
        g_warning ("Leaving the invalid DNS server address “%s” out of squid.conf",
                   dns_servers[i]);
    }

  if (has_search)
    {
      g_string_append (out,
                       "# The proxy resolves destination names itself, with the DNS servers\n"
                       "# and search domains of its container's /etc/resolv.conf, which ExitBox\n"
                       "# sets with --dns and --dns-search. Squid 5.7 reads the search domains\n"
                       "# there only when squid.conf has no dns_nameservers line, so it has none.\n"
                       "# The search domains:");
      for (guint i = 0; dns_search[i] != NULL; i++)
        g_string_append_printf (out, " %s", dns_search[i]);
      g_string_append (out,
                       "\n"
                       "# With dns_defnames on, a name without a dot is looked up with each\n"
                       "# search domain appended. The allowlist still matches the name as the\n"
                       "# agent requested it.\n"
                       "dns_defnames on\n"
                       "\n");
    }
  else if (valid_servers->len > 0)
    {
      g_string_append (out,
                       "# The proxy resolves destination names itself, with these servers.\n"
                       "dns_nameservers");
      for (guint i = 0; i < valid_servers->len; i++)
        g_string_append_printf (out, " %s", (const char *) g_ptr_array_index (valid_servers, i));
      g_string_append (out, "\n\n");
    }
  else
    {
      g_string_append (out,
                       "# No DNS server is set, so the proxy uses the resolvers of its own\n"
                       "# container.\n"
                       "\n");
    }

  if (!has_search)
    g_string_append (out,
                     "# No search domains are set, so a name without a dot is looked up as\n"
                     "# it is, never completed with a domain of the host.\n"
                     "dns_defnames off\n"
                     "\n");

  g_string_append (out,
                   "# A stop or restart of the proxy should not wait for open connections.\n"
                   "shutdown_lifetime 1 seconds\n"
                   "\n"
                   "# Error pages and headers name neither the machine nor the Squid version.\n"
                   "# \"via off\" drops the Via header and \"forwarded_for delete\" drops\n"
                   "# X-Forwarded-For, so requests leave without the agent's address.\n"
                   "visible_hostname exitbox-squid\n"
                   "via off\n"
                   "forwarded_for delete\n"
                   "httpd_suppress_version_string on\n"
                   "\n");
}

/* Names and rule prefix of one set of entries: the shared allowlist, or
 * the -a entries of one session.
 */
typedef struct
{
  const char *acl_prefix;   /* "exitbox" or "exitbox_session_N" */
  const char *source_acl;   /* the session's address acl, NULL for the allowlist */
  GHashTable *port_acls;    /* ports whose acl is already written */
} RuleSet;

/* Writes the acl and http_access lines for the entries on one port. */
static void
append_group_rules (GString       *acls,
                    GString       *rules,
                    PortGroup     *group,
                    const RuleSet *set)
{
  g_autofree char *domains_acl = NULL;
  g_autofree char *addresses_acl = NULL;
  g_autofree char *port_acl = NULL;
  g_autofree char *source = NULL;

  if (group->domains->len == 0 && group->addresses->len == 0)
    return;

  source = set->source_acl != NULL ? g_strconcat (set->source_acl, " ", NULL) : g_strdup ("");

  if (group->port == 0)
    {
      domains_acl = g_strdup_printf ("%s_domains", set->acl_prefix);
      addresses_acl = g_strdup_printf ("%s_addresses", set->acl_prefix);
    }
  else
    {
      domains_acl = g_strdup_printf ("%s_domains_%u", set->acl_prefix, (guint) group->port);
      addresses_acl = g_strdup_printf ("%s_addresses_%u", set->acl_prefix, (guint) group->port);
      port_acl = g_strdup_printf ("exitbox_port_%u", (guint) group->port);

      if (g_hash_table_add (set->port_acls, GUINT_TO_POINTER ((guint) group->port)))
        {
          g_string_append_printf (acls, "\n# Entries that name port %u.\n", (guint) group->port);
          g_string_append_printf (acls, "acl %s port %u\n", port_acl, (guint) group->port);
        }
    }

  append_acl (acls, domains_acl, "dstdomain -n", ".", group->domains);
  append_acl (acls, addresses_acl, "dst", "", group->addresses);

  if (group->port == 0)
    {
      if (group->domains->len > 0)
        g_string_append_printf (rules,
                                "# Listed domains: HTTPS tunnels to port 443 and plain HTTP to\n"
                                "# port 80.\n"
                                "http_access allow %sexitbox_connect exitbox_https_port %s\n"
                                "http_access allow %s!exitbox_connect exitbox_http_port %s\n",
                                source, domains_acl, source, domains_acl);
      if (group->addresses->len > 0)
        g_string_append_printf (rules,
                                "# Listed addresses: HTTPS tunnels to port 443 and plain HTTP to\n"
                                "# port 80.\n"
                                "http_access allow %sexitbox_connect exitbox_https_port %s\n"
                                "http_access allow %s!exitbox_connect exitbox_http_port %s\n",
                                source, addresses_acl, source, addresses_acl);
      return;
    }

  g_string_append_printf (rules,
                          "# Entries with port %u: HTTPS tunnels and plain HTTP to that port.\n",
                          (guint) group->port);
  if (group->domains->len > 0)
    g_string_append_printf (rules, "http_access allow %s%s %s\n", source, port_acl, domains_acl);
  if (group->addresses->len > 0)
    g_string_append_printf (rules, "http_access allow %s%s %s\n", source, port_acl, addresses_acl);
}

/* Adds the listed link-local addresses of @groups to @listed. They are
 * the only exceptions to the link-local rule.
 */
static void
collect_listed_link_local (GPtrArray  *groups,
                           GPtrArray  *listed,
                           GHashTable *listed_set)
{
  for (guint i = 0; i < groups->len; i++)
    {
      PortGroup *group = g_ptr_array_index (groups, i);

      for (guint j = 0; j < group->addresses->len; j++)
        {
          const char *text = g_ptr_array_index (group->addresses, j);
          g_autoptr(GInetAddress) address = g_inet_address_new_from_string (text);

          if (address != NULL && g_inet_address_get_is_link_local (address) &&
              g_hash_table_add (listed_set, (gpointer) text))
            g_ptr_array_add (listed, (gpointer) text);
        }
    }
}

static gboolean
groups_have_plain_entries (GPtrArray *groups)
{
  PortGroup *plain = g_ptr_array_index (groups, 0);

  return plain->domains->len > 0 || plain->addresses->len > 0;
}

/* Writes the rules of each session with a valid address and at least one
 * entry, each limited to that session's address.
 */
static void
append_session_rules (GString    *acls,
                      GString    *rules,
                      GPtrArray  *sessions,
                      GPtrArray  *session_groups,
                      GHashTable *port_acls)
{
  for (guint i = 0; i < session_groups->len; i++)
    {
      const ExitboxProxySession *session = g_ptr_array_index (sessions, i);
      GPtrArray *groups = g_ptr_array_index (session_groups, i);
      g_autofree char *prefix = NULL;
      g_autofree char *source_acl = NULL;
      g_autofree char *heading = NULL;
      RuleSet set = { 0 };

      if (groups == NULL)
        continue;

      prefix = g_strdup_printf ("exitbox_session_%u", i + 1);
      source_acl = g_strdup_printf ("%s_source", prefix);
      heading = g_strdup_printf ("Session %s at %s: entries given with -a, for this address only.",
                                 session->name, session->address);

      g_string_append_c (acls, '\n');
      append_comment (acls, heading);
      g_string_append_printf (acls, "acl %s src %s\n", source_acl, session->address);

      g_string_append_c (rules, '\n');
      append_comment (rules, heading);

      set.acl_prefix = prefix;
      set.source_acl = source_acl;
      set.port_acls = port_acls;
      for (guint j = 0; j < groups->len; j++)
        append_group_rules (acls, rules, g_ptr_array_index (groups, j), &set);
    }
}

static void
unref_groups (GPtrArray *groups)
{
  if (groups != NULL)
    g_ptr_array_unref (groups);
}

/* One array of port groups per session, NULL for a session that adds no
 * rules: no entries, or an address that is not an IP address.
 */
static GPtrArray *
group_session_entries (GPtrArray *sessions)
{
  GPtrArray *session_groups = g_ptr_array_new_with_free_func ((GDestroyNotify) unref_groups);

  for (guint i = 0; sessions != NULL && i < sessions->len; i++)
    {
      const ExitboxProxySession *session = g_ptr_array_index (sessions, i);

      if (session->entries->len == 0)
        {
          g_ptr_array_add (session_groups, NULL);
          continue;
        }

      if (!g_hostname_is_ip_address (session->address))
        {
          g_warning ("Leaving the rules of session %s out of squid.conf: “%s” is not an IP address",
                     session->name, session->address);
          g_ptr_array_add (session_groups, NULL);
          continue;
        }

      g_ptr_array_add (session_groups, group_entries_by_port (session->entries));
    }

  return session_groups;
}

char *
exitbox_squid_config_generate (GPtrArray          *entries,
                               const char         *agent_subnet,
                               const char * const *dns_servers,
                               const char         *blocked_reason)
{
  return exitbox_squid_config_generate_with_sessions (entries, NULL, agent_subnet, NULL,
                                                      dns_servers, blocked_reason);
}

static gboolean address_is_listed (GPtrArray    *entries,
                                   GInetAddress *address);

/* The gateways that no entry lists, which the gateway rule blocks. */
static GPtrArray *
collect_unlisted_gateways (const char * const *host_gateways,
                           GPtrArray          *entries,
                           GPtrArray          *sessions)
{
  GPtrArray *unlisted = g_ptr_array_new ();

  for (guint i = 0; host_gateways != NULL && host_gateways[i] != NULL; i++)
    {
      g_autoptr(GInetAddress) gateway = g_inet_address_new_from_string (host_gateways[i]);
      gboolean listed;

      if (gateway == NULL)
        {
          g_warning ("Leaving the invalid gateway address “%s” out of squid.conf", host_gateways[i]);
          continue;
        }

      listed = address_is_listed (entries, gateway);
      for (guint j = 0; !listed && sessions != NULL && j < sessions->len; j++)
        listed = address_is_listed (((ExitboxProxySession *) g_ptr_array_index (sessions, j))->entries,
                                    gateway);

      if (!listed)
        g_ptr_array_add (unlisted, (gpointer) host_gateways[i]);
    }

  return unlisted;
}

char *
exitbox_squid_config_generate_with_sessions (GPtrArray          *entries,
                                             GPtrArray          *sessions,
                                             const char         *agent_subnet,
                                             const char * const *host_gateways,
                                             const char * const *dns_servers,
                                             const char         *blocked_reason)
{
  return exitbox_squid_config_generate_full (entries, sessions, agent_subnet, host_gateways,
                                             dns_servers, NULL, blocked_reason);
}

char *
exitbox_squid_config_generate_full (GPtrArray          *entries,
                                    GPtrArray          *sessions,
                                    const char         *agent_subnet,
                                    const char * const *host_gateways,
                                    const char * const *dns_servers,
                                    const char * const *dns_search,
                                    const char         *blocked_reason)
{
  g_autoptr(GString) out = NULL;
  g_autoptr(GString) acls = NULL;
  g_autoptr(GString) rules = NULL;
  g_autoptr(GString) session_rules = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GPtrArray) session_groups = NULL;
  g_autoptr(GPtrArray) listed_link_local = NULL;
  g_autoptr(GHashTable) listed_link_local_set = NULL;
  g_autoptr(GHashTable) port_acls = NULL;
  g_autoptr(GPtrArray) gateways = NULL;
  gboolean plain_entries;
  RuleSet shared = { 0 };

  g_return_val_if_fail (subnet_is_valid (agent_subnet), NULL);

  out = g_string_new (NULL);
  acls = g_string_new (NULL);
  rules = g_string_new (NULL);
  session_rules = g_string_new (NULL);
  port_acls = g_hash_table_new (g_direct_hash, g_direct_equal);

  groups = group_entries_by_port (entries);
  session_groups = group_session_entries (sessions);
  gateways = collect_unlisted_gateways (host_gateways, entries, sessions);

  listed_link_local = g_ptr_array_new ();
  listed_link_local_set = g_hash_table_new (g_str_hash, g_str_equal);
  collect_listed_link_local (groups, listed_link_local, listed_link_local_set);
  plain_entries = groups_have_plain_entries (groups);
  for (guint i = 0; i < session_groups->len; i++)
    {
      GPtrArray *session_group = g_ptr_array_index (session_groups, i);

      if (session_group == NULL)
        continue;
      collect_listed_link_local (session_group, listed_link_local, listed_link_local_set);
      plain_entries |= groups_have_plain_entries (session_group);
    }

  g_string_append (out,
                   "# squid.conf generated by ExitBox. Edits are overwritten, so change\n"
                   "# allowlist.yaml instead.\n"
                   "#\n"
                   "# ExitBox checks each new version with \"squid -k parse\" before it\n"
                   "# reloads the proxy. A version that squid rejects is kept as\n"
                   "# squid.conf.rejected, and this file keeps the last accepted rules.\n"
                   "\n");

  if (blocked_reason != NULL)
    {
      append_comment (out, blocked_reason);
      g_string_append (out, "\n");
    }

  append_settings (out, dns_servers, dns_search);

  shared.acl_prefix = "exitbox";
  shared.port_acls = port_acls;
  for (guint i = 0; i < groups->len; i++)
    append_group_rules (acls, rules, g_ptr_array_index (groups, i), &shared);

  append_session_rules (acls, session_rules, sessions, session_groups, port_acls);

  g_string_append_printf (out,
                          "# Only containers on the internal network may use the proxy.\n"
                          "acl exitbox_agents src %s\n"
                          "\n"
                          "# Squid 5.7 has no built-in acl for link-local addresses, which\n"
                          "# include cloud metadata services such as 169.254.169.254.\n"
                          "acl exitbox_link_local dst 169.254.0.0/16 fe80::/10\n",
                          agent_subnet);

  if (listed_link_local->len > 0)
    append_acl (out, "exitbox_listed_link_local", "dst", "", listed_link_local);

  if (gateways->len > 0)
    {
      g_string_append (out,
                       "\n"
                       "# The host's own address on the proxy's networks, which leads to\n"
                       "# services on the host. A listed gateway address is left out.\n");
      append_acl (out, "exitbox_host_gateway", "dst", "", gateways);
    }

  if (plain_entries)
    g_string_append (out,
                     "\n"
                     "# Entries without a port allow HTTPS tunnels to port 443 and plain HTTP\n"
                     "# to port 80.\n"
                     "acl exitbox_connect method CONNECT\n"
                     "acl exitbox_https_port port 443\n"
                     "acl exitbox_http_port port 80\n");

  if (acls->len > 0)
    g_string_append (out,
                     "\n"
                     "# In a dstdomain list a leading dot matches the domain and all its\n"
                     "# subdomains. With -n a request for an IP address never matches a domain\n"
                     "# through a reverse DNS lookup. A subdomain of a listed domain is left out\n"
                     "# because squid warns about such overlaps.\n");

  g_string_append (out, acls->str);

  g_string_append (out,
                   "\n"
                   "# Only the internal network may use the proxy. No rule allows localhost,\n"
                   "# so nothing reaches the proxy through its own loopback.\n"
                   "http_access deny !exitbox_agents\n"
                   "\n"
                   "# Loopback addresses lead back into the proxy container itself, so they are\n"
                   "# blocked even when listed, and so are names that resolve to them.\n"
                   "http_access deny to_localhost\n"
                   "\n"
                   "# Link-local destinations are blocked unless their address is listed. The\n"
                   "# dst acl resolves names, so a listed name that resolves to a link-local\n"
                   "# address is blocked too.\n");

  if (listed_link_local->len > 0)
    g_string_append (out, "http_access deny exitbox_link_local !exitbox_listed_link_local\n");
  else
    g_string_append (out, "http_access deny exitbox_link_local\n");

  if (gateways->len > 0)
    g_string_append (out,
                     "\n"
                     "# The host gateway is blocked unless its address is listed, and so are\n"
                     "# names that resolve to it.\n"
                     "http_access deny exitbox_host_gateway\n");

  g_string_append (out, "\n");

  if (rules->len > 0)
    {
      g_string_append (out, "# The allowlist.\n");
      g_string_append (out, rules->str);
    }
  else
    {
      g_string_append (out, "# The allowlist has no entries, so no destination is allowed.\n");
    }

  g_string_append (out, session_rules->str);

  g_string_append (out,
                   "\n"
                   "# Everything not allowed above is blocked.\n"
                   "http_access deny all\n");

  return g_string_free (g_steal_pointer (&out), FALSE);
}

char **
exitbox_squid_dup_dns_servers (void)
{
  static const char * const defaults[] = { DEFAULT_DNS_SERVERS, NULL };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) pieces = NULL;
  const char *value = g_getenv ("EXITBOX_SQUID_DNS");
  guint n_valid = 0;

  if (value == NULL)
    return g_strdupv ((char **) defaults);

  pieces = g_strsplit_set (value, ", \t\r\n", -1);
  for (guint i = 0; pieces[i] != NULL; i++)
    {
      if (pieces[i][0] == '\0')
        continue;

      if (!g_hostname_is_ip_address (pieces[i]))
        {
          g_warning ("Ignoring “%s” in EXITBOX_SQUID_DNS: it is not an IP address", pieces[i]);
          continue;
        }

      g_strv_builder_add (builder, pieces[i]);
      n_valid++;
    }

  if (n_valid == 0)
    return g_strdupv ((char **) defaults);

  return g_strv_builder_end (builder);
}

/* Whether @name is a host name of ASCII labels: 1 to 63 letters, digits
 * and hyphens each, no hyphen at either end, at most 253 characters.
 */
static gboolean
is_search_domain (const char *name)
{
  g_auto(GStrv) labels = NULL;

  if (name[0] == '\0' || strlen (name) > 253)
    return FALSE;

  labels = g_strsplit (name, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      gsize length = strlen (labels[i]);

      if (length == 0 || length > 63 || labels[i][0] == '-' || labels[i][length - 1] == '-')
        return FALSE;

      for (const char *p = labels[i]; *p != '\0'; p++)
        {
          if (!g_ascii_isalnum (*p) && *p != '-')
            return FALSE;
        }
    }

  return TRUE;
}

char **
exitbox_squid_dup_dns_search (GError **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) pieces = NULL;
  const char *value = g_getenv ("EXITBOX_SQUID_DNS_SEARCH");
  gboolean has_dot = FALSE;
  guint n_domains = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (value == NULL)
    return g_strv_builder_end (builder);

  pieces = g_strsplit_set (value, ", \t\r\n", -1);
  for (guint i = 0; pieces[i] != NULL; i++)
    {
      g_autofree char *ascii = NULL;
      g_autofree char *domain = NULL;

      if (pieces[i][0] == '\0')
        continue;

      if (g_str_equal (pieces[i], "."))
        {
          has_dot = TRUE;
          continue;
        }

      /* An internationalized name is written in its ASCII (punycode) form. */
      ascii = g_str_is_ascii (pieces[i]) ? g_strdup (pieces[i]) : g_hostname_to_ascii (pieces[i]);
      domain = g_ascii_strdown (ascii != NULL ? ascii : "", -1);
      if (g_str_has_suffix (domain, "."))
        domain[strlen (domain) - 1] = '\0';

      if (!is_search_domain (domain))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("EXITBOX_SQUID_DNS_SEARCH contains “%s”, which is not a domain name. "
                         "Set it to domain names such as corp.example, separated by commas or "
                         "spaces, or to “.” for no search domains."),
                       pieces[i]);
          return NULL;
        }

      g_strv_builder_add (builder, domain);
      n_domains++;
    }

  if (has_dot && n_domains > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("EXITBOX_SQUID_DNS_SEARCH is “%s”, which combines “.” (no search domains) "
                     "with domains. Set it to either “.” or a list of domains."),
                   value);
      return NULL;
    }

  return g_strv_builder_end (builder);
}

void
exitbox_squid_verdict_free (ExitboxSquidVerdict *verdict)
{
  if (verdict == NULL)
    return;

  g_free (verdict->rule);
  g_free (verdict->entry);
  g_free (verdict);
}

/* Whether @entry allows @destination on @port, as the acls written for it
 * do: a domain matches itself and its subdomains but never an IP address
 * (dstdomain -n), and an entry without a port allows CONNECT to 443 and
 * other methods to 80.
 */
static gboolean
entry_allows (const ExitboxAllowlistEntry *entry,
              const ExitboxAllowlistEntry *destination,
              guint16                      port,
              gboolean                     connect)
{
  if (entry->kind == EXITBOX_ALLOWLIST_ENTRY_DOMAIN)
    {
      gsize host_length = strlen (destination->host);
      gsize entry_length = strlen (entry->host);

      if (destination->kind != EXITBOX_ALLOWLIST_ENTRY_DOMAIN)
        return FALSE;

      if (!g_str_equal (destination->host, entry->host) &&
          !(host_length > entry_length &&
            g_str_has_suffix (destination->host, entry->host) &&
            destination->host[host_length - entry_length - 1] == '.'))
        return FALSE;
    }
  else
    {
      g_autoptr(GInetAddress) listed = NULL;
      g_autoptr(GInetAddress) requested = NULL;

      if (destination->kind == EXITBOX_ALLOWLIST_ENTRY_DOMAIN)
        return FALSE;

      listed = g_inet_address_new_from_string (entry->host);
      requested = g_inet_address_new_from_string (destination->host);
      if (listed == NULL || requested == NULL || !g_inet_address_equal (listed, requested))
        return FALSE;
    }

  if (entry->port == 0)
    return connect ? port == 443 : port == 80;

  return port == entry->port;
}

static const ExitboxAllowlistEntry *
find_allowing_entry (GPtrArray                   *entries,
                     const ExitboxAllowlistEntry *destination,
                     guint16                      port,
                     gboolean                     connect)
{
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      const ExitboxAllowlistEntry *entry = g_ptr_array_index (entries, i);

      if (entry_allows (entry, destination, port, connect))
        return entry;
    }

  return NULL;
}

static gboolean
address_is_listed (GPtrArray    *entries,
                   GInetAddress *address)
{
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      const ExitboxAllowlistEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(GInetAddress) listed = NULL;

      if (entry->kind == EXITBOX_ALLOWLIST_ENTRY_DOMAIN)
        continue;

      listed = g_inet_address_new_from_string (entry->host);
      if (listed != NULL && g_inet_address_equal (listed, address))
        return TRUE;
    }

  return FALSE;
}

static ExitboxSquidVerdict *
verdict_new (gboolean                     allowed,
             const ExitboxAllowlistEntry *entry,
             char                        *rule)
{
  ExitboxSquidVerdict *verdict = g_new0 (ExitboxSquidVerdict, 1);

  verdict->allowed = allowed;
  verdict->rule = rule;
  verdict->entry = entry != NULL ? exitbox_allowlist_entry_to_string (entry) : NULL;

  return verdict;
}

ExitboxSquidVerdict *
exitbox_squid_check (GPtrArray                   *entries,
                     const ExitboxProxySession   *session,
                     const char * const          *host_gateways,
                     const ExitboxAllowlistEntry *destination,
                     gboolean                     connect)
{
  GPtrArray *session_entries = session != NULL ? session->entries : NULL;
  const ExitboxAllowlistEntry *entry;
  guint16 port;

  g_return_val_if_fail (destination != NULL, NULL);

  port = destination->port != 0 ? destination->port : (connect ? 443 : 80);

  if (destination->kind != EXITBOX_ALLOWLIST_ENTRY_DOMAIN)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (destination->host);

      if (address != NULL &&
          (g_inet_address_get_is_loopback (address) || g_inet_address_get_is_any (address)))
        return verdict_new (FALSE, NULL,
                            g_strdup (_("“http_access deny to_localhost”: loopback destinations "
                                        "are blocked even when listed")));

      if (address != NULL && g_inet_address_get_is_link_local (address) &&
          !address_is_listed (entries, address) && !address_is_listed (session_entries, address))
        return verdict_new (FALSE, NULL,
                            g_strdup (_("“http_access deny exitbox_link_local”: link-local "
                                        "destinations are blocked unless their address is "
                                        "listed")));

      for (guint i = 0; address != NULL && host_gateways != NULL && host_gateways[i] != NULL; i++)
        {
          g_autoptr(GInetAddress) gateway = g_inet_address_new_from_string (host_gateways[i]);

          if (gateway != NULL && g_inet_address_equal (gateway, address) &&
              !address_is_listed (entries, address) && !address_is_listed (session_entries, address))
            return verdict_new (FALSE, NULL,
                                g_strdup (_("“http_access deny exitbox_host_gateway”: the host’s "
                                            "gateway address is blocked unless it is listed")));
        }
    }

  entry = find_allowing_entry (entries, destination, port, connect);
  if (entry != NULL)
    {
      g_autofree char *text = exitbox_allowlist_entry_to_string (entry);

      return verdict_new (TRUE, entry,
                          g_strdup_printf (_("the allowlist entry “%s”"), text));
    }

  entry = find_allowing_entry (session_entries, destination, port, connect);
  if (entry != NULL)
    {
      g_autofree char *text = exitbox_allowlist_entry_to_string (entry);

      return verdict_new (TRUE, entry,
                          g_strdup_printf (_("the entry “%s” given with -a to session %s"),
                                           text, session->name));
    }

  return verdict_new (FALSE, NULL,
                      g_strdup (_("“http_access deny all”: no enabled entry allows this host and port")));
}
