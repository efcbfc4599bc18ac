/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#define G_LOG_DOMAIN "exitbox-application"

#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "exitbox-allow-prompter.h"
#include "exitbox-allowlist-editor.h"
#include "exitbox-application.h"
#include "exitbox-desktop-resources.h"
#include "exitbox-settings-page.h"
#include "exitbox-setup-window.h"
#ifdef HAVE_DBUSMENU
#include "exitbox-tray.h"
#endif
#include "exitbox-window-private.h"
#include "exitbox-window.h"

#define RESOURCE_BASE_PATH "/io/github/exitbox/ExitBox"
#define HOMEPAGE_URL       "https://github.com/exitbox/exitbox"
#define ISSUES_URL         "https://github.com/exitbox/exitbox/issues"

/* Editors and exitbox_config_set_agent_enabled_in_file() save in several
 * steps (write a temporary file, rename it), and a user may save many times
 * in a row, so the reload waits until the folder has been quiet this long.
 */
#define RELOAD_DELAY_MS    250

struct _ExitboxApplication
{
  AdwApplication    parent_instance;

  char             *config_dir;
  gboolean          first_run;  /* neither file existed at startup */
  gboolean          wrote_defaults;
  GError           *setup_error;

  ExitboxConfig    *config;
  GError           *config_error;
  ExitboxAllowlist *allowlist;
  ExitboxEngine    *engine;
  GError           *engine_error;
  ExitboxLauncher  *launcher;
  ExitboxTray      *tray;

  /* The shared lock that keeps the idle proxy up while the app runs. */
  int               proxy_hold_fd;

  GFileMonitor     *config_monitor;
  ExitboxProxyLog  *proxy_log;
  ExitboxAllowPrompter *allow_prompter;
  guint             notification_watches[2];
  gboolean          notification_services[2];  /* whether each watched name has an owner */
  guint             reload_source;
  guint             signal_sources[3];
  guint             signal_quit_source;
  gboolean          config_dir_changed;
  gboolean          config_file_changed;
  gboolean          allowlist_file_changed;
};

G_DEFINE_FINAL_TYPE (ExitboxApplication, exitbox_application, ADW_TYPE_APPLICATION)

enum {
  RELOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
exitbox_desktop_ensure_resources (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      exitbox_desktop_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}

static ExitboxWindow *
exitbox_application_ensure_window (ExitboxApplication *self)
{
  GList *windows;

  for (windows = gtk_application_get_windows (GTK_APPLICATION (self));
       windows != NULL;
       windows = windows->next)
    {
      if (EXITBOX_IS_WINDOW (windows->data))
        return windows->data;
    }

  return exitbox_window_new (self);
}

static void
exitbox_application_load_config (ExitboxApplication *self)
{
  g_autofree char *path = g_build_filename (self->config_dir, "config.yaml", NULL);
  g_autoptr(GError) error = NULL;
  ExitboxConfig *config;

  g_clear_error (&self->config_error);

  config = exitbox_config_load_file (path, &error);
  if (config != NULL)
    {
      g_clear_object (&self->config);
      self->config = config;
      return;
    }

  /* A config.yaml that does not exist means "all defaults", as in the CLI.
   * Any other failure (a YAML error, a wrong value) keeps the launcher off,
   * because launching with settings the user did not write would be wrong.
   */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_clear_object (&self->config);
      self->config = exitbox_config_new_default ();
      return;
    }

  /* The last settings that loaded stay for display, and the error blocks
   * launches until the file is fixed.
   */

  g_message ("Failed to load %s: %s", path, error->message);
  self->config_error = g_steal_pointer (&error);
}

static void
exitbox_application_load_allowlist (ExitboxApplication *self)
{
  g_autofree char *path = g_build_filename (self->config_dir, "allowlist.yaml", NULL);

  g_clear_object (&self->allowlist);
  self->allowlist = exitbox_allowlist_load_file (path);

  if (exitbox_allowlist_get_status (self->allowlist) != EXITBOX_ALLOWLIST_STATUS_OK &&
      !self->first_run)
    g_message ("The allowlist blocks every destination: %s",
               exitbox_allowlist_get_problem (self->allowlist));
}

static void
exitbox_application_detect_engine (ExitboxApplication *self)
{
  g_autoptr(GError) error = NULL;
  const char *setting = NULL;

  g_clear_object (&self->engine);
  g_clear_error (&self->engine_error);

  if (self->config != NULL)
    setting = exitbox_config_runtime_to_string (exitbox_config_get_runtime (self->config));

  self->engine = exitbox_engine_detect_with_setting (setting, &error);
  if (self->engine == NULL)
    {
      g_message ("No container engine: %s", error->message);
      self->engine_error = g_steal_pointer (&error);
    }
}

void
exitbox_application_reload (ExitboxApplication *self)
{
  g_return_if_fail (EXITBOX_IS_APPLICATION (self));

  exitbox_application_load_config (self);
  exitbox_application_load_allowlist (self);
  exitbox_application_detect_engine (self);

  g_clear_object (&self->launcher);
  if (self->engine != NULL && self->config != NULL)
    self->launcher = exitbox_launcher_new (self->engine, self->config, self->allowlist);

  g_signal_emit (self, signals[RELOADED], 0);
}

static void
exitbox_application_reload_rules_cb (GObject      *source,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  g_autoptr(ExitboxApplication) self = user_data;
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GError) error = NULL;

  if (exitbox_firewall_reload_rules_finish (EXITBOX_FIREWALL (source), result, &error))
    return;

  g_message ("The running proxy keeps its rules: %s", error->message);
  notification = g_notification_new (_("Allowlist Not Applied"));
  g_notification_set_body (notification, error->message);
  g_application_send_notification (G_APPLICATION (self), "allowlist-not-applied", notification);
}

static gboolean
exitbox_application_reload_timeout_cb (gpointer user_data)
{
  ExitboxApplication *self = user_data;
  gboolean allowlist_changed = self->allowlist_file_changed || self->config_dir_changed;

  self->reload_source = 0;

  if (self->config_dir_changed)
    g_debug ("Reloading the settings after %s was created or removed", self->config_dir);
  else
    g_debug ("Reloading the settings after a change to %s%s%s",
             self->config_file_changed ? "config.yaml" : "",
             self->config_file_changed && self->allowlist_file_changed ? " and " : "",
             self->allowlist_file_changed ? "allowlist.yaml" : "");
  self->config_dir_changed = FALSE;
  self->config_file_changed = FALSE;
  self->allowlist_file_changed = FALSE;

  exitbox_application_reload (self);

  /* Running sessions follow an allowlist change at once, whether the
   * editor, Always Allow, the command line or a text editor made it.
   */
  if (allowlist_changed && self->launcher != NULL)
    exitbox_firewall_reload_rules_async (exitbox_launcher_get_firewall (self->launcher), NULL,
                                         exitbox_application_reload_rules_cb,
                                         g_object_ref (self));

  return G_SOURCE_REMOVE;
}

/* Sets the changed flag for @file and returns TRUE when @file is the config
 * folder itself or config.yaml or allowlist.yaml in it.
 */
static gboolean
exitbox_application_note_settings_file (ExitboxApplication *self,
                                        GFile              *file)
{
  g_autofree char *name = NULL;

  if (file == NULL)
    return FALSE;

  /* GLib reports the creation of a folder that was missing at startup, but
   * not the files written into it before it noticed, so reload for them.
   */
  if (g_strcmp0 (g_file_peek_path (file), self->config_dir) == 0)
    {
      self->config_dir_changed = TRUE;
      return TRUE;
    }

  name = g_file_get_basename (file);
  if (g_strcmp0 (name, "config.yaml") == 0)
    {
      self->config_file_changed = TRUE;
      return TRUE;
    }
  if (g_strcmp0 (name, "allowlist.yaml") == 0)
    {
      self->allowlist_file_changed = TRUE;
      return TRUE;
    }

  return FALSE;
}

static void
exitbox_application_config_dir_changed_cb (GFileMonitor      *monitor,
                                           GFile             *file,
                                           GFile             *other_file,
                                           GFileMonitorEvent  event,
                                           gpointer           user_data)
{
  ExitboxApplication *self = user_data;
  gboolean relevant;

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
    case G_FILE_MONITOR_EVENT_RENAMED:
      break;

    default:
      return;
    }

  /* An atomic save arrives as RENAMED from a temporary name to the
   * settings file, so both names count.
   */
  relevant = exitbox_application_note_settings_file (self, file);
  if (exitbox_application_note_settings_file (self, other_file))
    relevant = TRUE;
  if (!relevant)
    return;

  g_clear_handle_id (&self->reload_source, g_source_remove);
  self->reload_source = g_timeout_add (RELOAD_DELAY_MS,
                                       exitbox_application_reload_timeout_cb,
                                       self);
}

/* Watches the folder rather than the two files, because an atomic save
 * replaces the file with a new inode that a file monitor would not follow.
 */
static void
exitbox_application_watch_config_dir (ExitboxApplication *self)
{
  g_autoptr(GFile) dir = g_file_new_for_path (self->config_dir);
  g_autoptr(GError) error = NULL;

  /* NOTE: this creates no folder. For a missing folder, GLib 2.74's inotify
   * backend checks every 4 s and then reports its creation. Other GIO
   * backends may report nothing until the next start or Reload Settings.
   */
  self->config_monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES,
                                                   NULL, &error);
  if (self->config_monitor == NULL)
    {
      g_warning ("Failed to watch %s for changes, so edits show only after "
                 "Reload Settings: %s", self->config_dir, error->message);
      return;
    }

  g_signal_connect (self->config_monitor, "changed",
                    G_CALLBACK (exitbox_application_config_dir_changed_cb), self);
}

static void
exitbox_application_unwatch_config_dir (ExitboxApplication *self)
{
  if (self->config_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->config_monitor, self);
      g_file_monitor_cancel (self->config_monitor);
      g_clear_object (&self->config_monitor);
    }

  g_clear_handle_id (&self->reload_source, g_source_remove);
}

static void
exitbox_application_quit_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  ExitboxApplication *self = user_data;
  GList *windows;

  /* Closing each window lets it ask before it stops running sessions. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  if (windows == NULL)
    g_application_quit (G_APPLICATION (self));

  for (const GList *l = windows; l != NULL; l = l->next)
    {
      /* A main window hidden into the tray confirms too, instead of hiding. */
      if (EXITBOX_IS_WINDOW (l->data))
        _exitbox_window_close_for_quit (l->data);
      else
        gtk_window_close (GTK_WINDOW (l->data));
    }
  g_list_free (windows);
}

static void
exitbox_application_about_action (GSimpleAction *action,
                                  GVariant      *parameter,
                                  gpointer       user_data)
{
  ExitboxApplication *self = user_data;
  static const char *developers[] = { "The ExitBox authors", NULL };
  GtkWindow *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", _("ExitBox"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The ExitBox authors"),
                        "developers", developers,
                        "comments", _("Run AI coding agents in containers that can reach only "
                                      "the domains on your allowlist."),
                        "website", HOMEPAGE_URL,
                        "issue-url", ISSUES_URL,
                        "copyright", _("© The ExitBox authors"),
                        "license-type", GTK_LICENSE_AGPL_3_0,
                        NULL);
  gtk_window_present (about);
}

static void
exitbox_application_open_project_action (GSimpleAction *action,
                                         GVariant      *parameter,
                                         gpointer       user_data)
{
  ExitboxApplication *self = user_data;
  ExitboxWindow *window;

  window = exitbox_application_ensure_window (self);
  exitbox_window_open_project (window, g_variant_get_string (parameter, NULL));
  gtk_window_present (GTK_WINDOW (window));
}

static void
exitbox_application_reload_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  exitbox_application_reload (EXITBOX_APPLICATION (user_data));
}

/* Writes the default files after the first-run setup was closed without
 * saving, as the command line does.
 */
static void
exitbox_application_setup_cancelled_cb (ExitboxApplication *self)
{
  g_autoptr(GError) error = NULL;
  ExitboxWindow *window;
  g_autofree char *message = NULL;

  if (!self->first_run)
    return;

  self->first_run = FALSE;
  if (!exitbox_config_ensure_defaults (self->config_dir, &self->wrote_defaults, &error))
    {
      g_warning ("Failed to write the default settings to %s: %s",
                 self->config_dir, error->message);
      g_clear_error (&self->setup_error);
      self->setup_error = g_steal_pointer (&error);
    }

  exitbox_application_reload (self);

  window = exitbox_application_ensure_window (self);
  if (self->wrote_defaults)
    {
      message = g_strdup_printf (_("Default settings were written to %s"), self->config_dir);
      _exitbox_window_show_toast (window, message);
    }
}

static void
exitbox_application_setup_saved_cb (ExitboxApplication *self)
{
  self->first_run = FALSE;

  /* The folder monitor would notice too, 250 ms later. */
  exitbox_application_reload (self);
}

/* Shows the setup window, or brings an open one to the front. */
static void
exitbox_application_show_setup (ExitboxApplication *self)
{
  ExitboxWindow *window = exitbox_application_ensure_window (self);
  ExitboxSetupWindow *setup;

  for (GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));
       windows != NULL;
       windows = windows->next)
    {
      if (EXITBOX_IS_SETUP_WINDOW (windows->data))
        {
          gtk_window_present (windows->data);
          return;
        }
    }

  setup = exitbox_setup_window_new (self, GTK_WINDOW (window));
  g_signal_connect_object (setup, "saved", G_CALLBACK (exitbox_application_setup_saved_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (setup, "cancelled",
                           G_CALLBACK (exitbox_application_setup_cancelled_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (setup));
}

static void
exitbox_application_setup_action (GSimpleAction *action,
                                  GVariant      *parameter,
                                  gpointer       user_data)
{
  exitbox_application_show_setup (EXITBOX_APPLICATION (user_data));
}

/* Shows a page's one-line confirmation. The pages show errors and longer
 * messages themselves, because a toast title is a single ellipsized line.
 */
static void
exitbox_application_editor_message_cb (GtkWidget              *page,
                                       const char             *text,
                                       AdwPreferencesWindow   *window)
{
  adw_preferences_window_add_toast (window, adw_toast_new (text));
}

static void
exitbox_application_settings_reloaded_cb (ExitboxApplication  *self,
                                          ExitboxSettingsPage *settings)
{
  exitbox_settings_page_set_config (settings, self->config);
}

/* Shows the preferences window at @page_name: the "general" page edits the
 * settings of config.yaml and the "firewall" page edits allowlist.yaml.
 */
static void
exitbox_application_show_preferences (ExitboxApplication *self,
                                      const char         *page_name)
{
  ExitboxWindow *window = exitbox_application_ensure_window (self);
  g_autofree char *allowlist_path = g_build_filename (self->config_dir, "allowlist.yaml", NULL);
  g_autofree char *config_path = g_build_filename (self->config_dir, "config.yaml", NULL);
  ExitboxSettingsPage *settings;
  ExitboxAllowlistEditor *editor;
  GtkWidget *preferences;

  for (GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));
       windows != NULL;
       windows = windows->next)
    {
      if (ADW_IS_PREFERENCES_WINDOW (windows->data))
        {
          adw_preferences_window_set_visible_page_name (windows->data, page_name);
          gtk_window_present (windows->data);
          return;
        }
    }

  preferences = adw_preferences_window_new ();
  gtk_window_set_application (GTK_WINDOW (preferences), GTK_APPLICATION (self));
  gtk_window_set_transient_for (GTK_WINDOW (preferences), GTK_WINDOW (window));
  gtk_window_set_modal (GTK_WINDOW (preferences), TRUE);
  adw_preferences_window_set_search_enabled (ADW_PREFERENCES_WINDOW (preferences), FALSE);

  settings = exitbox_settings_page_new (config_path, self->config);
  g_signal_connect_object (settings, "message", G_CALLBACK (exitbox_application_editor_message_cb),
                           preferences, 0);
  g_signal_connect_object (self, "reloaded", G_CALLBACK (exitbox_application_settings_reloaded_cb),
                           settings, 0);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (preferences), ADW_PREFERENCES_PAGE (settings));

  editor = exitbox_allowlist_editor_new (allowlist_path);
  g_signal_connect_object (editor, "message", G_CALLBACK (exitbox_application_editor_message_cb),
                           preferences, 0);
  g_signal_connect_object (self, "reloaded", G_CALLBACK (exitbox_allowlist_editor_reload),
                           editor, G_CONNECT_SWAPPED);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (preferences), ADW_PREFERENCES_PAGE (editor));

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), page_name);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
exitbox_application_preferences_action (GSimpleAction *action,
                                        GVariant      *parameter,
                                        gpointer       user_data)
{
  exitbox_application_show_preferences (EXITBOX_APPLICATION (user_data), "general");
}

static void
exitbox_application_allowlist_action (GSimpleAction *action,
                                      GVariant      *parameter,
                                      gpointer       user_data)
{
  exitbox_application_show_preferences (EXITBOX_APPLICATION (user_data), "firewall");
}

static const GActionEntry app_actions[] = {
  { "setup", exitbox_application_setup_action },
  { "preferences", exitbox_application_preferences_action },
  { "allowlist", exitbox_application_allowlist_action },
  { "quit", exitbox_application_quit_action },
  { "about", exitbox_application_about_action },
  { "open-project", exitbox_application_open_project_action, "s" },
  { "reload", exitbox_application_reload_action },
};

static const char * const notification_service_names[] = {
  "org.freedesktop.Notifications", "org.gtk.Notifications",
};

static void
exitbox_application_set_notification_service (ExitboxApplication *self,
                                              const char         *name,
                                              gboolean            present)
{
  for (guint i = 0; i < G_N_ELEMENTS (notification_service_names); i++)
    if (g_str_equal (name, notification_service_names[i]))
      self->notification_services[i] = present;
}

static void
exitbox_application_notification_service_appeared_cb (GDBusConnection *connection,
                                                      const char      *name,
                                                      const char      *owner,
                                                      gpointer         user_data)
{
  exitbox_application_set_notification_service (user_data, name, TRUE);
}

static void
exitbox_application_notification_service_vanished_cb (GDBusConnection *connection,
                                                      const char      *name,
                                                      gpointer         user_data)
{
  exitbox_application_set_notification_service (user_data, name, FALSE);
}

/* Notifications go out only when a service shows them, because without
 * one GLib logs a warning when it tries to send.
 */
static void
exitbox_application_watch_notification_services (ExitboxApplication *self)
{
  GDBusConnection *connection = g_application_get_dbus_connection (G_APPLICATION (self));

  if (connection == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (notification_service_names); i++)
    self->notification_watches[i] =
      g_bus_watch_name_on_connection (connection, notification_service_names[i],
                                      G_BUS_NAME_WATCHER_FLAGS_NONE,
                                      exitbox_application_notification_service_appeared_cb,
                                      exitbox_application_notification_service_vanished_cb,
                                      self, NULL);
}

void
exitbox_application_notify (ExitboxApplication *self,
                            const char         *id,
                            GNotification      *notification)
{
  g_return_if_fail (EXITBOX_IS_APPLICATION (self));
  g_return_if_fail (G_IS_NOTIFICATION (notification));

  if (!self->notification_services[0] && !self->notification_services[1])
    return;

  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* Reads the proxy's access log from its current end, so that session tabs
 * see the requests blocked from now on.
 */
static void
exitbox_application_watch_proxy_log (ExitboxApplication *self)
{
  g_autofree char *path = exitbox_firewall_dup_log_path ();
  g_autoptr(GError) error = NULL;

  self->proxy_log = exitbox_proxy_log_new (path);

  if (!exitbox_proxy_log_read_new_lines (self->proxy_log, &error) ||
      !exitbox_proxy_log_watch (self->proxy_log, &error))
    g_message ("Blocked requests are not shown, because %s cannot be read: %s",
               path, error->message);
}

ExitboxAllowPrompter *
exitbox_application_get_allow_prompter (ExitboxApplication *self)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (self), NULL);

  return self->allow_prompter;
}

ExitboxProxyLog *
exitbox_application_get_proxy_log (ExitboxApplication *self)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (self), NULL);

  return self->proxy_log;
}

/* Seconds the sessions' containers get to stop after a signal, before the
 * app quits anyway: podman stop waits 5 s before it kills.
 */
#define SIGNAL_QUIT_DELAY_SECONDS 7

static gboolean
exitbox_application_signal_quit_cb (gpointer user_data)
{
  ExitboxApplication *self = user_data;

  self->signal_quit_source = 0;
  g_application_quit (G_APPLICATION (self));

  return G_SOURCE_REMOVE;
}

/* SIGTERM, SIGINT and SIGHUP (a logout) stop every session without asking,
 * as Stop and Close does, and quit once their containers had time to stop.
 * Without this the containers ran on and left their env files behind.
 */
static gboolean
exitbox_application_signal_cb (gpointer user_data)
{
  ExitboxApplication *self = user_data;
  guint n_stopped = 0;

  if (self->signal_quit_source != 0)
    return G_SOURCE_CONTINUE;

  for (GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));
       windows != NULL;
       windows = windows->next)
    {
      if (EXITBOX_IS_WINDOW (windows->data))
        n_stopped += exitbox_window_stop_sessions (windows->data);
    }

  g_message ("Quitting after a signal; sessions stopped: %u", n_stopped);
  self->signal_quit_source = g_timeout_add_seconds (n_stopped > 0 ? SIGNAL_QUIT_DELAY_SECONDS : 0,
                                                    exitbox_application_signal_quit_cb, self);

  return G_SOURCE_CONTINUE;
}

static void
exitbox_application_startup (GApplication *application)
{
  ExitboxApplication *self = EXITBOX_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *choose_accels[] = { "<Control><Shift>o", NULL };
  static const char *close_accels[] = { "<Control><Shift>w", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  g_autofree char *config_path = NULL;
  g_autofree char *allowlist_path = NULL;
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (exitbox_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                         "win.choose-project", choose_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                         "win.close-session", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                         "app.preferences", preferences_accels);

  exitbox_core_init ();

  self->signal_sources[0] = g_unix_signal_add (SIGTERM, exitbox_application_signal_cb, self);
  self->signal_sources[1] = g_unix_signal_add (SIGINT, exitbox_application_signal_cb, self);
  self->signal_sources[2] = g_unix_signal_add (SIGHUP, exitbox_application_signal_cb, self);

  self->proxy_hold_fd = exitbox_firewall_hold_proxy (&error);
  if (self->proxy_hold_fd < 0)
    {
      g_warning ("The proxy may stop while the app is idle: %s", error->message);
      g_clear_error (&error);
    }

  exitbox_application_watch_proxy_log (self);

  /* exitbox-allow requests from every session, the CLI's too, are asked here. */
  self->allow_prompter = exitbox_allow_prompter_new (GTK_APPLICATION (self), &error);
  if (self->allow_prompter == NULL)
    {
      g_warning ("Runtime allow requests are not shown: %s", error->message);
      g_clear_error (&error);
    }

  self->config_dir = exitbox_dup_config_dir ();
  config_path = g_build_filename (self->config_dir, "config.yaml", NULL);
  allowlist_path = g_build_filename (self->config_dir, "allowlist.yaml", NULL);

  /* On a first run the setup window writes the files, or the defaults when
   * the user closes it.
   */
  self->first_run = !g_file_test (config_path, G_FILE_TEST_EXISTS) &&
                    !g_file_test (allowlist_path, G_FILE_TEST_EXISTS);

  exitbox_application_watch_config_dir (self);
  exitbox_application_watch_notification_services (self);
  exitbox_application_reload (self);

#ifdef HAVE_DBUSMENU
  /* Without a session bus connection there is no tray, and the app works
   * as it does without a tray host.
   */
  if (g_application_get_dbus_connection (application) != NULL)
    self->tray = exitbox_tray_new (self, g_application_get_dbus_connection (application));
#endif
}

static void
exitbox_application_shutdown (GApplication *application)
{
  ExitboxApplication *self = EXITBOX_APPLICATION (application);

  for (guint i = 0; i < G_N_ELEMENTS (self->signal_sources); i++)
    g_clear_handle_id (&self->signal_sources[i], g_source_remove);
  g_clear_handle_id (&self->signal_quit_source, g_source_remove);

  for (guint i = 0; i < G_N_ELEMENTS (self->notification_watches); i++)
    g_clear_handle_id (&self->notification_watches[i], g_bus_unwatch_name);

  exitbox_application_unwatch_config_dir (self);
  g_clear_object (&self->allow_prompter);

  if (self->proxy_hold_fd >= 0)
    {
      close (self->proxy_hold_fd);
      self->proxy_hold_fd = -1;
    }

  g_clear_object (&self->tray);

  G_APPLICATION_CLASS (exitbox_application_parent_class)->shutdown (application);
}

static void
exitbox_application_activate (GApplication *application)
{
  ExitboxWindow *window;

  window = exitbox_application_ensure_window (EXITBOX_APPLICATION (application));
  gtk_window_present (GTK_WINDOW (window));

  if (EXITBOX_APPLICATION (application)->first_run)
    exitbox_application_show_setup (EXITBOX_APPLICATION (application));
}

static void
exitbox_application_open (GApplication  *application,
                          GFile        **files,
                          int            n_files,
                          const char    *hint)
{
  ExitboxWindow *window;
  g_autofree char *path = NULL;

  window = exitbox_application_ensure_window (EXITBOX_APPLICATION (application));

  /* One window shows one project, so the last folder given wins. */
  if (n_files > 0)
    path = g_file_get_path (files[n_files - 1]);
  if (path != NULL)
    exitbox_window_open_project (window, path);

  gtk_window_present (GTK_WINDOW (window));
}

/* Handles "exitbox-desktop [--project DIR] [--launch AGENT] [DIR]", in the
 * running instance when there is one.
 */
static int
exitbox_application_command_line (GApplication            *application,
                                  GApplicationCommandLine *command_line)
{
  ExitboxApplication *self = EXITBOX_APPLICATION (application);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_auto(GStrv) arguments = NULL;
  g_autoptr(GFile) project_file = NULL;
  g_autofree char *project_path = NULL;
  g_autoptr(ExitboxProject) wanted = NULL;
  g_autoptr(GError) launch_error = NULL;
  const char *project = NULL;
  const char *agent = NULL;
  ExitboxWindow *window;
  ExitboxProject *opened;
  int argc;

  arguments = g_application_command_line_get_arguments (command_line, &argc);
  g_variant_dict_lookup (options, "project", "^&ay", &project);
  g_variant_dict_lookup (options, "launch", "&s", &agent);

  /* A folder given without --project is the project too, as in "Open With". */
  if (project == NULL && argc > 1)
    project = arguments[argc - 1];

  if (agent != NULL && !g_str_equal (agent, "shell") && exitbox_agent_lookup (agent) == NULL)
    {
      g_application_command_line_printerr (command_line,
                                           _("Unknown agent “%s”. Use claude, codex or "
                                             "opencode, or shell to open a shell without an "
                                             "agent.\n"),
                                           agent);
      return 2;
    }

  window = exitbox_application_ensure_window (self);

  if (project != NULL)
    {
      project_file = g_application_command_line_create_file_for_arg (command_line, project);
      project_path = g_file_get_path (project_file);
      exitbox_window_open_project (window, project_path);

      /* The window rejects what the core rejects, and then keeps its project. */
      wanted = exitbox_project_new (project_path, NULL);
      opened = exitbox_window_get_project (window);
      if (opened == NULL || wanted == NULL ||
          g_strcmp0 (exitbox_project_get_path (opened), exitbox_project_get_path (wanted)) != 0)
        {
          g_application_command_line_printerr (command_line,
                                               _("Cannot open %s as the project; the window "
                                                 "says why.\n"),
                                               project_path);
          agent = NULL;
        }
    }

  if (agent != NULL)
    {
      if (exitbox_window_get_project (window) == NULL)
        {
          g_application_command_line_printerr (command_line,
                                               _("--launch needs a project folder: add "
                                                 "--project DIR.\n"));
          return 2;
        }

      /* The window shows why nothing started; the caller gets it too. */
      if (!exitbox_window_launch (window, agent, &launch_error))
        {
          g_application_command_line_printerr (command_line, "%s\n", launch_error->message);
          g_application_activate (application);
          return 1;
        }
    }

  g_application_activate (application);
  return 0;
}

static const GOptionEntry command_line_options[] = {
  { "project", 'p', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
    N_("Open DIR as the project"), N_("DIR") },
  { "launch", 'l', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
    N_("Start a session of AGENT (claude, codex, opencode or shell) in the project"),
    N_("AGENT") },
  { NULL }
};

static void
exitbox_application_constructed (GObject *object)
{
  G_OBJECT_CLASS (exitbox_application_parent_class)->constructed (object);

  /* Tests run the application under other ids; the resources stay put. */
  g_application_set_resource_base_path (G_APPLICATION (object), RESOURCE_BASE_PATH);

  g_application_add_main_option_entries (G_APPLICATION (object), command_line_options);
}

static void
exitbox_application_dispose (GObject *object)
{
  exitbox_application_unwatch_config_dir (EXITBOX_APPLICATION (object));
  g_clear_object (&EXITBOX_APPLICATION (object)->tray);

  G_OBJECT_CLASS (exitbox_application_parent_class)->dispose (object);
}

static void
exitbox_application_finalize (GObject *object)
{
  ExitboxApplication *self = EXITBOX_APPLICATION (object);

  g_clear_pointer (&self->config_dir, g_free);
  g_clear_error (&self->setup_error);
  g_clear_object (&self->config);
  g_clear_error (&self->config_error);
  g_clear_object (&self->allowlist);
  g_clear_object (&self->engine);
  g_clear_error (&self->engine_error);
  g_clear_object (&self->launcher);
  g_clear_object (&self->proxy_log);

  G_OBJECT_CLASS (exitbox_application_parent_class)->finalize (object);
}

static void
exitbox_application_class_init (ExitboxApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  exitbox_desktop_ensure_resources ();

  object_class->constructed = exitbox_application_constructed;
  object_class->dispose = exitbox_application_dispose;
  object_class->finalize = exitbox_application_finalize;

  app_class->startup = exitbox_application_startup;
  app_class->shutdown = exitbox_application_shutdown;
  app_class->activate = exitbox_application_activate;
  app_class->open = exitbox_application_open;
  app_class->command_line = exitbox_application_command_line;

  /**
   * ExitboxApplication::reloaded:
   *
   * Emitted after the settings were read and the engine detected again.
   */
  signals[RELOADED] = g_signal_new ("reloaded",
                                    G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 0);
}

static void
exitbox_application_init (ExitboxApplication *self)
{
  self->proxy_hold_fd = -1;
}

ExitboxApplication *
exitbox_application_new (void)
{
  return g_object_new (EXITBOX_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_HANDLES_COMMAND_LINE,
                       NULL);
}

ExitboxConfig *
exitbox_application_get_config (ExitboxApplication *self)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (self), NULL);

  return self->config;
}

const GError *
exitbox_application_get_config_error (ExitboxApplication *self)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (self), NULL);

  return self->config_error;
}

const GError *
exitbox_application_get_setup_error (ExitboxApplication *self)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (self), NULL);

  return self->setup_error;
}

gboolean
exitbox_application_get_first_run (ExitboxApplication *self)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (self), FALSE);

  return self->first_run;
}

gboolean
exitbox_application_get_wrote_defaults (ExitboxApplication *self)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (self), FALSE);

  return self->wrote_defaults;
}

const char *
exitbox_application_get_config_dir (ExitboxApplication *self)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (self), NULL);

  return self->config_dir;
}

ExitboxAllowlist *
exitbox_application_get_allowlist (ExitboxApplication *self)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (self), NULL);

  return self->allowlist;
}

ExitboxEngine *
exitbox_application_get_engine (ExitboxApplication *self)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (self), NULL);

  return self->engine;
}

const GError *
exitbox_application_get_engine_error (ExitboxApplication *self)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (self), NULL);

  return self->engine_error;
}

ExitboxLauncher *
exitbox_application_get_launcher (ExitboxApplication *self)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (self), NULL);

  return self->launcher;
}

ExitboxTray *
exitbox_application_get_tray (ExitboxApplication *self)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (self), NULL);

  return self->tray;
}

gboolean
exitbox_application_get_tray_shown (ExitboxApplication *self)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (self), FALSE);

#ifdef HAVE_DBUSMENU
  return self->tray != NULL && exitbox_tray_get_host_registered (self->tray);
#else
  return FALSE;
#endif
}
