/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#define G_LOG_DOMAIN "exitbox-window"

#include <glib/gi18n.h>

#include "exitbox-session-tab.h"
#include "exitbox-window-private.h"

#define RESPONSE_CANCEL "cancel"
#define RESPONSE_STOP   "stop"

guint
exitbox_window_get_n_active_sessions (ExitboxWindow *self)
{
  guint n_active = 0;
  guint n_pages;

  g_return_val_if_fail (EXITBOX_IS_WINDOW (self), 0);

  /* The template's children are gone once the window is being disposed. */
  if (self->tab_view == NULL)
    return 0;

  n_pages = adw_tab_view_get_n_pages (self->tab_view);
  for (guint i = 0; i < n_pages; i++)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, i);

      if (exitbox_session_tab_get_active (EXITBOX_SESSION_TAB (adw_tab_page_get_child (page))))
        n_active++;
    }

  return n_active;
}

void
_exitbox_window_show_agents (ExitboxWindow *self)
{
  adw_view_stack_set_visible_child_name (self->main_stack, "agents");
}

/* The tab bar belongs to the sessions view. */
static void
exitbox_window_update_tab_bar (ExitboxWindow *self)
{
  gboolean sessions_shown;

  if (self->main_stack == NULL)
    return;

  sessions_shown = g_strcmp0 (adw_view_stack_get_visible_child_name (self->main_stack),
                              "sessions") == 0;
  gtk_widget_set_visible (GTK_WIDGET (self->tab_bar),
                          sessions_shown && adw_tab_view_get_n_pages (self->tab_view) > 0);
}

static void
exitbox_window_sessions_changed (ExitboxWindow *self)
{
  AdwTabPage *selected;
  guint n_pages;

  /* Tabs still report their last state while the window disposes them. */
  if (self->tab_view == NULL)
    return;

  n_pages = adw_tab_view_get_n_pages (self->tab_view);

  /* The view switcher offers Sessions only while there are tabs, and the
   * agent list stays reachable next to them.
   */
  adw_view_stack_page_set_visible (self->sessions_page, n_pages > 0);
  if (n_pages == 0)
    _exitbox_window_show_agents (self);
  /* libadwaita 1.2 chooses between the switcher and the title only when
   * the header is laid out again, so a new or removed page would show only
   * after a resize. With one view the title alone is right.
   */
  adw_view_switcher_title_set_view_switcher_enabled (self->window_title, n_pages > 0);
  gtk_widget_queue_resize (GTK_WIDGET (self->window_title));
  exitbox_window_update_tab_bar (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-session", n_pages > 0);
  exitbox_status_bar_set_n_sessions (self->status_bar, exitbox_window_get_n_active_sessions (self));

  selected = adw_tab_view_get_selected_page (self->tab_view);
  exitbox_status_bar_set_session_firewall_off (self->status_bar,
                                               selected != NULL &&
                                               exitbox_session_tab_get_firewall_off (EXITBOX_SESSION_TAB (adw_tab_page_get_child (selected))));
}

/* A session that finished preparing has built images and started the
 * firewall; one that ended may have stopped it. Both change what the agent
 * list and the status bar show.
 */
static void
exitbox_window_session_state_cb (ExitboxWindow     *self,
                                 GParamSpec        *pspec,
                                 ExitboxSessionTab *tab)
{
  exitbox_window_sessions_changed (self);

  if (!exitbox_session_tab_get_preparing (tab))
    _exitbox_window_queue_refresh (self);
}

static void
exitbox_window_page_attached_cb (ExitboxWindow *self,
                                 AdwTabPage    *page,
                                 int            position)
{
  ExitboxSessionTab *tab = EXITBOX_SESSION_TAB (adw_tab_page_get_child (page));

  g_object_bind_property (tab, "title", page, "title", G_BINDING_SYNC_CREATE);
  g_object_bind_property (tab, "preparing", page, "loading", G_BINDING_SYNC_CREATE);
  adw_tab_page_set_tooltip (page, exitbox_project_get_path (exitbox_session_tab_get_project (tab)));

  g_signal_connect_object (tab, "notify::active",
                           G_CALLBACK (exitbox_window_session_state_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tab, "notify::preparing",
                           G_CALLBACK (exitbox_window_session_state_cb),
                           self, G_CONNECT_SWAPPED);

  exitbox_window_sessions_changed (self);
  adw_view_stack_set_visible_child_name (self->main_stack, "sessions");
}

static void
exitbox_window_page_detached_cb (ExitboxWindow *self,
                                 AdwTabPage    *page,
                                 int            position)
{
  ExitboxSessionTab *tab = EXITBOX_SESSION_TAB (adw_tab_page_get_child (page));

  g_signal_handlers_disconnect_by_data (tab, self);
  exitbox_window_sessions_changed (self);
}

static void
exitbox_window_close_page_response_cb (AdwMessageDialog *dialog,
                                       const char       *response,
                                       AdwTabPage       *page)
{
  ExitboxWindow *self = EXITBOX_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  gboolean stop = g_str_equal (response, RESPONSE_STOP);

  /* Stop the session of the page this dialog was opened for now. Waiting
   * for the tab's dispose is not enough, because something may keep the
   * closed tab alive.
   */
  if (stop)
    exitbox_session_tab_stop (EXITBOX_SESSION_TAB (adw_tab_page_get_child (page)));

  adw_tab_view_close_page_finish (self->tab_view, page, stop);
}

static gboolean
exitbox_window_close_page_cb (ExitboxWindow *self,
                              AdwTabPage    *page)
{
  ExitboxSessionTab *tab = EXITBOX_SESSION_TAB (adw_tab_page_get_child (page));
  AdwMessageDialog *dialog;

  if (!exitbox_session_tab_get_active (tab))
    {
      adw_tab_view_close_page_finish (self->tab_view, page, TRUE);
      return GDK_EVENT_STOP;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Stop This Session?"),
                                                       NULL));
  adw_message_dialog_format_body (dialog,
                                  _("“%s” is still running. Closing the tab stops it."),
                                  exitbox_session_tab_get_title (tab));
  adw_message_dialog_add_responses (dialog,
                                    RESPONSE_CANCEL, _("_Cancel"),
                                    RESPONSE_STOP, _("_Stop and Close"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, RESPONSE_STOP, ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, RESPONSE_CANCEL);
  adw_message_dialog_set_close_response (dialog, RESPONSE_CANCEL);

  g_signal_connect_data (dialog, "response",
                         G_CALLBACK (exitbox_window_close_page_response_cb),
                         g_object_ref (page), (GClosureNotify) g_object_unref,
                         G_CONNECT_DEFAULT);
  gtk_window_present (GTK_WINDOW (dialog));

  return GDK_EVENT_STOP;
}

guint
exitbox_window_stop_sessions (ExitboxWindow *self)
{
  guint n_active;

  g_return_val_if_fail (EXITBOX_IS_WINDOW (self), 0);

  if (self->tab_view == NULL)
    return 0;

  /* Disposing the tabs stops them too, unless something keeps a tab alive. */
  n_active = exitbox_window_get_n_active_sessions (self);
  for (guint i = adw_tab_view_get_n_pages (self->tab_view); i > 0; i--)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, (int) i - 1);

      exitbox_session_tab_stop (EXITBOX_SESSION_TAB (adw_tab_page_get_child (page)));
    }

  return n_active;
}

static void
exitbox_window_close_response_cb (ExitboxWindow    *self,
                                  const char       *response,
                                  AdwMessageDialog *dialog)
{
  if (!g_str_equal (response, RESPONSE_STOP))
    {
      self->quit_requested = FALSE;
      return;
    }

  exitbox_window_stop_sessions (self);
  self->close_confirmed = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
exitbox_window_close_request (GtkWindow *window)
{
  ExitboxWindow *self = EXITBOX_WINDOW (window);
  guint n_active = exitbox_window_get_n_active_sessions (self);
  AdwMessageDialog *dialog;

  if (n_active == 0 || self->close_confirmed)
    return GTK_WINDOW_CLASS (g_type_class_peek (ADW_TYPE_APPLICATION_WINDOW))->close_request (window);

  /* With a tray icon on screen the sessions keep running in the hidden
   * window, which the tray shows again.
   */
  if (!self->quit_requested && self->app != NULL &&
      exitbox_application_get_tray_shown (self->app))
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return TRUE;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window,
                                                       _("Stop Running Sessions?"),
                                                       NULL));
  adw_message_dialog_format_body (dialog,
                                  g_dngettext (GETTEXT_PACKAGE,
                                               "%u session is still running. Closing the "
                                               "window stops it.",
                                               "%u sessions are still running. Closing the "
                                               "window stops them.",
                                               n_active),
                                  n_active);
  adw_message_dialog_add_responses (dialog,
                                    RESPONSE_CANCEL, _("_Cancel"),
                                    RESPONSE_STOP, _("_Stop and Close"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, RESPONSE_STOP, ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, RESPONSE_CANCEL);
  adw_message_dialog_set_close_response (dialog, RESPONSE_CANCEL);

  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (exitbox_window_close_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

void
_exitbox_window_close_for_quit (ExitboxWindow *self)
{
  self->quit_requested = TRUE;

  if (!gtk_widget_get_visible (GTK_WIDGET (self)))
    gtk_window_present (GTK_WINDOW (self));

  gtk_window_close (GTK_WINDOW (self));
}

gboolean
exitbox_window_launch (ExitboxWindow  *self,
                       const char     *id,
                       GError        **error)
{
  const char *agent_id = NULL;
  const GError *config_error;
  g_autoptr(GError) launch_error = NULL;
  g_autofree char *blocker = NULL;
  g_autoptr(ExitboxLauncher) launcher = NULL;
  GtkWidget *tab;
  AdwTabPage *page;

  g_return_val_if_fail (EXITBOX_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* "" and "shell" both open a shell in the sandbox. */
  if (*id != '\0' && !g_str_equal (id, "shell"))
    {
      if (exitbox_agent_lookup (id) == NULL)
        {
          g_set_error (&launch_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Unknown agent “%s”."), id);
          _exitbox_window_show_toast (self, launch_error->message);
          g_propagate_error (error, g_steal_pointer (&launch_error));
          return FALSE;
        }
      agent_id = id;
    }

  /* Launch with the files as they are now, not as they were at start-up. */
  exitbox_application_reload (self->app);

  /* The agent list shows the same error in its problem rows. */
  config_error = exitbox_application_get_config_error (self->app);
  blocker = _exitbox_window_dup_blocker (self);
  if (blocker != NULL)
    {
      if (config_error != NULL && exitbox_application_get_engine (self->app) != NULL)
        g_set_error (&launch_error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _("Nothing was started: %s"), config_error->message);
      else
        g_set_error (&launch_error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _("Nothing was started: %s"), blocker);
      _exitbox_window_show_agents (self);
      _exitbox_window_show_toast (self, launch_error->message);
      g_propagate_error (error, g_steal_pointer (&launch_error));
      return FALSE;
    }

  /* A launcher per session keeps each build's progress in its own tab. */
  launcher = exitbox_launcher_new (exitbox_application_get_engine (self->app),
                                   exitbox_application_get_config (self->app),
                                   exitbox_application_get_allowlist (self->app));
  tab = exitbox_session_tab_new (launcher, self->project, agent_id);

  page = adw_tab_view_append (self->tab_view, tab);
  adw_tab_view_set_selected_page (self->tab_view, page);

  exitbox_session_tab_start (EXITBOX_SESSION_TAB (tab));

  return TRUE;
}

static void
exitbox_window_launch_agent_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  g_autoptr(GError) error = NULL;

  /* The window shows why a launch failed. */
  exitbox_window_launch (EXITBOX_WINDOW (widget), g_variant_get_string (parameter, NULL), &error);
}

static void
exitbox_window_close_session_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  ExitboxWindow *self = EXITBOX_WINDOW (widget);
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);

  if (page != NULL)
    adw_tab_view_close_page (self->tab_view, page);
}

void
_exitbox_window_class_init_sessions (ExitboxWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  window_class->close_request = exitbox_window_close_request;

  g_type_ensure (EXITBOX_TYPE_SESSION_TAB);

  gtk_widget_class_install_action (widget_class, "win.launch-agent", "s",
                                   exitbox_window_launch_agent_action);
  gtk_widget_class_install_action (widget_class, "win.close-session", NULL,
                                   exitbox_window_close_session_action);
}

void
_exitbox_window_init_sessions (ExitboxWindow *self)
{
  g_signal_connect_object (self->tab_view, "close-page",
                           G_CALLBACK (exitbox_window_close_page_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tab_view, "page-attached",
                           G_CALLBACK (exitbox_window_page_attached_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tab_view, "page-detached",
                           G_CALLBACK (exitbox_window_page_detached_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tab_view, "notify::selected-page",
                           G_CALLBACK (exitbox_window_sessions_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->main_stack, "notify::visible-child-name",
                           G_CALLBACK (exitbox_window_update_tab_bar),
                           self, G_CONNECT_SWAPPED);

  exitbox_window_sessions_changed (self);
}
