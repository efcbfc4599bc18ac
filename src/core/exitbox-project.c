/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <stdlib.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "exitbox-project.h"

/* Long enough to recognise the folder in `podman ps`, short enough that the
 * container name stays well under every engine's limits.
 */
#define SLUG_MAX_LENGTH 32
#define HASH_LENGTH 8

struct _ExitboxProject
{
  GObject  parent_instance;

  char    *path;
  char    *name;
  char    *key;
};

G_DEFINE_FINAL_TYPE (ExitboxProject, exitbox_project, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  PROP_NAME,
  PROP_KEY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
exitbox_project_finalize (GObject *object)
{
  ExitboxProject *self = EXITBOX_PROJECT (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->key, g_free);

  G_OBJECT_CLASS (exitbox_project_parent_class)->finalize (object);
}

static void
exitbox_project_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ExitboxProject *self = EXITBOX_PROJECT (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
exitbox_project_class_init (ExitboxProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = exitbox_project_finalize;
  object_class->get_property = exitbox_project_get_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEY] =
    g_param_spec_string ("key", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
exitbox_project_init (ExitboxProject *self)
{
}

/* Lower-case ASCII letters and digits from the folder name, other runs of
 * characters folded into one '-'.
 */
static char *
make_slug (const char *name)
{
  g_autofree char *ascii = g_str_to_ascii (name, "C");
  GString *slug = g_string_new (NULL);

  for (const char *p = ascii; *p != '\0' && slug->len < SLUG_MAX_LENGTH; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (slug, g_ascii_tolower (*p));
      else if (slug->len > 0 && slug->str[slug->len - 1] != '-')
        g_string_append_c (slug, '-');
    }

  while (slug->len > 0 && slug->str[slug->len - 1] == '-')
    g_string_truncate (slug, slug->len - 1);

  if (slug->len == 0)
    g_string_append (slug, "project");

  return g_string_free (slug, FALSE);
}

ExitboxProject *
exitbox_project_new (const char  *path,
                     GError     **error)
{
  g_autoptr(ExitboxProject) self = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *slug = NULL;
  g_autofree char *digest = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  canonical = realpath (path, NULL);
  if (canonical == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot use “%s” as the project folder: %s"),
                   path, g_strerror (saved_errno));
      return NULL;
    }

  if (!g_file_test (canonical, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   _("Cannot use “%s” as the project folder: it is not a folder"),
                   path);
      return NULL;
    }

  self = g_object_new (EXITBOX_TYPE_PROJECT, NULL);
  self->path = g_steal_pointer (&canonical);
  self->name = g_path_get_basename (self->path);

  slug = make_slug (self->name);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, self->path, -1);
  self->key = g_strdup_printf ("%s-%.*s", slug, HASH_LENGTH, digest);

  return g_steal_pointer (&self);
}

const char *
exitbox_project_get_path (ExitboxProject *self)
{
  g_return_val_if_fail (EXITBOX_IS_PROJECT (self), NULL);

  return self->path;
}

const char *
exitbox_project_get_name (ExitboxProject *self)
{
  g_return_val_if_fail (EXITBOX_IS_PROJECT (self), NULL);

  return self->name;
}

const char *
exitbox_project_get_key (ExitboxProject *self)
{
  g_return_val_if_fail (EXITBOX_IS_PROJECT (self), NULL);

  return self->key;
}

gboolean
exitbox_project_check_safe (ExitboxProject  *self,
                            GError         **error)
{
  g_autofree char *home = NULL;

  g_return_val_if_fail (EXITBOX_IS_PROJECT (self), FALSE);

  if (g_str_equal (self->path, "/"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("The root folder “/” cannot be the project: the agent could read every "
                     "file on the host. Choose a project folder instead."));
      return FALSE;
    }

  home = realpath (g_get_home_dir (), NULL);
  if (home != NULL && g_str_equal (self->path, home))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("Your home folder %s cannot be the project: the agent could read ~/.ssh, "
                     "cloud credentials and every other project. Choose a project folder "
                     "instead."),
                   self->path);
      return FALSE;
    }

  return TRUE;
}
