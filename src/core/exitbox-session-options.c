/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <stdlib.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "exitbox-config.h"
#include "exitbox-launch-plan.h"
#include "exitbox-session-options.h"

void
exitbox_include_dir_free (ExitboxIncludeDir *include_dir)
{
  if (include_dir == NULL)
    return;

  g_free (include_dir->source);
  g_free (include_dir->destination);
  g_free (include_dir);
}

static gboolean
is_home_or_root (const char *path)
{
  g_autofree char *home = realpath (g_get_home_dir (), NULL);

  return g_str_equal (path, "/") || (home != NULL && g_str_equal (path, home));
}

static ExitboxIncludeDir *
resolve_one (ExitboxProject  *project,
             const char      *dir,
             gboolean         read_only,
             gboolean         force,
             GError         **error)
{
  g_autofree char *canonical = realpath (dir, NULL);
  g_autofree char *name = NULL;
  g_autofree char *mount_point = NULL;
  ExitboxIncludeDir *include_dir;
  GStatBuf info;

  if (canonical == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot include the folder “%s” (-i): %s. Check the path."),
                   dir, g_strerror (saved_errno));
      return NULL;
    }

  if (!g_file_test (canonical, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   _("Cannot include “%s” (-i): it is not a folder."), dir);
      return NULL;
    }

  if (!force && is_home_or_root (canonical))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("Cannot include %s (-i): the agent could read ~/.ssh and every "
                     "credential in it. Include a narrower folder, or pass --force."),
                   canonical);
      return NULL;
    }

  name = g_path_get_basename (canonical);
  mount_point = g_build_filename (exitbox_project_get_path (project), name, NULL);

  if (g_stat (mount_point, &info) == 0)
    {
      if (!S_ISDIR (info.st_mode))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                       _("Cannot include “%s” (-i) at %s/%s: the project has a file %s "
                         "there. Rename the file or the folder."),
                       dir, EXITBOX_WORKSPACE_DIR, name, mount_point);
          return NULL;
        }
    }
  else if (read_only)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("Cannot include “%s” (-i) in a read-only project: the engine would "
                     "have to create the mount point %s/%s inside it. Create the empty "
                     "folder %s first."),
                   dir, EXITBOX_WORKSPACE_DIR, name, mount_point);
      return NULL;
    }

  include_dir = g_new0 (ExitboxIncludeDir, 1);
  include_dir->source = g_steal_pointer (&canonical);
  include_dir->destination = g_build_filename (EXITBOX_WORKSPACE_DIR, name, NULL);
  include_dir->read_only = read_only;

  return include_dir;
}

GPtrArray *
exitbox_session_resolve_include_dirs (ExitboxProject      *project,
                                      const char * const  *dirs,
                                      gboolean             read_only,
                                      gboolean             force,
                                      GError             **error)
{
  g_autoptr(GPtrArray) include_dirs = NULL;

  g_return_val_if_fail (EXITBOX_IS_PROJECT (project), NULL);

  include_dirs = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_include_dir_free);

  for (guint i = 0; dirs != NULL && dirs[i] != NULL; i++)
    {
      ExitboxIncludeDir *include_dir = resolve_one (project, dirs[i], read_only, force, error);

      if (include_dir == NULL)
        return NULL;

      for (guint j = 0; j < include_dirs->len; j++)
        {
          ExitboxIncludeDir *other = g_ptr_array_index (include_dirs, j);

          if (g_str_equal (other->destination, include_dir->destination))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                           _("Cannot include both %s and %s (-i): both would be mounted at "
                             "%s. Include one of them, or a folder that holds both."),
                           other->source, include_dir->source, include_dir->destination);
              exitbox_include_dir_free (include_dir);
              return NULL;
            }
        }

      g_ptr_array_add (include_dirs, include_dir);
    }

  return g_steal_pointer (&include_dirs);
}

gboolean
exitbox_session_check_limits (const char  *memory,
                              const char  *cpus,
                              GError     **error)
{
  if (memory != NULL && !exitbox_config_memory_is_valid (memory))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid --memory value “%s”: expected a number greater than 0 with an "
                     "optional unit b, k, m or g, such as 8g or 512m."),
                   memory);
      return FALSE;
    }

  if (cpus != NULL && !exitbox_config_cpus_is_valid (cpus))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid --cpus value “%s”: expected a number of CPUs greater than 0, "
                     "such as 4 or 1.5."),
                   cpus);
      return FALSE;
    }

  return TRUE;
}
