/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "exitbox-paths.h"
#include "exitbox-session-log.h"

struct _ExitboxSessionLog
{
  char *path;
};

char *
exitbox_session_log_dup_dir (void)
{
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();

  /* Image builds write their logs to the parent folder. */
  return g_build_filename (cache_dir, "logs", "sessions", NULL);
}

static gboolean
append_text (const char  *path,
             const char  *text,
             int          flags,
             GError     **error)
{
  gsize length = strlen (text);
  int fd = open (path, O_WRONLY | O_APPEND | O_CLOEXEC | flags, 0600);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to open the session log %s: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  while (length > 0)
    {
      gssize written = write (fd, text, length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Failed to write the session log %s: %s"), path,
                       g_strerror (saved_errno));
          close (fd);
          return FALSE;
        }

      text += written;
      length -= written;
    }

  close (fd);
  return TRUE;
}

static char *
dup_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format_iso8601 (now);
}

ExitboxSessionLog *
exitbox_session_log_begin (const char          *project_path,
                           const char          *agent_id,
                           const char          *container_name,
                           const char          *image,
                           const char * const  *argv,
                           GError             **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *dir = exitbox_session_log_dup_dir ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *name = NULL;
  g_autofree char *started = g_date_time_format_iso8601 (now);
  ExitboxSessionLog *log;

  g_return_val_if_fail (project_path != NULL, NULL);
  g_return_val_if_fail (container_name != NULL, NULL);
  g_return_val_if_fail (argv != NULL, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to create the folder %s: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }

  /* The time stamp first, so names sort by start time. */
  name = g_strdup_printf ("%s-%s.log", stamp, container_name);

  g_string_append_printf (text, "start: %s\n", started);
  g_string_append_printf (text, "project: %s\n", project_path);
  g_string_append_printf (text, "agent: %s\n", agent_id != NULL ? agent_id : "shell");
  g_string_append_printf (text, "container: %s\n", container_name);
  if (image != NULL)
    g_string_append_printf (text, "image: %s\n", image);
  g_string_append (text, "argv:");
  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_autofree char *quoted = g_shell_quote (argv[i]);

      g_string_append_c (text, ' ');
      g_string_append (text, quoted);
    }
  g_string_append_c (text, '\n');

  log = g_new0 (ExitboxSessionLog, 1);
  log->path = g_build_filename (dir, name, NULL);

  if (!append_text (log->path, text->str, O_CREAT | O_EXCL, error))
    {
      exitbox_session_log_free (log);
      return NULL;
    }

  return log;
}

const char *
exitbox_session_log_get_path (ExitboxSessionLog *log)
{
  g_return_val_if_fail (log != NULL, NULL);

  return log->path;
}

gboolean
exitbox_session_log_end (ExitboxSessionLog  *log,
                         int                 exit_status,
                         const char         *failure,
                         GError            **error)
{
  g_autofree char *ended = dup_now ();
  g_autofree char *text = NULL;

  g_return_val_if_fail (log != NULL, FALSE);

  if (failure != NULL)
    text = g_strdup_printf ("end: %s\nfailure: %s\n", ended, failure);
  else
    text = g_strdup_printf ("end: %s\nexit status: %d\n", ended, exit_status);

  return append_text (log->path, text, 0, error);
}

void
exitbox_session_log_free (ExitboxSessionLog *log)
{
  if (log == NULL)
    return;

  g_free (log->path);
  g_free (log);
}

static void
find_newest (const char  *dir,
             const char  *suffix,
             char       **newest,
             gint64      *newest_time,
             guint        depth)
{
  g_autoptr(GDir) handle = NULL;
  const char *name;

  /* Deep enough for every agent's log layout, and a bound for link loops
   * that lstat cannot see, such as bind mounts.
   */
  if (depth > 16)
    return;

  handle = g_dir_open (dir, 0, NULL);
  if (handle == NULL)
    return;

  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf info;
      gint64 modified;

      if (g_lstat (path, &info) != 0)
        continue;

      if (S_ISDIR (info.st_mode))
        {
          find_newest (path, suffix, newest, newest_time, depth + 1);
          continue;
        }

      if (!S_ISREG (info.st_mode) || !g_str_has_suffix (name, suffix))
        continue;

      modified = (gint64) info.st_mtim.tv_sec * G_USEC_PER_SEC + info.st_mtim.tv_nsec / 1000;
      if (*newest == NULL || modified > *newest_time ||
          (modified == *newest_time && g_strcmp0 (path, *newest) > 0))
        {
          g_free (*newest);
          *newest = g_steal_pointer (&path);
          *newest_time = modified;
        }
    }
}

char *
exitbox_find_newest_file (const char *dir,
                          const char *suffix)
{
  char *newest = NULL;
  gint64 newest_time = 0;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (suffix != NULL, NULL);

  find_newest (dir, suffix, &newest, &newest_time, 0);

  return newest;
}
