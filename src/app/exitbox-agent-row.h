/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <adwaita.h>

#include "exitbox-core.h"

G_BEGIN_DECLS

#define EXITBOX_TYPE_AGENT_ROW (exitbox_agent_row_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxAgentRow, exitbox_agent_row, EXITBOX, AGENT_ROW, AdwActionRow)

/* A row of the agent list: name, description, the state of its image for
 * the current project, Build or Rebuild (win.build-agent), Launch
 * (win.launch-agent) and a switch for agents.AGENT.enabled in config.yaml
 * (win.set-agent-enabled), each with the agent's id.
 */
GtkWidget  *exitbox_agent_row_new                (const ExitboxAgentInfo *info);
const char *exitbox_agent_row_get_agent_id       (ExitboxAgentRow        *self);

/* @config may be NULL when config.yaml failed to load: the state is unknown. */
void        exitbox_agent_row_set_config         (ExitboxAgentRow        *self,
                                                  ExitboxConfig          *config);
void        exitbox_agent_row_set_image_state    (ExitboxAgentRow        *self,
                                                  ExitboxImageState       state,
                                                  const char             *version);
/* Hides the image state; @reason, when not NULL, explains it in a tooltip. */
void        exitbox_agent_row_clear_image_state  (ExitboxAgentRow        *self,
                                                  const char             *reason);
/* Why the window cannot launch anything now (no project, no engine), or NULL. */
void        exitbox_agent_row_set_blocker        (ExitboxAgentRow        *self,
                                                  const char             *reason);

/* The state last set, and whether one is known. */
ExitboxImageState exitbox_agent_row_get_image_state (ExitboxAgentRow     *self,
                                                     gboolean            *out_known);
/* Shows a build in progress with @message, the build's latest step, until
 * exitbox_agent_row_finish_building(), which shows @failure (or nothing
 * when NULL) until the next image state.
 */
void        exitbox_agent_row_set_building       (ExitboxAgentRow        *self,
                                                  const char             *message);
void        exitbox_agent_row_finish_building    (ExitboxAgentRow        *self,
                                                  const char             *failure);
gboolean    exitbox_agent_row_get_building       (ExitboxAgentRow        *self);
/* The build output behind the row's log button, shown from the first build
 * on: cleared when a build starts, one line appended per output line.
 */
void        exitbox_agent_row_clear_log          (ExitboxAgentRow        *self);
void        exitbox_agent_row_append_log         (ExitboxAgentRow        *self,
                                                  const char             *line);
char       *exitbox_agent_row_dup_log            (ExitboxAgentRow        *self);

/* The texts the row shows, or NULL while that state is hidden. */
const char *exitbox_agent_row_get_enabled_text   (ExitboxAgentRow        *self);
const char *exitbox_agent_row_get_image_text     (ExitboxAgentRow        *self);
GtkWidget  *exitbox_agent_row_get_launch_button  (ExitboxAgentRow        *self);
GtkWidget  *exitbox_agent_row_get_build_button   (ExitboxAgentRow        *self);
GtkWidget  *exitbox_agent_row_get_enabled_switch (ExitboxAgentRow        *self);

G_END_DECLS
