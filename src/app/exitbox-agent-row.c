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

  GtkLabel               *image_label;
  GtkProgressBar         *build_progress;
  GtkButton              *build_button;
  GtkMenuButton          *log_button;
  GtkScrolledWindow      *log_scroller;
  GtkTextView            *log_view;
  GtkButton              *launch_button;
  GtkSwitch              *enabled_switch;

  const ExitboxAgentInfo *info;
  gboolean                config_known;
  gboolean                enabled;
  /* Set while the row itself changes the switch, which is not a user's toggle. */
  gboolean                updating_switch;
  gboolean                building;
  ExitboxImageState       image_state;
  gboolean                image_state_known;
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

  /* A disabled agent can still be built, so that enabling it is quick. */
  if (reason == NULL || (self->config_known && !self->enabled && self->blocker == NULL &&
                         self->info->installable))
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->build_button), !self->building);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->build_button),
                                   self->building ? _("The image is being built") : NULL);
    }
  else
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->build_button), FALSE);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->build_button), reason);
    }
}

static void
exitbox_agent_row_launch_clicked_cb (ExitboxAgentRow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.launch-agent", "s", self->info->id);
}

static void
exitbox_agent_row_build_clicked_cb (ExitboxAgentRow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.build-agent", "s", self->info->id);
}

static void
exitbox_agent_row_switch_toggled_cb (ExitboxAgentRow *self)
{
  if (self->updating_switch)
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.set-agent-enabled", "(sb)",
                              self->info->id, gtk_switch_get_active (self->enabled_switch));
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
  gtk_widget_class_bind_template_child (widget_class, ExitboxAgentRow, image_label);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAgentRow, build_progress);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAgentRow, build_button);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAgentRow, log_button);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAgentRow, log_scroller);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAgentRow, log_view);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAgentRow, launch_button);
  gtk_widget_class_bind_template_child (widget_class, ExitboxAgentRow, enabled_switch);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_agent_row_launch_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_agent_row_build_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_agent_row_switch_toggled_cb);
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
  g_autofree char *label = NULL;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (EXITBOX_TYPE_AGENT_ROW,
                       "title", info->display_name,
                       "subtitle", _(info->description),
                       NULL);
  self->info = info;

  /* Translators: the accessible name of an agent's enable switch; %s is the agent */
  label = g_strdup_printf (_("Enable %s"), info->display_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->enabled_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

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

  self->updating_switch = TRUE;
  gtk_switch_set_active (self->enabled_switch, self->enabled);
  self->updating_switch = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->enabled_switch), self->config_known);

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

  self->image_state = state;
  self->image_state_known = TRUE;
  if (self->building)
    return;

  gtk_label_set_label (self->image_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->image_label), NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->image_label), TRUE);
  gtk_button_set_label (self->build_button,
                        state == EXITBOX_IMAGE_STATE_BUILT ? _("_Rebuild") : _("_Build"));
}

ExitboxImageState
exitbox_agent_row_get_image_state (ExitboxAgentRow *self,
                                   gboolean        *out_known)
{
  g_return_val_if_fail (EXITBOX_IS_AGENT_ROW (self), EXITBOX_IMAGE_STATE_MISSING);

  if (out_known != NULL)
    *out_known = self->image_state_known;

  return self->image_state;
}

void
exitbox_agent_row_set_building (ExitboxAgentRow *self,
                                const char      *message)
{
  g_return_if_fail (EXITBOX_IS_AGENT_ROW (self));

  self->building = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->build_progress), TRUE);
  gtk_progress_bar_pulse (self->build_progress);
  gtk_label_set_label (self->image_label, message != NULL ? message : _("Building…"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->image_label), message);
  gtk_widget_set_visible (GTK_WIDGET (self->image_label), TRUE);
  exitbox_agent_row_update_launch (self);
}

void
exitbox_agent_row_finish_building (ExitboxAgentRow *self,
                                   const char      *failure)
{
  g_return_if_fail (EXITBOX_IS_AGENT_ROW (self));

  self->building = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->build_progress), FALSE);
  exitbox_agent_row_update_launch (self);

  if (failure != NULL)
    {
      gtk_label_set_label (self->image_label, _("Build failed"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->image_label), failure);
    }
}

/* Keeps the last lines only, so a long build cannot grow the buffer
 * without bound; the full output is in the build's log file.
 */
#define LOG_MAX_LINES 2000

void
exitbox_agent_row_clear_log (ExitboxAgentRow *self)
{
  g_return_if_fail (EXITBOX_IS_AGENT_ROW (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->log_view), "", -1);
  gtk_widget_set_visible (GTK_WIDGET (self->log_button), TRUE);
}

void
exitbox_agent_row_append_log (ExitboxAgentRow *self,
                              const char      *line)
{
  GtkTextBuffer *buffer;
  GtkTextIter end;
  GtkAdjustment *adjustment;
  gboolean at_bottom;

  g_return_if_fail (EXITBOX_IS_AGENT_ROW (self));
  g_return_if_fail (line != NULL);

  buffer = gtk_text_view_get_buffer (self->log_view);
  adjustment = gtk_scrolled_window_get_vadjustment (self->log_scroller);
  at_bottom = gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment)
              >= gtk_adjustment_get_upper (adjustment) - 1;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, line, -1);
  gtk_text_buffer_insert (buffer, &end, "\n", 1);

  if (gtk_text_buffer_get_line_count (buffer) > LOG_MAX_LINES)
    {
      GtkTextIter start;
      GtkTextIter cut;

      gtk_text_buffer_get_start_iter (buffer, &start);
      gtk_text_buffer_get_iter_at_line (buffer, &cut,
                                        gtk_text_buffer_get_line_count (buffer) - LOG_MAX_LINES);
      gtk_text_buffer_delete (buffer, &start, &cut);
    }

  /* Follows the output unless the user scrolled up to read. */
  if (at_bottom)
    {
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_view_scroll_to_iter (self->log_view, &end, 0.0, FALSE, 0.0, 1.0);
    }
}

char *
exitbox_agent_row_dup_log (ExitboxAgentRow *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start;
  GtkTextIter end;

  g_return_val_if_fail (EXITBOX_IS_AGENT_ROW (self), NULL);

  buffer = gtk_text_view_get_buffer (self->log_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

gboolean
exitbox_agent_row_get_building (ExitboxAgentRow *self)
{
  g_return_val_if_fail (EXITBOX_IS_AGENT_ROW (self), FALSE);

  return self->building;
}

GtkWidget *
exitbox_agent_row_get_build_button (ExitboxAgentRow *self)
{
  g_return_val_if_fail (EXITBOX_IS_AGENT_ROW (self), NULL);

  return GTK_WIDGET (self->build_button);
}

GtkWidget *
exitbox_agent_row_get_enabled_switch (ExitboxAgentRow *self)
{
  g_return_val_if_fail (EXITBOX_IS_AGENT_ROW (self), NULL);

  return GTK_WIDGET (self->enabled_switch);
}

void
exitbox_agent_row_clear_image_state (ExitboxAgentRow *self,
                                     const char      *reason)
{
  g_return_if_fail (EXITBOX_IS_AGENT_ROW (self));

  self->image_state_known = FALSE;
  if (self->building)
    return;

  gtk_label_set_label (self->image_label, reason != NULL ? _("Image state unknown") : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->image_label), reason);
  gtk_widget_set_visible (GTK_WIDGET (self->image_label), reason != NULL);
  gtk_button_set_label (self->build_button, _("_Build"));
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

  if (!self->config_known)
    return NULL;

  return self->enabled ? _("Enabled") : _("Disabled");
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
