/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "exitbox-allow-requests.h"
#include "exitbox-paths.h"

#define REQUEST_SUFFIX ".json"
#define ANSWER_SUFFIX  ".answer"

static const char * const answer_names[] = {
  [EXITBOX_ALLOW_ANSWER_DENY] = "deny",
  [EXITBOX_ALLOW_ANSWER_SESSION] = "session",
  [EXITBOX_ALLOW_ANSWER_ALWAYS] = "always",
};

const char *
exitbox_allow_answer_to_string (ExitboxAllowAnswer answer)
{
  g_return_val_if_fail (answer <= EXITBOX_ALLOW_ANSWER_ALWAYS, NULL);

  return answer_names[answer];
}

gboolean
exitbox_allow_answer_from_string (const char         *text,
                                  ExitboxAllowAnswer *out_answer)
{
  g_return_val_if_fail (out_answer != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (answer_names); i++)
    {
      if (g_strcmp0 (text, answer_names[i]) == 0)
        {
          *out_answer = (ExitboxAllowAnswer) i;
          return TRUE;
        }
    }

  return FALSE;
}

ExitboxAllowRequest *
exitbox_allow_request_copy (const ExitboxAllowRequest *request)
{
  ExitboxAllowRequest *copy;

  g_return_val_if_fail (request != NULL, NULL);

  copy = g_new0 (ExitboxAllowRequest, 1);
  copy->id = g_strdup (request->id);
  copy->session = g_strdup (request->session);
  copy->agent = g_strdup (request->agent);
  copy->project = g_strdup (request->project);
  copy->entry = g_strdup (request->entry);
  copy->rule = g_strdup (request->rule);
  copy->created = request->created;
  copy->deadline = request->deadline;
  copy->pid = request->pid;

  return copy;
}

void
exitbox_allow_request_free (ExitboxAllowRequest *request)
{
  if (request == NULL)
    return;

  g_free (request->id);
  g_free (request->session);
  g_free (request->agent);
  g_free (request->project);
  g_free (request->entry);
  g_free (request->rule);
  g_free (request);
}

G_DEFINE_BOXED_TYPE (ExitboxAllowRequest, exitbox_allow_request,
                     exitbox_allow_request_copy, exitbox_allow_request_free)

/* NOTE: inside Flatpak, $XDG_RUNTIME_DIR is the sandbox's own folder, which
 * the host's engine cannot bind-mount, and the manifest grants only
 * xdg-run/podman. Runtime allow requests from a Flatpak build are untested.
 */
char *
exitbox_allow_dup_runtime_dir (void)
{
  const char *dir = g_getenv ("EXITBOX_RUNTIME_DIR");
  const char *runtime_dir;

  if (dir != NULL && dir[0] != '\0')
    return g_strdup (dir);

  runtime_dir = g_getenv ("XDG_RUNTIME_DIR");
  if (runtime_dir == NULL || runtime_dir[0] == '\0')
    runtime_dir = g_get_user_runtime_dir ();

  return g_build_filename (runtime_dir, "exitbox", NULL);
}

char *
exitbox_allow_dup_requests_dir (void)
{
  g_autofree char *runtime_dir = exitbox_allow_dup_runtime_dir ();

  return g_build_filename (runtime_dir, "requests", NULL);
}

char *
exitbox_allow_describe_entry (const ExitboxAllowlistEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  /* Without a port the proxy opens HTTPS (CONNECT to 443) and plain HTTP
   * to 80; with one, only that port.
   */
  if (entry->kind == EXITBOX_ALLOWLIST_ENTRY_DOMAIN)
    {
      if (entry->port == 0)
        /* TRANSLATORS: %s is a domain name such as example.com */
        return g_strdup_printf (_("Allow %s and its subdomains on ports 443 and 80"), entry->host);
      /* TRANSLATORS: %s is a domain name, %u a port number */
      return g_strdup_printf (_("Allow %s and its subdomains on port %u"), entry->host,
                              entry->port);
    }

  if (entry->port == 0)
    /* TRANSLATORS: %s is an IP address */
    return g_strdup_printf (_("Allow the address %s on ports 443 and 80"), entry->host);
  /* TRANSLATORS: %s is an IP address, %u a port number */
  return g_strdup_printf (_("Allow the address %s on port %u"), entry->host, entry->port);
}

static gboolean
make_private_folder (const char  *path,
                     GError     **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to create the folder %s: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/* Request ids become file names, so only the form that the listener
 * creates is accepted.
 */
static gboolean
is_valid_id (const char *id)
{
  if (id == NULL || strlen (id) != 8)
    return FALSE;

  for (guint i = 0; i < 8; i++)
    {
      if (!g_ascii_isxdigit (id[i]) || g_ascii_isupper (id[i]))
        return FALSE;
    }

  return TRUE;
}

static char *
dup_request_path (const char *dir,
                  const char *id)
{
  g_autofree char *name = g_strconcat (id, REQUEST_SUFFIX, NULL);

  return g_build_filename (dir, name, NULL);
}

static char *
dup_answer_path (const char *dir,
                 const char *id)
{
  g_autofree char *name = g_strconcat (id, ANSWER_SUFFIX, NULL);

  return g_build_filename (dir, name, NULL);
}

gboolean
exitbox_allow_request_save (const ExitboxAllowRequest  *request,
                            const char                 *dir,
                            GError                    **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (is_valid_id (request->id), FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, request->id);
  json_builder_set_member_name (builder, "session");
  json_builder_add_string_value (builder, request->session);
  json_builder_set_member_name (builder, "agent");
  if (request->agent != NULL)
    json_builder_add_string_value (builder, request->agent);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "project");
  json_builder_add_string_value (builder, request->project);
  json_builder_set_member_name (builder, "entry");
  json_builder_add_string_value (builder, request->entry);
  json_builder_set_member_name (builder, "rule");
  json_builder_add_string_value (builder, request->rule);
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, request->created);
  json_builder_set_member_name (builder, "deadline");
  json_builder_add_int_value (builder, request->deadline);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, request->pid);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  if (!make_private_folder (dir, error))
    return FALSE;

  path = dup_request_path (dir, request->id);
  return exitbox_write_file_atomically (path, text, -1, 0600, error);
}

static char *
dup_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return g_strdup (json_node_get_string (node));
}

static gint64
get_int_member (JsonObject *object,
                const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;

  return json_node_get_int (node);
}

ExitboxAllowRequest *
exitbox_allow_request_load (const char  *path,
                            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ExitboxAllowRequest) request = NULL;
  JsonNode *root;
  JsonObject *object;

  g_return_val_if_fail (path != NULL, NULL);

  if (!json_parser_load_from_file (parser, path, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    goto invalid;

  object = json_node_get_object (root);
  request = g_new0 (ExitboxAllowRequest, 1);
  request->id = dup_string_member (object, "id");
  request->session = dup_string_member (object, "session");
  request->agent = dup_string_member (object, "agent");
  request->project = dup_string_member (object, "project");
  request->entry = dup_string_member (object, "entry");
  request->rule = dup_string_member (object, "rule");
  request->created = get_int_member (object, "created");
  request->deadline = get_int_member (object, "deadline");
  request->pid = get_int_member (object, "pid");

  if (!is_valid_id (request->id) || request->session == NULL || request->project == NULL ||
      request->entry == NULL || request->rule == NULL || request->created < 0 ||
      request->deadline < 0 || request->pid <= 0)
    goto invalid;

  return g_steal_pointer (&request);

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("The allow request %s is invalid: it is not a JSON object with the members "
                 "id, session, project, entry, rule, created, deadline and pid."),
               path);
  return NULL;
}

void
exitbox_allow_request_remove (const char *dir,
                              const char *id)
{
  g_autofree char *request_path = NULL;
  g_autofree char *answer_path = NULL;

  g_return_if_fail (dir != NULL);
  g_return_if_fail (is_valid_id (id));

  request_path = dup_request_path (dir, id);
  answer_path = dup_answer_path (dir, id);

  if (g_unlink (request_path) != 0 && errno != ENOENT)
    g_warning ("Failed to remove the allow request %s: %s", request_path, g_strerror (errno));
  if (g_unlink (answer_path) != 0 && errno != ENOENT)
    g_warning ("Failed to remove the allow answer %s: %s", answer_path, g_strerror (errno));
}

static gboolean
process_exists (gint64 pid)
{
  if (pid <= 0 || pid > G_MAXINT)
    return FALSE;

  return kill ((pid_t) pid, 0) == 0 || errno == EPERM;
}

static int
compare_by_created (gconstpointer a,
                    gconstpointer b)
{
  const ExitboxAllowRequest *first = *(ExitboxAllowRequest * const *) a;
  const ExitboxAllowRequest *second = *(ExitboxAllowRequest * const *) b;

  if (first->created != second->created)
    return first->created < second->created ? -1 : 1;

  return strcmp (first->id, second->id);
}

GPtrArray *
exitbox_allow_requests_load_pending (const char *dir)
{
  g_autoptr(GPtrArray) requests =
    g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_allow_request_free);
  g_autoptr(GDir) folder = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;

  g_return_val_if_fail (dir != NULL, NULL);

  folder = g_dir_open (dir, 0, NULL);
  if (folder == NULL)
    return g_steal_pointer (&requests);

  while ((name = g_dir_read_name (folder)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      ExitboxAllowRequest *request;

      if (!g_str_has_suffix (name, REQUEST_SUFFIX))
        continue;

      path = g_build_filename (dir, name, NULL);
      request = exitbox_allow_request_load (path, &error);
      if (request == NULL)
        {
          g_debug ("Skipping %s: %s", path, error->message);
          continue;
        }

      /* The process that waits removes the file; a file left behind by a
       * process that was killed is stale.
       */
      if (request->deadline < now || !process_exists (request->pid))
        {
          exitbox_allow_request_free (request);
          continue;
        }

      g_ptr_array_add (requests, request);
    }

  g_ptr_array_sort (requests, compare_by_created);

  return g_steal_pointer (&requests);
}

static ExitboxAllowRequest *
find_request (GPtrArray  *requests,
              const char *id)
{
  for (guint i = 0; i < requests->len; i++)
    {
      ExitboxAllowRequest *request = g_ptr_array_index (requests, i);

      if (g_str_equal (request->id, id))
        return request;
    }

  return NULL;
}

gboolean
exitbox_allow_requests_write_answer (const char          *dir,
                                     const char          *id,
                                     ExitboxAllowAnswer   answer,
                                     GError             **error)
{
  g_autoptr(GPtrArray) pending = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  pending = exitbox_allow_requests_load_pending (dir);
  if (!is_valid_id (id) || find_request (pending, id) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No pending allow request has the id “%s”. It was answered, timed out, "
                     "or its session ended. “exitbox firewall pending” lists the requests "
                     "that wait."),
                   id);
      return FALSE;
    }

  path = dup_answer_path (dir, id);
  text = g_strconcat (exitbox_allow_answer_to_string (answer), "\n", NULL);

  return exitbox_write_file_atomically (path, text, -1, 0600, error);
}

gboolean
exitbox_allow_requests_read_answer (const char          *dir,
                                    const char          *id,
                                    ExitboxAllowAnswer  *out_answer,
                                    GError             **error)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (is_valid_id (id), FALSE);
  g_return_val_if_fail (out_answer != NULL, FALSE);

  path = dup_answer_path (dir, id);
  if (!g_file_get_contents (path, &text, NULL, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_strstrip (text);
  if (!exitbox_allow_answer_from_string (text, out_answer))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The allow answer %s contains “%s”, but only deny, session or always "
                     "are valid."),
                   path, text);
      return FALSE;
    }

  return TRUE;
}


/* The watched folder */

struct _ExitboxAllowRequests
{
  GObject       parent_instance;

  char         *dir;
  GFileMonitor *monitor;
  GPtrArray    *pending;  /* element type ExitboxAllowRequest */
  guint         expiry_id;
};

G_DEFINE_FINAL_TYPE (ExitboxAllowRequests, exitbox_allow_requests, G_TYPE_OBJECT)

enum {
  SIGNAL_REQUEST_ADDED,
  SIGNAL_REQUEST_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_expiry (ExitboxAllowRequests *self);

static gboolean
expiry_cb (gpointer user_data)
{
  ExitboxAllowRequests *self = user_data;

  self->expiry_id = 0;
  exitbox_allow_requests_refresh (self);

  return G_SOURCE_REMOVE;
}

/* A request whose deadline passes leaves the list even when no file event
 * comes, because its process may have been killed.
 */
static void
schedule_expiry (ExitboxAllowRequests *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 next = G_MAXINT64;

  g_clear_handle_id (&self->expiry_id, g_source_remove);

  for (guint i = 0; i < self->pending->len; i++)
    {
      ExitboxAllowRequest *request = g_ptr_array_index (self->pending, i);

      next = MIN (next, request->deadline);
    }

  if (next == G_MAXINT64)
    return;

  self->expiry_id = g_timeout_add_seconds ((guint) CLAMP (next - now + 1, 1, G_MAXINT),
                                           expiry_cb, self);
}

void
exitbox_allow_requests_refresh (ExitboxAllowRequests *self)
{
  g_autoptr(GPtrArray) current = NULL;
  g_autoptr(GPtrArray) previous = NULL;

  g_return_if_fail (EXITBOX_IS_ALLOW_REQUESTS (self));

  current = exitbox_allow_requests_load_pending (self->dir);
  previous = g_steal_pointer (&self->pending);
  self->pending = g_ptr_array_ref (current);

  for (guint i = 0; i < previous->len; i++)
    {
      ExitboxAllowRequest *request = g_ptr_array_index (previous, i);

      if (find_request (current, request->id) == NULL)
        g_signal_emit (self, signals[SIGNAL_REQUEST_REMOVED], 0, request->id);
    }

  for (guint i = 0; i < current->len; i++)
    {
      ExitboxAllowRequest *request = g_ptr_array_index (current, i);

      if (find_request (previous, request->id) == NULL)
        g_signal_emit (self, signals[SIGNAL_REQUEST_ADDED], 0, request);
    }

  schedule_expiry (self);
}

static void
folder_changed_cb (GFileMonitor         *monitor,
                   GFile                *file,
                   GFile                *other_file,
                   GFileMonitorEvent     event,
                   ExitboxAllowRequests *self)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *other_name = other_file != NULL ? g_file_get_basename (other_file) : NULL;

  /* An atomic save arrives as a temporary file renamed to the request's name. */
  if (!g_str_has_suffix (name, REQUEST_SUFFIX) &&
      (other_name == NULL || !g_str_has_suffix (other_name, REQUEST_SUFFIX)))
    return;

  if (event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT ||
      event == G_FILE_MONITOR_EVENT_CREATED ||
      event == G_FILE_MONITOR_EVENT_DELETED ||
      event == G_FILE_MONITOR_EVENT_MOVED_IN ||
      event == G_FILE_MONITOR_EVENT_MOVED_OUT ||
      event == G_FILE_MONITOR_EVENT_RENAMED)
    exitbox_allow_requests_refresh (self);
}

static void
exitbox_allow_requests_dispose (GObject *object)
{
  ExitboxAllowRequests *self = EXITBOX_ALLOW_REQUESTS (object);

  g_clear_handle_id (&self->expiry_id, g_source_remove);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }

  G_OBJECT_CLASS (exitbox_allow_requests_parent_class)->dispose (object);
}

static void
exitbox_allow_requests_finalize (GObject *object)
{
  ExitboxAllowRequests *self = EXITBOX_ALLOW_REQUESTS (object);

  g_free (self->dir);
  g_clear_pointer (&self->pending, g_ptr_array_unref);

  G_OBJECT_CLASS (exitbox_allow_requests_parent_class)->finalize (object);
}

static void
exitbox_allow_requests_class_init (ExitboxAllowRequestsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = exitbox_allow_requests_dispose;
  object_class->finalize = exitbox_allow_requests_finalize;

  signals[SIGNAL_REQUEST_ADDED] =
    g_signal_new ("request-added",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EXITBOX_TYPE_ALLOW_REQUEST);
  signals[SIGNAL_REQUEST_REMOVED] =
    g_signal_new ("request-removed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
exitbox_allow_requests_init (ExitboxAllowRequests *self)
{
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_allow_request_free);
}

ExitboxAllowRequests *
exitbox_allow_requests_new (GError **error)
{
  g_autoptr(ExitboxAllowRequests) self = g_object_new (EXITBOX_TYPE_ALLOW_REQUESTS, NULL);
  g_autoptr(GFile) folder = NULL;

  self->dir = exitbox_allow_dup_requests_dir ();
  if (!make_private_folder (self->dir, error))
    return NULL;

  folder = g_file_new_for_path (self->dir);
  self->monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (self->monitor == NULL)
    return NULL;
  g_signal_connect (self->monitor, "changed", G_CALLBACK (folder_changed_cb), self);

  g_ptr_array_unref (self->pending);
  self->pending = exitbox_allow_requests_load_pending (self->dir);
  schedule_expiry (self);

  return g_steal_pointer (&self);
}

GPtrArray *
exitbox_allow_requests_get_pending (ExitboxAllowRequests *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOW_REQUESTS (self), NULL);

  return self->pending;
}

gboolean
exitbox_allow_requests_answer (ExitboxAllowRequests  *self,
                               const char            *id,
                               ExitboxAllowAnswer     answer,
                               GError               **error)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOW_REQUESTS (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  return exitbox_allow_requests_write_answer (self->dir, id, answer, error);
}
