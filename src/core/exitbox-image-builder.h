/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include "exitbox-config.h"
#include "exitbox-engine.h"

G_BEGIN_DECLS

#define EXITBOX_IMAGE_BASE  "exitbox-base"
/* Not "exitbox-squid": `inspect` resolves a name to the container of that
 * name before an image, so the proxy image needs a name of its own.
 */
#define EXITBOX_IMAGE_PROXY "exitbox-proxy"

typedef enum
{
  EXITBOX_IMAGE_STATE_MISSING,  /* never built */
  EXITBOX_IMAGE_STATE_STALE,    /* built, but a layer's labels no longer match */
  EXITBOX_IMAGE_STATE_BUILT,
} ExitboxImageState;

char *exitbox_image_dup_core_name    (const char *agent_id);                          /* exitbox-claude-core */
char *exitbox_image_dup_project_name (const char *agent_id, const char *project_key); /* exitbox-claude-<key> */
/* The label exitbox.profiles.hash: the first 16 hex digits of the SHA-256
 * of the profile ids joined with ",". NULL is the empty list.
 */
char *exitbox_image_dup_profiles_hash (const char * const *profiles);
/* The label exitbox.tools.hash of tools.user, computed like the profiles hash. */
char *exitbox_image_dup_tools_hash    (const char * const *tools);

#define EXITBOX_TYPE_IMAGE_BUILDER (exitbox_image_builder_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxImageBuilder, exitbox_image_builder, EXITBOX, IMAGE_BUILDER, GObject)

/* Signals:
 *   "progress" (const char *layer, const char *message): one line per layer step
 *   "output"   (const char *line): every line the engine's build prints
 */
ExitboxImageBuilder *exitbox_image_builder_new          (ExitboxEngine        *engine,
                                                         ExitboxConfig        *config);

/* Lets Codex and OpenCode install from a release that publishes no SHA-256
 * digest for its asset (FALSE by default). The build then says loudly that
 * the agent is not verified.
 */
void                 exitbox_image_builder_set_allow_unverified (ExitboxImageBuilder *self,
                                                                 gboolean             allow_unverified);

/* Makes ensure_async() look up the latest release of the agent even when
 * the core is current, and rebuild the core and project layers when its
 * version differs from the core's exitbox.agent.version (FALSE by default,
 * for -u/--update and settings.auto_update).
 */
void                 exitbox_image_builder_set_check_updates   (ExitboxImageBuilder *self,
                                                                gboolean             check_updates);

/* Every image name the state of @agent_id in @project_key depends on, for one batched inspect. */
char               **exitbox_image_builder_dup_inspect_names (ExitboxImageBuilder *self,
                                                              const char          *agent_id,
                                                              const char          *project_key);
/* Decided by labels only. @inspection must cover the names above. */
ExitboxImageState    exitbox_image_builder_get_state    (ExitboxImageBuilder  *self,
                                                         ExitboxInspection    *inspection,
                                                         const char           *agent_id,
                                                         const char           *project_key);
/* The agent version recorded on the core image, or NULL. */
const char          *exitbox_image_builder_get_agent_version (ExitboxImageBuilder *self,
                                                              ExitboxInspection   *inspection,
                                                              const char          *agent_id);

/* Builds whatever layers of the project image and the proxy image are
 * missing or stale. The project layer installs the packages of the
 * project's profiles (see exitbox_image_builder_dup_profiles()) and
 * tools.user, plus the verified Go archive for the go profile, and fails
 * when a profile has neither a package for the configured family nor a tool
 * that ExitBox downloads. @inspection may be NULL, then it inspects first.
 */
void                 exitbox_image_builder_ensure_async (ExitboxImageBuilder  *self,
                                                         ExitboxInspection    *inspection,
                                                         const char           *agent_id,
                                                         const char           *project_key,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean             exitbox_image_builder_ensure_finish (ExitboxImageBuilder *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* Builds the core and project layers of @agent_id again without the
 * engine's layer cache, whatever their labels, so the core gets the latest
 * agent release and the project fresh packages. The base and the proxy are
 * built only when missing or stale.
 */
void                 exitbox_image_builder_rebuild_async  (ExitboxImageBuilder  *self,
                                                           const char           *agent_id,
                                                           const char           *project_key,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean             exitbox_image_builder_rebuild_finish (ExitboxImageBuilder  *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* The effective profile ids of the project: config.yaml `profiles` with the
 * additions and removals the project registry keeps for @project_key.
 * Fails when the registry cannot be read.
 */
char               **exitbox_image_builder_dup_profiles    (ExitboxImageBuilder  *self,
                                                            const char           *project_key,
                                                            GError              **error);

/* Builds the proxy image if it is missing or stale. */
void                 exitbox_image_builder_ensure_proxy_async  (ExitboxImageBuilder  *self,
                                                                ExitboxInspection    *inspection,
                                                                GCancellable         *cancellable,
                                                                GAsyncReadyCallback   callback,
                                                                gpointer              user_data);
gboolean             exitbox_image_builder_ensure_proxy_finish (ExitboxImageBuilder  *self,
                                                                GAsyncResult         *result,
                                                                GError              **error);
/* Whether the proxy image exists with matching labels. */
gboolean             exitbox_image_builder_proxy_is_current    (ExitboxImageBuilder  *self,
                                                                ExitboxInspection    *inspection);

G_END_DECLS
