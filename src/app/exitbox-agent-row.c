/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#define G_LOG_DOMAIN "exitbox-agent-row"

#include <glib/gi18n.h>

#include "exitbox-agent-row.h"
#include "exitbox-application.h"

struct _ExitboxAgentRow
{
  AdwActionRow            parent_instance;

  GtkLabel               *enabled_label;
  GtkLabel               *image_label;
  GtkButton              *launch_button;

  const ExitboxAgentInfo *info;
  gboolean                config_known;
  gboolean                enabled;
  char                   *blocker;
};

G_DEFINE_FINAL_TYPE (ExitboxAgentRow, exitbox_agent_row, ADW_TYPE_ACTION_ROW)

/* Launch is offered only for what the launcher accepts, and otherwise the
 * tooltip gives the reason. The agent's own reasons come first because they
 * do not go away when a project is chosen.
 */
static void
exitbox_agent_row_update_launch (ExitboxAgentRow *self)
{
  g_autofree char *reason = NULL;

  if (!self->info->installable)
    reason = g_strdup_printf (_("%s cannot be installed yet: no verified download is available."),
                              self->info->display_name);
  else if (self->config_known && !self->enabled)
    reason = g_strdup_printf (_("%s is disabled. Set agents.%s.enabled: true in config.yaml "
                                "to use it."),
                              self->info->display_name, self->info->id);
  else if (self->blocker != NULL)
    reason = g_strdup (self->blocker);
  else if (!self->config_known)
    reason = g_strdup (_("config.yaml could not be read."));

  gtk_widget_set_sensitive (GTK_WIDGET (self->launch_button), reason == NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->launch_button), reason);
}

static void
exitbox_agent_row_launch_clicked_cb (ExitboxAgentRow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.launch-agent", "s", self->info->id);
}

static void
exitbox_agent_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), EXITBOX_TYPE_AGENT_ROW);

  G_OBJECT_CLASS (exitbox_agent_row_parent_class)->dispose (object);
}

static void
exitbox_agent_row_finalize (GObject *object)
{
  ExitboxAgentRow *self = EXITBOX_AGENT_ROW (object);

  g_clear_pointer (&self->blocker, g_free);

  G_OBJECT_CLASS (exitbox_agent_row_parent_class)->finalize (object);
}

static void
exitbox_agent_row_class_init (ExitboxAgentRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = exitbox_agent_row_dispose;
  object_class->finalize = exitbox_agent_row_finalize;

  exitbox_desktop_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/exitbox/ExitBox/ui/exitbox-agent-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ExitboxAgentRow, enabled_label);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAgentRow, image_label);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAgentRow, launch_button);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_agent_row_launch_clicked_cb);
}

static void
exitbox_agent_row_init (ExitboxAgentRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
exitbox_agent_row_new (const ExitboxAgentInfo *info)
{
  ExitboxAgentRow *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (EXITBOX_TYPE_AGENT_ROW,
                       "title", info->display_name,
                       "subtitle", _(info->description),
                       NULL);
  self->info = info;

  exitbox_agent_row_set_config (self, NULL);
  exitbox_agent_row_clear_image_state (self, NULL);

  return GTK_WIDGET (self);
}

const char *
exitbox_agent_row_get_agent_id (ExitboxAgentRow *self)
{
  g_return_val_if_fail (EXITBOX_IS_AGENT_ROW (self), NULL);

  return self->info->id;
}

void
exitbox_agent_row_set_config (ExitboxAgentRow *self,
                              ExitboxConfig   *config)
{
  g_return_if_fail (EXITBOX_IS_AGENT_ROW (self));
  g_return_if_fail (config == NULL || EXITBOX_IS_CONFIG (config));

  self->config_known = config != NULL;
  self->enabled = config != NULL && exitbox_config_get_agent_enabled (config, self->info->id);

  gtk_widget_set_visible (GTK_WIDGET (self->enabled_label), self->config_known);
  gtk_label_set_label (self->enabled_label, self->enabled ? _("Enabled") : _("Disabled"));
  if (self->enabled)
    gtk_widget_add_css_class (GTK_WIDGET (self->enabled_label), "enabled");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->enabled_label), "enabled");

  exitbox_agent_row_update_launch (self);
}

void
exitbox_agent_row_set_image_state (ExitboxAgentRow   *self,
                                   ExitboxImageState  state,
                                   const char        *version)
{
  g_autofree char *text = NULL;

  g_return_if_fail (EXITBOX_IS_AGENT_ROW (self));

  switch (state)
    {
    case EXITBOX_IMAGE_STATE_MISSING:
      text = g_strdup (_("Not built"));
      break;

    case EXITBOX_IMAGE_STATE_STALE:
      text = g_strdup (_("Out of date"));
      break;

    case EXITBOX_IMAGE_STATE_BUILT:
      if (version != NULL && *version != '\0')
        /* Translators: the image state of an agent; %s is the agent's version */
        text = g_strdup_printf (_("Built · %s"), version);
      else
        text = g_strdup (_("Built"));
      break;

    default:
      g_assert_not_reached ();
    }

  gtk_label_set_label (self->image_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->image_label), NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->image_label), TRUE);
}

void
exitbox_agent_row_clear_image_state (ExitboxAgentRow *self,
                                     const char      *reason)
{
  g_return_if_fail (EXITBOX_IS_AGENT_ROW (self));

  gtk_label_set_label (self->image_label, reason != NULL ? _("Image state unknown") : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->image_label), reason);
  gtk_widget_set_visible (GTK_WIDGET (self->image_label), reason != NULL);
}

void
exitbox_agent_row_set_blocker (ExitboxAgentRow *self,
                               const char      *reason)
{
  g_return_if_fail (EXITBOX_IS_AGENT_ROW (self));

  g_free (self->blocker);
  self->blocker = g_strdup (reason);

  exitbox_agent_row_update_launch (self);
}

const char *
exitbox_agent_row_get_enabled_text (ExitboxAgentRow *self)
{
  g_return_val_if_fail (EXITBOX_IS_AGENT_ROW (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->enabled_label)))
    return NULL;

  return gtk_label_get_label (self->enabled_label);
}

const char *
exitbox_agent_row_get_image_text (ExitboxAgentRow *self)
{
  g_return_val_if_fail (EXITBOX_IS_AGENT_ROW (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->image_label)))
    return NULL;

  return gtk_label_get_label (self->image_label);
}

GtkWidget *
exitbox_agent_row_get_launch_button (ExitboxAgentRow *self)
{
  g_return_val_if_fail (EXITBOX_IS_AGENT_ROW (self), NULL);

  return GTK_WIDGET (self->launch_button);
}
