/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <string.h>
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

/* Whether @path is a folder above @child (both canonical). */
static gboolean
is_ancestor (const char *path,
             const char *child)
{
  gsize length = strlen (path);

  if (g_str_equal (path, "/"))
    return TRUE;

  return strncmp (child, path, length) == 0 && child[length] == '/';
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

  if (g_str_equal (canonical, exitbox_project_get_path (project)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("Cannot include “%s” (-i): it is the project folder, which the agent "
                     "sees at %s already."),
                   dir, EXITBOX_WORKSPACE_DIR);
      return NULL;
    }

  if (!force && is_ancestor (canonical, exitbox_project_get_path (project)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("Cannot include %s (-i): it contains the project, so the agent would see "
                     "the project twice and every folder next to it. Include the folders "
                     "you need one by one, or pass --force."),
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

/* Resolves @path against @base when it is relative, then canonically. */
static char *
dup_real_path (const char *base,
               const char *path)
{
  g_autofree char *absolute = g_path_is_absolute (path) ? g_strdup (path)
                                                       : g_build_filename (base, path, NULL);

  return realpath (absolute, NULL);
}

/* Reads the first line of @path with surrounding whitespace removed. */
static char *
read_first_line (const char *path)
{
  g_autofree char *contents = NULL;
  char *line_end;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  line_end = strpbrk (contents, "\r\n");
  if (line_end != NULL)
    *line_end = '\0';

  return g_strdup (g_strstrip (contents));
}

char *
exitbox_session_dup_git_mount (ExitboxProject *project)
{
  const char *project_path;
  g_autofree char *dot_git = NULL;
  g_autofree char *first_line = NULL;
  g_autofree char *git_dir = NULL;
  g_autofree char *commondir = NULL;
  g_autofree char *commondir_file = NULL;
  g_autofree char *common_dir = NULL;
  g_autofree char *worktrees_dir = NULL;
  g_autofree char *expected_parent = NULL;
  g_autofree char *backlink_file = NULL;
  g_autofree char *backlink = NULL;
  g_autofree char *backlink_real = NULL;
  g_autofree char *dot_git_real = NULL;
  g_autofree char *project_prefix = NULL;

  g_return_val_if_fail (EXITBOX_IS_PROJECT (project), NULL);

  project_path = exitbox_project_get_path (project);
  dot_git = g_build_filename (project_path, ".git", NULL);
  if (!g_file_test (dot_git, G_FILE_TEST_IS_REGULAR) ||
      g_file_test (dot_git, G_FILE_TEST_IS_SYMLINK))
    return NULL;

  first_line = read_first_line (dot_git);
  if (first_line == NULL || !g_str_has_prefix (first_line, "gitdir:"))
    return NULL;

  git_dir = dup_real_path (project_path, g_strstrip (first_line + strlen ("gitdir:")));
  if (git_dir == NULL)
    return NULL;

  /* A linked worktree's folder names the shared repository folder in
   * "commondir", usually as "../..".
   */
  commondir_file = g_build_filename (git_dir, "commondir", NULL);
  commondir = read_first_line (commondir_file);
  if (commondir == NULL)
    return NULL;

  common_dir = dup_real_path (git_dir, commondir);
  if (common_dir == NULL)
    return NULL;

  /* The project's .git can be rewritten from inside the container. Only a
   * folder that git itself set up for this worktree is mounted: it sits in
   * the repository's worktrees/ folder, and its "gitdir" file points back
   * at this project's .git. So a rewritten .git cannot bring any other host
   * folder into the container.
   */
  worktrees_dir = g_build_filename (common_dir, "worktrees", NULL);
  expected_parent = g_path_get_dirname (git_dir);
  if (!g_str_equal (expected_parent, worktrees_dir))
    return NULL;

  backlink_file = g_build_filename (git_dir, "gitdir", NULL);
  backlink = read_first_line (backlink_file);
  if (backlink == NULL)
    return NULL;

  backlink_real = dup_real_path (git_dir, backlink);
  dot_git_real = realpath (dot_git, NULL);
  if (backlink_real == NULL || dot_git_real == NULL || !g_str_equal (backlink_real, dot_git_real))
    return NULL;

  project_prefix = g_strconcat (project_path, "/", NULL);
  if (g_str_has_prefix (common_dir, project_prefix))
    return NULL;

  return g_steal_pointer (&common_dir);
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
