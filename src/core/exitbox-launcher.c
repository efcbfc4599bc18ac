/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "exitbox-agent.h"
#include "exitbox-launch-plan.h"
#include "exitbox-launcher.h"
#include "exitbox-paths.h"

struct _ExitboxLauncher
{
  GObject              parent_instance;

  ExitboxEngine       *engine;
  ExitboxConfig       *config;
  ExitboxAllowlist    *allowlist;
  ExitboxImageBuilder *images;
  ExitboxFirewall     *firewall;
};

G_DEFINE_FINAL_TYPE (ExitboxLauncher, exitbox_launcher, G_TYPE_OBJECT)

typedef struct
{
  char              *agent_id;         /* the agent whose image runs */
  gboolean           shell;
  ExitboxProject    *project;
  char             **args;
  gboolean           read_only;
  gboolean           interactive;
  gboolean           no_firewall;
  GPtrArray         *allow_entries;    /* element type ExitboxAllowlistEntry */
  char              *container_name;
  ExitboxInspection *inspection;
  char             **inspect_names;
  gboolean           built;
} PrepareData;

static void
prepare_data_free (PrepareData *data)
{
  g_free (data->agent_id);
  g_clear_object (&data->project);
  g_strfreev (data->args);
  g_clear_pointer (&data->allow_entries, g_ptr_array_unref);
  g_free (data->container_name);
  g_clear_object (&data->inspection);
  g_strfreev (data->inspect_names);
  g_free (data);
}

void
exitbox_launch_plan_free (ExitboxLaunchPlan *plan)
{
  if (plan == NULL)
    return;

  g_strfreev (plan->argv);
  g_free (plan->container_name);
  g_strfreev (plan->warnings);
  g_free (plan->session_address);
  g_free (plan);
}

static void
exitbox_launcher_dispose (GObject *object)
{
  ExitboxLauncher *self = EXITBOX_LAUNCHER (object);

  g_clear_object (&self->firewall);
  g_clear_object (&self->images);
  g_clear_object (&self->allowlist);
  g_clear_object (&self->config);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (exitbox_launcher_parent_class)->dispose (object);
}

static void
exitbox_launcher_class_init (ExitboxLauncherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = exitbox_launcher_dispose;
}

static void
exitbox_launcher_init (ExitboxLauncher *self)
{
}

ExitboxLauncher *
exitbox_launcher_new (ExitboxEngine    *engine,
                      ExitboxConfig    *config,
                      ExitboxAllowlist *allowlist)
{
  ExitboxLauncher *self;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (EXITBOX_IS_CONFIG (config), NULL);
  g_return_val_if_fail (EXITBOX_IS_ALLOWLIST (allowlist), NULL);

  self = g_object_new (EXITBOX_TYPE_LAUNCHER, NULL);
  self->engine = g_object_ref (engine);
  self->config = g_object_ref (config);
  self->allowlist = g_object_ref (allowlist);
  self->images = exitbox_image_builder_new (engine, config);
  self->firewall = exitbox_firewall_new (engine, self->images);

  return self;
}

ExitboxEngine *
exitbox_launcher_get_engine (ExitboxLauncher *self)
{
  g_return_val_if_fail (EXITBOX_IS_LAUNCHER (self), NULL);

  return self->engine;
}

ExitboxImageBuilder *
exitbox_launcher_get_image_builder (ExitboxLauncher *self)
{
  g_return_val_if_fail (EXITBOX_IS_LAUNCHER (self), NULL);

  return self->images;
}

ExitboxFirewall *
exitbox_launcher_get_firewall (ExitboxLauncher *self)
{
  g_return_val_if_fail (EXITBOX_IS_LAUNCHER (self), NULL);

  return self->firewall;
}

const char *
exitbox_launcher_get_shell_agent (ExitboxLauncher *self)
{
  const ExitboxAgentInfo *agents;
  guint n_agents;

  g_return_val_if_fail (EXITBOX_IS_LAUNCHER (self), NULL);

  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    {
      if (agents[i].installable && exitbox_config_get_agent_enabled (self->config, agents[i].id))
        return agents[i].id;
    }

  return "claude";
}

static gboolean
no_firewall_requested_by_environment (void)
{
  const char *value = g_getenv ("EXITBOX_NO_FIREWALL");

  if (value == NULL || value[0] == '\0')
    return FALSE;

  return !(g_str_equal (value, "0") || g_ascii_strcasecmp (value, "false") == 0 ||
           g_ascii_strcasecmp (value, "no") == 0);
}

/* cgroup v2 exposes cgroup.controllers at the root of the hierarchy. */
static gboolean
host_has_cgroup_v2 (void)
{
  return g_file_test ("/sys/fs/cgroup/cgroup.controllers", G_FILE_TEST_EXISTS);
}

static char **
collect_inspect_names (ExitboxLauncher *self,
                       const char      *agent_id,
                       const char      *project_key)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) image_names = NULL;
  const char * const *firewall_names;

  image_names = exitbox_image_builder_dup_inspect_names (self->images, agent_id, project_key);
  g_strv_builder_addv (builder, (const char **) image_names);

  if (!g_strv_contains ((const char * const *) image_names, EXITBOX_IMAGE_PROXY))
    g_strv_builder_add (builder, EXITBOX_IMAGE_PROXY);

  firewall_names = exitbox_firewall_get_inspect_names ();
  g_strv_builder_addv (builder, (const char **) firewall_names);

  return g_strv_builder_end (builder);
}

static ExitboxLaunchPlan *
build_plan (ExitboxLauncher *self,
            PrepareData     *data,
            const char      *proxy_address,
            const char      *session_address)
{
  const ExitboxAgentInfo *agent = exitbox_agent_lookup (data->agent_id);
  ExitboxLaunchOptions options = { 0 };
  g_autoptr(GStrvBuilder) warnings = g_strv_builder_new ();
  g_autoptr(GPtrArray) command = g_ptr_array_new ();
  g_autofree char *image = NULL;
  g_auto(GStrv) run_args = NULL;
  ExitboxLaunchPlan *plan;
  gboolean limits_apply;

  image = exitbox_image_dup_project_name (data->agent_id, exitbox_project_get_key (data->project));

  if (!data->shell)
    g_ptr_array_add (command, (gpointer) agent->command);
  for (guint i = 0; data->args != NULL && data->args[i] != NULL; i++)
    g_ptr_array_add (command, data->args[i]);
  g_ptr_array_add (command, NULL);

  /* Rootless podman cannot apply resource limits on cgroup v1 and warns on
   * every run, so leave them out and warn once.
   */
  limits_apply = !exitbox_engine_get_rootless (self->engine) || host_has_cgroup_v2 ();
  if (!limits_apply)
    g_strv_builder_add (warnings,
                        _("Memory, CPU and process limits are not applied: rootless podman "
                          "cannot enforce them on this host’s cgroup v1 hierarchy."));

  if (data->no_firewall)
    g_strv_builder_add (warnings,
                        _("THE FIREWALL IS OFF for this session. The agent can reach every "
                          "address on the internet and on your local network, and the allowlist "
                          "does not apply. Launch without -f/--no-firewall, with "
                          "EXITBOX_NO_FIREWALL unset and settings.default_flags.no_firewall "
                          "false to turn it back on."));
  else if (exitbox_allowlist_get_problem (self->allowlist) != NULL)
    g_strv_builder_add (warnings, exitbox_allowlist_get_problem (self->allowlist));

  options.engine_kind = exitbox_engine_get_kind (self->engine);
  options.rootless = exitbox_engine_get_rootless (self->engine);
  options.uid = getuid ();
  options.gid = getgid ();
  options.image = image;
  options.container_name = data->container_name;
  options.project_path = exitbox_project_get_path (data->project);
  options.read_only = data->read_only;
  options.interactive = data->interactive;
  options.proxy_address = proxy_address;
  options.address = session_address;
  options.no_firewall = data->no_firewall;
  options.memory = limits_apply ? exitbox_config_get_memory (self->config) : NULL;
  options.cpus = limits_apply ? exitbox_config_get_cpus (self->config) : NULL;
  options.pids_limit = limits_apply ? EXITBOX_DEFAULT_PIDS_LIMIT : 0;
  options.agent_id = data->shell ? NULL : data->agent_id;
  options.command = command->len > 1 ? (const char * const *) command->pdata : NULL;

  run_args = exitbox_launch_build_run_args (&options);

  plan = g_new0 (ExitboxLaunchPlan, 1);
  plan->argv = exitbox_engine_build_argv (self->engine, (const char * const *) run_args);
  plan->container_name = g_strdup (data->container_name);
  plan->warnings = g_strv_builder_end (warnings);
  plan->session_address = g_strdup (session_address);

  return plan;
}

static void
prepare_firewall_ready (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  ExitboxFirewall *firewall = EXITBOX_FIREWALL (object);
  g_autoptr(GTask) task = user_data;
  ExitboxLauncher *self = g_task_get_source_object (task);
  PrepareData *data = g_task_get_task_data (task);
  g_autofree char *proxy_address = NULL;
  g_autofree char *session_address = NULL;
  GError *error = NULL;

  proxy_address = exitbox_firewall_ensure_session_finish (firewall, result, &session_address,
                                                          &error);
  if (proxy_address == NULL)
    {
      g_prefix_error (&error, _("Failed to start the firewall: "));
      g_task_return_error (task, error);
      return;
    }

  /* Nobody will run the container or end the session, so free its address. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      exitbox_firewall_end_session_async (firewall, data->container_name, NULL, NULL, NULL);
      g_task_return_error_if_cancelled (task);
      return;
    }

  g_task_return_pointer (task, build_plan (self, data, proxy_address, session_address),
                         (GDestroyNotify) exitbox_launch_plan_free);
}

static void
prepare_firewall (GTask *task)
{
  ExitboxLauncher *self = g_task_get_source_object (task);
  PrepareData *data = g_task_get_task_data (task);

  if (data->no_firewall)
    {
      g_task_return_pointer (task, build_plan (self, data, NULL, NULL),
                             (GDestroyNotify) exitbox_launch_plan_free);
      return;
    }

  exitbox_firewall_ensure_session_async (self->firewall,
                                         data->inspection,
                                         self->allowlist,
                                         data->container_name,
                                         data->allow_entries,
                                         g_task_get_cancellable (task),
                                         prepare_firewall_ready,
                                         g_object_ref (task));
}

static void prepare_inspect_ready (GObject      *object,
                                   GAsyncResult *result,
                                   gpointer      user_data);

static void
prepare_images_ready (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  ExitboxImageBuilder *images = EXITBOX_IMAGE_BUILDER (object);
  g_autoptr(GTask) task = user_data;
  ExitboxLauncher *self = g_task_get_source_object (task);
  PrepareData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!exitbox_image_builder_ensure_finish (images, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* The builds changed image IDs; look again before starting the proxy. */
  data->built = TRUE;
  exitbox_engine_inspect_async (self->engine,
                                (const char * const *) data->inspect_names,
                                g_task_get_cancellable (task),
                                prepare_inspect_ready,
                                g_object_ref (task));
}

static void
prepare_inspect_ready (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  ExitboxEngine *engine = EXITBOX_ENGINE (object);
  g_autoptr(GTask) task = user_data;
  ExitboxLauncher *self = g_task_get_source_object (task);
  PrepareData *data = g_task_get_task_data (task);
  GError *error = NULL;
  ExitboxImageState state;

  g_clear_object (&data->inspection);
  data->inspection = exitbox_engine_inspect_finish (engine, result, &error);
  if (data->inspection == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  state = exitbox_image_builder_get_state (self->images, data->inspection, data->agent_id,
                                           exitbox_project_get_key (data->project));

  if (!data->built &&
      (state != EXITBOX_IMAGE_STATE_BUILT ||
       !exitbox_image_builder_proxy_is_current (self->images, data->inspection)))
    {
      exitbox_image_builder_ensure_async (self->images,
                                          data->inspection,
                                          data->agent_id,
                                          exitbox_project_get_key (data->project),
                                          g_task_get_cancellable (task),
                                          prepare_images_ready,
                                          g_object_ref (task));
      return;
    }

  prepare_firewall (task);
}

void
exitbox_launcher_prepare_async (ExitboxLauncher            *self,
                                const ExitboxLaunchRequest *request,
                                GCancellable               *cancellable,
                                GAsyncReadyCallback         callback,
                                gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;
  const ExitboxAgentInfo *agent;
  PrepareData *data;

  g_return_if_fail (EXITBOX_IS_LAUNCHER (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (EXITBOX_IS_PROJECT (request->project));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, exitbox_launcher_prepare_async);

  if (!request->force)
    {
      GError *error = NULL;

      if (!exitbox_project_check_safe (request->project, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }

  if (request->agent_id != NULL)
    {
      agent = exitbox_agent_lookup (request->agent_id);
      if (agent == NULL)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   _("Unknown agent “%s”. The agents are claude, codex and opencode."),
                                   request->agent_id);
          return;
        }

      if (!exitbox_config_get_agent_enabled (self->config, agent->id))
        {
          g_autofree char *config_dir = exitbox_dup_config_dir ();
          g_autofree char *config_path = g_build_filename (config_dir, "config.yaml", NULL);

          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                   _("%s is disabled. Set agents.%s.enabled: true in %s "
                                     "to use it."),
                                   agent->display_name, agent->id, config_path);
          return;
        }
    }

  data = g_new0 (PrepareData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) prepare_data_free);
  /* settings.default_flags.no_firewall and EXITBOX_NO_FIREWALL turn the
   * firewall off like -f/--no-firewall does.
   */
  data->no_firewall = request->no_firewall || no_firewall_requested_by_environment () ||
                      exitbox_config_get_no_firewall (self->config);
  data->allow_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_allowlist_entry_free);
  for (guint i = 0; request->allow_entries != NULL && request->allow_entries[i] != NULL; i++)
    {
      GError *error = NULL;
      ExitboxAllowlistEntry *entry = exitbox_allowlist_entry_parse (request->allow_entries[i],
                                                                    &error);

      if (entry == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (data->allow_entries, entry);
    }

  if (data->no_firewall && data->allow_entries->len > 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("-a/--allow-urls adds entries to the firewall, which is off "
                                 "for this session. Leave out either -a or -f/--no-firewall."));
      return;
    }

  data->shell = request->agent_id == NULL;
  data->agent_id = g_strdup (data->shell ? exitbox_launcher_get_shell_agent (self)
                                         : request->agent_id);
  data->project = g_object_ref (request->project);
  data->args = g_strdupv ((char **) request->args);
  /* settings.default_flags.read_only makes every session read-only; a
   * request can add read-only but not take it away.
   */
  data->read_only = request->read_only || exitbox_config_get_read_only (self->config);
  data->interactive = request->interactive;
  data->inspect_names = collect_inspect_names (self, data->agent_id,
                                               exitbox_project_get_key (request->project));
  data->container_name = exitbox_launch_dup_container_name (data->shell ? NULL : data->agent_id,
                                                            exitbox_project_get_key (request->project));

  exitbox_engine_inspect_async (self->engine,
                                (const char * const *) data->inspect_names,
                                cancellable,
                                prepare_inspect_ready,
                                g_object_ref (task));
}

ExitboxLaunchPlan *
exitbox_launcher_prepare_finish (ExitboxLauncher  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (EXITBOX_IS_LAUNCHER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
end_session_ready (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!exitbox_firewall_end_session_finish (EXITBOX_FIREWALL (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
exitbox_launcher_end_session_async (ExitboxLauncher         *self,
                                    const ExitboxLaunchPlan *plan,
                                    GCancellable            *cancellable,
                                    GAsyncReadyCallback      callback,
                                    gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EXITBOX_IS_LAUNCHER (self));
  g_return_if_fail (plan != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, exitbox_launcher_end_session_async);

  /* A session without the firewall reserved nothing. */
  if (plan->session_address == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  exitbox_firewall_end_session_async (self->firewall, plan->container_name, cancellable,
                                      end_session_ready, g_steal_pointer (&task));
}

gboolean
exitbox_launcher_end_session_finish (ExitboxLauncher  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (EXITBOX_IS_LAUNCHER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
