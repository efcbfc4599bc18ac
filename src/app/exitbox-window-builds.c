/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * The agent list's own actions: building an agent's images for the current
 * project without starting a session, and enabling or disabling an agent.
 */

#define G_LOG_DOMAIN "exitbox-window"

#include <glib/gi18n.h>

#include "exitbox-agent-row.h"
#include "exitbox-window-private.h"

typedef struct
{
  GWeakRef             window;
  ExitboxAgentRow     *row;
  ExitboxImageBuilder *builder;
  gulong               progress_id;
  gulong               output_id;
  guint                pulse_source;
  char                *agent_name;
} BuildJob;

static void
build_job_free (BuildJob *job)
{
  g_clear_signal_handler (&job->progress_id, job->builder);
  g_clear_signal_handler (&job->output_id, job->builder);
  g_clear_handle_id (&job->pulse_source, g_source_remove);
  g_weak_ref_clear (&job->window);
  g_clear_object (&job->row);
  g_clear_object (&job->builder);
  g_free (job->agent_name);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuildJob, build_job_free)

static ExitboxAgentRow *
find_agent_row (ExitboxWindow *self,
                const char    *agent_id)
{
  for (guint i = 0; i < self->agent_rows->len; i++)
    {
      ExitboxAgentRow *row = g_ptr_array_index (self->agent_rows, i);

      if (g_str_equal (exitbox_agent_row_get_agent_id (row), agent_id))
        return row;
    }

  return NULL;
}

/* Builds of other agents and of sessions emit on the same builder. A row
 * shows every step, because any of them delays its own build.
 */
static void
build_progress_cb (ExitboxImageBuilder *builder,
                   const char          *layer,
                   const char          *message,
                   BuildJob            *job)
{
  exitbox_agent_row_set_building (job->row, message);
}

static void
build_output_cb (ExitboxImageBuilder *builder,
                 const char          *line,
                 BuildJob            *job)
{
  exitbox_agent_row_append_log (job->row, line);
}

static gboolean
build_pulse_cb (gpointer user_data)
{
  BuildJob *job = user_data;

  if (exitbox_agent_row_get_building (job->row))
    exitbox_agent_row_set_building (job->row, NULL);

  return G_SOURCE_CONTINUE;
}

static void
notify_build_result (ExitboxWindow *self,
                     BuildJob      *job,
                     const GError  *error)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;

  if (error == NULL)
    {
      /* Translators: %s is an agent, such as Claude Code */
      title = g_strdup_printf (_("%s Image Built"), job->agent_name);
      notification = g_notification_new (title);
    }
  else
    {
      /* Translators: %s is an agent, such as Claude Code */
      title = g_strdup_printf (_("%s Image Build Failed"), job->agent_name);
      notification = g_notification_new (title);
      g_notification_set_body (notification, error->message);
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
    }

  exitbox_application_notify (self->app, "agent-build", notification);
}

static void
build_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BuildJob) job = user_data;
  g_autoptr(ExitboxWindow) self = g_weak_ref_get (&job->window);
  g_autoptr(GError) error = NULL;
  gboolean built;

  if (g_async_result_is_tagged (result, exitbox_image_builder_rebuild_async))
    built = exitbox_image_builder_rebuild_finish (job->builder, result, &error);
  else
    built = exitbox_image_builder_ensure_finish (job->builder, result, &error);

  exitbox_agent_row_finish_building (job->row, built ? NULL : error->message);
  if (self == NULL)
    return;

  notify_build_result (self, job, built ? NULL : error);

  /* A failure stays on the row; a success shows the new state. */
  if (built)
    _exitbox_window_queue_refresh (self);
}

/* Build (image missing or out of date) builds what is needed; Rebuild (image
 * built) builds the agent's layers again with its latest release.
 */
static void
exitbox_window_build_agent_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  ExitboxWindow *self = EXITBOX_WINDOW (widget);
  const char *agent_id = g_variant_get_string (parameter, NULL);
  ExitboxLauncher *launcher = exitbox_application_get_launcher (self->app);
  ExitboxAgentRow *row = find_agent_row (self, agent_id);
  g_autofree char *blocker = _exitbox_window_dup_blocker (self);
  const char *project_key;
  ExitboxImageState state;
  gboolean state_known;
  BuildJob *job;

  if (row == NULL || exitbox_agent_row_get_building (row))
    return;

  if (blocker != NULL || launcher == NULL)
    {
      _exitbox_window_show_toast (self, blocker != NULL ? blocker
                                                        : _("No container engine was found."));
      return;
    }

  project_key = exitbox_project_get_key (self->project);
  state = exitbox_agent_row_get_image_state (row, &state_known);

  job = g_new0 (BuildJob, 1);
  g_weak_ref_init (&job->window, self);
  job->row = g_object_ref (row);
  job->builder = g_object_ref (exitbox_launcher_get_image_builder (launcher));
  job->agent_name = g_strdup (exitbox_agent_lookup (agent_id)->display_name);
  job->progress_id = g_signal_connect (job->builder, "progress",
                                       G_CALLBACK (build_progress_cb), job);
  job->output_id = g_signal_connect (job->builder, "output", G_CALLBACK (build_output_cb), job);
  job->pulse_source = g_timeout_add (250, build_pulse_cb, job);

  exitbox_agent_row_clear_log (row);
  exitbox_agent_row_set_building (row, NULL);

  if (state_known && state == EXITBOX_IMAGE_STATE_BUILT)
    exitbox_image_builder_rebuild_async (job->builder, agent_id, project_key, NULL,
                                         build_done_cb, job);
  else
    exitbox_image_builder_ensure_async (job->builder, NULL, agent_id, project_key, NULL,
                                        build_done_cb, job);
}

static void
exitbox_window_set_agent_enabled_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  ExitboxWindow *self = EXITBOX_WINDOW (widget);
  g_autofree char *config_path = g_build_filename (exitbox_application_get_config_dir (self->app),
                                                   "config.yaml", NULL);
  g_autoptr(GError) error = NULL;
  const char *agent_id;
  gboolean enabled;
  gboolean changed;

  g_variant_get (parameter, "(&sb)", &agent_id, &enabled);

  /* The file monitor reloads the settings, and with them every row. */
  if (!exitbox_config_set_agent_enabled_in_file (config_path, agent_id, enabled, &changed, &error))
    {
      _exitbox_window_show_toast (self, error->message);
      _exitbox_window_queue_refresh (self);
    }
}

void
_exitbox_window_class_init_builds (ExitboxWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.build-agent", "s",
                                   exitbox_window_build_agent_action);
  gtk_widget_class_install_action (widget_class, "win.set-agent-enabled", "(sb)",
                                   exitbox_window_set_agent_enabled_action);
}
