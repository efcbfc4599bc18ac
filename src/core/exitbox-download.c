/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "exitbox-download-private.h"
#include "exitbox-paths.h"

/* Seconds that a connection attempt or a read may stall before the request
 * fails. A large download that keeps receiving data is not cut off.
 */
#define HTTP_TIMEOUT_SECONDS 60
#define MAX_TIMEOUT_SECONDS 600
/* Attempts per request: a request that fails with a network error or
 * HTTP 5xx is sent once more, RETRY_DELAY_SECONDS after the failure.
 */
#define MAX_ATTEMPTS 2
#define RETRY_DELAY_SECONDS 1
#define DOWNLOAD_CHUNK_SIZE (64 * 1024)
#define MAX_VERSION_LENGTH 64
#define SHA256_HEX_LENGTH 64

void
exitbox_agent_release_free (ExitboxAgentRelease *release)
{
  if (release == NULL)
    return;

  g_free (release->version);
  g_free (release->platform);
  g_free (release->url);
  g_free (release->sha256);
  g_free (release->archive_member);
  g_free (release);
}

static ExitboxAgentRelease *
agent_release_copy (const ExitboxAgentRelease *release)
{
  ExitboxAgentRelease *copy = g_new0 (ExitboxAgentRelease, 1);

  copy->version = g_strdup (release->version);
  copy->platform = g_strdup (release->platform);
  copy->url = g_strdup (release->url);
  copy->sha256 = g_strdup (release->sha256);
  copy->archive_member = g_strdup (release->archive_member);

  return copy;
}

const char *
exitbox_claude_platform (ExitboxBaseFamily family)
{
  struct utsname host;
  gboolean musl = family == EXITBOX_BASE_FAMILY_ALPINE;

  /* Containers run with the host's CPU architecture, so the host decides. */
  if (uname (&host) != 0)
    return NULL;

  if (g_str_equal (host.machine, "x86_64") || g_str_equal (host.machine, "amd64"))
    return musl ? "linux-x64-musl" : "linux-x64";
  if (g_str_equal (host.machine, "aarch64") || g_str_equal (host.machine, "arm64"))
    return musl ? "linux-arm64-musl" : "linux-arm64";

  return NULL;
}

char *
exitbox_claude_dup_dist_url (void)
{
  const char *value = g_getenv ("EXITBOX_CLAUDE_DIST_URL");
  g_autofree char *url = NULL;
  gsize length;

  url = g_strstrip (g_strdup (value != NULL ? value : ""));
  length = strlen (url);
  while (length > 0 && url[length - 1] == '/')
    url[--length] = '\0';

  if (length == 0)
    return g_strdup (EXITBOX_CLAUDE_DEFAULT_DIST_URL);

  return g_steal_pointer (&url);
}

/* A version goes into URLs and cache paths, so it must look like one:
 * "2.0.14", "1.0.0-beta.3", "1.2+build5". Leading digit, no '/'.
 */
static gboolean
is_valid_version (const char *version)
{
  gsize length = strlen (version);

  if (length == 0 || length > MAX_VERSION_LENGTH || !g_ascii_isdigit (version[0]))
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isalnum (version[i]) && strchr (".-+", version[i]) == NULL)
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_sha256_hex (const char *text)
{
  if (text == NULL || strlen (text) != SHA256_HEX_LENGTH)
    return FALSE;

  for (gsize i = 0; i < SHA256_HEX_LENGTH; i++)
    {
      if (!g_ascii_isxdigit (text[i]))
        return FALSE;
    }

  return TRUE;
}

/* A file or folder name made from downloaded data: no separators, no "." or
 * "..", so it cannot leave the cache folder.
 */
static gboolean
is_safe_path_component (const char *name)
{
  if (name == NULL || *name == '\0' || g_str_equal (name, ".") || g_str_equal (name, ".."))
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr ("._-+", *p) == NULL)
        return FALSE;
    }

  return TRUE;
}

/* EXITBOX_DOWNLOAD_TIMEOUT (whole seconds, 1 to 600) overrides the default,
 * so that tests of a stalled server finish quickly.
 */
static guint
get_timeout_seconds (void)
{
  const char *value = g_getenv ("EXITBOX_DOWNLOAD_TIMEOUT");
  guint64 seconds;

  if (value == NULL || *value == '\0')
    return HTTP_TIMEOUT_SECONDS;

  if (!g_ascii_string_to_unsigned (value, 10, 1, MAX_TIMEOUT_SECONDS, &seconds, NULL))
    {
      g_warning ("Ignoring EXITBOX_DOWNLOAD_TIMEOUT=%s: it must be a number of seconds "
                 "from 1 to %d", value, MAX_TIMEOUT_SECONDS);
      return HTTP_TIMEOUT_SECONDS;
    }

  return (guint) seconds;
}

static SoupSession *
create_session (void)
{
  guint timeout = get_timeout_seconds ();

  return soup_session_new_with_options ("timeout", timeout,
                                        "idle-timeout", timeout,
                                        "user-agent", "ExitBox/" PACKAGE_VERSION " ",
                                        NULL);
}

/* Whether a failed request may succeed when sent again: a network error
 * or timeout, or HTTP 5xx. A 404, bad data and a cancellation are final.
 */
static gboolean
is_transient_failure (const GError *error,
                      SoupMessage  *message)
{
  guint status = message != NULL ? soup_message_get_status (message) : 0;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;

  /* Status 0: no response arrived, because the connection failed or timed out. */
  return status == 0 || SOUP_STATUS_IS_SERVER_ERROR (status);
}

static SoupMessage *
create_get_message (const char  *url,
                    GError     **error)
{
  SoupMessage *message = soup_message_new (SOUP_METHOD_GET, url);

  if (message == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("The download URL “%s” is invalid. Check the EXITBOX_*_URL variable "
                   "for this download if you set one."),
                 url);

  return message;
}

/* Turns a finished response into an error unless its status is 2xx. */
static gboolean
check_http_status (SoupMessage  *message,
                   const char   *url,
                   GError      **error)
{
  guint status = soup_message_get_status (message);

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    return TRUE;

  if (status == SOUP_STATUS_NOT_FOUND)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _("Downloading %s failed: the server returned HTTP %u %s. "
                   "If you set an EXITBOX_*_URL variable for this download, check it; "
                   "otherwise the publisher may have moved its releases and ExitBox "
                   "needs an update."),
                 url, status, soup_message_get_reason_phrase (message));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _("Downloading %s failed: the server returned HTTP %u %s. "
                   "Try again later."),
                 url, status, soup_message_get_reason_phrase (message));
  return FALSE;
}

static void
prefix_network_error (GError     **error,
                      const char  *url)
{
  if (*error != NULL && !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_prefix_error (error, _("Downloading %s failed: "), url);
}

/* Returns FALSE with an error that names @url when sending @message failed,
 * which the caller reports as @sent FALSE with @error set, or when the
 * response status is not 2xx.
 */
static gboolean
check_response (gboolean      sent,
                SoupMessage  *message,
                const char   *url,
                GError      **error)
{
  if (!sent)
    {
      prefix_network_error (error, url);
      return FALSE;
    }

  return check_http_status (message, url, error);
}

/* GET of a small text resource: the latest version or a manifest. */

typedef struct
{
  SoupSession *session;
  SoupMessage *message;
  char        *url;
  guint        attempt;
} GetData;

static void
get_data_free (GetData *data)
{
  g_clear_object (&data->session);
  g_clear_object (&data->message);
  g_free (data->url);
  g_free (data);
}

static void get_bytes_send (GTask *task);

static gboolean
get_bytes_retry_cb (gpointer user_data)
{
  get_bytes_send (user_data);
  return G_SOURCE_REMOVE;
}

static void
get_bytes_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GetData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (check_response (bytes != NULL, data->message, data->url, &error))
    {
      g_task_return_pointer (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
      return;
    }

  if (data->attempt < MAX_ATTEMPTS && is_transient_failure (error, data->message))
    {
      g_debug ("Retrying %s in %d s after: %s", data->url, RETRY_DELAY_SECONDS, error->message);
      g_timeout_add_seconds (RETRY_DELAY_SECONDS, get_bytes_retry_cb, g_steal_pointer (&task));
      return;
    }

  g_task_return_error (task, g_steal_pointer (&error));
}

static void
get_bytes_send (GTask *task)
{
  GetData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  g_clear_object (&data->message);
  data->message = create_get_message (data->url, &error);
  if (data->message == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  data->attempt++;
  g_debug ("GET %s (attempt %u)", data->url, data->attempt);
  soup_session_send_and_read_async (data->session, data->message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), get_bytes_cb, task);
}

/* Takes its own reference on @session, so the caller may drop its own. */
static void
get_bytes_async (SoupSession         *session,
                 const char          *url,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task;
  GetData *data;

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, get_bytes_async);

  data = g_new0 (GetData, 1);
  data->session = g_object_ref (session);
  data->url = g_strdup (url);
  g_task_set_task_data (task, data, (GDestroyNotify) get_data_free);

  get_bytes_send (task);
}

static GBytes *
get_bytes_finish (GAsyncResult  *result,
                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Release lookup: BASE/latest, then BASE/VERSION/manifest.json. */

typedef struct
{
  SoupSession *session;
  char        *base_url;
  const char  *platform;
  char        *version;
  char        *manifest_url;
  char        *pinned_version;   /* NULL: look up BASE/latest */
  char        *configured_url;   /* the bucket before any rediscovery */
  char        *first_failure;    /* why the configured bucket failed */
  int          first_code;       /* its G_IO_ERROR code */
  gboolean     rediscovered;     /* base_url comes from the install script */
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_clear_object (&data->session);
  g_free (data->base_url);
  g_free (data->version);
  g_free (data->manifest_url);
  g_free (data->pinned_version);
  g_free (data->configured_url);
  g_free (data->first_failure);
  g_free (data);
}

static void claude_fetch_failed (GTask  *task,
                                 GError *error);
static void claude_fetch_lookup (GTask *task);
static void store_discovered_url (const char *configured_url,
                                  const char *discovered_url);

static char *
parse_manifest_checksum (GBytes      *bytes,
                         const char  *manifest_url,
                         const char  *platform,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *platforms = NULL;
  JsonObject *entry = NULL;
  const char *checksum = NULL;
  gsize size;
  const char *text = g_bytes_get_data (bytes, &size);

  if (!json_parser_load_from_data (parser, text != NULL ? text : "", size, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The release manifest %s is not valid JSON: %s"),
                   manifest_url, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonNode *node = json_object_get_member (object, "platforms");

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        platforms = json_node_get_object (node);
    }

  if (platforms != NULL)
    {
      JsonNode *node = json_object_get_member (platforms, platform);

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        entry = json_node_get_object (node);
    }

  if (entry != NULL)
    {
      JsonNode *node = json_object_get_member (entry, "checksum");

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
          && json_node_get_value_type (node) == G_TYPE_STRING)
        checksum = json_node_get_string (node);
    }

  if (!is_sha256_hex (checksum))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The release manifest %s has no valid SHA-256 checksum for the "
                     "platform %s, so the download cannot be verified. This release "
                     "may not support the platform: try again when a newer one is "
                     "published."),
                   manifest_url, platform);
      return NULL;
    }

  return g_ascii_strdown (checksum, -1);
}

static void
fetch_manifest_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *checksum = NULL;

  bytes = get_bytes_finish (result, &error);
  if (bytes == NULL)
    {
      claude_fetch_failed (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  checksum = parse_manifest_checksum (bytes, data->manifest_url, data->platform, &error);
  if (checksum == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (data->rediscovered)
    store_discovered_url (data->configured_url, data->base_url);

  release = g_new0 (ExitboxAgentRelease, 1);
  release->version = g_strdup (data->version);
  release->platform = g_strdup (data->platform);
  release->url = g_strdup_printf ("%s/%s/%s/claude", data->base_url, data->version, data->platform);
  release->sha256 = g_steal_pointer (&checksum);

  g_task_return_pointer (task, g_steal_pointer (&release),
                         (GDestroyNotify) exitbox_agent_release_free);
}

static void
fetch_latest_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *latest_url = NULL;
  g_autofree char *version = NULL;
  GCancellable *cancellable;
  gsize size;
  const char *text;

  bytes = get_bytes_finish (result, &error);
  if (bytes == NULL)
    {
      claude_fetch_failed (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  latest_url = g_strconcat (data->base_url, "/latest", NULL);
  text = g_bytes_get_data (bytes, &size);
  version = g_strstrip (size > 0 ? g_strndup (text, size) : g_strdup (""));

  if (!is_valid_version (version))
    {
      g_autofree char *escaped = g_strescape (version, NULL);
      g_autofree char *printable = NULL;

      /* g_strescape() leaves only ASCII, so the cut cannot split a character. */
      if (strlen (escaped) > MAX_VERSION_LENGTH)
        printable = g_strdup_printf ("%.*s…", MAX_VERSION_LENGTH, escaped);
      else
        printable = g_steal_pointer (&escaped);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("%s returned “%s”, which is not a version number. "
                                 "Check that EXITBOX_CLAUDE_DIST_URL points at the "
                                 "Claude Code release bucket."),
                               latest_url, printable);
      return;
    }

  g_free (data->version);
  g_free (data->manifest_url);
  data->version = g_steal_pointer (&version);
  data->manifest_url = g_strdup_printf ("%s/%s/manifest.json", data->base_url, data->version);

  cancellable = g_task_get_cancellable (task);
  get_bytes_async (data->session, data->manifest_url, cancellable,
                   fetch_manifest_cb, g_steal_pointer (&task));
}

/* "v1.2.3" is written for "1.2.3" in pins, so the "v" goes. */
static const char *
skip_version_prefix (const char *version)
{
  if (version[0] == 'v' && g_ascii_isdigit (version[1]))
    return version + 1;

  return version;
}

/* Bucket rediscovery: when the release bucket stops responding, the official
 * install script names the current one in a shell variable such as
 * GCS_BUCKET="https://storage.googleapis.com/…/claude-code-releases".
 */

char *
exitbox_claude_dup_install_script_url (void)
{
  const char *value = g_getenv ("EXITBOX_CLAUDE_INSTALL_SCRIPT_URL");

  if (value != NULL && *value != '\0')
    return g_strstrip (g_strdup (value));

  return g_strdup (EXITBOX_CLAUDE_DEFAULT_INSTALL_SCRIPT_URL);
}

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
exitbox_claude_is_valid_dist_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *path;
  const char *after_scheme;

  if (url == NULL || strlen (url) > 2048)
    return FALSE;

  for (const char *p = url; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr ("-._~:/", *p) == NULL)
        return FALSE;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL
      || g_uri_get_fragment (uri) != NULL)
    return FALSE;

  /* Plain HTTP only for the loopback servers of the tests. */
  scheme = g_uri_get_scheme (uri);
  if (g_strcmp0 (scheme, "https") != 0
      && !(g_strcmp0 (scheme, "http") == 0 && is_loopback_host (g_uri_get_host (uri))))
    return FALSE;

  /* The text is checked too, because g_uri_parse() removes ".." segments.
   * The bucket may be a host's root ("https://downloads.example.com").
   */
  after_scheme = strstr (url, "://");
  if (after_scheme == NULL)
    return FALSE;
  after_scheme += strlen ("://");
  if (strstr (after_scheme, "/..") != NULL || strstr (after_scheme, "//") != NULL)
    return FALSE;

  path = g_uri_get_path (uri);
  return path == NULL || *path == '\0' || path[0] == '/';
}

char *
exitbox_claude_parse_install_script (const char *script)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;

  g_return_val_if_fail (script != NULL, NULL);

  /* A whole line: optional "export", a variable whose name contains
   * BUCKET, and one URL, bare or in matching quotes.
   */
  regex = g_regex_new ("^[ \\t]*(?:export[ \\t]+)?[A-Z_]*BUCKET[A-Z_]*="
                       "(\"|'|)([^\"'\\s$`]+)\\1[ \\t]*;?[ \\t]*$",
                       G_REGEX_MULTILINE, 0, NULL);
  g_assert (regex != NULL);

  for (g_regex_match (regex, script, 0, &match);
       g_match_info_matches (match);
       g_match_info_next (match, NULL))
    {
      g_autofree char *url = g_match_info_fetch (match, 2);
      gsize length = strlen (url);

      while (length > 0 && url[length - 1] == '/')
        url[--length] = '\0';

      if (exitbox_claude_is_valid_dist_url (url))
        return g_steal_pointer (&url);
    }

  return NULL;
}

/* ~/.cache/exitbox/downloads/claude/discovered-dist-url contains two lines:
 * the configured bucket that failed and the bucket that replaced it.
 */
static char *
dup_discovered_url_path (void)
{
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();

  return g_build_filename (cache_dir, "downloads", "claude", "discovered-dist-url", NULL);
}

static char *
dup_cached_discovered_url (const char *configured_url)
{
  g_autofree char *path = dup_discovered_url_path ();
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  if (g_strv_length (lines) < 2 || g_strcmp0 (lines[0], configured_url) != 0
      || !exitbox_claude_is_valid_dist_url (lines[1]))
    return NULL;

  return g_strdup (lines[1]);
}

static void
store_discovered_url (const char *configured_url,
                      const char *discovered_url)
{
  g_autofree char *path = dup_discovered_url_path ();
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *contents = g_strdup_printf ("%s\n%s\n", configured_url, discovered_url);
  g_autoptr(GError) error = NULL;

  if (g_mkdir_with_parents (folder, 0700) != 0
      || !g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                    0600, &error))
    g_warning ("Could not remember the Claude Code release bucket %s in %s: %s",
               discovered_url, path, error != NULL ? error->message : g_strerror (errno));
}

static void
claude_fetch_script_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *script_url = exitbox_claude_dup_install_script_url ();
  g_autofree char *script = NULL;
  g_autofree char *discovered = NULL;
  gsize size;
  const char *text;

  bytes = get_bytes_finish (result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, G_IO_ERROR, data->first_code,
                                 _("The Claude Code release bucket %s failed (%s), and its "
                                   "install script %s could not be read to find the current "
                                   "bucket: %s Try again later, or set "
                                   "EXITBOX_CLAUDE_DIST_URL to the current bucket."),
                                 data->configured_url, data->first_failure, script_url,
                                 error->message);
      return;
    }

  text = g_bytes_get_data (bytes, &size);
  script = g_strndup (text != NULL ? text : "", size);
  discovered = exitbox_claude_parse_install_script (script);
  if (discovered == NULL || g_str_equal (discovered, data->configured_url))
    {
      g_task_return_new_error (task, G_IO_ERROR, data->first_code,
                               _("The Claude Code release bucket %s failed (%s), and the "
                                 "install script %s names no other valid HTTPS bucket URL. "
                                 "Try again later, or set EXITBOX_CLAUDE_DIST_URL to the "
                                 "current bucket."),
                               data->configured_url, data->first_failure, script_url);
      return;
    }

  g_message ("The Claude Code release bucket %s failed (%s); retrying with %s from %s",
             data->configured_url, data->first_failure, discovered, script_url);
  g_free (data->base_url);
  data->base_url = g_steal_pointer (&discovered);
  data->rediscovered = TRUE;
  claude_fetch_lookup (g_steal_pointer (&task));
}

/* Takes @task and @error. When the bucket cannot be reached or responds
 * with 404 or 5xx, the install script is read once for the current bucket.
 */
static void
claude_fetch_failed (GTask  *task,
                     GError *error)
{
  FetchData *data = g_task_get_task_data (task);
  g_autofree char *script_url = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (data->rediscovered)
    {
      g_task_return_new_error (task, G_IO_ERROR,
                               error->domain == G_IO_ERROR ? error->code : G_IO_ERROR_FAILED,
                               _("Both Claude Code release buckets failed: %s (%s) and %s, "
                                 "named by the install script (%s). Try again later."),
                               data->configured_url, data->first_failure, data->base_url,
                               error->message);
      g_error_free (error);
      g_object_unref (task);
      return;
    }

  g_free (data->first_failure);
  data->first_failure = g_strdup (error->message);
  data->first_code = error->domain == G_IO_ERROR ? error->code : G_IO_ERROR_FAILED;
  g_error_free (error);

  /* A remembered bucket that failed too is forgotten: the script decides. */
  if (!g_str_equal (data->base_url, data->configured_url))
    {
      g_autofree char *path = dup_discovered_url_path ();

      g_unlink (path);
    }

  script_url = exitbox_claude_dup_install_script_url ();
  g_debug ("Looking up the Claude Code release bucket in %s", script_url);
  get_bytes_async (data->session, script_url, g_task_get_cancellable (task),
                   claude_fetch_script_cb, task);
}

static void
claude_fetch_lookup (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autofree char *latest_url = NULL;

  /* A pinned version skips the lookup of the latest one. */
  if (data->pinned_version != NULL)
    {
      g_free (data->version);
      g_free (data->manifest_url);
      data->version = g_strdup (data->pinned_version);
      data->manifest_url = g_strdup_printf ("%s/%s/manifest.json", data->base_url, data->version);
      get_bytes_async (data->session, data->manifest_url, cancellable, fetch_manifest_cb, task);
      return;
    }

  latest_url = g_strconcat (data->base_url, "/latest", NULL);
  get_bytes_async (data->session, latest_url, cancellable, fetch_latest_cb, task);
}

static void
start_claude_fetch (ExitboxBaseFamily    family,
                    const char          *version,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FetchData *data;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, exitbox_claude_release_fetch_async);

  data = g_new0 (FetchData, 1);
  data->session = create_session ();
  data->configured_url = exitbox_claude_dup_dist_url ();
  data->base_url = dup_cached_discovered_url (data->configured_url);
  if (data->base_url == NULL)
    data->base_url = g_strdup (data->configured_url);
  data->platform = exitbox_claude_platform (family);
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);

  if (data->platform == NULL)
    {
      struct utsname host;

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Claude Code is not published for this computer's CPU "
                                 "architecture (%s); it needs x86_64 or aarch64."),
                               uname (&host) == 0 ? host.machine : "unknown");
      return;
    }

  if (version != NULL)
    {
      version = skip_version_prefix (version);
      if (!is_valid_version (version))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   _("The pinned version “%s” is not a version number such as "
                                     "2.0.14. Fix agents.claude.version in config.yaml."),
                                   version);
          return;
        }
      data->pinned_version = g_strdup (version);
    }

  claude_fetch_lookup (g_steal_pointer (&task));
}

void
exitbox_claude_release_fetch_async (ExitboxBaseFamily    family,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  start_claude_fetch (family, NULL, cancellable, callback, user_data);
}

void
exitbox_claude_release_fetch_version_async (ExitboxBaseFamily    family,
                                            const char          *version,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_return_if_fail (version != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  start_claude_fetch (family, version, cancellable, callback, user_data);
}

ExitboxAgentRelease *
exitbox_claude_release_fetch_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == exitbox_claude_release_fetch_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* GitHub release metadata of Codex and OpenCode. */

/* "x86_64" or "aarch64" for this computer, or NULL. */
static const char *
host_cpu (void)
{
  struct utsname host;

  if (uname (&host) != 0)
    return NULL;
  if (g_str_equal (host.machine, "x86_64") || g_str_equal (host.machine, "amd64"))
    return "x86_64";
  if (g_str_equal (host.machine, "aarch64") || g_str_equal (host.machine, "arm64"))
    return "aarch64";

  return NULL;
}

char *
exitbox_github_release_dup_url (const char *agent_id)
{
  const char *variable;
  const char *fallback;
  const char *value;

  g_return_val_if_fail (agent_id != NULL, NULL);

  if (g_str_equal (agent_id, "codex"))
    {
      variable = "EXITBOX_CODEX_RELEASE_URL";
      fallback = EXITBOX_CODEX_DEFAULT_RELEASE_URL;
    }
  else if (g_str_equal (agent_id, "opencode"))
    {
      variable = "EXITBOX_OPENCODE_RELEASE_URL";
      fallback = EXITBOX_OPENCODE_DEFAULT_RELEASE_URL;
    }
  else if (g_str_equal (agent_id, "golangci-lint"))
    {
      variable = "EXITBOX_GOLANGCI_LINT_RELEASE_URL";
      fallback = EXITBOX_GOLANGCI_LINT_DEFAULT_RELEASE_URL;
    }
  else
    return NULL;

  value = g_getenv (variable);
  if (value != NULL && *value != '\0')
    return g_strstrip (g_strdup (value));

  return g_strdup (fallback);
}

/* Codex uses its musl build on both families, as the original ExitBox did
 * on Alpine. OpenCode publishes a glibc and a musl build. NOTE: only stub
 * binaries were run here; the core build's --version step fails loudly if a
 * real build does not run on the base.
 */
char *
exitbox_github_asset_name (const char        *agent_id,
                           ExitboxBaseFamily  family)
{
  const char *cpu = host_cpu ();

  g_return_val_if_fail (agent_id != NULL, NULL);

  if (cpu == NULL)
    return NULL;

  if (g_str_equal (agent_id, "codex"))
    return g_strdup_printf ("codex-%s-unknown-linux-musl.tar.gz", cpu);

  if (g_str_equal (agent_id, "opencode"))
    return g_strdup_printf ("opencode-linux-%s%s.tar.gz",
                            g_str_equal (cpu, "x86_64") ? "x64" : "arm64",
                            family == EXITBOX_BASE_FAMILY_ALPINE ? "-musl" : "");

  return NULL;
}

typedef struct
{
  SoupSession *session;
  char        *agent_id;
  char        *metadata_url;
  char        *asset_name;
  gboolean     allow_unverified;
} GithubFetchData;

static void
github_fetch_data_free (GithubFetchData *data)
{
  g_clear_object (&data->session);
  g_free (data->agent_id);
  g_free (data->metadata_url);
  g_free (data->asset_name);
  g_free (data);
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* The tag without the prefix its project puts before the version: Codex
 * tags read "rust-v0.46.0", OpenCode tags "v0.15.3".
 */
static char *
dup_version_from_tag (const char *tag)
{
  const char * const prefixes[] = { "rust-v", "v", NULL };

  for (guint i = 0; prefixes[i] != NULL; i++)
    {
      if (g_str_has_prefix (tag, prefixes[i]) && g_ascii_isdigit (tag[strlen (prefixes[i])]))
        return g_strdup (tag + strlen (prefixes[i]));
    }

  return g_strdup (tag);
}

static ExitboxAgentRelease *
parse_github_release (GBytes           *bytes,
                      GithubFetchData  *data,
                      GError          **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ExitboxAgentRelease) release = NULL;
  g_autofree char *version = NULL;
  JsonObject *root_object;
  JsonObject *asset = NULL;
  JsonNode *root;
  JsonNode *assets;
  const char *tag;
  const char *url;
  const char *digest;
  gsize size;
  const char *text = g_bytes_get_data (bytes, &size);

  if (!json_parser_load_from_data (parser, text != NULL ? text : "", size, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The release metadata %s is not valid JSON: %s"),
                   data->metadata_url, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  root_object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  tag = root_object != NULL ? get_string_member (root_object, "tag_name") : NULL;
  version = tag != NULL ? dup_version_from_tag (tag) : NULL;
  if (version == NULL || !is_valid_version (version))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The release metadata %s has no valid “tag_name” with a version "
                     "number. Check the release URL if you set one."),
                   data->metadata_url);
      return NULL;
    }

  /* golangci-lint names its assets after the version. */
  if (data->asset_name == NULL && g_str_equal (data->agent_id, "golangci-lint"))
    data->asset_name = g_strdup_printf ("golangci-lint-%s-linux-%s.tar.gz", version,
                                        g_strcmp0 (host_cpu (), "aarch64") == 0 ? "arm64" : "amd64");

  assets = json_object_get_member (root_object, "assets");
  for (guint i = 0; assets != NULL && JSON_NODE_HOLDS_ARRAY (assets) &&
                    i < json_array_get_length (json_node_get_array (assets)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (assets), i);

      if (JSON_NODE_HOLDS_OBJECT (element) &&
          g_strcmp0 (get_string_member (json_node_get_object (element), "name"),
                     data->asset_name) == 0)
        asset = json_node_get_object (element);
    }

  url = asset != NULL ? get_string_member (asset, "browser_download_url") : NULL;
  if (url == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The release %s (%s) has no download %s for this computer, so it "
                     "cannot be installed here."),
                   tag, data->metadata_url, data->asset_name);
      return NULL;
    }

  /* GitHub publishes "sha256:HEX" for every asset of newer releases. */
  digest = get_string_member (asset, "digest");
  if (digest != NULL && (!g_str_has_prefix (digest, "sha256:") ||
                         !is_sha256_hex (digest + strlen ("sha256:"))))
    digest = NULL;

  if (digest == NULL && data->allow_unverified)
    g_warning ("The release metadata %s publishes no SHA-256 digest for %s; installing it "
               "unverified because that was allowed", data->metadata_url, data->asset_name);
  else if (digest == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The release metadata %s publishes no SHA-256 digest for %s, so "
                     "ExitBox cannot verify the download and does not install it. Try "
                     "again when the release has one."),
                   data->metadata_url, data->asset_name);
      return NULL;
    }

  release = g_new0 (ExitboxAgentRelease, 1);
  release->version = g_steal_pointer (&version);
  /* The cache folder is named after the asset, without its extension. */
  release->platform = g_strndup (data->asset_name, strlen (data->asset_name) - strlen (".tar.gz"));
  release->url = g_strdup (url);
  release->sha256 = digest != NULL ? g_ascii_strdown (digest + strlen ("sha256:"), -1) : NULL;
  if (g_str_equal (data->agent_id, "codex"))
    release->archive_member = g_strdup (release->platform);
  else
    release->archive_member = g_strdup (data->agent_id);

  return g_steal_pointer (&release);
}

static void
github_fetch_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GithubFetchData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  ExitboxAgentRelease *release;

  bytes = get_bytes_finish (result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  release = parse_github_release (bytes, data, &error);
  if (release == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, release, (GDestroyNotify) exitbox_agent_release_free);
}

void
exitbox_github_release_fetch_async (const char          *agent_id,
                                    ExitboxBaseFamily    family,
                                    const char          *version,
                                    gboolean             allow_unverified,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GithubFetchData *data;

  g_return_if_fail (agent_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, exitbox_github_release_fetch_async);

  data = g_new0 (GithubFetchData, 1);
  data->session = create_session ();
  data->agent_id = g_strdup (agent_id);
  data->metadata_url = exitbox_github_release_dup_url (agent_id);
  data->asset_name = exitbox_github_asset_name (agent_id, family);
  data->allow_unverified = allow_unverified;
  g_task_set_task_data (task, data, (GDestroyNotify) github_fetch_data_free);

  if (data->metadata_url == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("%s is not installed from GitHub release metadata."), agent_id);
      return;
    }

  if (data->asset_name == NULL &&
      !(g_str_equal (agent_id, "golangci-lint") && host_cpu () != NULL))
    {
      struct utsname host;

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("%s is not published for this computer's CPU architecture "
                                 "(%s); it needs x86_64 or aarch64."),
                               agent_id, uname (&host) == 0 ? host.machine : "unknown");
      return;
    }

  /* A pinned version reads releases/tags/TAG next to releases/latest. */
  if (version != NULL)
    {
      g_autofree char *tagged_url = NULL;

      version = skip_version_prefix (version);
      if (!is_valid_version (version) || !g_str_has_suffix (data->metadata_url, "/latest"))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   _("Cannot install the pinned version “%s” of %s: it must "
                                     "be a version number such as 1.2.3, and the release URL "
                                     "%s must end in /latest. Fix agents.%s.version in "
                                     "config.yaml."),
                                   version, agent_id, data->metadata_url, agent_id);
          return;
        }

      tagged_url = g_strdup_printf ("%.*s/tags/%s%s",
                                    (int) (strlen (data->metadata_url) - strlen ("/latest")),
                                    data->metadata_url,
                                    g_str_equal (agent_id, "codex") ? "rust-v" : "v", version);
      g_free (data->metadata_url);
      data->metadata_url = g_steal_pointer (&tagged_url);
    }

  get_bytes_async (data->session, data->metadata_url, cancellable,
                   github_fetch_cb, g_steal_pointer (&task));
}

ExitboxAgentRelease *
exitbox_github_release_fetch_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == exitbox_github_release_fetch_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Profile tools: the Go toolchain from Go's release list. */

gboolean
exitbox_tool_download_is_supported (const char *tool)
{
  const char * const supported[] = {
    "go", "golangci-lint", "kubectl", "helm", "opentofu", "docker-compose", "gradle",
    "rustup", "flutter", NULL
  };

  return tool != NULL && g_strv_contains (supported, tool);
}

gboolean
exitbox_tool_download_supports_family (const char        *tool,
                                       ExitboxBaseFamily  family)
{
  if (!exitbox_tool_download_is_supported (tool))
    return FALSE;

  /* Flutter publishes only a glibc build, and its Dart SDK does not run on
   * musl without a compatibility layer.
   */
  return !(g_str_equal (tool, "flutter") && family == EXITBOX_BASE_FAMILY_ALPINE);
}

/* The other tools are looked up in exitbox-tool-download.c. */
static void
tool_other_fetch_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  ExitboxAgentRelease *release;

  release = exitbox_tool_release_fetch_other_finish (result, &error);
  if (release == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, release, (GDestroyNotify) exitbox_agent_release_free);
}

typedef struct
{
  SoupSession *session;
  char        *list_url;
} ToolFetchData;

static void
tool_fetch_data_free (ToolFetchData *data)
{
  g_clear_object (&data->session);
  g_free (data->list_url);
  g_free (data);
}

/* The folder of @url without query or fragment, ending in "/":
 * "https://go.dev/dl/?mode=json" gives "https://go.dev/dl/".
 */
static char *
dup_url_folder (const char *url)
{
  gsize length = strcspn (url, "?#");

  while (length > 0 && url[length - 1] != '/')
    length--;

  return g_strndup (url, length);
}

/* Go's list is newest first: [{"version": "go1.23.4", "stable": true,
 * "files": [{"filename", "os", "arch", "sha256", "kind"}]}].
 */
static ExitboxAgentRelease *
parse_go_releases (GBytes         *bytes,
                   ToolFetchData  *data,
                   GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  const char *go_arch = g_strcmp0 (host_cpu (), "aarch64") == 0 ? "arm64" : "amd64";
  JsonNode *root;
  gsize size;
  const char *text = g_bytes_get_data (bytes, &size);

  if (host_cpu () == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Go is downloaded only for x86_64 and aarch64 computers."));
      return NULL;
    }

  if (!json_parser_load_from_data (parser, text != NULL ? text : "", size, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The Go release list %s is not valid JSON: %s"),
                   data->list_url, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  for (guint i = 0; root != NULL && JSON_NODE_HOLDS_ARRAY (root) &&
                    i < json_array_get_length (json_node_get_array (root)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (root), i);
      JsonObject *entry;
      JsonNode *stable;
      JsonNode *files;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      entry = json_node_get_object (element);
      stable = json_object_get_member (entry, "stable");
      files = json_object_get_member (entry, "files");
      if (stable == NULL || json_node_get_value_type (stable) != G_TYPE_BOOLEAN ||
          !json_node_get_boolean (stable) || files == NULL || !JSON_NODE_HOLDS_ARRAY (files))
        continue;

      for (guint f = 0; f < json_array_get_length (json_node_get_array (files)); f++)
        {
          JsonNode *file_node = json_array_get_element (json_node_get_array (files), f);
          g_autoptr(ExitboxAgentRelease) release = NULL;
          g_autofree char *folder = NULL;
          JsonObject *file;
          const char *filename;
          const char *version;
          const char *sha256;

          if (!JSON_NODE_HOLDS_OBJECT (file_node))
            continue;
          file = json_node_get_object (file_node);
          if (g_strcmp0 (get_string_member (file, "os"), "linux") != 0 ||
              g_strcmp0 (get_string_member (file, "arch"), go_arch) != 0 ||
              g_strcmp0 (get_string_member (file, "kind"), "archive") != 0)
            continue;

          filename = get_string_member (file, "filename");
          version = get_string_member (entry, "version");
          sha256 = get_string_member (file, "sha256");
          if (filename == NULL || !is_safe_path_component (filename) || version == NULL ||
              !g_str_has_prefix (version, "go") || !is_valid_version (version + 2))
            continue;

          if (!is_sha256_hex (sha256))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The Go release list %s publishes no valid SHA-256 for %s, so "
                             "ExitBox cannot verify it and does not install it."),
                           data->list_url, filename);
              return NULL;
            }

          folder = dup_url_folder (data->list_url);
          release = g_new0 (ExitboxAgentRelease, 1);
          release->version = g_strdup (version + 2);
          release->platform = g_strdup_printf ("linux-%s", go_arch);
          release->url = g_strconcat (folder, filename, NULL);
          release->sha256 = g_ascii_strdown (sha256, -1);
          return g_steal_pointer (&release);
        }
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("The Go release list %s has no stable Linux %s archive."),
               data->list_url, go_arch);
  return NULL;
}

static void
tool_fetch_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ToolFetchData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  ExitboxAgentRelease *release;

  bytes = get_bytes_finish (result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  release = parse_go_releases (bytes, data, &error);
  if (release == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, release, (GDestroyNotify) exitbox_agent_release_free);
}

void
exitbox_tool_release_fetch_async (const char          *tool,
                                  ExitboxBaseFamily    family,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ToolFetchData *data;
  const char *value;

  g_return_if_fail (tool != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, exitbox_tool_release_fetch_async);

  data = g_new0 (ToolFetchData, 1);
  data->session = create_session ();
  g_task_set_task_data (task, data, (GDestroyNotify) tool_fetch_data_free);

  if (!exitbox_tool_download_is_supported (tool))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("ExitBox does not download the tool “%s” yet."), tool);
      return;
    }

  if (!g_str_equal (tool, "go"))
    {
      exitbox_tool_release_fetch_other_async (tool, family, cancellable, tool_other_fetch_cb,
                                              g_steal_pointer (&task));
      return;
    }

  value = g_getenv ("EXITBOX_GO_RELEASES_URL");
  data->list_url = value != NULL && *value != '\0' ? g_strstrip (g_strdup (value))
                                                    : g_strdup (EXITBOX_GO_DEFAULT_RELEASES_URL);

  get_bytes_async (data->session, data->list_url, cancellable,
                   tool_fetch_cb, g_steal_pointer (&task));
}

ExitboxAgentRelease *
exitbox_tool_release_fetch_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == exitbox_tool_release_fetch_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Verified download into the cache. */

typedef struct
{
  ExitboxAgentRelease *release;
  char                *cache_path;
  char                *temporary_path;   /* deleted on free unless renamed */
  SoupSession         *session;
  SoupMessage         *message;
  GInputStream        *input;
  GOutputStream       *output;
  GChecksum           *checksum;
  guint8              *buffer;
  gboolean             unverified;       /* the release has no published SHA-256 */
  guint                attempt;
  goffset              received;         /* bytes of the current attempt */
} DownloadData;

static void
download_data_free (DownloadData *data)
{
  if (data->output != NULL)
    g_output_stream_close (data->output, NULL, NULL);
  if (data->temporary_path != NULL)
    g_unlink (data->temporary_path);

  g_clear_pointer (&data->release, exitbox_agent_release_free);
  g_free (data->cache_path);
  g_free (data->temporary_path);
  g_clear_object (&data->session);
  g_clear_object (&data->message);
  g_clear_object (&data->input);
  g_clear_object (&data->output);
  g_clear_pointer (&data->checksum, g_checksum_free);
  g_free (data->buffer);
  g_free (data);
}

/* SHA-256 of a whole file as lower-case hex, or NULL with @error set. */
static char *
compute_file_sha256 (const char    *path,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (DOWNLOAD_CHUNK_SIZE);

  input = g_file_read (file, cancellable, error);
  if (input == NULL)
    return NULL;

  for (;;)
    {
      gssize n_read = g_input_stream_read (G_INPUT_STREAM (input), buffer,
                                           DOWNLOAD_CHUNK_SIZE, cancellable, error);

      if (n_read < 0)
        return NULL;
      if (n_read == 0)
        break;
      g_checksum_update (checksum, buffer, n_read);
    }

  return g_strdup (g_checksum_get_string (checksum));
}

/* Runs in a worker thread: returns TRUE when the cached file exists and
 * matches, FALSE (after deleting it) when it does not.
 */
static void
verify_cached_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  DownloadData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *actual = NULL;

  if (!g_file_test (data->cache_path, G_FILE_TEST_EXISTS))
    {
      g_task_return_boolean (task, FALSE);
      return;
    }

  /* Without a published checksum there is nothing to check the cache
   * against, so the file is always downloaded again.
   */
  if (data->unverified)
    {
      g_unlink (data->cache_path);
      g_task_return_boolean (task, FALSE);
      return;
    }

  actual = compute_file_sha256 (data->cache_path, cancellable, &error);
  if (actual == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (actual != NULL && g_str_equal (actual, data->release->sha256))
    {
      g_debug ("Reusing the verified download %s", data->cache_path);
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_warning ("The cached download %s does not match its SHA-256 %s (%s), so it is deleted and downloaded again",
             data->cache_path, data->release->sha256,
             actual != NULL ? actual : error->message);
  if (g_unlink (data->cache_path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Could not delete the damaged cached file %s: %s. "
                                 "Delete it by hand and try again."),
                               data->cache_path, g_strerror (saved_errno));
      return;
    }

  g_task_return_boolean (task, FALSE);
}

static void download_read_next (GTask *task);
static void download_send (GTask *task);

static gboolean
download_retry_cb (gpointer user_data)
{
  download_send (user_data);
  return G_SOURCE_REMOVE;
}

/* Starts the download again from the first byte when @error may pass
 * (see is_transient_failure(); a connection that breaks mid-body counts
 * too) and attempts are left. Takes @task and @error either way.
 */
static void
download_retry_or_fail (GTask  *task,
                        GError *error,
                        gboolean body_started)
{
  DownloadData *data = g_task_get_task_data (task);
  int fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (data->output));

  if (data->attempt >= MAX_ATTEMPTS
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || !(body_started || is_transient_failure (error, data->message)))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  /* The partial file is emptied, so no byte of the failed attempt stays. */
  if (ftruncate (fd, 0) != 0 || lseek (fd, 0, SEEK_SET) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Could not write %s: %s"),
                               data->temporary_path, g_strerror (saved_errno));
      g_error_free (error);
      g_object_unref (task);
      return;
    }

  g_message ("%s Trying again in %d s.", error->message, RETRY_DELAY_SECONDS);
  g_error_free (error);
  g_clear_object (&data->input);
  g_checksum_reset (data->checksum);
  data->received = 0;
  g_timeout_add_seconds (RETRY_DELAY_SECONDS, download_retry_cb, task);
}

static void
download_finish_file (GTask *task)
{
  DownloadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  const char *actual;
  int fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (data->output));

  if (fsync (fd) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Could not write %s: %s"),
                               data->temporary_path, g_strerror (saved_errno));
      return;
    }

  if (!g_output_stream_close (data->output, NULL, &error))
    {
      g_prefix_error (&error, _("Could not write %s: "), data->temporary_path);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_object (&data->output);

  actual = g_checksum_get_string (data->checksum);
  if (data->unverified)
    {
      g_warning ("Accepting the unverified download %s (SHA-256 %s) because unverified "
                 "installs were allowed", data->release->url, actual);
      data->release->sha256 = g_strdup (actual);
    }

  if (!g_str_equal (actual, data->release->sha256))
    {
      /* download_data_free() deletes the temporary file. */
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The file downloaded from %s failed verification: "
                                 "its SHA-256 is %s but the release manifest expects %s. "
                                 "The file was deleted. Try again later. If this keeps "
                                 "happening, the download is being altered on the way "
                                 "and must not be used."),
                               data->release->url, actual, data->release->sha256);
      return;
    }

  if (g_chmod (data->temporary_path, 0755) != 0
      || g_rename (data->temporary_path, data->cache_path) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Could not store the download in %s: %s"),
                               data->cache_path, g_strerror (saved_errno));
      return;
    }
  g_clear_pointer (&data->temporary_path, g_free);

  g_debug ("Downloaded and verified %s", data->cache_path);
  g_task_return_pointer (task, g_strdup (data->cache_path), g_free);
}

static void
download_write_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DownloadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("Could not write %s: "), data->temporary_path);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  download_read_next (g_steal_pointer (&task));
}

static void
download_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DownloadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;
  gssize n_read;

  n_read = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n_read < 0)
    {
      prefix_network_error (&error, data->release->url);
      download_retry_or_fail (g_steal_pointer (&task), g_steal_pointer (&error), TRUE);
      return;
    }

  if (n_read == 0)
    {
      SoupMessageHeaders *headers = soup_message_get_response_headers (data->message);
      goffset expected = soup_message_headers_get_content_length (headers);

      /* A connection that closes early ends the body without an error. */
      if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
          && data->received < expected)
        {
          error = g_error_new (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                               _("Downloading %s failed: the connection closed after %lld "
                                 "of %lld bytes."),
                               data->release->url, (long long) data->received,
                               (long long) expected);
          download_retry_or_fail (g_steal_pointer (&task), g_steal_pointer (&error), TRUE);
          return;
        }

      download_finish_file (task);
      return;
    }

  data->received += n_read;
  g_checksum_update (data->checksum, data->buffer, n_read);
  cancellable = g_task_get_cancellable (task);
  g_output_stream_write_all_async (data->output, data->buffer, n_read, G_PRIORITY_DEFAULT,
                                   cancellable, download_write_cb, g_steal_pointer (&task));
}

static void
download_read_next (GTask *task)
{
  DownloadData *data = g_task_get_task_data (task);

  g_input_stream_read_async (data->input, data->buffer, DOWNLOAD_CHUNK_SIZE,
                             G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                             download_read_cb, task);
}

static void
download_send_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DownloadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->input = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (!check_response (data->input != NULL, data->message, data->release->url, &error))
    {
      download_retry_or_fail (g_steal_pointer (&task), g_steal_pointer (&error), FALSE);
      return;
    }

  download_read_next (g_steal_pointer (&task));
}

/* Takes @task. */
static void
download_send (GTask *task)
{
  DownloadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  g_clear_object (&data->message);
  data->message = create_get_message (data->release->url, &error);
  if (data->message == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  data->attempt++;
  g_debug ("Downloading %s to %s (attempt %u)", data->release->url, data->temporary_path,
           data->attempt);
  soup_session_send_async (data->session, data->message, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), download_send_cb, task);
}

static gboolean
download_open_temporary (DownloadData  *data,
                         GError       **error)
{
  g_autofree char *folder = g_path_get_dirname (data->cache_path);
  g_autofree char *name = g_path_get_basename (data->cache_path);
  int fd;

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder %s: %s"),
                   folder, g_strerror (saved_errno));
      return FALSE;
    }

  /* Next to the final path so that the rename is atomic, and unique so that
   * two downloads of the same release do not write into one file.
   */
  data->temporary_path = g_strdup_printf ("%s/.%s.XXXXXX", folder, name);
  fd = g_mkstemp_full (data->temporary_path, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create a file in %s: %s"),
                   folder, g_strerror (saved_errno));
      g_clear_pointer (&data->temporary_path, g_free);
      return FALSE;
    }

  data->output = g_unix_output_stream_new (fd, TRUE);
  return TRUE;
}

static void
download_verify_cached_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DownloadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean cached;

  cached = g_task_propagate_boolean (G_TASK (result), &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (cached)
    {
      g_task_return_pointer (task, g_strdup (data->cache_path), g_free);
      return;
    }

  if (!download_open_temporary (data, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->session = create_session ();
  data->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  data->buffer = g_malloc (DOWNLOAD_CHUNK_SIZE);
  download_send (g_steal_pointer (&task));
}

/* ~/.cache/exitbox/downloads/AGENT/VERSION/PLATFORM/FILE, where FILE is the
 * last segment of the release URL.
 */
static char *
build_cache_path (const ExitboxAgentRelease  *release,
                  const char                 *agent_id,
                  GError                    **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *cache_dir = NULL;

  uri = g_uri_parse (release->url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL)
    file_name = g_path_get_basename (g_uri_get_path (uri));

  if (!is_safe_path_component (agent_id)
      || !is_safe_path_component (release->version)
      || !is_safe_path_component (release->platform)
      || !is_safe_path_component (file_name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The release %s %s for %s at %s cannot be stored in the cache: "
                     "its names may contain only letters, digits and . _ - +"),
                   agent_id, release->version, release->platform, release->url);
      return NULL;
    }

  cache_dir = exitbox_dup_cache_dir ();
  return g_build_filename (cache_dir, "downloads", agent_id, release->version,
                           release->platform, file_name, NULL);
}

void
exitbox_download_release_async (ExitboxAgentRelease *release,
                                const char          *agent_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) verify_task = NULL;
  g_autoptr(GError) error = NULL;
  DownloadData *data;

  g_return_if_fail (release != NULL);
  g_return_if_fail (release->version != NULL && release->platform != NULL && release->url != NULL);
  g_return_if_fail (agent_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, exitbox_download_release_async);

  data = g_new0 (DownloadData, 1);
  data->release = agent_release_copy (release);
  g_task_set_task_data (task, data, (GDestroyNotify) download_data_free);

  if (release->sha256 == NULL)
    data->unverified = TRUE;
  else if (!is_sha256_hex (release->sha256))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The release %s has no valid SHA-256 checksum, so it "
                                 "cannot be verified."),
                               release->url);
      return;
    }
  else
    {
      g_free (data->release->sha256);
      data->release->sha256 = g_ascii_strdown (release->sha256, -1);
    }

  /* An unverified download gets a folder of its own, so it never replaces a
   * verified file of the same release.
   */
  if (data->unverified)
    {
      g_free (data->release->platform);
      data->release->platform = g_strconcat (release->platform, "-unverified", NULL);
    }

  data->cache_path = build_cache_path (data->release, agent_id, &error);
  if (data->cache_path == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The cached file is hashed again before every use, off the main thread
   * because an agent binary is a few hundred megabytes.
   */
  verify_task = g_task_new (NULL, cancellable, download_verify_cached_cb, g_steal_pointer (&task));
  g_task_set_source_tag (verify_task, verify_cached_thread);
  g_task_set_task_data (verify_task, data, NULL);
  g_task_run_in_thread (verify_task, verify_cached_thread);
}

char *
exitbox_download_release_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == exitbox_download_release_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Shared with exitbox-tool-download.c through exitbox-download-private.h. */

gboolean
exitbox_download_is_valid_version (const char *version)
{
  return version != NULL && is_valid_version (version);
}

gboolean
exitbox_download_is_sha256_hex (const char *text)
{
  return is_sha256_hex (text);
}

gboolean
exitbox_download_is_safe_path_component (const char *name)
{
  return is_safe_path_component (name);
}

const char *
exitbox_download_host_cpu (void)
{
  return host_cpu ();
}

SoupSession *
exitbox_download_create_session (void)
{
  return create_session ();
}

const char *
exitbox_download_get_string_member (JsonObject *object,
                                    const char *name)
{
  return get_string_member (object, name);
}

void
exitbox_download_get_bytes_async (SoupSession         *session,
                                  const char          *url,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  get_bytes_async (session, url, cancellable, callback, user_data);
}

GBytes *
exitbox_download_get_bytes_finish (GAsyncResult  *result,
                                   GError       **error)
{
  return get_bytes_finish (result, error);
}
