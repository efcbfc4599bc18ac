/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <gio/gio.h>

#include "exitbox-core.h"

G_BEGIN_DECLS

/* The options and arguments of one command line. The options before the command or agent
 * name are parsed in exitbox-cli.c; each command parses its own arguments
 * from @args.
 */
typedef struct
{
  gboolean    read_only;
  gboolean    verbose;
  gboolean    force;
  gboolean    no_firewall;
  gboolean    no_env;
  gboolean    update;
  gboolean    allow_unverified; /* install agents whose release publishes no digest */
  GPtrArray  *env;            /* KEY=VALUE as given to -e */
  GPtrArray  *include_dirs;   /* folders given to -i */
  GPtrArray  *tools;          /* packages given to -t, comma lists split */
  GPtrArray  *allow_entries;  /* entries given to -a, comma lists split */
  char       *memory;
  char       *cpus;

  const char *command;        /* "run", "shell", "list", "doctor", "setup", ... */
  const char *agent_id;
  char      **args;           /* what follows the agent name, the shell's command after
                               * "--", or the arguments of any other command
                               */
} CliOptions;

/* The exit status when the container engine failed before or while starting
 * a session, as podman itself uses 125 for its own errors. A session that
 * ran ends with the agent's status, bad usage with 2 and bad settings with 1.
 */
#define EXITBOX_CLI_EXIT_ENGINE 125

void exitbox_cli_options_clear (CliOptions *options);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliOptions, exitbox_cli_options_clear)

void      exitbox_cli_print_error       (const char   *message);
gboolean  exitbox_cli_confirm           (const char   *question);
char     *exitbox_cli_read_answer       (void);
gboolean  exitbox_cli_ensure_defaults   (const char   *config_dir,
                                         GError      **error);
/* Runs the setup wizard first when neither file exists and the user is at a
 * terminal, else writes the default files when they are missing.
 */
gboolean  exitbox_cli_ensure_configured (const char   *config_dir,
                                         GError      **error);
void      exitbox_cli_on_async_ready    (GObject      *object,
                                         GAsyncResult *result,
                                         gpointer      user_data);
GAsyncResult *exitbox_cli_wait_for_result (GAsyncResult **result);
/* The command words and the option names, for shell completion. The
 * options go to @flags or, when they take a value, to @value_options, as
 * new strings.
 */
const char * const *exitbox_cli_get_command_names   (void);
void                exitbox_cli_append_option_names (GPtrArray *flags,
                                                     GPtrArray *value_options);

/* TRUE when a command's arguments contain -h or --help. */
gboolean  exitbox_cli_wants_help        (char        **args);

/* Commands, each in its own file. They return the exit status. */
int exitbox_cli_setup     (CliOptions *options);
int exitbox_cli_allowlist (CliOptions *options);
int exitbox_cli_projects  (CliOptions *options);
int exitbox_cli_import    (CliOptions *options);
int exitbox_cli_logs      (CliOptions *options);
int exitbox_cli_aliases   (CliOptions *options);
int exitbox_cli_completion (CliOptions *options);
int exitbox_cli_profile   (CliOptions    *options,
                           ExitboxConfig *config);
/* Turns on unverified installs for --allow-unverified, with a warning. */
void exitbox_cli_apply_allow_unverified (ExitboxImageBuilder *builder,
                                         const CliOptions    *options);
int exitbox_cli_rebuild   (CliOptions    *options,
                           ExitboxConfig *config,
                           ExitboxEngine *engine);
int exitbox_cli_uninstall (CliOptions    *options,
                           ExitboxEngine *engine);
int exitbox_cli_clean     (CliOptions    *options,
                           ExitboxEngine *engine);
int exitbox_cli_info      (CliOptions    *options,
                           ExitboxConfig *config,
                           ExitboxEngine *engine,
                           GError        *engine_error);

int exitbox_cli_print_agents (ExitboxConfig *config,
                              ExitboxEngine *engine,
                              const char    *indent);
int exitbox_cli_firewall  (CliOptions *options);

/* Runtime allow requests, in exitbox-cli-allow.c. start_allow_listener()
 * sets request->allow_request_dir, or warns and returns NULL.
 */
ExitboxAllowListener *exitbox_cli_start_allow_listener (ExitboxLauncher      *launcher,
                                                        ExitboxLaunchRequest *request);
int exitbox_cli_firewall_pending (char       **args);
int exitbox_cli_firewall_answer  (const char  *action,
                                  char       **args);

/* config.yaml, or the defaults when it is missing or does not load. */
ExitboxConfig *exitbox_cli_load_config_or_default (void);

/* The engine that CONTAINER_RUNTIME or settings.runtime of @config (or of
 * config.yaml when @config is NULL) chooses.
 */
ExitboxEngine *exitbox_cli_detect_engine (ExitboxConfig  *config,
                                          GError        **error);

/* A firewall for the commands that look at or reload the proxy, in
 * exitbox-cli-firewall.c.
 */
ExitboxFirewall *exitbox_cli_new_firewall (ExitboxEngine *engine);

/* Stops the proxy after settings.proxy_idle_minutes unless a session
 * starts before then: at once for 0, else from a detached helper.
 */
void exitbox_cli_schedule_proxy_stop (ExitboxEngine *engine,
                                      ExitboxConfig *config);

G_END_DECLS
