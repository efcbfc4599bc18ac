/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* Release lookups of the profile tools other than Go. Each tool is verified
 * against the SHA-256 that its publisher releases: a checksum file next to
 * the download (kubectl, helm, gradle, rustup), the checksum file of a
 * GitHub release (golangci-lint, OpenTofu, Docker Compose), or the release
 * list itself (Flutter).
 */

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "exitbox-download-private.h"
#include "exitbox-paths.h"

typedef enum
{
  SOURCE_GITHUB,   /* GitHub "latest release" metadata */
  SOURCE_KUBECTL,  /* BASE/stable.txt, BASE/vX/bin/linux/ARCH/kubectl(.sha256) */
  SOURCE_GRADLE,   /* services.gradle.org/versions/current */
  SOURCE_RUSTUP,   /* BASE/TRIPLE/rustup-init(.sha256) */
  SOURCE_FLUTTER,  /* releases_linux.json */
} SourceKind;

typedef struct
{
  const char *tool;
  SourceKind  kind;
  const char *variable;     /* overrides default_url, for mirrors and tests */
  const char *default_url;
} ToolSource;

/* NOTE: the URL layouts and checksum formats follow the publishers' install
 * instructions and were run only against loopback stubs, never against the
 * real servers, so a changed layout shows up first as a lookup error.
 */
static const ToolSource tool_sources[] = {
  { "golangci-lint", SOURCE_GITHUB, "EXITBOX_GOLANGCI_LINT_RELEASE_URL",
    EXITBOX_GOLANGCI_LINT_DEFAULT_RELEASE_URL },
  { "opentofu", SOURCE_GITHUB, "EXITBOX_OPENTOFU_RELEASE_URL",
    "https://api.github.com/repos/opentofu/opentofu/releases/latest" },
  { "docker-compose", SOURCE_GITHUB, "EXITBOX_DOCKER_COMPOSE_RELEASE_URL",
    "https://api.github.com/repos/docker/compose/releases/latest" },
  { "helm", SOURCE_GITHUB, "EXITBOX_HELM_RELEASE_URL",
    "https://api.github.com/repos/helm/helm/releases/latest" },
  { "kubectl", SOURCE_KUBECTL, "EXITBOX_KUBECTL_RELEASE_URL", "https://dl.k8s.io/release" },
  { "gradle", SOURCE_GRADLE, "EXITBOX_GRADLE_VERSION_URL",
    "https://services.gradle.org/versions/current" },
  { "rustup", SOURCE_RUSTUP, "EXITBOX_RUSTUP_DIST_URL", "https://static.rust-lang.org/rustup/dist" },
  { "flutter", SOURCE_FLUTTER, "EXITBOX_FLUTTER_RELEASES_URL",
    "https://storage.googleapis.com/flutter_infra_release/releases/releases_linux.json" },
};

/* Helm lists its releases on GitHub but publishes the archives here. */
#define HELM_DEFAULT_DOWNLOAD_URL "https://get.helm.sh"

static const ToolSource *
find_tool_source (const char *tool)
{
  for (gsize i = 0; i < G_N_ELEMENTS (tool_sources); i++)
    {
      if (g_str_equal (tool_sources[i].tool, tool))
        return &tool_sources[i];
    }

  return NULL;
}

/* The value of @variable without blanks and trailing '/', else @fallback. */
static char *
dup_url_setting (const char *variable,
                 const char *fallback)
{
  const char *value = g_getenv (variable);
  g_autofree char *url = g_strstrip (g_strdup (value != NULL ? value : ""));
  gsize length = strlen (url);

  while (length > 0 && url[length - 1] == '/')
    url[--length] = '\0';

  return length > 0 ? g_steal_pointer (&url) : g_strdup (fallback);
}

char *
exitbox_tool_dup_source_url (const char *tool)
{
  const ToolSource *source;

  g_return_val_if_fail (tool != NULL, NULL);

  source = find_tool_source (tool);
  if (source == NULL)
    return NULL;

  return dup_url_setting (source->variable, source->default_url);
}

char *
exitbox_tool_parse_checksum_file (const char *text,
                                  const char *file_name)
{
  g_auto(GStrv) lines = NULL;
  g_autofree char *only_hash = NULL;
  guint hash_lines = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (file_name != NULL, NULL);

  /* "HEX", "HEX  NAME" or "HEX *NAME" (sha256sum's binary mode). */
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      gsize hash_length = strcspn (line, " \t");
      const char *name = "";

      if (*line == '\0' || *line == '#')
        continue;

      if (line[hash_length] != '\0')
        {
          line[hash_length] = '\0';
          name = line + hash_length + 1;
        }
      if (!exitbox_download_is_sha256_hex (line))
        continue;
      hash_lines++;

      while (*name == ' ' || *name == '\t')
        name++;
      if (*name == '*')
        name++;
      if (g_str_has_prefix (name, "./"))
        name += 2;

      if (*name == '\0')
        {
          g_free (only_hash);
          only_hash = g_ascii_strdown (line, -1);
        }
      else if (g_str_equal (name, file_name))
        return g_ascii_strdown (line, -1);
      else
        {
          g_autofree char *base = g_path_get_basename (name);

          if (g_str_equal (base, file_name))
            return g_ascii_strdown (line, -1);
        }
    }

  /* A bare hash counts only when it is all the file contains. */
  return hash_lines == 1 ? g_steal_pointer (&only_hash) : NULL;
}

/* A URL read from release metadata: https, or the origin of the metadata
 * itself, which only the loopback servers of the tests use with http.
 */
static gboolean
is_acceptable_download_url (const char *url,
                            const char *metadata_url)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  g_autoptr(GUri) metadata = g_uri_parse (metadata_url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_userinfo (uri) != NULL)
    return FALSE;
  if (g_str_equal (g_uri_get_scheme (uri), "https"))
    return TRUE;

  return metadata != NULL && g_strcmp0 (g_uri_get_scheme (uri), g_uri_get_scheme (metadata)) == 0
         && g_strcmp0 (g_uri_get_host (uri), g_uri_get_host (metadata)) == 0
         && g_uri_get_port (uri) == g_uri_get_port (metadata);
}

/* The last path segment of @url, if it is a safe file name. */
static char *
dup_url_file_name (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *name = NULL;

  if (uri == NULL)
    return NULL;

  name = g_path_get_basename (g_uri_get_path (uri));
  return exitbox_download_is_safe_path_component (name) ? g_steal_pointer (&name) : NULL;
}

typedef struct
{
  SoupSession        *session;
  char               *tool;
  const ToolSource   *source;
  ExitboxBaseFamily   family;
  char               *source_url;
  char               *version;
  char               *platform;
  char               *asset_url;
  char               *asset_name;
  char               *checksum_url;   /* NULL once sha256 is known */
  char               *sha256;
  char               *archive_member;
} ToolFetch;

static void
tool_fetch_free (ToolFetch *fetch)
{
  g_clear_object (&fetch->session);
  g_free (fetch->tool);
  g_free (fetch->source_url);
  g_free (fetch->version);
  g_free (fetch->platform);
  g_free (fetch->asset_url);
  g_free (fetch->asset_name);
  g_free (fetch->checksum_url);
  g_free (fetch->sha256);
  g_free (fetch->archive_member);
  g_free (fetch);
}

/* "amd64" or "arm64": the names Go, Kubernetes, Helm and OpenTofu use. */
static const char *
go_style_arch (void)
{
  return g_strcmp0 (exitbox_download_host_cpu (), "aarch64") == 0 ? "arm64" : "amd64";
}

static JsonNode *
parse_json (GBytes      *bytes,
            const char  *url,
            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize size;
  const char *text = g_bytes_get_data (bytes, &size);
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text != NULL ? text : "", size, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The release information %s is not valid JSON: %s"),
                   url, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The release information %s is not a JSON object."), url);
      return NULL;
    }

  return json_node_copy (root);
}

static gboolean
set_version (ToolFetch   *fetch,
             const char  *text,
             GError     **error)
{
  g_autofree char *version = g_strstrip (g_strdup (text != NULL ? text : ""));
  const char *plain = version;

  if (plain[0] == 'v' && g_ascii_isdigit (plain[1]))
    plain++;

  if (!exitbox_download_is_valid_version (plain))
    {
      g_autofree char *printable = g_strescape (version, NULL);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s returned “%.64s”, which is not a version number. Check %s if you "
                     "set it."),
                   fetch->source_url, printable, fetch->source->variable);
      return FALSE;
    }

  fetch->version = g_strdup (plain);
  return TRUE;
}

static JsonObject *
find_github_asset (JsonObject *release,
                   const char *name)
{
  JsonNode *assets = json_object_get_member (release, "assets");
  JsonArray *array;

  if (assets == NULL || !JSON_NODE_HOLDS_ARRAY (assets))
    return NULL;

  array = json_node_get_array (assets);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (element)
          && g_strcmp0 (exitbox_download_get_string_member (json_node_get_object (element), "name"),
                        name) == 0)
        return json_node_get_object (element);
    }

  return NULL;
}

static const char *
github_asset_url (JsonObject *asset)
{
  return asset != NULL ? exitbox_download_get_string_member (asset, "browser_download_url") : NULL;
}

/* golangci-lint, OpenTofu and Docker Compose: the asset and the release's
 * checksum file come from the metadata. Helm names only its version there.
 */
static gboolean
parse_github (ToolFetch   *fetch,
              JsonObject  *release,
              GError     **error)
{
  const char *cpu = exitbox_download_host_cpu ();
  const char *arch = go_style_arch ();
  const char *tool = fetch->tool;
  g_autofree char *checksum_name = NULL;
  g_autofree char *fallback_checksum_name = NULL;
  JsonObject *asset;
  JsonObject *checksum_asset;
  const char *digest;

  if (!set_version (fetch, exitbox_download_get_string_member (release, "tag_name"), error))
    return FALSE;

  if (g_str_equal (tool, "helm"))
    {
      g_autofree char *base = dup_url_setting ("EXITBOX_HELM_DOWNLOAD_URL",
                                               HELM_DEFAULT_DOWNLOAD_URL);

      fetch->asset_name = g_strdup_printf ("helm-v%s-linux-%s.tar.gz", fetch->version, arch);
      fetch->asset_url = g_strdup_printf ("%s/%s", base, fetch->asset_name);
      fetch->checksum_url = g_strconcat (fetch->asset_url, ".sha256sum", NULL);
      fetch->platform = g_strdup_printf ("linux-%s", arch);
      return TRUE;
    }

  if (g_str_equal (tool, "golangci-lint"))
    {
      fetch->asset_name = g_strdup_printf ("golangci-lint-%s-linux-%s.tar.gz", fetch->version, arch);
      checksum_name = g_strdup_printf ("golangci-lint-%s-checksums.txt", fetch->version);
      fetch->platform = g_strdup_printf ("linux-%s", arch);
    }
  else if (g_str_equal (tool, "opentofu"))
    {
      fetch->asset_name = g_strdup_printf ("tofu_%s_linux_%s.tar.gz", fetch->version, arch);
      checksum_name = g_strdup_printf ("tofu_%s_SHA256SUMS", fetch->version);
      fetch->platform = g_strdup_printf ("linux-%s", arch);
    }
  else
    {
      fetch->asset_name = g_strdup_printf ("docker-compose-linux-%s", cpu);
      checksum_name = g_strconcat (fetch->asset_name, ".sha256", NULL);
      fallback_checksum_name = g_strdup ("checksums.txt");
      fetch->platform = g_strdup_printf ("linux-%s", cpu);
    }

  asset = find_github_asset (release, fetch->asset_name);
  if (!is_acceptable_download_url (github_asset_url (asset), fetch->source_url))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The %s release %s (%s) has no HTTPS download %s for this computer."),
                   tool, fetch->version, fetch->source_url, fetch->asset_name);
      return FALSE;
    }
  fetch->asset_url = g_strdup (github_asset_url (asset));

  checksum_asset = find_github_asset (release, checksum_name);
  if (checksum_asset == NULL && fallback_checksum_name != NULL)
    checksum_asset = find_github_asset (release, fallback_checksum_name);
  if (is_acceptable_download_url (github_asset_url (checksum_asset), fetch->source_url))
    {
      fetch->checksum_url = g_strdup (github_asset_url (checksum_asset));
      return TRUE;
    }

  /* Without a checksum file, GitHub's own "sha256:HEX" digest of the asset
   * is the published checksum.
   */
  digest = exitbox_download_get_string_member (asset, "digest");
  if (digest != NULL && g_str_has_prefix (digest, "sha256:")
      && exitbox_download_is_sha256_hex (digest + strlen ("sha256:")))
    {
      fetch->sha256 = g_ascii_strdown (digest + strlen ("sha256:"), -1);
      return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("The %s release %s (%s) publishes neither a checksum file %s nor a "
                 "SHA-256 digest for %s, so ExitBox cannot verify the download and does "
                 "not install it. Try again when the release has one."),
               tool, fetch->version, fetch->source_url, checksum_name, fetch->asset_name);
  return FALSE;
}

static gboolean
parse_gradle (ToolFetch   *fetch,
              JsonObject  *current,
              GError     **error)
{
  const char *download_url = exitbox_download_get_string_member (current, "downloadUrl");
  const char *checksum_url = exitbox_download_get_string_member (current, "checksumUrl");

  if (!set_version (fetch, exitbox_download_get_string_member (current, "version"), error))
    return FALSE;

  if (!is_acceptable_download_url (download_url, fetch->source_url)
      || !g_str_has_suffix (download_url, "-bin.zip"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The Gradle release information %s has no valid HTTPS “downloadUrl” "
                     "of a -bin.zip distribution."),
                   fetch->source_url);
      return FALSE;
    }

  if (!is_acceptable_download_url (checksum_url, fetch->source_url))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The Gradle release information %s has no valid HTTPS “checksumUrl”, "
                     "so ExitBox cannot verify the download and does not install it."),
                   fetch->source_url);
      return FALSE;
    }

  fetch->asset_url = g_strdup (download_url);
  fetch->checksum_url = g_strdup (checksum_url);
  fetch->platform = g_strdup ("any");
  return TRUE;
}

static gboolean
parse_flutter (ToolFetch   *fetch,
               JsonObject  *list,
               GError     **error)
{
  const char *dart_arch = g_strcmp0 (exitbox_download_host_cpu (), "aarch64") == 0 ? "arm64" : "x64";
  const char *base_url = exitbox_download_get_string_member (list, "base_url");
  JsonNode *current = json_object_get_member (list, "current_release");
  JsonNode *releases = json_object_get_member (list, "releases");
  const char *stable = NULL;

  if (current != NULL && JSON_NODE_HOLDS_OBJECT (current))
    stable = exitbox_download_get_string_member (json_node_get_object (current), "stable");

  if (stable == NULL || base_url == NULL || releases == NULL || !JSON_NODE_HOLDS_ARRAY (releases))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The Flutter release list %s has no “base_url”, "
                     "“current_release.stable” or “releases”."),
                   fetch->source_url);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (releases)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (releases), i);
      JsonObject *release;
      const char *archive;
      const char *sha256;
      const char *arch;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      release = json_node_get_object (node);
      arch = exitbox_download_get_string_member (release, "dart_sdk_arch");
      if (g_strcmp0 (exitbox_download_get_string_member (release, "hash"), stable) != 0
          || g_strcmp0 (exitbox_download_get_string_member (release, "channel"), "stable") != 0
          || g_strcmp0 (arch != NULL ? arch : "x64", dart_arch) != 0)
        continue;

      archive = exitbox_download_get_string_member (release, "archive");
      sha256 = exitbox_download_get_string_member (release, "sha256");
      if (!set_version (fetch, exitbox_download_get_string_member (release, "version"), error))
        return FALSE;

      if (archive == NULL || strstr (archive, "..") != NULL || archive[0] == '/')
        break;
      fetch->asset_url = g_strdup_printf ("%s/%s", base_url, archive);
      if (!is_acceptable_download_url (fetch->asset_url, fetch->source_url))
        break;

      if (!exitbox_download_is_sha256_hex (sha256))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The Flutter release list %s publishes no valid SHA-256 for %s, so "
                         "ExitBox cannot verify it and does not install it."),
                       fetch->source_url, archive);
          return FALSE;
        }

      fetch->sha256 = g_ascii_strdown (sha256, -1);
      fetch->platform = g_strdup_printf ("linux-%s", dart_arch);
      return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("The Flutter release list %s has no valid stable Linux %s archive for the "
                 "current stable release %s."),
               fetch->source_url, dart_arch, stable);
  return FALSE;
}

/* The last lookup of each tool and platform, so a rebuild without network
 * reuses the verified file in the cache:
 * ~/.cache/exitbox/downloads/TOOL/last-release-FAMILY-CPU.json.
 */
static char *
dup_record_path (const char        *tool,
                 ExitboxBaseFamily  family)
{
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();
  g_autofree char *name = g_strdup_printf ("last-release-%s-%s.json",
                                           exitbox_base_family_to_string (family),
                                           exitbox_download_host_cpu ());

  return g_build_filename (cache_dir, "downloads", tool, name, NULL);
}

static void
store_release_record (const char                *tool,
                      ExitboxBaseFamily          family,
                      const ExitboxAgentRelease *release)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = dup_record_path (tool, family);
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, release->version);
  json_builder_set_member_name (builder, "platform");
  json_builder_add_string_value (builder, release->platform);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, release->url);
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, release->sha256);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  if (g_mkdir_with_parents (folder, 0700) != 0
      || !g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_warning ("Could not record the %s release in %s: %s", tool, path,
               error != NULL ? error->message : g_strerror (errno));
}

/* The recorded release when its verified file is still in the cache. The
 * download step hashes that file again before it is used.
 */
static ExitboxAgentRelease *
load_release_record (const char        *tool,
                     ExitboxBaseFamily  family)
{
  g_autofree char *path = dup_record_path (tool, family);
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();
  g_autofree char *file_name = NULL;
  g_autofree char *cached = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ExitboxAgentRelease) release = NULL;
  JsonNode *root;
  JsonObject *object;

  if (!json_parser_load_from_file (parser, path, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);

  release = g_new0 (ExitboxAgentRelease, 1);
  release->version = g_strdup (exitbox_download_get_string_member (object, "version"));
  release->platform = g_strdup (exitbox_download_get_string_member (object, "platform"));
  release->url = g_strdup (exitbox_download_get_string_member (object, "url"));
  release->sha256 = g_strdup (exitbox_download_get_string_member (object, "sha256"));
  if (release->url == NULL || !exitbox_download_is_sha256_hex (release->sha256)
      || !exitbox_download_is_safe_path_component (release->version)
      || !exitbox_download_is_safe_path_component (release->platform))
    return NULL;

  file_name = dup_url_file_name (release->url);
  if (file_name == NULL)
    return NULL;
  cached = g_build_filename (cache_dir, "downloads", tool, release->version, release->platform,
                             file_name, NULL);
  if (!g_file_test (cached, G_FILE_TEST_IS_REGULAR))
    return NULL;

  return g_steal_pointer (&release);
}

/* Returns the release on @task and takes @task. */
static void
return_release (GTask *task)
{
  ToolFetch *fetch = g_task_get_task_data (task);
  ExitboxAgentRelease *release = g_new0 (ExitboxAgentRelease, 1);

  release->version = g_strdup (fetch->version);
  release->platform = g_strdup (fetch->platform);
  release->url = g_strdup (fetch->asset_url);
  release->sha256 = g_strdup (fetch->sha256);
  release->archive_member = g_strdup (fetch->archive_member);

  store_release_record (fetch->tool, fetch->family, release);
  g_task_return_pointer (task, release, (GDestroyNotify) exitbox_agent_release_free);
  g_object_unref (task);
}

static void
checksum_file_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ToolFetch *fetch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  gsize size;
  const char *data;

  bytes = exitbox_download_get_bytes_finish (result, &error);
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("The checksum of %s %s could not be read, so ExitBox cannot "
                                  "verify the download and does not install it. "),
                        fetch->tool, fetch->version);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  text = g_strndup (data != NULL ? data : "", size);
  fetch->sha256 = exitbox_tool_parse_checksum_file (text, fetch->asset_name);
  if (fetch->sha256 == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The checksum file %s has no valid SHA-256 for %s, so ExitBox "
                                 "cannot verify the download and does not install it."),
                               fetch->checksum_url, fetch->asset_name);
      return;
    }

  return_release (g_steal_pointer (&task));
}

/* After the first response: the checksum file, if the sum is not known yet. */
static void
fetch_checksum (GTask *task)
{
  ToolFetch *fetch = g_task_get_task_data (task);

  if (fetch->asset_name == NULL)
    fetch->asset_name = dup_url_file_name (fetch->asset_url);
  if (fetch->asset_name == NULL || !exitbox_download_is_safe_path_component (fetch->platform))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The %s download %s has no usable file name."),
                               fetch->tool, fetch->asset_url);
      g_object_unref (task);
      return;
    }

  if (fetch->sha256 != NULL)
    {
      return_release (task);
      return;
    }

  exitbox_download_get_bytes_async (fetch->session, fetch->checksum_url,
                                    g_task_get_cancellable (task), checksum_file_cb, task);
}

/* Whether @error means the publisher could not be reached: a network
 * error, a timeout or HTTP 5xx.
 */
static gboolean
is_unreachable_error (const GError *error)
{
  return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
         && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA)
         && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
         && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
first_response_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ToolFetch *fetch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  gboolean parsed = FALSE;

  bytes = exitbox_download_get_bytes_finish (result, &error);
  if (bytes == NULL)
    {
      ExitboxAgentRelease *cached = NULL;

      if (is_unreachable_error (error))
        cached = load_release_record (fetch->tool, fetch->family);

      if (cached != NULL)
        {
          g_message ("Using the cached %s %s because its publisher could not be reached: %s",
                     fetch->tool, cached->version, error->message);
          g_task_return_pointer (task, cached, (GDestroyNotify) exitbox_agent_release_free);
          return;
        }

      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  switch (fetch->source->kind)
    {
    case SOURCE_KUBECTL:
      {
        gsize size;
        const char *data = g_bytes_get_data (bytes, &size);
        g_autofree char *text = g_strndup (data != NULL ? data : "", size);

        parsed = set_version (fetch, text, &error);
        if (parsed)
          {
            g_autofree char *base = g_path_get_dirname (fetch->source_url);

            fetch->platform = g_strdup_printf ("linux-%s", go_style_arch ());
            fetch->asset_url = g_strdup_printf ("%s/v%s/bin/linux/%s/kubectl", base,
                                                fetch->version, go_style_arch ());
            fetch->checksum_url = g_strconcat (fetch->asset_url, ".sha256", NULL);
          }
        break;
      }

    case SOURCE_GITHUB:
    case SOURCE_GRADLE:
    case SOURCE_FLUTTER:
      root = parse_json (bytes, fetch->source_url, &error);
      if (root == NULL)
        break;
      if (fetch->source->kind == SOURCE_GITHUB)
        parsed = parse_github (fetch, json_node_get_object (root), &error);
      else if (fetch->source->kind == SOURCE_GRADLE)
        parsed = parse_gradle (fetch, json_node_get_object (root), &error);
      else
        parsed = parse_flutter (fetch, json_node_get_object (root), &error);
      break;

    case SOURCE_RUSTUP:
    default:
      g_assert_not_reached ();
    }

  if (!parsed)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  fetch_checksum (g_steal_pointer (&task));
}

/* rustup-init has no version in its URL, so the checksum names the cache
 * folder: "sha256-" and the first 16 hex digits.
 */
static void
rustup_checksum_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ToolFetch *fetch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  gsize size;
  const char *data;

  bytes = exitbox_download_get_bytes_finish (result, &error);
  if (bytes == NULL)
    {
      ExitboxAgentRelease *cached = NULL;

      if (is_unreachable_error (error))
        cached = load_release_record (fetch->tool, fetch->family);
      if (cached != NULL)
        {
          g_message ("Using the cached rustup-init (%s) because its publisher could not be reached: %s",
                     cached->version, error->message);
          g_task_return_pointer (task, cached, (GDestroyNotify) exitbox_agent_release_free);
          return;
        }

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("The checksum of rustup-init could not be read, so ExitBox "
                                  "cannot verify the download and does not install it. "));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  text = g_strndup (data != NULL ? data : "", size);
  fetch->sha256 = exitbox_tool_parse_checksum_file (text, "rustup-init");
  if (fetch->sha256 == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The checksum file %s has no valid SHA-256 for rustup-init, so "
                                 "ExitBox cannot verify the download and does not install it."),
                               fetch->checksum_url);
      return;
    }

  fetch->version = g_strdup_printf ("sha256-%.16s", fetch->sha256);
  return_release (g_steal_pointer (&task));
}

void
exitbox_tool_release_fetch_other_async (const char          *tool,
                                        ExitboxBaseFamily    family,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ToolFetch *fetch;
  const char *cpu = exitbox_download_host_cpu ();

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, exitbox_tool_release_fetch_other_async);

  fetch = g_new0 (ToolFetch, 1);
  fetch->session = exitbox_download_create_session ();
  fetch->tool = g_strdup (tool);
  fetch->family = family;
  fetch->source = find_tool_source (tool);
  g_task_set_task_data (task, fetch, (GDestroyNotify) tool_fetch_free);

  if (fetch->source == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("ExitBox does not download the tool “%s”."), tool);
      return;
    }

  if (cpu == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("%s is downloaded only for x86_64 and aarch64 computers."),
                               tool);
      return;
    }

  if (!exitbox_tool_download_supports_family (tool, family))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("%s has no %s build: it is linked against glibc."),
                               tool, exitbox_base_family_to_string (family));
      return;
    }

  fetch->source_url = exitbox_tool_dup_source_url (tool);

  if (fetch->source->kind == SOURCE_RUSTUP)
    {
      g_autofree char *triple = g_strdup_printf ("%s-unknown-linux-%s", cpu,
                                                 family == EXITBOX_BASE_FAMILY_ALPINE
                                                 ? "musl" : "gnu");

      fetch->platform = g_strdup (triple);
      fetch->asset_url = g_strdup_printf ("%s/%s/rustup-init", fetch->source_url, triple);
      fetch->checksum_url = g_strconcat (fetch->asset_url, ".sha256", NULL);
      exitbox_download_get_bytes_async (fetch->session, fetch->checksum_url, cancellable,
                                        rustup_checksum_cb, g_steal_pointer (&task));
      return;
    }

  if (fetch->source->kind == SOURCE_KUBECTL)
    {
      g_autofree char *stable_url = g_strconcat (fetch->source_url, "/stable.txt", NULL);

      g_free (fetch->source_url);
      fetch->source_url = g_steal_pointer (&stable_url);
    }

  exitbox_download_get_bytes_async (fetch->session, fetch->source_url, cancellable,
                                    first_response_cb, g_steal_pointer (&task));
}

ExitboxAgentRelease *
exitbox_tool_release_fetch_other_finish (GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == exitbox_tool_release_fetch_other_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
