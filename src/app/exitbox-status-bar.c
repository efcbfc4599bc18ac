/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#define G_LOG_DOMAIN "exitbox-status-bar"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "exitbox-application.h"
#include "exitbox-status-bar.h"

struct _ExitboxStatusBar
{
  GtkWidget   parent_instance;

  GtkImage   *engine_icon;
  GtkLabel   *engine_label;
  GtkWidget  *firewall_box;
  GtkImage   *firewall_icon;
  GtkLabel   *firewall_label;
  GtkWidget  *allowlist_button;
  GtkLabel   *allowlist_label;
  GtkLabel   *sessions_label;
  GtkWidget  *problems_button;
  GtkLabel   *problems_label;
  GtkWidget  *problems_popover;
  GtkListBox *problems_list;

  /* The proxy's state as last reported, shown unless the selected session
   * runs without the firewall.
   */
  const char *firewall_text;
  const char *firewall_tone;
  const char *firewall_icon_name;
  char       *firewall_reason;
  gboolean    firewall_shown;
  gboolean    session_firewall_off;
};

G_DEFINE_FINAL_TYPE (ExitboxStatusBar, exitbox_status_bar, GTK_TYPE_WIDGET)

static const char * const tone_classes[] = { "success", "warning", "error" };

/* Sets one of the tone classes above on @widget, or none when @tone is NULL. */
static void
set_tone (GtkWidget  *widget,
          const char *tone)
{
  for (guint i = 0; i < G_N_ELEMENTS (tone_classes); i++)
    gtk_widget_remove_css_class (widget, tone_classes[i]);

  if (tone != NULL)
    gtk_widget_add_css_class (widget, tone);
}

static void
exitbox_status_bar_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), EXITBOX_TYPE_STATUS_BAR);

  /* The template's outer box has no id, so the template does not drop it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (exitbox_status_bar_parent_class)->dispose (object);
}

static void
exitbox_status_bar_finalize (GObject *object)
{
  ExitboxStatusBar *self = EXITBOX_STATUS_BAR (object);

  g_free (self->firewall_reason);

  G_OBJECT_CLASS (exitbox_status_bar_parent_class)->finalize (object);
}

static void
exitbox_status_bar_class_init (ExitboxStatusBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = exitbox_status_bar_dispose;
  object_class->finalize = exitbox_status_bar_finalize;

  exitbox_desktop_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/exitbox/ExitBox/ui/exitbox-status-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, ExitboxStatusBar, engine_icon);
  gtk_widget_class_bind_template_child (widget_class, ExitboxStatusBar, engine_label);
  gtk_widget_class_bind_template_child (widget_class, ExitboxStatusBar, firewall_box);
  gtk_widget_class_bind_template_child (widget_class, ExitboxStatusBar, firewall_icon);
  gtk_widget_class_bind_template_child (widget_class, ExitboxStatusBar, firewall_label);
  gtk_widget_class_bind_template_child (widget_class, ExitboxStatusBar, allowlist_button);
  gtk_widget_class_bind_template_child (widget_class, ExitboxStatusBar, allowlist_label);
  gtk_widget_class_bind_template_child (widget_class, ExitboxStatusBar, sessions_label);
  gtk_widget_class_bind_template_child (widget_class, ExitboxStatusBar, problems_button);
  gtk_widget_class_bind_template_child (widget_class, ExitboxStatusBar, problems_label);
  gtk_widget_class_bind_template_child (widget_class, ExitboxStatusBar, problems_popover);
  gtk_widget_class_bind_template_child (widget_class, ExitboxStatusBar, problems_list);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "statusbar");
}

static void
exitbox_status_bar_init (ExitboxStatusBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->firewall_icon_name = "security-medium-symbolic";
  exitbox_status_bar_set_n_sessions (self, 0);
}

GtkWidget *
exitbox_status_bar_new (void)
{
  return g_object_new (EXITBOX_TYPE_STATUS_BAR, NULL);
}

void
exitbox_status_bar_set_engine (ExitboxStatusBar *self,
                               ExitboxEngine    *engine,
                               const char       *version)
{
  g_autofree char *description = NULL;

  g_return_if_fail (EXITBOX_IS_STATUS_BAR (self));
  g_return_if_fail (engine == NULL || EXITBOX_IS_ENGINE (engine));

  if (engine == NULL)
    {
      gtk_label_set_label (self->engine_label, _("No container engine"));
      gtk_image_set_from_icon_name (self->engine_icon, "dialog-error-symbolic");
      set_tone (GTK_WIDGET (self->engine_label), "error");
      return;
    }

  description = exitbox_engine_dup_description (engine, version);
  gtk_label_set_label (self->engine_label, description);
  gtk_image_set_from_icon_name (self->engine_icon, "network-server-symbolic");
  set_tone (GTK_WIDGET (self->engine_label), NULL);
}

/* Shows the selected session's firewall when it is off, else the proxy's
 * state as last reported.
 */
static void
update_firewall (ExitboxStatusBar *self)
{
  if (self->session_firewall_off)
    {
      gtk_label_set_label (self->firewall_label, _("Firewall off for this session"));
      gtk_image_set_from_icon_name (self->firewall_icon, "security-low-symbolic");
      set_tone (self->firewall_box, "error");
      gtk_widget_set_tooltip_text (self->firewall_box,
                                   _("This session runs on a plain bridge network without the "
                                     "proxy, so the allowlist does not apply to it."));
      gtk_widget_set_visible (self->firewall_box, TRUE);
      return;
    }

  if (self->firewall_text != NULL)
    gtk_label_set_label (self->firewall_label, self->firewall_text);
  gtk_image_set_from_icon_name (self->firewall_icon, self->firewall_icon_name);
  set_tone (self->firewall_box, self->firewall_tone);
  gtk_widget_set_tooltip_text (self->firewall_box, self->firewall_reason);
  gtk_widget_set_visible (self->firewall_box, self->firewall_shown);
}

void
exitbox_status_bar_set_firewall_state (ExitboxStatusBar     *self,
                                       ExitboxFirewallState  state)
{
  g_return_if_fail (EXITBOX_IS_STATUS_BAR (self));

  switch (state)
    {
    case EXITBOX_FIREWALL_STATE_RUNNING:
      self->firewall_text = _("Firewall running");
      self->firewall_tone = "success";
      self->firewall_icon_name = "security-high-symbolic";
      break;

    case EXITBOX_FIREWALL_STATE_STOPPED:
      /* Stopped is the normal idle state: the next launch starts the proxy. */
      self->firewall_text = _("Firewall stopped");
      self->firewall_tone = NULL;
      self->firewall_icon_name = "security-medium-symbolic";
      break;

    case EXITBOX_FIREWALL_STATE_ERROR:
      self->firewall_text = _("Firewall error");
      self->firewall_tone = "error";
      self->firewall_icon_name = "security-low-symbolic";
      break;

    default:
      g_assert_not_reached ();
    }

  g_clear_pointer (&self->firewall_reason, g_free);
  self->firewall_shown = TRUE;
  update_firewall (self);
}

void
exitbox_status_bar_set_firewall_unknown (ExitboxStatusBar *self,
                                         const char       *reason)
{
  g_return_if_fail (EXITBOX_IS_STATUS_BAR (self));

  self->firewall_text = _("Firewall state unknown");
  self->firewall_tone = reason != NULL ? "warning" : NULL;
  self->firewall_icon_name = "security-medium-symbolic";
  g_free (self->firewall_reason);
  self->firewall_reason = g_strdup (reason);
  self->firewall_shown = reason != NULL;
  update_firewall (self);
}

void
exitbox_status_bar_set_session_firewall_off (ExitboxStatusBar *self,
                                             gboolean          off)
{
  g_return_if_fail (EXITBOX_IS_STATUS_BAR (self));

  if (self->session_firewall_off == !!off)
    return;

  self->session_firewall_off = !!off;
  update_firewall (self);
}

void
exitbox_status_bar_set_allowlist (ExitboxStatusBar *self,
                                  ExitboxAllowlist *allowlist)
{
  g_autofree char *text = NULL;
  ExitboxAllowlistStatus status;
  guint n_entries;

  g_return_if_fail (EXITBOX_IS_STATUS_BAR (self));
  g_return_if_fail (EXITBOX_IS_ALLOWLIST (allowlist));

  /* The problem names the file's full path, which would not fit in the
   * bar, so the bar shows the kind of problem and the tooltip the whole
   * message.
   */
  status = exitbox_allowlist_get_status (allowlist);
  if (status != EXITBOX_ALLOWLIST_STATUS_OK)
    {
      const char *summary;

      if (status == EXITBOX_ALLOWLIST_STATUS_MISSING)
        summary = _("Allowlist missing");
      else if (status == EXITBOX_ALLOWLIST_STATUS_EMPTY)
        summary = _("Allowlist is empty");
      else
        summary = _("Allowlist has an error");

      gtk_label_set_label (self->allowlist_label, summary);
      gtk_widget_set_tooltip_text (self->allowlist_button,
                                   exitbox_allowlist_get_problem (allowlist));
      set_tone (GTK_WIDGET (self->allowlist_label), "warning");
      return;
    }

  n_entries = exitbox_allowlist_get_n_entries (allowlist);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u allowed domain",
                                       "%u allowed domains",
                                       n_entries),
                          n_entries);
  gtk_label_set_label (self->allowlist_label, text);
  gtk_widget_set_tooltip_text (self->allowlist_button, _("Edit the Allowed Domains"));
  set_tone (GTK_WIDGET (self->allowlist_label), NULL);
}

void
exitbox_status_bar_set_n_sessions (ExitboxStatusBar *self,
                                   guint             n_sessions)
{
  g_autofree char *text = NULL;

  g_return_if_fail (EXITBOX_IS_STATUS_BAR (self));

  if (n_sessions == 0)
    text = g_strdup (_("No running sessions"));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u running session",
                                         "%u running sessions",
                                         n_sessions),
                            n_sessions);

  gtk_label_set_label (self->sessions_label, text);
}

static GtkWidget *
create_problem_row (ExitboxStatusBar     *self,
                    ExitboxDoctorProblem *problem)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = g_markup_escape_text (problem->summary, -1);
  g_autofree char *subtitle = NULL;
  g_autofree char *fix = NULL;

  /* Translators: the cause of a problem, then what fixes it. */
  fix = g_strdup_printf (_("%s\nFix: %s"), problem->explanation, problem->fix);
  subtitle = g_markup_escape_text (fix, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_icon_name (ADW_ACTION_ROW (row), "dialog-warning-symbolic");

  if (problem->fixable)
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Fix"));
      g_autofree char *label = g_strdup_printf (_("Fix: %s"), problem->summary);

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "suggested-action");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.fix-engine-problem");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", problem->id);
      gtk_widget_set_tooltip_text (button, _("Change the engine’s configuration as described"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
      /* The popover closes, so the status bar's answer is seen. */
      g_signal_connect_swapped (button, "clicked", G_CALLBACK (gtk_popover_popdown),
                                self->problems_popover);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }

  return row;
}

void
exitbox_status_bar_set_engine_problems (ExitboxStatusBar *self,
                                        GPtrArray        *problems)
{
  GtkWidget *child;
  g_autofree char *text = NULL;
  guint n_problems = problems != NULL ? problems->len : 0;

  g_return_if_fail (EXITBOX_IS_STATUS_BAR (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->problems_list))) != NULL)
    gtk_list_box_remove (self->problems_list, child);

  if (n_problems == 0)
    {
      gtk_popover_popdown (GTK_POPOVER (self->problems_popover));
      gtk_widget_set_visible (self->problems_button, FALSE);
      return;
    }

  for (guint i = 0; i < n_problems; i++)
    gtk_list_box_append (self->problems_list,
                         create_problem_row (self, g_ptr_array_index (problems, i)));

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u engine problem",
                                       "%u engine problems",
                                       n_problems),
                          n_problems);
  gtk_label_set_label (self->problems_label, text);
  gtk_widget_set_visible (self->problems_button, TRUE);
}

const char *
exitbox_status_bar_get_problems_text (ExitboxStatusBar *self)
{
  g_return_val_if_fail (EXITBOX_IS_STATUS_BAR (self), NULL);

  if (!gtk_widget_get_visible (self->problems_button))
    return NULL;

  return gtk_label_get_label (self->problems_label);
}

GtkWidget *
exitbox_status_bar_get_problems_list (ExitboxStatusBar *self)
{
  g_return_val_if_fail (EXITBOX_IS_STATUS_BAR (self), NULL);

  return GTK_WIDGET (self->problems_list);
}

const char *
exitbox_status_bar_get_engine_text (ExitboxStatusBar *self)
{
  g_return_val_if_fail (EXITBOX_IS_STATUS_BAR (self), NULL);

  return gtk_label_get_label (self->engine_label);
}

const char *
exitbox_status_bar_get_firewall_text (ExitboxStatusBar *self)
{
  g_return_val_if_fail (EXITBOX_IS_STATUS_BAR (self), NULL);

  if (!gtk_widget_get_visible (self->firewall_box))
    return NULL;

  return gtk_label_get_label (self->firewall_label);
}

const char *
exitbox_status_bar_get_allowlist_text (ExitboxStatusBar *self)
{
  g_return_val_if_fail (EXITBOX_IS_STATUS_BAR (self), NULL);

  return gtk_label_get_label (self->allowlist_label);
}

GtkWidget *
exitbox_status_bar_get_allowlist_button (ExitboxStatusBar *self)
{
  g_return_val_if_fail (EXITBOX_IS_STATUS_BAR (self), NULL);

  return self->allowlist_button;
}

const char *
exitbox_status_bar_get_sessions_text (ExitboxStatusBar *self)
{
  g_return_val_if_fail (EXITBOX_IS_STATUS_BAR (self), NULL);

  return gtk_label_get_label (self->sessions_label);
}
