/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#define G_LOG_DOMAIN "exitbox-window"

#include <glib/gi18n.h>

#include "exitbox-profile-page.h"
#include "exitbox-window-private.h"

/* Minimum seconds between two refreshes started by the window getting the
 * focus. Each refresh costs an engine inspect and an engine check.
 */
#define FOCUS_REFRESH_INTERVAL_SECONDS 10

G_DEFINE_FINAL_TYPE (ExitboxWindow, exitbox_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_PROJECT,
  PROP_REFRESHING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The request behind one inspect, kept so that its result is read against
 * the same launcher and project even if the window moved on meanwhile.
 */
typedef struct
{
  ExitboxWindow   *self;
  ExitboxLauncher *launcher;
  ExitboxProject  *project;
  guint            generation;
} InspectRequest;

static void
inspect_request_free (InspectRequest *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->launcher);
  g_clear_object (&request->project);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (InspectRequest, inspect_request_free)

void
_exitbox_window_show_toast (ExitboxWindow *self,
                            const char    *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_free (self->last_toast);
  self->last_toast = g_strdup (text);

  /* Toast titles are Pango markup, and paths may contain '&' or '<'. */
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

static void
exitbox_window_set_n_pending (ExitboxWindow *self,
                              guint          n_pending)
{
  gboolean was_refreshing = exitbox_window_get_refreshing (self);

  self->n_pending = n_pending;

  if (was_refreshing != exitbox_window_get_refreshing (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESHING]);
}

char *
_exitbox_window_dup_blocker (ExitboxWindow *self)
{
  if (exitbox_application_get_engine (self->app) == NULL)
    return g_strdup (_("No container engine was found."));

  if (exitbox_application_get_config (self->app) == NULL ||
      exitbox_application_get_config_error (self->app) != NULL)
    return g_strdup (_("config.yaml could not be read."));

  if (self->project == NULL)
    return g_strdup (_("Choose a project folder first."));

  return NULL;
}

static void
set_problem (AdwActionRow *row,
             const char   *message)
{
  gtk_widget_set_visible (GTK_WIDGET (row), message != NULL);
  adw_action_row_set_subtitle (row, message != NULL ? message : "");
}

static void
exitbox_window_update_problems (ExitboxWindow *self)
{
  const GError *setup_error = exitbox_application_get_setup_error (self->app);
  const GError *config_error = exitbox_application_get_config_error (self->app);
  const GError *engine_error = exitbox_application_get_engine_error (self->app);
  ExitboxAllowlist *allowlist = exitbox_application_get_allowlist (self->app);
  g_autofree char *config_message = NULL;
  gboolean allowlist_problem;
  gboolean any;

  if (config_error != NULL)
    config_message = g_strdup_printf (_("%s\nAfter fixing it, choose Retry."),
                                      config_error->message);

  set_problem (self->setup_problem_row, setup_error != NULL ? setup_error->message : NULL);
  set_problem (self->config_problem_row, config_message);
  set_problem (self->engine_problem_row, engine_error != NULL ? engine_error->message : NULL);
  /* On a first run the setup window is about to write the allowlist. */
  allowlist_problem = !exitbox_application_get_first_run (self->app) &&
                      exitbox_allowlist_get_status (allowlist) != EXITBOX_ALLOWLIST_STATUS_OK;
  set_problem (self->allowlist_problem_row,
               allowlist_problem ? exitbox_allowlist_get_problem (allowlist) : NULL);

  any = setup_error != NULL || config_error != NULL || engine_error != NULL || allowlist_problem;
  gtk_widget_set_visible (GTK_WIDGET (self->problems_group), any);
}

static void
exitbox_window_update_project (ExitboxWindow *self)
{
  if (self->project == NULL)
    {
      adw_view_switcher_title_set_subtitle (self->window_title, "");
      adw_button_content_set_label (self->project_button_content, _("Open Project"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->project_row),
                                     _("No Project Folder"));
      adw_action_row_set_subtitle (self->project_row,
                                   _("Agents work only in the folder you choose here. "
                                     "You can also drop a folder on this window."));
      return;
    }

  adw_view_switcher_title_set_subtitle (self->window_title, exitbox_project_get_path (self->project));
  adw_button_content_set_label (self->project_button_content,
                                exitbox_project_get_name (self->project));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->project_row),
                                 exitbox_project_get_name (self->project));
  adw_action_row_set_subtitle (self->project_row, exitbox_project_get_path (self->project));
}

static void
exitbox_window_update_new_session_menu (ExitboxWindow *self)
{
  ExitboxConfig *config = exitbox_application_get_config (self->app);
  g_autoptr(GMenu) agents_section = g_menu_new ();
  g_autoptr(GMenu) shell_section = g_menu_new ();
  g_autoptr(GMenuItem) shell_item = NULL;
  const ExitboxAgentInfo *agents;
  guint n_agents = 0;

  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    {
      g_autoptr(GMenuItem) item = NULL;

      if (!agents[i].installable || config == NULL ||
          !exitbox_config_get_agent_enabled (config, agents[i].id))
        continue;

      item = g_menu_item_new (agents[i].display_name, NULL);
      g_menu_item_set_action_and_target (item, "win.launch-agent", "s", agents[i].id);
      g_menu_append_item (agents_section, item);
    }

  shell_item = g_menu_item_new (_("Shell"), NULL);
  g_menu_item_set_action_and_target (shell_item, "win.launch-agent", "s", "shell");
  g_menu_append_item (shell_section, shell_item);

  g_menu_remove_all (self->new_session_menu);
  if (g_menu_model_get_n_items (G_MENU_MODEL (agents_section)) > 0)
    g_menu_append_section (self->new_session_menu, NULL, G_MENU_MODEL (agents_section));
  g_menu_append_section (self->new_session_menu, NULL, G_MENU_MODEL (shell_section));
}

#define RECENT_PROJECTS_MAX 8

static void
exitbox_window_profiles_changed_cb (ExitboxProfilePage   *page,
                                    const char           *text,
                                    gboolean              is_error,
                                    AdwPreferencesWindow *dialog)
{
  ExitboxWindow *self = EXITBOX_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  AdwToast *toast = adw_toast_new (text);

  if (is_error)
    adw_toast_set_timeout (toast, 0);
  adw_preferences_window_add_toast (dialog, toast);

  /* The agent rows show the project image as out of date until it is rebuilt. */
  _exitbox_window_queue_refresh (self);
}

ExitboxProfilePage *
exitbox_window_show_project_profiles (ExitboxWindow *self)
{
  ExitboxConfig *config;
  ExitboxProfilePage *page;
  GtkWidget *dialog;

  g_return_val_if_fail (EXITBOX_IS_WINDOW (self), NULL);

  config = exitbox_application_get_config (self->app);
  if (self->project == NULL || config == NULL)
    return NULL;

  dialog = adw_preferences_window_new ();
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_title (GTK_WINDOW (dialog), exitbox_project_get_name (self->project));
  adw_preferences_window_set_search_enabled (ADW_PREFERENCES_WINDOW (dialog), FALSE);

  page = exitbox_profile_page_new (self->project, config);
  g_signal_connect_object (page, "changed", G_CALLBACK (exitbox_window_profiles_changed_cb),
                           dialog, 0);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (dialog), ADW_PREFERENCES_PAGE (page));
  gtk_window_present (GTK_WINDOW (dialog));

  return page;
}

static void
exitbox_window_project_profiles_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  exitbox_window_show_project_profiles (EXITBOX_WINDOW (widget));
}

static void
exitbox_window_open_recent_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  exitbox_window_open_project (EXITBOX_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static int
compare_last_used (gconstpointer a,
                   gconstpointer b)
{
  const ExitboxProjectRecord *first = *(ExitboxProjectRecord * const *) a;
  const ExitboxProjectRecord *second = *(ExitboxProjectRecord * const *) b;

  return g_date_time_compare (second->last_used, first->last_used);
}

/* Lists the newest projects of the registry whose folders still exist. */
static void
exitbox_window_update_recent_menu (ExitboxWindow *self)
{
  g_autofree char *path = exitbox_project_registry_dup_path ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  guint n_items = 0;

  g_menu_remove_all (self->recent_menu);

  records = exitbox_project_registry_load (path, &error);
  if (records == NULL)
    {
      g_message ("Recent projects are not listed: %s", error->message);
      return;
    }

  g_ptr_array_sort (records, compare_last_used);

  for (guint i = 0; i < records->len && n_items < RECENT_PROJECTS_MAX; i++)
    {
      ExitboxProjectRecord *record = g_ptr_array_index (records, i);
      g_autofree char *label = NULL;
      g_autoptr(GMenuItem) item = NULL;

      if (!g_file_test (record->path, G_FILE_TEST_IS_DIR))
        continue;

      label = g_filename_display_name (record->path);
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target (item, "win.open-recent", "s", record->path);
      g_menu_append_item (self->recent_menu, item);
      n_items++;
    }

  if (n_items == 0)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_("No Recent Projects"), "win.no-recent");

      g_menu_append_item (self->recent_menu, item);
    }
}

static void
exitbox_window_update_launch_state (ExitboxWindow *self)
{
  ExitboxConfig *config = exitbox_application_get_config (self->app);
  g_autofree char *blocker = _exitbox_window_dup_blocker (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.launch-agent", blocker == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.project-profiles",
                                 self->project != NULL && config != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->new_session_button), blocker == NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->new_session_button),
                               blocker != NULL ? blocker : _("New Session"));

  for (guint i = 0; i < self->agent_rows->len; i++)
    {
      ExitboxAgentRow *row = g_ptr_array_index (self->agent_rows, i);

      exitbox_agent_row_set_config (row, config);
      exitbox_agent_row_set_blocker (row, blocker);
    }

  exitbox_window_update_new_session_menu (self);
  exitbox_window_update_recent_menu (self);
}

static void
exitbox_window_clear_image_states (ExitboxWindow *self,
                                   const char    *reason)
{
  for (guint i = 0; i < self->agent_rows->len; i++)
    exitbox_agent_row_clear_image_state (g_ptr_array_index (self->agent_rows, i), reason);
}

static void
exitbox_window_version_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(ExitboxWindow) self = user_data;
  ExitboxEngine *engine = EXITBOX_ENGINE (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  version = exitbox_engine_query_version_finish (engine, result, &error);
  exitbox_window_set_n_pending (self, self->n_pending - 1);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || engine != self->version_engine)
    return;

  if (version == NULL)
    {
      /* The status bar keeps the description without a version. */
      g_message ("Failed to query the version of %s: %s",
                 exitbox_engine_get_name (engine), error->message);
      return;
    }

  g_free (self->engine_version);
  self->engine_version = g_steal_pointer (&version);
  exitbox_status_bar_set_engine (self->status_bar, engine, self->engine_version);
}

/* One engine check; the window keeps only the result of its newest. */
typedef struct
{
  ExitboxWindow *self;
  guint          serial;
} EngineCheck;

static void
engine_check_free (EngineCheck *check)
{
  g_clear_object (&check->self);
  g_free (check);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EngineCheck, engine_check_free)

static void
exitbox_window_doctor_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(EngineCheck) check = user_data;
  ExitboxWindow *self = check->self;
  ExitboxEngine *engine = EXITBOX_ENGINE (source);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;

  problems = exitbox_doctor_check_finish (engine, result, &error);
  exitbox_window_set_n_pending (self, self->n_pending - 1);

  /* Only the newest check counts, because the engine may have changed
   * between two checks of the same engine object.
   */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      engine != self->version_engine || check->serial != self->engine_check_serial)
    return;

  /* Problems of an earlier check may no longer hold, so they go too. */
  if (problems == NULL)
    {
      g_message ("The engine check did not run: %s", error->message);
      g_clear_pointer (&self->engine_problems, g_ptr_array_unref);
      exitbox_status_bar_set_engine_problems (self->status_bar, NULL);
      return;
    }

  g_clear_pointer (&self->engine_problems, g_ptr_array_unref);
  self->engine_problems = g_steal_pointer (&problems);
  exitbox_status_bar_set_engine_problems (self->status_bar, self->engine_problems);
}

/* Runs the checks of `exitbox doctor` that need no test container, so that
 * the status bar can name a broken engine setup before a launch fails.
 */
static void
exitbox_window_check_engine (ExitboxWindow *self)
{
  EngineCheck *check;

  if (self->version_engine == NULL)
    {
      g_clear_pointer (&self->engine_problems, g_ptr_array_unref);
      exitbox_status_bar_set_engine_problems (self->status_bar, NULL);
      return;
    }

  check = g_new0 (EngineCheck, 1);
  check->self = g_object_ref (self);
  check->serial = ++self->engine_check_serial;

  exitbox_window_set_n_pending (self, self->n_pending + 1);
  exitbox_doctor_check_async (self->version_engine, NULL, self->cancellable,
                              exitbox_window_doctor_cb, check);
}

static void
exitbox_window_check_engine_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  exitbox_window_check_engine (EXITBOX_WINDOW (widget));
}

static void
exitbox_window_fix_engine_problem_action (GtkWidget  *widget,
                                          const char *action_name,
                                          GVariant   *parameter)
{
  ExitboxWindow *self = EXITBOX_WINDOW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  ExitboxDoctorProblem *problem = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; self->engine_problems != NULL && i < self->engine_problems->len; i++)
    {
      ExitboxDoctorProblem *candidate = g_ptr_array_index (self->engine_problems, i);

      if (g_str_equal (candidate->id, id))
        problem = candidate;
    }

  if (problem == NULL || self->version_engine == NULL)
    return;

  if (!exitbox_doctor_apply_fix (self->version_engine, problem, &error))
    {
      _exitbox_window_show_toast (self, error->message);
      return;
    }

  _exitbox_window_show_toast (self, _("Fixed. The engine is checked again."));
  exitbox_window_check_engine (self);
}

static void
exitbox_window_inspect_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(InspectRequest) request = user_data;
  ExitboxWindow *self = request->self;
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autoptr(GError) error = NULL;
  ExitboxImageBuilder *builder;
  const char *project_key;

  inspection = exitbox_engine_inspect_finish (EXITBOX_ENGINE (source), result, &error);
  exitbox_window_set_n_pending (self, self->n_pending - 1);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      request->generation != self->generation)
    return;

  if (inspection == NULL)
    {
      g_warning ("Failed to inspect the images and the firewall: %s", error->message);
      exitbox_status_bar_set_firewall_unknown (self->status_bar, error->message);
      exitbox_window_clear_image_states (self, request->project != NULL ? error->message : NULL);
      return;
    }

  exitbox_status_bar_set_firewall_state (self->status_bar,
                                         exitbox_firewall_get_state (exitbox_launcher_get_firewall (request->launcher),
                                                                     inspection));

  if (request->project == NULL)
    return;

  builder = exitbox_launcher_get_image_builder (request->launcher);
  project_key = exitbox_project_get_key (request->project);

  for (guint i = 0; i < self->agent_rows->len; i++)
    {
      ExitboxAgentRow *row = g_ptr_array_index (self->agent_rows, i);
      const char *agent_id = exitbox_agent_row_get_agent_id (row);
      ExitboxImageState state;

      state = exitbox_image_builder_get_state (builder, inspection, agent_id, project_key);
      exitbox_agent_row_set_image_state (row, state,
                                         exitbox_image_builder_get_agent_version (builder,
                                                                                  inspection,
                                                                                  agent_id));
    }
}

static void
add_unique_names (GPtrArray          *names,
                  GHashTable         *seen,
                  const char * const *add)
{
  for (guint i = 0; add != NULL && add[i] != NULL; i++)
    {
      if (g_hash_table_add (seen, g_strdup (add[i])))
        g_ptr_array_add (names, g_strdup (add[i]));
    }
}

/* Starts one engine inspect for the firewall and, with a project, for every
 * agent's images, so a refresh costs a single engine call.
 */
static void
exitbox_window_start_inspect (ExitboxWindow *self)
{
  ExitboxEngine *engine = exitbox_application_get_engine (self->app);
  ExitboxLauncher *launcher = exitbox_application_get_launcher (self->app);
  g_autoptr(GPtrArray) names = g_ptr_array_new_null_terminated (8, g_free, TRUE);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  InspectRequest *request;

  if (engine == NULL || launcher == NULL)
    {
      exitbox_status_bar_set_firewall_unknown (self->status_bar, NULL);
      exitbox_window_clear_image_states (self, NULL);
      return;
    }

  add_unique_names (names, seen, exitbox_firewall_get_inspect_names ());

  if (self->project != NULL)
    {
      ExitboxImageBuilder *builder = exitbox_launcher_get_image_builder (launcher);

      for (guint i = 0; i < self->agent_rows->len; i++)
        {
          ExitboxAgentRow *row = g_ptr_array_index (self->agent_rows, i);
          g_auto(GStrv) agent_names = NULL;

          agent_names = exitbox_image_builder_dup_inspect_names (builder,
                                                                 exitbox_agent_row_get_agent_id (row),
                                                                 exitbox_project_get_key (self->project));
          add_unique_names (names, seen, (const char * const *) agent_names);
        }
    }
  else
    {
      exitbox_window_clear_image_states (self, NULL);
    }

  request = g_new0 (InspectRequest, 1);
  request->self = g_object_ref (self);
  request->launcher = g_object_ref (launcher);
  request->project = self->project != NULL ? g_object_ref (self->project) : NULL;
  request->generation = self->generation;

  exitbox_window_set_n_pending (self, self->n_pending + 1);
  exitbox_engine_inspect_async (engine,
                                (const char * const *) names->pdata,
                                self->cancellable,
                                exitbox_window_inspect_cb,
                                request);
}

static void
exitbox_window_update_engine (ExitboxWindow *self)
{
  ExitboxEngine *engine = exitbox_application_get_engine (self->app);

  if (engine != self->version_engine)
    {
      g_autofree char *old_program = self->version_engine != NULL
                                     ? g_strdup (exitbox_engine_get_program (self->version_engine))
                                     : NULL;

      g_set_object (&self->version_engine, engine);
      g_clear_pointer (&self->engine_version, g_free);

      if (engine != NULL)
        {
          exitbox_window_set_n_pending (self, self->n_pending + 1);
          exitbox_engine_query_version_async (engine, self->cancellable,
                                              exitbox_window_version_cb,
                                              g_object_ref (self));
        }

      /* Problems of another engine program do not apply to this one. A
       * reload makes a new object for the same program, whose problems
       * stay until its check replaces them, so the status bar does not
       * flicker.
       */
      if (engine == NULL || old_program == NULL ||
          g_strcmp0 (old_program, exitbox_engine_get_program (engine)) != 0)
        {
          g_clear_pointer (&self->engine_problems, g_ptr_array_unref);
          exitbox_status_bar_set_engine_problems (self->status_bar, NULL);
        }
    }

  /* The engine can change without a new engine object: the user may fix
   * it in a terminal. Each refresh (a reload, a project, a session that
   * ended, the window coming back into focus) checks it again.
   */
  exitbox_window_check_engine (self);

  exitbox_status_bar_set_engine (self->status_bar, engine, self->engine_version);
}

static void
exitbox_window_refresh (ExitboxWindow *self)
{
  self->generation++;
  self->last_refresh_time = g_get_monotonic_time ();

  exitbox_window_update_problems (self);
  exitbox_window_update_project (self);
  exitbox_window_update_launch_state (self);

  exitbox_status_bar_set_allowlist (self->status_bar, exitbox_application_get_allowlist (self->app));
  exitbox_status_bar_set_n_sessions (self->status_bar, exitbox_window_get_n_active_sessions (self));

  exitbox_window_update_engine (self);
  exitbox_window_start_inspect (self);
}

static gboolean
exitbox_window_refresh_idle_cb (gpointer user_data)
{
  ExitboxWindow *self = user_data;

  /* The source id stays set until the refresh started its queries, so
   * "refreshing" does not flicker.
   */
  exitbox_window_refresh (self);
  self->refresh_source = 0;

  if (!exitbox_window_get_refreshing (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESHING]);

  return G_SOURCE_REMOVE;
}

/* Several changes in one main loop iteration (a reload, a project, a session
 * ending) cost one refresh.
 */
void
_exitbox_window_queue_refresh (ExitboxWindow *self)
{
  if (self->refresh_source != 0)
    return;

  self->refresh_source = g_idle_add (exitbox_window_refresh_idle_cb, self);
  if (self->n_pending == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESHING]);
}

void
exitbox_window_open_project (ExitboxWindow *self,
                             const char    *path)
{
  g_autoptr(ExitboxProject) project = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (EXITBOX_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  project = exitbox_project_new (path, &error);
  if (project != NULL && !exitbox_project_check_safe (project, &error))
    g_clear_object (&project);
  if (project == NULL)
    {
      g_message ("Rejected project folder %s: %s", path, error->message);
      _exitbox_window_show_toast (self, error->message);
      return;
    }

  if (self->project != NULL &&
      g_strcmp0 (exitbox_project_get_path (self->project),
                 exitbox_project_get_path (project)) == 0)
    return;

  g_set_object (&self->project, project);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);

  /* Launching is possible at once; the image states follow with the refresh. */
  exitbox_window_update_launch_state (self);
  _exitbox_window_queue_refresh (self);
}

static void
exitbox_window_chooser_response_cb (ExitboxWindow        *self,
                                    int                   response,
                                    GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    path = g_file_get_path (file);

  g_clear_object (&self->chooser);

  if (path != NULL)
    exitbox_window_open_project (self, path);
}

static void
exitbox_window_choose_project_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  ExitboxWindow *self = EXITBOX_WINDOW (widget);

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }

  self->chooser = gtk_file_chooser_native_new (_("Choose Project Folder"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Open"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  if (self->project != NULL)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (exitbox_project_get_path (self->project));

      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
    }

  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (exitbox_window_chooser_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static gboolean
exitbox_window_drop_cb (ExitboxWindow *self,
                        const GValue  *value,
                        double         x,
                        double         y)
{
  GFile *file;
  g_autofree char *path = NULL;

  if (!G_VALUE_HOLDS (value, G_TYPE_FILE))
    return FALSE;

  file = g_value_get_object (value);
  path = g_file_get_path (file);

  if (path == NULL ||
      g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
    {
      g_autofree char *name = g_file_get_parse_name (file);
      g_autofree char *message = g_strdup_printf (_("“%s” is not a folder. Drop a project "
                                                    "folder to open it."),
                                                  name);

      _exitbox_window_show_toast (self, message);
      return FALSE;
    }

  exitbox_window_open_project (self, path);
  return TRUE;
}

static void
exitbox_window_add_agent_rows (ExitboxWindow *self)
{
  const ExitboxAgentInfo *agents;
  guint n_agents = 0;

  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    {
      GtkWidget *row = exitbox_agent_row_new (&agents[i]);

      adw_preferences_group_add (self->agents_group, row);
      g_ptr_array_add (self->agent_rows, row);
    }
}

/* GtkWindow:application is set after construction, so the window fills
 * itself when it learns its application.
 */
/* Users fix the engine or edit files in a terminal and come back, so a
 * window that gets the focus refreshes, at most once per interval.
 */
static void
exitbox_window_is_active_cb (ExitboxWindow *self)
{
  if (!gtk_window_is_active (GTK_WINDOW (self)) ||
      g_get_monotonic_time () - self->last_refresh_time < FOCUS_REFRESH_INTERVAL_SECONDS * G_USEC_PER_SEC)
    return;

  _exitbox_window_queue_refresh (self);
}

static void
exitbox_window_application_set_cb (ExitboxWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  g_autofree char *message = NULL;

  if (self->app != NULL || application == NULL)
    return;

  g_return_if_fail (EXITBOX_IS_APPLICATION (application));

  self->app = g_object_ref (EXITBOX_APPLICATION (application));
  g_signal_connect_object (self->app, "reloaded",
                           G_CALLBACK (_exitbox_window_queue_refresh),
                           self, G_CONNECT_SWAPPED);

  exitbox_window_add_agent_rows (self);
  exitbox_window_refresh (self);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (exitbox_window_is_active_cb), NULL);

  if (exitbox_application_get_wrote_defaults (self->app))
    {
      message = g_strdup_printf (_("Default settings were written to %s"),
                                 exitbox_application_get_config_dir (self->app));
      _exitbox_window_show_toast (self, message);
    }
}

static void
exitbox_window_dispose (GObject *object)
{
  ExitboxWindow *self = EXITBOX_WINDOW (object);

  /* Results that arrive after this point are stale and dropped. */
  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), EXITBOX_TYPE_WINDOW);

  g_clear_pointer (&self->agent_rows, g_ptr_array_unref);
  g_clear_object (&self->new_session_menu);
  g_clear_object (&self->recent_menu);
  g_clear_object (&self->project);
  g_clear_object (&self->version_engine);
  g_clear_object (&self->app);

  G_OBJECT_CLASS (exitbox_window_parent_class)->dispose (object);
}

static void
exitbox_window_finalize (GObject *object)
{
  ExitboxWindow *self = EXITBOX_WINDOW (object);

  g_clear_pointer (&self->engine_version, g_free);
  g_clear_pointer (&self->engine_problems, g_ptr_array_unref);
  g_clear_pointer (&self->last_toast, g_free);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (exitbox_window_parent_class)->finalize (object);
}

static void
exitbox_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ExitboxWindow *self = EXITBOX_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_REFRESHING:
      g_value_set_boolean (value, exitbox_window_get_refreshing (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
exitbox_window_class_init (ExitboxWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = exitbox_window_dispose;
  object_class->finalize = exitbox_window_finalize;
  object_class->get_property = exitbox_window_get_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         EXITBOX_TYPE_PROJECT,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REFRESHING] =
    g_param_spec_boolean ("refreshing", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (EXITBOX_TYPE_STATUS_BAR);

  exitbox_desktop_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/exitbox/ExitBox/ui/exitbox-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, project_split_button);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, project_button_content);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, new_session_button);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, tab_bar);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, tab_view);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, sessions_page);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, problems_group);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, setup_problem_row);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, config_problem_row);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, engine_problem_row);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, allowlist_problem_row);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, project_row);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, agents_group);
  gtk_widget_class_bind_template_child (widget_class, ExitboxWindow, status_bar);

  gtk_widget_class_install_action (widget_class, "win.choose-project", NULL,
                                   exitbox_window_choose_project_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s",
                                   exitbox_window_open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.project-profiles", NULL,
                                   exitbox_window_project_profiles_action);
  gtk_widget_class_install_action (widget_class, "win.check-engine", NULL,
                                   exitbox_window_check_engine_action);
  gtk_widget_class_install_action (widget_class, "win.fix-engine-problem", "s",
                                   exitbox_window_fix_engine_problem_action);

  _exitbox_window_class_init_sessions (klass);
  _exitbox_window_class_init_builds (klass);
}

static void
exitbox_window_init (ExitboxWindow *self)
{
  GtkDropTarget *drop_target;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->agent_rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  self->new_session_menu = g_menu_new ();
  gtk_menu_button_set_menu_model (self->new_session_button,
                                  G_MENU_MODEL (self->new_session_menu));
  self->recent_menu = g_menu_new ();
  adw_split_button_set_menu_model (self->project_split_button, G_MENU_MODEL (self->recent_menu));

  g_signal_connect (self, "notify::application",
                    G_CALLBACK (exitbox_window_application_set_cb), NULL);

  drop_target = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect_object (drop_target, "drop",
                           G_CALLBACK (exitbox_window_drop_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop_target));

  _exitbox_window_init_sessions (self);
}

ExitboxWindow *
exitbox_window_new (ExitboxApplication *application)
{
  g_return_val_if_fail (EXITBOX_IS_APPLICATION (application), NULL);

  return g_object_new (EXITBOX_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

ExitboxProject *
exitbox_window_get_project (ExitboxWindow *self)
{
  g_return_val_if_fail (EXITBOX_IS_WINDOW (self), NULL);

  return self->project;
}

gboolean
exitbox_window_get_refreshing (ExitboxWindow *self)
{
  g_return_val_if_fail (EXITBOX_IS_WINDOW (self), FALSE);

  return self->n_pending > 0 || self->refresh_source != 0;
}

ExitboxAgentRow *
exitbox_window_get_agent_row (ExitboxWindow *self,
                              const char    *agent_id)
{
  g_return_val_if_fail (EXITBOX_IS_WINDOW (self), NULL);
  g_return_val_if_fail (agent_id != NULL, NULL);

  for (guint i = 0; i < self->agent_rows->len; i++)
    {
      ExitboxAgentRow *row = g_ptr_array_index (self->agent_rows, i);

      if (g_str_equal (exitbox_agent_row_get_agent_id (row), agent_id))
        return row;
    }

  return NULL;
}

ExitboxStatusBar *
exitbox_window_get_status_bar (ExitboxWindow *self)
{
  g_return_val_if_fail (EXITBOX_IS_WINDOW (self), NULL);

  return self->status_bar;
}

const char *
exitbox_window_get_view (ExitboxWindow *self)
{
  g_return_val_if_fail (EXITBOX_IS_WINDOW (self), NULL);

  return adw_view_stack_get_visible_child_name (self->main_stack);
}

void
exitbox_window_set_view (ExitboxWindow *self,
                         const char    *name)
{
  g_return_if_fail (EXITBOX_IS_WINDOW (self));
  g_return_if_fail (g_strcmp0 (name, "agents") == 0 || g_strcmp0 (name, "sessions") == 0);

  adw_view_stack_set_visible_child_name (self->main_stack, name);
}

const char *
exitbox_window_get_last_toast (ExitboxWindow *self)
{
  g_return_val_if_fail (EXITBOX_IS_WINDOW (self), NULL);

  return self->last_toast;
}

AdwTabBar *
exitbox_window_get_tab_bar (ExitboxWindow *self)
{
  g_return_val_if_fail (EXITBOX_IS_WINDOW (self), NULL);

  return self->tab_bar;
}

AdwTabView *
exitbox_window_get_tab_view (ExitboxWindow *self)
{
  g_return_val_if_fail (EXITBOX_IS_WINDOW (self), NULL);

  return self->tab_view;
}

GStrv
exitbox_window_dup_problems (ExitboxWindow *self)
{
  AdwActionRow *rows[] = {
    self->setup_problem_row,
    self->config_problem_row,
    self->engine_problem_row,
    self->allowlist_problem_row,
  };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (EXITBOX_IS_WINDOW (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      if (gtk_widget_get_visible (GTK_WIDGET (rows[i])))
        g_strv_builder_add (builder, adw_action_row_get_subtitle (rows[i]));
    }

  return g_strv_builder_end (builder);
}

GMenuModel *
exitbox_window_get_recent_menu (ExitboxWindow *self)
{
  g_return_val_if_fail (EXITBOX_IS_WINDOW (self), NULL);

  return G_MENU_MODEL (self->recent_menu);
}
