/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* Codex and OpenCode installs from GitHub release metadata, against a
 * SoupServer on 127.0.0.1 that plays /releases/latest (tag_name and assets
 * with browser_download_url and digest) and serves stub archives, and the
 * Go toolchain's entry in a stub of Go's release list.
 */

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "exitbox-download.h"
#include "exitbox-test-utils.h"

#define STUB_ARCHIVE "stub archive: not a real tar.gz, the download does not unpack it"
#define WRONG_SHA256 "0000000000000000000000000000000000000000000000000000000000000000"

typedef enum
{
  DIGEST_CORRECT,
  DIGEST_WRONG,
  DIGEST_MISSING,
  DIGEST_NOT_SHA256,
} DigestMode;

typedef struct
{
  SoupServer *server;
  char       *root;
  char       *cache_home;
  char       *asset;          /* the asset name for this computer, or NULL */

  /* What the server returns; tests change these before a request. */
  const char *tag;
  DigestMode  digest_mode;
  guint       metadata_status;
  gboolean    truncate_body;
  gboolean    without_asset;
  guint       downloads;       /* requests for the asset */

  gboolean    allow_unverified;
  const char *pinned;          /* the version to request, or NULL for the latest */
  char       *last_path;       /* the path of the last metadata request */
  GAsyncResult *result;
} Fixture;

static char *
build_metadata (Fixture *fixture)
{
  g_autofree char *checksum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, STUB_ARCHIVE, -1);
  g_autofree char *digest = NULL;
  g_autofree char *asset = NULL;

  switch (fixture->digest_mode)
    {
    case DIGEST_CORRECT:
      digest = g_strdup_printf (", \"digest\": \"sha256:%s\"", checksum);
      break;
    case DIGEST_WRONG:
      digest = g_strdup (", \"digest\": \"sha256:" WRONG_SHA256 "\"");
      break;
    case DIGEST_NOT_SHA256:
      digest = g_strdup (", \"digest\": \"sha512:abcdef\"");
      break;
    case DIGEST_MISSING:
    default:
      digest = g_strdup ("");
      break;
    }

  if (!fixture->without_asset)
    asset = g_strdup_printf (", {\"name\": \"%s\", \"browser_download_url\": \"%sdownload/%s\"%s}",
                             fixture->asset, fixture->root, fixture->asset, digest);

  /* A decoy asset of another platform comes first, with a digest that
   * matches no file.
   */
  return g_strdup_printf ("{\"tag_name\": \"%s\", \"name\": \"stub\", \"assets\": ["
                          "{\"name\": \"other-darwin.tar.gz\", "
                          "\"browser_download_url\": \"%sdownload/other\", "
                          "\"digest\": \"sha256:" WRONG_SHA256 "\"}%s]}",
                          fixture->tag, fixture->root, asset != NULL ? asset : "");
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *message,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  Fixture *fixture = user_data;
  g_autofree char *download_path = g_strconcat ("/download/", fixture->asset, NULL);

  g_free (fixture->last_path);
  fixture->last_path = g_strdup (path);

  if (g_str_equal (path, "/releases/latest") || g_str_has_prefix (path, "/releases/tags/"))
    {
      g_autofree char *metadata = build_metadata (fixture);

      soup_server_message_set_status (message, fixture->metadata_status, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                        metadata, strlen (metadata));
    }
  else if (g_str_equal (path, download_path))
    {
      gsize length = strlen (STUB_ARCHIVE);

      fixture->downloads++;
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/gzip", SOUP_MEMORY_STATIC,
                                        STUB_ARCHIVE,
                                        fixture->truncate_body ? length / 2 : length);
    }
  else
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  const char *agent_id = user_data;
  g_autofree char *metadata_url = NULL;

  fixture->asset = exitbox_github_asset_name (agent_id, EXITBOX_BASE_FAMILY_DEBIAN);
  if (fixture->asset == NULL)
    return;

  fixture->tag = g_str_equal (agent_id, "codex") ? "rust-v0.46.0" : "v0.15.3";
  fixture->digest_mode = DIGEST_CORRECT;
  fixture->metadata_status = SOUP_STATUS_OK;
  fixture->server = exitbox_test_start_loopback_server (handle_request, fixture, &fixture->root);

  metadata_url = g_strconcat (fixture->root, "releases/latest", NULL);
  g_setenv ("EXITBOX_CODEX_RELEASE_URL", metadata_url, TRUE);
  g_setenv ("EXITBOX_OPENCODE_RELEASE_URL", metadata_url, TRUE);

  fixture->cache_home = exitbox_test_make_tmpdir ("exitbox-github-release-XXXXXX");
  g_setenv ("XDG_CACHE_HOME", fixture->cache_home, TRUE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  if (fixture->cache_home != NULL)
    exitbox_test_remove_tree (fixture->cache_home);

  g_clear_object (&fixture->server);
  g_clear_object (&fixture->result);
  g_free (fixture->root);
  g_free (fixture->cache_home);
  g_free (fixture->asset);
  g_free (fixture->last_path);
  g_unsetenv ("XDG_CACHE_HOME");
  g_unsetenv ("EXITBOX_CODEX_RELEASE_URL");
  g_unsetenv ("EXITBOX_OPENCODE_RELEASE_URL");
}

static ExitboxAgentRelease *
fetch_release (Fixture     *fixture,
               const char  *agent_id,
               GError     **error)
{
  ExitboxAgentRelease *release;

  g_clear_object (&fixture->result);
  exitbox_github_release_fetch_async (agent_id, EXITBOX_BASE_FAMILY_DEBIAN, fixture->pinned,
                                      fixture->allow_unverified, NULL,
                                      exitbox_test_store_result, &fixture->result);
  exitbox_test_wait_for_result (&fixture->result);
  release = exitbox_github_release_fetch_finish (fixture->result, error);
  g_clear_object (&fixture->result);

  return release;
}

static char *
download_release (Fixture             *fixture,
                  ExitboxAgentRelease *release,
                  const char          *agent_id,
                  GError             **error)
{
  char *path;

  g_clear_object (&fixture->result);
  exitbox_download_release_async (release, agent_id, NULL, exitbox_test_store_result,
                                  &fixture->result);
  exitbox_test_wait_for_result (&fixture->result);
  path = exitbox_download_release_finish (fixture->result, error);
  g_clear_object (&fixture->result);

  return path;
}

/* Counts the regular files below @path. */
static guint
count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint count = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        count += count_files (child);
      else
        count++;
    }

  return count;
}

static guint
count_downloads (Fixture *fixture)
{
  g_autofree char *folder = g_build_filename (fixture->cache_home, "exitbox", "downloads", NULL);

  return count_files (folder);
}

static void
test_github_release_asset_names (void)
{
  g_autofree char *codex_debian = exitbox_github_asset_name ("codex", EXITBOX_BASE_FAMILY_DEBIAN);
  g_autofree char *codex_alpine = exitbox_github_asset_name ("codex", EXITBOX_BASE_FAMILY_ALPINE);
  g_autofree char *opencode_debian = exitbox_github_asset_name ("opencode", EXITBOX_BASE_FAMILY_DEBIAN);
  g_autofree char *opencode_alpine = exitbox_github_asset_name ("opencode", EXITBOX_BASE_FAMILY_ALPINE);
  g_autofree char *claude = exitbox_github_asset_name ("claude", EXITBOX_BASE_FAMILY_DEBIAN);

  if (exitbox_test_skip_without_platform (codex_debian))
    return;

  g_assert_true (g_str_has_prefix (codex_debian, "codex-"));
  g_assert_true (g_str_has_suffix (codex_debian, "-unknown-linux-musl.tar.gz"));
  g_assert_cmpstr (codex_alpine, ==, codex_debian);
  g_assert_true (g_str_has_prefix (opencode_debian, "opencode-linux-"));
  g_assert_false (g_str_has_suffix (opencode_debian, "-musl.tar.gz"));
  g_assert_true (g_str_has_suffix (opencode_alpine, "-musl.tar.gz"));
  g_assert_null (claude);
}

static void
test_github_release_default_urls (void)
{
  g_autofree char *codex = NULL;
  g_autofree char *opencode = NULL;
  g_autofree char *overridden = NULL;

  g_unsetenv ("EXITBOX_CODEX_RELEASE_URL");
  g_unsetenv ("EXITBOX_OPENCODE_RELEASE_URL");
  codex = exitbox_github_release_dup_url ("codex");
  opencode = exitbox_github_release_dup_url ("opencode");
  g_assert_cmpstr (codex, ==, EXITBOX_CODEX_DEFAULT_RELEASE_URL);
  g_assert_cmpstr (opencode, ==, EXITBOX_OPENCODE_DEFAULT_RELEASE_URL);
  g_assert_null (exitbox_github_release_dup_url ("claude"));

  g_setenv ("EXITBOX_CODEX_RELEASE_URL", " http://127.0.0.1:9/latest ", TRUE);
  overridden = exitbox_github_release_dup_url ("codex");
  g_assert_cmpstr (overridden, ==, "http://127.0.0.1:9/latest");
  g_unsetenv ("EXITBOX_CODEX_RELEASE_URL");
}

static void
test_github_release_happy_path (Fixture       *fixture,
                                gconstpointer  user_data)
{
  const char *agent_id = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *expected_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                                    STUB_ARCHIVE, -1);
  g_autofree char *expected_url = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;

  if (exitbox_test_skip_without_platform (fixture->asset))
    return;

  release = fetch_release (fixture, agent_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (release);

  expected_url = g_strconcat (fixture->root, "download/", fixture->asset, NULL);
  g_assert_cmpstr (release->version, ==, g_str_equal (agent_id, "codex") ? "0.46.0" : "0.15.3");
  g_assert_cmpstr (release->url, ==, expected_url);
  g_assert_cmpstr (release->sha256, ==, expected_sha256);
  g_assert_true (g_str_has_suffix (fixture->asset, ".tar.gz"));
  g_assert_true (g_str_has_prefix (fixture->asset, release->platform));
  if (g_str_equal (agent_id, "codex"))
    g_assert_cmpstr (release->archive_member, ==, release->platform);
  else
    g_assert_cmpstr (release->archive_member, ==, "opencode");

  path = download_release (fixture, release, agent_id, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (path, fixture->asset));
  contents = exitbox_test_read_file (path);
  g_assert_cmpstr (contents, ==, STUB_ARCHIVE);
}

static void
test_github_release_wrong_checksum (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  const char *agent_id = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *path = NULL;

  if (exitbox_test_skip_without_platform (fixture->asset))
    return;

  fixture->digest_mode = DIGEST_WRONG;
  release = fetch_release (fixture, agent_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (release->sha256, ==, WRONG_SHA256);

  path = download_release (fixture, release, agent_id, &error);
  g_assert_null (path);
  g_assert_nonnull (error);
  exitbox_test_assert_contains (error->message, WRONG_SHA256);
  g_assert_cmpuint (count_downloads (fixture), ==, 0);
}

static void
test_github_release_missing_digest (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  const char *agent_id = user_data;
  const DigestMode modes[] = { DIGEST_MISSING, DIGEST_NOT_SHA256 };

  if (exitbox_test_skip_without_platform (fixture->asset))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxAgentRelease) release = NULL;

      fixture->digest_mode = modes[i];
      release = fetch_release (fixture, agent_id, &error);
      g_assert_null (release);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      exitbox_test_assert_contains (error->message, "no SHA-256 digest");
      exitbox_test_assert_contains (error->message, fixture->asset);
    }
}

static void
test_github_release_server_error (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  const char *agent_id = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;

  if (exitbox_test_skip_without_platform (fixture->asset))
    return;

  fixture->metadata_status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  release = fetch_release (fixture, agent_id, &error);
  g_assert_null (release);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  exitbox_test_assert_contains (error->message, "HTTP 500");
}

static void
test_github_release_missing_asset (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  const char *agent_id = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;

  if (exitbox_test_skip_without_platform (fixture->asset))
    return;

  fixture->without_asset = TRUE;
  release = fetch_release (fixture, agent_id, &error);
  g_assert_null (release);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  exitbox_test_assert_contains (error->message, fixture->asset);
}

static void
test_github_release_invalid_tag (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  const char *agent_id = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;

  if (exitbox_test_skip_without_platform (fixture->asset))
    return;

  fixture->tag = "nightly/../../x";
  release = fetch_release (fixture, agent_id, &error);
  g_assert_null (release);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  exitbox_test_assert_contains (error->message, "tag_name");
}

/* A body cut short does not match the digest, and nothing stays in the
 * cache, so a partial file is never used.
 */
static void
test_github_release_truncated (Fixture       *fixture,
                               gconstpointer  user_data)
{
  const char *agent_id = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *path = NULL;

  if (exitbox_test_skip_without_platform (fixture->asset))
    return;

  fixture->truncate_body = TRUE;
  release = fetch_release (fixture, agent_id, &error);
  g_assert_no_error (error);

  path = download_release (fixture, release, agent_id, &error);
  g_assert_null (path);
  g_assert_nonnull (error);
  exitbox_test_assert_contains (error->message, release->sha256);
  g_assert_cmpuint (count_downloads (fixture), ==, 0);
}

/* --allow-unverified: the release without a digest installs, from a cache
 * folder of its own that is never reused.
 */
static void
test_github_release_allow_unverified (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  const char *agent_id = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *path = NULL;
  g_autofree char *again = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *folder = NULL;

  if (exitbox_test_skip_without_platform (fixture->asset))
    return;

  fixture->digest_mode = DIGEST_MISSING;
  fixture->allow_unverified = TRUE;
  g_test_expect_message ("exitbox-core", G_LOG_LEVEL_WARNING, "*publishes no SHA-256 digest*");
  release = fetch_release (fixture, agent_id, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_nonnull (release);
  g_assert_null (release->sha256);

  g_test_expect_message ("exitbox-core", G_LOG_LEVEL_WARNING, "*Accepting the unverified download*");
  path = download_release (fixture, release, agent_id, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  folder = g_path_get_dirname (path);
  g_assert_true (g_str_has_suffix (folder, "-unverified"));
  contents = exitbox_test_read_file (path);
  g_assert_cmpstr (contents, ==, STUB_ARCHIVE);

  g_test_expect_message ("exitbox-core", G_LOG_LEVEL_WARNING, "*Accepting the unverified download*");
  again = download_release (fixture, release, agent_id, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, path);
  g_assert_cmpuint (fixture->downloads, ==, 2);
}

/* Go's release list: the newest stable entry wins, and a file without a
 * SHA-256 is rejected.
 */
static const char *go_list_body;

static void
handle_go_list (SoupServer        *server,
                SoupServerMessage *message,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                    go_list_body, strlen (go_list_body));
}

static ExitboxAgentRelease *
fetch_go_release (const char  *body,
                  GError     **error)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *root = NULL;
  g_autofree char *url = NULL;
  ExitboxAgentRelease *release;

  go_list_body = body;
  server = exitbox_test_start_loopback_server (handle_go_list, NULL, &root);
  url = g_strconcat (root, "dl/?mode=json", NULL);
  g_setenv ("EXITBOX_GO_RELEASES_URL", url, TRUE);

  exitbox_tool_release_fetch_async ("go", EXITBOX_BASE_FAMILY_DEBIAN, NULL, exitbox_test_store_result, &result);
  exitbox_test_wait_for_result (&result);
  release = exitbox_tool_release_fetch_finish (result, error);
  g_unsetenv ("EXITBOX_GO_RELEASES_URL");

  return release;
}

#define GO_FILES(version, sha) \
  "{\"filename\": \"go" version ".linux-amd64.tar.gz\", \"os\": \"linux\", \"arch\": \"amd64\"," \
  " \"kind\": \"archive\", \"sha256\": \"" sha "\"}," \
  "{\"filename\": \"go" version ".linux-arm64.tar.gz\", \"os\": \"linux\", \"arch\": \"arm64\"," \
  " \"kind\": \"archive\", \"sha256\": \"" sha "\"}"

static void
test_tool_download_go (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autoptr(ExitboxAgentRelease) unverified = NULL;
  g_autoptr(ExitboxAgentRelease) missing = NULL;

  if (exitbox_test_skip_without_platform (exitbox_claude_platform (EXITBOX_BASE_FAMILY_DEBIAN)))
    return;

  g_assert_true (exitbox_tool_download_is_supported ("go"));
  g_assert_true (exitbox_tool_download_is_supported ("golangci-lint"));
  g_assert_true (exitbox_tool_download_is_supported ("rustup"));
  g_assert_false (exitbox_tool_download_is_supported ("maven"));
  g_assert_false (exitbox_tool_download_supports_family ("flutter", EXITBOX_BASE_FAMILY_ALPINE));
  g_assert_true (exitbox_tool_download_supports_family ("flutter", EXITBOX_BASE_FAMILY_DEBIAN));
  g_assert_true (exitbox_tool_download_supports_family ("kubectl", EXITBOX_BASE_FAMILY_ALPINE));

  release = fetch_go_release ("[{\"version\": \"go1.30rc1\", \"stable\": false, \"files\": ["
                              GO_FILES ("1.30rc1", WRONG_SHA256) "]},"
                              " {\"version\": \"go1.29.3\", \"stable\": true, \"files\": ["
                              GO_FILES ("1.29.3", "AB00000000000000000000000000000000000000000000000000000000000000") "]}]", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (release->version, ==, "1.29.3");
  g_assert_true (g_str_has_prefix (release->platform, "linux-"));
  g_assert_true (g_str_has_suffix (release->url, ".tar.gz"));
  exitbox_test_assert_contains (release->url, "/dl/go1.29.3.linux-");
  /* The published digest is upper case; the release keeps lower case. */
  g_assert_cmpstr (release->sha256, ==, "ab00000000000000000000000000000000000000000000000000000000000000");

  unverified = fetch_go_release ("[{\"version\": \"go1.29.3\", \"stable\": true, \"files\": ["
                                 GO_FILES ("1.29.3", "") "]}]", &error);
  g_assert_null (unverified);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  exitbox_test_assert_contains (error->message, "no valid SHA-256");
  g_clear_error (&error);

  missing = fetch_go_release ("[{\"version\": \"go1.30rc1\", \"stable\": false, \"files\": ["
                              GO_FILES ("1.30rc1", WRONG_SHA256) "]}]", &error);
  g_assert_null (missing);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

/* A pinned version reads the release of its tag, named as each project
 * names its tags.
 */
static void
test_github_release_pinned (Fixture       *fixture,
                            gconstpointer  user_data)
{
  const char *agent_id = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autoptr(ExitboxAgentRelease) invalid = NULL;

  if (exitbox_test_skip_without_platform (fixture->asset))
    return;

  fixture->pinned = "v0.40.1";
  fixture->tag = g_str_equal (agent_id, "codex") ? "rust-v0.40.1" : "v0.40.1";
  release = fetch_release (fixture, agent_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (release->version, ==, "0.40.1");
  g_assert_cmpstr (fixture->last_path, ==,
                   g_str_equal (agent_id, "codex") ? "/releases/tags/rust-v0.40.1"
                                                   : "/releases/tags/v0.40.1");

  fixture->pinned = "latest; rm";
  invalid = fetch_release (fixture, agent_id, &error);
  g_assert_null (invalid);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  exitbox_test_assert_contains (error->message, "agents.");
}

int
main (int   argc,
      char *argv[])
{
  const char * const agents[] = { "codex", "opencode" };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/github-release/asset-names", test_github_release_asset_names);
  g_test_add_func ("/github-release/default-urls", test_github_release_default_urls);
  g_test_add_func ("/tool-download/go", test_tool_download_go);

  for (guint i = 0; i < G_N_ELEMENTS (agents); i++)
    {
      const struct
      {
        const char *name;
        void      (*function) (Fixture *, gconstpointer);
      } cases[] = {
        { "happy-path", test_github_release_happy_path },
        { "wrong-checksum", test_github_release_wrong_checksum },
        { "missing-digest", test_github_release_missing_digest },
        { "server-error", test_github_release_server_error },
        { "missing-asset", test_github_release_missing_asset },
        { "invalid-tag", test_github_release_invalid_tag },
        { "truncated", test_github_release_truncated },
        { "allow-unverified", test_github_release_allow_unverified },
        { "pinned", test_github_release_pinned },
      };

      for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
        {
          g_autofree char *path = g_strdup_printf ("/github-release/%s/%s", agents[i],
                                                   cases[c].name);

          g_test_add (path, Fixture, agents[i], fixture_set_up, cases[c].function,
                      fixture_tear_down);
        }
    }

  return g_test_run ();
}
