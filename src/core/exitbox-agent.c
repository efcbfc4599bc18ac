/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <glib/gi18n-lib.h>

#include "exitbox-agent.h"

static const ExitboxAgentInfo agents[] = {
  {
    .id = "claude",
    .display_name = "Claude Code",
    .description = N_("Anthropic’s coding agent for the terminal"),
    .command = "claude",
    .installable = TRUE,
  },
  {
    .id = "codex",
    .display_name = "Codex",
    .description = N_("OpenAI’s coding agent for the terminal"),
    .command = "codex",
    .installable = TRUE,
  },
  {
    .id = "opencode",
    .display_name = "OpenCode",
    .description = N_("Open source coding agent for the terminal"),
    .command = "opencode",
    .installable = TRUE,
  },
};

const ExitboxAgentInfo *
exitbox_agent_lookup (const char *id)
{
  if (id == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (agents); i++)
    {
      if (g_str_equal (agents[i].id, id))
        return &agents[i];
    }

  return NULL;
}

const ExitboxAgentInfo *
exitbox_agent_get_all (guint *n_agents)
{
  if (n_agents != NULL)
    *n_agents = G_N_ELEMENTS (agents);

  return agents;
}
