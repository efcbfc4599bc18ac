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
  /* Allowlist entries for this session only, in the allowlist grammar; may be NULL. */
  const char * const *allow_entries;
  /* Run without the proxy, on a plain bridge network. EXITBOX_NO_FIREWALL
   * set to anything but "", "0", "false" or "no", and
   * settings.default_flags.no_firewall, have the same effect.
   */
  gboolean            no_firewall;
} ExitboxLaunchRequest;

/* What a prepared session runs. */
typedef struct
{
  char  **argv;            /* the full engine argv, program first */
  char   *container_name;
  char  **warnings;        /* translated notes for the user, may be empty */
  char   *session_address; /* the container's address on the internal network, NULL without the firewall */
} ExitboxLaunchPlan;

void exitbox_launch_plan_free (ExitboxLaunchPlan *plan);
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

/* Builds missing images, brings up the firewall and returns the argv that
 * starts the session. A warm launch costs one engine call here.
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
