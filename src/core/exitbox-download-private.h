/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "exitbox-download.h"

G_BEGIN_DECLS

/* Helpers that exitbox-download.c shares with exitbox-tool-download.c. */

gboolean     exitbox_download_is_valid_version        (const char  *version);
gboolean     exitbox_download_is_sha256_hex           (const char  *text);
gboolean     exitbox_download_is_safe_path_component  (const char  *name);
/* "x86_64" or "aarch64" for this computer, or NULL on other CPUs. */
const char  *exitbox_download_host_cpu                (void);
/* A session with the download timeouts (EXITBOX_DOWNLOAD_TIMEOUT). */
SoupSession *exitbox_download_create_session          (void);
const char  *exitbox_download_get_string_member       (JsonObject  *object,
                                                       const char  *name);

/* GET of a small resource such as a version file, a checksum file or
 * release metadata, retried once after a network error or HTTP 5xx.
 */
void         exitbox_download_get_bytes_async         (SoupSession         *session,
                                                       const char          *url,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
GBytes      *exitbox_download_get_bytes_finish        (GAsyncResult        *result,
                                                       GError             **error);

/* Looks up the latest release of a profile tool other than "go". */
void         exitbox_tool_release_fetch_other_async   (const char          *tool,
                                                       ExitboxBaseFamily    family,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
ExitboxAgentRelease *exitbox_tool_release_fetch_other_finish (GAsyncResult  *result,
                                                              GError       **error);

G_END_DECLS
