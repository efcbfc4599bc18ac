/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* An agent that ExitBox can install and run. The catalogue is static data. */
typedef struct
{
  const char *id;            /* "claude": config key, image and CLI name */
  const char *display_name;  /* "Claude Code" */
  const char *description;   /* translatable with N_(), translate with _() */
  const char *command;       /* executable inside the image */
  gboolean    installable;   /* FALSE until its verified install exists */
} ExitboxAgentInfo;

const ExitboxAgentInfo  *exitbox_agent_lookup (const char *id);
const ExitboxAgentInfo  *exitbox_agent_get_all (guint *n_agents);

G_END_DECLS
