/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* The verified Claude Code download against a SoupServer on 127.0.0.1 that
 * serves the release bucket's layout: /latest, /VERSION/manifest.json and
 * /VERSION/PLATFORM/claude.
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/stat.h>

#include "exitbox-download.h"
#include "exitbox-test-utils.h"

#define STUB_VERSION "9.9.9"
#define STUB_BINARY "#!/bin/sh\necho '" STUB_VERSION " (Claude Code stub)'\n"
#define WRONG_SHA256 "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct
{
  SoupServer *server;
  char       *base_url;
  char       *root_url;           /* http://127.0.0.1:PORT/ */
  char       *cache_home;
  const char *platform;

  /* What the server returns; tests change these before a request. */
  guint       dist_status;        /* of every request under /dist/ */
  guint       moved_status;       /* of every request under /moved/ */
  guint       dist_requests;
  guint       latest_failures;    /* 503 responses before /latest works */
  guint       latest_requests;
  char       *install_script;     /* NULL: /install.sh responds 404 */
  guint       latest_status;
  char       *latest_body;
  char       *manifest_checksum;  /* NULL: the real SHA-256 of binary */
  gboolean    manifest_without_platform;
  GBytes     *binary;
  guint       binary_requests;

  GAsyncResult *result;
} Fixture;

static void
respond (SoupServerMessage *message,
         guint              status,
         const char        *content_type,
         GBytes            *body)
{
  soup_server_message_set_status (message, status, NULL);
  if (body != NULL)
    {
      gsize size;
      const char *data = g_bytes_get_data (body, &size);

      soup_server_message_set_response (message, content_type, SOUP_MEMORY_COPY, data, size);
    }
}

static char *
build_manifest (Fixture *fixture)
{
  g_autofree char *checksum = NULL;

  if (fixture->manifest_checksum != NULL)
    checksum = g_strdup (fixture->manifest_checksum);
  else
    checksum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, fixture->binary);

  if (fixture->manifest_without_platform)
    return g_strdup_printf ("{\"version\": \"%s\", \"platforms\": {"
                            "\"darwin-arm64\": {\"checksum\": \"%s\", \"size\": 1}}}",
                            STUB_VERSION, checksum);

  return g_strdup_printf ("{\"version\": \"%s\", \"platforms\": {"
                          "\"darwin-arm64\": {\"checksum\": \"%s\", \"size\": 1},"
                          "\"%s\": {\"checksum\": \"%s\", \"size\": %" G_GSIZE_FORMAT "}}}",
                          STUB_VERSION, WRONG_SHA256, fixture->platform, checksum,
                          g_bytes_get_size (fixture->binary));
}

/* Two buckets with the same layout: /dist/ (the configured one) and
 * /moved/ (the one the install script may name).
 */
static void
handle_request (SoupServer        *server,
                SoupServerMessage *message,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  Fixture *fixture = user_data;
  g_autofree char *manifest_path = g_strdup_printf ("%s/manifest.json", STUB_VERSION);
  g_autofree char *binary_path = g_strdup_printf ("%s/%s/claude", STUB_VERSION, fixture->platform);
  const char *file;

  if (g_str_equal (path, "/install.sh"))
    {
      g_autoptr(GBytes) body = NULL;

      if (fixture->install_script == NULL)
        {
          respond (message, SOUP_STATUS_NOT_FOUND, NULL, NULL);
          return;
        }
      body = g_bytes_new (fixture->install_script, strlen (fixture->install_script));
      respond (message, SOUP_STATUS_OK, "text/x-sh", body);
      return;
    }

  if (g_str_has_prefix (path, "/dist/"))
    {
      fixture->dist_requests++;
      file = path + strlen ("/dist/");
      if (fixture->dist_status != SOUP_STATUS_OK)
        {
          respond (message, fixture->dist_status, NULL, NULL);
          return;
        }
    }
  else if (g_str_has_prefix (path, "/moved/"))
    {
      file = path + strlen ("/moved/");
      if (fixture->moved_status != SOUP_STATUS_OK)
        {
          respond (message, fixture->moved_status, NULL, NULL);
          return;
        }
    }
  else
    {
      respond (message, SOUP_STATUS_NOT_FOUND, NULL, NULL);
      return;
    }

  if (g_str_equal (file, "latest"))
    {
      g_autoptr(GBytes) body = g_bytes_new (fixture->latest_body, strlen (fixture->latest_body));

      fixture->latest_requests++;
      if (fixture->latest_failures > 0)
        {
          fixture->latest_failures--;
          respond (message, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL, NULL);
          return;
        }
      respond (message, fixture->latest_status, "text/plain", body);
    }
  else if (g_str_equal (file, manifest_path))
    {
      g_autofree char *manifest = build_manifest (fixture);
      g_autoptr(GBytes) body = g_bytes_new (manifest, strlen (manifest));

      respond (message, SOUP_STATUS_OK, "application/json", body);
    }
  else if (g_str_equal (file, binary_path))
    {
      fixture->binary_requests++;
      respond (message, SOUP_STATUS_OK, "application/octet-stream", fixture->binary);
    }
  else
    {
      respond (message, SOUP_STATUS_NOT_FOUND, NULL, NULL);
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *root = NULL;
  g_autofree char *script_url = NULL;

  fixture->platform = exitbox_claude_platform (EXITBOX_BASE_FAMILY_DEBIAN);
  if (fixture->platform == NULL)
    return;

  fixture->latest_status = SOUP_STATUS_OK;
  fixture->dist_status = SOUP_STATUS_OK;
  fixture->moved_status = SOUP_STATUS_OK;
  fixture->latest_body = g_strdup (STUB_VERSION "\n");
  fixture->binary = g_bytes_new_static (STUB_BINARY, strlen (STUB_BINARY));

  fixture->server = exitbox_test_start_loopback_server (handle_request, fixture, &root);

  /* The trailing slash must be ignored. */
  fixture->base_url = g_strconcat (root, "dist/", NULL);
  g_setenv ("EXITBOX_CLAUDE_DIST_URL", fixture->base_url, TRUE);
  fixture->root_url = g_strdup (root);
  script_url = g_strconcat (root, "install.sh", NULL);
  g_setenv ("EXITBOX_CLAUDE_INSTALL_SCRIPT_URL", script_url, TRUE);

  fixture->cache_home = exitbox_test_make_tmpdir ("exitbox-download-XXXXXX");
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
  g_clear_pointer (&fixture->binary, g_bytes_unref);
  g_free (fixture->base_url);
  g_free (fixture->root_url);
  g_free (fixture->install_script);
  g_free (fixture->cache_home);
  g_free (fixture->latest_body);
  g_free (fixture->manifest_checksum);
  g_unsetenv ("XDG_CACHE_HOME");
}

static ExitboxAgentRelease *
fetch_release (Fixture  *fixture,
               GError  **error)
{
  ExitboxAgentRelease *release;

  g_clear_object (&fixture->result);
  exitbox_claude_release_fetch_async (EXITBOX_BASE_FAMILY_DEBIAN, NULL,
                                      exitbox_test_store_result, &fixture->result);
  exitbox_test_wait_for_result (&fixture->result);
  release = exitbox_claude_release_fetch_finish (fixture->result, error);
  g_clear_object (&fixture->result);

  return release;
}

static char *
download_release (Fixture             *fixture,
                  ExitboxAgentRelease *release,
                  GError             **error)
{
  char *path;

  g_clear_object (&fixture->result);
  exitbox_download_release_async (release, "claude", NULL, exitbox_test_store_result,
                                  &fixture->result);
  exitbox_test_wait_for_result (&fixture->result);
  path = exitbox_download_release_finish (fixture->result, error);
  g_clear_object (&fixture->result);

  return path;
}

static char *
dup_expected_cache_path (Fixture *fixture)
{
  return g_build_filename (fixture->cache_home, "exitbox", "downloads", "claude",
                           STUB_VERSION, fixture->platform, "claude", NULL);
}

static char *
dup_download_folder (Fixture *fixture)
{
  return g_build_filename (fixture->cache_home, "exitbox", "downloads", "claude",
                           STUB_VERSION, fixture->platform, NULL);
}

static void
assert_file_equals_bytes (const char *path,
                          GBytes     *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, length, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

static void
test_download_platform (void)
{
  const char *debian = exitbox_claude_platform (EXITBOX_BASE_FAMILY_DEBIAN);
  const char *alpine = exitbox_claude_platform (EXITBOX_BASE_FAMILY_ALPINE);
  g_autofree char *expected_alpine = NULL;

  if (exitbox_test_skip_without_platform (debian))
    return;

  g_assert_true (g_str_equal (debian, "linux-x64") || g_str_equal (debian, "linux-arm64"));
  expected_alpine = g_strconcat (debian, "-musl", NULL);
  g_assert_cmpstr (alpine, ==, expected_alpine);
}

static void
test_download_dist_url (void)
{
  g_autofree char *from_default = NULL;
  g_autofree char *from_environment = NULL;
  g_autofree char *from_empty = NULL;

  g_unsetenv ("EXITBOX_CLAUDE_DIST_URL");
  from_default = exitbox_claude_dup_dist_url ();
  g_assert_cmpstr (from_default, ==, EXITBOX_CLAUDE_DEFAULT_DIST_URL);

  g_setenv ("EXITBOX_CLAUDE_DIST_URL", " http://127.0.0.1:8080/bucket// ", TRUE);
  from_environment = exitbox_claude_dup_dist_url ();
  g_assert_cmpstr (from_environment, ==, "http://127.0.0.1:8080/bucket");

  g_setenv ("EXITBOX_CLAUDE_DIST_URL", "", TRUE);
  from_empty = exitbox_claude_dup_dist_url ();
  g_assert_cmpstr (from_empty, ==, EXITBOX_CLAUDE_DEFAULT_DIST_URL);

  g_unsetenv ("EXITBOX_CLAUDE_DIST_URL");
}

static void
test_download_happy_path (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *path = NULL;
  g_autofree char *expected_path = NULL;
  g_autofree char *expected_url = NULL;
  g_autofree char *expected_sha256 = NULL;
  g_autofree char *folder = NULL;
  struct stat info;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  release = fetch_release (fixture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (release);

  expected_url = g_strdup_printf ("%s%s/%s/claude", fixture->base_url, STUB_VERSION, fixture->platform);
  expected_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, fixture->binary);
  g_assert_cmpstr (release->version, ==, STUB_VERSION);
  g_assert_cmpstr (release->platform, ==, fixture->platform);
  g_assert_cmpstr (release->url, ==, expected_url);
  g_assert_cmpstr (release->sha256, ==, expected_sha256);

  path = download_release (fixture, release, &error);
  g_assert_no_error (error);

  expected_path = dup_expected_cache_path (fixture);
  g_assert_cmpstr (path, ==, expected_path);
  assert_file_equals_bytes (path, fixture->binary);

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0755);

  /* Only the final file is left: no temporary file next to it. */
  folder = dup_download_folder (fixture);
  g_assert_cmpuint (exitbox_test_count_folder_entries (folder), ==, 1);
  g_assert_cmpuint (fixture->binary_requests, ==, 1);
}

static void
test_download_cache_reused (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  release = fetch_release (fixture, &error);
  g_assert_no_error (error);

  first = download_release (fixture, release, &error);
  g_assert_no_error (error);
  second = download_release (fixture, release, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (second, ==, first);
  g_assert_cmpuint (fixture->binary_requests, ==, 1);
}

static void
test_download_cache_reverified (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  release = fetch_release (fixture, &error);
  g_assert_no_error (error);
  first = download_release (fixture, release, &error);
  g_assert_no_error (error);

  g_file_set_contents (first, "#!/bin/sh\necho tampered\n", -1, &error);
  g_assert_no_error (error);

  /* The damaged file is deleted and the release downloaded again. The
   * warning about it is expected.
   */
  g_test_expect_message ("exitbox-core", G_LOG_LEVEL_WARNING, "*does not match*");
  second = download_release (fixture, release, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_assert_cmpstr (second, ==, first);
  g_assert_cmpuint (fixture->binary_requests, ==, 2);
  assert_file_equals_bytes (second, fixture->binary);
}

static void
test_download_checksum_mismatch (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *path = NULL;
  g_autofree char *actual_sha256 = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *cache_path = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  fixture->manifest_checksum = g_strdup ("ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789");
  release = fetch_release (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (release->sha256, ==, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");

  path = download_release (fixture, release, &error);
  g_assert_null (path);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);

  actual_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, fixture->binary);
  g_assert_nonnull (strstr (error->message, release->sha256));
  g_assert_nonnull (strstr (error->message, actual_sha256));
  g_assert_nonnull (strstr (error->message, release->url));

  cache_path = dup_expected_cache_path (fixture);
  folder = dup_download_folder (fixture);
  g_assert_false (g_file_test (cache_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (exitbox_test_count_folder_entries (folder), ==, 0);
}

static void
test_download_missing_platform (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *manifest_url = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  fixture->manifest_without_platform = TRUE;
  release = fetch_release (fixture, &error);
  g_assert_null (release);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);

  manifest_url = g_strdup_printf ("%s%s/manifest.json", fixture->base_url, STUB_VERSION);
  g_assert_nonnull (strstr (error->message, fixture->platform));
  g_assert_nonnull (strstr (error->message, manifest_url));
}

static void
test_download_invalid_checksum (Fixture       *fixture,
                                gconstpointer  user_data)
{
  const char *checksums[] = { "abc123", "zz00000000000000000000000000000000000000000000000000000000000000", "" };

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (checksums); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxAgentRelease) release = NULL;

      g_test_message ("checksum “%s”", checksums[i]);
      g_free (fixture->manifest_checksum);
      fixture->manifest_checksum = g_strdup (checksums[i]);

      release = fetch_release (fixture, &error);
      g_assert_null (release);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, fixture->platform));
    }
}

static void
test_download_latest_not_found (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *latest_url = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  fixture->latest_status = SOUP_STATUS_NOT_FOUND;
  release = fetch_release (fixture, &error);
  g_assert_null (release);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);

  latest_url = g_strconcat (fixture->base_url, "latest", NULL);
  g_assert_nonnull (strstr (error->message, latest_url));
  g_assert_nonnull (strstr (error->message, "404"));
}

static void
test_download_invalid_version (Fixture       *fixture,
                               gconstpointer  user_data)
{
  const char *bodies[] = { "<html>Moved</html>", "1.0/../../etc", "", "v1.2.3", "1.2.3 beta" };

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxAgentRelease) release = NULL;

      g_test_message ("latest “%s”", bodies[i]);
      g_free (fixture->latest_body);
      fixture->latest_body = g_strdup (bodies[i]);

      release = fetch_release (fixture, &error);
      g_assert_null (release);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "latest"));
    }
}

static void
test_download_binary_not_found (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *path = NULL;
  g_autofree char *folder = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  release = fetch_release (fixture, &error);
  g_assert_no_error (error);

  g_free (release->url);
  release->url = g_strdup_printf ("%s%s/%s/missing", fixture->base_url, STUB_VERSION, fixture->platform);

  path = download_release (fixture, release, &error);
  g_assert_null (path);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, release->url));

  folder = dup_download_folder (fixture);
  g_assert_cmpuint (exitbox_test_count_folder_entries (folder), ==, 0);
}

/* A binary larger than one read chunk, so that reading, hashing and
 * writing run in a loop.
 */
static void
test_download_large_binary (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *path = NULL;
  gsize size = 5 * 1024 * 1024 + 17;
  guint8 *data = g_malloc (size);

  if (exitbox_test_skip_without_platform (fixture->platform))
    {
      g_free (data);
      return;
    }

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 31 + (i >> 11));
  g_bytes_unref (fixture->binary);
  fixture->binary = g_bytes_new_take (data, size);

  release = fetch_release (fixture, &error);
  g_assert_no_error (error);
  path = download_release (fixture, release, &error);
  g_assert_no_error (error);

  assert_file_equals_bytes (path, fixture->binary);
}

static void
test_download_cancelled (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *folder = NULL;
  char *path;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  release = fetch_release (fixture, &error);
  g_assert_no_error (error);

  g_cancellable_cancel (cancellable);
  exitbox_download_release_async (release, "claude", cancellable, exitbox_test_store_result,
                                  &fixture->result);
  exitbox_test_wait_for_result (&fixture->result);
  path = exitbox_download_release_finish (fixture->result, &error);
  g_assert_null (path);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  folder = dup_download_folder (fixture);
  g_assert_cmpuint (exitbox_test_count_folder_entries (folder), ==, 0);
}

/* Sets the install script to name /moved/ as the bucket, among other lines. */
static void
serve_script_with_moved_bucket (Fixture *fixture)
{
  g_free (fixture->install_script);
  fixture->install_script = g_strdup_printf ("#!/bin/bash\n"
                                             "set -e\n"
                                             "TARGET=\"$1\"\n"
                                             "GCS_BUCKET=\"%smoved\"\n"
                                             "DOWNLOAD_DIR=\"$HOME/.claude/downloads\"\n",
                                             fixture->root_url);
}

static void
test_download_bucket_moved (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autoptr(ExitboxAgentRelease) again = NULL;
  g_autofree char *expected_url = NULL;
  g_autofree char *path = NULL;
  guint dist_requests;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  fixture->dist_status = SOUP_STATUS_NOT_FOUND;
  serve_script_with_moved_bucket (fixture);

  release = fetch_release (fixture, &error);
  g_assert_no_error (error);
  expected_url = g_strdup_printf ("%smoved/%s/%s/claude", fixture->root_url, STUB_VERSION,
                                  fixture->platform);
  g_assert_cmpstr (release->url, ==, expected_url);

  path = download_release (fixture, release, &error);
  g_assert_no_error (error);
  assert_file_equals_bytes (path, fixture->binary);

  /* The discovered bucket is remembered: the next lookup skips the old one. */
  dist_requests = fixture->dist_requests;
  again = fetch_release (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->url, ==, expected_url);
  g_assert_cmpuint (fixture->dist_requests, ==, dist_requests);
}

static void
test_download_script_without_bucket (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *script_url = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  fixture->dist_status = SOUP_STATUS_NOT_FOUND;
  fixture->install_script = g_strdup ("#!/bin/sh\necho 'no bucket here'\n"
                                      "GCS_BUCKET=\"http://example.com/bucket\"\n");

  release = fetch_release (fixture, &error);
  g_assert_null (release);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  script_url = g_strconcat (fixture->root_url, "install.sh", NULL);
  exitbox_test_assert_contains (error->message, script_url);
  exitbox_test_assert_contains (error->message, fixture->base_url);
}

static void
test_download_bucket_unreachable (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *expected_prefix = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  /* Nothing listens on the discard port of loopback here, so the
   * connection is refused.
   */
  g_setenv ("EXITBOX_CLAUDE_DIST_URL", "http://127.0.0.1:9/bucket", TRUE);
  serve_script_with_moved_bucket (fixture);

  release = fetch_release (fixture, &error);
  g_assert_no_error (error);
  expected_prefix = g_strconcat (fixture->root_url, "moved/", NULL);
  g_assert_true (g_str_has_prefix (release->url, expected_prefix));
}

static void
test_download_both_buckets_fail (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *moved_url = NULL;
  g_autofree char *record = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  fixture->dist_status = SOUP_STATUS_NOT_FOUND;
  fixture->moved_status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  serve_script_with_moved_bucket (fixture);

  release = fetch_release (fixture, &error);
  g_assert_null (release);
  g_assert_nonnull (error);
  moved_url = g_strconcat (fixture->root_url, "moved", NULL);
  exitbox_test_assert_contains (error->message, fixture->base_url);
  exitbox_test_assert_contains (error->message, moved_url);
  exitbox_test_assert_contains (error->message, "500");

  /* A bucket that failed is not remembered. */
  record = g_build_filename (fixture->cache_home, "exitbox", "downloads", "claude",
                             "discovered-dist-url", NULL);
  g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));
}

static void
test_download_server_error_retried (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  fixture->latest_failures = 1;
  release = fetch_release (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (release->version, ==, STUB_VERSION);
  g_assert_cmpuint (fixture->latest_requests, ==, 2);
}

static void
test_download_parse_install_script (void)
{
  g_autofree char *quoted = NULL;
  g_autofree char *bare = NULL;
  g_autofree char *host_root = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *loopback = NULL;
  g_autofree char *plain_http = NULL;
  g_autofree char *with_query = NULL;
  g_autofree char *expanded = NULL;
  g_autofree char *none = NULL;

  quoted = exitbox_claude_parse_install_script (
    "#!/bin/bash\nset -e\n"
    "GCS_BUCKET=\"https://storage.googleapis.com/claude-code-dist-1/claude-code-releases\"\n");
  g_assert_cmpstr (quoted, ==, "https://storage.googleapis.com/claude-code-dist-1/claude-code-releases");

  bare = exitbox_claude_parse_install_script ("  export RELEASE_BUCKET=https://cdn.example.org/r/\n");
  g_assert_cmpstr (bare, ==, "https://cdn.example.org/r");

  host_root = exitbox_claude_parse_install_script ("GCS_BUCKET=\"https://downloads.example.com\"\n");
  g_assert_cmpstr (host_root, ==, "https://downloads.example.com");

  parent = exitbox_claude_parse_install_script ("GCS_BUCKET=\"https://example.com/a/../b\"\n");
  g_assert_null (parent);

  loopback = exitbox_claude_parse_install_script ("GCS_BUCKET='http://127.0.0.1:8080/b'\n");
  g_assert_cmpstr (loopback, ==, "http://127.0.0.1:8080/b");

  plain_http = exitbox_claude_parse_install_script ("GCS_BUCKET=\"http://example.com/b\"\n");
  g_assert_null (plain_http);

  with_query = exitbox_claude_parse_install_script ("GCS_BUCKET=\"https://example.com/b?x=1\"\n");
  g_assert_null (with_query);

  expanded = exitbox_claude_parse_install_script ("GCS_BUCKET=\"https://$HOST/b\"\n");
  g_assert_null (expanded);

  none = exitbox_claude_parse_install_script ("echo \"GCS_BUCKET=https://example.com/b\"\n");
  g_assert_null (none);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/download/platform", test_download_platform);
  g_test_add_func ("/download/dist-url", test_download_dist_url);
  g_test_add_func ("/download/parse-install-script", test_download_parse_install_script);

#define ADD_TEST(path, function) \
  g_test_add (path, Fixture, NULL, fixture_set_up, function, fixture_tear_down)

  ADD_TEST ("/download/happy-path", test_download_happy_path);
  ADD_TEST ("/download/cache-reused", test_download_cache_reused);
  ADD_TEST ("/download/cache-reverified", test_download_cache_reverified);
  ADD_TEST ("/download/checksum-mismatch", test_download_checksum_mismatch);
  ADD_TEST ("/download/missing-platform", test_download_missing_platform);
  ADD_TEST ("/download/invalid-checksum", test_download_invalid_checksum);
  ADD_TEST ("/download/latest-not-found", test_download_latest_not_found);
  ADD_TEST ("/download/invalid-version", test_download_invalid_version);
  ADD_TEST ("/download/binary-not-found", test_download_binary_not_found);
  ADD_TEST ("/download/large-binary", test_download_large_binary);
  ADD_TEST ("/download/cancelled", test_download_cancelled);
  ADD_TEST ("/download/bucket-moved", test_download_bucket_moved);
  ADD_TEST ("/download/script-without-bucket", test_download_script_without_bucket);
  ADD_TEST ("/download/bucket-unreachable", test_download_bucket_unreachable);
  ADD_TEST ("/download/both-buckets-fail", test_download_both_buckets_fail);
  ADD_TEST ("/download/server-error-retried", test_download_server_error_retried);

#undef ADD_TEST

  return g_test_run ();
}
