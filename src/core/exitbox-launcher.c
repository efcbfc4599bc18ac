/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "exitbox-agent.h"
#include "exitbox-allow-requests.h"
#include "exitbox-launch-plan.h"
#include "exitbox-launcher.h"
#include "exitbox-managed-config.h"
#include "exitbox-paths.h"
#include "exitbox-project-registry.h"
#include "exitbox-session-env.h"
#include "exitbox-session-options.h"

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
  char             **variables;        /* KEY=VALUE for the env file */
  GPtrArray         *include_dirs;     /* of ExitboxIncludeDir */
  char              *memory;           /* NULL: settings.default_flags.memory */
  char              *cpus;             /* NULL: settings.default_flags.cpus */
  GPtrArray         *warnings;         /* collected before the plan exists */
  char              *allow_request_dir; /* mounted at EXITBOX_ALLOW_CONTAINER_DIR, or NULL */
  char              *status_line;      /* EXITBOX_STATUS_LINE for the entrypoint, or NULL */
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
  g_strfreev (data->variables);
  g_clear_pointer (&data->include_dirs, g_ptr_array_unref);
  g_free (data->memory);
  g_free (data->cpus);
  g_clear_pointer (&data->warnings, g_ptr_array_unref);
  g_free (data->allow_request_dir);
  g_free (data->status_line);
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
  g_free (plan->env_file);
  g_strfreev (plan->notices);
  g_free (plan->image);
  g_free (plan->session_address);
  g_strfreev (plan->created_mount_points);
  g_free (plan);
}

void
exitbox_launch_plan_clean_up (ExitboxLaunchPlan *plan)
{
  g_return_if_fail (plan != NULL);

  if (plan->env_file != NULL && g_unlink (plan->env_file) != 0 && errno != ENOENT)
    g_warning ("Failed to remove the session environment file %s: %s",
               plan->env_file, g_strerror (errno));

  exitbox_launch_remove_mount_points ((const char * const *) plan->created_mount_points);
}

void
exitbox_launch_remove_mount_points (const char * const *mount_points)
{
  /* A mount point that the agent or the user filled stays. */
  for (guint i = 0; mount_points != NULL && mount_points[i] != NULL; i++)
    {
      if (g_rmdir (mount_points[i]) != 0 && errno != ENOENT && errno != ENOTEMPTY &&
          errno != EEXIST)
        g_debug ("Could not remove the mount point %s: %s", mount_points[i],
                 g_strerror (errno));
    }
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

/* The engine reads an env file when the container starts, seconds after
 * the file is written, so an older file was left by a session whose
 * ExitBox was killed. Removing it keeps secrets from piling up.
 */
#define STALE_ENV_FILE_AGE_SECONDS (60 * 60)

static void
remove_stale_env_files (const char *sessions_dir)
{
  g_autoptr(GDir) dir = g_dir_open (sessions_dir, 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (sessions_dir, name, NULL);
      GStatBuf info;

      if (!g_str_has_suffix (name, ".env") || g_lstat (path, &info) != 0 ||
          !S_ISREG (info.st_mode) || now - info.st_mtime < STALE_ENV_FILE_AGE_SECONDS)
        continue;

      if (g_unlink (path) != 0)
        g_warning ("Failed to remove the stale session environment file %s: %s",
                   path, g_strerror (errno));
    }
}

/* Writes the session's environment file: the collected variables, and a
 * TERM for interactive sessions when the host's did not come along.
 */
static char *
write_env_file (PrepareData  *data,
                const char   *container_name,
                GError      **error)
{
  g_autoptr(GStrvBuilder) variables = g_strv_builder_new ();
  g_auto(GStrv) all = NULL;
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();
  g_autofree char *sessions_dir = g_build_filename (cache_dir, "sessions", NULL);
  g_autofree char *name = g_strconcat (container_name, ".env", NULL);
  g_autofree char *status_variable = NULL;
  gboolean has_term = FALSE;

  if (data->status_line != NULL)
    status_variable = g_strconcat ("EXITBOX_STATUS_LINE=", data->status_line, NULL);

  for (guint i = 0; data->variables[i] != NULL; i++)
    has_term |= g_str_has_prefix (data->variables[i], "TERM=");

  g_strv_builder_addv (variables, (const char **) data->variables);
  if (data->interactive && !has_term)
    g_strv_builder_add (variables, "TERM=xterm-256color");
  if (status_variable != NULL)
    g_strv_builder_add (variables, status_variable);
  all = g_strv_builder_end (variables);

  remove_stale_env_files (sessions_dir);

  return exitbox_session_env_write_file (sessions_dir, name, (const char * const *) all, error);
}

/* Creates the agent's managed folder on first use, importing the host
 * configuration, and returns it. The image's agent owns the container's
 * home, in shell sessions too.
 * NOTE: the first import copies files on the calling thread, so a large
 * ~/.claude delays the window's main loop once.
 */
static char *
prepare_managed_home (const ExitboxAgentInfo  *agent,
                      GStrvBuilder            *notices,
                      GStrvBuilder            *warnings,
                      GError                 **error)
{
  g_autoptr(GPtrArray) import_notes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *managed_dir = NULL;
  gboolean imported = FALSE;

  if (!exitbox_managed_config_ensure (agent->id, &imported, import_notes, error))
    {
      g_prefix_error (error, _("Failed to import the %s configuration from the host: "),
                      agent->display_name);
      return NULL;
    }

  managed_dir = exitbox_managed_config_dup_dir (agent->id);
  if (imported)
    {
      g_autofree char *notice =
        g_strdup_printf (_("Imported the %s configuration from the host into %s. The host "
                           "files are not changed; run “exitbox import %s” to import them "
                           "again."),
                         agent->display_name, managed_dir, agent->id);

      g_strv_builder_add (notices, notice);
    }

  for (guint i = 0; i < import_notes->len; i++)
    g_strv_builder_add (warnings, g_ptr_array_index (import_notes, i));

  return g_steal_pointer (&managed_dir);
}

/* Creates the missing mount points of the -i folders in the project, as
 * the user, and returns them. The engine would create them too, but owned
 * by a subordinate user ID under rootless podman, which the user then
 * cannot remove. A read-only project has them already (the options check
 * made sure), and one that cannot be created is left to the engine.
 */
static GStrv
make_mount_points (PrepareData *data)
{
  g_autoptr(GStrvBuilder) created = g_strv_builder_new ();
  const char *project_path = exitbox_project_get_path (data->project);

  for (guint i = 0; i < data->include_dirs->len; i++)
    {
      ExitboxIncludeDir *include_dir = g_ptr_array_index (data->include_dirs, i);
      g_autofree char *name = g_path_get_basename (include_dir->destination);
      g_autofree char *mount_point = g_build_filename (project_path, name, NULL);

      if (g_mkdir (mount_point, 0755) == 0)
        g_strv_builder_add (created, mount_point);
      else if (errno != EEXIST)
        g_debug ("Could not create the mount point %s: %s", mount_point, g_strerror (errno));
    }

  return g_strv_builder_end (created);
}

/* Adds the -i folders and, for a linked git worktree, the repository's git
 * folder. git inside the worktree follows the absolute host path of that
 * folder, so it appears at the same path. The mounts borrow their strings.
 */
static void
append_session_mounts (PrepareData *data,
                       const char  *git_mount,
                       GArray      *mounts)
{
  for (guint i = 0; i < data->include_dirs->len; i++)
    {
      ExitboxIncludeDir *include_dir = g_ptr_array_index (data->include_dirs, i);
      ExitboxLaunchMount mount = {
        .source = include_dir->source,
        .destination = include_dir->destination,
        .read_only = include_dir->read_only,
      };

      g_array_append_val (mounts, mount);
    }

  if (git_mount != NULL)
    {
      ExitboxLaunchMount mount = {
        .source = git_mount,
        .destination = git_mount,
        .read_only = data->read_only,
      };

      g_array_append_val (mounts, mount);
    }
}

static ExitboxLaunchPlan *
build_plan (ExitboxLauncher  *self,
            PrepareData      *data,
            const char       *proxy_address,
            const char       *session_address,
            GError          **error)
{
  const ExitboxAgentInfo *agent = exitbox_agent_lookup (data->agent_id);
  ExitboxLaunchOptions options = { 0 };
  g_autoptr(GStrvBuilder) warnings = g_strv_builder_new ();
  g_autoptr(GPtrArray) command = g_ptr_array_new ();
  g_autofree char *image = NULL;
  g_auto(GStrv) run_args = NULL;
  g_autoptr(GStrvBuilder) notices = g_strv_builder_new ();
  g_autoptr(GArray) mounts = g_array_new (FALSE, TRUE, sizeof (ExitboxLaunchMount));
  g_autoptr(GError) registry_error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *managed_dir = NULL;
  g_autofree char *env_file = NULL;
  g_autofree char *registry_path = NULL;
  g_autofree char *git_mount = exitbox_session_dup_git_mount (data->project);
  g_auto(GStrv) created_mount_points = NULL;
  ExitboxLaunchPlan *plan;
  gboolean limits_apply;

  managed_dir = prepare_managed_home (agent, notices, warnings, error);
  if (managed_dir == NULL)
    return NULL;

  for (guint i = 0; data->warnings != NULL && i < data->warnings->len; i++)
    g_strv_builder_add (warnings, g_ptr_array_index (data->warnings, i));

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

  env_file = write_env_file (data, data->container_name, error);
  if (env_file == NULL)
    return NULL;

  created_mount_points = make_mount_points (data);
  append_session_mounts (data, git_mount, mounts);
  /* Read-only, so the agent cannot leave files in the host folder. Linux
   * still lets a process connect to a socket on a read-only mount.
   */
  if (data->allow_request_dir != NULL && !data->no_firewall)
    {
      ExitboxLaunchMount mount = {
        .source = data->allow_request_dir,
        .destination = EXITBOX_ALLOW_CONTAINER_DIR,
        .read_only = TRUE,
      };

      g_array_append_val (mounts, mount);
    }

  /* A registry that cannot be read is reported and left alone, because
   * the session does not depend on it.
   */
  registry_path = exitbox_project_registry_dup_path ();
  if (!exitbox_project_registry_record_use (registry_path, data->project,
                                            data->shell ? NULL : data->agent_id,
                                            now, &registry_error))
    g_strv_builder_add (warnings, registry_error->message);

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
  options.memory = !limits_apply ? NULL
                   : data->memory != NULL ? data->memory
                   : exitbox_config_get_memory (self->config);
  options.cpus = !limits_apply ? NULL
                 : data->cpus != NULL ? data->cpus
                 : exitbox_config_get_cpus (self->config);
  options.pids_limit = limits_apply ? EXITBOX_DEFAULT_PIDS_LIMIT : 0;
  options.agent_id = data->shell ? NULL : data->agent_id;
  options.command = command->len > 1 ? (const char * const *) command->pdata : NULL;
  options.env_file = env_file;
  options.home_path = managed_dir;
  options.extra_mounts = (const ExitboxLaunchMount *) (gpointer) mounts->data;
  options.n_extra_mounts = mounts->len;

  run_args = exitbox_launch_build_run_args (&options);

  plan = g_new0 (ExitboxLaunchPlan, 1);
  plan->argv = exitbox_engine_build_argv (self->engine, (const char * const *) run_args);
  plan->container_name = g_strdup (data->container_name);
  plan->warnings = g_strv_builder_end (warnings);
  plan->env_file = g_steal_pointer (&env_file);
  plan->notices = g_strv_builder_end (notices);
  plan->image = g_steal_pointer (&image);
  plan->session_address = g_strdup (session_address);
  plan->created_mount_points = g_steal_pointer (&created_mount_points);

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
  ExitboxLaunchPlan *plan;
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

  plan = build_plan (self, data, proxy_address, session_address, &error);
  if (plan == NULL)
    {
      exitbox_firewall_end_session_async (firewall, data->container_name, NULL, NULL, NULL);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, plan, (GDestroyNotify) exitbox_launch_plan_free);
}

static void
prepare_firewall (GTask *task)
{
  ExitboxLauncher *self = g_task_get_source_object (task);
  PrepareData *data = g_task_get_task_data (task);

  if (data->no_firewall)
    {
      GError *error = NULL;
      ExitboxLaunchPlan *plan = build_plan (self, data, NULL, NULL, &error);

      if (plan == NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, plan, (GDestroyNotify) exitbox_launch_plan_free);
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

gboolean
exitbox_launch_request_check (const ExitboxLaunchRequest  *request,
                              ExitboxConfig               *config,
                              GError                     **error)
{
  g_autoptr(GPtrArray) include_dirs = NULL;

  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (EXITBOX_IS_PROJECT (request->project), FALSE);
  g_return_val_if_fail (EXITBOX_IS_CONFIG (config), FALSE);

  for (guint i = 0; request->env != NULL && request->env[i] != NULL; i++)
    {
      if (!exitbox_session_env_check_assignment (request->env[i], error))
        return FALSE;
    }

  if (!exitbox_session_check_limits (request->memory, request->cpus, error))
    return FALSE;

  for (guint i = 0; request->allow_entries != NULL && request->allow_entries[i] != NULL; i++)
    {
      g_autoptr(ExitboxAllowlistEntry) entry = exitbox_allowlist_entry_parse (request->allow_entries[i],
                                                                             error);

      if (entry == NULL)
        return FALSE;
    }

  include_dirs = exitbox_session_resolve_include_dirs (request->project, request->include_dirs,
                                                       request->read_only ||
                                                       exitbox_config_get_read_only (config),
                                                       request->force, error);

  return include_dirs != NULL;
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
  g_auto(GStrv) host_env = NULL;
  PrepareData *data;
  GError *error = NULL;

  g_return_if_fail (EXITBOX_IS_LAUNCHER (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (EXITBOX_IS_PROJECT (request->project));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, exitbox_launcher_prepare_async);

  if (!request->force && !exitbox_project_check_safe (request->project, &error))
    {
      g_task_return_error (task, error);
      return;
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
      GError *entry_error = NULL;
      ExitboxAllowlistEntry *entry = exitbox_allowlist_entry_parse (request->allow_entries[i],
                                                                    &entry_error);

      if (entry == NULL)
        {
          g_task_return_error (task, entry_error);
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
  data->memory = g_strdup (request->memory);
  data->cpus = g_strdup (request->cpus);
  data->warnings = g_ptr_array_new_with_free_func (g_free);
  data->allow_request_dir = g_strdup (request->allow_request_dir);

  /* The entrypoint draws the line only at a terminal, so a session without
   * one gets no line either.
   */
  if (request->terminal_status_line && request->interactive &&
      exitbox_config_get_status_bar (self->config))
    {
      const ExitboxAgentInfo *shown = data->shell ? NULL : exitbox_agent_lookup (data->agent_id);

      data->status_line =
        exitbox_launch_dup_status_line (shown != NULL ? shown->display_name : _("Shell"),
                                        exitbox_project_get_path (request->project),
                                        data->no_firewall,
                                        exitbox_allowlist_get_n_entries (self->allowlist),
                                        data->allow_entries->len);
    }

  if (!exitbox_session_check_limits (request->memory, request->cpus, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  data->include_dirs = exitbox_session_resolve_include_dirs (request->project,
                                                             request->include_dirs,
                                                             data->read_only,
                                                             request->force, &error);
  if (data->include_dirs == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  host_env = g_get_environ ();
  data->variables = exitbox_session_env_collect ((const char * const *) host_env,
                                                 request->no_env ||
                                                 exitbox_config_get_no_env (self->config),
                                                 exitbox_config_get_env_passthrough (self->config),
                                                 request->env,
                                                 data->warnings,
                                                 &error);
  if (data->variables == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

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
