/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include "exitbox-engine.h"

G_BEGIN_DECLS

/* The images ExitBox built, found by their label exitbox.version, for the
 * list, uninstall and clean commands. Images without that label, such as
 * the distribution image a base layer starts from, are never listed and so
 * never removed.
 */

typedef enum
{
  EXITBOX_IMAGE_LAYER_BASE,
  EXITBOX_IMAGE_LAYER_PROXY,
  EXITBOX_IMAGE_LAYER_CORE,
  EXITBOX_IMAGE_LAYER_PROJECT,
} ExitboxImageLayer;

typedef struct
{
  char              *id;             /* bare image ID */
  char              *name;           /* first repository tag, or NULL for a dangling image */
  ExitboxImageLayer  layer;
  char              *agent;          /* label exitbox.agent, or NULL */
  char              *agent_version;  /* label exitbox.agent.version, or NULL */
  char              *project;        /* label exitbox.project, or NULL */
} ExitboxImageRecord;

void exitbox_image_record_free (ExitboxImageRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxImageRecord, exitbox_image_record_free)

/* Lists ExitBox's images: every one, or with @dangling_only only those
 * without a tag (left behind when a rebuild moved the tag). Two engine
 * calls: `images` for the IDs and one `inspect` for their labels and tags.
 */
GPtrArray *exitbox_image_store_list   (ExitboxEngine  *engine,
                                       gboolean        dangling_only,
                                       GCancellable   *cancellable,
                                       GError        **error);

/* Removes @records (ExitboxImageRecord) with `rmi`, project layers first,
 * then cores, then base and proxy, so no image is removed before the images
 * built on it. Every image is tried: the error lists those the engine did
 * not remove (for example because a container uses it), with its message.
 * Sets @out_removed to how many were removed.
 */
gboolean   exitbox_image_store_remove (ExitboxEngine  *engine,
                                       GPtrArray      *records,
                                       guint          *out_removed,
                                       GCancellable   *cancellable,
                                       GError        **error);

G_END_DECLS
