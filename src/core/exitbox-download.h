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
  /* The executable inside the download when it is a .tar.gz archive (Codex,
   * OpenCode), or NULL when the download is the executable itself.
   */
  char *archive_member;
} ExitboxAgentRelease;

void exitbox_agent_release_free (ExitboxAgentRelease *release);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxAgentRelease, exitbox_agent_release_free)

/* "linux-x64" or "linux-arm64", with "-musl" for Alpine; NULL on other CPUs. */
const char          *exitbox_claude_platform             (ExitboxBaseFamily     family);
/* EXITBOX_CLAUDE_DIST_URL, else EXITBOX_CLAUDE_DEFAULT_DIST_URL. */
char                *exitbox_claude_dup_dist_url         (void);

/* The official install script, which names the current release bucket. */
#define EXITBOX_CLAUDE_DEFAULT_INSTALL_SCRIPT_URL "https://claude.ai/install.sh"

/* EXITBOX_CLAUDE_INSTALL_SCRIPT_URL, else the default above. */
char                *exitbox_claude_dup_install_script_url (void);
/* Whether @url may be used as a release bucket: https with a host, an
 * optional path without "..", no user, query or fragment, only URL-safe
 * characters. Plain http is
 * accepted for loopback hosts only, for tests.
 */
gboolean             exitbox_claude_is_valid_dist_url    (const char           *url);
/* The bucket URL that an install script assigns to a shell variable whose
 * name contains BUCKET, without trailing '/', or NULL when no line holds a
 * valid one.
 */
char                *exitbox_claude_parse_install_script (const char           *script);

/* Reads BASE/latest and BASE/VERSION/manifest.json. When the bucket cannot
 * be reached or responds with 404 or 5xx, the bucket named by the install
 * script is tried once and, when it works, remembered in the cache for the next
 * lookups. The error then names both buckets.
 */
void                 exitbox_claude_release_fetch_async  (ExitboxBaseFamily     family,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
/* Reads BASE/VERSION/manifest.json for a pinned @version ("2.0.14" or
 * "v2.0.14"). Finish with exitbox_claude_release_fetch_finish().
 */
void                 exitbox_claude_release_fetch_version_async (ExitboxBaseFamily    family,
                                                                 const char          *version,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
ExitboxAgentRelease *exitbox_claude_release_fetch_finish (GAsyncResult         *result,
                                                          GError              **error);

/* Codex and OpenCode publish GitHub releases. */
#define EXITBOX_CODEX_DEFAULT_RELEASE_URL \
  "https://api.github.com/repos/openai/codex/releases/latest"
#define EXITBOX_OPENCODE_DEFAULT_RELEASE_URL \
  "https://api.github.com/repos/anomalyco/opencode/releases/latest"
#define EXITBOX_GOLANGCI_LINT_DEFAULT_RELEASE_URL \
  "https://api.github.com/repos/golangci/golangci-lint/releases/latest"

/* The release metadata URL of "codex", "opencode" or the profile tool
 * "golangci-lint": EXITBOX_CODEX_RELEASE_URL, EXITBOX_OPENCODE_RELEASE_URL or
 * EXITBOX_GOLANGCI_LINT_RELEASE_URL when set, else the default above. NULL
 * for other names.
 */
char                *exitbox_github_release_dup_url      (const char           *agent_id);
/* The release asset for @agent_id on this computer's CPU and @family, such
 * as "codex-x86_64-unknown-linux-musl.tar.gz", or NULL when none exists.
 */
char                *exitbox_github_asset_name           (const char           *agent_id,
                                                          ExitboxBaseFamily     family);

/* Reads the release metadata (GitHub's "latest release" JSON) of "codex" or
 * "opencode" and returns the asset for this computer with the SHA-256 from
 * the asset's "digest" member ("sha256:HEX"). A release without that asset
 * fails with G_IO_ERROR_NOT_FOUND, and an asset without a SHA-256 digest
 * with G_IO_ERROR_INVALID_DATA, because it cannot be verified, unless
 * @allow_unverified: then the release has @sha256 NULL. A pinned @version
 * reads releases/tags/TAG beside the "latest" URL instead, with the tag
 * "rust-vVERSION" for Codex and "vVERSION" for OpenCode.
 */
void                 exitbox_github_release_fetch_async  (const char           *agent_id,
                                                          ExitboxBaseFamily     family,
                                                          const char           *version,
                                                          gboolean              allow_unverified,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
ExitboxAgentRelease *exitbox_github_release_fetch_finish (GAsyncResult         *result,
                                                          GError              **error);

/* The Go toolchain, for the "go" profile, comes from Go's own release list
 * with the SHA-256 it publishes for each file.
 */
#define EXITBOX_GO_DEFAULT_RELEASES_URL "https://go.dev/dl/?mode=json"

/* Whether ExitBox downloads the profile tool @tool (a name from the
 * catalogue's `downloads`): go, golangci-lint, kubectl, helm, opentofu,
 * docker-compose, gradle, rustup and flutter.
 */
gboolean             exitbox_tool_download_is_supported  (const char           *tool);
/* Whether the download of @tool runs on @family: Flutter is linked against
 * glibc, so it has no Alpine build.
 */
gboolean             exitbox_tool_download_supports_family (const char         *tool,
                                                            ExitboxBaseFamily   family);

/* The URL where the release information of @tool (other than "go") is
 * read, from its environment variable (such as EXITBOX_KUBECTL_RELEASE_URL)
 * when set, or NULL for an unknown tool.
 */
char                *exitbox_tool_dup_source_url         (const char           *tool);
/* The lower-case SHA-256 for @file_name in a checksum file: sha256sum
 * lines "HEX  NAME" or "HEX *NAME", or a file that contains one bare HEX.
 * NULL when the file lists no valid one for @file_name.
 */
char                *exitbox_tool_parse_checksum_file    (const char           *text,
                                                          const char           *file_name);

/* Reads the release information of @tool from its publisher and returns the
 * newest stable download for this computer's CPU and @family, with the
 * SHA-256 that the publisher releases for it. Every publisher URL can be
 * overridden by an environment variable (see README.md): for "go" that is
 * EXITBOX_GO_RELEASES_URL, and the archive is downloaded from the folder of
 * the list's URL. A download without a published SHA-256 fails with
 * G_IO_ERROR_INVALID_DATA. When the publisher cannot be reached, the last
 * release that was looked up for this tool and platform is returned, so a
 * rebuild works offline from the cache.
 */
void                 exitbox_tool_release_fetch_async    (const char           *tool,
                                                          ExitboxBaseFamily     family,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
ExitboxAgentRelease *exitbox_tool_release_fetch_finish   (GAsyncResult         *result,
                                                          GError              **error);

/* Downloads @release (or reuses the cache) and returns the path of the
 * verified file. A network error or HTTP 5xx is retried once from the
 * start. A checksum mismatch is an error that names both sums, and a
 * partial or failed file is deleted, never cached. A
 * release with @sha256 NULL (an unverified install the user allowed) is
 * downloaded every time into a folder of its own, and its file is trusted
 * as it arrives.
 */
void                 exitbox_download_release_async      (ExitboxAgentRelease  *release,
                                                          const char           *agent_id,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
char                *exitbox_download_release_finish     (GAsyncResult         *result,
                                                          GError              **error);

G_END_DECLS
