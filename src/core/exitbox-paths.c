/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "exitbox-paths.h"

/* @override (EXITBOX_CONFIG_DIR and the like) names the folder itself. It
 * lets tests and portable setups move ExitBox's state without changing the
 * XDG variables, which rootless podman also reads to find its own storage
 * and configuration.
 */
static char *
dup_state_dir (const char *override,
               const char *xdg_variable,
               const char *fallback)
{
  const char *value = g_getenv (override);

  if (value != NULL && g_path_is_absolute (value))
    return g_strdup (value);

  /* The XDG spec says a relative value is invalid and must be ignored. */
  value = g_getenv (xdg_variable);
  if (value != NULL && g_path_is_absolute (value))
    return g_build_filename (value, "exitbox", NULL);

  return g_build_filename (g_get_home_dir (), fallback, "exitbox", NULL);
}

char *
exitbox_dup_config_dir (void)
{
  return dup_state_dir ("EXITBOX_CONFIG_DIR", "XDG_CONFIG_HOME", ".config");
}

char *
exitbox_dup_cache_dir (void)
{
  return dup_state_dir ("EXITBOX_CACHE_DIR", "XDG_CACHE_HOME", ".cache");
}

char *
exitbox_dup_data_dir (void)
{
  return dup_state_dir ("EXITBOX_DATA_DIR", "XDG_DATA_HOME", ".local/share");
}

static gboolean
write_all (int          fd,
           const char  *contents,
           gsize        length,
           const char  *path,
           GError     **error)
{
  while (length > 0)
    {
      gssize written = write (fd, contents, length);

      if (written < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Failed to write %s: %s"), path, g_strerror (saved_errno));
          return FALSE;
        }

      contents += written;
      length -= written;
    }

  return TRUE;
}

/* Writes through a temporary file in the same folder, then renames it over
 * @path, so readers see either the old or the new contents, never a part.
 */
gboolean
exitbox_write_file_atomically (const char  *path,
                               const char  *contents,
                               gssize       length,
                               int          mode,
                               GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *target = NULL;
  int fd;
  int saved_errno;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL || length == 0, FALSE);

  if (length < 0)
    length = strlen (contents);

  /* Saving through a symbolic link, as dotfile managers set up, replaces
   * the file it points to and keeps the link. A new file has no real path
   * yet and is written where asked.
   */
  target = realpath (path, NULL);
  if (target != NULL)
    path = target;

  dir = g_path_get_dirname (path);
  tmp_path = g_build_filename (dir, ".exitbox-XXXXXX", NULL);

  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to create a temporary file in %s: %s"),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }

  /* g_mkstemp_full applies the umask; the caller asked for an exact mode. */
  if (fchmod (fd, mode) != 0 ||
      !write_all (fd, contents, length, path, error) ||
      fsync (fd) != 0)
    {
      saved_errno = errno;
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                     _("Failed to write %s: %s"), path, g_strerror (saved_errno));
      close (fd);
      g_unlink (tmp_path);
      return FALSE;
    }

  close (fd);

  if (g_rename (tmp_path, path) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to replace %s: %s"), path, g_strerror (saved_errno));
      g_unlink (tmp_path);
      return FALSE;
    }

  return TRUE;
}
