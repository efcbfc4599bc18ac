/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "exitbox-agent.h"
#include "exitbox-managed-config.h"
#include "exitbox-paths.h"

/* Where a host path is found: under the home folder or an XDG base folder. */
typedef enum
{
  BASE_HOME,
  BASE_XDG_CONFIG,
  BASE_XDG_DATA,
  BASE_XDG_STATE,
} SourceBase;

typedef struct
{
  const char *agent_id;
  SourceBase  base;
  const char *host_relative;
  const char *managed_path;
} SourceSpec;

static const SourceSpec source_specs[] = {
  { "claude", BASE_HOME, ".claude", ".claude" },
  { "claude", BASE_HOME, ".claude.json", ".claude.json" },
  { "codex", BASE_HOME, ".codex", ".codex" },
  { "opencode", BASE_XDG_CONFIG, "opencode", ".config/opencode" },
  { "opencode", BASE_XDG_DATA, "opencode", ".local/share/opencode" },
  { "opencode", BASE_XDG_STATE, "opencode", ".local/state/opencode" },
};

void
exitbox_managed_source_free (ExitboxManagedSource *source)
{
  if (source == NULL)
    return;

  g_free (source->host_path);
  g_free (source);
}

char *
exitbox_managed_config_dup_dir (const char *agent_id)
{
  g_autofree char *config_dir = exitbox_dup_config_dir ();

  g_return_val_if_fail (exitbox_agent_lookup (agent_id) != NULL, NULL);

  return g_build_filename (config_dir, agent_id, NULL);
}

/* The environment is read on every call, unlike g_get_user_config_dir(),
 * which keeps the first value it saw. A relative value is invalid by the
 * XDG spec and ignored.
 */
static char *
dup_base_dir (SourceBase base)
{
  const char *variable = NULL;
  const char *fallback = NULL;
  const char *value;

  switch (base)
    {
    case BASE_HOME:
      return g_strdup (g_get_home_dir ());

    case BASE_XDG_CONFIG:
      variable = "XDG_CONFIG_HOME";
      fallback = ".config";
      break;

    case BASE_XDG_DATA:
      variable = "XDG_DATA_HOME";
      fallback = ".local/share";
      break;

    case BASE_XDG_STATE:
      variable = "XDG_STATE_HOME";
      fallback = ".local/state";
      break;

    default:
      g_assert_not_reached ();
    }

  value = g_getenv (variable);
  if (value != NULL && g_path_is_absolute (value))
    return g_strdup (value);

  return g_build_filename (g_get_home_dir (), fallback, NULL);
}

GPtrArray *
exitbox_managed_config_dup_sources (const char *agent_id)
{
  GPtrArray *sources;

  g_return_val_if_fail (exitbox_agent_lookup (agent_id) != NULL, NULL);

  sources = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_managed_source_free);
  for (guint i = 0; i < G_N_ELEMENTS (source_specs); i++)
    {
      g_autofree char *base_dir = NULL;
      ExitboxManagedSource *source;

      if (!g_str_equal (source_specs[i].agent_id, agent_id))
        continue;

      base_dir = dup_base_dir (source_specs[i].base);
      source = g_new0 (ExitboxManagedSource, 1);
      source->managed_path = source_specs[i].managed_path;
      source->host_path = g_build_filename (base_dir, source_specs[i].host_relative, NULL);
      g_ptr_array_add (sources, source);
    }

  return sources;
}

gboolean
exitbox_managed_config_has_imported (const char *agent_id)
{
  g_autoptr(GPtrArray) sources = NULL;
  g_autofree char *managed_dir = NULL;

  g_return_val_if_fail (exitbox_agent_lookup (agent_id) != NULL, FALSE);

  sources = exitbox_managed_config_dup_sources (agent_id);
  managed_dir = exitbox_managed_config_dup_dir (agent_id);

  for (guint i = 0; i < sources->len; i++)
    {
      ExitboxManagedSource *source = g_ptr_array_index (sources, i);
      g_autofree char *copy = g_build_filename (managed_dir, source->managed_path, NULL);
      GStatBuf info;

      if (g_lstat (copy, &info) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Sets @error with the code for @saved_errno and a formatted message.
 * Returns FALSE.
 */
static gboolean set_errno_error (GError     **error,
                                 int          saved_errno,
                                 const char  *format,
                                 ...) G_GNUC_PRINTF (3, 4);

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), message);
  return FALSE;
}

/* Creates @path and its missing parents with mode 0700, and sets 0700 on
 * @path itself even when it existed.
 */
static gboolean
make_private_dir (const char  *path,
                  GError     **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    return set_errno_error (error, errno, _("Failed to create the folder %s: %s"),
                            path, g_strerror (errno));

  if (g_chmod (path, 0700) != 0)
    return set_errno_error (error, errno, _("Failed to set the mode of %s: %s"),
                            path, g_strerror (errno));

  return TRUE;
}

/* Removes @path and everything below it without following symbolic links. */
static gboolean
remove_tree (const char  *path,
             GError     **error)
{
  GStatBuf info;

  if (g_lstat (path, &info) != 0)
    return errno == ENOENT ? TRUE : set_errno_error (error, errno, _("Failed to read %s: %s"),
                                                     path, g_strerror (errno));

  if (S_ISDIR (info.st_mode))
    {
      g_autoptr(GDir) dir = NULL;
      const char *name;

      /* A folder copied without the owner's write bit cannot be emptied. */
      g_chmod (path, 0700);

      dir = g_dir_open (path, 0, error);
      if (dir == NULL)
        return FALSE;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (!remove_tree (child, error))
            return FALSE;
        }
    }

  if (g_remove (path) != 0)
    return set_errno_error (error, errno, _("Failed to remove %s: %s"),
                            path, g_strerror (errno));

  return TRUE;
}

static gboolean
copy_file (const char  *source,
           const char  *destination,
           mode_t       source_mode,
           GError     **error)
{
  g_autoptr(GFile) from = g_file_new_for_path (source);
  g_autoptr(GFile) to = g_file_new_for_path (destination);
  mode_t mode = (source_mode & S_IXUSR) ? 0700 : 0600;

  /* The copy lands in a staging folder of mode 0700, so no other user can
   * open it before its mode is narrowed below.
   */
  if (!g_file_copy (from, to, G_FILE_COPY_TARGET_DEFAULT_PERMS, NULL, NULL, NULL, error))
    return FALSE;

  if (g_chmod (destination, mode) != 0)
    return set_errno_error (error, errno, _("Failed to set the mode of %s: %s"),
                            destination, g_strerror (errno));

  return TRUE;
}

static gboolean
copy_tree (const char  *source,
           const char  *destination,
           GPtrArray   *notes,
           GError     **error)
{
  GStatBuf info;

  if (g_lstat (source, &info) != 0)
    return set_errno_error (error, errno, _("Failed to read %s: %s"),
                            source, g_strerror (errno));

  if (S_ISLNK (info.st_mode))
    {
      GStatBuf target;

      if (g_stat (source, &target) != 0 || !S_ISREG (target.st_mode))
        {
          if (notes != NULL)
            g_ptr_array_add (notes,
                             g_strdup_printf (_("Skipped %s: it is a symbolic link to a folder "
                                                "or to nothing, and only links to files are "
                                                "copied."),
                                              source));
          return TRUE;
        }

      return copy_file (source, destination, target.st_mode, error);
    }

  if (S_ISREG (info.st_mode))
    return copy_file (source, destination, info.st_mode, error);

  if (S_ISDIR (info.st_mode))
    {
      g_autoptr(GDir) dir = NULL;
      const char *name;

      if (!make_private_dir (destination, error))
        return FALSE;

      dir = g_dir_open (source, 0, error);
      if (dir == NULL)
        return FALSE;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child_source = g_build_filename (source, name, NULL);
          g_autofree char *child_destination = g_build_filename (destination, name, NULL);

          if (!copy_tree (child_source, child_destination, notes, error))
            return FALSE;
        }

      return TRUE;
    }

  if (notes != NULL)
    g_ptr_array_add (notes,
                     g_strdup_printf (_("Skipped %s: it is not a file or a folder."), source));
  return TRUE;
}

/* Creates the folders of @relative_parent below @managed_dir one by one
 * with mode 0700. The managed folder is the container's home, so a session
 * can leave a symbolic link where a folder is expected, and following it
 * would put the import (or a chmod) anywhere on the host. A component that
 * is not a real folder is an error.
 */
static gboolean
make_managed_parents (const char  *managed_dir,
                      const char  *relative_parent,
                      GError     **error)
{
  g_auto(GStrv) components = g_strsplit (relative_parent, "/", -1);
  g_autofree char *path = g_strdup (managed_dir);

  for (guint i = 0; components[i] != NULL; i++)
    {
      char *next;
      GStatBuf info;

      if (components[i][0] == '\0' || g_str_equal (components[i], "."))
        continue;

      next = g_build_filename (path, components[i], NULL);
      g_free (path);
      path = next;

      if (g_lstat (path, &info) == 0)
        {
          if (!S_ISDIR (info.st_mode))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                           _("Cannot import into %s: it is not a folder (a session may have "
                             "replaced it with a link). Remove it and import again."),
                           path);
              return FALSE;
            }
          continue;
        }

      if (g_mkdir (path, 0700) != 0)
        return set_errno_error (error, errno, _("Failed to create the folder %s: %s"),
                                path, g_strerror (errno));
    }

  return TRUE;
}

/* Replaces @managed_path below @managed_dir with @staged, keeping the old
 * copy until the rename succeeded.
 */
static gboolean
move_into_place (const char  *staged,
                 const char  *managed_dir,
                 const char  *managed_path,
                 const char  *staging_dir,
                 guint        index,
                 GError     **error)
{
  g_autofree char *destination = g_build_filename (managed_dir, managed_path, NULL);
  g_autofree char *relative_parent = g_path_get_dirname (managed_path);
  g_autofree char *old_name = g_strdup_printf ("previous-%u", index);
  g_autofree char *old_copy = g_build_filename (staging_dir, old_name, NULL);
  gboolean had_copy;
  GStatBuf info;

  if (!make_managed_parents (managed_dir, relative_parent, error))
    return FALSE;

  had_copy = g_lstat (destination, &info) == 0;
  if (had_copy && g_rename (destination, old_copy) != 0)
    return set_errno_error (error, errno, _("Failed to move %s aside: %s"),
                            destination, g_strerror (errno));

  if (g_rename (staged, destination) != 0)
    {
      int saved_errno = errno;

      if (had_copy)
        g_rename (old_copy, destination);
      return set_errno_error (error, saved_errno, _("Failed to replace %s: %s"),
                              destination, g_strerror (saved_errno));
    }

  return TRUE;
}

gboolean
exitbox_managed_config_import (const char  *agent_id,
                               guint       *out_count,
                               GPtrArray   *notes,
                               GError     **error)
{
  g_autoptr(GPtrArray) sources = NULL;
  g_autofree char *managed_dir = NULL;
  g_autofree char *staging_dir = NULL;
  g_autoptr(GPtrArray) staged = g_ptr_array_new_with_free_func (g_free);
  guint count = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (exitbox_agent_lookup (agent_id) != NULL, FALSE);

  sources = exitbox_managed_config_dup_sources (agent_id);
  managed_dir = exitbox_managed_config_dup_dir (agent_id);

  if (!make_private_dir (managed_dir, error))
    return FALSE;

  staging_dir = g_build_filename (managed_dir, ".exitbox-import-XXXXXX", NULL);
  if (g_mkdtemp_full (staging_dir, 0700) == NULL)
    return set_errno_error (error, errno, _("Failed to create a staging folder in %s: %s"),
                            managed_dir, g_strerror (errno));

  /* Copy everything first, so a failure leaves the managed copies alone. */
  for (guint i = 0; ok && i < sources->len; i++)
    {
      ExitboxManagedSource *source = g_ptr_array_index (sources, i);
      g_autofree char *name = g_strdup_printf ("source-%u", i);
      g_autofree char *destination = g_build_filename (staging_dir, name, NULL);
      GStatBuf info;

      g_ptr_array_add (staged, NULL);
      if (g_lstat (source->host_path, &info) != 0)
        continue;

      ok = copy_tree (source->host_path, destination, notes, error);
      if (ok && g_lstat (destination, &info) == 0)
        g_ptr_array_index (staged, i) = g_steal_pointer (&destination);
    }

  for (guint i = 0; ok && i < sources->len; i++)
    {
      ExitboxManagedSource *source = g_ptr_array_index (sources, i);
      const char *copy = g_ptr_array_index (staged, i);

      if (copy == NULL)
        continue;

      ok = move_into_place (copy, managed_dir, source->managed_path, staging_dir, i, error);
      if (ok)
        count++;
    }

  if (ok)
    ok = remove_tree (staging_dir, error);
  else
    remove_tree (staging_dir, NULL);

  if (out_count != NULL)
    *out_count = count;

  return ok;
}

gboolean
exitbox_managed_config_ensure (const char  *agent_id,
                               gboolean    *out_imported,
                               GPtrArray   *notes,
                               GError     **error)
{
  g_autofree char *managed_dir = NULL;
  guint count = 0;

  g_return_val_if_fail (exitbox_agent_lookup (agent_id) != NULL, FALSE);

  if (out_imported != NULL)
    *out_imported = FALSE;

  managed_dir = exitbox_managed_config_dup_dir (agent_id);
  if (g_file_test (managed_dir, G_FILE_TEST_IS_DIR))
    return TRUE;

  if (!exitbox_managed_config_import (agent_id, &count, notes, error))
    {
      /* The folder did not exist before this call, so nothing of the user's
       * is lost, and the next session tries the import again.
       */
      remove_tree (managed_dir, NULL);
      return FALSE;
    }

  if (out_imported != NULL)
    *out_imported = count > 0;

  return TRUE;
}
