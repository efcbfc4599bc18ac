/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include "exitbox-engine.h"

G_BEGIN_DECLS

/* What `exitbox info` reports about the engine's host. Strings are NULL
 * when the engine did not report them.
 */
typedef struct
{
  char *oci_runtime;     /* "runc" */
  char *cgroup_version;  /* "v1", "v2" or "1", "2" as the engine prints it */
} ExitboxHostInfo;

void             exitbox_host_info_free  (ExitboxHostInfo  *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxHostInfo, exitbox_host_info_free)

/* Runs `podman info --format json` or `docker info --format '{{json .}}'`
 * once and reads the OCI runtime and the cgroup version.
 */
ExitboxHostInfo *exitbox_host_info_query (ExitboxEngine    *engine,
                                          GError          **error);

/* Reads the same values from captured output of @kind's info command. */
ExitboxHostInfo *exitbox_host_info_parse (ExitboxEngineKind  kind,
                                          const char        *info_json,
                                          GError           **error);

G_END_DECLS
