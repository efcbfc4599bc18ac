/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "exitbox-allowlist.h"

/* RFC 1035 limits a label to 63 octets and a name to 255 octets on the wire,
 * which is 253 characters in text form.
 */
#define MAX_LABEL_LENGTH 63
#define MAX_NAME_LENGTH 253

static ExitboxAllowlistEntry *
reject (GError     **error,
        const char  *text,
        const char  *reason_format,
        ...) G_GNUC_PRINTF (3, 4);

/* Returns @text for messages: invalid UTF-8 replaced and control
 * characters written as \xNN, so that nothing reaches the terminal raw.
 */
static char *
dup_printable (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *printable = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7F)
        g_string_append_printf (printable, "\\x%02X", (guchar) *p);
      else
        g_string_append_c (printable, *p);
    }

  return g_string_free (printable, FALSE);
}

static ExitboxAllowlistEntry *
reject (GError     **error,
        const char  *text,
        const char  *reason_format,
        ...)
{
  g_autofree char *reason = NULL;
  g_autofree char *printable = dup_printable (text);
  va_list args;

  va_start (args, reason_format);
  reason = g_strdup_vprintf (reason_format, args);
  va_end (args);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("“%s” is not a valid allowlist entry: %s"), printable, reason);
  return NULL;
}

static ExitboxAllowlistEntry *
entry_new (ExitboxAllowlistEntryKind  kind,
           char                      *host,
           guint16                    port)
{
  ExitboxAllowlistEntry *entry = g_new0 (ExitboxAllowlistEntry, 1);

  entry->kind = kind;
  entry->host = host;
  entry->port = port;

  return entry;
}

static gboolean
parse_port (const char  *text,
            const char  *port_text,
            guint16     *out_port,
            GError     **error)
{
  guint64 port;

  if (port_text[0] == '\0')
    {
      reject (error, text, _("the port after “:” is missing; write a port such as "
                             "example.com:8443, or no “:”"));
      return FALSE;
    }

  for (const char *p = port_text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        {
          reject (error, text, _("“%s” is not a port number; use a number from 1 to 65535"),
                  port_text);
          return FALSE;
        }
    }

  if (!g_ascii_string_to_unsigned (port_text, 10, 1, G_MAXUINT16, &port, NULL))
    {
      reject (error, text, _("port %s is out of range; use a number from 1 to 65535"),
              port_text);
      return FALSE;
    }

  *out_port = (guint16) port;
  return TRUE;
}

/* Parses an IPv4 or IPv6 address into its canonical text. */
static char *
canonical_address (const char    *host,
                   GSocketFamily  family)
{
  g_autoptr(GInetAddress) address = NULL;

  /* Scope ids such as fe80::1%eth0 name an interface of one machine, which
   * means nothing to the proxy.
   */
  if (strchr (host, '%') != NULL)
    return NULL;

  address = g_inet_address_new_from_string (host);
  if (address == NULL || g_inet_address_get_family (address) != family)
    return NULL;

  return g_inet_address_to_string (address);
}

static gboolean
looks_like_ipv4 (const char *host)
{
  if (host[0] == '\0')
    return FALSE;

  for (const char *p = host; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p) && *p != '.')
        return FALSE;
    }

  return TRUE;
}

/* Returns the first ASCII character of @host that a host name cannot
 * contain, or 0. Non-ASCII bytes are left to the IDN conversion.
 */
static char
find_invalid_ascii (const char *host)
{
  for (const char *p = host; *p != '\0'; p++)
    {
      if ((guchar) *p >= 0x80)
        continue;

      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
        return *p;
    }

  return 0;
}

static gboolean
is_all_digits (const char *text)
{
  if (text[0] == '\0')
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
    }

  return TRUE;
}

static ExitboxAllowlistEntry *
parse_domain (const char  *text,
              const char  *host_text,
              guint16      port,
              GError     **error)
{
  g_autofree char *name = g_strdup (host_text);
  g_autofree char *ascii = NULL;
  g_auto(GStrv) labels = NULL;
  gboolean wildcard = FALSE;
  gsize length;
  char invalid;
  guint n_labels;

  /* One trailing dot marks a fully qualified name and changes nothing. */
  length = strlen (name);
  if (length > 0 && name[length - 1] == '.')
    name[length - 1] = '\0';

  /* "*.example.com" and ".example.com" both mean the domain and its
   * subdomains, which is what every domain entry means.
   */
  if (g_str_has_prefix (name, "*."))
    {
      memmove (name, name + 2, strlen (name + 2) + 1);
      wildcard = TRUE;
    }
  else if (name[0] == '.')
    {
      memmove (name, name + 1, strlen (name + 1) + 1);
      wildcard = TRUE;
    }

  if (strchr (name, '*') != NULL)
    return reject (error, text, _("“*” is only allowed as the whole first label, as in "
                                  "*.example.com"));

  if (name[0] == '\0')
    return reject (error, text, _("it contains no host name"));

  if (looks_like_ipv4 (name))
    {
      g_autofree char *address = NULL;

      if (wildcard)
        return reject (error, text, _("an IP address cannot have subdomains; write the "
                                      "address alone"));

      address = canonical_address (name, G_SOCKET_FAMILY_IPV4);
      if (address == NULL)
        return reject (error, text, _("“%s” is not a valid IPv4 address, which has four numbers "
                                      "from 0 to 255"), name);

      return entry_new (EXITBOX_ALLOWLIST_ENTRY_IPV4, g_steal_pointer (&address), port);
    }

  invalid = find_invalid_ascii (name);
  if (invalid != 0)
    {
      if (g_ascii_isspace (invalid))
        return reject (error, text, _("host names cannot contain white space"));
      if (invalid == '/')
        return reject (error, text, _("host names cannot contain “/”; write only the host "
                                      "name, such as example.com, or a full URL such as "
                                      "https://example.com/path"));
      if (!g_ascii_isprint (invalid))
        return reject (error, text, _("host names cannot contain control characters"));

      return reject (error, text, _("host names cannot contain “%c”; use only letters, digits, "
                                    "“-” and “.”"), invalid);
    }

  /* International names become their ASCII (punycode) form, which is what
   * the proxy compares against.
   */
  ascii = g_hostname_to_ascii (name);
  if (ascii == NULL)
    return reject (error, text, _("“%s” is not a valid international domain name"), name);

  if (find_invalid_ascii (ascii) != 0)
    return reject (error, text, _("“%s” is not a valid international domain name"), name);

  g_free (name);
  name = g_ascii_strdown (ascii, -1);

  if (strlen (name) > MAX_NAME_LENGTH)
    return reject (error, text, _("the name is longer than %d characters"), MAX_NAME_LENGTH);

  labels = g_strsplit (name, ".", -1);
  n_labels = g_strv_length (labels);

  for (guint i = 0; i < n_labels; i++)
    {
      const char *label = labels[i];
      gsize label_length = strlen (label);

      if (label_length == 0)
        return reject (error, text, _("it contains an empty label (two dots in a row, or a dot "
                                      "at the start or end)"));

      if (label_length > MAX_LABEL_LENGTH)
        return reject (error, text, _("the label “%s” is longer than %d characters"),
                       label, MAX_LABEL_LENGTH);

      if (label[0] == '-' || label[label_length - 1] == '-')
        return reject (error, text, _("the label “%s” starts or ends with “-”"), label);
    }

  if (n_labels < 2)
    return reject (error, text, _("single-label names such as localhost or intranet are not "
                                  "allowed; use a full domain name such as example.com"));

  /* No top-level domain is all digits, and such names are easily mistaken
   * for shortened IPv4 addresses.
   */
  if (is_all_digits (labels[n_labels - 1]))
    return reject (error, text, _("the last label “%s” is all digits, which no domain name "
                                  "has"), labels[n_labels - 1]);

  return entry_new (EXITBOX_ALLOWLIST_ENTRY_DOMAIN, g_steal_pointer (&name), port);
}

static ExitboxAllowlistEntry *
parse_ipv6 (const char  *text,
            const char  *host_text,
            gboolean     bracketed,
            guint16      port,
            GError     **error)
{
  g_autofree char *address = canonical_address (host_text, G_SOCKET_FAMILY_IPV6);

  if (address != NULL)
    return entry_new (EXITBOX_ALLOWLIST_ENTRY_IPV6, g_steal_pointer (&address), port);

  if (bracketed)
    return reject (error, text, _("“%s” is not a valid IPv6 address"), host_text);

  return reject (error, text, _("“%s” is not a valid IPv6 address; an IPv6 address with a port "
                                "is written as [2001:db8::1]:8443"), host_text);
}

/* Reduces a URL such as https://example.com:8443/path to its host and port. */
static ExitboxAllowlistEntry *
parse_url (const char  *text,
           const char  *url,
           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *host;
  int port;

  uri = g_uri_parse (url, G_URI_FLAGS_NON_DNS, &local_error);
  if (uri == NULL)
    return reject (error, text, _("it is not a valid URL (%s)"), local_error->message);

  host = g_uri_get_host (uri);
  if (host == NULL || host[0] == '\0')
    return reject (error, text, _("the URL has no host name"));

  port = g_uri_get_port (uri);
  if (port == 0)
    return reject (error, text, _("port 0 is out of range; use a number from 1 to 65535"));

  /* GUri returns an IPv6 address without its brackets. */
  if (strchr (host, ':') != NULL)
    return parse_ipv6 (text, host, TRUE, port > 0 ? (guint16) port : 0, error);

  return parse_domain (text, host, port > 0 ? (guint16) port : 0, error);
}

/**
 * exitbox_allowlist_entry_parse:
 * @text: an entry as a user wrote it
 * @error: return location for a G_IO_ERROR_INVALID_ARGUMENT naming the
 *   entry and the reason
 *
 * Parses one allowlist entry into canonical form: a domain (which covers
 * its subdomains), an IPv4 or an IPv6 address, each with an optional port.
 * Every place that accepts entries (the file, the command line, the window
 * and runtime requests) uses this one grammar.
 */
ExitboxAllowlistEntry *
exitbox_allowlist_entry_parse (const char  *text,
                               GError     **error)
{
  g_autofree char *trimmed = NULL;
  const char *colon;
  guint16 port = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* GLib's name conversion needs valid UTF-8 and misbehaves without it. */
  if (!g_utf8_validate (text, -1, NULL))
    return reject (error, text, _("it is not valid UTF-8 text"));

  trimmed = g_strstrip (g_strdup (text));

  if (trimmed[0] == '\0')
    return reject (error, trimmed, _("the entry is empty"));

  if (strstr (trimmed, "://") != NULL)
    return parse_url (trimmed, trimmed, error);

  /* "[2001:db8::1]" or "[2001:db8::1]:8443". */
  if (trimmed[0] == '[')
    {
      g_autofree char *address = NULL;
      const char *end = strchr (trimmed, ']');

      if (end == NULL)
        return reject (error, trimmed, _("the “[” has no matching “]”"));

      if (end[1] != '\0')
        {
          if (end[1] != ':')
            return reject (error, trimmed, _("“]” must be followed by “:” and a port, or end "
                                             "the entry"));
          if (!parse_port (trimmed, end + 2, &port, error))
            return NULL;
        }

      address = g_strndup (trimmed + 1, end - trimmed - 1);
      return parse_ipv6 (trimmed, address, TRUE, port, error);
    }

  colon = strchr (trimmed, ':');

  /* Two or more colons can only be an IPv6 address, which then cannot
   * carry a port without brackets.
   */
  if (colon != NULL && strchr (colon + 1, ':') != NULL)
    return parse_ipv6 (trimmed, trimmed, FALSE, 0, error);

  if (colon != NULL)
    {
      g_autofree char *host = g_strndup (trimmed, colon - trimmed);

      if (!parse_port (trimmed, colon + 1, &port, error))
        return NULL;

      return parse_domain (trimmed, host, port, error);
    }

  return parse_domain (trimmed, trimmed, 0, error);
}

ExitboxAllowlistEntry *
exitbox_allowlist_entry_copy (const ExitboxAllowlistEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  return entry_new (entry->kind, g_strdup (entry->host), entry->port);
}

void
exitbox_allowlist_entry_free (ExitboxAllowlistEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->host);
  g_free (entry);
}

char *
exitbox_allowlist_entry_to_string (const ExitboxAllowlistEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  if (entry->port == 0)
    return g_strdup (entry->host);

  if (entry->kind == EXITBOX_ALLOWLIST_ENTRY_IPV6)
    return g_strdup_printf ("[%s]:%u", entry->host, (guint) entry->port);

  return g_strdup_printf ("%s:%u", entry->host, (guint) entry->port);
}

char *
exitbox_allowlist_entry_dup_notice (const char                  *text,
                                    const ExitboxAllowlistEntry *entry)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *shown = NULL;
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (entry != NULL, NULL);

  trimmed = g_strstrip (g_strdup (text));
  if (strstr (trimmed, "://") == NULL)
    return NULL;

  canonical = exitbox_allowlist_entry_to_string (entry);

  /* The notice never repeats a password given in the URL. */
  uri = g_uri_parse (trimmed, G_URI_FLAGS_NON_DNS, NULL);
  shown = uri != NULL ? g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO) : dup_printable (trimmed);

  return g_strdup_printf (_("“%s” is a URL, so only %s is used. The proxy allows or "
                            "blocks whole hosts, not paths."),
                          shown, canonical);
}
