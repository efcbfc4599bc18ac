/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include "exitbox-engine.h"

G_BEGIN_DECLS

/* A known engine misconfiguration found by the doctor, with its cause and fix. */
typedef struct
{
  char     *id;           /* stable: "oci-runtime", "ulimits", "tun-device", "runtime-dir", "sub-ids",
                           * "init-helper", "storage-driver", "cgroup-limits", "engine-failure" */
  char     *summary;      /* one line, translated */
  char     *explanation;  /* the cause, translated */
  char     *fix;          /* what the fix does or the command to run, translated */
  gboolean  fixable;      /* ExitBox can apply the fix itself by writing podman's config: the
                           * user's file, CONTAINERS_CONF, or for rootful podman a drop-in
                           * file in /etc/containers/containers.conf.d */
} ExitboxDoctorProblem;

void exitbox_doctor_problem_free (ExitboxDoctorProblem *problem);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxDoctorProblem, exitbox_doctor_problem_free)

/* Checks the host and starts a throwaway container from @test_image (a local
 * image; NULL skips that step). Returns the problems found (element type
 * ExitboxDoctorProblem), empty when the engine works.
 */
void       exitbox_doctor_check_async   (ExitboxEngine        *engine,
                                         const char           *test_image,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
GPtrArray *exitbox_doctor_check_finish  (ExitboxEngine        *engine,
                                         GAsyncResult         *result,
                                         GError              **error);
GPtrArray *exitbox_doctor_check         (ExitboxEngine        *engine,
                                         const char           *test_image,
                                         GCancellable         *cancellable,
                                         GError              **error);

/* Writes the engine configuration that fixes @problem, editing the file in
 * place (other settings and comments are kept) and atomically. It never
 * runs the follow-up steps that problem->fix names, such as `podman system
 * reset`.
 */
gboolean   exitbox_doctor_apply_fix     (ExitboxEngine        *engine,
                                         ExitboxDoctorProblem *problem,
                                         GError              **error);

G_END_DECLS
