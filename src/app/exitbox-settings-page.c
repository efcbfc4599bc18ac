/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#define G_LOG_DOMAIN "exitbox-settings-page"

#include <glib/gi18n.h>

#include "exitbox-application.h"
#include "exitbox-settings-page.h"

struct _ExitboxSettingsPage
{
  AdwPreferencesPage  parent_instance;

  GtkSwitch          *read_only_switch;
  GtkSwitch          *pass_env_switch;
  GtkSwitch          *firewall_switch;
  GtkSwitch          *status_bar_switch;
  GtkSwitch          *auto_update_switch;
  AdwEntryRow        *memory_row;
  AdwEntryRow        *cpus_row;
  AdwComboRow        *base_row;
  AdwEntryRow        *base_image_row;
  AdwComboRow        *runtime_row;
  GtkSpinButton      *idle_spin;
  GtkLabel           *sessions_error_label;
  GtkLabel           *resources_error_label;
  GtkLabel           *images_error_label;

  char               *path;
  ExitboxConfig      *config;  /* the values shown */
  gboolean            syncing;
};

G_DEFINE_FINAL_TYPE (ExitboxSettingsPage, exitbox_settings_page, ADW_TYPE_PREFERENCES_PAGE)

enum {
  MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A switch, the key it writes and whether it shows the inverse of the
 * value ("Pass the host environment" is no_env false).
 */
typedef struct
{
  gsize        offset;
  const char  *key_path[4];
  gboolean     inverted;
} SwitchSetting;

static const SwitchSetting switch_settings[] = {
  { G_STRUCT_OFFSET (ExitboxSettingsPage, read_only_switch),
    { "settings", "default_flags", "read_only", NULL }, FALSE },
  { G_STRUCT_OFFSET (ExitboxSettingsPage, pass_env_switch),
    { "settings", "default_flags", "no_env", NULL }, TRUE },
  { G_STRUCT_OFFSET (ExitboxSettingsPage, firewall_switch),
    { "settings", "default_flags", "no_firewall", NULL }, TRUE },
  { G_STRUCT_OFFSET (ExitboxSettingsPage, status_bar_switch),
    { "settings", "status_bar", NULL }, FALSE },
  { G_STRUCT_OFFSET (ExitboxSettingsPage, auto_update_switch),
    { "settings", "auto_update", NULL }, FALSE },
};

static GtkSwitch *
get_switch (ExitboxSettingsPage *self,
            const SwitchSetting *setting)
{
  return G_STRUCT_MEMBER (GtkSwitch *, self, setting->offset);
}

/* Shows @message under the group of @control, or hides the group's error
 * when @message is NULL. A toast would cut a long message to one line.
 */
static void
show_error (GtkLabel   *label,
            GtkWidget  *control,
            const char *message)
{
  gtk_label_set_text (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);

  if (message != NULL)
    gtk_widget_add_css_class (control, "error");
  else
    gtk_widget_remove_css_class (control, "error");
}

static void
clear_errors (ExitboxSettingsPage *self)
{
  GtkWidget *controls[] = {
    GTK_WIDGET (self->memory_row), GTK_WIDGET (self->cpus_row), GTK_WIDGET (self->base_row),
    GTK_WIDGET (self->base_image_row), GTK_WIDGET (self->runtime_row), GTK_WIDGET (self->idle_spin),
  };

  gtk_widget_set_visible (GTK_WIDGET (self->sessions_error_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->resources_error_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->images_error_label), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (controls); i++)
    gtk_widget_remove_css_class (controls[i], "error");
  for (guint i = 0; i < G_N_ELEMENTS (switch_settings); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (get_switch (self, &switch_settings[i])), "error");
}

/* Writes one value through the core. An error shows in @error_label, and a
 * change is confirmed in the "message" signal.
 */
static void
exitbox_settings_page_save (ExitboxSettingsPage *self,
                            GtkWidget           *control,
                            GtkLabel            *error_label,
                            const char * const  *key_path,
                            const char          *value)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *joined = g_strjoinv (".", (char **) key_path);
  g_autofree char *message = NULL;
  gboolean changed = FALSE;

  if (self->syncing)
    return;

  if (!exitbox_config_set_value_in_file (self->path, key_path, value, &changed, &error))
    {
      g_message ("Failed to set %s to %s in %s: %s", joined, value, self->path, error->message);
      show_error (error_label, control, error->message);

      /* The controls go back to what the file holds. */
      if (self->config != NULL)
        {
          g_autoptr(ExitboxConfig) shown = g_object_ref (self->config);

          exitbox_settings_page_set_config (self, shown);
        }

      /* Typed text stays, so that the user can correct it. */
      if (ADW_IS_ENTRY_ROW (control))
        gtk_editable_set_text (GTK_EDITABLE (control), value);
      show_error (error_label, control, error->message);
      return;
    }

  show_error (error_label, control, NULL);
  if (!changed)
    return;

  /* TRANSLATORS: the first value is a key such as settings.auto_update */
  message = g_strdup_printf (_("Saved %s: %s"), joined, value);
  g_signal_emit (self, signals[MESSAGE], 0, message);
}

const char *
exitbox_settings_page_get_error (ExitboxSettingsPage *self)
{
  GtkLabel *labels[] = {
    self->sessions_error_label, self->resources_error_label, self->images_error_label,
  };

  g_return_val_if_fail (EXITBOX_IS_SETTINGS_PAGE (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (gtk_widget_get_visible (GTK_WIDGET (labels[i])))
      return gtk_label_get_text (labels[i]);

  return NULL;
}

static void
exitbox_settings_page_switch_changed_cb (GtkSwitch           *widget,
                                         GParamSpec          *pspec,
                                         ExitboxSettingsPage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (switch_settings); i++)
    {
      const SwitchSetting *setting = &switch_settings[i];
      gboolean value;

      if (get_switch (self, setting) != widget)
        continue;

      value = gtk_switch_get_active (widget) != setting->inverted;
      exitbox_settings_page_save (self, GTK_WIDGET (widget), self->sessions_error_label,
                                  setting->key_path, value ? "true" : "false");
    }
}

static void
save_entry (ExitboxSettingsPage *self,
            AdwEntryRow         *row,
            GtkLabel            *error_label,
            const char * const  *key_path)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  exitbox_settings_page_save (self, GTK_WIDGET (row), error_label, key_path, text);
}

static void
exitbox_settings_page_memory_apply_cb (ExitboxSettingsPage *self)
{
  const char *key_path[] = { "settings", "default_flags", "memory", NULL };

  save_entry (self, self->memory_row, self->resources_error_label, key_path);
}

static void
exitbox_settings_page_cpus_apply_cb (ExitboxSettingsPage *self)
{
  const char *key_path[] = { "settings", "default_flags", "cpus", NULL };

  save_entry (self, self->cpus_row, self->resources_error_label, key_path);
}

static void
exitbox_settings_page_base_image_apply_cb (ExitboxSettingsPage *self)
{
  const char *key_path[] = { "settings", "base_image", NULL };

  save_entry (self, self->base_image_row, self->images_error_label, key_path);
}

static void
save_combo (ExitboxSettingsPage *self,
            AdwComboRow         *row,
            const char * const  *key_path)
{
  GtkStringObject *selected = adw_combo_row_get_selected_item (row);

  if (selected != NULL)
    exitbox_settings_page_save (self, GTK_WIDGET (row), self->images_error_label, key_path,
                                gtk_string_object_get_string (selected));
}

static void
exitbox_settings_page_combo_changed_cb (AdwComboRow         *row,
                                        GParamSpec          *pspec,
                                        ExitboxSettingsPage *self)
{
  const char *base_path[] = { "settings", "base", NULL };
  const char *runtime_path[] = { "settings", "runtime", NULL };

  save_combo (self, row, row == self->base_row ? base_path : runtime_path);
}

static void
exitbox_settings_page_idle_changed_cb (GtkSpinButton       *spin,
                                       ExitboxSettingsPage *self)
{
  const char *key_path[] = { "settings", "proxy_idle_minutes", NULL };
  g_autofree char *text = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (spin));

  exitbox_settings_page_save (self, GTK_WIDGET (spin), self->images_error_label, key_path, text);
}

static void
select_string (AdwComboRow *row,
               const char  *text)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), text))
        {
          adw_combo_row_set_selected (row, i);
          return;
        }
    }
}

void
exitbox_settings_page_set_config (ExitboxSettingsPage *self,
                                  ExitboxConfig       *config)
{
  g_return_if_fail (EXITBOX_IS_SETTINGS_PAGE (self));
  g_return_if_fail (config == NULL || EXITBOX_IS_CONFIG (config));

  g_set_object (&self->config, config);

  /* Values read again from the file make earlier errors out of date. */
  clear_errors (self);

  /* Without settings that loaded there is nothing true to show or save. */
  gtk_widget_set_sensitive (GTK_WIDGET (self), config != NULL);
  if (config == NULL)
    return;

  self->syncing = TRUE;

  gtk_switch_set_active (self->read_only_switch, exitbox_config_get_read_only (config));
  gtk_switch_set_active (self->pass_env_switch, !exitbox_config_get_no_env (config));
  gtk_switch_set_active (self->firewall_switch, !exitbox_config_get_no_firewall (config));
  gtk_switch_set_active (self->status_bar_switch, exitbox_config_get_status_bar (config));
  gtk_switch_set_active (self->auto_update_switch, exitbox_config_get_auto_update (config));
  gtk_editable_set_text (GTK_EDITABLE (self->memory_row), exitbox_config_get_memory (config));
  gtk_editable_set_text (GTK_EDITABLE (self->cpus_row), exitbox_config_get_cpus (config));
  gtk_editable_set_text (GTK_EDITABLE (self->base_image_row),
                         exitbox_config_get_base_image (config) != NULL
                           ? exitbox_config_get_base_image (config) : "");
  select_string (self->base_row,
                 exitbox_base_family_to_string (exitbox_config_get_base_family (config)));
  select_string (self->runtime_row,
                 exitbox_config_runtime_to_string (exitbox_config_get_runtime (config)));
  gtk_spin_button_set_value (self->idle_spin, exitbox_config_get_proxy_idle_minutes (config));

  self->syncing = FALSE;
}

static void
exitbox_settings_page_dispose (GObject *object)
{
  ExitboxSettingsPage *self = EXITBOX_SETTINGS_PAGE (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (exitbox_settings_page_parent_class)->dispose (object);
}

static void
exitbox_settings_page_class_init (ExitboxSettingsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = exitbox_settings_page_dispose;

  /**
   * ExitboxSettingsPage::message:
   * @text: a one-line confirmation of what was saved, for a toast
   *
   * Emitted after each change written to config.yaml. Errors show in the
   * page instead, under the group of the control that failed.
   */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  exitbox_desktop_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/exitbox/ExitBox/ui/exitbox-settings-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ExitboxSettingsPage, read_only_switch);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSettingsPage, pass_env_switch);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSettingsPage, firewall_switch);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSettingsPage, status_bar_switch);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSettingsPage, auto_update_switch);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSettingsPage, memory_row);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSettingsPage, cpus_row);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSettingsPage, base_row);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSettingsPage, base_image_row);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSettingsPage, runtime_row);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSettingsPage, idle_spin);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSettingsPage, sessions_error_label);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSettingsPage, resources_error_label);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSettingsPage, images_error_label);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_settings_page_memory_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_settings_page_cpus_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_settings_page_base_image_apply_cb);
}

static void
exitbox_settings_page_init (ExitboxSettingsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (switch_settings); i++)
    g_signal_connect (get_switch (self, &switch_settings[i]), "notify::active",
                      G_CALLBACK (exitbox_settings_page_switch_changed_cb), self);

  g_signal_connect (self->base_row, "notify::selected",
                    G_CALLBACK (exitbox_settings_page_combo_changed_cb), self);
  g_signal_connect (self->runtime_row, "notify::selected",
                    G_CALLBACK (exitbox_settings_page_combo_changed_cb), self);
  g_signal_connect (self->idle_spin, "value-changed",
                    G_CALLBACK (exitbox_settings_page_idle_changed_cb), self);
}

ExitboxSettingsPage *
exitbox_settings_page_new (const char    *path,
                           ExitboxConfig *config)
{
  ExitboxSettingsPage *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (EXITBOX_TYPE_SETTINGS_PAGE, NULL);
  self->path = g_strdup (path);
  exitbox_settings_page_set_config (self, config);

  return self;
}
