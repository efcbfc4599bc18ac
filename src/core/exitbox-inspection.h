/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  EXITBOX_ENGINE_KIND_PODMAN,
  EXITBOX_ENGINE_KIND_DOCKER,
} ExitboxEngineKind;

#define EXITBOX_TYPE_INSPECTION (exitbox_inspection_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxInspection, exitbox_inspection, EXITBOX, INSPECTION, GObject)

/* Parses `inspect` output: podman prints one JSON array; docker prints an
 * array, or one object per line with --format '{{json .}}'. Objects may be
 * images, networks and containers mixed. Unknown members are ignored.
 */
ExitboxInspection *exitbox_inspection_new_from_json        (ExitboxEngineKind   kind,
                                                            const char         *json,
                                                            GError            **error);
ExitboxInspection *exitbox_inspection_new_empty            (void);
/* Parses more `inspect` output into @self. An object that is already present
 * under the same name is replaced. On error @self is unchanged.
 */
gboolean           exitbox_inspection_add_json             (ExitboxInspection  *self,
                                                            ExitboxEngineKind   kind,
                                                            const char         *json,
                                                            GError            **error);
/* Whether @name is the name or ID of any image, network or container in @self. */
gboolean           exitbox_inspection_has_object           (ExitboxInspection  *self,
                                                            const char         *name);

/* Image names match with or without "localhost/", "docker.io/library/" and ":latest". */
gboolean           exitbox_inspection_has_image            (ExitboxInspection  *self,
                                                            const char         *image);
const char        *exitbox_inspection_get_image_id         (ExitboxInspection  *self,
                                                            const char         *image);
/* The image's first tag, normalized as names are ("exitbox-base:latest"), or
 * NULL for an image without tags or an unknown one.
 */
const char        *exitbox_inspection_get_image_name       (ExitboxInspection  *self,
                                                            const char         *image);
const char        *exitbox_inspection_get_image_label      (ExitboxInspection  *self,
                                                            const char         *image,
                                                            const char         *label);

gboolean           exitbox_inspection_has_network          (ExitboxInspection  *self,
                                                            const char         *network);
gboolean           exitbox_inspection_get_network_internal (ExitboxInspection  *self,
                                                            const char         *network);
/* Whether the engine runs a DNS server for the network (podman's
 * dns_enabled; always TRUE for docker).
 */
gboolean           exitbox_inspection_get_network_dns_enabled (ExitboxInspection *self,
                                                            const char         *network);
/* First IPv4 subnet in CIDR form and its gateway, or NULL. */
const char        *exitbox_inspection_get_network_subnet   (ExitboxInspection  *self,
                                                            const char         *network);
const char        *exitbox_inspection_get_network_gateway  (ExitboxInspection  *self,
                                                            const char         *network);

gboolean           exitbox_inspection_has_container        (ExitboxInspection  *self,
                                                            const char         *container);
gboolean           exitbox_inspection_get_container_running (ExitboxInspection *self,
                                                            const char         *container);
const char        *exitbox_inspection_get_container_label (ExitboxInspection *self,
                                                            const char         *container,
                                                            const char         *label);
const char        *exitbox_inspection_get_container_image_id (ExitboxInspection *self,
                                                            const char         *container);
/* The container's IPv4 address on @network, or NULL. */
const char        *exitbox_inspection_get_container_address (ExitboxInspection *self,
                                                            const char         *container,
                                                            const char         *network);
/* The gateway of @container's attachment to @network, and the IPv4 subnet in
 * CIDR form computed from its address and prefix length, or NULL. They let a
 * caller learn a network's addresses from a running container without
 * inspecting the network itself.
 */
const char        *exitbox_inspection_get_container_gateway (ExitboxInspection *self,
                                                            const char         *container,
                                                            const char         *network);
const char        *exitbox_inspection_get_container_subnet (ExitboxInspection  *self,
                                                            const char         *container,
                                                            const char         *network);

G_END_DECLS
