/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* The profile tool downloads against a SoupServer on 127.0.0.1 that plays
 * every publisher. It serves Kubernetes' release folder, Helm's GitHub
 * metadata and download site, and the GitHub releases of OpenTofu, Docker
 * Compose and golangci-lint. It also serves Gradle's version service,
 * rustup's dist folder and Flutter's release list. Each publisher offers a
 * stub file with its checksum in the publisher's format. A second loopback
 * socket that never responds plays a stalled server.
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "exitbox-download.h"
#include "exitbox-test-utils.h"

#define WRONG_SHA256 "0000000000000000000000000000000000000000000000000000000000000000"

typedef enum
{
  PUBLISH_NORMAL,
  PUBLISH_WRONG_CHECKSUM,   /* the publisher's SHA-256 does not match the file */
  PUBLISH_NO_CHECKSUM,      /* the publisher releases no SHA-256 for the file */
} PublishMode;

typedef struct
{
  SoupServer     *server;
  GSocketService *stalled;        /* accepts connections and never responds */
  GPtrArray      *stalled_connections;
  char           *root;           /* http://127.0.0.1:PORT/ */
  char           *stalled_url;
  char           *cache_home;
  const char     *tool;

  GHashTable     *files;          /* path → GBytes */
  GHashTable     *requests;       /* path → number of requests */
  char           *first_path;     /* the first request of a lookup */
  char           *binary_path;
  GBytes         *binary;
  guint           status_for_all; /* when not 0, every request gets it */
  char           *truncated_path; /* sent with half its body, then closed */

  GAsyncResult   *result;
} Fixture;

static const char *
go_arch (void)
{
  const char *platform = exitbox_claude_platform (EXITBOX_BASE_FAMILY_DEBIAN);

  return g_strcmp0 (platform, "linux-arm64") == 0 ? "arm64" : "amd64";
}

static const char *
cpu_name (void)
{
  return g_str_equal (go_arch (), "arm64") ? "aarch64" : "x86_64";
}

static guint
count_requests (Fixture    *fixture,
                const char *path)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (fixture->requests, path));
}

/* Sends the head of a response that promises the whole body, half of the
 * body, and closes the connection.
 */
static void
respond_truncated (SoupServerMessage *message,
                   GBytes            *body)
{
  GIOStream *stream = soup_server_message_steal_connection (message);
  GOutputStream *output = g_io_stream_get_output_stream (stream);
  gsize size = g_bytes_get_size (body);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\n"
                                           "Content-Type: application/octet-stream\r\n"
                                           "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                                           "Connection: close\r\n\r\n",
                                           size);

  g_output_stream_write_all (output, head, strlen (head), NULL, NULL, NULL);
  g_output_stream_write_all (output, g_bytes_get_data (body, NULL), size / 2, NULL, NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
  g_object_unref (stream);
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *message,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  Fixture *fixture = user_data;
  GBytes *body;

  g_hash_table_insert (fixture->requests, g_strdup (path),
                       GUINT_TO_POINTER (count_requests (fixture, path) + 1));

  if (fixture->status_for_all != 0)
    {
      soup_server_message_set_status (message, fixture->status_for_all, NULL);
      return;
    }

  body = g_hash_table_lookup (fixture->files, path);
  if (body == NULL)
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  if (g_strcmp0 (path, fixture->truncated_path) == 0)
    {
      respond_truncated (message, body);
      return;
    }

  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/octet-stream", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static gboolean
stalled_incoming_cb (GSocketService    *service,
                     GSocketConnection *connection,
                     GObject           *source_object,
                     gpointer           user_data)
{
  Fixture *fixture = user_data;

  /* Kept open without a byte of response until the fixture ends. */
  g_ptr_array_add (fixture->stalled_connections, g_object_ref (connection));
  return TRUE;
}

static void
serve (Fixture    *fixture,
       const char *path,
       const char *text)
{
  g_hash_table_insert (fixture->files, g_strdup (path), g_bytes_new (text, strlen (text)));
}

static char *
url_of (Fixture    *fixture,
        const char *path)
{
  return g_strconcat (fixture->root, path + 1, NULL);
}

static void
set_url_variable (Fixture    *fixture,
                  const char *variable,
                  const char *path)
{
  g_autofree char *url = url_of (fixture, path);

  g_setenv (variable, url, TRUE);
}

/* Returns a GitHub "latest release" document with the given assets: pairs
 * of a name and a server path, ending with NULL.
 */
static char *
github_release (Fixture    *fixture,
                const char *tag,
                const char *first_name,
                ...)
{
  g_autoptr(GString) json = g_string_new (NULL);
  va_list args;
  const char *name = first_name;

  g_string_append_printf (json, "{\"tag_name\": \"%s\", \"assets\": [", tag);
  va_start (args, first_name);
  while (name != NULL)
    {
      const char *path = va_arg (args, const char *);
      g_autofree char *url = url_of (fixture, path);

      g_string_append_printf (json, "%s{\"name\": \"%s\", \"browser_download_url\": \"%s\"}",
                              json->str[json->len - 1] == '[' ? "" : ", ", name, url);
      name = va_arg (args, const char *);
    }
  va_end (args);
  g_string_append (json, "]}");

  return g_string_free (g_steal_pointer (&json), FALSE);
}

/* Publishes @fixture->tool in its publisher's layout. */
static void
publish (Fixture     *fixture,
         PublishMode  mode)
{
  const char *tool = fixture->tool;
  const char *arch = go_arch ();
  const char *cpu = cpu_name ();
  g_autofree char *actual = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, fixture->binary);
  const char *sha256 = mode == PUBLISH_WRONG_CHECKSUM ? WRONG_SHA256 : actual;
  gboolean with_checksum = mode != PUBLISH_NO_CHECKSUM;
  g_autofree char *checksum_path = NULL;
  g_autofree char *checksum_text = NULL;
  g_autofree char *metadata = NULL;

  g_hash_table_remove_all (fixture->files);
  g_clear_pointer (&fixture->first_path, g_free);
  g_clear_pointer (&fixture->binary_path, g_free);

  if (g_str_equal (tool, "kubectl"))
    {
      set_url_variable (fixture, "EXITBOX_KUBECTL_RELEASE_URL", "/k8s/release");
      fixture->first_path = g_strdup ("/k8s/release/stable.txt");
      serve (fixture, fixture->first_path, "v1.31.2\n");
      fixture->binary_path = g_strdup_printf ("/k8s/release/v1.31.2/bin/linux/%s/kubectl", arch);
      checksum_path = g_strconcat (fixture->binary_path, ".sha256", NULL);
      checksum_text = g_strdup (sha256);
    }
  else if (g_str_equal (tool, "helm"))
    {
      set_url_variable (fixture, "EXITBOX_HELM_RELEASE_URL", "/helm-gh/latest");
      set_url_variable (fixture, "EXITBOX_HELM_DOWNLOAD_URL", "/helm/");
      fixture->first_path = g_strdup ("/helm-gh/latest");
      serve (fixture, fixture->first_path, "{\"tag_name\": \"v3.16.2\", \"assets\": []}");
      fixture->binary_path = g_strdup_printf ("/helm/helm-v3.16.2-linux-%s.tar.gz", arch);
      checksum_path = g_strconcat (fixture->binary_path, ".sha256sum", NULL);
      checksum_text = g_strdup_printf ("%s  helm-v3.16.2-linux-%s.tar.gz\n", sha256, arch);
    }
  else if (g_str_equal (tool, "opentofu"))
    {
      g_autofree char *name = g_strdup_printf ("tofu_1.8.5_linux_%s.tar.gz", arch);

      set_url_variable (fixture, "EXITBOX_OPENTOFU_RELEASE_URL", "/tofu-gh/latest");
      fixture->first_path = g_strdup ("/tofu-gh/latest");
      fixture->binary_path = g_strconcat ("/tofu/", name, NULL);
      checksum_path = g_strdup ("/tofu/tofu_1.8.5_SHA256SUMS");
      checksum_text = g_strdup_printf ("%s  tofu_1.8.5_darwin_arm64.tar.gz\n%s  %s\n",
                                       WRONG_SHA256, sha256, name);
      metadata = with_checksum
        ? github_release (fixture, "v1.8.5", name, fixture->binary_path,
                          "tofu_1.8.5_SHA256SUMS", checksum_path, NULL)
        : github_release (fixture, "v1.8.5", name, fixture->binary_path, NULL);
    }
  else if (g_str_equal (tool, "docker-compose"))
    {
      g_autofree char *name = g_strdup_printf ("docker-compose-linux-%s", cpu);
      g_autofree char *checksum_name = g_strconcat (name, ".sha256", NULL);

      set_url_variable (fixture, "EXITBOX_DOCKER_COMPOSE_RELEASE_URL", "/compose-gh/latest");
      fixture->first_path = g_strdup ("/compose-gh/latest");
      fixture->binary_path = g_strconcat ("/compose/", name, NULL);
      checksum_path = g_strconcat ("/compose/", checksum_name, NULL);
      checksum_text = g_strdup_printf ("%s *%s\n", sha256, name);
      metadata = with_checksum
        ? github_release (fixture, "v2.30.3", name, fixture->binary_path,
                          checksum_name, checksum_path, NULL)
        : github_release (fixture, "v2.30.3", name, fixture->binary_path, NULL);
    }
  else if (g_str_equal (tool, "golangci-lint"))
    {
      g_autofree char *name = g_strdup_printf ("golangci-lint-1.64.8-linux-%s.tar.gz", arch);

      set_url_variable (fixture, "EXITBOX_GOLANGCI_LINT_RELEASE_URL", "/lint-gh/latest");
      fixture->first_path = g_strdup ("/lint-gh/latest");
      fixture->binary_path = g_strconcat ("/lint/", name, NULL);
      checksum_path = g_strdup ("/lint/golangci-lint-1.64.8-checksums.txt");
      checksum_text = g_strdup_printf ("%s  golangci-lint-1.64.8-linux-386.tar.gz\n%s  %s\n",
                                       WRONG_SHA256, sha256, name);
      metadata = with_checksum
        ? github_release (fixture, "v1.64.8", name, fixture->binary_path,
                          "golangci-lint-1.64.8-checksums.txt", checksum_path, NULL)
        : github_release (fixture, "v1.64.8", name, fixture->binary_path, NULL);
    }
  else if (g_str_equal (tool, "gradle"))
    {
      g_autofree char *download_url = NULL;
      g_autofree char *checksum_url = NULL;

      set_url_variable (fixture, "EXITBOX_GRADLE_VERSION_URL", "/gradle/versions/current");
      fixture->first_path = g_strdup ("/gradle/versions/current");
      fixture->binary_path = g_strdup ("/gradle/distributions/gradle-8.10.2-bin.zip");
      checksum_path = g_strconcat (fixture->binary_path, ".sha256", NULL);
      checksum_text = g_strdup (sha256);
      download_url = url_of (fixture, fixture->binary_path);
      checksum_url = url_of (fixture, checksum_path);
      metadata = g_strdup_printf ("{\"version\": \"8.10.2\", \"current\": true, "
                                  "\"downloadUrl\": \"%s\", \"checksumUrl\": \"%s\"}",
                                  download_url, checksum_url);
    }
  else if (g_str_equal (tool, "rustup"))
    {
      set_url_variable (fixture, "EXITBOX_RUSTUP_DIST_URL", "/rustup/dist");
      fixture->binary_path = g_strdup_printf ("/rustup/dist/%s-unknown-linux-gnu/rustup-init", cpu);
      checksum_path = g_strconcat (fixture->binary_path, ".sha256", NULL);
      fixture->first_path = g_strdup (checksum_path);
      checksum_text = g_strdup_printf ("%s *rustup-init\n", sha256);
    }
  else if (g_str_equal (tool, "flutter"))
    {
      g_autofree char *base_url = url_of (fixture, "/flutter/releases");
      const char *dart_arch = g_str_equal (arch, "arm64") ? "arm64" : "x64";
      g_autofree char *sha256_member = with_checksum
        ? g_strdup_printf (", \"sha256\": \"%s\"", sha256) : g_strdup ("");

      set_url_variable (fixture, "EXITBOX_FLUTTER_RELEASES_URL", "/flutter/releases_linux.json");
      fixture->first_path = g_strdup ("/flutter/releases_linux.json");
      fixture->binary_path = g_strdup ("/flutter/releases/stable/linux/flutter_linux_3.24.3-stable.tar.xz");
      metadata = g_strdup_printf ("{\"base_url\": \"%s\", \"current_release\": "
                                  "{\"beta\": \"b1\", \"stable\": \"s1\"}, \"releases\": ["
                                  "{\"hash\": \"b1\", \"channel\": \"beta\", \"version\": \"3.26.0\", "
                                  "\"dart_sdk_arch\": \"%s\", \"archive\": \"beta/linux/flutter_linux_3.26.0-beta.tar.xz\", "
                                  "\"sha256\": \"%s\"},"
                                  "{\"hash\": \"s1\", \"channel\": \"stable\", \"version\": \"3.24.3\", "
                                  "\"dart_sdk_arch\": \"%s\", \"archive\": \"stable/linux/flutter_linux_3.24.3-stable.tar.xz\"%s}]}",
                                  base_url, dart_arch, WRONG_SHA256, dart_arch, sha256_member);
    }
  else
    g_assert_not_reached ();

  if (metadata != NULL)
    serve (fixture, fixture->first_path, metadata);
  if (checksum_path != NULL && with_checksum)
    serve (fixture, checksum_path, checksum_text);
  g_hash_table_insert (fixture->files, g_strdup (fixture->binary_path),
                       g_bytes_ref (fixture->binary));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stub = NULL;

  fixture->tool = user_data;
  if (exitbox_claude_platform (EXITBOX_BASE_FAMILY_DEBIAN) == NULL)
    return;

  fixture->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_bytes_unref);
  fixture->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  stub = g_strdup_printf ("stub %s download\n", fixture->tool);
  fixture->binary = g_bytes_new (stub, strlen (stub));
  fixture->server = exitbox_test_start_loopback_server (handle_request, fixture, &fixture->root);

  fixture->stalled = g_socket_service_new ();
  fixture->stalled_connections = g_ptr_array_new_with_free_func (g_object_unref);
  g_socket_listener_add_address (G_SOCKET_LISTENER (fixture->stalled), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (fixture->stalled, "incoming", G_CALLBACK (stalled_incoming_cb), fixture);
  fixture->stalled_url = g_strdup_printf ("http://127.0.0.1:%u/stalled",
                                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  fixture->cache_home = exitbox_test_make_tmpdir ("exitbox-tool-download-XXXXXX");
  g_setenv ("XDG_CACHE_HOME", fixture->cache_home, TRUE);
  g_setenv ("EXITBOX_DOWNLOAD_TIMEOUT", "1", TRUE);

  publish (fixture, PUBLISH_NORMAL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  if (fixture->cache_home != NULL)
    exitbox_test_remove_tree (fixture->cache_home);
  if (fixture->stalled != NULL)
    g_socket_service_stop (fixture->stalled);

  g_clear_object (&fixture->server);
  g_clear_object (&fixture->stalled);
  g_clear_pointer (&fixture->stalled_connections, g_ptr_array_unref);
  g_clear_object (&fixture->result);
  g_clear_pointer (&fixture->files, g_hash_table_unref);
  g_clear_pointer (&fixture->requests, g_hash_table_unref);
  g_clear_pointer (&fixture->binary, g_bytes_unref);
  g_free (fixture->root);
  g_free (fixture->stalled_url);
  g_free (fixture->cache_home);
  g_free (fixture->first_path);
  g_free (fixture->binary_path);
  g_free (fixture->truncated_path);
  g_unsetenv ("XDG_CACHE_HOME");
  g_unsetenv ("EXITBOX_DOWNLOAD_TIMEOUT");
}

static gboolean
skip_without_platform (void)
{
  return exitbox_test_skip_without_platform (exitbox_claude_platform (EXITBOX_BASE_FAMILY_DEBIAN));
}

static ExitboxAgentRelease *
fetch_release (Fixture  *fixture,
               GError  **error)
{
  ExitboxAgentRelease *release;

  g_clear_object (&fixture->result);
  exitbox_tool_release_fetch_async (fixture->tool, EXITBOX_BASE_FAMILY_DEBIAN, NULL,
                                    exitbox_test_store_result, &fixture->result);
  exitbox_test_wait_for_result (&fixture->result);
  release = exitbox_tool_release_fetch_finish (fixture->result, error);
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
  exitbox_download_release_async (release, fixture->tool, NULL, exitbox_test_store_result,
                                  &fixture->result);
  exitbox_test_wait_for_result (&fixture->result);
  path = exitbox_download_release_finish (fixture->result, error);
  g_clear_object (&fixture->result);

  return path;
}

/* Counts the downloaded files of the fixture's tool in the cache, leaving
 * out the lookup record.
 */
static guint
count_cached_files (Fixture *fixture)
{
  g_autofree char *folder = g_build_filename (fixture->cache_home, "exitbox", "downloads",
                                              fixture->tool, NULL);
  g_autoptr(GDir) versions = g_dir_open (folder, 0, NULL);
  const char *version;
  guint count = 0;

  while (versions != NULL && (version = g_dir_read_name (versions)) != NULL)
    {
      g_autofree char *version_folder = g_build_filename (folder, version, NULL);
      g_autoptr(GDir) platforms = g_dir_open (version_folder, 0, NULL);
      const char *platform;

      while (platforms != NULL && (platform = g_dir_read_name (platforms)) != NULL)
        {
          g_autofree char *platform_folder = g_build_filename (version_folder, platform, NULL);

          count += exitbox_test_count_folder_entries (platform_folder);
        }
    }

  return count;
}

static void
test_tool_happy_path (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *expected_sha256 = NULL;
  g_autofree char *expected_url = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (skip_without_platform ())
    return;

  release = fetch_release (fixture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (release);

  expected_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, fixture->binary);
  expected_url = url_of (fixture, fixture->binary_path);
  g_assert_cmpstr (release->sha256, ==, expected_sha256);
  g_assert_cmpstr (release->url, ==, expected_url);
  g_assert_nonnull (release->version);

  path = download_release (fixture, release, &error);
  g_assert_no_error (error);
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, length, g_bytes_get_data (fixture->binary, NULL),
                   g_bytes_get_size (fixture->binary));
  g_assert_true (g_str_has_prefix (path, fixture->cache_home));
  g_assert_cmpuint (count_cached_files (fixture), ==, 1);
  g_assert_cmpuint (count_requests (fixture, fixture->binary_path), ==, 1);
}

static void
test_tool_wrong_checksum (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *path = NULL;

  if (skip_without_platform ())
    return;

  publish (fixture, PUBLISH_WRONG_CHECKSUM);
  release = fetch_release (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (release->sha256, ==, WRONG_SHA256);

  path = download_release (fixture, release, &error);
  g_assert_null (path);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  exitbox_test_assert_contains (error->message, WRONG_SHA256);
  g_assert_cmpuint (count_cached_files (fixture), ==, 0);
}

static void
test_tool_missing_checksum (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;

  if (skip_without_platform ())
    return;

  publish (fixture, PUBLISH_NO_CHECKSUM);
  release = fetch_release (fixture, &error);
  g_assert_null (release);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  exitbox_test_assert_contains (error->message, "cannot verify");
  g_assert_cmpuint (count_requests (fixture, fixture->binary_path), ==, 0);
}

static void
test_tool_server_error (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;

  if (skip_without_platform ())
    return;

  fixture->status_for_all = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  release = fetch_release (fixture, &error);
  g_assert_null (release);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  exitbox_test_assert_contains (error->message, "500");
  /* One retry, then the error. */
  g_assert_cmpuint (count_requests (fixture, fixture->first_path), ==, 2);
}

static void
test_tool_truncated (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *path = NULL;

  if (skip_without_platform ())
    return;

  release = fetch_release (fixture, &error);
  g_assert_no_error (error);

  fixture->truncated_path = g_strdup (fixture->binary_path);
  path = download_release (fixture, release, &error);
  g_assert_null (path);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (count_requests (fixture, fixture->binary_path), ==, 2);
  g_assert_cmpuint (count_cached_files (fixture), ==, 0);

  /* The next download is whole and replaces nothing partial. */
  g_clear_error (&error);
  g_clear_pointer (&fixture->truncated_path, g_free);
  path = download_release (fixture, release, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_cached_files (fixture), ==, 1);
}

static void
test_tool_timeout (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const char * const variables[] = {
    "EXITBOX_KUBECTL_RELEASE_URL", "EXITBOX_HELM_RELEASE_URL", "EXITBOX_OPENTOFU_RELEASE_URL",
    "EXITBOX_DOCKER_COMPOSE_RELEASE_URL", "EXITBOX_GOLANGCI_LINT_RELEASE_URL",
    "EXITBOX_GRADLE_VERSION_URL", "EXITBOX_RUSTUP_DIST_URL", "EXITBOX_FLUTTER_RELEASES_URL", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;

  if (skip_without_platform ())
    return;

  for (guint i = 0; variables[i] != NULL; i++)
    g_setenv (variables[i], fixture->stalled_url, TRUE);

  release = fetch_release (fixture, &error);
  g_assert_null (release);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  exitbox_test_assert_contains (error->message, "127.0.0.1");
  g_assert_cmpuint (fixture->stalled_connections->len, ==, 2);
}

static void
test_tool_offline_cache (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autoptr(ExitboxAgentRelease) offline = NULL;
  g_autofree char *path = NULL;
  g_autofree char *offline_path = NULL;

  if (skip_without_platform ())
    return;

  release = fetch_release (fixture, &error);
  g_assert_no_error (error);
  path = download_release (fixture, release, &error);
  g_assert_no_error (error);

  /* The publisher fails with 503: the verified file in the cache is used. */
  fixture->status_for_all = SOUP_STATUS_SERVICE_UNAVAILABLE;
  offline = fetch_release (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (offline->sha256, ==, release->sha256);
  g_assert_cmpstr (offline->version, ==, release->version);

  offline_path = download_release (fixture, offline, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (offline_path, ==, path);
  g_assert_cmpuint (count_requests (fixture, fixture->binary_path), ==, 1);
}

static void
test_tool_offline_without_cache (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autoptr(ExitboxAgentRelease) offline = NULL;

  if (skip_without_platform ())
    return;

  /* A lookup alone leaves no file to fall back on. */
  release = fetch_release (fixture, &error);
  g_assert_no_error (error);

  fixture->status_for_all = SOUP_STATUS_SERVICE_UNAVAILABLE;
  offline = fetch_release (fixture, &error);
  g_assert_null (offline);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
}

static void
test_tool_flutter_alpine (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;

  exitbox_tool_release_fetch_async ("flutter", EXITBOX_BASE_FAMILY_ALPINE, NULL,
                                    exitbox_test_store_result, &result);
  exitbox_test_wait_for_result (&result);
  release = exitbox_tool_release_fetch_finish (result, &error);
  g_assert_null (release);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  exitbox_test_assert_contains (error->message, "alpine");
}

static void
test_tool_parse_checksum_file (void)
{
  const char *hash = "AB00000000000000000000000000000000000000000000000000000000000001";
  const char *lower = "ab00000000000000000000000000000000000000000000000000000000000001";
  g_autofree char *bare = NULL;
  g_autofree char *named = NULL;
  g_autofree char *binary_mode = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *other_name = NULL;
  g_autofree char *two_bare = NULL;
  g_autofree char *invalid = NULL;
  g_autofree char *text = NULL;

  bare = exitbox_tool_parse_checksum_file (hash, "kubectl");
  g_assert_cmpstr (bare, ==, lower);

  text = g_strdup_printf ("%s  helm.tar.gz\n", hash);
  named = exitbox_tool_parse_checksum_file (text, "helm.tar.gz");
  g_assert_cmpstr (named, ==, lower);
  g_free (text);

  text = g_strdup_printf ("%s *rustup-init\n", hash);
  binary_mode = exitbox_tool_parse_checksum_file (text, "rustup-init");
  g_assert_cmpstr (binary_mode, ==, lower);
  g_free (text);

  text = g_strdup_printf ("%s  a.zip\n%s  ./dist/b.tar.gz\n", WRONG_SHA256, hash);
  listed = exitbox_tool_parse_checksum_file (text, "b.tar.gz");
  g_assert_cmpstr (listed, ==, lower);
  other_name = exitbox_tool_parse_checksum_file (text, "c.tar.gz");
  g_assert_null (other_name);
  g_free (text);

  text = g_strdup_printf ("%s\n%s\n", hash, WRONG_SHA256);
  two_bare = exitbox_tool_parse_checksum_file (text, "kubectl");
  g_assert_null (two_bare);

  invalid = exitbox_tool_parse_checksum_file ("<html>not found</html>\n", "kubectl");
  g_assert_null (invalid);
}

int
main (int   argc,
      char *argv[])
{
  const char * const tools[] = {
    "kubectl", "helm", "opentofu", "docker-compose", "golangci-lint", "gradle", "rustup",
    "flutter", NULL
  };
  const struct
  {
    const char *name;
    void      (*function) (Fixture *, gconstpointer);
  } cases[] = {
    { "happy-path", test_tool_happy_path },
    { "wrong-checksum", test_tool_wrong_checksum },
    { "missing-checksum", test_tool_missing_checksum },
    { "server-error", test_tool_server_error },
    { "truncated", test_tool_truncated },
    { "timeout", test_tool_timeout },
    { "offline-cache", test_tool_offline_cache },
    { "offline-without-cache", test_tool_offline_without_cache },
  };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tool-downloads/parse-checksum-file", test_tool_parse_checksum_file);
  g_test_add_func ("/tool-downloads/flutter-alpine", test_tool_flutter_alpine);

  for (guint i = 0; tools[i] != NULL; i++)
    {
      for (gsize j = 0; j < G_N_ELEMENTS (cases); j++)
        {
          g_autofree char *path = g_strdup_printf ("/tool-downloads/%s/%s", tools[i], cases[j].name);

          g_test_add (path, Fixture, tools[i], fixture_set_up, cases[j].function, fixture_tear_down);
        }
    }

  return g_test_run ();
}
