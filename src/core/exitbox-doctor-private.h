/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include "exitbox-doctor.h"

G_BEGIN_DECLS

/* The doctor's decisions split into pure functions, so that tests can feed
 * them captured `podman info` output, captured stderr of failed runs and
 * temporary files instead of a broken host.
 */

typedef enum
{
  EXITBOX_DOCTOR_TUN_OK,
  EXITBOX_DOCTOR_TUN_MISSING,
  EXITBOX_DOCTOR_TUN_NO_ACCESS,
} ExitboxDoctorTunState;

typedef enum
{
  EXITBOX_DOCTOR_RUNTIME_DIR_OK,
  EXITBOX_DOCTOR_RUNTIME_DIR_UNSET,
  EXITBOX_DOCTOR_RUNTIME_DIR_MISSING,
  EXITBOX_DOCTOR_RUNTIME_DIR_NOT_DIRECTORY,
  EXITBOX_DOCTOR_RUNTIME_DIR_WRONG_OWNER,
  EXITBOX_DOCTOR_RUNTIME_DIR_WRONG_MODE,
} ExitboxDoctorRuntimeDirState;

/* What the checks found. Host checks that do not apply (rootful, or the
 * sandbox side of Flatpak) keep their "OK" values.
 */
typedef struct
{
  ExitboxEngineKind             kind;
  gboolean                      rootless;
  gboolean                      in_flatpak;

  /* From `podman info --format json`, NULL or -1 when unknown. */
  char                         *oci_runtime;
  char                         *graph_driver;
  char                         *cgroup_version;
  int                           uid_map_ranges;

  gboolean                      cgroup_blocks_crun;
  ExitboxDoctorTunState         tun_state;
  ExitboxDoctorRuntimeDirState  runtime_dir_state;
  char                         *runtime_dir;
  guint                         runtime_dir_mode;
  gboolean                      init_helper_missing;
  gboolean                      runc_available;
  rlim_t                        nofile_hard_limit;  /* see exitbox_doctor_get_container_limits() */
  rlim_t                        nproc_hard_limit;

  /* The files exitbox_doctor_apply_fix() would edit, or NULL. */
  char                         *containers_conf_path;
  char                         *storage_conf_path;

  /* Failed engine commands and their trimmed stderr, or NULL. */
  char                         *info_command;
  char                         *info_failure;
  char                         *run_command;
  char                         *run_failure;
} ExitboxDoctorFacts;

void        exitbox_doctor_facts_clear            (ExitboxDoctorFacts  *facts);

/* Reads host.ociRuntime.name, store.graphDriverName, host.cgroupVersion and
 * host.idMappings.uidmap from `podman info --format json`.
 */
gboolean    exitbox_doctor_facts_read_info        (ExitboxDoctorFacts  *facts,
                                                   const char          *info_json,
                                                   GError             **error);

/* Turns facts into problems, in a fixed order, each id at most once except
 * "engine-failure".
 */
GPtrArray  *exitbox_doctor_problems_from_facts    (const ExitboxDoctorFacts *facts);

/* The problem id that explains an engine's stderr, or NULL. */
const char *exitbox_doctor_classify_failure       (const char          *stderr_text);

/* crun refuses hybrid cgroups (cgroup v1 at /sys/fs/cgroup with a cgroup2
 * mount at /sys/fs/cgroup/unified) when the cgroup2 part has controllers.
 * @mounts_text is the content of /proc/self/mounts. @controllers_text is the
 * content of /sys/fs/cgroup/unified/cgroup.controllers, or NULL when that
 * file is unreadable.
 */
gboolean    exitbox_doctor_cgroup_blocks_crun     (const char          *mounts_text,
                                                   const char          *controllers_text);

ExitboxDoctorTunState        exitbox_doctor_check_tun_device  (const char *path);
/* @path is the value of XDG_RUNTIME_DIR, or NULL when it is unset. */
ExitboxDoctorRuntimeDirState exitbox_doctor_check_runtime_dir (const char *path,
                                                               uid_t       uid,
                                                               guint      *out_mode);

/* The containers.conf and storage.conf that podman reads for this user, and
 * that ExitBox may edit, or NULL when there is none it can write.
 */
char       *exitbox_doctor_dup_containers_conf_path (ExitboxEngineKind  kind,
                                                     gboolean           rootless,
                                                     gboolean           in_flatpak);
char       *exitbox_doctor_dup_storage_conf_path    (ExitboxEngineKind  kind,
                                                     gboolean           rootless,
                                                     gboolean           in_flatpak);

/* TOML text editing that keeps every other line, comment and table.
 * @value is TOML text such as "\"runc\"". Text that is not valid TOML, or an
 * edit that would make it invalid, is an error and nothing is returned.
 */
char       *exitbox_doctor_toml_set_value         (const char          *text,
                                                   const char          *table,
                                                   const char          *key,
                                                   const char          *value,
                                                   GError             **error);
/* The value's TOML text as written, or NULL without an error when absent. */
char       *exitbox_doctor_toml_dup_value         (const char          *text,
                                                   const char          *table,
                                                   const char          *key,
                                                   GError             **error);

/* The highest open-file and process limits a container can get: the hard
 * limits of this process, the process limit capped at kernel.pid_max.
 * RLIM_INFINITY means no limit.
 */
void        exitbox_doctor_get_container_limits   (rlim_t              *out_nofile,
                                                   rlim_t              *out_nproc);

/* Replaces the nofile and nproc entries of a default_ulimits array (TOML
 * text, or NULL for none) with "nofile=N:N" and "nproc=N:N" for each finite
 * limit, keeping the other entries.
 */
char       *exitbox_doctor_merge_ulimits          (const char          *current_value,
                                                   rlim_t               nofile_hard_limit,
                                                   rlim_t               nproc_hard_limit,
                                                   GError             **error);

G_END_DECLS
