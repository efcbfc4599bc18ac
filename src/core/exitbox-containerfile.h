/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include "exitbox-config.h"

G_BEGIN_DECLS

/* Containerfile text for each image layer. Pure functions, so the text of
 * both families can be tested without an engine. Every layer carries the
 * label exitbox.version.
 *
 * Every value is checked before it goes into the text: image names, agent
 * ids and file names must use their plain character sets, and label values
 * are escaped for a double-quoted LABEL value. A value that cannot be
 * written safely (a control character such as a newline, invalid UTF-8) is
 * rejected with G_IO_ERROR_INVALID_ARGUMENT naming the value.
 */

typedef struct
{
  ExitboxBaseFamily  family;
  const char        *from_image;      /* the distribution image, e.g. "debian:bookworm-slim" */
  guint              uid;             /* the host user the agent runs as */
  guint              gid;
} ExitboxBaseLayerParams;

typedef struct
{
  ExitboxBaseFamily  family;
  const char        *from_image;      /* the base layer's image name */
  const char        *from_image_id;   /* recorded as label exitbox.parent */
  const char        *agent_id;
  const char        *agent_version;   /* label exitbox.agent.version */
  const char        *binary_name;     /* file in the build context, installed to /usr/local/bin/<command> */
  const char        *command;         /* the agent's executable name, run with --version during the build */
  /* When set, binary_name is a .tar.gz archive and this file inside it is
   * the executable.
   */
  const char        *archive_member;
} ExitboxCoreLayerParams;

typedef struct
{
  const char        *from_image;      /* the agent core image name */
  const char        *from_image_id;   /* recorded as label exitbox.parent */
  const char        *project_key;
  const char        *profiles_hash;
  /* Added for development profiles. Zero values give a layer without
   * packages, as before.
   */
  ExitboxBaseFamily   family;
  const char * const *packages;       /* distribution package names, installed in one step */
  const char        *tools_hash;      /* label exitbox.tools.hash */
  gboolean           python_venv;     /* a virtual environment at /opt/venv, first on PATH */
  gboolean           node_tools;      /* npm's global prefix in the user's home, on PATH */
  guint              uid;             /* owner of the virtual environment */
  guint              gid;
  /* File name in the build context of the verified Go archive, unpacked to
   * /usr/local/go, or NULL.
   */
  const char        *go_archive;
  /* File name in the build context of the verified golangci-lint archive,
   * whose golangci-lint goes to /usr/local/bin, or NULL.
   */
  const char        *golangci_lint_archive;
  /* File names in the build context of the other verified profile tools,
   * or NULL: kubectl, helm and tofu go to /usr/local/bin, Docker Compose to
   * Docker's CLI plugin folder with a docker-compose link on PATH, Gradle
   * to /opt/gradle, Flutter to /opt/flutter (Debian only), and rustup-init
   * installs a minimal stable toolchain into /opt/rustup and /opt/cargo.
   */
  const char        *kubectl_binary;
  const char        *helm_archive;
  const char        *opentofu_archive;
  const char        *docker_compose_binary;
  const char        *gradle_archive;
  const char        *rustup_init;
  const char        *flutter_archive;
} ExitboxProjectLayerParams;

char *exitbox_containerfile_base    (const ExitboxBaseLayerParams    *params,
                                     GError                         **error);
char *exitbox_containerfile_core    (const ExitboxCoreLayerParams    *params,
                                     GError                         **error);
char *exitbox_containerfile_project (const ExitboxProjectLayerParams *params,
                                     GError                         **error);
/* Checks a distribution package name for the project layer and tools.user:
 * it starts with a lower-case letter or digit and contains lower-case
 * letters, digits and + - . _ (Debian and Alpine names). Fails with
 * G_IO_ERROR_INVALID_ARGUMENT naming the value.
 */
gboolean exitbox_containerfile_check_package_name (const char  *name,
                                                   GError     **error);

/* The Squid proxy image, on the same family as the agents. */
char *exitbox_containerfile_proxy   (ExitboxBaseFamily                family,
                                     const char                      *from_image,
                                     GError                         **error);

/* The entrypoint script that the base layer copies into the image. */
GBytes *exitbox_containerfile_get_entrypoint (GError **error);
/* The exitbox-allow script that the base layer copies into the image. */
GBytes *exitbox_containerfile_get_allow_script (GError **error);

/* A short digest of the base layer's template and of the files its build
 * context copies, recorded as label exitbox.base.digest: a changed
 * entrypoint rebuilds the base layer even within one ExitBox version.
 */
char   *exitbox_containerfile_dup_base_digest (ExitboxBaseFamily   family,
                                               GError            **error);

G_END_DECLS
