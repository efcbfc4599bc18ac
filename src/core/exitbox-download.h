/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <gio/gio.h>

#include "exitbox-config.h"

G_BEGIN_DECLS

/* Verified downloads with libsoup: every file is checked against a SHA-256
 * published by its vendor, cached under ~/.cache/exitbox/downloads/ and
 * checked again whenever the cache is used.
 */

#define EXITBOX_CLAUDE_DEFAULT_DIST_URL \
  "https://storage.googleapis.com/claude-code-dist-86c565f3-f756-42ad-8dfa-d59b1c096819/claude-code-releases"

/* A release of an agent as its vendor publishes it. */
typedef struct
{
  char *version;
  char *platform;  /* "linux-x64", "linux-arm64-musl", … */
  char *url;       /* the binary */
  char *sha256;    /* lower-case hex, from the vendor's manifest */
} ExitboxAgentRelease;

void exitbox_agent_release_free (ExitboxAgentRelease *release);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxAgentRelease, exitbox_agent_release_free)

/* "linux-x64" or "linux-arm64", with "-musl" for Alpine; NULL on other CPUs. */
const char          *exitbox_claude_platform             (ExitboxBaseFamily     family);
/* EXITBOX_CLAUDE_DIST_URL, else EXITBOX_CLAUDE_DEFAULT_DIST_URL. */
char                *exitbox_claude_dup_dist_url         (void);

/* Reads BASE/latest and BASE/VERSION/manifest.json. */
void                 exitbox_claude_release_fetch_async  (ExitboxBaseFamily     family,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
ExitboxAgentRelease *exitbox_claude_release_fetch_finish (GAsyncResult         *result,
                                                          GError              **error);

/* Downloads @release (or reuses the cache) and returns the path of the
 * verified file. A checksum mismatch is an error that names both sums.
 */
void                 exitbox_download_release_async      (ExitboxAgentRelease  *release,
                                                          const char           *agent_id,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
char                *exitbox_download_release_finish     (GAsyncResult         *result,
                                                          GError              **error);

G_END_DECLS
