/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "exitbox-engine.h"

/* Exit statuses of processes killed by a signal are reported as this base
 * plus the signal number, so they never collide with a real exit code.
 */
#define SIGNAL_STATUS_BASE 256

#define DEFAULT_FLATPAK_INFO "/.flatpak-info"

struct _ExitboxEngine
{
  GObject            parent_instance;

  ExitboxEngineKind  kind;
  /* An absolute path found on PATH, or inside Flatpak the bare name that the
   * host resolves on its own PATH.
   */
  char              *program;
  /* flatpak-spawn's path inside Flatpak, NULL outside. */
  char              *host_spawn;
  char              *version;
};

enum
{
  PROP_0,
  PROP_KIND,
  PROP_PROGRAM,
  PROP_ROOTLESS,
  PROP_IN_FLATPAK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ExitboxEngine, exitbox_engine, G_TYPE_OBJECT)

void
exitbox_engine_result_free (ExitboxEngineResult *result)
{
  if (result == NULL)
    return;

  g_free (result->stdout_text);
  g_free (result->stderr_text);
  g_free (result);
}

static const char *
kind_to_name (ExitboxEngineKind kind)
{
  return kind == EXITBOX_ENGINE_KIND_DOCKER ? "docker" : "podman";
}

/* EXITBOX_FLATPAK_INFO replaces /.flatpak-info so tests can fake Flatpak. */
static gboolean
detect_flatpak (void)
{
  const char *info_path = g_getenv ("EXITBOX_FLATPAK_INFO");

  if (info_path == NULL || *info_path == '\0')
    info_path = DEFAULT_FLATPAK_INFO;

  return g_file_test (info_path, G_FILE_TEST_EXISTS);
}

static void
exitbox_engine_constructed (GObject *object)
{
  ExitboxEngine *self = EXITBOX_ENGINE (object);

  G_OBJECT_CLASS (exitbox_engine_parent_class)->constructed (object);

  if (self->program == NULL)
    self->program = g_strdup (kind_to_name (self->kind));

  if (detect_flatpak ())
    {
      self->host_spawn = g_find_program_in_path ("flatpak-spawn");
      if (self->host_spawn == NULL)
        self->host_spawn = g_strdup ("flatpak-spawn");
    }
}

static void
exitbox_engine_finalize (GObject *object)
{
  ExitboxEngine *self = EXITBOX_ENGINE (object);

  g_clear_pointer (&self->program, g_free);
  g_clear_pointer (&self->host_spawn, g_free);
  g_clear_pointer (&self->version, g_free);

  G_OBJECT_CLASS (exitbox_engine_parent_class)->finalize (object);
}

static void
exitbox_engine_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ExitboxEngine *self = EXITBOX_ENGINE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_int (value, self->kind);
      break;

    case PROP_PROGRAM:
      g_value_set_string (value, self->program);
      break;

    case PROP_ROOTLESS:
      g_value_set_boolean (value, exitbox_engine_get_rootless (self));
      break;

    case PROP_IN_FLATPAK:
      g_value_set_boolean (value, exitbox_engine_get_in_flatpak (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
exitbox_engine_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ExitboxEngine *self = EXITBOX_ENGINE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_int (value);
      break;

    case PROP_PROGRAM:
      g_free (self->program);
      self->program = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
exitbox_engine_class_init (ExitboxEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = exitbox_engine_constructed;
  object_class->finalize = exitbox_engine_finalize;
  object_class->get_property = exitbox_engine_get_property;
  object_class->set_property = exitbox_engine_set_property;

  properties[PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL,
                      EXITBOX_ENGINE_KIND_PODMAN, EXITBOX_ENGINE_KIND_DOCKER,
                      EXITBOX_ENGINE_KIND_PODMAN,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRAM] =
    g_param_spec_string ("program", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROOTLESS] =
    g_param_spec_boolean ("rootless", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_IN_FLATPAK] =
    g_param_spec_boolean ("in-flatpak", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
exitbox_engine_init (ExitboxEngine *self)
{
}

/* @program NULL means the bare engine name. */
ExitboxEngine *
exitbox_engine_new (ExitboxEngineKind  kind,
                    const char        *program)
{
  return g_object_new (EXITBOX_TYPE_ENGINE,
                       "kind", kind,
                       "program", program,
                       NULL);
}

ExitboxEngineKind
exitbox_engine_get_kind (ExitboxEngine *self)
{
  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), EXITBOX_ENGINE_KIND_PODMAN);

  return self->kind;
}

const char *
exitbox_engine_get_name (ExitboxEngine *self)
{
  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), NULL);

  return kind_to_name (self->kind);
}

const char *
exitbox_engine_get_program (ExitboxEngine *self)
{
  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), NULL);

  return self->program;
}

gboolean
exitbox_engine_get_rootless (ExitboxEngine *self)
{
  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), FALSE);

  /* Docker's rootless mode is a separate daemon setup that the client cannot
   * see, so only podman is ever reported rootless.
   */
  return self->kind == EXITBOX_ENGINE_KIND_PODMAN && geteuid () != 0;
}

gboolean
exitbox_engine_get_in_flatpak (ExitboxEngine *self)
{
  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), FALSE);

  return self->host_spawn != NULL;
}

char **
exitbox_engine_build_argv (ExitboxEngine      *self,
                           const char * const *args)
{
  g_autoptr(GStrvBuilder) builder = NULL;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), NULL);

  builder = g_strv_builder_new ();
  if (self->host_spawn != NULL)
    {
      g_strv_builder_add (builder, self->host_spawn);
      g_strv_builder_add (builder, "--host");
    }
  g_strv_builder_add (builder, self->program);
  if (args != NULL)
    g_strv_builder_addv (builder, (const char **) args);

  return g_strv_builder_end (builder);
}

static gboolean
needs_quoting (const char *arg)
{
  if (*arg == '\0')
    return TRUE;

  for (const char *c = arg; *c != '\0'; c++)
    {
      if (!g_ascii_isalnum (*c) && strchr ("-_./:=,@%+", *c) == NULL)
        return TRUE;
    }

  return FALSE;
}

static char *
join_for_display (const char * const *argv)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (line, ' ');

      if (needs_quoting (argv[i]))
        {
          g_autofree char *quoted = g_shell_quote (argv[i]);
          g_string_append (line, quoted);
        }
      else
        {
          g_string_append (line, argv[i]);
        }
    }

  return g_string_free (g_steal_pointer (&line), FALSE);
}

char *
exitbox_engine_dup_display_command (ExitboxEngine      *self,
                                    const char * const *args)
{
  g_auto(GStrv) argv = NULL;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), NULL);

  argv = exitbox_engine_build_argv (self, args);
  return join_for_display ((const char * const *) argv);
}

static GSubprocess *
spawn_argv (const char * const  *argv,
            GSubprocessFlags     flags,
            GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GError) local_error = NULL;
  GSubprocess *process;

  process = g_subprocess_launcher_spawnv (launcher, argv, &local_error);
  if (process == NULL)
    {
      g_autofree char *display = join_for_display (argv);

      g_set_error (error, local_error->domain, local_error->code,
                   _("Could not start “%s”: %s"), display, local_error->message);
      return NULL;
    }

  return process;
}

GSubprocess *
exitbox_engine_spawn (ExitboxEngine       *self,
                      const char * const  *args,
                      GSubprocessFlags     flags,
                      GError             **error)
{
  g_auto(GStrv) argv = NULL;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  argv = exitbox_engine_build_argv (self, args);
  return spawn_argv ((const char * const *) argv, flags, error);
}

/* Engine output is UTF-8 in practice, but a container's output may not be:
 * invalid sequences become U+FFFD instead of failing the whole run.
 */
static char *
bytes_to_text (GBytes *bytes)
{
  const char *data;
  gsize size;

  if (bytes == NULL)
    return g_strdup ("");

  data = g_bytes_get_data (bytes, &size);
  if (size == 0)
    return g_strdup ("");

  return g_utf8_make_valid (data, size);
}

static ExitboxEngineResult *
result_new (GSubprocess *process,
            GBytes      *stdout_bytes,
            GBytes      *stderr_bytes)
{
  ExitboxEngineResult *result = g_new0 (ExitboxEngineResult, 1);

  if (g_subprocess_get_if_exited (process))
    result->exit_status = g_subprocess_get_exit_status (process);
  else if (g_subprocess_get_if_signaled (process))
    result->exit_status = SIGNAL_STATUS_BASE + g_subprocess_get_term_sig (process);
  else
    result->exit_status = SIGNAL_STATUS_BASE;

  result->stdout_text = bytes_to_text (stdout_bytes);
  result->stderr_text = bytes_to_text (stderr_bytes);

  return result;
}

#define CAPTURE_FLAGS (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE)

static void
run_communicate_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GSubprocess *process = G_SUBPROCESS (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) stdout_bytes = NULL;
  g_autoptr(GBytes) stderr_bytes = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_communicate_finish (process, result, &stdout_bytes, &stderr_bytes, &error))
    {
      /* Cancelling stops only the wait, so the engine process is killed too. */
      g_subprocess_force_exit (process);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task,
                         result_new (process, stdout_bytes, stderr_bytes),
                         (GDestroyNotify) exitbox_engine_result_free);
}

static void
run_argv_async (ExitboxEngine       *self,
                const char * const  *args,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  process = exitbox_engine_spawn (self, args, CAPTURE_FLAGS, &error);
  if (process == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_subprocess_communicate_async (process, NULL, cancellable,
                                  run_communicate_cb, g_steal_pointer (&task));
}

void
exitbox_engine_run_async (ExitboxEngine       *self,
                          const char * const  *args,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (EXITBOX_IS_ENGINE (self));
  g_return_if_fail (args != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  run_argv_async (self, args, exitbox_engine_run_async, cancellable, callback, user_data);
}

ExitboxEngineResult *
exitbox_engine_run_finish (ExitboxEngine  *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

ExitboxEngineResult *
exitbox_engine_run (ExitboxEngine       *self,
                    const char * const  *args,
                    GCancellable        *cancellable,
                    GError             **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) stdout_bytes = NULL;
  g_autoptr(GBytes) stderr_bytes = NULL;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), NULL);
  g_return_val_if_fail (args != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  process = exitbox_engine_spawn (self, args, CAPTURE_FLAGS, error);
  if (process == NULL)
    return NULL;

  if (!g_subprocess_communicate (process, NULL, cancellable, &stdout_bytes, &stderr_bytes, error))
    {
      g_subprocess_force_exit (process);
      return NULL;
    }

  return result_new (process, stdout_bytes, stderr_bytes);
}

/* The message names the command and carries the engine's own explanation,
 * which is usually the only useful part.
 */
static void
set_command_failed_error (ExitboxEngine        *self,
                          const char * const   *args,
                          ExitboxEngineResult  *result,
                          GError              **error)
{
  g_autofree char *command = exitbox_engine_dup_display_command (self, args);
  g_autofree char *detail = g_strstrip (g_strdup (result->stderr_text));

  if (result->exit_status >= SIGNAL_STATUS_BASE)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _("“%s” was stopped by signal %d"),
                 command, result->exit_status - SIGNAL_STATUS_BASE);
  else if (*detail == '\0')
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _("“%s” failed with exit status %d and printed no error message"),
                 command, result->exit_status);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _("“%s” failed with exit status %d: %s"),
                 command, result->exit_status, detail);
}

gboolean
exitbox_engine_run_checked (ExitboxEngine       *self,
                            const char * const  *args,
                            char               **out_stdout,
                            GCancellable        *cancellable,
                            GError             **error)
{
  g_autoptr(ExitboxEngineResult) result = NULL;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (args != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  result = exitbox_engine_run (self, args, cancellable, error);
  if (result == NULL)
    return FALSE;

  if (result->exit_status != 0)
    {
      set_command_failed_error (self, args, result, error);
      return FALSE;
    }

  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&result->stdout_text);

  return TRUE;
}

/* Inspect ---------------------------------------------------------------- */

/* Both engines report a missing name on stderr and exit non-zero, but still
 * print the objects they found. Podman 4.3.1 prints `no such object: "NAME"`
 * for `inspect` and `unable to find network with name or ID NAME: network
 * not found` for `network inspect`. Docker 20.10 prints `No such object:
 * NAME`.
 */
static gboolean
is_missing_name_line (const char *lower_line)
{
  static const char * const patterns[] = {
    "no such object", "no such image", "no such container", "no such network",
    "network not found", "image not known",
  };

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    {
      if (strstr (lower_line, patterns[i]) != NULL)
        return TRUE;
    }

  return FALSE;
}

static gboolean
is_warning_line (const char *lower_line)
{
  return strstr (lower_line, "level=warning") != NULL
         || strstr (lower_line, "level=info") != NULL
         || strstr (lower_line, "level=debug") != NULL
         || g_str_has_prefix (lower_line, "warning");
}

/* TRUE when every line of @stderr_text reports a missing name or is a
 * warning, and at least one reports a missing name. Any other line means
 * the engine failed for another reason.
 */
static gboolean
stderr_reports_only_missing_names (const char *stderr_text)
{
  g_auto(GStrv) lines = g_strsplit (stderr_text, "\n", -1);
  gboolean missing_seen = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *lower = g_ascii_strdown (g_strstrip (lines[i]), -1);

      if (*lower == '\0' || is_warning_line (lower))
        continue;
      if (!is_missing_name_line (lower))
        return FALSE;

      missing_seen = TRUE;
    }

  return missing_seen;
}

static gboolean
check_inspect_result (ExitboxEngine        *self,
                      const char * const   *args,
                      ExitboxEngineResult  *result,
                      GError              **error)
{
  if (result->exit_status == 0)
    return TRUE;

  if (result->exit_status < SIGNAL_STATUS_BASE
      && stderr_reports_only_missing_names (result->stderr_text))
    return TRUE;

  set_command_failed_error (self, args, result, error);
  return FALSE;
}

/* Network names match [a-zA-Z0-9][a-zA-Z0-9_.-]* in both engines, so a
 * reference with ':', '/' or '@' can only be an image.
 */
static gboolean
could_be_network_name (const char *name)
{
  if (!g_ascii_isalnum (name[0]))
    return FALSE;

  for (const char *c = name; *c != '\0'; c++)
    {
      if (!g_ascii_isalnum (*c) && *c != '_' && *c != '.' && *c != '-')
        return FALSE;
    }

  return TRUE;
}

static char **
build_inspect_args (const char         *subcommand,
                    const char * const *names)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (subcommand != NULL)
    g_strv_builder_add (builder, subcommand);
  g_strv_builder_add (builder, "inspect");
  /* "--" keeps a name that starts with '-' from being read as an option. */
  g_strv_builder_add (builder, "--");
  g_strv_builder_addv (builder, (const char **) names);

  return g_strv_builder_end (builder);
}

/* Podman 4.3.1's `inspect` without --type never returns a network when the
 * names mix types. It looks each name up among containers, images and
 * volumes, and then looks up networks with the whole name list, which fails
 * as soon as one name is not a network. With only network names it returns the
 * first network once per name. Names that `inspect` did not resolve and that
 * could be networks therefore get one `network inspect` call. Docker's
 * `inspect` finds networks itself.
 */
static char **
dup_unresolved_network_names (ExitboxEngine      *self,
                              const char * const *names,
                              ExitboxInspection  *inspection)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  guint count = 0;

  if (self->kind != EXITBOX_ENGINE_KIND_PODMAN)
    return NULL;

  builder = g_strv_builder_new ();
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (!could_be_network_name (names[i]))
        continue;
      if (exitbox_inspection_has_object (inspection, names[i]))
        continue;

      g_strv_builder_add (builder, names[i]);
      count++;
    }

  if (count == 0)
    return NULL;

  return g_strv_builder_end (builder);
}

typedef struct
{
  char              **names;
  char              **args;           /* of the call in flight */
  ExitboxInspection  *inspection;
  gboolean            networks_done;
} InspectData;

static void
inspect_data_free (InspectData *data)
{
  g_strfreev (data->names);
  g_strfreev (data->args);
  g_clear_object (&data->inspection);
  g_free (data);
}

static void
inspect_run_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ExitboxEngine *self = EXITBOX_ENGINE (object);
  g_autoptr(GTask) task = user_data;
  InspectData *data = g_task_get_task_data (task);
  g_autoptr(ExitboxEngineResult) run_result = NULL;
  g_auto(GStrv) network_names = NULL;
  GError *error = NULL;

  run_result = g_task_propagate_pointer (G_TASK (result), &error);
  if (run_result == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (!check_inspect_result (self, (const char * const *) data->args, run_result, &error)
      || !exitbox_inspection_add_json (data->inspection, self->kind, run_result->stdout_text, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (!data->networks_done)
    network_names = dup_unresolved_network_names (self, (const char * const *) data->names,
                                                  data->inspection);
  if (network_names == NULL)
    {
      g_task_return_pointer (task, g_object_ref (data->inspection), g_object_unref);
      return;
    }

  data->networks_done = TRUE;
  g_strfreev (data->args);
  data->args = build_inspect_args ("network", (const char * const *) network_names);
  run_argv_async (self, (const char * const *) data->args, exitbox_engine_inspect_async,
                  g_task_get_cancellable (task), inspect_run_cb, g_object_ref (task));
}

void
exitbox_engine_inspect_async (ExitboxEngine       *self,
                              const char * const  *names,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  InspectData *data;

  g_return_if_fail (EXITBOX_IS_ENGINE (self));
  g_return_if_fail (names != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, exitbox_engine_inspect_async);

  data = g_new0 (InspectData, 1);
  data->names = g_strdupv ((char **) names);
  data->inspection = exitbox_inspection_new_empty ();
  g_task_set_task_data (task, data, (GDestroyNotify) inspect_data_free);

  /* Both engines reject an inspect call without names. */
  if (names[0] == NULL)
    {
      g_task_return_pointer (task, g_object_ref (data->inspection), g_object_unref);
      return;
    }

  data->args = build_inspect_args (NULL, names);
  run_argv_async (self, (const char * const *) data->args, exitbox_engine_inspect_async,
                  cancellable, inspect_run_cb, g_steal_pointer (&task));
}

ExitboxInspection *
exitbox_engine_inspect_finish (ExitboxEngine  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
inspect_step (ExitboxEngine       *self,
              const char * const  *args,
              ExitboxInspection   *inspection,
              GCancellable        *cancellable,
              GError             **error)
{
  g_autoptr(ExitboxEngineResult) result = NULL;

  result = exitbox_engine_run (self, args, cancellable, error);
  if (result == NULL)
    return FALSE;

  return check_inspect_result (self, args, result, error)
         && exitbox_inspection_add_json (inspection, self->kind, result->stdout_text, error);
}

ExitboxInspection *
exitbox_engine_inspect (ExitboxEngine       *self,
                        const char * const  *names,
                        GCancellable        *cancellable,
                        GError             **error)
{
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) network_names = NULL;
  g_auto(GStrv) network_args = NULL;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), NULL);
  g_return_val_if_fail (names != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  inspection = exitbox_inspection_new_empty ();
  if (names[0] == NULL)
    return g_steal_pointer (&inspection);

  args = build_inspect_args (NULL, names);
  if (!inspect_step (self, (const char * const *) args, inspection, cancellable, error))
    return NULL;

  network_names = dup_unresolved_network_names (self, names, inspection);
  if (network_names == NULL)
    return g_steal_pointer (&inspection);

  network_args = build_inspect_args ("network", (const char * const *) network_names);
  if (!inspect_step (self, (const char * const *) network_args, inspection, cancellable, error))
    return NULL;

  return g_steal_pointer (&inspection);
}

/* Version ---------------------------------------------------------------- */

/* Reads the word after "version" on the first line: "podman version 4.3.1"
 * and "Docker version 20.10.24, build 297e128".
 */
static char *
parse_version (const char *output)
{
  g_autofree char *first_line = NULL;
  g_auto(GStrv) words = NULL;
  const char *newline = strchr (output, '\n');

  first_line = newline != NULL ? g_strndup (output, newline - output) : g_strdup (output);
  words = g_strsplit_set (g_strstrip (first_line), " \t", -1);

  for (guint i = 0; words[i] != NULL && words[i + 1] != NULL; i++)
    {
      char *candidate = words[i + 1];
      gsize length;

      if (g_ascii_strcasecmp (words[i], "version") != 0)
        continue;

      length = strlen (candidate);
      if (length > 0 && candidate[length - 1] == ',')
        candidate[length - 1] = '\0';
      if (g_ascii_isdigit (candidate[0]))
        return g_strdup (candidate);
    }

  return NULL;
}

static char *
version_from_result (ExitboxEngine        *self,
                     const char * const   *args,
                     ExitboxEngineResult  *result,
                     GError              **error)
{
  g_autofree char *version = NULL;

  if (result->exit_status != 0)
    {
      set_command_failed_error (self, args, result, error);
      return NULL;
    }

  version = parse_version (result->stdout_text);
  if (version == NULL)
    {
      g_autofree char *command = exitbox_engine_dup_display_command (self, args);
      g_autofree char *output = g_strstrip (g_strdup (result->stdout_text));

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Could not read a version number from the output of “%s”: “%s”"),
                   command, output);
      return NULL;
    }

  g_free (self->version);
  self->version = g_strdup (version);

  return g_steal_pointer (&version);
}

static const char * const version_args[] = { "--version", NULL };

static void
query_version_run_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  ExitboxEngine *self = EXITBOX_ENGINE (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(ExitboxEngineResult) run_result = NULL;
  GError *error = NULL;
  char *version;

  run_result = g_task_propagate_pointer (G_TASK (result), &error);
  if (run_result == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  version = version_from_result (self, version_args, run_result, &error);
  if (version == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, version, g_free);
}

void
exitbox_engine_query_version_async (ExitboxEngine       *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EXITBOX_IS_ENGINE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, exitbox_engine_query_version_async);

  /* Detection inside Flatpak already ran `--version` on the host. */
  if (self->version != NULL)
    {
      g_task_return_pointer (task, g_strdup (self->version), g_free);
      return;
    }

  run_argv_async (self, version_args, exitbox_engine_query_version_async, cancellable,
                  query_version_run_cb, g_steal_pointer (&task));
}

char *
exitbox_engine_query_version_finish (ExitboxEngine  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
exitbox_engine_query_version (ExitboxEngine  *self,
                              GCancellable   *cancellable,
                              GError        **error)
{
  g_autoptr(ExitboxEngineResult) result = NULL;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->version != NULL)
    return g_strdup (self->version);

  result = exitbox_engine_run (self, version_args, cancellable, error);
  if (result == NULL)
    return NULL;

  return version_from_result (self, version_args, result, error);
}

char *
exitbox_engine_dup_description (ExitboxEngine *self,
                                const char    *version)
{
  const char *name;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (self), NULL);

  name = kind_to_name (self->kind);

  if (self->kind == EXITBOX_ENGINE_KIND_DOCKER)
    {
      if (version == NULL)
        return g_strdup (name);
      /* Translators: a container engine and its version, e.g. “docker 20.10.24”. */
      return g_strdup_printf (_("%s %s"), name, version);
    }

  if (exitbox_engine_get_rootless (self))
    {
      if (version == NULL)
        /* Translators: a container engine run without root privileges, e.g. “podman · rootless”. */
        return g_strdup_printf (_("%s · rootless"), name);
      /* Translators: a container engine, its version, and that it runs without
       * root privileges, e.g. “podman 4.3.1 · rootless”.
       */
      return g_strdup_printf (_("%s %s · rootless"), name, version);
    }

  if (version == NULL)
    /* Translators: a container engine run as root, e.g. “podman · rootful”. */
    return g_strdup_printf (_("%s · rootful"), name);
  /* Translators: a container engine, its version, and that it runs as root,
   * e.g. “podman 4.3.1 · rootful”.
   */
  return g_strdup_printf (_("%s %s · rootful"), name, version);
}

/* Detection -------------------------------------------------------------- */

/* Inside Flatpak the sandbox's PATH does not describe the host, so each
 * candidate is asked for its version on the host: `flatpak-spawn --host
 * podman --version`. Exit status 0 proves the engine runs there, needs no
 * `which` or shell on the host, and yields the version for later.
 */
static gboolean
probe_host_engine (ExitboxEngine *engine)
{
  g_autoptr(ExitboxEngineResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  result = exitbox_engine_run (engine, version_args, NULL, &error);
  if (result == NULL)
    {
      g_debug ("Probing %s on the host failed: %s", engine->program, error->message);
      return FALSE;
    }

  if (result->exit_status != 0)
    {
      g_debug ("%s --version on the host exited with status %d", engine->program,
               result->exit_status);
      return FALSE;
    }

  version = version_from_result (engine, version_args, result, &error);
  if (version == NULL)
    g_debug ("%s", error->message);

  return TRUE;
}

/* @source is what chose the engine: "CONTAINER_RUNTIME", "settings.runtime"
 * or NULL when none did.
 */
static void
set_not_found_error (GError            **error,
                     const char         *source,
                     ExitboxEngineKind   kind,
                     gboolean            in_flatpak)
{
  const char *name = kind_to_name (kind);
  const char *package = kind == EXITBOX_ENGINE_KIND_PODMAN ? "podman" : "docker.io";
  const char *undo;

  if (source == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   in_flatpak
                   ? _("No container engine was found on the host. Install Podman on the host "
                       "(on Debian: “sudo apt install podman”), or Docker as the alternative "
                       "(“sudo apt install docker.io”).")
                   : _("No container engine was found. Install Podman (on Debian: “sudo apt "
                       "install podman”), or Docker as the alternative (“sudo apt install "
                       "docker.io”)."));
      return;
    }

  undo = g_str_equal (source, "CONTAINER_RUNTIME")
         ? _("unset CONTAINER_RUNTIME")
         : _("set settings.runtime to auto in config.yaml");

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               in_flatpak
               ? _("%s is set to “%s”, but %s was not found on the host. Install it on the "
                   "host (on Debian: “sudo apt install %s”), or %s to use any installed "
                   "engine.")
               : _("%s is set to “%s”, but %s was not found. Install it (on Debian: “sudo apt "
                   "install %s”), or %s to use any installed engine."),
               source, name, name, package, undo);
}

ExitboxEngine *
exitbox_engine_detect (GError **error)
{
  return exitbox_engine_detect_with_setting (NULL, error);
}

ExitboxEngine *
exitbox_engine_detect_with_setting (const char  *setting,
                                    GError     **error)
{
  const char *forced = g_getenv ("CONTAINER_RUNTIME");
  const char *source = NULL;
  ExitboxEngineKind candidates[2] = { EXITBOX_ENGINE_KIND_PODMAN, EXITBOX_ENGINE_KIND_DOCKER };
  guint n_candidates = G_N_ELEMENTS (candidates);
  gboolean in_flatpak;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* An empty value counts as unset, so a test or a wrapper can clear it. */
  if (forced != NULL && *forced != '\0')
    source = "CONTAINER_RUNTIME";
  else if (setting != NULL && !g_str_equal (setting, "auto"))
    {
      forced = setting;
      source = "settings.runtime";
    }

  if (source != NULL)
    {
      if (g_str_equal (forced, "podman"))
        candidates[0] = EXITBOX_ENGINE_KIND_PODMAN;
      else if (g_str_equal (forced, "docker"))
        candidates[0] = EXITBOX_ENGINE_KIND_DOCKER;
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("%s is set to “%s”, which is not a supported engine. Set it to "
                         "“podman” or “docker”, or leave it out to use any installed engine."),
                       source, forced);
          return NULL;
        }

      n_candidates = 1;
    }

  in_flatpak = detect_flatpak ();

  for (guint i = 0; i < n_candidates; i++)
    {
      const char *name = kind_to_name (candidates[i]);
      g_autoptr(ExitboxEngine) engine = NULL;

      if (in_flatpak)
        {
          engine = exitbox_engine_new (candidates[i], name);
          if (probe_host_engine (engine))
            return g_steal_pointer (&engine);
        }
      else
        {
          g_autofree char *path = g_find_program_in_path (name);

          if (path != NULL)
            return exitbox_engine_new (candidates[i], path);
        }
    }

  set_not_found_error (error, source, candidates[0], in_flatpak);
  return NULL;
}
