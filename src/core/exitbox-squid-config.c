/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "exitbox-allowlist.h"
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
                 const char * const *dns_servers)
{
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
                          "# Squid drops privileges to a user that cannot open /dev/stdout, so it\n"
                          "# logs to files.\n"
                          "access_log stdio:/var/log/squid/access.log\n"
                          "cache_log /var/log/squid/cache.log\n"
                          "\n",
                          EXITBOX_PROXY_PORT);

  for (guint i = 0; dns_servers != NULL && dns_servers[i] != NULL; i++)
    {
      if (g_hostname_is_ip_address (dns_servers[i]))
        g_ptr_array_add (valid_servers, (gpointer) dns_servers[i]);
      else
        g_warning ("Leaving the invalid DNS server address “%s” out of squid.conf",
                   dns_servers[i]);
    }

  if (valid_servers->len > 0)
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

  g_string_append (out,
                   "# A stop or restart of the proxy should not wait for open connections.\n"
                   "shutdown_lifetime 1 seconds\n"
                   "\n"
                   "# Error pages and headers name neither the machine nor the Squid version,\n"
                   "# and requests leave without headers that reveal the agent's address.\n"
                   "visible_hostname exitbox-squid\n"
                   "via off\n"
                   "forwarded_for delete\n"
                   "httpd_suppress_version_string on\n"
                   "\n");
}

/* Writes the acl and http_access lines for the entries on one port. */
static void
append_group_rules (GString   *acls,
                    GString   *rules,
                    PortGroup *group)
{
  g_autofree char *domains_acl = NULL;
  g_autofree char *addresses_acl = NULL;
  g_autofree char *port_acl = NULL;

  if (group->domains->len == 0 && group->addresses->len == 0)
    return;

  if (group->port == 0)
    {
      domains_acl = g_strdup ("exitbox_domains");
      addresses_acl = g_strdup ("exitbox_addresses");
    }
  else
    {
      domains_acl = g_strdup_printf ("exitbox_domains_%u", (guint) group->port);
      addresses_acl = g_strdup_printf ("exitbox_addresses_%u", (guint) group->port);
      port_acl = g_strdup_printf ("exitbox_port_%u", (guint) group->port);

      g_string_append_printf (acls, "\n# Entries that name port %u.\n", (guint) group->port);
      g_string_append_printf (acls, "acl %s port %u\n", port_acl, (guint) group->port);
    }

  append_acl (acls, domains_acl, "dstdomain -n", ".", group->domains);
  append_acl (acls, addresses_acl, "dst", "", group->addresses);

  if (group->port == 0)
    {
      if (group->domains->len > 0)
        g_string_append_printf (rules,
                                "# Listed domains: HTTPS tunnels to port 443 and plain HTTP to\n"
                                "# port 80.\n"
                                "http_access allow exitbox_connect exitbox_https_port %s\n"
                                "http_access allow !exitbox_connect exitbox_http_port %s\n",
                                domains_acl, domains_acl);
      if (group->addresses->len > 0)
        g_string_append_printf (rules,
                                "# Listed addresses: HTTPS tunnels to port 443 and plain HTTP to\n"
                                "# port 80.\n"
                                "http_access allow exitbox_connect exitbox_https_port %s\n"
                                "http_access allow !exitbox_connect exitbox_http_port %s\n",
                                addresses_acl, addresses_acl);
      return;
    }

  g_string_append_printf (rules,
                          "# Entries with port %u: HTTPS tunnels and plain HTTP to that port.\n",
                          (guint) group->port);
  if (group->domains->len > 0)
    g_string_append_printf (rules, "http_access allow %s %s\n", port_acl, domains_acl);
  if (group->addresses->len > 0)
    g_string_append_printf (rules, "http_access allow %s %s\n", port_acl, addresses_acl);
}

/* Listed link-local addresses, which are the only exceptions to the
 * link-local rule.
 */
static GPtrArray *
collect_listed_link_local (GPtrArray *groups)
{
  GPtrArray *listed = g_ptr_array_new ();

  for (guint i = 0; i < groups->len; i++)
    {
      PortGroup *group = g_ptr_array_index (groups, i);

      for (guint j = 0; j < group->addresses->len; j++)
        {
          const char *text = g_ptr_array_index (group->addresses, j);
          g_autoptr(GInetAddress) address = g_inet_address_new_from_string (text);

          if (address != NULL && g_inet_address_get_is_link_local (address))
            g_ptr_array_add (listed, (gpointer) text);
        }
    }

  return listed;
}

char *
exitbox_squid_config_generate (GPtrArray          *entries,
                               const char         *agent_subnet,
                               const char * const *dns_servers,
                               const char         *blocked_reason)
{
  g_autoptr(GString) out = NULL;
  g_autoptr(GString) acls = NULL;
  g_autoptr(GString) rules = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GPtrArray) listed_link_local = NULL;
  PortGroup *plain;

  g_return_val_if_fail (subnet_is_valid (agent_subnet), NULL);

  out = g_string_new (NULL);
  acls = g_string_new (NULL);
  rules = g_string_new (NULL);

  groups = group_entries_by_port (entries);
  listed_link_local = collect_listed_link_local (groups);

  g_string_append (out,
                   "# squid.conf generated by ExitBox. Edits are overwritten, so change\n"
                   "# allowlist.yaml instead.\n"
                   "\n");

  if (blocked_reason != NULL)
    {
      append_comment (out, blocked_reason);
      g_string_append (out, "\n");
    }

  append_settings (out, dns_servers);

  for (guint i = 0; i < groups->len; i++)
    append_group_rules (acls, rules, g_ptr_array_index (groups, i));

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

  plain = g_ptr_array_index (groups, 0);
  if (plain->domains->len > 0 || plain->addresses->len > 0)
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
                   "# Only the internal network may use the proxy. No rule allows localhost.\n"
                   "http_access deny !exitbox_agents\n"
                   "\n"
                   "# Loopback addresses lead back into the proxy container itself, so they are\n"
                   "# blocked even when listed, and so are names that resolve to them.\n"
                   "http_access deny to_localhost\n"
                   "\n"
                   "# Link-local destinations are blocked unless their address is listed.\n");

  if (listed_link_local->len > 0)
    g_string_append (out, "http_access deny exitbox_link_local !exitbox_listed_link_local\n");
  else
    g_string_append (out, "http_access deny exitbox_link_local\n");

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
