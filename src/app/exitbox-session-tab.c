/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#define G_LOG_DOMAIN "exitbox-session-tab"

#include <errno.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>

/* VTE takes PCRE2 compile flags; only the constants are used. */
#define PCRE2_CODE_UNIT_WIDTH 0
#include <pcre2.h>

#include "exitbox-application.h"
#include "exitbox-session-tab.h"

#define SCROLLBACK_LINES 10000
#define FONT_SCALE_MIN   0.5
#define FONT_SCALE_MAX   4.0
#define FONT_SCALE_STEP  1.1
/* Seconds `podman stop` waits after SIGTERM before it kills the container. */
#define STOP_TIMEOUT_SECONDS "5"

struct _ExitboxSessionTab
{
  GtkWidget            parent_instance;

  VteTerminal         *terminal;
  GtkSearchBar        *search_bar;
  GtkSearchEntry      *search_entry;
  GtkRevealer         *blocked_revealer;
  GtkLabel            *blocked_label;
  GtkListBox          *blocked_list;
  guint                n_blocked;
  /* One row per blocked destination: entry text → AdwActionRow. */
  GHashTable          *blocked_rows;
  GtkRevealer         *status_revealer;
  GtkWidget           *status_box;
  GtkImage            *status_icon;
  GtkLabel            *status_label;

  ExitboxLauncher     *launcher;
  ExitboxProject      *project;
  char                *agent_id;
  char                *title;

  ExitboxSessionState  state;
  GPid                 child_pid;
  GCancellable        *cancellable;
  char                *env_file;   /* the running session's, removed when it ends */
  char               **mount_points; /* -i mount points the session made, removed when it ends */
  int                  link_tag;   /* VTE's tag of the URL match */
  char                *menu_link;  /* the link under the context menu, if any */
  /* The running session's plan, whose address and -a rules the firewall
   * holds until exitbox_session_tab_release_firewall().
   */
  ExitboxLaunchPlan   *plan;
  ExitboxSessionLog   *log;        /* the running session's log under the cache folder */
  /* Serves exitbox-allow for the running session; closed with the firewall's hold. */
  ExitboxAllowListener *allow_listener;
  ExitboxLoginRelay   *login_relay; /* Codex's login port, open while its session runs */
};

G_DEFINE_FINAL_TYPE (ExitboxSessionTab, exitbox_session_tab, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LAUNCHER,
  PROP_PROJECT,
  PROP_AGENT_ID,
  PROP_TITLE,
  PROP_ACTIVE,
  PROP_PREPARING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The 16 ANSI colors, taken from the GNOME palette so agents' colors sit
 * well next to libadwaita in both styles.
 */
static const GdkRGBA palette[16] = {
  { 0.141, 0.122, 0.192, 1.0 }, /* #241f31 */
  { 0.753, 0.110, 0.157, 1.0 }, /* #c01c28 */
  { 0.180, 0.761, 0.494, 1.0 }, /* #2ec27e */
  { 0.961, 0.761, 0.067, 1.0 }, /* #f5c211 */
  { 0.118, 0.471, 0.894, 1.0 }, /* #1e78e4 */
  { 0.596, 0.255, 0.733, 1.0 }, /* #9841bb */
  { 0.039, 0.725, 0.863, 1.0 }, /* #0ab9dc */
  { 0.753, 0.749, 0.737, 1.0 }, /* #c0bfbc */
  { 0.369, 0.361, 0.392, 1.0 }, /* #5e5c64 */
  { 0.929, 0.200, 0.231, 1.0 }, /* #ed333b */
  { 0.341, 0.890, 0.537, 1.0 }, /* #57e389 */
  { 0.973, 0.894, 0.361, 1.0 }, /* #f8e45c */
  { 0.318, 0.631, 1.000, 1.0 }, /* #51a1ff */
  { 0.753, 0.380, 0.796, 1.0 }, /* #c061cb */
  { 0.310, 0.824, 0.992, 1.0 }, /* #4fd2fd */
  { 0.965, 0.961, 0.957, 1.0 }, /* #f6f5f4 */
};

static void
exitbox_session_tab_update_colors (ExitboxSessionTab *self)
{
  static const GdkRGBA light_fg = { 0.0, 0.0, 0.0, 1.0 };
  static const GdkRGBA light_bg = { 1.0, 1.0, 1.0, 1.0 };
  static const GdkRGBA dark_fg = { 1.0, 1.0, 1.0, 1.0 };
  static const GdkRGBA dark_bg = { 0.118, 0.118, 0.118, 1.0 };
  gboolean dark;

  dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  vte_terminal_set_colors (self->terminal,
                           dark ? &dark_fg : &light_fg,
                           dark ? &dark_bg : &light_bg,
                           palette, G_N_ELEMENTS (palette));
}

/* Writes @text into the terminal as its own line, optionally wrapped in an
 * SGR attribute such as "1" (bold). The terminal needs "\r\n" for a new line.
 */
static void
exitbox_session_tab_feed_line (ExitboxSessionTab *self,
                               const char        *sgr,
                               const char        *text)
{
  g_autoptr(GString) buffer = g_string_new (NULL);
  gsize length = strlen (text);

  while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == '\r'))
    length--;

  if (sgr != NULL)
    g_string_append_printf (buffer, "\033[%sm", sgr);

  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
        g_string_append_c (buffer, '\r');
      g_string_append_c (buffer, text[i]);
    }

  if (sgr != NULL)
    g_string_append (buffer, "\033[0m");
  g_string_append (buffer, "\r\n");

  vte_terminal_feed (self->terminal, buffer->str, buffer->len);
}

static void
exitbox_session_tab_notify_prepared (ExitboxSessionTab *self)
{
  GApplication *app = g_application_get_default ();
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *id = NULL;
  g_autoptr(GNotification) notification = NULL;
  gboolean failed = self->state == EXITBOX_SESSION_STATE_FAILED;

  GtkWidget *tab_view = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TAB_VIEW);
  AdwTabPage *selected = tab_view != NULL
    ? adw_tab_view_get_selected_page (ADW_TAB_VIEW (tab_view)) : NULL;
  gboolean seen = GTK_IS_WINDOW (root) && gtk_window_is_active (GTK_WINDOW (root)) &&
                  selected != NULL && adw_tab_page_get_child (selected) == GTK_WIDGET (self);

  /* The user sees the tab, so a notification would only repeat it. */
  if (!EXITBOX_IS_APPLICATION (app) || seen)
    return;

  notification = g_notification_new (failed ? _("Session Failed to Start") : _("Session Started"));
  g_notification_set_body (notification, self->title);
  id = g_strdup_printf ("session-%p", (void *) self);
  exitbox_application_notify (EXITBOX_APPLICATION (app), id, notification);
}

static void
exitbox_session_tab_set_state (ExitboxSessionTab   *self,
                               ExitboxSessionState  state)
{
  gboolean was_active;
  gboolean was_preparing;

  if (self->state == state)
    return;

  was_active = exitbox_session_tab_get_active (self);
  was_preparing = exitbox_session_tab_get_preparing (self);
  self->state = state;

  /* Preparing can take minutes of image building, so its end is worth a
   * notification when the user looks elsewhere.
   */
  if (was_preparing && !exitbox_session_tab_get_preparing (self))
    exitbox_session_tab_notify_prepared (self);

  if (was_active != exitbox_session_tab_get_active (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
  if (was_preparing != exitbox_session_tab_get_preparing (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREPARING]);
}

/* Shows how the session ended in the bar under the terminal. @tone is
 * "error", "warning" or NULL.
 */
static void
exitbox_session_tab_show_end (ExitboxSessionTab   *self,
                              ExitboxSessionState  state,
                              const char          *message,
                              const char          *tone)
{
  g_autofree char *first_line = NULL;
  const char *newline = strchr (message, '\n');
  const char *icon_name;

  /* A build failure carries the engine's last lines, which the terminal
   * shows already, so the bar keeps to the first line.
   */
  first_line = newline != NULL ? g_strndup (message, newline - message) : g_strdup (message);
  gtk_label_set_label (self->status_label, first_line);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label),
                               newline != NULL ? message : NULL);

  /* Own class names, because libadwaita's .error and .warning would also
   * color the text and the Restart button.
   */
  gtk_widget_remove_css_class (self->status_box, "failed");
  gtk_widget_remove_css_class (self->status_box, "unsuccessful");
  if (g_strcmp0 (tone, "error") == 0)
    gtk_widget_add_css_class (self->status_box, "failed");
  else if (g_strcmp0 (tone, "warning") == 0)
    gtk_widget_add_css_class (self->status_box, "unsuccessful");

  if (tone == NULL)
    icon_name = "emblem-ok-symbolic";
  else if (g_str_equal (tone, "error"))
    icon_name = "dialog-error-symbolic";
  else
    icon_name = "dialog-warning-symbolic";
  gtk_image_set_from_icon_name (self->status_icon, icon_name);
  gtk_revealer_set_reveal_child (self->status_revealer, TRUE);

  self->child_pid = 0;
  exitbox_session_tab_set_state (self, state);
}

static void
exitbox_session_tab_end_session_cb (GObject      *source,
                                    GAsyncResult *result,
                                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!exitbox_launcher_end_session_finish (EXITBOX_LAUNCHER (source), result, &error))
    g_warning ("Failed to remove a session’s firewall rules: %s", error->message);
}

/* Closes Codex's login port, frees the session's address on the internal
 * network and drops its rules from the proxy. The task keeps the launcher
 * alive, so the tab may go.
 */
static void
exitbox_session_tab_release_firewall (ExitboxSessionTab *self)
{
  if (self->allow_listener != NULL)
    {
      exitbox_allow_listener_close (self->allow_listener);
      g_clear_object (&self->allow_listener);
    }

  if (self->login_relay != NULL)
    {
      exitbox_login_relay_stop (self->login_relay);
      g_clear_object (&self->login_relay);
    }

  if (self->plan == NULL || self->launcher == NULL)
    return;

  exitbox_launcher_end_session_async (self->launcher, self->plan, NULL,
                                      exitbox_session_tab_end_session_cb, NULL);
  g_clear_pointer (&self->plan, exitbox_launch_plan_free);
}

static void
exitbox_session_tab_progress_cb (ExitboxSessionTab *self,
                                 const char        *layer,
                                 const char        *message)
{
  g_autofree char *line = NULL;

  if (self->state != EXITBOX_SESSION_STATE_PREPARING)
    return;

  line = g_strdup_printf ("[%s] %s", layer, message);
  exitbox_session_tab_feed_line (self, "1", line);
}

static void
exitbox_session_tab_output_cb (ExitboxSessionTab *self,
                               const char        *line)
{
  if (self->state != EXITBOX_SESSION_STATE_PREPARING)
    return;

  exitbox_session_tab_feed_line (self, NULL, line);
}

/* Removes the env file and the empty mount points the session made. The
 * engine reads the env file when the container starts, so both stay until
 * the session has ended.
 */
static void
exitbox_session_tab_remove_session_files (ExitboxSessionTab *self)
{
  exitbox_launch_remove_mount_points ((const char * const *) self->mount_points);
  g_clear_pointer (&self->mount_points, g_strfreev);

  if (self->env_file == NULL)
    return;

  if (g_unlink (self->env_file) != 0 && errno != ENOENT)
    g_warning ("Failed to remove the session environment file %s: %s",
               self->env_file, g_strerror (errno));
  g_clear_pointer (&self->env_file, g_free);
}

/* Closes the session log with @status, or with @problem when the session
 * failed to start. A status of -1 without a problem closes an unfinished log.
 */
static void
exitbox_session_tab_end_log (ExitboxSessionTab *self,
                             int                status,
                             const char        *problem)
{
  g_autoptr(GError) error = NULL;

  if (self->log == NULL)
    return;

  if (!exitbox_session_log_end (self->log, status, problem, &error))
    g_message ("Failed to finish the log of session “%s”: %s", self->title, error->message);
  g_clear_pointer (&self->log, exitbox_session_log_free);
}

/* What ending a stopped session needs after the tab may be gone. */
typedef struct
{
  ExitboxLauncher   *launcher;
  ExitboxLaunchPlan *plan;
} StopRequest;

static void
stop_request_free (StopRequest *request)
{
  g_clear_object (&request->launcher);
  g_clear_pointer (&request->plan, exitbox_launch_plan_free);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StopRequest, stop_request_free)

static void
exitbox_session_tab_container_stopped_cb (GObject      *source,
                                          GAsyncResult *result,
                                          gpointer      user_data)
{
  g_autoptr(StopRequest) request = user_data;
  g_autoptr(ExitboxEngineResult) stop = NULL;
  g_autoptr(GError) error = NULL;

  stop = exitbox_engine_run_finish (EXITBOX_ENGINE (source), result, &error);
  if (stop == NULL)
    g_message ("Failed to stop container %s: %s", request->plan->container_name, error->message);
  else if (stop->exit_status != 0)
    {
      g_autofree char *stderr_lower = g_ascii_strdown (stop->stderr_text != NULL
                                                       ? stop->stderr_text : "", -1);

      /* The hang-up usually ends the container first, and --rm removes it. */
      if (strstr (stderr_lower, "no such container") != NULL)
        g_debug ("Container %s was gone before the stop", request->plan->container_name);
      else
        g_message ("Stopping container %s exited with status %d: %s",
                   request->plan->container_name, stop->exit_status,
                   stop->stderr_text != NULL ? g_strstrip (stop->stderr_text) : "");
    }

  /* The address goes back to the pool once the container has left it, so
   * the next session cannot be given an address that is still in use.
   */
  exitbox_launcher_end_session_async (request->launcher, request->plan, NULL,
                                      exitbox_session_tab_end_session_cb, NULL);
}

/* Ends the session without touching the tab's widgets, so dispose can call
 * it. It hangs up the engine's client and stops the container by name,
 * because a client that is gone or ignores the hang-up leaves the container
 * running. Then it frees the firewall address and closes the allow
 * listener, the login relay and the log.
 */
static void
exitbox_session_tab_end_session (ExitboxSessionTab *self)
{
  g_cancellable_cancel (self->cancellable);

  if (self->state == EXITBOX_SESSION_STATE_RUNNING && self->child_pid > 0)
    {
      g_debug ("Hanging up session “%s” (process %d)", self->title, (int) self->child_pid);
      kill (self->child_pid, SIGHUP);
    }
  self->child_pid = 0;

  /* A plan while active means the container runs or may be starting. */
  if (exitbox_session_tab_get_active (self) && self->plan != NULL && self->launcher != NULL)
    {
      const char *args[] = { "stop", "--time", STOP_TIMEOUT_SECONDS, self->plan->container_name,
                             NULL };
      StopRequest *request = g_new0 (StopRequest, 1);

      g_debug ("Stopping container %s of session “%s”", self->plan->container_name, self->title);
      request->launcher = g_object_ref (self->launcher);
      request->plan = g_steal_pointer (&self->plan);
      exitbox_engine_run_async (exitbox_launcher_get_engine (self->launcher), args, NULL,
                                exitbox_session_tab_container_stopped_cb, request);
    }

  exitbox_session_tab_release_firewall (self);
  exitbox_session_tab_end_log (self, -1, NULL);
}

static void
exitbox_session_tab_spawn_cb (VteTerminal *terminal,
                              GPid         pid,
                              GError      *error,
                              gpointer     user_data)
{
  g_autoptr(ExitboxSessionTab) self = user_data;
  g_autofree char *message = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      g_message ("Failed to start the session “%s”: %s", self->title, error->message);
      exitbox_session_tab_end_log (self, -1, error->message);
      exitbox_session_tab_remove_session_files (self);
      exitbox_session_tab_release_firewall (self);
      message = g_strdup_printf (_("Could not start the session: %s"), error->message);
      exitbox_session_tab_show_end (self, EXITBOX_SESSION_STATE_FAILED, message, "error");
      return;
    }

  g_debug ("Session “%s” runs as process %d", self->title, (int) pid);
  self->child_pid = pid;
  exitbox_session_tab_set_state (self, EXITBOX_SESSION_STATE_RUNNING);
  gtk_widget_grab_focus (GTK_WIDGET (self->terminal));
}

/* Opens Codex's login port on the host for the session about to start. */
static void
exitbox_session_tab_start_login_relay (ExitboxSessionTab *self)
{
  g_autoptr(GError) error = NULL;

  self->login_relay = exitbox_login_relay_new_for_agent (exitbox_launcher_get_engine (self->launcher),
                                                         self->agent_id,
                                                         self->plan->container_name);
  if (self->login_relay != NULL && !exitbox_login_relay_start (self->login_relay, &error))
    {
      /* Translators: a line in the terminal before the session starts */
      g_autofree char *line = g_strdup_printf (_("Warning: %s"), error->message);

      g_message ("Session “%s” has no login relay: %s", self->title, error->message);
      exitbox_session_tab_feed_line (self, "33", line);
      g_clear_object (&self->login_relay);
    }
}

static void
exitbox_session_tab_prepare_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(GError) log_error = NULL;
  g_autoptr(ExitboxSessionTab) self = user_data;
  g_autoptr(ExitboxLaunchPlan) plan = NULL;
  g_autoptr(ExitboxAllowListener) listener = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  plan = exitbox_launcher_prepare_finish (EXITBOX_LAUNCHER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (plan == NULL)
    {
      g_message ("Failed to prepare the session “%s”: %s", self->title, error->message);
      if (self->allow_listener != NULL)
        exitbox_allow_listener_close (self->allow_listener);
      g_clear_object (&self->allow_listener);
      message = g_strdup_printf (_("Could not prepare the session: %s"), error->message);
      exitbox_session_tab_feed_line (self, "31", message);
      exitbox_session_tab_show_end (self, EXITBOX_SESSION_STATE_FAILED, message, "error");
      return;
    }

  exitbox_session_tab_remove_session_files (self);
  self->env_file = g_steal_pointer (&plan->env_file);
  self->mount_points = g_steal_pointer (&plan->created_mount_points);

  for (guint i = 0; plan->notices != NULL && plan->notices[i] != NULL; i++)
    exitbox_session_tab_feed_line (self, NULL, plan->notices[i]);

  for (guint i = 0; plan->warnings != NULL && plan->warnings[i] != NULL; i++)
    {
      /* Translators: a line in the terminal before the session starts */
      g_autofree char *line = g_strdup_printf (_("Warning: %s"), plan->warnings[i]);

      exitbox_session_tab_feed_line (self, "33", line);
    }

  /* The listener of this launch outlives the release of the previous plan. */
  listener = g_steal_pointer (&self->allow_listener);
  exitbox_session_tab_release_firewall (self);
  self->plan = g_steal_pointer (&plan);
  self->allow_listener = g_steal_pointer (&listener);
  if (self->allow_listener != NULL && self->plan->session_address != NULL)
    exitbox_allow_listener_set_session (self->allow_listener, self->plan->container_name,
                                        self->agent_id, exitbox_project_get_path (self->project));

  /* Each session writes a log, as CLI sessions do. */
  exitbox_session_tab_end_log (self, -1, NULL);
  self->log = exitbox_session_log_begin (exitbox_project_get_path (self->project),
                                         self->agent_id != NULL ? self->agent_id : "shell",
                                         self->plan->container_name, self->plan->image,
                                         (const char * const *) self->plan->argv, &log_error);
  if (self->log == NULL)
    g_message ("Session “%s” has no log: %s", self->title, log_error->message);

  exitbox_session_tab_start_login_relay (self);

  /* The argv is executed as it is, and no shell parses it. Leaving envv
   * NULL passes our own environment on, so the engine finds its sockets.
   */
  vte_terminal_spawn_async (self->terminal,
                            VTE_PTY_DEFAULT,
                            exitbox_project_get_path (self->project),
                            self->plan->argv,
                            NULL,
                            G_SPAWN_SEARCH_PATH,
                            NULL, NULL, NULL,
                            -1,
                            self->cancellable,
                            exitbox_session_tab_spawn_cb,
                            g_object_ref (self));
}

void
exitbox_session_tab_start (ExitboxSessionTab *self)
{
  ExitboxLaunchRequest request = { 0 };
  g_autoptr(GError) listener_error = NULL;
  g_autofree char *line = NULL;

  g_return_if_fail (EXITBOX_IS_SESSION_TAB (self));
  g_return_if_fail (!exitbox_session_tab_get_active (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_revealer_set_reveal_child (self->status_revealer, FALSE);
  gtk_label_set_label (self->status_label, "");

  /* A restart keeps the scrollback but drops modes the last program left
   * behind (alternate screen, mouse tracking, colors).
   */
  vte_terminal_reset (self->terminal, TRUE, FALSE);

  exitbox_session_tab_set_state (self, EXITBOX_SESSION_STATE_PREPARING);

  line = g_strdup_printf (_("Preparing %s…"), self->title);
  exitbox_session_tab_feed_line (self, "1", line);

  request.agent_id = self->agent_id;
  request.project = self->project;
  request.args = NULL;
  request.read_only = FALSE;
  request.interactive = TRUE;

  /* A failed listener costs only exitbox-allow, not the session. */
  if (self->allow_listener != NULL)
    exitbox_allow_listener_close (self->allow_listener);
  g_clear_object (&self->allow_listener);
  self->allow_listener = exitbox_allow_listener_new (exitbox_launcher_get_firewall (self->launcher),
                                                     &listener_error);
  if (self->allow_listener == NULL)
    g_message ("exitbox-allow does not work in session “%s”: %s", self->title,
               listener_error->message);
  else
    request.allow_request_dir = exitbox_allow_listener_get_folder (self->allow_listener);

  exitbox_launcher_prepare_async (self->launcher, &request, self->cancellable,
                                  exitbox_session_tab_prepare_cb,
                                  g_object_ref (self));
}

void
exitbox_session_tab_stop (ExitboxSessionTab *self)
{
  g_return_if_fail (EXITBOX_IS_SESSION_TAB (self));

  if (!exitbox_session_tab_get_active (self))
    return;

  exitbox_session_tab_end_session (self);
  exitbox_session_tab_remove_session_files (self);
  exitbox_session_tab_show_end (self, EXITBOX_SESSION_STATE_EXITED, _("Session stopped"), NULL);
}

static void
exitbox_session_tab_child_exited_cb (ExitboxSessionTab *self,
                                     int                status)
{
  int exit_status = WIFEXITED (status) ? WEXITSTATUS (status)
                    : WIFSIGNALED (status) ? 128 + WTERMSIG (status) : status;

  g_autofree char *message = NULL;
  const char *tone = NULL;

  exitbox_session_tab_remove_session_files (self);

  if (self->state != EXITBOX_SESSION_STATE_RUNNING)
    return;

  /* VTE passes the raw wait status. */
  if (WIFEXITED (status))
    {
      message = g_strdup_printf (_("Session ended with exit status %d"), WEXITSTATUS (status));
      if (WEXITSTATUS (status) != 0)
        tone = "warning";
    }
  else if (WIFSIGNALED (status))
    {
      message = g_strdup_printf (_("Session ended by signal %d (%s)"),
                                 WTERMSIG (status), g_strsignal (WTERMSIG (status)));
      tone = "warning";
    }
  else
    {
      message = g_strdup_printf (_("Session ended with wait status %d"), status);
      tone = "warning";
    }

  g_debug ("Session “%s”: %s", self->title, message);
  exitbox_session_tab_end_log (self, exit_status, NULL);
  exitbox_session_tab_release_firewall (self);
  exitbox_session_tab_show_end (self, EXITBOX_SESSION_STATE_EXITED, message, tone);
}

static void
exitbox_session_tab_selection_changed_cb (ExitboxSessionTab *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "term.copy",
                                 vte_terminal_get_has_selection (self->terminal));
}

static void
exitbox_session_tab_connect_builder (ExitboxSessionTab *self)
{
  ExitboxImageBuilder *builder = exitbox_launcher_get_image_builder (self->launcher);

  /* Each session has its own launcher, so these lines are from our own build. */
  g_signal_connect_object (builder, "progress",
                           G_CALLBACK (exitbox_session_tab_progress_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (builder, "output",
                           G_CALLBACK (exitbox_session_tab_output_cb),
                           self, G_CONNECT_SWAPPED);
}

/* A restart uses the files as they are now: the user may have changed the
 * allowlist or the configuration since the session started.
 */
static gboolean
exitbox_session_tab_reload_launcher (ExitboxSessionTab *self)
{
  ExitboxApplication *app = EXITBOX_APPLICATION (g_application_get_default ());
  ExitboxImageBuilder *old_builder;
  const GError *problem;

  if (app == NULL)
    return TRUE;

  exitbox_application_reload (app);

  problem = exitbox_application_get_config_error (app);
  if (problem == NULL)
    problem = exitbox_application_get_engine_error (app);
  if (problem != NULL)
    {
      exitbox_session_tab_show_end (self, EXITBOX_SESSION_STATE_FAILED, problem->message, "error");
      return FALSE;
    }

  old_builder = exitbox_launcher_get_image_builder (self->launcher);
  g_signal_handlers_disconnect_by_data (old_builder, self);
  g_clear_object (&self->launcher);
  self->launcher = exitbox_launcher_new (exitbox_application_get_engine (app),
                                         exitbox_application_get_config (app),
                                         exitbox_application_get_allowlist (app));
  exitbox_session_tab_connect_builder (self);

  return TRUE;
}

static void
exitbox_session_tab_restart_clicked_cb (ExitboxSessionTab *self)
{
  if (exitbox_session_tab_get_active (self))
    return;

  if (exitbox_session_tab_reload_launcher (self))
    exitbox_session_tab_start (self);
}

static void
exitbox_session_tab_copy_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  ExitboxSessionTab *self = EXITBOX_SESSION_TAB (widget);

  vte_terminal_copy_clipboard_format (self->terminal, VTE_FORMAT_TEXT);
}

static void
exitbox_session_tab_paste_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  ExitboxSessionTab *self = EXITBOX_SESSION_TAB (widget);

  vte_terminal_paste_clipboard (self->terminal);
}

static void
exitbox_session_tab_zoom_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  ExitboxSessionTab *self = EXITBOX_SESSION_TAB (widget);
  double scale = vte_terminal_get_font_scale (self->terminal);

  if (g_str_equal (action_name, "term.zoom-in"))
    scale *= FONT_SCALE_STEP;
  else if (g_str_equal (action_name, "term.zoom-out"))
    scale /= FONT_SCALE_STEP;
  else
    scale = 1.0;

  vte_terminal_set_font_scale (self->terminal, CLAMP (scale, FONT_SCALE_MIN, FONT_SCALE_MAX));
}

/* These shortcuts must reach us before the terminal, which would otherwise
 * send the keys to the agent, so they run in the capture phase.
 */
static void
exitbox_session_tab_add_shortcuts (ExitboxSessionTab *self)
{
  static const struct {
    const char *trigger;
    const char *action;
  } shortcuts[] = {
    { "<Control><Shift>c", "term.copy" },
    { "<Control><Shift>v", "term.paste" },
    { "<Control>plus", "term.zoom-in" },
    { "<Control>equal", "term.zoom-in" },
    { "<Control>KP_Add", "term.zoom-in" },
    { "<Control>minus", "term.zoom-out" },
    { "<Control>KP_Subtract", "term.zoom-out" },
    { "<Control>0", "term.zoom-reset" },
    { "<Control>KP_0", "term.zoom-reset" },
    { "<Control><Shift>f", "term.find" },
  };
  GtkEventController *controller;

  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);

  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    {
      GtkShortcutTrigger *trigger = gtk_shortcut_trigger_parse_string (shortcuts[i].trigger);

      g_assert (trigger != NULL);
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                            gtk_shortcut_new (trigger,
                                                              gtk_named_action_new (shortcuts[i].action)));
    }

  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
exitbox_session_tab_constructed (GObject *object)
{
  ExitboxSessionTab *self = EXITBOX_SESSION_TAB (object);
  const ExitboxAgentInfo *info = NULL;
  const char *agent_name;

  G_OBJECT_CLASS (exitbox_session_tab_parent_class)->constructed (object);

  g_assert (EXITBOX_IS_LAUNCHER (self->launcher));
  g_assert (EXITBOX_IS_PROJECT (self->project));

  if (self->agent_id != NULL)
    info = exitbox_agent_lookup (self->agent_id);
  if (info != NULL)
    agent_name = info->display_name;
  else if (self->agent_id != NULL)
    agent_name = self->agent_id;
  else
    agent_name = _("Shell");

  /* Translators: a session's title: the agent, then the project folder's name */
  self->title = g_strdup_printf (C_("session title", "%s · %s"),
                                 agent_name, exitbox_project_get_name (self->project));

  exitbox_session_tab_connect_builder (self);
}

static void
exitbox_session_tab_dispose (GObject *object)
{
  ExitboxSessionTab *self = EXITBOX_SESSION_TAB (object);
  GtkWidget *child;

  GApplication *app = g_application_get_default ();

  /* The terminal, the style manager and the proxy log can outlive the tab
   * and still emit signals, whose handlers would touch cleared widgets.
   */
  if (self->terminal != NULL)
    g_signal_handlers_disconnect_by_data (self->terminal, self);
  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);
  if (EXITBOX_IS_APPLICATION (app) &&
      exitbox_application_get_proxy_log (EXITBOX_APPLICATION (app)) != NULL)
    g_signal_handlers_disconnect_by_data (exitbox_application_get_proxy_log (EXITBOX_APPLICATION (app)),
                                          self);
  if (self->launcher != NULL)
    g_signal_handlers_disconnect_by_data (exitbox_launcher_get_image_builder (self->launcher), self);

  exitbox_session_tab_end_session (self);
  self->state = EXITBOX_SESSION_STATE_EXITED;

  gtk_widget_dispose_template (GTK_WIDGET (self), EXITBOX_TYPE_SESSION_TAB);

  /* The template's outer box has no id, so the template does not drop it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->blocked_rows, g_hash_table_unref);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->launcher);
  g_clear_object (&self->project);

  G_OBJECT_CLASS (exitbox_session_tab_parent_class)->dispose (object);
}

static void
exitbox_session_tab_finalize (GObject *object)
{
  ExitboxSessionTab *self = EXITBOX_SESSION_TAB (object);

  exitbox_session_tab_remove_session_files (self);
  g_clear_pointer (&self->agent_id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->menu_link, g_free);
  exitbox_session_tab_end_log (self, -1, NULL);

  G_OBJECT_CLASS (exitbox_session_tab_parent_class)->finalize (object);
}

static void
exitbox_session_tab_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ExitboxSessionTab *self = EXITBOX_SESSION_TAB (object);

  switch (prop_id)
    {
    case PROP_LAUNCHER:
      g_value_set_object (value, self->launcher);
      break;

    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_AGENT_ID:
      g_value_set_string (value, self->agent_id);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_ACTIVE:
      g_value_set_boolean (value, exitbox_session_tab_get_active (self));
      break;

    case PROP_PREPARING:
      g_value_set_boolean (value, exitbox_session_tab_get_preparing (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
exitbox_session_tab_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ExitboxSessionTab *self = EXITBOX_SESSION_TAB (object);

  switch (prop_id)
    {
    case PROP_LAUNCHER:
      self->launcher = g_value_dup_object (value);
      break;

    case PROP_PROJECT:
      self->project = g_value_dup_object (value);
      break;

    case PROP_AGENT_ID:
      self->agent_id = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Finding text. The search is case-insensitive and literal. */

static gboolean
exitbox_session_tab_find (ExitboxSessionTab *self,
                          gboolean           backwards)
{
  if (vte_terminal_search_get_regex (self->terminal) == NULL)
    return FALSE;

  return backwards ? vte_terminal_search_find_previous (self->terminal)
                   : vte_terminal_search_find_next (self->terminal);
}

static void
exitbox_session_tab_search_changed_cb (ExitboxSessionTab *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *pattern = NULL;
  g_autoptr(VteRegex) regex = NULL;
  g_autoptr(GError) error = NULL;

  if (text[0] == '\0')
    {
      vte_terminal_search_set_regex (self->terminal, NULL, 0);
      return;
    }

  pattern = g_regex_escape_string (text, -1);
  regex = vte_regex_new_for_search (pattern, -1, PCRE2_CASELESS | PCRE2_MULTILINE, &error);
  if (regex == NULL)
    {
      g_message ("Failed to search for %s: %s", text, error->message);
      return;
    }

  vte_terminal_search_set_regex (self->terminal, regex, 0);
  vte_terminal_search_set_wrap_around (self->terminal, TRUE);

  /* The newest output is at the bottom, so the search starts there. */
  exitbox_session_tab_find (self, TRUE);
}

static void
exitbox_session_tab_search_activate_cb (ExitboxSessionTab *self)
{
  exitbox_session_tab_find (self, TRUE);
}

static void
exitbox_session_tab_search_next_cb (ExitboxSessionTab *self)
{
  exitbox_session_tab_find (self, FALSE);
}

static void
exitbox_session_tab_search_previous_cb (ExitboxSessionTab *self)
{
  exitbox_session_tab_find (self, TRUE);
}

static void
exitbox_session_tab_find_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  ExitboxSessionTab *self = EXITBOX_SESSION_TAB (widget);

  if (g_str_equal (action_name, "term.find"))
    {
      gtk_search_bar_set_search_mode (self->search_bar, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
    }
  else
    exitbox_session_tab_find (self, g_str_equal (action_name, "term.find-previous"));
}

gboolean
exitbox_session_tab_find_text (ExitboxSessionTab *self,
                               const char        *text)
{
  g_return_val_if_fail (EXITBOX_IS_SESSION_TAB (self), FALSE);

  gtk_widget_activate_action (GTK_WIDGET (self), "term.find", NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);

  /* The entry reports changes after a delay, so apply the text now. */
  exitbox_session_tab_search_changed_cb (self);
  return exitbox_session_tab_find (self, TRUE);
}

/* Links: a URL in the output is underlined on hover, opens with Ctrl+click
 * in the host's browser, and the context menu offers it.
 */

#define URL_PATTERN "\\b(?:https?|ftp)://[^\\s<>\"'`]+[^\\s<>\"'`.,;:!?)\\]]"

static void
exitbox_session_tab_add_link_match (ExitboxSessionTab *self)
{
  g_autoptr(VteRegex) regex = NULL;
  g_autoptr(GError) error = NULL;

  regex = vte_regex_new_for_match (URL_PATTERN, -1, PCRE2_CASELESS | PCRE2_MULTILINE, &error);
  if (regex == NULL)
    {
      g_warning ("The link pattern does not compile: %s", error->message);
      return;
    }

  self->link_tag = vte_terminal_match_add_regex (self->terminal, regex, 0);
  vte_terminal_match_set_cursor_name (self->terminal, self->link_tag, "pointer");
}

static void
exitbox_session_tab_open_link (ExitboxSessionTab *self,
                               const char        *link)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, link, GDK_CURRENT_TIME);
}

static void
exitbox_session_tab_link_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  ExitboxSessionTab *self = EXITBOX_SESSION_TAB (widget);

  if (self->menu_link == NULL)
    return;

  if (g_str_equal (action_name, "term.open-link"))
    exitbox_session_tab_open_link (self, self->menu_link);
  else
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->menu_link);
}

static void
exitbox_session_tab_show_menu (ExitboxSessionTab *self,
                               double             x,
                               double             y)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) link_section = g_menu_new ();
  g_autoptr(GMenu) edit_section = g_menu_new ();
  g_autoptr(GMenu) view_section = g_menu_new ();
  GtkWidget *popover;
  GdkRectangle pointing = { (int) x, (int) y, 1, 1 };

  g_clear_pointer (&self->menu_link, g_free);
  self->menu_link = vte_terminal_check_match_at (self->terminal, x, y, NULL);

  if (self->menu_link != NULL)
    {
      g_menu_append (link_section, _("_Open Link"), "term.open-link");
      g_menu_append (link_section, _("Copy _Link Address"), "term.copy-link");
      g_menu_append_section (menu, NULL, G_MENU_MODEL (link_section));
    }

  g_menu_append (edit_section, _("_Copy"), "term.copy");
  g_menu_append (edit_section, _("_Paste"), "term.paste");
  g_menu_append (edit_section, _("_Find…"), "term.find");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (edit_section));

  g_menu_append (view_section, _("Zoom _In"), "term.zoom-in");
  g_menu_append (view_section, _("Zoom _Out"), "term.zoom-out");
  g_menu_append (view_section, _("_Normal Size"), "term.zoom-reset");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (view_section));

  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_widget_set_parent (popover, GTK_WIDGET (self->terminal));
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &pointing);
  g_signal_connect (popover, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
}

static void
exitbox_session_tab_pressed_cb (GtkGestureClick   *gesture,
                                int                n_press,
                                double             x,
                                double             y,
                                ExitboxSessionTab *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  g_autofree char *link = NULL;

  if (button == GDK_BUTTON_SECONDARY)
    {
      exitbox_session_tab_show_menu (self, x, y);
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
      return;
    }

  if (button != GDK_BUTTON_PRIMARY || !(state & GDK_CONTROL_MASK))
    return;

  link = vte_terminal_check_match_at (self->terminal, x, y, NULL);
  if (link == NULL)
    return;

  exitbox_session_tab_open_link (self, link);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
exitbox_session_tab_add_mouse_handling (ExitboxSessionTab *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  /* In the capture phase the gesture receives the press before the terminal. */
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (exitbox_session_tab_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->terminal), GTK_EVENT_CONTROLLER (click));
}

char *
exitbox_session_tab_dup_link_at (ExitboxSessionTab *self,
                                 double             x,
                                 double             y)
{
  g_return_val_if_fail (EXITBOX_IS_SESSION_TAB (self), NULL);

  return vte_terminal_check_match_at (self->terminal, x, y, NULL);
}


/* Blocked requests: the proxy's refusals for this session's address, each
 * with a button that adds its destination to the allowlist.
 */

/* Shows on a blocked destination's @row that the allowlist allows it, with
 * @reason in the tooltip.
 */
static void
exitbox_session_tab_show_always_allowed (GtkWidget  *row,
                                         const char *reason)
{
  GtkWidget *always_button = g_object_get_data (G_OBJECT (row), "exitbox-always-button");
  GtkWidget *session_button = g_object_get_data (G_OBJECT (row), "exitbox-session-button");

  if (always_button != NULL)
    {
      gtk_button_set_label (GTK_BUTTON (always_button), _("Always Allowed"));
      gtk_widget_set_sensitive (always_button, FALSE);
      gtk_widget_set_tooltip_text (always_button, reason);
    }

  if (session_button != NULL)
    {
      gtk_widget_set_sensitive (session_button, FALSE);
      gtk_widget_set_tooltip_text (session_button, _("The allowlist allows it."));
    }
}

static void
exitbox_session_tab_always_allow_clicked_cb (GtkButton         *button,
                                             ExitboxSessionTab *self)
{
  GApplication *app = g_application_get_default ();
  const char *entry = g_object_get_data (G_OBJECT (button), "exitbox-entry");
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;

  if (!EXITBOX_IS_APPLICATION (app))
    return;

  path = g_build_filename (exitbox_application_get_config_dir (EXITBOX_APPLICATION (app)),
                           "allowlist.yaml", NULL);
  message = exitbox_allowlist_add_entry_in_file (path, entry, NULL, &error);
  if (message == NULL)
    {
      g_message ("Failed to allow %s: %s", entry, error->message);
      gtk_widget_set_tooltip_text (GTK_WIDGET (button), error->message);
      gtk_widget_add_css_class (GTK_WIDGET (button), "error");
      return;
    }

  /* The application applies allowlist changes to the running proxy, so
   * the session needs no rule of its own any more.
   */
  exitbox_session_tab_show_always_allowed (gtk_widget_get_ancestor (GTK_WIDGET (button),
                                                                    ADW_TYPE_ACTION_ROW),
                                           message);
}

/* Marks, after a settings reload, the rows whose destination the allowlist
 * now allows: the entry may come from this tab, another tab, Preferences or
 * the command line. The core's rule check decides, as it does for the proxy.
 */
static void
exitbox_session_tab_allowlist_reloaded_cb (ExitboxSessionTab *self)
{
  GApplication *app = g_application_get_default ();
  ExitboxAllowlist *allowlist;
  GPtrArray *entries;
  GHashTableIter iter;
  gpointer key;
  gpointer row;

  if (self->blocked_rows == NULL || !EXITBOX_IS_APPLICATION (app))
    return;

  allowlist = exitbox_application_get_allowlist (EXITBOX_APPLICATION (app));
  if (allowlist == NULL)
    return;

  entries = exitbox_allowlist_get_entries (allowlist);
  g_hash_table_iter_init (&iter, self->blocked_rows);
  while (g_hash_table_iter_next (&iter, &key, &row))
    {
      g_autoptr(ExitboxAllowlistEntry) destination = exitbox_allowlist_entry_parse (key, NULL);
      g_autoptr(ExitboxSquidVerdict) https = NULL;
      g_autoptr(ExitboxSquidVerdict) http = NULL;

      if (destination == NULL)
        continue;

      https = exitbox_squid_check (entries, NULL, NULL, destination, TRUE);
      http = exitbox_squid_check (entries, NULL, NULL, destination, FALSE);
      if (https->allowed || http->allowed)
        exitbox_session_tab_show_always_allowed (row, (https->allowed ? https : http)->rule);
    }
}

static void
exitbox_session_tab_session_entry_added_cb (GObject      *source,
                                            GAsyncResult *result,
                                            gpointer      user_data)
{
  g_autoptr(GtkButton) button = user_data;
  const char *entry = g_object_get_data (G_OBJECT (button), "exitbox-entry");
  g_autoptr(GError) error = NULL;

  if (!exitbox_firewall_add_session_entry_finish (EXITBOX_FIREWALL (source), result, &error))
    {
      g_message ("Failed to allow %s for a session: %s", entry, error->message);
      gtk_widget_set_tooltip_text (GTK_WIDGET (button), error->message);
      gtk_widget_add_css_class (GTK_WIDGET (button), "error");
      gtk_widget_set_sensitive (GTK_WIDGET (button), TRUE);
      return;
    }

  gtk_button_set_label (button, _("Allowed for This Session"));
}

/* Adds the entry to this session's rules through the same core call that an
 * approved exitbox-allow request uses, so it applies at once.
 */
static void
exitbox_session_tab_allow_for_session_clicked_cb (GtkButton         *button,
                                                  ExitboxSessionTab *self)
{
  const char *text = g_object_get_data (G_OBJECT (button), "exitbox-entry");
  g_autoptr(ExitboxAllowlistEntry) entry = NULL;
  g_autoptr(GError) error = NULL;

  if (self->plan == NULL || self->launcher == NULL)
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (button), _("The session has ended."));
      gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
      return;
    }

  entry = exitbox_allowlist_entry_parse (text, &error);
  if (entry == NULL)
    {
      g_message ("Failed to allow %s for a session: %s", text, error->message);
      gtk_widget_set_tooltip_text (GTK_WIDGET (button), error->message);
      gtk_widget_add_css_class (GTK_WIDGET (button), "error");
      return;
    }

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  exitbox_firewall_add_session_entry_async (exitbox_launcher_get_firewall (self->launcher),
                                            self->plan->container_name, entry, NULL,
                                            exitbox_session_tab_session_entry_added_cb,
                                            g_object_ref (button));
}

/* Shows the newest request time and method of a destination's row, and
 * how many requests to it were blocked.
 */
static void
exitbox_session_tab_update_blocked_row (AdwActionRow *row,
                                        gint64        time_usec,
                                        const char   *method,
                                        guint         count)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (time_usec / G_USEC_PER_SEC);
  g_autofree char *clock = time != NULL ? g_date_time_format (time, "%H:%M:%S") : g_strdup ("");
  g_autofree char *subtitle = NULL;

  if (count > 1)
    /* TRANSLATORS: a time such as 14:03:52, an HTTP method such as CONNECT,
     * then how many requests to one destination the firewall blocked
     */
    subtitle = g_strdup_printf (ngettext ("%s · %s · %u request", "%s · %s · %u requests", count),
                                clock, method, count);
  else
    /* TRANSLATORS: a time such as 14:03:52, then an HTTP method such as CONNECT */
    subtitle = g_strdup_printf (_("%s · %s"), clock, method);

  adw_action_row_set_subtitle (row, subtitle);
  g_object_set_data (G_OBJECT (row), "exitbox-count", GUINT_TO_POINTER (count));
  g_object_set_data_full (G_OBJECT (row), "exitbox-latest",
                          g_memdup2 (&time_usec, sizeof time_usec), g_free);
}

static AdwActionRow *
exitbox_session_tab_new_blocked_row (ExitboxSessionTab *self,
                                     const char        *entry)
{
  g_autofree char *button_label = NULL;
  g_autofree char *session_label = NULL;
  AdwActionRow *row;
  GtkWidget *session_button;
  GtkWidget *button;

  row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), entry);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

  session_button = gtk_button_new_with_label (_("Allow for This Session"));
  gtk_widget_set_valign (session_button, GTK_ALIGN_CENTER);
  session_label = g_strdup_printf (_("Allow %s for this session only"), entry);
  gtk_widget_set_tooltip_text (session_button, session_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (session_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  session_label, -1);
  g_object_set_data_full (G_OBJECT (session_button), "exitbox-entry", g_strdup (entry), g_free);
  g_signal_connect (session_button, "clicked",
                    G_CALLBACK (exitbox_session_tab_allow_for_session_clicked_cb), self);
  adw_action_row_add_suffix (row, session_button);
  g_object_set_data (G_OBJECT (row), "exitbox-session-button", session_button);

  button = gtk_button_new_with_label (_("Always Allow"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  button_label = g_strdup_printf (_("Add %s to the allowlist"), entry);
  gtk_widget_set_tooltip_text (button, button_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  button_label, -1);
  g_object_set_data_full (G_OBJECT (button), "exitbox-entry", g_strdup (entry), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (exitbox_session_tab_always_allow_clicked_cb),
                    self);
  adw_action_row_add_suffix (row, button);
  g_object_set_data (G_OBJECT (row), "exitbox-always-button", button);

  return row;
}

void
exitbox_session_tab_add_blocked_request (ExitboxSessionTab           *self,
                                         const ExitboxBlockedRequest *request)
{
  g_autofree char *entry = NULL;
  g_autofree char *heading = NULL;
  AdwActionRow *row;
  gint64 latest = request->time;
  guint count = 1;

  g_return_if_fail (EXITBOX_IS_SESSION_TAB (self));
  g_return_if_fail (request != NULL);

  /* Ports 443 and 80 come with every entry, so only others are written. */
  if (request->port != 0 && request->port != 443 && request->port != 80)
    entry = strchr (request->host, ':') != NULL
            ? g_strdup_printf ("[%s]:%u", request->host, request->port)
            : g_strdup_printf ("%s:%u", request->host, request->port);
  else
    entry = g_strdup (request->host);

  /* Requests to one destination share a row, so that allowing it once
   * shows on every request to it.
   */
  row = g_hash_table_lookup (self->blocked_rows, entry);
  if (row != NULL)
    {
      const gint64 *previous = g_object_get_data (G_OBJECT (row), "exitbox-latest");

      count = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "exitbox-count")) + 1;
      if (previous != NULL && *previous > latest)
        latest = *previous;
      gtk_list_box_remove (self->blocked_list, GTK_WIDGET (row));
    }
  else
    {
      row = exitbox_session_tab_new_blocked_row (self, entry);
      g_hash_table_insert (self->blocked_rows, g_strdup (entry), g_object_ref_sink (row));
    }

  exitbox_session_tab_update_blocked_row (row, latest, request->method, count);

  /* The destination blocked last goes first. */
  gtk_list_box_prepend (self->blocked_list, GTK_WIDGET (row));
  self->n_blocked++;

  heading = g_strdup_printf (ngettext ("The firewall blocked %u request",
                                       "The firewall blocked %u requests", self->n_blocked),
                             self->n_blocked);
  gtk_label_set_label (self->blocked_label, heading);
  gtk_revealer_set_reveal_child (self->blocked_revealer, TRUE);
}

guint
exitbox_session_tab_get_n_blocked_destinations (ExitboxSessionTab *self)
{
  g_return_val_if_fail (EXITBOX_IS_SESSION_TAB (self), 0);

  return g_hash_table_size (self->blocked_rows);
}

guint
exitbox_session_tab_get_n_blocked (ExitboxSessionTab *self)
{
  g_return_val_if_fail (EXITBOX_IS_SESSION_TAB (self), 0);

  return self->n_blocked;
}

GtkWidget *
exitbox_session_tab_get_blocked_row (ExitboxSessionTab *self,
                                     guint              index)
{
  g_return_val_if_fail (EXITBOX_IS_SESSION_TAB (self), NULL);

  return GTK_WIDGET (gtk_list_box_get_row_at_index (self->blocked_list, (int) index));
}

static void
exitbox_session_tab_blocked_request_cb (ExitboxProxyLog       *log,
                                        ExitboxBlockedRequest *request,
                                        ExitboxSessionTab     *self)
{
  /* The core names the session that held the client address when the
   * request was made, so a request from an earlier session at this
   * address stays out of this tab.
   */
  if (self->plan == NULL || self->plan->container_name == NULL ||
      g_strcmp0 (request->session, self->plan->container_name) != 0)
    return;

  exitbox_session_tab_add_blocked_request (self, request);
}


static void
exitbox_session_tab_class_init (ExitboxSessionTabClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = exitbox_session_tab_constructed;
  object_class->dispose = exitbox_session_tab_dispose;
  object_class->finalize = exitbox_session_tab_finalize;
  object_class->get_property = exitbox_session_tab_get_property;
  object_class->set_property = exitbox_session_tab_set_property;

  properties[PROP_LAUNCHER] =
    g_param_spec_object ("launcher", NULL, NULL,
                         EXITBOX_TYPE_LAUNCHER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         EXITBOX_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AGENT_ID] =
    g_param_spec_string ("agent-id", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PREPARING] =
    g_param_spec_boolean ("preparing", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (VTE_TYPE_TERMINAL);

  exitbox_desktop_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/exitbox/ExitBox/ui/exitbox-session-tab.ui");
  gtk_widget_class_bind_template_child (widget_class, ExitboxSessionTab, terminal);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSessionTab, search_bar);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSessionTab, blocked_revealer);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSessionTab, blocked_label);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSessionTab, blocked_list);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSessionTab, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSessionTab, status_revealer);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSessionTab, status_box);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSessionTab, status_icon);
  gtk_widget_class_bind_template_child (widget_class, ExitboxSessionTab, status_label);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_session_tab_child_exited_cb);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_session_tab_selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_session_tab_restart_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_session_tab_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_session_tab_search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_session_tab_search_next_cb);
  gtk_widget_class_bind_template_callback (widget_class, exitbox_session_tab_search_previous_cb);

  gtk_widget_class_install_action (widget_class, "term.copy", NULL,
                                   exitbox_session_tab_copy_action);
  gtk_widget_class_install_action (widget_class, "term.paste", NULL,
                                   exitbox_session_tab_paste_action);
  gtk_widget_class_install_action (widget_class, "term.zoom-in", NULL,
                                   exitbox_session_tab_zoom_action);
  gtk_widget_class_install_action (widget_class, "term.zoom-out", NULL,
                                   exitbox_session_tab_zoom_action);
  gtk_widget_class_install_action (widget_class, "term.zoom-reset", NULL,
                                   exitbox_session_tab_zoom_action);
  gtk_widget_class_install_action (widget_class, "term.find", NULL,
                                   exitbox_session_tab_find_action);
  gtk_widget_class_install_action (widget_class, "term.find-next", NULL,
                                   exitbox_session_tab_find_action);
  gtk_widget_class_install_action (widget_class, "term.find-previous", NULL,
                                   exitbox_session_tab_find_action);
  gtk_widget_class_install_action (widget_class, "term.open-link", NULL,
                                   exitbox_session_tab_link_action);
  gtk_widget_class_install_action (widget_class, "term.copy-link", NULL,
                                   exitbox_session_tab_link_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
exitbox_session_tab_init (ExitboxSessionTab *self)
{
  GApplication *app;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->state = EXITBOX_SESSION_STATE_CREATED;
  self->blocked_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  vte_terminal_set_scrollback_lines (self->terminal, SCROLLBACK_LINES);
  vte_terminal_set_mouse_autohide (self->terminal, TRUE);
  exitbox_session_tab_update_colors (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (exitbox_session_tab_update_colors),
                           self, G_CONNECT_SWAPPED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "term.copy", FALSE);
  exitbox_session_tab_add_shortcuts (self);
  exitbox_session_tab_add_link_match (self);
  exitbox_session_tab_add_mouse_handling (self);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));

  app = g_application_get_default ();
  if (EXITBOX_IS_APPLICATION (app))
    g_signal_connect_object (app, "reloaded",
                             G_CALLBACK (exitbox_session_tab_allowlist_reloaded_cb),
                             self, G_CONNECT_SWAPPED);
  if (EXITBOX_IS_APPLICATION (app) &&
      exitbox_application_get_proxy_log (EXITBOX_APPLICATION (app)) != NULL)
    g_signal_connect_object (exitbox_application_get_proxy_log (EXITBOX_APPLICATION (app)),
                             "blocked-request",
                             G_CALLBACK (exitbox_session_tab_blocked_request_cb), self, 0);
}

GtkWidget *
exitbox_session_tab_new (ExitboxLauncher *launcher,
                         ExitboxProject  *project,
                         const char      *agent_id)
{
  g_return_val_if_fail (EXITBOX_IS_LAUNCHER (launcher), NULL);
  g_return_val_if_fail (EXITBOX_IS_PROJECT (project), NULL);

  return g_object_new (EXITBOX_TYPE_SESSION_TAB,
                       "launcher", launcher,
                       "project", project,
                       "agent-id", agent_id,
                       NULL);
}

ExitboxSessionState
exitbox_session_tab_get_state (ExitboxSessionTab *self)
{
  g_return_val_if_fail (EXITBOX_IS_SESSION_TAB (self), EXITBOX_SESSION_STATE_FAILED);

  return self->state;
}

gboolean
exitbox_session_tab_get_active (ExitboxSessionTab *self)
{
  g_return_val_if_fail (EXITBOX_IS_SESSION_TAB (self), FALSE);

  return self->state == EXITBOX_SESSION_STATE_PREPARING ||
         self->state == EXITBOX_SESSION_STATE_RUNNING;
}

gboolean
exitbox_session_tab_get_preparing (ExitboxSessionTab *self)
{
  g_return_val_if_fail (EXITBOX_IS_SESSION_TAB (self), FALSE);

  return self->state == EXITBOX_SESSION_STATE_PREPARING;
}

gboolean
exitbox_session_tab_get_firewall_off (ExitboxSessionTab *self)
{
  g_return_val_if_fail (EXITBOX_IS_SESSION_TAB (self), FALSE);

  /* A plan without an address on the internal network runs on a plain
   * bridge, without the proxy.
   */
  return self->state == EXITBOX_SESSION_STATE_RUNNING &&
         self->plan != NULL && self->plan->session_address == NULL;
}

const char *
exitbox_session_tab_get_title (ExitboxSessionTab *self)
{
  g_return_val_if_fail (EXITBOX_IS_SESSION_TAB (self), NULL);

  return self->title;
}

const char *
exitbox_session_tab_get_agent_id (ExitboxSessionTab *self)
{
  g_return_val_if_fail (EXITBOX_IS_SESSION_TAB (self), NULL);

  return self->agent_id;
}

ExitboxProject *
exitbox_session_tab_get_project (ExitboxSessionTab *self)
{
  g_return_val_if_fail (EXITBOX_IS_SESSION_TAB (self), NULL);

  return self->project;
}

const char *
exitbox_session_tab_get_status_message (ExitboxSessionTab *self)
{
  g_return_val_if_fail (EXITBOX_IS_SESSION_TAB (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->status_revealer))
    return NULL;

  return gtk_label_get_label (self->status_label);
}

VteTerminal *
exitbox_session_tab_get_terminal (ExitboxSessionTab *self)
{
  g_return_val_if_fail (EXITBOX_IS_SESSION_TAB (self), NULL);

  return self->terminal;
}
