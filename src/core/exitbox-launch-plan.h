/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib.h>

#include "exitbox-inspection.h"

G_BEGIN_DECLS

#define EXITBOX_NETWORK_INTERNAL "exitbox-int"
#define EXITBOX_NETWORK_EGRESS   "exitbox-egress"
#define EXITBOX_WORKSPACE_DIR    "/workspace"
#define EXITBOX_CONTAINER_HOME   "/home/user"
#define EXITBOX_DEFAULT_PIDS_LIMIT 4096

/* A folder bind-mounted into the container besides the project. */
typedef struct
{
  const char *source;
  const char *destination;
  gboolean    read_only;
} ExitboxLaunchMount;

/* Everything one `run` of an agent container depends on. A pure value, so the
 * argv can be unit-tested and printed with --verbose.
 */
typedef struct
{
  ExitboxEngineKind   engine_kind;
  gboolean            rootless;
  guint               uid;
  guint               gid;
  const char         *image;
  const char         *container_name;
  const char         *project_path;
  gboolean            read_only;
  gboolean            interactive;     /* stdin and stdout are terminals: add -it */
  const char         *proxy_address;   /* the proxy's IPv4 address on the internal network */
  const char         *address;         /* the container's reserved address there, or NULL */
  gboolean            no_firewall;     /* a plain bridge network and no proxy: proxy_address unused */
  const char         *memory;          /* "8g" */
  const char         *cpus;            /* "4" */
  guint               pids_limit;
  const char         *agent_id;        /* NULL for a shell */
  const char * const *command;         /* the agent's or the shell's argv, may be NULL */

  /* The session's environment and folders. */
  const char               *env_file;       /* read with --env-file; it sets TERM, may be NULL */
  const char               *home_path;      /* mounted at EXITBOX_CONTAINER_HOME, may be NULL */
  const ExitboxLaunchMount *extra_mounts;   /* after the project's mount, so they nest in it */
  guint                     n_extra_mounts;
} ExitboxLaunchOptions;

/* The engine arguments after the program name: {"run", "--rm", …, image, command…}. */
char **exitbox_launch_build_run_args   (const ExitboxLaunchOptions *options);
/* "exitbox-<agent or shell>-<project key>-<8 hex digits>", random per session. */
char  *exitbox_launch_dup_container_name (const char *agent_id,
                                          const char *project_key);

/* The line a terminal session shows at its top when settings.status_bar is
 * on: "ExitBox VERSION – agent – project folder – firewall state". Control
 * characters in the names become spaces.
 */
char  *exitbox_launch_dup_status_line  (const char *agent_name,
                                        const char *project_path,
                                        gboolean    no_firewall,
                                        guint       n_allowed,
                                        guint       n_session_entries);

G_END_DECLS
