/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include "exitbox-allowlist.h"
#include "exitbox-config.h"
#include "exitbox-engine.h"
#include "exitbox-firewall.h"
#include "exitbox-image-builder.h"
#include "exitbox-project.h"

G_BEGIN_DECLS

typedef struct
{
  const char         *agent_id;     /* NULL opens a shell */
  ExitboxProject     *project;
  const char * const *args;         /* passed to the agent, or the shell command */
  gboolean            read_only;
  gboolean            interactive;  /* the session has a terminal: run with -it */
  gboolean            force;        /* allow the home folder or "/" as the project */

  /* Session options; zero values keep the defaults. */
  gboolean            no_env;       /* pass no host variables (settings.default_flags.no_env too) */
  const char * const *env;          /* KEY=VALUE pairs from -e */
  const char * const *include_dirs; /* folders from -i, mounted at /workspace/<name> */
  const char         *memory;       /* overrides settings.default_flags.memory */
  const char         *cpus;         /* overrides settings.default_flags.cpus */
  /* Allowlist entries for this session only, in the allowlist grammar; may be NULL. */
  const char * const *allow_entries;
  /* Run without the proxy, on a plain bridge network. EXITBOX_NO_FIREWALL
   * set to anything but "", "0", "false" or "no", and
   * settings.default_flags.no_firewall, have the same effect.
   */
  gboolean            no_firewall;
  /* The folder of an ExitboxAllowListener, mounted at
   * EXITBOX_ALLOW_CONTAINER_DIR so that exitbox-allow reaches the host.
   * May be NULL; left out when the firewall is off.
   */
  const char         *allow_request_dir;
  /* The session runs in the user's own terminal (the CLI), which then shows
   * the status line of settings.status_bar; the window has a status bar of
   * its own and leaves this FALSE.
   */
  gboolean            terminal_status_line;
} ExitboxLaunchRequest;

/* What a prepared session runs. */
typedef struct
{
  char  **argv;            /* the full engine argv, program first */
  char   *container_name;
  char  **warnings;        /* translated notes for the user, may be empty */
  /* The session's variables, mode 0600. The engine reads the file when the
   * container starts, so the caller removes it with
   * exitbox_launch_plan_clean_up() only after the engine has exited.
   */
  char   *env_file;
  char  **notices;         /* translated information, such as a first import; may be empty */
  char   *image;           /* the project image the session runs */
  char   *session_address; /* the container's address on the internal network, NULL without the firewall */
  char  **created_mount_points; /* -i mount points made in the project for this session */
} ExitboxLaunchPlan;

void exitbox_launch_plan_free (ExitboxLaunchPlan *plan);
/* After the engine has exited: removes the env file and the mount points
 * that the plan created and that are still empty.
 */
void exitbox_launch_plan_clean_up (ExitboxLaunchPlan *plan);
void exitbox_launch_remove_mount_points (const char * const *mount_points);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxLaunchPlan, exitbox_launch_plan_free)

#define EXITBOX_TYPE_LAUNCHER (exitbox_launcher_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxLauncher, exitbox_launcher, EXITBOX, LAUNCHER, GObject)

ExitboxLauncher     *exitbox_launcher_new               (ExitboxEngine              *engine,
                                                         ExitboxConfig              *config,
                                                         ExitboxAllowlist           *allowlist);
ExitboxEngine       *exitbox_launcher_get_engine        (ExitboxLauncher            *self);
/* Connect to its "progress" and "output" signals to follow builds. */
ExitboxImageBuilder *exitbox_launcher_get_image_builder (ExitboxLauncher            *self);
ExitboxFirewall     *exitbox_launcher_get_firewall      (ExitboxLauncher            *self);

/* Checks the request's session options: -e values, -i folders, --memory
 * and --cpus. prepare_async checks them too; this lets a caller report them
 * before it looks for an engine.
 */
gboolean             exitbox_launch_request_check       (const ExitboxLaunchRequest *request,
                                                         ExitboxConfig              *config,
                                                         GError                    **error);

/* Builds missing images, brings up the firewall and returns the argv that
 * starts the session. A warm launch costs one engine call here. On the
 * agent's first use it imports the host configuration into the managed
 * folder, and it records the use in the project registry.
 */
void                 exitbox_launcher_prepare_async     (ExitboxLauncher            *self,
                                                         const ExitboxLaunchRequest *request,
                                                         GCancellable               *cancellable,
                                                         GAsyncReadyCallback         callback,
                                                         gpointer                    user_data);
ExitboxLaunchPlan   *exitbox_launcher_prepare_finish    (ExitboxLauncher            *self,
                                                         GAsyncResult               *result,
                                                         GError                    **error);

/* Releases what the firewall holds for @plan's session: its address and
 * its -a rules, which a running proxy drops with a hot reload. Call it once
 * the container has exited.
 */
void                 exitbox_launcher_end_session_async  (ExitboxLauncher            *self,
                                                          const ExitboxLaunchPlan    *plan,
                                                          GCancellable               *cancellable,
                                                          GAsyncReadyCallback         callback,
                                                          gpointer                    user_data);
gboolean             exitbox_launcher_end_session_finish (ExitboxLauncher            *self,
                                                          GAsyncResult               *result,
                                                          GError                    **error);

/* The agent a shell session uses: the first enabled one, else claude. */
const char          *exitbox_launcher_get_shell_agent   (ExitboxLauncher            *self);

G_END_DECLS
