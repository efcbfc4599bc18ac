/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* The image builder against fake-build-engine.py, which plays podman with an
 * image store on disk, and a SoupServer on 127.0.0.1 that serves a stub
 * Claude Code release in the vendor's bucket layout.
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "exitbox-download.h"
#include "exitbox-image-builder.h"
#include "exitbox-project-registry.h"
#include "exitbox-test-utils.h"

#define STUB_VERSION "9.9.9"
#define STUB_BINARY "#!/bin/sh\necho '" STUB_VERSION " (Claude Code stub)'\n"
#define PROJECT_KEY "home_user_app_0a1b2c3d"
#define PROJECT_IMAGE "exitbox-claude-" PROJECT_KEY
#define EMPTY_PROFILES_HASH "e3b0c44298fc1c14"
#define CODEX_STUB_ARCHIVE "stub codex archive"
#define GO_STUB_ARCHIVE "stub go archive"
#define LINT_STUB_ARCHIVE "stub golangci-lint archive"
/* The first 16 hex digits of the SHA-256 of "base", the default profiles. */
#define BASE_PROFILES_HASH "cae662172fd450bb"

typedef struct
{
  char                *folder;
  char                *store;
  char                *cache_home;
  char                *data_dir;
  SoupServer          *server;
  const char          *platform;
  ExitboxEngine       *engine;
  ExitboxConfig       *config;
  ExitboxImageBuilder *builder;
  GPtrArray           *progress;      /* "layer: message" */
  gboolean             codex_digest;  /* whether the Codex metadata publishes a digest */
  const char          *claude_version; /* the version the stub bucket serves */
  guint                output_lines;
  GAsyncResult        *result;
} Fixture;

/* The devops profile's publishers under /devops/: Kubernetes' release
 * folder, Helm's metadata and download site, and the GitHub releases of
 * OpenTofu and Docker Compose. Each file is "stub NAME" and each checksum
 * is that file's SHA-256 in its publisher's format. Returns NULL for
 * other paths.
 */
static char *
dup_devops_response (const char *path,
                     const char *root)
{
  const char *arch = g_str_has_prefix (exitbox_claude_platform (EXITBOX_BASE_FAMILY_DEBIAN),
                                       "linux-arm64") ? "arm64" : "amd64";
  const char *cpu = g_str_equal (arch, "arm64") ? "aarch64" : "x86_64";
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *checked = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *stub = NULL;

  if (g_str_equal (path, "/devops/k8s/stable.txt"))
    return g_strdup ("v1.31.2\n");
  if (g_str_equal (path, "/devops/helm-gh/latest"))
    return g_strdup ("{\"tag_name\": \"v3.16.2\", \"assets\": []}");
  if (g_str_equal (path, "/devops/tofu-gh/latest"))
    return g_strdup_printf ("{\"tag_name\": \"v1.8.5\", \"assets\": ["
                            "{\"name\": \"tofu_1.8.5_linux_%s.tar.gz\", \"browser_download_url\": "
                            "\"%sdevops/tofu/tofu_1.8.5_linux_%s.tar.gz\"},"
                            "{\"name\": \"tofu_1.8.5_SHA256SUMS\", \"browser_download_url\": "
                            "\"%sdevops/tofu/tofu_1.8.5_SHA256SUMS\"}]}",
                            arch, root, arch, root);
  if (g_str_equal (path, "/devops/compose-gh/latest"))
    return g_strdup_printf ("{\"tag_name\": \"v2.30.3\", \"assets\": ["
                            "{\"name\": \"docker-compose-linux-%s\", \"browser_download_url\": "
                            "\"%sdevops/compose/docker-compose-linux-%s\"},"
                            "{\"name\": \"docker-compose-linux-%s.sha256\", \"browser_download_url\": "
                            "\"%sdevops/compose/docker-compose-linux-%s.sha256\"}]}",
                            cpu, root, cpu, cpu, root, cpu);
  if (g_str_equal (path, "/devops/tofu/tofu_1.8.5_SHA256SUMS"))
    {
      checked = g_strdup_printf ("tofu_1.8.5_linux_%s.tar.gz", arch);
      stub = g_strconcat ("stub ", checked, NULL);
      checksum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, stub, -1);
      return g_strdup_printf ("%s  %s\n", checksum, checked);
    }
  if (!g_str_has_prefix (path, "/devops/k8s/v1.31.2/") && !g_str_has_prefix (path, "/devops/helm/")
      && !g_str_has_prefix (path, "/devops/tofu/") && !g_str_has_prefix (path, "/devops/compose/"))
    return NULL;

  if (g_str_has_suffix (name, ".sha256") || g_str_has_suffix (name, ".sha256sum"))
    {
      checked = g_strndup (name, strlen (name) - (g_str_has_suffix (name, ".sha256")
                                                       ? strlen (".sha256")
                                                       : strlen (".sha256sum")));
      stub = g_strconcat ("stub ", checked, NULL);
      checksum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, stub, -1);
      return g_strdup_printf ("%s  %s\n", checksum, checked);
    }

  return g_strconcat ("stub ", name, NULL);
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *message,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  Fixture *fixture = user_data;
  const char *version = fixture->claude_version != NULL ? fixture->claude_version : STUB_VERSION;
  g_autofree char *manifest_path = g_strdup_printf ("/dist/%s/manifest.json", version);
  g_autofree char *binary_path = g_strdup_printf ("/dist/%s/%s/claude", version, fixture->platform);

  if (g_str_has_prefix (path, "/devops/"))
    {
      g_autofree char *url = g_uri_to_string (soup_server_message_get_uri (message));
      g_autofree char *root = g_strndup (url, strlen (url) - strlen (path) + 1);
      g_autofree char *body = dup_devops_response (path, root);

      soup_server_message_set_status (message, body != NULL ? SOUP_STATUS_OK : SOUP_STATUS_NOT_FOUND,
                                      NULL);
      if (body != NULL)
        soup_server_message_set_response (message, "application/octet-stream", SOUP_MEMORY_COPY,
                                          body, strlen (body));
      return;
    }

  if (g_str_equal (path, "/dist/latest"))
    {
      g_autofree char *latest = g_strconcat (version, "\n", NULL);

      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_COPY,
                                        latest, strlen (latest));
    }
  else if (g_str_equal (path, manifest_path))
    {
      g_autofree char *checksum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, STUB_BINARY, -1);
      g_autofree char *manifest = g_strdup_printf ("{\"platforms\": {\"%s\": {\"checksum\": \"%s\"}}}",
                                                   fixture->platform, checksum);

      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                        manifest, strlen (manifest));
    }
  else if (g_str_equal (path, binary_path))
    {
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/octet-stream", SOUP_MEMORY_STATIC,
                                        STUB_BINARY, strlen (STUB_BINARY));
    }
  else if (g_str_equal (path, "/codex/releases/latest"))
    {
      g_autofree char *asset = exitbox_github_asset_name ("codex", EXITBOX_BASE_FAMILY_DEBIAN);
      g_autofree char *checksum = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                                 CODEX_STUB_ARCHIVE, -1);
      g_autofree char *url = g_uri_to_string (soup_server_message_get_uri (message));
      g_autofree char *base = g_strndup (url, strlen (url) - strlen ("releases/latest"));
      g_autofree char *digest = fixture->codex_digest
                                ? g_strdup_printf (", \"digest\": \"sha256:%s\"", checksum)
                                : g_strdup ("");
      g_autofree char *metadata =
        g_strdup_printf ("{\"tag_name\": \"rust-v0.46.0\", \"assets\": [{\"name\": \"%s\", "
                         "\"browser_download_url\": \"%sdownload/%s\"%s}]}",
                         asset, base, asset, digest);

      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                        metadata, strlen (metadata));
    }
  else if (g_str_equal (path, "/go/dl/"))
    {
      g_autofree char *checksum = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                                 GO_STUB_ARCHIVE, -1);
      g_autofree char *list =
        g_strdup_printf ("[{\"version\": \"go1.99.1rc1\", \"stable\": false, \"files\": []},"
                         " {\"version\": \"go1.98.2\", \"stable\": true, \"files\": ["
                         "{\"filename\": \"go1.98.2.linux-amd64.tar.gz\", \"os\": \"linux\","
                         " \"arch\": \"amd64\", \"kind\": \"archive\", \"sha256\": \"%s\"},"
                         "{\"filename\": \"go1.98.2.linux-arm64.tar.gz\", \"os\": \"linux\","
                         " \"arch\": \"arm64\", \"kind\": \"archive\", \"sha256\": \"%s\"}]}]",
                         checksum, checksum);

      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                        list, strlen (list));
    }
  else if (g_str_has_prefix (path, "/go/dl/go1.98.2.linux-"))
    {
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/gzip", SOUP_MEMORY_STATIC,
                                        GO_STUB_ARCHIVE, strlen (GO_STUB_ARCHIVE));
    }
  else if (g_str_equal (path, "/golangci/releases/latest"))
    {
      g_autofree char *checksum = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                                 LINT_STUB_ARCHIVE, -1);
      g_autofree char *url = g_uri_to_string (soup_server_message_get_uri (message));
      g_autofree char *base = g_strndup (url, strlen (url) - strlen ("releases/latest"));
      g_autofree char *metadata =
        g_strdup_printf ("{\"tag_name\": \"v1.64.8\", \"assets\": ["
                         "{\"name\": \"golangci-lint-1.64.8-linux-amd64.tar.gz\", "
                         "\"browser_download_url\": \"%sdownload/golangci-lint-1.64.8-linux-amd64.tar.gz\", \"digest\": \"sha256:%s\"},"
                         "{\"name\": \"golangci-lint-1.64.8-linux-arm64.tar.gz\", "
                         "\"browser_download_url\": \"%sdownload/golangci-lint-1.64.8-linux-arm64.tar.gz\", \"digest\": \"sha256:%s\"}]}",
                         base, checksum, base, checksum);

      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                        metadata, strlen (metadata));
    }
  else if (g_str_has_prefix (path, "/golangci/download/"))
    {
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/gzip", SOUP_MEMORY_STATIC,
                                        LINT_STUB_ARCHIVE, strlen (LINT_STUB_ARCHIVE));
    }
  else if (g_str_has_prefix (path, "/codex/download/"))
    {
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/gzip", SOUP_MEMORY_STATIC,
                                        CODEX_STUB_ARCHIVE, strlen (CODEX_STUB_ARCHIVE));
    }
  else
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
    }
}

static const struct
{
  const char *name;
  const char *path;
} devops_variables[] = {
  { "EXITBOX_KUBECTL_RELEASE_URL", "devops/k8s" },
  { "EXITBOX_HELM_RELEASE_URL", "devops/helm-gh/latest" },
  { "EXITBOX_HELM_DOWNLOAD_URL", "devops/helm" },
  { "EXITBOX_OPENTOFU_RELEASE_URL", "devops/tofu-gh/latest" },
  { "EXITBOX_DOCKER_COMPOSE_RELEASE_URL", "devops/compose-gh/latest" },
};

static void
start_server (Fixture *fixture)
{
  g_autofree char *root = NULL;
  g_autofree char *dist_url = NULL;

  fixture->server = exitbox_test_start_loopback_server (handle_request, fixture, &root);
  g_autofree char *codex_url = NULL;

  dist_url = g_strconcat (root, "dist", NULL);
  g_setenv ("EXITBOX_CLAUDE_DIST_URL", dist_url, TRUE);
  g_autofree char *go_url = NULL;
  g_autofree char *lint_url = NULL;

  codex_url = g_strconcat (root, "codex/releases/latest", NULL);
  g_setenv ("EXITBOX_CODEX_RELEASE_URL", codex_url, TRUE);
  go_url = g_strconcat (root, "go/dl/?mode=json", NULL);
  g_setenv ("EXITBOX_GO_RELEASES_URL", go_url, TRUE);
  lint_url = g_strconcat (root, "golangci/releases/latest", NULL);
  g_setenv ("EXITBOX_GOLANGCI_LINT_RELEASE_URL", lint_url, TRUE);

  for (gsize i = 0; i < G_N_ELEMENTS (devops_variables); i++)
    {
      g_autofree char *url = g_strconcat (root, devops_variables[i].path, NULL);

      g_setenv (devops_variables[i].name, url, TRUE);
    }
}

static void
on_progress (ExitboxImageBuilder *builder,
             const char          *layer,
             const char          *message,
             Fixture             *fixture)
{
  g_ptr_array_add (fixture->progress, g_strdup_printf ("%s: %s", layer, message));
}

static void
on_output (ExitboxImageBuilder *builder,
           const char          *line,
           Fixture             *fixture)
{
  g_assert_true (g_utf8_validate (line, -1, NULL));
  g_assert_null (strchr (line, '\n'));
  fixture->output_lines++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *engine_path = NULL;
  g_autofree char *engine_script = NULL;
  g_autofree char *wrapper = NULL;
  g_autofree char *contexts = NULL;

  fixture->platform = exitbox_claude_platform (EXITBOX_BASE_FAMILY_DEBIAN);
  if (fixture->platform == NULL)
    return;

  fixture->folder = exitbox_test_make_tmpdir ("exitbox-image-builder-XXXXXX");
  fixture->store = g_build_filename (fixture->folder, "store", NULL);
  fixture->cache_home = g_build_filename (fixture->folder, "cache", NULL);
  fixture->data_dir = g_build_filename (fixture->folder, "data", NULL);
  g_setenv ("EXITBOX_DATA_DIR", fixture->data_dir, TRUE);
  contexts = g_build_filename (fixture->store, "contexts", NULL);
  g_assert_cmpint (g_mkdir_with_parents (contexts, 0700), ==, 0);
  g_setenv ("FAKE_ENGINE_DIR", fixture->store, TRUE);
  g_setenv ("XDG_CACHE_HOME", fixture->cache_home, TRUE);
  g_unsetenv ("EXITBOX_BASE_IMAGE");

  /* The wrapper does not depend on the script's execute bit. */
  engine_script = g_test_build_filename (G_TEST_DIST, "fake-build-engine.py", NULL);
  engine_path = g_build_filename (fixture->folder, "podman", NULL);
  wrapper = g_strdup_printf ("#!/bin/sh\nexec python3 '%s' \"$@\"\n", engine_script);
  g_file_set_contents (engine_path, wrapper, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (engine_path, 0755), ==, 0);

  start_server (fixture);

  fixture->engine = exitbox_engine_new (EXITBOX_ENGINE_KIND_PODMAN, engine_path);
  fixture->config = exitbox_config_new_default ();
  fixture->builder = exitbox_image_builder_new (fixture->engine, fixture->config);
  fixture->progress = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->builder, "progress", G_CALLBACK (on_progress), fixture);
  g_signal_connect (fixture->builder, "output", G_CALLBACK (on_output), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  if (fixture->folder != NULL)
    exitbox_test_remove_tree (fixture->folder);

  g_clear_object (&fixture->builder);
  g_clear_object (&fixture->engine);
  g_clear_object (&fixture->config);
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->result);
  g_clear_pointer (&fixture->progress, g_ptr_array_unref);
  g_free (fixture->folder);
  g_free (fixture->store);
  g_free (fixture->cache_home);
  g_free (fixture->data_dir);
  g_unsetenv ("EXITBOX_BASE_IMAGE");
  g_unsetenv ("EXITBOX_DATA_DIR");
  g_unsetenv ("EXITBOX_CODEX_RELEASE_URL");
  g_unsetenv ("EXITBOX_GO_RELEASES_URL");
  g_unsetenv ("EXITBOX_GOLANGCI_LINT_RELEASE_URL");
  /* Back to the unused loopback address, never to the publishers. */
  for (gsize i = 0; i < G_N_ELEMENTS (devops_variables); i++)
    g_setenv (devops_variables[i].name, "http://127.0.0.1:9/unused", TRUE);
}

static gboolean
ensure (Fixture     *fixture,
        const char  *agent_id,
        const char  *project_key,
        GError     **error)
{
  gboolean ok;

  g_clear_object (&fixture->result);
  exitbox_image_builder_ensure_async (fixture->builder, NULL, agent_id, project_key, NULL,
                                      exitbox_test_store_result, &fixture->result);
  exitbox_test_wait_for_result (&fixture->result);
  ok = exitbox_image_builder_ensure_finish (fixture->builder, fixture->result, error);
  g_clear_object (&fixture->result);

  return ok;
}

static ExitboxInspection *
inspect (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  ExitboxInspection *inspection;

  names = exitbox_image_builder_dup_inspect_names (fixture->builder, "claude", PROJECT_KEY);
  inspection = exitbox_engine_inspect (fixture->engine, (const char * const *) names, NULL, &error);
  g_assert_no_error (error);

  return inspection;
}

/* The tags of the images built so far, in order, from the engine's call log. */
static char *
dup_built_tags (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (fixture->store, "calls.jsonl", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) tags = g_string_new (NULL);

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonArray *args;

      if (*lines[i] == '\0')
        continue;

      node = json_from_string (lines[i], NULL);
      g_assert_nonnull (node);
      args = json_node_get_array (node);
      if (!g_str_equal (json_array_get_string_element (args, 0), "build"))
        continue;

      for (guint a = 0; a + 1 < json_array_get_length (args); a++)
        {
          if (g_str_equal (json_array_get_string_element (args, a), "-t"))
            {
              if (tags->len > 0)
                g_string_append_c (tags, ' ');
              g_string_append (tags, json_array_get_string_element (args, a + 1));
            }
        }
    }

  return g_string_free (g_steal_pointer (&tags), FALSE);
}

/* A file from the context of the @index-th build (0-based), as the fake
 * engine copied it.
 */
static char *
read_context_file (Fixture    *fixture,
                   guint       index,
                   const char *image,
                   const char *name)
{
  g_autofree char *folder = g_strdup_printf ("%u-%s", index, image);
  g_autofree char *path = g_build_filename (fixture->store, "contexts", folder, name, NULL);

  return exitbox_test_read_file (path);
}

static void
test_image_names (void)
{
  g_autofree char *core = exitbox_image_dup_core_name ("claude");
  g_autofree char *project = exitbox_image_dup_project_name ("claude", PROJECT_KEY);
  g_autofree char *empty_hash = exitbox_image_dup_profiles_hash (NULL);
  g_autofree char *empty_list_hash = exitbox_image_dup_profiles_hash ((const char * const[]) { NULL });
  const char * const profiles[] = { "python", "node", NULL };
  g_autofree char *profiles_hash = exitbox_image_dup_profiles_hash (profiles);
  g_autofree char *expected_digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "python,node", -1);

  g_assert_cmpstr (core, ==, "exitbox-claude-core");
  g_assert_cmpstr (project, ==, PROJECT_IMAGE);
  g_assert_cmpstr (empty_hash, ==, EMPTY_PROFILES_HASH);
  g_assert_cmpstr (empty_list_hash, ==, EMPTY_PROFILES_HASH);
  g_assert_cmpuint (strlen (profiles_hash), ==, 16);
  g_assert_true (g_str_has_prefix (expected_digest, profiles_hash));
}

static void
test_image_inspect_names (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) without_project = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  names = exitbox_image_builder_dup_inspect_names (fixture->builder, "claude", PROJECT_KEY);
  g_assert_cmpuint (g_strv_length (names), ==, 4);
  g_assert_cmpstr (names[0], ==, EXITBOX_IMAGE_BASE);
  g_assert_cmpstr (names[1], ==, "exitbox-claude-core");
  g_assert_cmpstr (names[2], ==, PROJECT_IMAGE);
  g_assert_cmpstr (names[3], ==, EXITBOX_IMAGE_PROXY);

  without_project = exitbox_image_builder_dup_inspect_names (fixture->builder, "claude", NULL);
  g_assert_cmpuint (g_strv_length (without_project), ==, 3);
}

static void
test_image_state_missing (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(ExitboxInspection) inspection = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  inspection = inspect (fixture);
  g_assert_cmpint (exitbox_image_builder_get_state (fixture->builder, inspection, "claude", PROJECT_KEY),
                   ==, EXITBOX_IMAGE_STATE_MISSING);
  g_assert_false (exitbox_image_builder_proxy_is_current (fixture->builder, inspection));
  g_assert_null (exitbox_image_builder_get_agent_version (fixture->builder, inspection, "claude"));
}

static void
test_image_ensure_builds_all (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *base_file = NULL;
  g_autofree char *allow_script = NULL;
  g_autofree char *entrypoint = NULL;
  g_autofree char *core_file = NULL;
  g_autofree char *binary = NULL;
  g_autofree char *project_file = NULL;
  g_autofree char *proxy_file = NULL;
  g_autofree char *base_parent = NULL;
  g_autofree char *core_parent = NULL;
  g_autofree char *uid_label = g_strdup_printf ("exitbox.uid=\"%u\"", (guint) getuid ());
  g_autofree char *builds_folder = NULL;
  g_autofree char *logs_folder = NULL;
  const char *base_id;
  const char *core_id;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);

  tags = dup_built_tags (fixture);
  g_assert_cmpstr (tags, ==, "exitbox-base exitbox-claude-core " PROJECT_IMAGE " " EXITBOX_IMAGE_PROXY);

  base_file = read_context_file (fixture, 0, "exitbox-base", "Containerfile");
  entrypoint = read_context_file (fixture, 0, "exitbox-base", "entrypoint.sh");
  exitbox_test_assert_contains (base_file, "FROM debian:bookworm-slim");
  exitbox_test_assert_contains (base_file, uid_label);
  exitbox_test_assert_contains (entrypoint, "<!-- BEGIN EXITBOX SANDBOX -->");
  allow_script = read_context_file (fixture, 0, "exitbox-base", "exitbox-allow.sh");
  exitbox_test_assert_contains (allow_script, "/run/exitbox/allow.sock");

  core_file = read_context_file (fixture, 1, "exitbox-claude-core", "Containerfile");
  binary = read_context_file (fixture, 1, "exitbox-claude-core", "claude");
  g_assert_cmpstr (binary, ==, STUB_BINARY);
  exitbox_test_assert_contains (core_file, "exitbox.agent.version=\"" STUB_VERSION "\"");

  project_file = read_context_file (fixture, 2, PROJECT_IMAGE, "Containerfile");
  exitbox_test_assert_contains (project_file, "exitbox.profiles.hash=\"" BASE_PROFILES_HASH "\"");
  exitbox_test_assert_contains (project_file, "exitbox.tools.hash=\"" EMPTY_PROFILES_HASH "\"");
  exitbox_test_assert_contains (project_file, "apt-get install -y --no-install-recommends");
  exitbox_test_assert_contains (project_file, "      libssl-dev");
  proxy_file = read_context_file (fixture, 3, EXITBOX_IMAGE_PROXY, "Containerfile");
  exitbox_test_assert_contains (proxy_file, "squid");

  /* Each layer records the ID of the image it was built on. */
  inspection = inspect (fixture);
  base_id = exitbox_inspection_get_image_id (inspection, EXITBOX_IMAGE_BASE);
  core_id = exitbox_inspection_get_image_id (inspection, "exitbox-claude-core");
  base_parent = g_strdup_printf ("exitbox.parent=\"%s\"", base_id);
  core_parent = g_strdup_printf ("exitbox.parent=\"%s\"", core_id);
  exitbox_test_assert_contains (core_file, base_parent);
  exitbox_test_assert_contains (project_file, core_parent);

  g_assert_cmpint (exitbox_image_builder_get_state (fixture->builder, inspection, "claude", PROJECT_KEY),
                   ==, EXITBOX_IMAGE_STATE_BUILT);
  g_assert_true (exitbox_image_builder_proxy_is_current (fixture->builder, inspection));
  g_assert_cmpstr (exitbox_image_builder_get_agent_version (fixture->builder, inspection, "claude"),
                   ==, STUB_VERSION);

  /* Every build folder is gone and every build left a log. */
  builds_folder = g_build_filename (fixture->cache_home, "exitbox", "build", NULL);
  logs_folder = g_build_filename (fixture->cache_home, "exitbox", "logs", NULL);
  g_assert_cmpuint (exitbox_test_count_folder_entries (builds_folder), ==, 0);
  g_assert_cmpuint (exitbox_test_count_folder_entries (logs_folder), ==, 4);
}

static void
test_image_ensure_signals (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  const char *layers[] = { "base", "core", "project", "proxy" };
  guint layer_index = 0;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);

  /* 25 numbered lines plus one STEP line per instruction, for 4 builds. */
  g_assert_cmpuint (fixture->output_lines, >, 4 * 25);

  for (guint i = 0; i < fixture->progress->len; i++)
    {
      const char *line = g_ptr_array_index (fixture->progress, i);

      g_test_message ("progress: %s", line);
      if (g_str_has_prefix (line, "core: Looking up") || g_str_has_prefix (line, "core: Getting")
          || g_str_has_prefix (line, "core: Verified"))
        continue;

      g_assert_cmpuint (layer_index, <, 2 * G_N_ELEMENTS (layers));
      g_assert_true (g_str_has_prefix (line, layers[layer_index / 2]));
      if (layer_index % 2 == 0)
        exitbox_test_assert_contains (line, ": Building ");
      else
        exitbox_test_assert_contains (line, ": Built ");
      layer_index++;
    }
  g_assert_cmpuint (layer_index, ==, 2 * G_N_ELEMENTS (layers));
}

static void
test_image_ensure_reuses (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);
  first = dup_built_tags (fixture);

  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);
  second = dup_built_tags (fixture);

  g_assert_cmpstr (second, ==, first);
}

static void
test_image_base_image_change (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autofree char *tags = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);

  /* A different base image changes exitbox.base.image: the base, and with
   * it every layer on top and the proxy, are rebuilt.
   */
  g_setenv ("EXITBOX_BASE_IMAGE", "localhost/exitbox-test-debian:bookworm", TRUE);
  inspection = inspect (fixture);
  g_assert_cmpint (exitbox_image_builder_get_state (fixture->builder, inspection, "claude", PROJECT_KEY),
                   ==, EXITBOX_IMAGE_STATE_STALE);
  g_assert_false (exitbox_image_builder_proxy_is_current (fixture->builder, inspection));

  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);
  tags = dup_built_tags (fixture);
  g_assert_cmpstr (tags, ==,
                   "exitbox-base exitbox-claude-core " PROJECT_IMAGE " " EXITBOX_IMAGE_PROXY " "
                   "exitbox-base exitbox-claude-core " PROJECT_IMAGE " " EXITBOX_IMAGE_PROXY);
}

/* Rewrites the fake engine's store: gives @image a new ID. */
static void
replace_image_id (Fixture    *fixture,
                  const char *image,
                  const char *new_id)
{
  g_autofree char *path = g_build_filename (fixture->store, "images.json", NULL);
  g_autofree char *tag = g_strdup_printf ("localhost/%s:latest", image);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  JsonArray *images;
  gboolean replaced = FALSE;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  images = json_node_get_array (json_parser_get_root (parser));

  for (guint i = 0; i < json_array_get_length (images); i++)
    {
      JsonObject *entry = json_array_get_object_element (images, i);
      JsonArray *tags = json_object_get_array_member (entry, "RepoTags");

      for (guint t = 0; t < json_array_get_length (tags); t++)
        {
          if (g_str_equal (json_array_get_string_element (tags, t), tag))
            {
              json_object_set_string_member (entry, "Id", new_id);
              replaced = TRUE;
            }
        }
    }
  g_assert_true (replaced);

  output = json_to_string (json_parser_get_root (parser), TRUE);
  g_file_set_contents (path, output, -1, &error);
  g_assert_no_error (error);
}

static void
test_image_parent_changed (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autofree char *tags = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);

  /* The core was replaced behind ExitBox's back, with its labels intact:
   * only the project, whose exitbox.parent no longer matches, is stale.
   */
  replace_image_id (fixture, "exitbox-claude-core",
                    "1111111111111111111111111111111111111111111111111111111111111111");
  inspection = inspect (fixture);
  g_assert_cmpint (exitbox_image_builder_get_state (fixture->builder, inspection, "claude", PROJECT_KEY),
                   ==, EXITBOX_IMAGE_STATE_STALE);
  g_assert_true (exitbox_image_builder_proxy_is_current (fixture->builder, inspection));

  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);
  tags = dup_built_tags (fixture);
  g_assert_cmpstr (tags, ==,
                   "exitbox-base exitbox-claude-core " PROJECT_IMAGE " " EXITBOX_IMAGE_PROXY " "
                   PROJECT_IMAGE);
}

static void
test_image_build_failure (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *marker = g_build_filename (fixture->store, "fail-exitbox-base", NULL);
  g_autofree char *builds_folder = NULL;
  g_autofree char *logs_folder = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *log_contents = NULL;
  g_autoptr(GError) log_error = NULL;
  g_autoptr(GDir) logs = NULL;
  const char *log_name;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  g_file_set_contents (marker, "", 0, &log_error);
  g_assert_no_error (log_error);

  g_assert_false (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_test_message ("%s", error->message);

  /* The message quotes the last lines of the output and names the log. */
  exitbox_test_assert_contains (error->message, "exitbox-base");
  exitbox_test_assert_contains (error->message, "fake build output line 25");
  exitbox_test_assert_contains (error->message, "exit status 1");
  g_assert_null (strstr (error->message, "fake build output line 5\n"));
  exitbox_test_assert_not_contains (error->message, "tools/make-base-image.sh");
  exitbox_test_assert_not_contains (error->message, "no package named");

  logs_folder = g_build_filename (fixture->cache_home, "exitbox", "logs", NULL);
  logs = g_dir_open (logs_folder, 0, NULL);
  g_assert_nonnull (logs);
  log_name = g_dir_read_name (logs);
  g_assert_nonnull (log_name);
  g_assert_true (g_str_has_prefix (log_name, "build-exitbox-base-"));
  g_assert_true (g_str_has_suffix (log_name, ".log"));
  log_path = g_build_filename (logs_folder, log_name, NULL);
  exitbox_test_assert_contains (error->message, log_path);

  g_file_get_contents (log_path, &log_contents, NULL, &log_error);
  g_assert_no_error (log_error);
  exitbox_test_assert_contains (log_contents, "STEP 1/");
  exitbox_test_assert_contains (log_contents, "fake build output line 1\n");
  exitbox_test_assert_contains (log_contents, "fake build output line 25\n");

  /* Nothing after the failed layer was built, and its folder is gone. */
  tags = dup_built_tags (fixture);
  g_assert_cmpstr (tags, ==, "exitbox-base");
  builds_folder = g_build_filename (fixture->cache_home, "exitbox", "build", NULL);
  g_assert_cmpuint (exitbox_test_count_folder_entries (builds_folder), ==, 0);
}

static void
test_image_build_pull_failure_hint (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *marker = g_build_filename (fixture->store, "fail-exitbox-base", NULL);

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  exitbox_test_write_file (marker, "Trying to pull docker.io/library/debian:bookworm-slim...\n");

  g_assert_false (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  exitbox_test_assert_contains (error->message, "Trying to pull");
  exitbox_test_assert_contains (error->message, "tools/make-base-image.sh");
  exitbox_test_assert_contains (error->message, "settings.base_image");
}

/* A package that apt or apk cannot find is named, with where to remove it. */
static void
test_image_build_missing_package_hint (Fixture       *fixture,
                                       gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *marker = g_build_filename (fixture->store, "fail-exitbox-base", NULL);

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  exitbox_test_write_file (marker,
                           "Reading state information...\n"
                           "E: Unable to locate package no-such-pkg-xyz\n"
                           "ERROR: unable to select packages:\n"
                           "  other-missing (no such package):\n"
                           "    required by: world[other-missing]\n");

  g_assert_false (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  exitbox_test_assert_contains (error->message,
                                "no package named no-such-pkg-xyz, other-missing");
  exitbox_test_assert_contains (error->message, "remove it from tools.user");
}

/* Codex comes from its GitHub release metadata as a .tar.gz that the core
 * layer unpacks. Without a published digest nothing is built.
 */
static void
test_image_codex_core (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *asset = exitbox_github_asset_name ("codex", EXITBOX_BASE_FAMILY_DEBIAN);
  g_autofree char *member = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *core_file = NULL;
  g_autofree char *archive = NULL;
  g_autofree char *copy_line = NULL;
  g_autofree char *install_line = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform) ||
      exitbox_test_skip_without_platform (asset))
    return;

  fixture->codex_digest = FALSE;
  g_assert_false (ensure (fixture, "codex", PROJECT_KEY, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  exitbox_test_assert_contains (error->message, "no SHA-256 digest");
  g_clear_error (&error);
  tags = dup_built_tags (fixture);
  g_assert_cmpstr (tags, ==, "exitbox-base");
  g_clear_pointer (&tags, g_free);

  fixture->codex_digest = TRUE;
  g_assert_true (ensure (fixture, "codex", PROJECT_KEY, &error));
  g_assert_no_error (error);
  tags = dup_built_tags (fixture);
  g_assert_cmpstr (tags, ==, "exitbox-base exitbox-codex-core exitbox-codex-" PROJECT_KEY " "
                   EXITBOX_IMAGE_PROXY);

  member = g_strndup (asset, strlen (asset) - strlen (".tar.gz"));
  copy_line = g_strdup_printf ("COPY %s /tmp/exitbox-agent.tar.gz\n", asset);
  install_line = g_strdup_printf ("install -o root -g root -m 0755 /tmp/exitbox-agent/%s "
                                  "/usr/local/bin/codex", member);
  core_file = read_context_file (fixture, 1, "exitbox-codex-core", "Containerfile");
  exitbox_test_assert_contains (core_file, copy_line);
  exitbox_test_assert_contains (core_file, install_line);
  exitbox_test_assert_contains (core_file, "exitbox.agent.version=\"0.46.0\"");
  exitbox_test_assert_contains (core_file, "/usr/local/bin/codex --version");
  archive = read_context_file (fixture, 1, "exitbox-codex-core", asset);
  g_assert_cmpstr (archive, ==, CODEX_STUB_ARCHIVE);
}

static void
test_image_invalid_project_key (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  g_assert_false (ensure (fixture, "claude", "Upper Case", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  exitbox_test_assert_contains (error->message, "Upper Case");
}

static void
test_image_ensure_proxy (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *tags = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  exitbox_image_builder_ensure_proxy_async (fixture->builder, NULL, NULL, exitbox_test_store_result,
                                            &result);
  exitbox_test_wait_for_result (&result);
  g_assert_true (exitbox_image_builder_ensure_proxy_finish (fixture->builder, result, &error));
  g_assert_no_error (error);

  tags = dup_built_tags (fixture);
  g_assert_cmpstr (tags, ==, EXITBOX_IMAGE_PROXY);
}

/* Two projects built at once each get their own context folder. */
static void
test_image_concurrent_projects (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) first_error = NULL;
  g_autoptr(GError) second_error = NULL;
  g_autofree char *calls_path = g_build_filename (fixture->store, "calls.jsonl", NULL);
  g_autofree char *calls = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) project_contexts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *tags = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);

  exitbox_image_builder_ensure_async (fixture->builder, NULL, "claude", "project_one_11111111",
                                      NULL, exitbox_test_store_result, &first);
  exitbox_image_builder_ensure_async (fixture->builder, NULL, "claude", "project_two_22222222",
                                      NULL, exitbox_test_store_result, &second);
  exitbox_test_wait_for_result (&first);
  exitbox_test_wait_for_result (&second);
  g_assert_true (exitbox_image_builder_ensure_finish (fixture->builder, first, &first_error));
  g_assert_no_error (first_error);
  g_assert_true (exitbox_image_builder_ensure_finish (fixture->builder, second, &second_error));
  g_assert_no_error (second_error);

  tags = dup_built_tags (fixture);
  exitbox_test_assert_contains (tags, "exitbox-claude-project_one_11111111");
  exitbox_test_assert_contains (tags, "exitbox-claude-project_two_22222222");

  g_file_get_contents (calls_path, &calls, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (calls, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonArray *args;
      guint length;

      if (!g_str_has_prefix (lines[i], "[\"build\""))
        continue;
      node = json_from_string (lines[i], NULL);
      args = json_node_get_array (node);
      length = json_array_get_length (args);
      if (strstr (lines[i], "project_") != NULL)
        g_ptr_array_add (project_contexts, g_strdup (json_array_get_string_element (args, length - 1)));
    }

  g_assert_cmpuint (project_contexts->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (project_contexts, 0), !=, g_ptr_array_index (project_contexts, 1));
}

/* Replaces the fixture's configuration and builder with ones loaded from
 * @yaml, keeping the engine and its image store.
 */
static void
use_config (Fixture    *fixture,
            const char *yaml)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->builder);
  g_clear_object (&fixture->config);
  fixture->config = exitbox_config_load_data (yaml, -1, "config.yaml", &error);
  g_assert_no_error (error);
  fixture->builder = exitbox_image_builder_new (fixture->engine, fixture->config);
  g_signal_connect (fixture->builder, "progress", G_CALLBACK (on_progress), fixture);
  g_signal_connect (fixture->builder, "output", G_CALLBACK (on_output), fixture);
}

static void
test_image_profile_change (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *project_file = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  use_config (fixture, "profiles: [shell]\n");
  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);

  /* Another profile changes only exitbox.profiles.hash of the project. */
  use_config (fixture, "profiles: [shell, python]\n");
  inspection = inspect (fixture);
  g_assert_cmpint (exitbox_image_builder_get_state (fixture->builder, inspection, "claude", PROJECT_KEY),
                   ==, EXITBOX_IMAGE_STATE_STALE);

  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);
  tags = dup_built_tags (fixture);
  g_assert_cmpstr (tags, ==,
                   "exitbox-base exitbox-claude-core " PROJECT_IMAGE " " EXITBOX_IMAGE_PROXY " "
                   PROJECT_IMAGE);

  project_file = read_context_file (fixture, 4, PROJECT_IMAGE, "Containerfile");
  exitbox_test_assert_contains (project_file, "      openssh-client");
  exitbox_test_assert_contains (project_file, "      python3-venv");
  exitbox_test_assert_contains (project_file, "RUN python3 -m venv /opt/venv");
  exitbox_test_assert_contains (project_file, "PATH=/opt/venv/bin:$PATH");
}

static void
test_image_tools_change (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *project_file = NULL;
  g_autofree char *tools_hash = NULL;
  g_autofree char *tools_label = NULL;
  const char * const tools[] = { "htop", NULL };

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  use_config (fixture, "profiles: [shell]\n");
  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);

  use_config (fixture, "profiles: [shell]\ntools:\n  user: [htop]\n");
  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);
  tags = dup_built_tags (fixture);
  g_assert_cmpstr (tags, ==,
                   "exitbox-base exitbox-claude-core " PROJECT_IMAGE " " EXITBOX_IMAGE_PROXY " "
                   PROJECT_IMAGE);

  tools_hash = exitbox_image_dup_tools_hash (tools);
  tools_label = g_strdup_printf ("exitbox.tools.hash=\"%s\"", tools_hash);
  project_file = read_context_file (fixture, 4, PROJECT_IMAGE, "Containerfile");
  exitbox_test_assert_contains (project_file, "      htop");
  exitbox_test_assert_contains (project_file, tools_label);
}

/* Profiles added and removed for one project in the registry apply to that
 * project's layer only.
 */
static void
test_image_registry_profiles (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxProject) project = NULL;
  g_autofree char *project_folder = g_build_filename (fixture->folder, "app", NULL);
  g_autofree char *registry = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *expected_tags = NULL;
  g_autofree char *project_image = NULL;
  g_autofree char *project_file = NULL;
  g_auto(GStrv) profiles = NULL;
  gboolean changed = FALSE;
  const char * const defaults[] = { "shell", NULL };

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  g_assert_cmpint (g_mkdir (project_folder, 0700), ==, 0);
  project = exitbox_project_new (project_folder, &error);
  g_assert_no_error (error);
  project_image = exitbox_image_dup_project_name ("claude", exitbox_project_get_key (project));

  use_config (fixture, "profiles: [shell]\n");
  g_assert_true (ensure (fixture, "claude", exitbox_project_get_key (project), &error));
  g_assert_no_error (error);

  registry = exitbox_project_registry_dup_path ();
  g_assert_true (exitbox_project_registry_change_profile (registry, project, "build-tools", TRUE,
                                                          defaults, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_true (exitbox_project_registry_change_profile (registry, project, "shell", FALSE,
                                                          defaults, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);

  profiles = exitbox_image_builder_dup_profiles (fixture->builder, exitbox_project_get_key (project),
                                                 &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (profiles), ==, 1);
  g_assert_cmpstr (profiles[0], ==, "build-tools");

  g_assert_true (ensure (fixture, "claude", exitbox_project_get_key (project), &error));
  g_assert_no_error (error);
  tags = dup_built_tags (fixture);
  expected_tags = g_strdup_printf ("exitbox-base exitbox-claude-core %s %s %s", project_image,
                                   EXITBOX_IMAGE_PROXY, project_image);
  g_assert_cmpstr (tags, ==, expected_tags);

  project_file = read_context_file (fixture, 4, project_image, "Containerfile");
  exitbox_test_assert_contains (project_file, "      ninja-build");
  g_assert_null (strstr (project_file, "openssh-client"));
}

static void
test_image_profile_without_packages (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  /* Flutter is linked against glibc, so Alpine has no build of it. */
  use_config (fixture, "profiles: [flutter]\nsettings:\n  base: alpine\n");
  g_assert_false (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  exitbox_test_assert_contains (error->message, "“flutter”");
  exitbox_test_assert_contains (error->message, "alpine");
  exitbox_test_assert_contains (error->message, "glibc");
}

static void
test_image_rebuild (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *calls_path = g_build_filename (fixture->store, "calls.jsonl", NULL);
  g_autofree char *calls = NULL;
  gboolean ok;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);

  exitbox_image_builder_rebuild_async (fixture->builder, "claude", PROJECT_KEY, NULL,
                                       exitbox_test_store_result, &fixture->result);
  exitbox_test_wait_for_result (&fixture->result);
  ok = exitbox_image_builder_rebuild_finish (fixture->builder, fixture->result, &error);
  g_clear_object (&fixture->result);
  g_assert_no_error (error);
  g_assert_true (ok);

  /* The base and the proxy are current, so only core and project run again. */
  tags = dup_built_tags (fixture);
  g_assert_cmpstr (tags, ==,
                   "exitbox-base exitbox-claude-core " PROJECT_IMAGE " " EXITBOX_IMAGE_PROXY " "
                   "exitbox-claude-core " PROJECT_IMAGE);
  calls = exitbox_test_read_file (calls_path);
  exitbox_test_assert_contains (calls, "[\"build\", \"--force-rm\", \"--no-cache\", \"--iidfile\"");
}

/* The go profile has no Debian package: the Go archive comes from Go's
 * release list and golangci-lint from its GitHub release, both verified,
 * and both go into the project layer's context.
 */
static void
test_image_go_download (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *project_file = NULL;
  g_autofree char *archive = NULL;
  g_autofree char *archive_name = NULL;
  g_autofree char *copy_line = NULL;
  g_autofree char *lint_name = NULL;
  g_autofree char *lint = NULL;
  gboolean reported_missing = FALSE;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  archive_name = g_strdup_printf ("go1.98.2.linux-%s.tar.gz",
                                  g_str_has_prefix (fixture->platform, "linux-x64") ? "amd64" : "arm64");
  use_config (fixture, "profiles: [go]\n");
  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);

  project_file = read_context_file (fixture, 2, PROJECT_IMAGE, "Containerfile");
  copy_line = g_strdup_printf ("COPY %s /tmp/exitbox-go.tar.gz\n", archive_name);
  exitbox_test_assert_contains (project_file, copy_line);
  exitbox_test_assert_contains (project_file, "tar -xzf /tmp/exitbox-go.tar.gz -C /usr/local");
  exitbox_test_assert_contains (project_file, "ENV PATH=/usr/local/go/bin:");
  g_assert_null (strstr (project_file, "apt-get"));
  archive = read_context_file (fixture, 2, PROJECT_IMAGE, archive_name);
  g_assert_cmpstr (archive, ==, GO_STUB_ARCHIVE);

  lint_name = g_strdup_printf ("golangci-lint-1.64.8-linux-%s.tar.gz",
                               g_str_has_prefix (fixture->platform, "linux-x64") ? "amd64" : "arm64");
  lint = read_context_file (fixture, 2, PROJECT_IMAGE, lint_name);
  g_assert_cmpstr (lint, ==, LINT_STUB_ARCHIVE);
  exitbox_test_assert_contains (project_file, "/tmp/exitbox-golangci-lint/*/golangci-lint "
                                              "/usr/local/bin/golangci-lint");

  /* Both tools of the profile are downloaded, so nothing is left out. */
  for (guint i = 0; i < fixture->progress->len; i++)
    {
      const char *line = g_ptr_array_index (fixture->progress, i);

      if (strstr (line, "Not installing") != NULL)
        reported_missing = TRUE;
    }
  g_assert_false (reported_missing);
}

/* The devops profile downloads kubectl, helm, OpenTofu and Docker Compose,
 * each checked against its publisher's checksum file, next to Debian's
 * docker.io package.
 */
static void
test_image_devops_downloads (Fixture       *fixture,
                             gconstpointer  user_data)
{
  const char *arch = NULL;
  const char *cpu = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *project_file = NULL;
  g_autofree char *kubectl = NULL;
  g_autofree char *helm_name = NULL;
  g_autofree char *helm = NULL;
  g_autofree char *tofu_name = NULL;
  g_autofree char *tofu = NULL;
  g_autofree char *compose_name = NULL;
  g_autofree char *compose = NULL;
  g_autofree char *stub = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  arch = g_str_has_prefix (fixture->platform, "linux-x64") ? "amd64" : "arm64";
  cpu = g_str_equal (arch, "amd64") ? "x86_64" : "aarch64";
  use_config (fixture, "profiles: [devops]\n");
  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);

  project_file = read_context_file (fixture, 2, PROJECT_IMAGE, "Containerfile");
  exitbox_test_assert_contains (project_file, "      docker.io");
  exitbox_test_assert_contains (project_file, "COPY kubectl /tmp/exitbox-kubectl\n");
  kubectl = read_context_file (fixture, 2, PROJECT_IMAGE, "kubectl");
  g_assert_cmpstr (kubectl, ==, "stub kubectl");

  helm_name = g_strdup_printf ("helm-v3.16.2-linux-%s.tar.gz", arch);
  helm = read_context_file (fixture, 2, PROJECT_IMAGE, helm_name);
  stub = g_strconcat ("stub ", helm_name, NULL);
  g_assert_cmpstr (helm, ==, stub);
  g_clear_pointer (&stub, g_free);

  tofu_name = g_strdup_printf ("tofu_1.8.5_linux_%s.tar.gz", arch);
  tofu = read_context_file (fixture, 2, PROJECT_IMAGE, tofu_name);
  stub = g_strconcat ("stub ", tofu_name, NULL);
  g_assert_cmpstr (tofu, ==, stub);
  g_clear_pointer (&stub, g_free);

  compose_name = g_strdup_printf ("docker-compose-linux-%s", cpu);
  compose = read_context_file (fixture, 2, PROJECT_IMAGE, compose_name);
  stub = g_strconcat ("stub ", compose_name, NULL);
  g_assert_cmpstr (compose, ==, stub);
  exitbox_test_assert_contains (project_file, "/usr/local/bin/helm");
  exitbox_test_assert_contains (project_file, "/usr/local/bin/tofu");
  exitbox_test_assert_contains (project_file, "/usr/local/lib/docker/cli-plugins/docker-compose");
}

/* An update check rebuilds the core and the project layer for a new
 * version only; the same version keeps every image.
 */
static void
test_image_update_check (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autofree char *first = NULL;
  g_autofree char *same = NULL;
  g_autofree char *updated = NULL;
  g_autofree char *expected = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);
  first = dup_built_tags (fixture);

  /* The stub bucket still serves the installed version. */
  exitbox_image_builder_set_check_updates (fixture->builder, TRUE);
  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);
  same = dup_built_tags (fixture);
  g_assert_cmpstr (same, ==, first);

  /* A new release appears in the bucket. */
  fixture->claude_version = "9.9.10";
  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);
  updated = dup_built_tags (fixture);
  expected = g_strconcat (first, " exitbox-claude-core " PROJECT_IMAGE, NULL);
  g_assert_cmpstr (updated, ==, expected);

  inspection = inspect (fixture);
  g_assert_cmpstr (exitbox_image_builder_get_agent_version (fixture->builder, inspection, "claude"),
                   ==, "9.9.10");
}

/* A version pinned in config.yaml is compared with the core's label, so a
 * new pin rebuilds the core and the project layer without -u.
 */
static void
test_image_pinned_version (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autofree char *first = NULL;
  g_autofree char *pinned = NULL;
  g_autofree char *expected = NULL;

  if (exitbox_test_skip_without_platform (fixture->platform))
    return;

  use_config (fixture, "agents:\n  claude:\n    version: v" STUB_VERSION "\n");
  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);
  first = dup_built_tags (fixture);

  fixture->claude_version = "9.9.10";
  use_config (fixture, "agents:\n  claude:\n    version: 9.9.10\n");
  inspection = inspect (fixture);
  g_assert_cmpint (exitbox_image_builder_get_state (fixture->builder, inspection, "claude", PROJECT_KEY),
                   ==, EXITBOX_IMAGE_STATE_STALE);
  g_clear_object (&inspection);

  g_assert_true (ensure (fixture, "claude", PROJECT_KEY, &error));
  g_assert_no_error (error);
  pinned = dup_built_tags (fixture);
  expected = g_strconcat (first, " exitbox-claude-core " PROJECT_IMAGE, NULL);
  g_assert_cmpstr (pinned, ==, expected);

  inspection = inspect (fixture);
  g_assert_cmpstr (exitbox_image_builder_get_agent_version (fixture->builder, inspection, "claude"),
                   ==, "9.9.10");
  g_assert_cmpint (exitbox_image_builder_get_state (fixture->builder, inspection, "claude", PROJECT_KEY),
                   ==, EXITBOX_IMAGE_STATE_BUILT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/image/names", test_image_names);

#define ADD_TEST(path, function) \
  g_test_add (path, Fixture, NULL, fixture_set_up, function, fixture_tear_down)

  ADD_TEST ("/image/inspect-names", test_image_inspect_names);
  ADD_TEST ("/image/state-missing", test_image_state_missing);
  ADD_TEST ("/image/ensure-builds-all", test_image_ensure_builds_all);
  ADD_TEST ("/image/ensure-signals", test_image_ensure_signals);
  ADD_TEST ("/image/ensure-reuses", test_image_ensure_reuses);
  ADD_TEST ("/image/base-image-change", test_image_base_image_change);
  ADD_TEST ("/image/parent-changed", test_image_parent_changed);
  ADD_TEST ("/image/build-failure", test_image_build_failure);
  ADD_TEST ("/image/build-pull-failure-hint", test_image_build_pull_failure_hint);
  ADD_TEST ("/image/build-missing-package-hint", test_image_build_missing_package_hint);
  ADD_TEST ("/image/codex-core", test_image_codex_core);
  ADD_TEST ("/image/invalid-project-key", test_image_invalid_project_key);
  ADD_TEST ("/image/ensure-proxy", test_image_ensure_proxy);
  ADD_TEST ("/image/concurrent-projects", test_image_concurrent_projects);
  ADD_TEST ("/image/profile-change", test_image_profile_change);
  ADD_TEST ("/image/tools-change", test_image_tools_change);
  ADD_TEST ("/image/registry-profiles", test_image_registry_profiles);
  ADD_TEST ("/image/profile-without-packages", test_image_profile_without_packages);
  ADD_TEST ("/image/rebuild", test_image_rebuild);
  ADD_TEST ("/image/go-download", test_image_go_download);
  ADD_TEST ("/image/devops-downloads", test_image_devops_downloads);
  ADD_TEST ("/image/update-check", test_image_update_check);
  ADD_TEST ("/image/pinned-version", test_image_pinned_version);

#undef ADD_TEST

  return g_test_run ();
}
