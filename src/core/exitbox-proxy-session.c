/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "exitbox-allowlist.h"
#include "exitbox-paths.h"
#include "exitbox-proxy-session.h"

#define GROUP "Session"
#define SUFFIX ".session"

ExitboxProxySession *
exitbox_proxy_session_new (const char *name,
                           const char *address,
                           GPtrArray  *entries)
{
  ExitboxProxySession *session;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  session = g_new0 (ExitboxProxySession, 1);
  session->name = g_strdup (name);
  session->address = g_strdup (address);
  session->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_allowlist_entry_free);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    g_ptr_array_add (session->entries,
                     exitbox_allowlist_entry_copy (g_ptr_array_index (entries, i)));

  return session;
}

void
exitbox_proxy_session_free (ExitboxProxySession *session)
{
  if (session == NULL)
    return;

  g_free (session->name);
  g_free (session->address);
  g_ptr_array_unref (session->entries);
  g_free (session);
}

char *
exitbox_proxy_dup_sessions_dir (void)
{
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();

  return g_build_filename (cache_dir, "proxy", "sessions", NULL);
}

/* A record's name becomes a file name, so it may not leave the folder. */
static gboolean
name_is_valid (const char *name)
{
  if (name[0] == '\0' || name[0] == '.')
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
        return FALSE;
    }

  return TRUE;
}

static char *
build_record_path (const char *dir,
                   const char *name)
{
  g_autofree char *file = g_strconcat (name, SUFFIX, NULL);

  return g_build_filename (dir, file, NULL);
}

gboolean
exitbox_proxy_session_save (ExitboxProxySession  *session,
                            const char           *dir,
                            GError              **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) entries = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  gsize length;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);

  if (!name_is_valid (session->name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a valid session name."), session->name);
      return FALSE;
    }

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to create %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  for (guint i = 0; i < session->entries->len; i++)
    {
      g_autofree char *entry_text = exitbox_allowlist_entry_to_string (g_ptr_array_index (session->entries, i));

      g_strv_builder_add (builder, entry_text);
    }
  entries = g_strv_builder_end (builder);

  g_key_file_set_string (key_file, GROUP, "Address", session->address);
  g_key_file_set_int64 (key_file, GROUP, "OwnerPid", session->owner_pid);
  g_key_file_set_string_list (key_file, GROUP, "Entries",
                              (const char * const *) entries, g_strv_length (entries));

  text = g_key_file_to_data (key_file, &length, NULL);
  path = build_record_path (dir, session->name);

  return exitbox_write_file_atomically (path, text, length, 0600, error);
}

static ExitboxProxySession *
load_record (const char  *path,
             const char  *name,
             GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *address = NULL;
  g_auto(GStrv) texts = NULL;
  ExitboxProxySession *session;

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, error))
    return NULL;

  address = g_key_file_get_string (key_file, GROUP, "Address", error);
  if (address == NULL)
    return NULL;

  if (!g_hostname_is_ip_address (address))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” is not an IP address."), address);
      return NULL;
    }

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_allowlist_entry_free);
  texts = g_key_file_get_string_list (key_file, GROUP, "Entries", NULL, NULL);
  for (guint i = 0; texts != NULL && texts[i] != NULL; i++)
    {
      /* ExitBox writes records from parsed entries, so a failure here
       * means someone edited the file. The whole record is then ignored
       * and nothing of it reaches squid.conf.
       */
      ExitboxAllowlistEntry *entry = exitbox_allowlist_entry_parse (texts[i], error);

      if (entry == NULL)
        return NULL;
      g_ptr_array_add (entries, entry);
    }

  session = exitbox_proxy_session_new (name, address, entries);
  session->owner_pid = g_key_file_get_int64 (key_file, GROUP, "OwnerPid", NULL);

  return session;
}

static int
compare_sessions (gconstpointer a,
                  gconstpointer b)
{
  const ExitboxProxySession *first = *(ExitboxProxySession * const *) a;
  const ExitboxProxySession *second = *(ExitboxProxySession * const *) b;

  return strcmp (first->name, second->name);
}

GPtrArray *
exitbox_proxy_session_load_all (const char *dir)
{
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GDir) folder = NULL;
  const char *file;

  g_return_val_if_fail (dir != NULL, NULL);

  sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_proxy_session_free);
  folder = g_dir_open (dir, 0, NULL);
  if (folder == NULL)
    return g_steal_pointer (&sessions);

  while ((file = g_dir_read_name (folder)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *name = NULL;
      g_autoptr(GError) error = NULL;
      ExitboxProxySession *session;

      if (!g_str_has_suffix (file, SUFFIX))
        continue;

      name = g_strndup (file, strlen (file) - strlen (SUFFIX));
      if (!name_is_valid (name))
        continue;

      path = g_build_filename (dir, file, NULL);
      session = load_record (path, name, &error);
      if (session == NULL)
        {
          g_warning ("Ignoring the session record %s: %s", path, error->message);
          continue;
        }

      g_ptr_array_add (sessions, session);
    }

  g_ptr_array_sort (sessions, compare_sessions);

  return g_steal_pointer (&sessions);
}

gboolean
exitbox_proxy_session_remove (const char  *dir,
                              const char  *name,
                              GError     **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!name_is_valid (name))
    return TRUE;

  path = build_record_path (dir, name);
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to delete %s: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

ExitboxProxySession *
exitbox_proxy_session_find_by_address (GPtrArray  *sessions,
                                       const char *address)
{
  g_return_val_if_fail (sessions != NULL, NULL);

  if (address == NULL)
    return NULL;

  for (guint i = 0; i < sessions->len; i++)
    {
      ExitboxProxySession *session = g_ptr_array_index (sessions, i);

      if (g_str_equal (session->address, address))
        return session;
    }

  return NULL;
}

void
exitbox_proxy_history_entry_free (ExitboxProxyHistoryEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->name);
  g_free (entry->address);
  g_free (entry);
}

char *
exitbox_proxy_dup_history_path (void)
{
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();

  return g_build_filename (cache_dir, "proxy", EXITBOX_PROXY_HISTORY_FILE, NULL);
}

/* Parses "START END ADDRESS NAME" into an entry, or returns NULL. */
static ExitboxProxyHistoryEntry *
parse_history_line (const char *line)
{
  g_auto(GStrv) fields = g_strsplit (line, " ", -1);
  g_autoptr(ExitboxProxyHistoryEntry) entry = NULL;
  guint64 start;
  guint64 end;

  if (g_strv_length (fields) != 4 ||
      !g_ascii_string_to_unsigned (fields[0], 10, 1, G_MAXINT64, &start, NULL) ||
      !g_ascii_string_to_unsigned (fields[1], 10, 0, G_MAXINT64, &end, NULL) ||
      (end != 0 && end < start) ||
      !g_hostname_is_ip_address (fields[2]) ||
      !name_is_valid (fields[3]))
    return NULL;

  entry = g_new0 (ExitboxProxyHistoryEntry, 1);
  entry->start = (gint64) start;
  entry->end = (gint64) end;
  entry->address = g_strdup (fields[2]);
  entry->name = g_strdup (fields[3]);

  return g_steal_pointer (&entry);
}

static int
compare_history_entries (gconstpointer a,
                         gconstpointer b)
{
  const ExitboxProxyHistoryEntry *first = *(ExitboxProxyHistoryEntry * const *) a;
  const ExitboxProxyHistoryEntry *second = *(ExitboxProxyHistoryEntry * const *) b;

  return (first->start > second->start) - (first->start < second->start);
}

GPtrArray *
exitbox_proxy_history_load (const char *path)
{
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint invalid = 0;

  g_return_val_if_fail (path != NULL, NULL);

  history = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_proxy_history_entry_free);
  if (!g_file_get_contents (path, &text, NULL, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("Ignoring the session history %s: %s", path, error->message);
      return g_steal_pointer (&history);
    }

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      ExitboxProxyHistoryEntry *entry;

      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;

      entry = parse_history_line (lines[i]);
      if (entry == NULL)
        {
          invalid++;
          continue;
        }
      g_ptr_array_add (history, entry);
    }

  if (invalid > 0)
    g_warning ("Ignoring %u invalid lines of the session history %s", invalid, path);

  g_ptr_array_sort (history, compare_history_entries);

  return g_steal_pointer (&history);
}

gboolean
exitbox_proxy_history_save (GPtrArray   *history,
                            const char  *path,
                            GError     **error)
{
  g_autoptr(GString) text = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (history != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to create %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  text = g_string_new ("# Sessions and their addresses: start, end, address, name. Times are in\n"
                       "# microseconds since the Unix epoch, and the end is 0 while a session runs.\n");
  for (guint i = 0; i < history->len; i++)
    {
      const ExitboxProxyHistoryEntry *entry = g_ptr_array_index (history, i);

      g_string_append_printf (text, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s %s\n",
                              entry->start, entry->end, entry->address, entry->name);
    }

  return exitbox_write_file_atomically (path, text->str, (gssize) text->len, 0600, error);
}

void
exitbox_proxy_history_start (GPtrArray  *history,
                             const char *name,
                             const char *address,
                             gint64      time)
{
  ExitboxProxyHistoryEntry *entry;

  g_return_if_fail (history != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (address != NULL);

  for (guint i = 0; i < history->len; i++)
    {
      ExitboxProxyHistoryEntry *other = g_ptr_array_index (history, i);

      if (other->end == 0 && (g_str_equal (other->name, name) || g_str_equal (other->address, address)))
        other->end = MAX (time, other->start);
    }

  entry = g_new0 (ExitboxProxyHistoryEntry, 1);
  entry->name = g_strdup (name);
  entry->address = g_strdup (address);
  entry->start = time;
  g_ptr_array_add (history, entry);
  g_ptr_array_sort (history, compare_history_entries);
}

gboolean
exitbox_proxy_history_end (GPtrArray  *history,
                           const char *name,
                           gint64      time)
{
  gboolean found = FALSE;

  g_return_val_if_fail (history != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < history->len; i++)
    {
      ExitboxProxyHistoryEntry *entry = g_ptr_array_index (history, i);

      if (entry->end == 0 && g_str_equal (entry->name, name))
        {
          entry->end = MAX (time, entry->start);
          found = TRUE;
        }
    }

  return found;
}

void
exitbox_proxy_history_prune (GPtrArray *history,
                             gint64     cutoff)
{
  guint i = 0;

  g_return_if_fail (history != NULL);

  while (i < history->len)
    {
      const ExitboxProxyHistoryEntry *entry = g_ptr_array_index (history, i);

      if (entry->end != 0 && entry->end < cutoff)
        g_ptr_array_remove_index (history, i);
      else
        i++;
    }

  /* The array is sorted by start, so the oldest entries come first. */
  if (history->len > EXITBOX_PROXY_HISTORY_MAX_ENTRIES)
    g_ptr_array_remove_range (history, 0, history->len - EXITBOX_PROXY_HISTORY_MAX_ENTRIES);
}

const char *
exitbox_proxy_history_find (GPtrArray  *history,
                            const char *address,
                            gint64      time)
{
  const ExitboxProxyHistoryEntry *found = NULL;

  g_return_val_if_fail (history != NULL, NULL);

  if (address == NULL)
    return NULL;

  for (guint i = 0; i < history->len; i++)
    {
      const ExitboxProxyHistoryEntry *entry = g_ptr_array_index (history, i);

      if (!g_str_equal (entry->address, address) || time < entry->start ||
          (entry->end != 0 && time > entry->end))
        continue;

      if (found == NULL || entry->start >= found->start)
        found = entry;
    }

  return found != NULL ? found->name : NULL;
}

char *
exitbox_proxy_allocate_address (const char          *subnet,
                                const char * const  *used,
                                GError             **error)
{
  g_autoptr(GInetAddressMask) mask = NULL;
  g_autoptr(GHashTable) used_set = g_hash_table_new (g_str_hash, g_str_equal);
  const guint8 *bytes;
  guint32 network;
  guint32 host_bits;
  guint length;

  g_return_val_if_fail (subnet != NULL, NULL);

  mask = g_inet_address_mask_new_from_string (subnet, NULL);
  if (mask == NULL ||
      g_inet_address_mask_get_family (mask) != G_SOCKET_FAMILY_IPV4)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an IPv4 subnet."), subnet);
      return NULL;
    }

  length = g_inet_address_mask_get_length (mask);
  bytes = g_inet_address_to_bytes (g_inet_address_mask_get_address (mask));
  network = ((guint32) bytes[0] << 24) | ((guint32) bytes[1] << 16) |
            ((guint32) bytes[2] << 8) | (guint32) bytes[3];
  host_bits = 32 - length;

  for (guint i = 0; used != NULL && used[i] != NULL; i++)
    g_hash_table_add (used_set, (gpointer) used[i]);

  /* A /31 or /32 has no room for a container next to the gateway. */
  if (host_bits >= 2)
    {
      guint32 size = host_bits >= 32 ? G_MAXUINT32 : (1u << host_bits);

      /* From the last host address (size - 2) down to the second (2). */
      for (guint32 offset = size - 2; offset >= 2; offset--)
        {
          guint32 value = network + offset;
          g_autofree char *text = g_strdup_printf ("%u.%u.%u.%u",
                                                   (value >> 24) & 0xff, (value >> 16) & 0xff,
                                                   (value >> 8) & 0xff, value & 0xff);

          if (!g_hash_table_contains (used_set, text))
            return g_steal_pointer (&text);
        }
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
               _("The network %s has no free address for another session. Stop a session and "
                 "try again."), subnet);
  return NULL;
}
