/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <gio/gio.h>

#include "exitbox-inspection.h"

G_BEGIN_DECLS

/* The one seam between ExitBox and the container engine. Every engine command
 * line is built and run here, as an argv array and never as a shell string.
 */

typedef struct
{
  int   exit_status;  /* the engine's exit code; 255 and up for signals */
  char *stdout_text;
  char *stderr_text;
} ExitboxEngineResult;

void exitbox_engine_result_free (ExitboxEngineResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxEngineResult, exitbox_engine_result_free)

#define EXITBOX_TYPE_ENGINE (exitbox_engine_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxEngine, exitbox_engine, EXITBOX, ENGINE, GObject)

/* CONTAINER_RUNTIME=podman|docker forces one; otherwise podman, then docker,
 * on PATH (or on the host's PATH through flatpak-spawn inside Flatpak). The
 * error names the engine to install and how when none is found.
 */
ExitboxEngine       *exitbox_engine_detect            (GError              **error);
/* Like exitbox_engine_detect(), with settings.runtime of config.yaml
 * ("auto", "podman", "docker" or NULL for auto) choosing the engine when
 * CONTAINER_RUNTIME is unset. The environment wins, as for every setting
 * that has a variable.
 */
ExitboxEngine       *exitbox_engine_detect_with_setting (const char          *setting,
                                                         GError             **error);
ExitboxEngine       *exitbox_engine_new               (ExitboxEngineKind     kind,
                                                       const char           *program);

ExitboxEngineKind    exitbox_engine_get_kind          (ExitboxEngine        *self);
/* "podman" or "docker" */
const char          *exitbox_engine_get_name          (ExitboxEngine        *self);
const char          *exitbox_engine_get_program       (ExitboxEngine        *self);
/* Podman run by a user other than root. Known without an engine call. */
gboolean             exitbox_engine_get_rootless      (ExitboxEngine        *self);
/* Whether ExitBox runs inside Flatpak, so that every command is started on
 * the host through `flatpak-spawn --host`.
 */
gboolean             exitbox_engine_get_in_flatpak    (ExitboxEngine        *self);

/* The full argv to execute @args (which start after the program name, for
 * example {"run", "--rm", …}), including flatpak-spawn --host when needed.
 */
char               **exitbox_engine_build_argv        (ExitboxEngine        *self,
                                                       const char * const   *args);
/* The command line of @args for display, each argument shell-quoted where it
 * needs it. Never pass it to a shell: use exitbox_engine_build_argv().
 */
char                *exitbox_engine_dup_display_command (ExitboxEngine      *self,
                                                         const char * const *args);
/* Starts @args with stdin, stdout and stderr set up as @flags request. */
GSubprocess         *exitbox_engine_spawn             (ExitboxEngine        *self,
                                                       const char * const   *args,
                                                       GSubprocessFlags      flags,
                                                       GError              **error);

/* Runs @args to completion, capturing stdout and stderr. A non-zero exit is
 * not an error here: it is in the result.
 */
void                 exitbox_engine_run_async         (ExitboxEngine        *self,
                                                       const char * const   *args,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
ExitboxEngineResult *exitbox_engine_run_finish        (ExitboxEngine        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
ExitboxEngineResult *exitbox_engine_run               (ExitboxEngine        *self,
                                                       const char * const   *args,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
/* Like exitbox_engine_run(), but a non-zero exit is an error whose message
 * contains the command and the engine's stderr.
 */
gboolean             exitbox_engine_run_checked       (ExitboxEngine        *self,
                                                       const char * const   *args,
                                                       char                **out_stdout,
                                                       GCancellable         *cancellable,
                                                       GError              **error);

/* Inspects any mix of image, network and container names. Names that do not
 * exist are absent from the result, not an error. Docker needs one call.
 * Podman 4.3.1 cannot return networks from a mixed `inspect`, so names it
 * did not find that can be network names get a second call, `podman network
 * inspect`. To stay at one call, leave network names out and read a running
 * container's attachments (exitbox_inspection_get_container_subnet()).
 */
void                 exitbox_engine_inspect_async     (ExitboxEngine        *self,
                                                       const char * const   *names,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
ExitboxInspection   *exitbox_engine_inspect_finish    (ExitboxEngine        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
ExitboxInspection   *exitbox_engine_inspect           (ExitboxEngine        *self,
                                                       const char * const   *names,
                                                       GCancellable         *cancellable,
                                                       GError              **error);

/* The engine's version ("4.3.1"), one `version` call. */
void                 exitbox_engine_query_version_async  (ExitboxEngine        *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
char                *exitbox_engine_query_version_finish (ExitboxEngine        *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);
char                *exitbox_engine_query_version        (ExitboxEngine        *self,
                                                          GCancellable         *cancellable,
                                                          GError              **error);

/* "podman 4.3.1 · rootless"; @version may be NULL. Translated. */
char                *exitbox_engine_dup_description   (ExitboxEngine        *self,
                                                       const char           *version);

G_END_DECLS
