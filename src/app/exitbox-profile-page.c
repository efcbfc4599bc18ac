/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#define G_LOG_DOMAIN "exitbox-profile-page"

#include <glib/gi18n.h>

#include "exitbox-profile-page.h"

struct _ExitboxProfilePage
{
  AdwPreferencesPage  parent_instance;

  AdwPreferencesGroup *group;
  ExitboxProject      *project;
  ExitboxConfig       *config;
  char                *registry_path;
  GHashTable          *checks;  /* profile id → GtkCheckButton, owned by the rows */
  gboolean             syncing;
};

G_DEFINE_FINAL_TYPE (ExitboxProfilePage, exitbox_profile_page, ADW_TYPE_PREFERENCES_PAGE)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GtkCheckButton *
exitbox_profile_page_get_check (ExitboxProfilePage *self,
                                const char         *profile_id)
{
  g_return_val_if_fail (EXITBOX_IS_PROFILE_PAGE (self), NULL);

  return g_hash_table_lookup (self->checks, profile_id);
}

/* Shows the project's effective profiles: config.yaml's with the project's
 * additions and removals from the registry.
 */
static void
exitbox_profile_page_sync (ExitboxProfilePage *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) profiles = NULL;
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  profiles = exitbox_project_registry_dup_profiles (self->registry_path,
                                                    exitbox_project_get_key (self->project),
                                                    exitbox_config_get_profiles (self->config),
                                                    &error);
  if (profiles == NULL)
    {
      g_message ("Failed to read the profiles of %s: %s",
                 exitbox_project_get_path (self->project), error->message);
      adw_preferences_group_set_description (self->group, error->message);
      gtk_widget_set_sensitive (GTK_WIDGET (self->group), FALSE);
      return;
    }

  self->syncing = TRUE;
  g_hash_table_iter_init (&iter, self->checks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    gtk_check_button_set_active (value, g_strv_contains ((const char * const *) profiles, key));
  self->syncing = FALSE;
}

static void
exitbox_profile_page_toggled_cb (GtkCheckButton     *check,
                                 ExitboxProfilePage *self)
{
  const char *id = g_object_get_data (G_OBJECT (check), "exitbox-profile");
  gboolean add = gtk_check_button_get_active (check);
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;

  if (self->syncing)
    return;

  if (!exitbox_project_registry_change_profile (self->registry_path, self->project, id, add,
                                                exitbox_config_get_profiles (self->config),
                                                &changed, &error))
    {
      g_message ("Failed to change the profile %s of %s: %s", id,
                 exitbox_project_get_path (self->project), error->message);
      g_signal_emit (self, signals[CHANGED], 0, error->message, TRUE);
      exitbox_profile_page_sync (self);
      return;
    }

  if (changed)
    {
      g_autofree char *message =
        g_strdup_printf (add ? _("Added the %s profile. The project image is rebuilt at the "
                                 "next launch.")
                             : _("Removed the %s profile. The project image is rebuilt at the "
                                 "next launch."),
                         id);

      g_signal_emit (self, signals[CHANGED], 0, message, FALSE);
    }
}

static void
exitbox_profile_page_add_rows (ExitboxProfilePage *self,
                               ExitboxCatalogue   *catalogue)
{
  g_auto(GStrv) ids = exitbox_catalogue_dup_ids (catalogue, EXITBOX_CATALOGUE_PROFILE);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
      GtkWidget *check = gtk_check_button_new ();
      const char *name = exitbox_catalogue_get_name (catalogue, EXITBOX_CATALOGUE_PROFILE, ids[i]);
      const char *description = exitbox_catalogue_get_description (catalogue,
                                                                   EXITBOX_CATALOGUE_PROFILE,
                                                                   ids[i]);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      if (description != NULL)
        adw_action_row_set_subtitle (row, description);

      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      name, -1);
      adw_action_row_add_prefix (row, check);
      adw_action_row_set_activatable_widget (row, check);

      g_object_set_data_full (G_OBJECT (check), "exitbox-profile", g_strdup (ids[i]), g_free);
      g_hash_table_insert (self->checks, g_strdup (ids[i]), check);
      g_signal_connect (check, "toggled", G_CALLBACK (exitbox_profile_page_toggled_cb), self);

      adw_preferences_group_add (self->group, GTK_WIDGET (row));
    }
}

static void
exitbox_profile_page_dispose (GObject *object)
{
  ExitboxProfilePage *self = EXITBOX_PROFILE_PAGE (object);

  g_clear_object (&self->project);
  g_clear_object (&self->config);
  g_clear_pointer (&self->registry_path, g_free);
  g_clear_pointer (&self->checks, g_hash_table_unref);

  G_OBJECT_CLASS (exitbox_profile_page_parent_class)->dispose (object);
}

static void
exitbox_profile_page_class_init (ExitboxProfilePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = exitbox_profile_page_dispose;

  /**
   * ExitboxProfilePage::changed:
   * @text: what changed, or the error message
   * @is_error: whether the change failed
   *
   * Emitted after each attempt to change the project's profiles.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                   G_TYPE_STRING, G_TYPE_BOOLEAN);
}

static void
exitbox_profile_page_init (ExitboxProfilePage *self)
{
  self->checks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), self->group);
}

ExitboxProfilePage *
exitbox_profile_page_new (ExitboxProject *project,
                          ExitboxConfig  *config)
{
  g_autoptr(ExitboxCatalogue) catalogue = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  ExitboxProfilePage *self;

  g_return_val_if_fail (EXITBOX_IS_PROJECT (project), NULL);
  g_return_val_if_fail (EXITBOX_IS_CONFIG (config), NULL);

  catalogue = exitbox_catalogue_load_default (&error);
  g_return_val_if_fail (catalogue != NULL, NULL);

  self = g_object_new (EXITBOX_TYPE_PROFILE_PAGE,
                       "name", "profiles",
                       "title", _("Profiles"),
                       "icon-name", "applications-engineering-symbolic",
                       NULL);
  self->project = g_object_ref (project);
  self->config = g_object_ref (config);
  self->registry_path = exitbox_project_registry_dup_path ();

  adw_preferences_group_set_title (self->group, _("Development Profiles"));
  /* TRANSLATORS: %s is the project folder's name */
  description = g_strdup_printf (_("The tools installed in the images of %s, on top of the "
                                   "profiles in config.yaml. A change rebuilds only the "
                                   "project layer."),
                                 exitbox_project_get_name (project));
  adw_preferences_group_set_description (self->group, description);

  exitbox_profile_page_add_rows (self, catalogue);
  exitbox_profile_page_sync (self);

  return self;
}
